//! Vendor check through the real `godrift report` (the binary, on valid modules vendored
//! by a host and 5 plugins, with the module cache holding the pristine copies and go.sum
//! hashes that match), at 25k and 100k vendored files, against baselines measured in the
//! same run on the same files:
//! - best loop: the files listed up front, then a plain rayon read+blake3 loop over every
//!   file the command must read (all vendor/ trees and the module cache copies);
//! - bare walk: a parallel walk that stats every one of those files (what a rerun with
//!   nothing changed cannot avoid).
//!
//! Goals: `report --no-cache` ≤ 1.2× the best loop; a cached rerun ≤ 2× the bare walk.
//! GODRIFT_BENCH_FILES=25000,100000 changes the sizes.

#[path = "common.rs"]
mod common;

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A parallel walk that stats every file (one statx each), as a rerun must.
fn stat_walk(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let (dirs, files): (Vec<_>, Vec<_>) = rd
        .filter_map(Result::ok)
        .partition(|e| e.file_type().is_ok_and(|t| t.is_dir()));
    let n: usize = files
        .iter()
        .filter(|e| std::fs::symlink_metadata(e.path()).is_ok())
        .count();
    n + dirs.par_iter().map(|d| stat_walk(&d.path())).sum::<usize>()
}

fn report(root: &Path, cache: Option<&Path>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_godrift"));
    cmd.current_dir(root)
        .args(["report", "--quiet", "--format", "json"])
        .env("GOMODCACHE", root.join("modcache"))
        .env_remove("GITHUB_STEP_SUMMARY");
    match cache {
        Some(c) => cmd.env("GODRIFT_CACHE_DIR", c),
        None => cmd.arg("--no-cache"),
    };
    let out = cmd.output().expect("run godrift");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    // A fresh vendor of matching modules: the real command must have done the whole check.
    let findings = v["findings"].as_array().map_or(0, Vec::len);
    assert_eq!(findings, 0, "{v:#}");
}

fn main() {
    let sizes: Vec<usize> = std::env::var("GODRIFT_BENCH_FILES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![25_000, 100_000]);
    // GODRIFT_BENCH_KEEP=DIR: only write the fixture there (for profiling), then stop.
    if let Some(dir) = std::env::var_os("GODRIFT_BENCH_KEEP") {
        common::vendor_project(Path::new(&dir), sizes[0], 5, 3);
        return;
    }
    println!("{} threads", rayon::current_num_threads());
    for files in sizes {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path();
        let bytes = common::vendor_project(root, files, 5, 3);
        let mut all = Vec::new();
        walk(&root.join("host/vendor"), &mut all);
        walk(&root.join("plugins"), &mut all);
        walk(&root.join("modcache"), &mut all);
        let read_hash = || {
            let n: usize = all
                .par_iter()
                .with_min_len(64)
                .map(|f| blake3::hash(&std::fs::read(f).expect("read")).as_bytes()[0] as usize)
                .sum();
            std::hint::black_box(n);
        };
        read_hash(); // warm the page cache
        report(root, None);
        // Interleaved, so a slow moment of the shared machine hits both alike.
        let (mut best, mut ours) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            best.push(common::time(1, read_hash));
            ours.push(common::time(1, || report(root, None)));
        }
        let (best, ours) = (common::median(best), common::median(ours));
        let cache = root.join("cache");
        report(root, Some(&cache)); // fills the cache
        let (mut bare, mut warm) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            bare.push(common::time(1, || {
                let n = stat_walk(&root.join("host/vendor"))
                    + stat_walk(&root.join("plugins"))
                    + stat_walk(&root.join("modcache"));
                std::hint::black_box(n);
            }));
            warm.push(common::time(1, || report(root, Some(&cache))));
        }
        let (bare, warm) = (common::median(bare), common::median(warm));
        println!(
            "{} files read ({} vendored, {:.0} MB vendored), host + 5 plugins",
            all.len(),
            files,
            bytes as f64 / 1e6
        );
        println!("  best parallel read+blake3 loop:   {:>7.0} ms", best * 1e3);
        println!("  godrift report --no-cache:        {:>7.0} ms", ours * 1e3);
        println!(
            "  ratio report / best loop:         {:>7.2} (goal <= 1.2)",
            ours / best
        );
        println!("  bare parallel stat walk:          {:>7.0} ms", bare * 1e3);
        println!("  godrift report, cached, no change:{:>7.0} ms", warm * 1e3);
        println!(
            "  ratio cached rerun / bare walk:   {:>7.2} (goal <= 2)",
            warm / bare
        );
    }
}
