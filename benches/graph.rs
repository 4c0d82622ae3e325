//! `graph::load` at scale: a generated module cache of 2,000 modules (two versions each,
//! random requirements on lower-numbered modules) under a host requiring 60 of them. Before
//! divan's runs, our load and `go list -m all` on the same tree are timed in the same run and
//! the ratio is printed, so the comparison does not depend on the machine.

#[path = "common.rs"]
mod common;

use godrift::graph::{self, LoadOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

const MODULES: usize = 2000;

static FIXTURE: LazyLock<(tempfile::TempDir, PathBuf)> = LazyLock::new(|| {
    let tmp = tempfile::tempdir().expect("tempdir");
    common::module_graph(tmp.path(), MODULES, 0, 42);
    let root = tmp.path().to_path_buf();
    (tmp, root)
});

fn opts(root: &Path) -> LoadOptions {
    LoadOptions::module_mode(root.join("modcache"))
}

fn load_cold(root: &Path) -> usize {
    // Each load starts cold (a fresh go.mod cache), as a CLI invocation does.
    let cache = graph::ModCache::new();
    graph::Loader::new(&opts(root), &cache)
        .load(&root.join("host"))
        .expect("load")
        .modules
        .len()
}

fn go_list(root: &Path) -> Option<usize> {
    let out = Command::new("go")
        .current_dir(root.join("host"))
        .args(["list", "-m", "all"])
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOSUMDB", "off")
        .env("GOWORK", "off")
        .env("GOMODCACHE", root.join("modcache"))
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).lines().count() - 1)
}

#[divan::bench]
fn load_2000_modules(b: divan::Bencher) {
    let root = &FIXTURE.1;
    b.bench(|| load_cold(root));
}

#[divan::bench(sample_count = 5)]
fn go_list_m_all_2000_modules(b: divan::Bencher) {
    let root = &FIXTURE.1;
    if go_list(root).is_none() {
        println!("go not on PATH: no baseline");
        return;
    }
    b.bench(|| go_list(root));
}

fn main() {
    let root = &FIXTURE.1;
    let ours = common::time(5, || {
        std::hint::black_box(load_cold(root));
    });
    let n = load_cold(root);
    // The first run writes go.sum, as a developer's first run would.
    match go_list(root) {
        Some(go_n) => {
            let theirs = common::time(5, || {
                std::hint::black_box(go_list(root));
            });
            println!(
                "graph::load, {MODULES}-module cache: {:.1} ms, {n} modules selected\n\
                 go list -m all, same tree:        {:.1} ms, {go_n} modules\n\
                 ratio godrift/go: {:.3}",
                ours * 1e3,
                theirs * 1e3,
                ours / theirs
            );
            assert_eq!(n, go_n, "build list sizes differ");
        }
        None => println!(
            "graph::load, {MODULES}-module cache: {:.1} ms; go not on PATH: no baseline",
            ours * 1e3
        ),
    }
    divan::main();
}
