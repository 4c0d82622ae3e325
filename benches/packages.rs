//! The package loader at scale: a generated host and 10 plugin modules over a shared module
//! cache (≥ 5,000 packages, ≥ 30,000 .go files with realistic headers and bodies). Loading
//! all 11 artifacts through the library (build lists included, each run with a fresh
//! ScanCache as one CLI invocation would) is timed against `go list -deps ./...` on the host
//! alone, in the same run, both warm (page cache, Go's build and module-index cache).
//!
//! `cargo bench --bench packages`

#[path = "common.rs"]
mod common;

use godrift::graph::{self, BuildList, LoadOptions};
use godrift::packages::{self, ArtifactKind, BuildContext, ModuleSet, Roots, ScanCache};
use std::path::{Path, PathBuf};
use std::process::Command;

const MODULES: usize = 420;
const PER_MODULE: usize = 12;
const PLUGINS: usize = 10;

/// `go args` offline; `-mod=mod` only for the first run (it writes go.sum), then the
/// default `-mod=readonly` a build uses.
fn go(root: &Path, dir: &Path, args: &[&str]) -> Option<String> {
    go_flags(root, dir, args, "")
}

fn go_flags(root: &Path, dir: &Path, args: &[&str], goflags: &str) -> Option<String> {
    let out = Command::new("go")
        .current_dir(dir)
        .args(args)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", goflags)
        .env("GOSUMDB", "off")
        .env("GOWORK", "off")
        .env("GOPATH", root.join("gopath"))
        .env("GOMODCACHE", root.join("modcache"))
        .env("GOCACHE", root.join("gocache"))
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("go {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn build_lists(root: &Path, sides: &[PathBuf]) -> Vec<BuildList> {
    // A fresh go.mod cache per call: each run starts cold.
    let opts = LoadOptions::module_mode(root.join("modcache"));
    let cache = graph::ModCache::new();
    let loader = graph::Loader::new(&opts, &cache);
    sides
        .iter()
        .map(|d| loader.load(d).expect("build list"))
        .collect()
}

/// Loads every artifact (host first); returns (artifacts, packages linked by the host).
fn load_all(root: &Path, lists: &[BuildList], goroot: Option<&Path>) -> (usize, usize) {
    let cache = ScanCache::new();
    let ctx = BuildContext::default();
    let mut artifacts = 0;
    let mut host_packages = 0;
    for (i, bl) in lists.iter().enumerate() {
        let set = ModuleSet::from_build_list(bl, &root.join("modcache"), goroot).expect("set");
        let kind = if i == 0 {
            ArtifactKind::Host
        } else {
            ArtifactKind::Plugin
        };
        let loaded = packages::load(&set, &ctx, &Roots::all(kind), &cache);
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        for a in &loaded.artifacts {
            assert!(a.complete(), "{:?}", &a.problems[..a.problems.len().min(3)]);
        }
        if i == 0 {
            host_packages = loaded.packages.values().filter(|p| !p.standard).count();
        }
        artifacts += loaded.artifacts.len();
    }
    (artifacts, host_packages)
}

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let t = std::time::Instant::now();
    let tree = common::package_tree(root, MODULES, PER_MODULE, PLUGINS, 11);
    println!(
        "generated {} packages, {} .go files ({:.0} MiB) in {:.1} s: host + {PLUGINS} plugins",
        tree.packages,
        tree.go_files,
        tree.bytes as f64 / (1 << 20) as f64,
        t.elapsed().as_secs_f64()
    );
    let host = tree.sides[0].clone();
    let goroot = go(root, root, &["env", "GOROOT"]).map(|s| PathBuf::from(s.trim()));

    // Warm-up: page cache for both, go.sum and Go's caches for go.
    let lists = build_lists(root, &tree.sides);
    let (artifacts, host_n) = load_all(root, &lists, goroot.as_deref());
    assert_eq!(artifacts, 1 + PLUGINS);

    let ours = common::time(5, || {
        let lists = build_lists(root, &tree.sides);
        std::hint::black_box(load_all(root, &lists, goroot.as_deref()));
    });
    let packages_only = common::time(5, || {
        std::hint::black_box(load_all(root, &lists, goroot.as_deref()));
    });
    // The real `godrift report` path: the project stage (build lists, package walks) and
    // every rule, from a godrift.toml naming the host and the plugins.
    let rel = |d: &Path| d.strip_prefix(root).unwrap_or(d).display().to_string();
    let mut toml = format!("[host]\npath = {:?}\n", rel(&host));
    for p in &tree.sides[1..] {
        toml.push_str(&format!("\n[[plugins]]\npath = {:?}\n", rel(p)));
    }
    std::fs::write(root.join("godrift.toml"), toml).expect("godrift.toml");
    let opts = godrift::project::Options {
        graph: LoadOptions::module_mode(root.join("modcache")),
        packages: true,
        goroot: goroot.clone(),
        ..Default::default()
    };
    let report_run = || {
        // Each project load starts with its own, cold go.mod cache.
        let p = godrift::project::load(root, None, &opts).expect("project");
        assert!(
            p.plugins.iter().all(|s| s.linked.is_some()),
            "every plugin walked"
        );
        godrift::rules::run(&p)
    };
    let warm = report_run();
    assert_eq!(warm.plugins.len(), PLUGINS);
    let report = common::time(5, || {
        std::hint::black_box(report_run());
    });
    let list_args = [
        "list",
        "-deps",
        "-f",
        "{{if not .Standard}}{{.ImportPath}}{{end}}",
        "./...",
    ];
    match go_flags(root, &host, &list_args, "-mod=mod") {
        Some(out) => {
            let go_n = out.lines().filter(|l| !l.is_empty()).count();
            let theirs = common::time(5, || {
                std::hint::black_box(go(root, &host, &list_args));
            });
            println!(
                "godrift report path, host + {PLUGINS} plugins (project + rules): {:.0} ms\n\
                 godrift, 11 artifacts (build lists + packages): {:.0} ms\n\
                 godrift, 11 artifacts (packages only):          {:.0} ms\n\
                 go list -deps ./... on the host alone:          {:.0} ms ({go_n} non-standard packages; godrift: {host_n})\n\
                 ratio report/go: {:.2}; loader/go: {:.2} (packages only: {:.2})",
                report * 1e3,
                ours * 1e3,
                packages_only * 1e3,
                theirs * 1e3,
                report / theirs,
                ours / theirs,
                packages_only / theirs
            );
            assert_eq!(host_n, go_n, "host package sets differ");
        }
        None => println!(
            "godrift, 11 artifacts: {:.0} ms; go not available: no baseline",
            ours * 1e3
        ),
    }
}
