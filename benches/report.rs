//! `godrift report` at scale, the whole command as a process: a generated host with 1,000
//! modules (2 versions each) and 50 plugins, and the same with 200 plugins, each timed
//! against `go list -m all` on the host alone, runs alternating (go list, the table report,
//! the JSON report) so that all see the same machine load; medians of wall time, CPU time
//! and peak resident memory of each process, with the ratios. Then the pre-commit case, a
//! host and 10 plugins, which must stay well under a second.
//!
//! `GODRIFT_BENCH_KEEP=DIR` only writes the trees (DIR/p50, DIR/p200); `GODRIFT_BENCH_RUNS=N`
//! sets the number of alternating rounds (default 7 for 50 plugins, 5 for 200).

#[path = "common.rs"]
mod common;

use common::{measure, medians, Run};
use std::path::Path;
use std::process::Command;

fn godrift(root: &Path, json: bool) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_godrift"));
    c.args(["report", "--quiet"]);
    if json {
        c.args(["--format", "json"]);
    }
    c.arg(root)
        .env("GOMODCACHE", root.join("modcache"))
        .env("GOWORK", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local");
    c
}

/// Medians of (go list, table report, JSON report) over `rounds` alternating rounds; go
/// list is None without a go on PATH.
fn compare(root: &Path, rounds: usize) -> (Option<Run>, Run, Run) {
    let have_go = Command::new("go").arg("version").output().is_ok();
    if have_go {
        // Writes go.sum once, as a developer's first run would; warms the page cache.
        assert_eq!(
            measure(&mut common::go_list_all(root)).code,
            0,
            "go list -m all failed"
        );
    }
    let _ = measure(&mut godrift(root, false));
    let (mut go, mut table, mut json) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        if have_go {
            go.push(measure(&mut common::go_list_all(root)));
        }
        let t = measure(&mut godrift(root, false));
        // Exit 1: findings (the generated plugins disagree with the host).
        assert!(matches!(t.code, 0 | 1), "godrift report failed");
        table.push(t);
        json.push(measure(&mut godrift(root, true)));
    }
    (
        have_go.then(|| medians(&go)),
        medians(&table),
        medians(&json),
    )
}

fn show(what: &str, r: &Run, go: Option<&Run>) {
    print!(
        "{what:<34} {:7.1} ms wall {:7.1} ms CPU {:6.1} MiB",
        r.wall * 1e3,
        r.cpu * 1e3,
        r.rss_kib as f64 / 1024.0
    );
    match go {
        Some(g) => println!(
            "   ratio to go list: {:.2} wall, {:.2} CPU",
            r.wall / g.wall,
            r.cpu / g.cpu.max(1e-6)
        ),
        None => println!(),
    }
}

fn main() {
    // GODRIFT_BENCH_KEEP=DIR: only write the fixtures there (DIR/p50, DIR/p200: to time or
    // profile the command by hand), then stop.
    if let Some(dir) = std::env::var_os("GODRIFT_BENCH_KEEP") {
        let dir = Path::new(&dir);
        common::module_graph(&dir.join("p50"), 1000, 50, 7);
        common::module_graph(&dir.join("p200"), 1000, 200, 7);
        return;
    }
    let runs: Option<usize> = std::env::var("GODRIFT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok());
    let tmp = tempfile::tempdir().expect("tempdir");
    let (p50, p200) = (tmp.path().join("p50"), tmp.path().join("p200"));
    common::module_graph(&p50, 1000, 50, 7);
    common::module_graph(&p200, 1000, 200, 7);
    let (go50, t50, j50) = compare(&p50, runs.unwrap_or(7));
    println!("host with a 1000-module graph + 50 plugins (medians):");
    if let Some(g) = &go50 {
        show("  go list -m all, host only", g, None);
    } else {
        println!("  go not on PATH: no baseline");
    }
    show("  godrift report (table)", &t50, go50.as_ref());
    show("  godrift report --format json", &j50, go50.as_ref());
    let (go200, t200, j200) = compare(&p200, runs.unwrap_or(5));
    println!("same host + 200 plugins (medians):");
    if let Some(g) = &go200 {
        show("  go list -m all, host only", g, None);
    }
    show("  godrift report (table)", &t200, go200.as_ref());
    show("  godrift report --format json", &j200, go200.as_ref());
    println!(
        "4x the plugins: {:.2}x the wall time, {:.2}x the CPU time (table)",
        t200.wall / t50.wall,
        t200.cpu / t50.cpu
    );
    // The pre-commit case.
    let tmp2 = tempfile::tempdir().expect("tempdir");
    common::module_graph(tmp2.path(), 300, 10, 11);
    let hook = common::time(9, || {
        std::hint::black_box(measure(&mut godrift(tmp2.path(), false)));
    });
    println!(
        "pre-commit case (host + 10 plugins, 300-module graph): {:.1} ms",
        hook * 1e3
    );
}
