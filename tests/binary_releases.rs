//! Binary mode on artifacts of every Go release from 1.16, built at test time by those
//! releases (installed by `.ci/go-toolchain`, tests never download) and checked against what
//! they really do:
//! - one test per artifact format: build info as pointers (1.16-1.17) or inline (1.18 on);
//!   symbols `go.link.pkghash*` (before 1.20) or `go:link.` (1.20 on); plugins without build
//!   info (before 1.21). Each reads the host's build info exactly as that release's
//!   `go version -m` prints it, recovers the plugin's release and plugin path, and agrees
//!   with the runtime word for word on: identical builds, a dependency at another version,
//!   and two files of the same plugin path;
//! - `every_host_with_every_plugin_across_releases`: a host and a plugin of every installed
//!   release, every pair loaded for real and compared with `check` (the measurements behind
//!   `binary::runtime`'s cross-release table).
//!
//! Outside CI a release that is not installed is skipped with the command that installs it;
//! with CI set, the format releases (1.16.15, 1.18.10, 1.20.14) must be installed.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One release of each format.
const GO116: &str = "1.16.15";
const GO118: &str = "1.18.10";
const GO120: &str = "1.20.14";

/// Every release the cross-release test uses when installed (and the go on PATH).
const ALL: &[&str] = &[
    "1.16.15", "1.17.13", "1.18.10", "1.19.13", "1.20.14", "1.21.13", "1.22.10", "1.23.9",
    "1.24.11", "1.25.5", "1.26.6", "1.27.3",
];

/// `.ci/go-toolchain`'s cache (see tests/oracle_support).
fn toolchain(version: &str) -> Option<PathBuf> {
    let cache = match std::env::var_os("GODRIFT_TOOLCHAINS") {
        Some(c) => PathBuf::from(c),
        None => {
            let base = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
            base.join("godrift").join("toolchains")
        }
    };
    let go = cache.join(format!("go{version}")).join("go/bin/go");
    go.is_file().then_some(go)
}

/// The toolchain for `version`: in CI it must be there, elsewhere a missing one skips.
fn require(test: &str, version: &str) -> Option<PathBuf> {
    support::require_go(test)?;
    let go = toolchain(version);
    if go.is_none() {
        assert!(
            !support::in_ci(),
            "{test}: CI must install go{version} (.ci/go-toolchain {version})"
        );
        eprintln!(
            "{test}: skipped: go{version} is not installed; run `.ci/go-toolchain {version}`"
        );
    }
    go
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs this release's `go` hermetically: no network, no user go env (older releases reject
/// newer GOFLAGS), the build cache the oracle uses for this release (target/, kept across
/// runs: the standard library is compiled once per release for both).
fn go(goexe: &Path, version: &str, dir: &Path, args: &[&str]) -> String {
    let cache = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(format!("oracle-gocache-go{version}"));
    let out = Command::new(goexe)
        .args(args)
        .current_dir(dir)
        .env("GOENV", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("GO111MODULE", "on")
        .env("GOPATH", dir.join(".gopath"))
        .env("GOCACHE", cache)
        .env("CGO_ENABLED", "1")
        .env_remove("GOROOT")
        .output()
        .expect("run go");
    assert!(
        out.status.success(),
        "go{version} {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const DEP_V1: &str = "package dep\n\nfunc Hello() string { return \"hi\" }\n";
const DEP_V11: &str =
    "package dep\n\nfunc Hello() string { return \"hi\" }\n\nfunc Bye() string { return \"bye\" }\n";

const PLUGIN: &str = r#"package main

import "example.com/dep"

func Hello() string { return dep.Hello() }

func main() {}
"#;

/// A module `path` in `dir` requiring example.com/dep, replaced by `dep_dir`.
fn module(dir: &Path, path: &str, dep_dir: &Path, main: &str) {
    write(
        &dir.join("go.mod"),
        &format!(
            "module {path}\n\ngo 1.16\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => {}\n",
            dep_dir.display()
        ),
    );
    write(&dir.join("main.go"), main);
}

/// Host, plugin, and plugin with dep v1.1.0, built by one release into `out`.
struct Built {
    host: PathBuf,
    plug: PathBuf,
    plug_v11: PathBuf,
}

fn build(goexe: &Path, version: &str, root: &Path) -> Built {
    let (v1, v11) = (root.join("dep-v1"), root.join("dep-v11"));
    for (d, src) in [(&v1, DEP_V1), (&v11, DEP_V11)] {
        write(&d.join("go.mod"), "module example.com/dep\n\ngo 1.16\n");
        write(&d.join("dep.go"), src);
    }
    module(
        &root.join("host"),
        "example.com/host",
        &v1,
        &support::open_plugins_dep_host(),
    );
    module(&root.join("plug"), "example.com/plug", &v1, PLUGIN);
    module(&root.join("plug-v11"), "example.com/plug", &v11, PLUGIN);
    let out = root.join("out");
    let b = Built {
        host: out.join(format!("host-{version}")),
        plug: out.join(format!("plug-{version}.so")),
        plug_v11: out.join(format!("plug-v11-{version}.so")),
    };
    let o = |p: &Path| p.display().to_string();
    go(
        goexe,
        version,
        &root.join("host"),
        &["build", "-o", &o(&b.host), "."],
    );
    for (dir, file) in [("plug", &b.plug), ("plug-v11", &b.plug_v11)] {
        go(
            goexe,
            version,
            &root.join(dir),
            &["build", "-buildmode=plugin", "-o", &o(file), "."],
        );
    }
    b
}

/// What the runtime did, one line per plugin: `OK`, `FAIL\t<error>`, or `CRASH\t<line>`.
fn runtime(host: &Path, plugins: &[&Path]) -> Vec<String> {
    let out = Command::new(host).args(plugins).output().expect("run host");
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    if lines.len() < plugins.len() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let telling = stderr
            .lines()
            .find(|l| l.starts_with("fatal error") || l.starts_with("panic:"))
            .unwrap_or("")
            .to_string();
        lines.push(format!("CRASH\t{telling}"));
    }
    lines
}

/// godrift check's verdicts in the runtime's words (a crash: its message must be in the
/// runtime's telling line).
fn check(host: &Path, plugins: &[&Path]) -> (Vec<String>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .args(["check", "--format", "json", "--host"])
        .arg(host)
        .args(plugins)
        .output()
        .expect("run godrift");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "godrift check printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let lines = json["plugins"]
        .as_array()
        .expect("plugins")
        .iter()
        .map_while(|p| {
            let err = p["error"].as_str().unwrap_or("");
            Some(match p["verdict"].as_str()? {
                "loads" => "OK".to_string(),
                "fails" => format!("FAIL\t{err}"),
                "crashes" => format!("CRASH\t{err}"),
                other => format!("{other}\t{err}"),
            })
        })
        .collect();
    (lines, json)
}

/// check agrees with the runtime: same words, and for a crash the message the runtime printed.
fn agrees(runtime: &[String], check: &[String]) -> bool {
    runtime.len() <= check.len()
        && runtime
            .iter()
            .zip(check)
            .all(|(r, c)| match (r.split_once('\t'), c.split_once('\t')) {
                (Some(("CRASH", rl)), Some(("CRASH", cl))) => !cl.is_empty() && rl.contains(cl),
                _ => r == c,
            })
}

fn assert_agrees(what: &str, runtime: &[String], check: &[String]) {
    assert!(
        agrees(runtime, check),
        "{what}:\n runtime: {runtime:?}\n check:   {check:?}"
    );
}

/// The host's build info as this release's `go version -m` prints it, and as godrift reads it,
/// in `go version -m`'s lines.
fn assert_build_info_as_go_reads_it(goexe: &Path, version: &str, host: &Path) {
    let text = go(
        goexe,
        version,
        host.parent().unwrap(),
        &["version", "-m", &host.display().to_string()],
    );
    let mut lines = text.lines();
    let first = lines.next().unwrap_or("");
    let a = godrift::binary::read(host).expect("read host");
    let bi = a.build_info.as_ref().expect("host build info");
    assert_eq!(first, format!("{}: {}", host.display(), bi.go_version));
    assert_eq!(
        a.go_version.as_deref(),
        Some(format!("go{version}").as_str())
    );
    let mut ours = vec![format!("path\t{}", bi.path)];
    let dep_line = |kind: &str, d: &godrift::binary::buildinfo::Dep| {
        let mut l = format!("{kind}\t{}\t{}", d.path, d.version);
        if !d.sum.is_empty() || kind == "mod" {
            l.push('\t');
            l.push_str(&d.sum);
        }
        l
    };
    let main = bi.main.as_ref().expect("main module");
    ours.push(dep_line("mod", main));
    for d in &bi.deps {
        ours.push(dep_line("dep", d));
        if let Some(r) = &d.replace {
            ours.push(format!("=>\t{}\t{}\t{}", r.path, r.version, r.sum));
        }
    }
    for (k, v) in &bi.settings {
        ours.push(format!("build\t{k}={v}"));
    }
    // go version -m indents every line with a tab; settings are printed in build order.
    let mut theirs: Vec<String> = lines
        .map(|l| l.strip_prefix('\t').unwrap_or(l).trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect();
    let mut ours: Vec<String> = ours.iter().map(|l| l.trim_end().to_string()).collect();
    theirs.sort();
    ours.sort();
    assert_eq!(
        ours, theirs,
        "go{version}: build info differs from go version -m"
    );
}

/// The format test for one release: build info, plugin release and path, and three runs
/// compared with the runtime.
fn format_test(test: &str, version: &str, plugin_has_build_info: bool, legacy_prefix: bool) {
    let Some(goexe) = require(test, version) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let b = build(&goexe, version, tmp.path());
    assert_build_info_as_go_reads_it(&goexe, version, &b.host);

    let plug = godrift::binary::read(&b.plug).expect("read plugin");
    assert_eq!(
        plug.build_info.is_some(),
        plugin_has_build_info,
        "{version}"
    );
    assert_eq!(
        plug.go_version.as_deref(),
        Some(format!("go{version}").as_str())
    );
    assert!(!plug.legacy_hash_format);
    assert!(
        plug.hashes.contains_key("example.com/dep") && plug.hashes.contains_key("runtime"),
        "{version}: {:?}",
        plug.hashes.keys().collect::<Vec<_>>()
    );
    assert!(plug.check_order.contains(&"example.com/dep".to_string()));
    // The symbols really have this release's prefix (read with the system's readelf would
    // say the same; here: the runtime's hash symbol is found by name).
    let syms = std::fs::read(&b.plug).unwrap();
    let has = |needle: &[u8]| syms.windows(needle.len()).any(|w| w == needle);
    assert_eq!(has(b"go.link.pkghashbytes.example.com/dep"), legacy_prefix);
    assert_eq!(has(b"go:link.pkghashbytes.example.com/dep"), !legacy_prefix);
    let json = check(&b.host, &[&b.plug]).1;
    assert_eq!(json["plugins"][0]["plugin_path"], "example.com/plug");

    // Identical builds; a dependency at another version; the same plugin path twice.
    let again = tmp.path().join("out/again.so");
    std::fs::copy(&b.plug, &again).unwrap();
    for (what, plugins) in [
        ("identical", vec![b.plug.as_path()]),
        ("dep v1.1.0", vec![b.plug_v11.as_path()]),
        (
            "same plugin path twice",
            vec![b.plug.as_path(), again.as_path()],
        ),
        (
            "v1.1.0 then identical",
            vec![b.plug_v11.as_path(), b.plug.as_path()],
        ),
    ] {
        let rt = runtime(&b.host, &plugins);
        let (ck, _) = check(&b.host, &plugins);
        assert_agrees(&format!("go{version}: {what}"), &rt, &ck);
    }
    // The scenarios mean what they say on this release.
    let rt = runtime(&b.host, &[&b.plug_v11]);
    assert!(
        rt[0].ends_with("plugin was built with a different version of package example.com/dep"),
        "{rt:?}"
    );
    assert!(runtime(&b.host, &[&b.plug, &again])[1].ends_with("plugin already loaded"));
}

#[test]
fn go1_16_pointer_build_info_old_symbol_prefix_plugins_without_build_info() {
    format_test(
        "go1_16_pointer_build_info_old_symbol_prefix_plugins_without_build_info",
        GO116,
        false,
        true,
    );
}

#[test]
fn go1_18_inline_build_info_old_symbol_prefix_plugins_without_build_info() {
    format_test(
        "go1_18_inline_build_info_old_symbol_prefix_plugins_without_build_info",
        GO118,
        false,
        true,
    );
}

#[test]
fn go1_20_inline_build_info_new_symbol_prefix_plugins_without_build_info() {
    format_test(
        "go1_20_inline_build_info_new_symbol_prefix_plugins_without_build_info",
        GO120,
        false,
        false,
    );
}

/// Every installed release's host with every installed release's plugin, loaded for real.
#[test]
fn every_host_with_every_plugin_across_releases() {
    if support::require_go("every_host_with_every_plugin_across_releases").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut built = Vec::new();
    for v in ALL {
        let Some(goexe) = toolchain(v) else { continue };
        let b = build(&goexe, v, &tmp.path().join(v));
        built.push((v, b));
    }
    if built.len() < 2 {
        eprintln!("every_host_with_every_plugin_across_releases: skipped: fewer than two releases installed");
        return;
    }
    let mut disagree = Vec::new();
    let mut listed = Vec::new();
    for (hv, h) in &built {
        for (pv, p) in &built {
            for plugins in [
                vec![p.plug.as_path()],
                vec![h.plug.as_path(), p.plug_v11.as_path()],
            ] {
                let rt = runtime(&h.host, &plugins);
                let (ck, json) = check(&h.host, &plugins);
                if agrees(&rt, &ck) {
                    continue;
                }
                // A plugin of another release after one that loaded: check says "already
                // loaded" and that the process may die instead, depending on the files
                // (listed, not failed); it must never say "loads".
                let last = plugins.len() - 1;
                let hedged = json["plugins"][last]["root_cause"]
                    .as_str()
                    .is_some_and(|rc| rc.contains("depending on the files, the process dies"));
                let what =
                    format!("host go{hv} <- go{pv} {plugins:?}: runtime {rt:?}, check {ck:?}");
                if hedged
                    && rt.len() == plugins.len()
                    && agrees(&rt[..last], &ck[..last])
                    && rt[last].starts_with("CRASH")
                {
                    listed.push(what);
                } else {
                    disagree.push(what);
                }
            }
        }
    }
    if !listed.is_empty() {
        eprintln!(
            "listed: after a plugin that loaded, a plugin of another release crashed where check says \"plugin already loaded\" (its root cause says the process may die, depending on the files):\n{}",
            listed.join("\n")
        );
    }
    eprintln!(
        "{} releases, {} host x plugin pairs (each alone and after the host's own plugin)",
        built.len(),
        built.len() * built.len()
    );
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}
