//! `godrift report` at scale, the whole command as a process: a generated host with 1,000
//! modules (2 versions each) and 50 plugins, timed against `go list -m all` on the same host
//! in the same run (ratio printed); 200 plugins; and the pre-commit case, a host and 10
//! plugins, which must stay well under a second.

#[path = "common.rs"]
mod common;

use std::process::Command;

fn report_time(root: &std::path::Path, runs: usize) -> f64 {
    // The real command, as a user runs it (default table output, read and dropped).
    common::time(runs, || {
        let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
            .args(["report", "--quiet"])
            .arg(root)
            .env("GOMODCACHE", root.join("modcache"))
            .env("GOWORK", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOTOOLCHAIN", "local")
            .output()
            .expect("godrift");
        // Exit 1: findings (the generated plugins disagree with the host).
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::hint::black_box(out.stdout.len());
    })
}

fn main() {
    // GODRIFT_BENCH_KEEP=DIR: only write the fixtures there (DIR/p50, DIR/p200: to time or
    // profile the command by hand), then stop.
    if let Some(dir) = std::env::var_os("GODRIFT_BENCH_KEEP") {
        let dir = std::path::Path::new(&dir);
        common::module_graph(&dir.join("p50"), 1000, 50, 7);
        common::module_graph(&dir.join("p200"), 1000, 200, 7);
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    common::module_graph(root, 1000, 50, 7);
    let ours = report_time(root, 5);
    let go_list = if Command::new("go").arg("version").output().is_ok() {
        let run = || {
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
                .expect("go");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(); // writes go.sum once, as a developer's first run would
        Some(common::time(5, run))
    } else {
        None
    };
    println!(
        "report, host with 1000-module graph + 50 plugins: {:.1} ms (median of 5)",
        ours * 1e3
    );
    match go_list {
        Some(g) => println!(
            "go list -m all, host only:                       {:.1} ms\nratio godrift/go list: {:.2} (godrift analyses 51 graphs)",
            g * 1e3,
            ours / g
        ),
        None => println!("go not on PATH: no baseline"),
    }
    // Linear in plugins: 200 plugins over the same graph.
    let tmp3 = tempfile::tempdir().expect("tempdir");
    common::module_graph(tmp3.path(), 1000, 200, 7);
    let many = report_time(tmp3.path(), 3);
    println!(
        "report, host with 1000-module graph + 200 plugins: {:.1} ms ({:.2}x the 50-plugin run for 4x the plugins){}",
        many * 1e3,
        many / ours,
        go_list
            .map(|g| format!("; ratio to go list -m all on the host: {:.2}", many / g))
            .unwrap_or_default()
    );
    // The pre-commit case.
    let tmp2 = tempfile::tempdir().expect("tempdir");
    common::module_graph(tmp2.path(), 300, 10, 11);
    let hook = report_time(tmp2.path(), 9);
    println!(
        "pre-commit case (host + 10 plugins, 300-module graph): {:.1} ms",
        hook * 1e3
    );
}
