//! `godrift report` on a host whose go.mod has 100,000 requires (issue 15, goal 3: < 2 s),
//! with a plugin holding 5,000 of them (a third at a newer version, each conflict with a
//! proposal), timed in the same run against `go list -m all` on the host: the ratio is
//! printed, so the comparison does not depend on the machine. Wall and CPU time are both
//! shown (on a shared machine CPU time is the steadier one).
//!
//! `GODRIFT_BENCH_REQUIRES=N` changes the size.

#[path = "common.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Wall and CPU (user + system of the child) seconds of one command.
fn run(cmd: &mut Command) -> (f64, f64, bool) {
    let before = children_cpu();
    let start = Instant::now();
    let ok = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.code().is_some_and(|c| c <= 1))
        .unwrap_or(false);
    (start.elapsed().as_secs_f64(), children_cpu() - before, ok)
}

/// CPU seconds of waited-for children, from /proc/self/stat (cutime + cstime).
fn children_cpu() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s[s.rfind(')')? + 2..].to_string();
            let f: Vec<&str> = rest.split(' ').collect();
            Some((f.get(13)?.parse::<f64>().ok()? + f.get(14)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

fn godrift(root: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_godrift"));
    c.current_dir(root)
        .args(["report", "--quiet", "--no-cache", "--format", "json"])
        .env("GOMODCACHE", root.join("modcache"))
        .env("GOWORK", "off")
        .env("GOFLAGS", "-mod=mod");
    c
}

fn go_list(root: &Path) -> Command {
    let mut c = Command::new("go");
    c.current_dir(root.join("host"))
        .args(["list", "-m", "all"])
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("GOMODCACHE", root.join("modcache"));
    c
}

fn median(mut v: Vec<(f64, f64)>) -> (f64, f64) {
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v[v.len() / 2]
}

fn main() {
    let n: usize = std::env::var("GODRIFT_BENCH_REQUIRES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    common::many_requires(root, n, n / 20, true);
    // First runs warm the page cache (and let go write go.sum, as a developer's first run).
    let (_, _, ours_ok) = run(&mut godrift(root));
    assert!(ours_ok, "godrift report failed");
    let go_ok = run(&mut go_list(root)).2;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    // Interleaved, so both see the same machine load.
    for _ in 0..3 {
        let (w, c, _) = run(&mut godrift(root));
        ours.push((w, c));
        if go_ok {
            let (w, c, _) = run(&mut go_list(root));
            theirs.push((w, c));
        }
    }
    let (ow, oc) = median(ours);
    println!("godrift report, {n} requires: {ow:.2} s wall, {oc:.2} s CPU");
    if go_ok {
        let (tw, tc) = median(theirs);
        println!("go list -m all, same host:    {tw:.2} s wall, {tc:.2} s CPU");
        println!(
            "ratio godrift/go: {:.3} wall, {:.3} CPU",
            ow / tw.max(1e-9),
            oc / tc.max(1e-9)
        );
    } else {
        println!("go list -m all: not available (no go on PATH); no baseline");
    }
}
