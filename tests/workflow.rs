//! Workflow commands end to end on a copy of the bundled example: align, new-plugin,
//! recipe, hook install, baseline; and, with Go present, the aligned plugins really load.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from)
        .expect("read_dir")
        .filter_map(Result::ok)
    {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

fn example() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("example");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example"),
        &dir,
    );
    (tmp, dir)
}

fn godrift(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(dir)
        .args(args)
        .env("GOMODCACHE", dir.join("no-modcache"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run godrift");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Whether `go` is there to build and open the plugins (a failure, not a skip, in CI).
fn have_go() -> bool {
    support::require_go("workflow builds").is_some()
}

fn go_build(dir: &Path, args: &[&str]) {
    let out = Command::new("go")
        .current_dir(dir)
        .args(args)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("CGO_ENABLED", "1")
        .output()
        .expect("go");
    assert!(
        out.status.success(),
        "go {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds host + plugins of the example and returns the host's output for all plugins.
fn build_and_open(dir: &Path, plugins: &[&str]) -> String {
    go_build(&dir.join("host"), &["build", "-o", "../host.bin", "."]);
    let mut sos = Vec::new();
    for p in plugins {
        go_build(
            &dir.join("plugins").join(p),
            &[
                "build",
                "-buildmode=plugin",
                "-o",
                &format!("../../{p}.so"),
                ".",
            ],
        );
        sos.push(format!("./{p}.so"));
    }
    let out = Command::new(dir.join("host.bin"))
        .current_dir(dir)
        .args(&sos)
        .output()
        .expect("host");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn align_fixes_the_example_and_the_plugins_load() {
    let (_tmp, dir) = example();
    let metrics = dir.join("plugins/metrics/go.mod");
    let before = std::fs::read_to_string(&metrics).expect("read");
    let (code, diff, _) = godrift(&dir, &["align", "--dry-run"]);
    assert_eq!(code, 0);
    assert!(
        diff.contains("-\texample.com/greeter v1.3.0\n+\texample.com/greeter v1.2.0"),
        "{diff}"
    );
    assert!(
        diff.contains("+\texample.com/greeter => ../../deps/greeter-v1.2.0"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&metrics).expect("read"),
        before,
        "dry run wrote"
    );
    let host_before = std::fs::read_to_string(dir.join("host/go.mod")).expect("read");
    let (code, _, err) = godrift(&dir, &["align"]);
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read_to_string(&metrics).expect("read");
    // Format-preserving: exactly the two lines changed.
    let changed: Vec<_> = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(changed.len(), 2, "{after}");
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(
        std::fs::read_to_string(dir.join("host/go.mod")).expect("read"),
        host_before
    );
    let (code, out, _) = godrift(&dir, &["report"]);
    assert_eq!(code, 0, "{out}");
    if have_go() {
        let runtime = build_and_open(&dir, &["audit", "metrics"]);
        assert!(
            runtime.contains("OK ./audit.so") && runtime.contains("OK ./metrics.so"),
            "{runtime}"
        );
    } else {
        println!("skipped the build: no `go` on PATH");
    }
}

#[test]
fn new_plugin_starts_aligned_and_loads() {
    let (_tmp, dir) = example();
    let (code, out, err) = godrift(&dir, &["new-plugin", "extra"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("example.com/host/plugins/extra"), "{out}");
    let gm = std::fs::read_to_string(dir.join("plugins/extra/go.mod")).expect("go.mod");
    assert!(
        gm.contains("\texample.com/greeter v1.2.0 // indirect\n"),
        "{gm}"
    );
    assert!(
        gm.contains("\texample.com/greeter => ../../deps/greeter-v1.2.0\n"),
        "{gm}"
    );
    let (_, json, _) = godrift(&dir, &["report", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let extra = v["plugins"]
        .as_array()
        .expect("plugins")
        .iter()
        .find(|p| p["name"] == "extra")
        .cloned();
    assert_eq!(extra.expect("extra listed")["verdict"], "loads");
    // Refuses to overwrite.
    let (code, _, _) = godrift(&dir, &["new-plugin", "extra"]);
    assert_eq!(code, 2);
    if have_go() {
        let runtime = build_and_open(&dir, &["extra"]);
        assert!(runtime.contains("OK ./extra.so"), "{runtime}");
    }
}

#[test]
fn recipe_hook_and_baseline() {
    let (_tmp, dir) = example();
    std::fs::write(
        dir.join("godrift.toml"),
        "[host]\npath = \"host\"\nbuild = { trimpath = true, gcflags = \"all=-N -l\" }\n\n[[plugins]]\npath = \"plugins/*\"\nbuild = { trimpath = true, gcflags = \"all=-N -l\" }\n",
    )
    .expect("config");
    let (code, out, _) = godrift(&dir, &["recipe"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "(cd host && CGO_ENABLED=1 go build -trimpath -gcflags='all=-N -l' -o host .)"
        ),
        "{out}"
    );
    assert!(out.contains("(cd plugins/metrics && CGO_ENABLED=1 go build -buildmode=plugin -trimpath -gcflags='all=-N -l' -o metrics.so .)"), "{out}");
    assert!(out.contains("\nbuild:\n\tcd host && "), "{out}");

    // Baseline: accept today's drift, fail only on new drift.
    let (code, _, _) = godrift(
        &dir,
        &["report", "--write-baseline", ".godrift-baseline.json"],
    );
    assert_eq!(code, 0);
    let (code, out, _) = godrift(&dir, &["report", "--baseline", ".godrift-baseline.json"]);
    assert_eq!(code, 0, "{out}");
    let audit = dir.join("plugins/audit/go.mod");
    let text = std::fs::read_to_string(&audit)
        .expect("read")
        .replace("greeter v1.2.0", "greeter v1.3.0")
        .replace("greeter-v1.2.0", "greeter-v1.3.0");
    std::fs::write(&audit, text).expect("write");
    let (code, out, _) = godrift(&dir, &["report", "--baseline", ".godrift-baseline.json"]);
    assert_eq!(code, 1, "new drift must fail: {out}");
    assert!(out.contains("in audit"), "{out}");

    // Plain git hook.
    let git = Command::new("git")
        .current_dir(&dir)
        .args(["init", "-q"])
        .status();
    if git.is_ok_and(|s| s.success()) {
        let (code, _, err) = godrift(&dir, &["hook", "install"]);
        assert_eq!(code, 0, "{err}");
        let hook = dir.join(".git/hooks/pre-commit");
        let body = std::fs::read_to_string(&hook).expect("hook");
        assert!(body.contains("hook run"), "{body}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_ne!(
                std::fs::metadata(&hook).expect("meta").permissions().mode() & 0o111,
                0
            );
        }
        // Installing again is idempotent; a hook godrift did not write is kept.
        let (code, _, _) = godrift(&dir, &["hook", "install"]);
        assert_eq!(code, 0);
        assert_eq!(std::fs::read_to_string(&hook).expect("hook"), body);
        std::fs::write(&hook, "#!/bin/sh\nexit 0\n").expect("foreign hook");
        let (code, _, _) = godrift(&dir, &["hook", "install"]);
        assert_eq!(code, 2, "must not overwrite a foreign hook without --force");
    }
}

#[test]
fn pre_commit_manifest_declares_the_hook() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect("manifest");
    for needle in [
        "- id: godrift",
        "language: rust",
        "entry: godrift hook run",
        "baseline",
        "vendor/",
        "pass_filenames: false",
        "go\\.mod",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
}

#[test]
fn github_step_summary_gets_the_markdown_report() {
    let (_tmp, dir) = example();
    let summary = dir.join("summary.md");
    std::fs::write(&summary, "# earlier step\n").expect("seed");
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(&dir)
        .args(["report", "--format", "json", "--quiet"])
        .env("GOMODCACHE", dir.join("no-modcache"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        text.starts_with("# earlier step\n"),
        "appends, never truncates"
    );
    assert!(text.contains("## godrift: ❌ fails"), "{text}");
    assert!(text.contains("```mermaid"), "{text}");
    // stdout still carries the requested format.
    assert!(serde_json::from_slice::<serde_json::Value>(&out.stdout).is_ok());
}

#[test]
fn report_with_built_artifacts_uses_binary_mode() {
    if !have_go() {
        println!("skipped: no `go` on PATH");
        return;
    }
    let (_tmp, dir) = example();
    let runtime = build_and_open(&dir, &["audit", "metrics"]);
    let (code, json, err) = godrift(
        &dir,
        &[
            "report",
            "--format",
            "json",
            "--quiet",
            "--built-host",
            "host.bin",
            "--built-plugin",
            "./audit.so",
            "--built-plugin",
            "./metrics.so",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["verdict"], "fails");
    assert_eq!(v["binary"]["plugins"][0]["verdict"], "loads");
    assert_eq!(v["binary"]["plugins"][1]["verdict"], "fails");
    let msg = v["binary"]["plugins"][1]["error"].as_str().expect("error");
    assert!(runtime.contains(msg), "runtime {runtime:?} vs {msg:?}");
    assert!(v["findings"]
        .as_array()
        .expect("f")
        .iter()
        .any(|f| f["code"] == "GD020"));
}

/// Several proposals editing one plugin's go.mod are all applied (each edit was once
/// written over the previous one).
#[test]
fn align_applies_every_edit_to_one_go_mod() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let cache = dir.join("no-modcache/cache/download");
    for m in ["a", "b"] {
        for v in ["v1.0.0", "v1.1.0"] {
            let d = cache.join(format!("example.com/{m}/@v"));
            std::fs::create_dir_all(&d).expect("mkdir");
            std::fs::write(
                d.join(format!("{v}.mod")),
                format!("module example.com/{m}\n\ngo 1.21\n"),
            )
            .expect("mod");
        }
    }
    let req = |v: &str| format!("\nrequire (\n\texample.com/a {v}\n\texample.com/b {v}\n)\n");
    std::fs::write(
        dir.join("go.mod"),
        format!("module example.com/host\n\ngo 1.21\n{}", req("v1.1.0")),
    )
    .expect("go.mod");
    std::fs::create_dir_all(dir.join("plugins/p")).expect("mkdir");
    std::fs::write(
        dir.join("plugins/p/go.mod"),
        format!("module example.com/p\n\ngo 1.21\n{}", req("v1.0.0")),
    )
    .expect("go.mod");
    let (code, _, err) = godrift(dir, &["align"]);
    // The module cache holds no zips: the go.sum lines a build needs are named with the
    // command that fetches them, and align says it is not done (exit 1).
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("go mod download example.com/a@v1.1.0"),
        "{err}"
    );
    let after = std::fs::read_to_string(dir.join("plugins/p/go.mod")).expect("go.mod");
    assert_eq!(
        after,
        format!("module example.com/p\n\ngo 1.21\n{}", req("v1.1.0"))
    );
}
