//! The package loader against `go list -e -deps -json`: generated projects that exercise each
//! rule (build tags, file-name suffixes, ignored and hidden files, cgo files, nested modules,
//! replacements to directories and modules, vendor mode after a real `go mod vendor`, a
//! go.work workspace, ambiguous imports, missing modules, module zips) and real modules
//! from the Go module proxy, under several GOOS/GOARCH/CGO_ENABLED/-tags settings. Package
//! sets, module attribution, directories, compiled files, imports and errors must be equal.

mod support;

use godrift::graph::{self, LoadOptions};
use godrift::packages::{self, ArtifactKind, BuildContext, ModuleSet, Roots, ScanCache};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::{require_go, write_files, write_proxy_module, GoEnv};

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct GoPkg {
    import_path: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    standard: bool,
    module: Option<GoMod>,
    #[serde(default)]
    go_files: Vec<String>,
    #[serde(default)]
    cgo_files: Vec<String>,
    #[serde(default)]
    imports: Vec<String>,
    error: Option<GoErr>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct GoMod {
    path: String,
    #[serde(default)]
    version: String,
    replace: Option<Box<GoMod>>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
struct GoErr {
    err: String,
}

/// A build configuration.
#[derive(Clone, Debug)]
struct Variant {
    goos: &'static str,
    goarch: &'static str,
    cgo: bool,
    tags: &'static str,
}

const LINUX: Variant = Variant {
    goos: "linux",
    goarch: "amd64",
    cgo: true,
    tags: "",
};

const VARIANTS: &[Variant] = &[
    LINUX,
    Variant {
        goos: "linux",
        goarch: "amd64",
        cgo: false,
        tags: "",
    },
    Variant {
        goos: "windows",
        goarch: "amd64",
        cgo: false,
        tags: "",
    },
    Variant {
        goos: "linux",
        goarch: "arm64",
        cgo: true,
        tags: "foo,bar",
    },
    Variant {
        goos: "darwin",
        goarch: "arm64",
        cgo: true,
        tags: "bar",
    },
];

fn go_version(env: &GoEnv, dir: &Path) -> String {
    env.go(dir, &["env", "GOVERSION"]).trim().to_string()
}

fn goroot(env: &GoEnv, dir: &Path) -> PathBuf {
    PathBuf::from(env.go(dir, &["env", "GOROOT"]).trim())
}

fn canon(p: &str) -> String {
    if p.is_empty() {
        return String::new();
    }
    Path::new(p)
        .canonicalize()
        .map(|c| c.display().to_string())
        .unwrap_or_else(|_| p.to_string())
}

/// What to load: the main module (or workspace) directory, the package directories
/// (relative to `primary`), and the artifact kind.
struct Target<'a> {
    dir: &'a Path,
    primary: &'a Path,
    roots: &'a [&'a str],
    kind: ArtifactKind,
    workspace: bool,
}

/// Loads `t` with godrift and with `go list`, and compares them. Returns godrift's result.
fn compare(env: &GoEnv, t: &Target, v: &Variant, cache: &ScanCache) -> packages::Loaded {
    let opts = LoadOptions {
        gomodcache: Some(env.gomodcache.clone()),
        use_workspace: t.workspace,
    };
    let bl = graph::load(t.primary, &opts).expect("build list");
    let set = ModuleSet::from_build_list(&bl, &env.gomodcache, Some(&goroot(env, t.dir)))
        .expect("module set")
        .with_primary_dir(t.primary);
    let ctx = BuildContext::new(v.goos, v.goarch, &go_version(env, t.dir))
        .with_cgo(v.cgo)
        .with_tags(v.tags);
    let roots = Roots::dirs(
        t.kind,
        t.roots.iter().map(PathBuf::from).collect::<Vec<_>>(),
    );
    let ours = packages::load(&set, &ctx, &roots, cache);
    assert!(ours.errors.is_empty(), "{:?}", ours.errors);

    let env = env
        .clone()
        .with("GOOS", v.goos)
        .with("GOARCH", v.goarch)
        .with("CGO_ENABLED", if v.cgo { "1" } else { "0" });
    let mut args: Vec<String> = vec![
        "list".into(),
        "-e".into(),
        "-deps".into(),
        "-json=ImportPath,Dir,Standard,Module,GoFiles,CgoFiles,Imports,Error".into(),
    ];
    if !v.tags.is_empty() {
        args.push(format!("-tags={}", v.tags));
    }
    if t.kind == ArtifactKind::Plugin {
        args.push("-buildmode=plugin".into());
    }
    for r in t.roots {
        args.push(r.to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = env.go_output(t.primary, &args);
    let text = String::from_utf8_lossy(&out.stdout);
    let theirs: Vec<GoPkg> = serde_json::Deserializer::from_str(&text)
        .into_iter::<GoPkg>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| {
            panic!(
                "go list json: {e}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });

    // Standard packages are leaves for godrift: it links those that non-standard packages
    // import (directly, through cgo, or as the linker's runtime).
    let by_path: BTreeMap<&str, &GoPkg> =
        theirs.iter().map(|p| (p.import_path.as_str(), p)).collect();
    let mut want_std: BTreeSet<String> = BTreeSet::new();
    let mut want = Vec::new();
    for p in &theirs {
        if p.standard {
            continue;
        }
        for i in &p.imports {
            if by_path.get(i.as_str()).is_some_and(|q| q.standard) {
                want_std.insert(i.clone());
            }
        }
        if !p.cgo_files.is_empty() && v.cgo {
            for i in ["unsafe", "runtime/cgo", "syscall"] {
                want_std.insert(i.into());
            }
        }
        want.push(describe_go(p, v.cgo));
    }
    want_std.insert("runtime".into());
    if t.kind == ArtifactKind::Plugin {
        want_std.insert("runtime/cgo".into());
    }
    let mut got_std = BTreeSet::new();
    let mut got = Vec::new();
    let linked: BTreeSet<&String> = ours.artifacts.iter().flat_map(|a| &a.packages).collect();
    for p in ours.packages.values() {
        assert!(linked.contains(&p.import_path));
        if p.standard {
            got_std.insert(p.import_path.clone());
            continue;
        }
        got.push(describe_ours(p));
    }
    want.sort();
    got.sort();
    let ctx_name = format!(
        "{} {}/{} cgo={} tags={:?}",
        t.primary.display(),
        v.goos,
        v.goarch,
        v.cgo,
        v.tags
    );
    if std::env::var("PKG_DEBUG").is_ok() {
        eprintln!("{ctx_name}\n{}\nstd={got_std:?}", got.join("\n"));
    }
    assert_eq!(
        got.join("\n"),
        want.join("\n"),
        "{ctx_name}: packages differ"
    );
    assert_eq!(got_std, want_std, "{ctx_name}: standard leaves differ");
    ours
}

fn describe_go(p: &GoPkg, cgo: bool) -> String {
    let module = p.module.as_ref().map(|m| {
        let mut s = format!("{}@{}", m.path, m.version);
        if let Some(r) = &m.replace {
            s.push_str(&format!(" => {} {}", r.path, r.version));
        }
        s
    });
    let mut files: Vec<&String> = p.go_files.iter().collect();
    if cgo {
        files.extend(&p.cgo_files);
    }
    files.sort();
    let imports: Vec<&String> = p.imports.iter().filter(|i| *i != "C").collect();
    format!(
        "{} [{}] dir={} files={:?} imports={:?} err={}",
        p.import_path,
        module.unwrap_or_default(),
        canon(&p.dir),
        files,
        imports,
        p.error
            .as_ref()
            .map(|e| normalize_err(&e.err))
            .unwrap_or_default()
    )
}

fn describe_ours(p: &packages::Package) -> String {
    let module = p.module.as_ref().map(|m| {
        let mut s = format!("{}@{}", m.path, m.version);
        match &m.replace {
            Some(graph::Replacement::Dir { path, .. }) => s.push_str(&format!(" => {path} ")),
            Some(graph::Replacement::Module { module }) => {
                s.push_str(&format!(" => {} {}", module.path, module.version))
            }
            None => {}
        }
        s
    });
    let files: Vec<&String> = p.go_files.iter().collect();
    format!(
        "{} [{}] dir={} files={:?} imports={:?} err={}",
        p.import_path,
        module.unwrap_or_default(),
        canon(
            &p.dir
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default()
        ),
        files,
        p.imports,
        p.error
            .as_ref()
            .map(|e| normalize_err(&e.to_string()))
            .unwrap_or_default()
    )
}

/// Go's messages name files relative to the working directory and sometimes prefix the
/// position; compare the message after the last `: ` that starts the text Go and godrift
/// both word the same way.
fn normalize_err(e: &str) -> String {
    e.lines().next().unwrap_or("").to_string()
}

/// A fake module world: a file:// proxy and a private GOPATH.
struct World {
    tmp: tempfile::TempDir,
    env: GoEnv,
}

impl World {
    fn new() -> World {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut env = GoEnv::new(tmp.path());
        env.goproxy = format!("file://{}", tmp.path().join("proxy").display());
        World { tmp, env }
    }
    fn root(&self) -> &Path {
        self.tmp.path()
    }
    fn module(&self, path: &str, version: &str, files: &[(&str, &str)]) {
        write_proxy_module(&self.root().join("proxy"), path, version, files);
    }
}

const CGO_FILE: &str = "package main\n\n// int two(void) { return 2; }\nimport \"C\"\n\nimport _ \"example.com/lib/cgoonly\"\n";

/// The main world: a host module with every file-selection rule, a directory replacement,
/// a module replacement, a nested module, and modules from the proxy.
fn main_world() -> World {
    let w = World::new();
    w.module(
        "example.com/dep",
        "v1.2.0",
        &[
            ("go.mod", "module example.com/dep\n\ngo 1.21\n"),
            (
                "dep.go",
                "package dep\n\nimport _ \"example.com/dep/sub\"\n",
            ),
            (
                "sub/sub.go",
                "package sub\n\nimport \"strings\"\n\nvar _ = strings.ToUpper\n",
            ),
            (
                "sub/sub_windows.go",
                "package sub\n\nimport _ \"os/exec\"\n",
            ),
            (
                "sub/sub_test.go",
                "package sub\n\nimport _ \"example.com/nowhere\"\n",
            ),
            ("internal/i/i.go", "package i\n"),
            (
                "uses/uses.go",
                "package uses\n\nimport _ \"example.com/dep/internal/i\"\n",
            ),
        ],
    );
    // A module nested in another module's path.
    w.module(
        "example.com/dep/nested",
        "v0.1.0",
        &[
            ("go.mod", "module example.com/dep/nested\n\ngo 1.21\n"),
            (
                "n.go",
                "//go:build !windows\n\npackage nested\n\nimport _ \"example.com/dep\"\n",
            ),
            ("n_windows.go", "package nested\n"),
        ],
    );
    w.module(
        "example.com/old",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/old\n\ngo 1.21\n"),
            ("pkg/p.go", "package pkg\n\nimport _ \"fmt\"\n"),
        ],
    );
    // Replaces example.com/old: same module path inside (as Go requires for the build).
    w.module(
        "example.com/new",
        "v1.1.0",
        &[
            ("go.mod", "module example.com/old\n\ngo 1.21\n"),
            ("pkg/p.go", "package pkg\n\nimport _ \"errors\"\n"),
        ],
    );
    write_files(
        &w.root().join("lib"),
        &[
            ("go.mod", "module example.com/lib\n\ngo 1.21\n"),
            ("a/a.go", "package a\n\nimport (\n\t\"fmt\"\n\t_ \"example.com/lib/b\"\n)\n\nvar _ = fmt.Sprint\n"),
            ("b/b.go", "// +build !windows\n\npackage b\n\nimport _ \"net\"\n"),
            ("b/b_windows.go", "package b\n\nimport _ \"example.com/dep\"\n"),
            ("linuxonly/l.go", "package linuxonly\n"),
            ("winonly/w.go", "package winonly\n\nimport _ \"syscall\"\n"),
            ("armonly/a.go", "package armonly\n"),
            ("fooonly/f.go", "package fooonly\n"),
            ("baronly/b.go", "package baronly\n"),
            ("cgoonly/c.go", "package cgoonly\n\nimport _ \"os/user\"\n"),
            // Not a package of example.com/lib: a nested module.
            ("sub/go.mod", "module example.com/lib/sub\n\ngo 1.21\n"),
            ("sub/s.go", "package sub\n"),
        ],
    );
    write_files(
        &w.root().join("host"),
        &[
            (
                "go.mod",
                "module example.com/host\n\ngo 1.22\n\nrequire (\n\texample.com/dep v1.2.0\n\texample.com/dep/nested v0.1.0\n\texample.com/lib v0.0.0\n\texample.com/old v1.0.0\n\texample.com/host/tools v0.0.0\n)\n\nreplace example.com/lib => ../lib\n\nreplace example.com/old v1.0.0 => example.com/new v1.1.0\n\nreplace example.com/host/tools => ./tools\n",
            ),
            (
                "cmd/host/main.go",
                "// Command host.\npackage main\n\nimport (\n\t\"plugin\"\n\n\t\"example.com/host/internal/x\"\n\t_ \"example.com/lib/a\"\n\t_ \"example.com/old/pkg\"\n\t_ \"example.com/dep/nested\"\n\t_ \"example.com/host/tools/t\"\n)\n\nfunc main() { _ = plugin.Open; x.X() }\n",
            ),
            ("cmd/host/extra_linux.go", "package main\n\nimport _ \"example.com/lib/linuxonly\"\n"),
            ("cmd/host/extra_windows.go", "package main\n\nimport _ \"example.com/lib/winonly\"\n"),
            ("cmd/host/extra_arm64.go", "package main\n\nimport _ \"example.com/lib/armonly\"\n"),
            ("cmd/host/extra_darwin_arm64.go", "package main\n\nimport _ \"example.com/dep/uses\"\n"),
            ("cmd/host/foo.go", "//go:build foo && !windows\n\npackage main\n\nimport _ \"example.com/lib/fooonly\"\n"),
            ("cmd/host/bar.go", "// +build bar\n\npackage main\n\nimport _ \"example.com/lib/baronly\"\n"),
            ("cmd/host/ignored.go", "//go:build ignore\n\npackage main\n\nimport _ \"example.com/nowhere/ignored\"\n"),
            ("cmd/host/_hidden.go", "package main\n\nimport _ \"example.com/nowhere/hidden\"\n"),
            (".hidden/h.go", "package main\n"),
            ("cmd/host/doc.go", "package documentation\n\nimport _ \"example.com/nowhere/doc\"\n"),
            ("cmd/host/cgo.go", CGO_FILE),
            ("cmd/host/main_test.go", "package main\n\nimport _ \"example.com/nowhere/test\"\n"),
            ("cmd/host/go117.go", "//go:build go1.17 && gc && unix\n\npackage main\n\nimport _ \"example.com/dep/sub\"\n"),
            ("cmd/host/go199.go", "//go:build go1.99\n\npackage main\n\nimport _ \"example.com/nowhere/future\"\n"),
            ("internal/x/x.go", "package x\n\nimport _ \"example.com/dep\"\n\nfunc X() {}\n"),
            ("tools/go.mod", "module example.com/host/tools\n\ngo 1.21\n"),
            ("tools/t/t.go", "package t\n"),
            // A second main package that does not import plugin.
            ("cmd/other/main.go", "package main\n\nfunc main() {}\n"),
            ("testdata/main.go", "package main\n\nimport \"plugin\"\n\nvar _ = plugin.Open\n"),
        ],
    );
    w.env
        .go(&w.root().join("host"), &["mod", "download", "all"]);
    w
}

#[test]
fn generated_host_matches_go_list_under_each_build_context() {
    let Some(_) = require_go("generated_host_matches_go_list_under_each_build_context") else {
        return;
    };
    let w = main_world();
    let host = w.root().join("host");
    let cache = ScanCache::new();
    for v in VARIANTS {
        let t = Target {
            dir: &host,
            primary: &host,
            roots: &["./cmd/host"],
            kind: ArtifactKind::Host,
            workspace: false,
        };
        let loaded = compare(&w.env, &t, v, &cache);
        let a = &loaded.artifacts[0];
        assert!(a.complete(), "{:?}", a.problems);
        assert_eq!(
            a.order.last().map(String::as_str),
            Some("example.com/host/cmd/host")
        );
    }
}
