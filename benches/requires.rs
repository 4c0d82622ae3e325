//! `godrift report` on a host whose go.mod has 100,000 requires (issue 15, goal 3: < 2 s),
//! with a plugin holding 5,000 of them (a third at a newer version, each conflict with a
//! proposal), timed in the same run against `go list -m all` on the host: the ratio is
//! printed, so the comparison does not depend on the machine. Wall and CPU time are both
//! shown (on a shared machine CPU time is the steadier one).
//!
//! `GODRIFT_BENCH_REQUIRES=N` changes the size; `GODRIFT_BENCH_KEEP=DIR` only writes the
//! fixture there (to time or profile the command by hand).

#[path = "common.rs"]
mod common;

use common::{measure, medians, Run};
use std::path::Path;
use std::process::Command;

fn godrift(root: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_godrift"));
    c.current_dir(root)
        .args(["report", "--quiet", "--no-cache", "--format", "json"])
        .env("GOMODCACHE", root.join("modcache"))
        .env("GOWORK", "off")
        .env("GOFLAGS", "-mod=mod");
    c
}

fn main() {
    let n: usize = std::env::var("GODRIFT_BENCH_REQUIRES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // GODRIFT_BENCH_KEEP=DIR: only write the fixture there (for profiling), then stop.
    if let Some(dir) = std::env::var_os("GODRIFT_BENCH_KEEP") {
        common::many_requires(Path::new(&dir), n, n / 20, true);
        common::many_requires_go_sum(Path::new(&dir), n);
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    common::many_requires(root, n, n / 20, true);
    // The go.sum go list writes (so every run, the first included, sees the same tree).
    common::many_requires_go_sum(root, n);
    // First runs warm the page cache.
    assert!(
        matches!(measure(&mut godrift(root)).code, 0 | 1),
        "godrift report failed"
    );
    let go_ok = Command::new("go").arg("version").output().is_ok()
        && measure(&mut common::go_list_all(root)).code == 0;
    let mut ours: Vec<Run> = Vec::new();
    let mut theirs: Vec<Run> = Vec::new();
    // Interleaved, so both see the same machine load.
    for _ in 0..5 {
        ours.push(measure(&mut godrift(root)));
        if go_ok {
            theirs.push(measure(&mut common::go_list_all(root)));
        }
    }
    let o = medians(&ours);
    println!(
        "godrift report, {n} requires: {:.2} s wall, {:.2} s CPU, {:.0} MiB peak (medians of 5)",
        o.wall,
        o.cpu,
        o.rss_kib as f64 / 1024.0
    );
    if go_ok {
        let t = medians(&theirs);
        println!(
            "go list -m all, same host:    {:.2} s wall, {:.2} s CPU, {:.0} MiB peak",
            t.wall,
            t.cpu,
            t.rss_kib as f64 / 1024.0
        );
        println!(
            "ratio godrift/go: {:.3} wall, {:.3} CPU",
            o.wall / t.wall.max(1e-9),
            o.cpu / t.cpu.max(1e-9)
        );
    } else {
        println!("go list -m all: not available (no go on PATH); no baseline");
    }
}
