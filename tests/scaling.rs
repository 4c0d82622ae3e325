//! `report`'s pipeline is linear in the requires of a go.mod: the CPU time on a host with
//! 4n requires (and a plugin with 4× the conflicts, each with a proposal) stays far below
//! 16× the time at n, which quadratic growth would take. CPU time (not wall time) so the
//! test holds on a busy machine; the best of two runs to drop scheduling noise.

#[path = "../benches/common.rs"]
mod common;

use std::path::Path;

/// CPU seconds (user + system, all threads) this process has used, from /proc/self/stat.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesized command name: utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    // USER_HZ is 100 on every Linux configuration godrift supports.
    Some(ticks / 100.0)
}

/// The report pipeline on `root`: load, rules (with proposals), JSON rendering.
fn report(root: &Path) -> usize {
    let opts = godrift::project::Options {
        graph: godrift::graph::LoadOptions::module_mode(root.join("modcache")),
        ..Default::default()
    };
    let project = godrift::project::load(root, None, &opts).expect("load");
    let analysis = godrift::rules::run(&project);
    let report = godrift::report::Report::new(&project, analysis);
    godrift::report::json(&report).len()
}

/// The generated tree for `n` requires, with the host's go.sum as `go list` leaves it (a
/// report looks up every module in it), kept under target/ and reused across runs
/// (writing and deleting tens of thousands of files costs more than the measurement).
fn fixture(n: usize) -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("scaling-requires-sum-{n}"));
    let done = dir.join("complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        common::many_requires(&dir, n, n / 20, false);
        common::many_requires_go_sum(&dir, n);
        std::fs::write(&done, "").expect("marker");
    }
    dir
}

fn best_of_two(root: &Path) -> f64 {
    (0..2)
        .map(|_| {
            let start = cpu_seconds().expect("cpu time");
            std::hint::black_box(report(root));
            cpu_seconds().expect("cpu time") - start
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn report_is_linear_in_requires() {
    if cpu_seconds().is_none() {
        eprintln!("report_is_linear_in_requires: skipped: no /proc/self/stat");
        return;
    }
    let n = 2500;
    let small = fixture(n);
    let large = fixture(4 * n);
    // Warm the page cache for both trees, as a second run of the command would be.
    report(&small);
    report(&large);
    let t1 = best_of_two(&small);
    let t4 = best_of_two(&large);
    let ratio = t4 / t1.max(0.01);
    eprintln!(
        "report: {n} requires {t1:.3} s CPU, {} requires {t4:.3} s CPU, ratio {ratio:.2}",
        4 * n
    );
    // Linear growth gives about 4; quadratic 16. The margin absorbs noise.
    assert!(ratio < 8.0, "4x the requires took {ratio:.1}x the CPU time");
}
