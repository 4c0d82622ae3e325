//! `godrift check` (the binary) on a host and 20 real plugins, against `go version -m` on the
//! same 21 files, measured in the same run: runs alternate (godrift, go, godrift, go, ...)
//! and the ratio is taken pair by pair (wall clock, and CPU time of the child from
//! getrusage), then the median.
//!
//! The fixture is built once with the `go` on PATH and kept under
//! `target/bench-check/<go version>/` (its own GOCACHE there too): a host importing `plugin`,
//! net/http and encoding/json, and 20 plugins (each its own module and plugin path) importing
//! net/http, encoding/json, text/template and crypto/tls, about 12 MB and 21k dynamic symbols
//! each. The host is run once on all plugins: they really load, and `check` must say so.
//!
//! Goal (issue 15): check ≤ 2× `go version -m`. `cargo bench --bench check`;
//! GODRIFT_BENCH_RUNS=N changes the number of pairs (default 41).

#[path = "common.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const PLUGINS: usize = 20;

fn go(dir: &Path, gocache: &Path, args: &[&str]) -> String {
    let out = Command::new("go")
        .current_dir(dir)
        .args(args)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("GOENV", "off")
        .env("CGO_ENABLED", "1")
        .env("GOCACHE", gocache)
        .output()
        .expect("run go");
    assert!(
        out.status.success(),
        "go {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

const HOST: &str = r#"package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"plugin"
)

var _ = http.ListenAndServe
var _ = json.Marshal

func main() {
	for _, p := range os.Args[1:] {
		if _, err := plugin.Open(p); err != nil {
			fmt.Println("FAIL", err)
		} else {
			fmt.Println("OK")
		}
	}
}
"#;

fn plugin_source(i: usize) -> String {
    format!(
        r#"package main

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"text/template"
)

var _ = tls.Dial
var _ = template.New

func Handler{i}(w http.ResponseWriter, r *http.Request) {{ json.NewEncoder(w).Encode({i}) }}

func main() {{}}
"#
    )
}

/// Builds the fixture unless a complete one for this Go release is there. Returns the host
/// and the plugins.
fn fixture(base: &Path) -> (PathBuf, Vec<PathBuf>) {
    let gocache = base.join("gocache");
    std::fs::create_dir_all(base).expect("mkdir");
    let version = go(base, &gocache, &["env", "GOVERSION"]);
    let root = base.join(&version);
    let host = root.join("host.bin");
    let plugins: Vec<PathBuf> = (0..PLUGINS)
        .map(|i| root.join(format!("p{i}.so")))
        .collect();
    let stamp = root.join("complete");
    if stamp.is_file() {
        return (host, plugins);
    }
    eprintln!(
        "building the fixture with {version} under {} (once)",
        root.display()
    );
    let started = Instant::now();
    let _ = std::fs::remove_dir_all(&root);
    let src = root.join("src");
    let module = |dir: &Path, path: &str, main: &str| {
        std::fs::create_dir_all(dir).expect("mkdir");
        std::fs::write(dir.join("go.mod"), format!("module {path}\n\ngo 1.21\n")).expect("go.mod");
        std::fs::write(dir.join("main.go"), main).expect("main.go");
    };
    module(&src.join("host"), "example.com/bench/host", HOST);
    go(
        &src.join("host"),
        &gocache,
        &["build", "-o", &host.display().to_string(), "."],
    );
    for (i, p) in plugins.iter().enumerate() {
        let dir = src.join(format!("p{i}"));
        module(&dir, &format!("example.com/bench/p{i}"), &plugin_source(i));
        go(
            &dir,
            &gocache,
            &[
                "build",
                "-buildmode=plugin",
                "-o",
                &p.display().to_string(),
                ".",
            ],
        );
    }
    // The runtime loads every plugin: check must agree.
    let out = Command::new(&host)
        .args(&plugins)
        .output()
        .expect("run host");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().filter(|l| *l == "OK").count(),
        PLUGINS,
        "the host did not load every plugin: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&stamp, "").expect("stamp");
    eprintln!("built in {:.0?}", started.elapsed());
    (host, plugins)
}

/// CPU seconds (user + system) of all waited-for children so far.
fn children_cpu() -> f64 {
    // SAFETY: getrusage writes into the zeroed struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    secs(ru.ru_utime) + secs(ru.ru_stime)
}

/// Runs `cmd` to completion; returns (wall, cpu) seconds and its stdout.
fn run(cmd: &mut Command) -> (f64, f64, Vec<u8>) {
    let cpu = children_cpu();
    let t = Instant::now();
    let out = cmd.output().expect("run");
    let wall = t.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (wall, children_cpu() - cpu, out.stdout)
}

fn main() {
    if Command::new("go").arg("version").output().is_err() {
        eprintln!("check bench: skipped: no `go` on PATH");
        return;
    }
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-check");
    let (host, plugins) = fixture(&base);
    let runs: usize = std::env::var("GODRIFT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(41);
    let godrift = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_godrift"));
        c.args(["check", "--format", "json", "--host"])
            .arg(&host)
            .args(&plugins);
        c
    };
    let go_version_m = || {
        let mut c = Command::new("go");
        c.args(["version", "-m"])
            .arg(&host)
            .args(&plugins)
            .env("GOENV", "off");
        c
    };
    // The real command did the whole check: every plugin read and found to load.
    let (_, _, out) = run(&mut godrift());
    let v: serde_json::Value = serde_json::from_slice(&out).expect("check JSON");
    let verdicts: Vec<&str> = v["plugins"]
        .as_array()
        .expect("plugins")
        .iter()
        .filter_map(|p| p["verdict"].as_str())
        .collect();
    assert_eq!(verdicts, vec!["loads"; PLUGINS], "{v:#}");
    // Warm both (page cache, dynamic loader) before measuring.
    run(&mut go_version_m());
    let (mut ours, mut theirs, mut wall_ratio, mut cpu_ratio) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let (aw, ac, _) = run(&mut godrift());
        let (bw, bc, _) = run(&mut go_version_m());
        ours.push(aw);
        theirs.push(bw);
        wall_ratio.push(aw / bw);
        if bc > 0.0 {
            cpu_ratio.push(ac / bc);
        }
    }
    let size: u64 = std::iter::once(&host)
        .chain(&plugins)
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "check on a host + {PLUGINS} plugins ({:.0} MB), {runs} paired runs:",
        size as f64 / 1e6
    );
    println!(
        "  go version -m:                  {:>7.1} ms",
        common::median(theirs) * 1e3
    );
    println!(
        "  godrift check:                  {:>7.1} ms",
        common::median(ours) * 1e3
    );
    println!(
        "  ratio check / go version -m:    {:>7.2} wall, {:.2} cpu (medians of pairs; goal <= 2)",
        common::median(wall_ratio),
        if cpu_ratio.is_empty() {
            f64::NAN
        } else {
            common::median(cpu_ratio)
        }
    );
}
