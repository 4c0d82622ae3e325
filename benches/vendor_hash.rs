//! Vendored-source hashing at kubernetes scale: 20,000+ files (~median 1 KiB, a few large)
//! in a host and 5 plugins. Figures from the same run, warm page cache:
//! - baseline: one thread walks, reads and blake3-hashes every file;
//! - best loop: the files listed up front, then a plain rayon read+hash loop;
//! - godrift: `integrity::scan` over each vendor/ tree (parallel walk + rayon).
//!
//! Set GODRIFT_BENCH_FILES to change the size.

#[path = "common.rs"]
mod common;

use rayon::prelude::*;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let files: usize = std::env::var("GODRIFT_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let bytes = common::vendor_trees(root, files, 5, 3);
    let vendors: Vec<PathBuf> = std::iter::once(root.join("host/vendor"))
        .chain((0..5).map(|p| root.join(format!("plugins/p{p}/vendor"))))
        .collect();
    // Warm the page cache.
    for v in &vendors {
        std::hint::black_box(godrift::integrity::scan(v, None).files.len());
    }
    let baseline = common::time(3, || {
        let mut n = 0;
        for v in &vendors {
            let mut list = Vec::new();
            walk(v, &mut list);
            for f in list {
                let data = std::fs::read(&f).expect("read");
                n ^= blake3::hash(&data).as_bytes()[0] as usize;
            }
        }
        std::hint::black_box(n);
    });
    let mut all = Vec::new();
    for v in &vendors {
        walk(v, &mut all);
    }
    let best = common::time(3, || {
        let n: usize = all
            .par_iter()
            .with_min_len(64)
            .map(|f| blake3::hash(&std::fs::read(f).expect("read")).as_bytes()[0] as usize)
            .sum();
        std::hint::black_box(n);
    });
    let ours = common::time(3, || {
        for v in &vendors {
            std::hint::black_box(godrift::integrity::scan(v, None).files.len());
        }
    });
    let two_pass = common::time(3, || {
        for v in &vendors {
            std::hint::black_box(godrift::integrity::scan_two_pass(v, None).files.len());
        }
    });
    // The content cache: a first run fills it, a pre-commit rerun with nothing changed
    // re-hashes nothing.
    let cache = tmp.path().join("cache");
    for v in &vendors {
        std::hint::black_box(
            godrift::integrity::scan_cached(v, None, Some(&cache))
                .files
                .len(),
        );
    }
    let warm = common::time(3, || {
        for v in &vendors {
            std::hint::black_box(
                godrift::integrity::scan_cached(v, None, Some(&cache))
                    .files
                    .len(),
            );
        }
    });
    println!(
        "{} files, {:.0} MB, {} threads",
        all.len(),
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    println!(
        "single-thread walk+read+hash baseline: {:.0} ms",
        baseline * 1e3
    );
    println!(
        "best parallel read+hash loop:          {:.0} ms",
        best * 1e3
    );
    println!(
        "godrift integrity::scan:               {:.0} ms",
        ours * 1e3
    );
    println!(
        "  two-pass variant (list, then hash):  {:.0} ms",
        two_pass * 1e3
    );
    println!(
        "  rerun with the content cache, nothing changed: {:.0} ms ({:.1}x faster)",
        warm * 1e3,
        ours / warm
    );
    println!(
        "speed-up vs baseline: {:.2}x (goal >= 1.6x on 2 cores)",
        baseline / ours
    );
    println!("godrift / best loop:  {:.2} (goal <= 1.2)", ours / best);
}
