//! The package loader against `go list -e -deps -json`: generated projects that exercise each
//! rule (build tags, file-name suffixes, ignored and hidden files, cgo files, nested modules,
//! replacements to directories and modules, vendor mode after a real `go mod vendor`, a
//! go.work workspace, ambiguous imports, missing modules, module zips) and real modules
//! from the Go module proxy, under several GOOS/GOARCH/CGO_ENABLED/-tags settings. Package
//! sets, module attribution, directories, compiled files, imports and errors must be equal.

mod support;

use godrift::graph::{self, LoadOptions};

/// GOWORK for a test: the nearest go.work, or none.
fn gowork(workspace: bool) -> godrift::goenv::GoWork {
    if workspace {
        godrift::goenv::GoWork::Auto
    } else {
        godrift::goenv::GoWork::Off
    }
}
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
    name: String,
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
    #[serde(default)]
    pos: String,
    err: String,
}

impl GoErr {
    /// As `go list -f '{{.Error}}'` prints it.
    fn text(&self) -> String {
        if self.pos.is_empty() {
            self.err.clone()
        } else {
            format!("{}: {}", self.pos, self.err)
        }
    }
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
        gomodcache: env.gomodcache.clone(),
        gowork: gowork(t.workspace),
        ..LoadOptions::default()
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
        "-json=ImportPath,Name,Dir,Standard,Module,GoFiles,CgoFiles,Imports,Error".into(),
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
    assert!(
        !text.trim().is_empty(),
        "go {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    // Go puts an import-edge error (a program or internal package imported) on the
    // importer, an import cycle on the package that closes it.
    let mut edge_errors: BTreeSet<&str> = BTreeSet::new();
    for a in &ours.artifacts {
        for pr in &a.problems {
            let n = pr.stack.len();
            match pr.error {
                packages::ProblemKind::ImportsProgram { .. }
                | packages::ProblemKind::Internal { .. }
                | packages::ProblemKind::LocalImport { .. }
                    if n >= 2 =>
                {
                    edge_errors.insert(&pr.stack[n - 2]);
                }
                packages::ProblemKind::ImportCycle => {
                    edge_errors.insert(&pr.stack[n - 1]);
                }
                _ => {}
            }
        }
    }
    for p in ours.packages.values() {
        assert!(linked.contains(&p.import_path));
        if p.standard {
            got_std.insert(p.import_path.clone());
            continue;
        }
        let mut line = describe_ours(p);
        if edge_errors.contains(p.import_path.as_str()) && line.ends_with("err=") {
            line.push_str("yes");
        }
        got.push(line);
    }
    want.sort();
    got.sort();
    // Error messages, where Go and godrift word them the same way.
    for p in ours.packages.values() {
        let (Some(e), Some(g)) = (&p.error, by_path.get(p.import_path.as_str())) else {
            continue;
        };
        let Some(ge) = &g.error else { continue };
        if matches!(e, packages::PackageError::MissingSource { .. }) || g.error.is_none() {
            continue;
        }
        assert!(
            same_error(&ge.text(), &e.to_string(), t.primary),
            "{}: go says {:?}, godrift {:?}",
            p.import_path,
            ge.text(),
            e.to_string()
        );
    }
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
    let go_errors: Vec<String> = theirs
        .iter()
        .filter_map(|p| {
            p.error
                .as_ref()
                .map(|e| format!("{}: {}", p.import_path, e.text()))
        })
        .collect();
    assert_eq!(
        got.join("\n"),
        want.join("\n"),
        "{ctx_name}: packages differ; go's errors: {go_errors:#?}"
    );
    assert_eq!(got_std, want_std, "{ctx_name}: standard leaves differ");
    // The dependency order is a postorder: every package after what it imports.
    for a in &ours.artifacts {
        let pos: BTreeMap<&str, usize> = a
            .order
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i))
            .collect();
        assert_eq!(pos.len(), a.packages.len());
        for (i, p) in a.order.iter().enumerate() {
            for imp in &ours.packages[p].imports {
                if let Some(&j) = pos.get(imp.as_str()) {
                    assert!(
                        j < i
                            || a.problems
                                .iter()
                                .any(|pr| pr.error == packages::ProblemKind::ImportCycle),
                        "{p} before {imp}"
                    );
                }
            }
        }
    }
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
        "{} {} [{}] dir={} files={:?} imports={:?} err={}",
        p.import_path,
        p.name,
        module.unwrap_or_default(),
        canon(&p.dir),
        files,
        imports,
        if p.error.is_some() { "yes" } else { "" }
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
        "{} {} [{}] dir={} files={:?} imports={:?} err={}",
        p.import_path,
        p.name,
        module.unwrap_or_default(),
        canon(
            &p.dir
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default()
        ),
        files,
        p.imports,
        // `go build` reports a package of test files only; `go list -e` does not.
        match &p.error {
            Some(e) if e.to_string().starts_with("no non-test Go files in ") => "",
            Some(_) => "yes",
            None => "",
        }
    )
}

/// Whether Go's error message says what ours says: Go prefixes the import position or the
/// import stack and names files relative to the working directory, so (with the main
/// module's directory taken out of both) Go's message must end with ours.
fn same_error(go: &str, ours: &str, cwd: &Path) -> bool {
    let strip = |s: &str| s.replace(&format!("{}/", cwd.display()), "");
    strip(go).ends_with(&strip(ours))
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
            // Imported only by files no build compiles (doc, go1.99, tests).
            ("doconly/d.go", "package doconly\n"),
            ("futureonly/f.go", "package futureonly\n"),
            ("testonly/t.go", "package testonly\n"),
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
            ("cmd/host/doc.go", "package documentation\n\nimport _ \"example.com/lib/doconly\"\n"),
            ("cmd/host/cgo.go", CGO_FILE),
            ("cmd/host/main_test.go", "package main\n\nimport _ \"example.com/lib/testonly\"\n"),
            ("cmd/host/go117.go", "//go:build go1.17 && gc && unix\n\npackage main\n\nimport _ \"example.com/dep/sub\"\n"),
            ("cmd/host/go199.go", "//go:build go1.99\n\npackage main\n\nimport _ \"example.com/lib/futureonly\"\n"),
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

/// Packages in module zips (extracted directory deleted, or left half-extracted with a
/// `.partial` marker) load from the zip, and Go, which re-extracts, agrees.
#[test]
fn module_zips_are_read_when_the_extracted_directory_is_missing() {
    let Some(_) = require_go("module_zips_are_read_when_the_extracted_directory_is_missing") else {
        return;
    };
    let w = main_world();
    let host = w.root().join("host");
    let t = Target {
        dir: &host,
        primary: &host,
        roots: &["./cmd/host"],
        kind: ArtifactKind::Host,
        workspace: false,
    };
    let modcache = &w.env.gomodcache;
    support::remove_tree(&modcache.join("example.com/dep@v1.2.0"));
    let partial = modcache.join("cache/download/example.com/dep/nested/@v/v0.1.0.partial");
    std::fs::write(&partial, "").expect("partial");
    for v in [&VARIANTS[0], &VARIANTS[2]] {
        let cache = ScanCache::new();
        let loaded = compare(&w.env, &t, v, &cache);
        for (path, zip) in [
            ("example.com/dep", "example.com/dep/@v/v1.2.0.zip"),
            (
                "example.com/dep/nested",
                "example.com/dep/nested/@v/v0.1.0.zip",
            ),
        ] {
            match &loaded.packages[path].source {
                Some(packages::SourceDir::Zip { zip: z, .. }) => {
                    assert!(z.ends_with(zip), "{path}: {}", z.display())
                }
                other => panic!("{path}: not read from the zip: {other:?}"),
            }
        }
        // Go re-extracted the module: make it missing again for the next variant.
        support::remove_tree(&modcache.join("example.com/dep@v1.2.0"));
        std::fs::write(&partial, "").expect("partial");
    }
}

/// Host artifacts are the main packages that link plugin; plugin artifacts are every main
/// package; testdata/, `.x` and nested modules are not searched.
#[test]
fn main_packages_are_found_as_go_list_finds_them() {
    let Some(_) = require_go("main_packages_are_found_as_go_list_finds_them") else {
        return;
    };
    let w = main_world();
    let host = w.root().join("host");
    let opts = LoadOptions {
        gomodcache: w.env.gomodcache.clone(),
        gowork: gowork(false),
        ..LoadOptions::default()
    };
    let bl = graph::load(&host, &opts).expect("build list");
    let set = ModuleSet::from_build_list(&bl, &w.env.gomodcache, Some(&goroot(&w.env, &host)))
        .expect("set");
    let ctx = BuildContext::new("linux", "amd64", &go_version(&w.env, &host));
    let cache = ScanCache::new();
    let out = w.env.go(
        &host,
        &[
            "list",
            "-f",
            "{{if eq .Name \"main\"}}{{.ImportPath}} {{range .Deps}}{{if eq . \"plugin\"}}plugin{{end}}{{end}}{{end}}",
            "./...",
        ],
    );
    let mut want_plugin: Vec<&str> = Vec::new();
    let mut want_host: Vec<&str> = Vec::new();
    for l in out.lines().filter(|l| !l.is_empty()) {
        let (path, deps) = l.split_once(' ').unwrap_or((l, ""));
        want_plugin.push(path);
        if deps == "plugin" {
            want_host.push(path);
        }
    }
    assert_eq!(want_plugin.len(), 2, "{out}");
    for (kind, want) in [
        (ArtifactKind::Plugin, want_plugin),
        (ArtifactKind::Host, want_host),
    ] {
        let loaded = packages::load(&set, &ctx, &Roots::all(kind), &cache);
        let got: Vec<&str> = loaded
            .artifacts
            .iter()
            .map(|a| a.main_package.as_str())
            .collect();
        assert_eq!(got, want, "{kind:?}");
        for a in &loaded.artifacts {
            assert_eq!(
                format!("example.com/host/{}", a.rel_dir),
                a.main_package,
                "rel_dir"
            );
        }
    }
}

/// Import errors in Go's words: ambiguous import, no required module, not in std, a file
/// with a syntax error, two packages in one directory, all files excluded; and a module
/// without sources is a gap with the `go mod download` command.
#[test]
fn import_errors_match_go_and_missing_sources_are_gaps() {
    let Some(_) = require_go("import_errors_match_go_and_missing_sources_are_gaps") else {
        return;
    };
    let w = World::new();
    w.module(
        "example.com/amb",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/amb\n\ngo 1.21\n"),
            ("a.go", "package amb\n"),
            ("x/x.go", "package x\n"),
        ],
    );
    w.module(
        "example.com/amb/x",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/amb/x\n\ngo 1.21\n"),
            ("x.go", "package x\n"),
        ],
    );
    w.module(
        "example.com/gone",
        "v1.0.0",
        &[
            ("go.mod", "module example.com/gone\n\ngo 1.21\n"),
            ("g.go", "package gone\n"),
        ],
    );
    let host = w.root().join("host");
    write_files(
        &host,
        &[
            (
                "go.mod",
                "module example.com/host\n\ngo 1.22\n\nrequire (\n\texample.com/amb v1.0.0\n\texample.com/amb/x v1.0.0\n\texample.com/gone v1.0.0\n)\n",
            ),
            (
                "cmd/a/main.go",
                "package main\n\nimport (\n\t_ \"example.com/amb/x\"\n\t_ \"example.com/missing/pkg\"\n\t_ \"example.com/host/bad\"\n\t_ \"example.com/host/multi\"\n\t_ \"example.com/host/nogo\"\n\t_ \"example.com/host/onlytest\"\n\t_ \"example.com/host/nodir\"\n\t_ \"notstd/pkg\"\n\t_ \"example.com/amb\"\n)\n\nfunc main() {}\n",
            ),
            ("cmd/g/main.go", "package main\n\nimport _ \"example.com/gone\"\n\nfunc main() {}\n"),
            (
                "cmd/c/main.go",
                "package main\n\nimport (\n\t_ \"internal/abi\"\n\t_ \"example.com/host/cyc1\"\n\t_ \"example.com/host/lib\"\n)\n\nfunc main() {}\n",
            ),
            ("cyc1/a.go", "package cyc1\n\nimport _ \"example.com/host/cyc2\"\n"),
            ("cyc2/a.go", "package cyc2\n\nimport _ \"example.com/host/cyc1\"\n"),
            ("lib/lib.go", "package lib\n\nimport _ \"example.com/host/prog\"\n"),
            ("prog/main.go", "package main\n\nfunc main() {}\n"),
            ("bad/bad.go", "package bad\n\nimport \"fmt\n"),
            ("bad/ok.go", "package bad\n"),
            ("multi/a.go", "package multi\n"),
            ("multi/b.go", "package other\n"),
            ("nogo/x.go", "//go:build ignore\n\npackage nogo\n"),
            ("onlytest/x_test.go", "package onlytest\n"),
        ],
    );
    w.env.go(&host, &["mod", "download", "all"]);
    // The default -mod=readonly words missing packages as builds see them.
    let mut env = w.env.clone();
    env.goflags = String::new();
    env.goproxy = "off".into();
    let t = Target {
        dir: &host,
        primary: &host,
        roots: &["./cmd/a"],
        kind: ArtifactKind::Host,
        workspace: false,
    };
    let cache = ScanCache::new();
    let loaded = compare(&env, &t, &LINUX, &cache);
    let a = &loaded.artifacts[0];
    let problems: Vec<String> = a.problems.iter().map(|p| p.to_string()).collect();
    for want in [
        "imports example.com/amb/x: ambiguous import: found package example.com/amb/x in multiple modules:",
        "imports example.com/missing/pkg: no required module provides package example.com/missing/pkg; to add it:\n\tgo get example.com/missing/pkg",
        "imports example.com/host/onlytest: no non-test Go files in",
        "imports notstd/pkg: package notstd/pkg is not in std",
    ] {
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "missing {want:?} in {problems:#?}"
        );
    }
    assert_eq!(a.problems.len(), 8, "{problems:#?}");
    assert!(!a.complete());

    // Import-edge problems: internal package, program imported, import cycle.
    let t2 = Target {
        roots: &["./cmd/c"],
        ..t
    };
    let loaded = compare(&env, &t2, &LINUX, &cache);
    let problems: Vec<String> = loaded.artifacts[0]
        .problems
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        problems,
        [
            "package example.com/host/cmd/c\n\timports example.com/host/cyc1\n\timports example.com/host/cyc2\n\timports example.com/host/cyc1: import cycle not allowed",
            "package example.com/host/cmd/c\n\timports example.com/host/lib\n\timports example.com/host/prog: import \"example.com/host/prog\" is a program, not an importable package",
            "package example.com/host/cmd/c\n\timports internal/abi: use of internal package internal/abi not allowed",
        ]
    );

    // Sources gone from the module cache (no directory, no zip): a gap, never silence.
    let modcache = &w.env.gomodcache;
    support::remove_tree(&modcache.join("example.com/gone@v1.0.0"));
    std::fs::remove_file(modcache.join("cache/download/example.com/gone/@v/v1.0.0.zip"))
        .expect("rm zip");
    let t = Target {
        roots: &["./cmd/g"],
        ..t
    };
    let loaded = compare(&env, &t, &LINUX, &ScanCache::new());
    let a = &loaded.artifacts[0];
    assert_eq!(a.problems.len(), 1);
    assert_eq!(
        a.problems[0].to_string(),
        "package example.com/host/cmd/g\n\timports example.com/gone: example.com/gone@v1.0.0: source not in the module cache (no extracted directory, no zip); to fetch it:\n\tgo mod download example.com/gone@v1.0.0"
    );
    assert_eq!(loaded.missing_modules.len(), 1);
    assert_eq!(
        loaded.missing_modules[0].command,
        "go mod download example.com/gone@v1.0.0"
    );
}

/// -mod=vendor after a real `go mod vendor`: packages come from vendor/, attributed through
/// vendor/modules.txt (replacements included).
#[test]
fn vendor_mode_matches_go_list() {
    let Some(_) = require_go("vendor_mode_matches_go_list") else {
        return;
    };
    let w = main_world();
    let host = w.root().join("host");
    w.env.go(&host, &["mod", "vendor"]);
    let mut env = w.env.clone();
    env.goflags = String::new();
    env.goproxy = "off".into();
    let t = Target {
        dir: &host,
        primary: &host,
        roots: &["./cmd/host"],
        kind: ArtifactKind::Host,
        workspace: false,
    };
    let cache = ScanCache::new();
    for v in VARIANTS {
        let loaded = compare(&env, &t, v, &cache);
        let dep = &loaded.packages["example.com/dep"];
        assert_eq!(
            dep.dir.as_deref(),
            Some(host.join("vendor/example.com/dep").as_path())
        );
    }
}

/// A go.work workspace: the plugin module imports the host module's packages and both use
/// a go.work replacement.
#[test]
fn workspace_matches_go_list() {
    let Some(_) = require_go("workspace_matches_go_list") else {
        return;
    };
    let w = main_world();
    let ws = w.root().join("ws");
    write_files(
        &ws,
        &[
            ("go.work", "go 1.22\n\nuse (\n\t./app\n\t./plug\n)\n\nreplace example.com/lib => ../lib\n"),
            (
                "app/go.mod",
                "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/dep v1.2.0\n\texample.com/lib v0.0.0\n)\n",
            ),
            ("app/api/api.go", "package api\n\nimport _ \"example.com/dep\"\n"),
            ("app/main.go", "package main\n\nimport (\n\t\"plugin\"\n\n\t_ \"example.com/app/api\"\n)\n\nfunc main() { _ = plugin.Open }\n"),
            (
                "plug/go.mod",
                "module example.com/plug\n\ngo 1.22\n\nrequire (\n\texample.com/dep/nested v0.1.0\n\texample.com/lib v0.0.0\n)\n",
            ),
            (
                "plug/main.go",
                "package main\n\nimport (\n\t_ \"example.com/app/api\"\n\t_ \"example.com/dep/nested\"\n\t_ \"example.com/lib/a\"\n)\n\nfunc main() {}\n",
            ),
            ("plug/cmd/second/main.go", "package main\n\nimport _ \"example.com/lib/linuxonly\"\n\nfunc main() {}\n"),
        ],
    );
    // Checksums for the workspace's dependencies (the host module already verified them).
    std::fs::copy(w.root().join("host/go.sum"), ws.join("go.work.sum")).expect("go.work.sum");
    let mut env = w.env.clone();
    env.gowork = ws.join("go.work").display().to_string();
    env.goflags = String::new();
    let plug = ws.join("plug");
    let cache = ScanCache::new();
    for (dir, roots) in [(&plug, &["."][..]), (&plug, &["./cmd/second"][..])] {
        let t = Target {
            dir: &ws,
            primary: dir,
            roots,
            kind: ArtifactKind::Plugin,
            workspace: true,
        };
        for v in &VARIANTS[..3] {
            if !v.cgo {
                // go list loads nothing past the main package then (LinkerDeps fails).
                continue;
            }
            compare(&env, &t, v, &cache);
        }
    }
    // Plugin discovery in the workspace: one artifact per main package of the plug module.
    let bl = graph::load(
        &plug,
        &LoadOptions {
            gomodcache: env.gomodcache.clone(),
            gowork: gowork(true),
            ..LoadOptions::default()
        },
    )
    .expect("build list");
    let set = ModuleSet::from_build_list(&bl, &env.gomodcache, None)
        .expect("set")
        .with_primary_dir(&plug);
    let loaded = packages::load(
        &set,
        &BuildContext::default(),
        &Roots::all(ArtifactKind::Plugin),
        &cache,
    );
    let names: Vec<&str> = loaded
        .artifacts
        .iter()
        .map(|a| a.rel_dir.as_str())
        .collect();
    assert_eq!(names, [".", "cmd/second"]);
    assert!(loaded.artifacts.iter().all(|a| a.complete()));
    // A plugin cannot be built without cgo: Go's error, as a problem of each artifact.
    let no_cgo = packages::load(
        &set,
        &BuildContext::default().with_cgo(false),
        &Roots::all(ArtifactKind::Plugin),
        &cache,
    );
    let out = env
        .clone()
        .with("CGO_ENABLED", "0")
        .go_output(&plug, &["list", "-buildmode=plugin", "."]);
    let go_err = String::from_utf8_lossy(&out.stderr);
    for a in &no_cgo.artifacts {
        let msg = a.problems[0].error.to_string();
        assert!(go_err.contains(&msg), "go: {go_err}\nours: {msg}");
    }
}

/// Real modules from the Go module proxy (grpc, x/net, x/sys, cobra, yaml.v3 and what they
/// pull in), cached in a test-private GOMODCACHE under target/: the host links them under
/// each build context exactly as `go list` does; then with two modules only in zip form.
#[test]
fn real_modules_match_go_list() {
    let Some(_) = require_go("real_modules_match_go_list") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/packages-vs-go");
    let project = root.join("host");
    let mut env = GoEnv::new(&root).with_real_proxy();
    env.gomodcache = root.join("gopath/pkg/mod");
    let go_mod = "module example.com/realhost\n\ngo 1.22\n\nrequire (\n\tgithub.com/spf13/cobra v1.8.1\n\tgolang.org/x/net v0.26.0\n\tgolang.org/x/sys v0.21.0\n\tgoogle.golang.org/grpc v1.65.0\n\tgopkg.in/yaml.v3 v3.0.1\n)\n";
    let main_go = "package main\n\nimport (\n\t\"plugin\"\n\n\t\"github.com/spf13/cobra\"\n\t\"golang.org/x/net/http2\"\n\t\"golang.org/x/sys/unix\"\n\t\"google.golang.org/grpc\"\n\t\"google.golang.org/grpc/credentials/insecure\"\n\t\"gopkg.in/yaml.v3\"\n)\n\nvar _ = []any{plugin.Open, cobra.Command{}, http2.Server{}, unix.Getpid, grpc.NewServer, insecure.NewCredentials, yaml.Marshal}\n\nfunc main() {}\n";
    let stale = std::fs::read_to_string(project.join("go.mod"))
        .ok()
        .as_deref()
        != Some(go_mod)
        || !project.join("go.sum").exists();
    write_files(&project, &[("main.go", main_go)]);
    if stale {
        write_files(&project, &[("go.mod", go_mod)]);
        let _ = std::fs::remove_file(project.join("go.sum"));
        env.go(&project, &["mod", "tidy"]);
        // tidy may raise requirements: keep the file it wrote, remember what we asked for.
        std::fs::write(root.join("asked.mod"), go_mod).expect("write");
    }
    env.go(&project, &["mod", "download", "all"]);
    env.goflags = String::new();
    let t = Target {
        dir: &project,
        primary: &project,
        roots: &["."],
        kind: ArtifactKind::Host,
        workspace: false,
    };
    let cache = ScanCache::new();
    for v in VARIANTS {
        let loaded = compare(&env, &t, v, &cache);
        assert!(loaded.packages.len() > 100, "{}", loaded.packages.len());
        let a = &loaded.artifacts[0];
        assert!(a.complete(), "{:?}", a.problems);
    }
    // Module zips: read straight from cache/download when the extracted tree is missing.
    let bl = graph::load(
        &project,
        &LoadOptions {
            gomodcache: env.gomodcache.clone(),
            gowork: gowork(false),
            ..LoadOptions::default()
        },
    )
    .expect("build list");
    for path in ["gopkg.in/yaml.v3", "golang.org/x/sys"] {
        let m = bl.get(path).expect("in build list");
        let dir = env.gomodcache.join(format!(
            "{}@{}",
            godrift::module::escape_path(path).expect("escape"),
            m.module.version
        ));
        support::remove_tree(&dir);
    }
    let loaded = compare(&env, &t, &LINUX, &ScanCache::new());
    for p in ["gopkg.in/yaml.v3", "golang.org/x/sys/unix"] {
        assert!(
            matches!(
                loaded.packages[p].source,
                Some(packages::SourceDir::Zip { .. })
            ),
            "{p}: {:?}",
            loaded.packages[p].source
        );
    }
}

/// File headers Go's reader and parser treat in odd ways (syntax errors, escapes, comments,
/// semicolons, a byte order mark, NUL bytes, bad build lines): package name, imports and
/// error as go list reports them.
#[test]
fn odd_file_headers_read_as_go_reads_them() {
    let Some(_) = require_go("odd_file_headers_read_as_go_reads_them") else {
        return;
    };
    const CASES: &[&str] = &[
        "package p\nimport \"fmt\n",
        "package p\nimport fmt\n",
        "// c\nfunc f() {}\n",
        "",
        "package p\n/* unterminated\n",
        "package p\nimport \"\\q\"\n",
        "package p\nimport \"a b\"\n",
        "package p\nimport \"\\x4\"\n",
        "package p\nimport 42\n",
        "package p import \"fmt\"",
        "package p\nimport (\n\t\"fmt\"\n",
        "package p func f() {}\n",
        "package p\nimport \"fmt\" /* x\n */ import \"os\"\n",
        "package p; import \"fmt\"; var x = 1",
        "\u{feff}package p\nimport \"os\"\n",
        "package p\nimport (\n\tf \"fmt\"\n\t. \"os\"\n\t_ \"io\"\n)\nimport `strings`\n",
        "//go:build linux &&\n\npackage p\n",
        "//go:build a\n//go:build b\n\npackage p\n",
        "package p\u{0}\n",
        "package p\nimport \"\\u0066mt\"\n",
        "package p\n\nimport \"fmt\"\nint x",
        "/* comment */ package p\nimport \"os\"",
        "package p // comment\nimport \"os\" // c\n",
        "package p\nimport (\"os\"; \"io\")\n",
        "package p\nimport (\n)\n",
        "package\np\n",
        "package p\nimport \"os\"\nimport",
        "//go:build ignore\n\npackage p\nimport \"unterminated\n",
        "package p\nimport \"os\"\n\"stray string\n",
        "package p\nimport `raw\r\npath`\n",
        "package p\nimport '\\''\n",
        "package p\nimport \"\\U00110000\"\n",
        "// +build !linux\n\npackage p\n",
        "// +build linux\npackage p\nimport \"os\"\n",
        "package documentation\nimport \"os\"\n",
        "package p\nimport \"example.com/odd/d0\"\n",
        "package p\nimport \"./rel\"\n",
        "package p\nimport \"C\"\n",
    ];
    let w = World::new();
    let host = w.root().join("odd");
    let mut files: Vec<(String, String)> = vec![(
        "go.mod".into(),
        "module example.com/odd\n\ngo 1.22\n".into(),
    )];
    let mut main = String::from("package main\n\nimport (\n");
    for (i, c) in CASES.iter().enumerate() {
        files.push((format!("d{i}/x.go"), c.to_string()));
        files.push((format!("d{i}/ok.go"), String::new()));
        files.pop();
        main.push_str(&format!("\t_ \"example.com/odd/d{i}\"\n"));
    }
    main.push_str(")\n\nfunc main() {}\n");
    files.push(("main.go".into(), main));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(&host, &refs);
    let mut env = w.env.clone();
    env.goflags = String::new();
    env.goproxy = "off".into();
    let t = Target {
        dir: &host,
        primary: &host,
        roots: &["."],
        kind: ArtifactKind::Host,
        workspace: false,
    };
    let loaded = compare(&env, &t, &LINUX, &ScanCache::new());
    assert_eq!(
        loaded.packages["example.com/odd/d15"].imports,
        ["fmt", "io", "os", "strings"]
    );
}

/// Tool tags (GOEXPERIMENT baseline and architecture levels) and release tags, as
/// `go list -f '{{context.ToolTags}}'` reports them for several targets.
#[test]
fn build_context_tags_match_go() {
    let Some(_) = require_go("build_context_tags_match_go") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let env = GoEnv::new(tmp.path());
    let version = go_version(&env, tmp.path());
    for (goos, goarch, exp) in [
        ("linux", "amd64", ""),
        ("linux", "arm64", ""),
        ("darwin", "arm64", ""),
        ("windows", "386", ""),
        ("linux", "arm", ""),
        ("linux", "mips64le", ""),
        ("linux", "ppc64le", ""),
        ("linux", "riscv64", ""),
        ("linux", "s390x", ""),
        ("js", "wasm", ""),
        ("aix", "ppc64", ""),
        ("linux", "amd64", "nogreenteagc,noregabi"),
        ("linux", "386", "none"),
        ("linux", "amd64", "none"),
    ] {
        let out = env
            .clone()
            .with("GOOS", goos)
            .with("GOARCH", goarch)
            .with("GOEXPERIMENT", exp)
            .go(
                tmp.path(),
                &[
                    "list",
                    "-f",
                    "{{join context.ToolTags \" \"}}|{{join context.ReleaseTags \" \"}}",
                    "runtime",
                ],
            );
        let (tool, release) = out.trim().split_once('|').expect("two lists");
        let ctx = BuildContext::new(goos, goarch, &version).with_goexperiment(exp);
        let mut want: Vec<&str> = tool.split(' ').filter(|t| !t.is_empty()).collect();
        let mut got: Vec<&str> = ctx.tool_tags.iter().map(String::as_str).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{goos}/{goarch} GOEXPERIMENT={exp}");
        assert_eq!(ctx.release_tags.join(" "), release);
    }
}

/// The standard library's files under each build context (`netgo` and `osusergo` select
/// std files; GOROOT's vendor/ is reached from std imports): `packages::std_files` against
/// `go list -deps` for a host linking net/http, os/user and crypto/tls.
#[test]
fn std_files_match_go_list_under_each_build_context() {
    let Some(_) = require_go("std_files_match_go_list_under_each_build_context") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("host");
    write_files(
        &dir,
        &[
            ("go.mod", "module example.com/host\n\ngo 1.22\n"),
            (
                "main.go",
                "package main\n\nimport (\n\t_ \"crypto/tls\"\n\t_ \"net/http\"\n\t_ \"os/user\"\n\t_ \"plugin\"\n)\n\nfunc main() {}\n",
            ),
        ],
    );
    let env = GoEnv::new(tmp.path());
    let bl = graph::load(&dir, &LoadOptions::module_mode(&env.gomodcache)).expect("build list");
    let set = ModuleSet::from_build_list(&bl, &env.gomodcache, Some(&goroot(&env, &dir)))
        .expect("module set");
    let cache = ScanCache::new();
    let version = go_version(&env, &dir);
    for (goos, goarch, cgo, tags) in [
        ("linux", "amd64", true, ""),
        ("linux", "amd64", true, "netgo"),
        ("linux", "amd64", true, "osusergo,netgo"),
        ("linux", "amd64", false, ""),
        ("linux", "arm64", true, "netgo"),
        ("darwin", "arm64", true, "osusergo"),
    ] {
        let ctx = BuildContext::new(goos, goarch, &version)
            .with_cgo(cgo)
            .with_tags(tags);
        let loaded = packages::load(&set, &ctx, &Roots::all(ArtifactKind::Host), &cache);
        let roots = loaded
            .packages
            .values()
            .filter(|p| p.standard)
            .map(|p| p.import_path.as_str());
        let ours = packages::std_files(&set, &ctx, roots, &cache).expect("std files");
        let mut args = vec![
            "list".to_string(),
            "-deps".into(),
            "-json=ImportPath,Standard,GoFiles,CgoFiles".into(),
        ];
        if !tags.is_empty() {
            args.push(format!("-tags={tags}"));
        }
        args.push(".".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = env
            .clone()
            .with("GOOS", goos)
            .with("GOARCH", goarch)
            .with("CGO_ENABLED", if cgo { "1" } else { "0" })
            .go(&dir, &args);
        let theirs: BTreeMap<String, Vec<String>> = serde_json::Deserializer::from_str(&text)
            .into_iter::<GoPkg>()
            .map(|p| p.expect("go list json"))
            .filter(|p| p.standard)
            .map(|p| {
                let mut files = p.go_files;
                files.extend(p.cgo_files);
                files.sort();
                (p.import_path, files)
            })
            .collect();
        assert!(theirs.contains_key("net"), "{goos}/{goarch} {tags}");
        assert_eq!(ours, theirs, "{goos}/{goarch} cgo={cgo} tags={tags}");
    }
}
