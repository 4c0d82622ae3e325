//! `godrift report` on fixture projects: exit codes, and every output format as an insta
//! snapshot (reviewed by hand when they change).

use std::path::Path;
use std::process::Command;

fn report(case: &str, format: &str) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(root)
        .args(["report", case, "--format", format])
        // Hermetic: fixtures use local replacements only; no module cache is consulted.
        .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run godrift");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn example_fails_and_proposes_alignment() {
    let (code, table, _) = report("fixtures/example", "table");
    assert_eq!(code, 1);
    insta::assert_snapshot!("example_table", table);
    let (_, json, _) = report("fixtures/example", "json");
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(v["verdict"], "fails");
    assert_eq!(v["plugins"][0]["verdict"], "loads");
    assert_eq!(v["plugins"][1]["verdict"], "fails");
    assert_eq!(v["proposals"][0]["target"], "v1.2.0");
    assert_eq!(
        v["proposals"][0]["host_upgrade"]["moves"][0]["to"],
        "v1.3.0"
    );
    insta::assert_snapshot!("example_json", json);
    let (_, md, _) = report("fixtures/example", "markdown");
    insta::assert_snapshot!("example_markdown", md);
    let (_, sarif, _) = report("fixtures/example", "sarif");
    let s: serde_json::Value = serde_json::from_str(&sarif).expect("sarif json");
    assert_eq!(s["version"], "2.1.0");
    assert_eq!(s["runs"][0]["results"][0]["ruleId"], "GD001");
    assert_eq!(
        s["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        6
    );
}

#[test]
fn clean_project_exits_zero() {
    let (code, json, _) = report("fixtures/report/clean", "json");
    assert_eq!(code, 0);
    insta::assert_snapshot!("clean_json", json);
}

#[test]
fn build_flag_mismatch_is_an_error() {
    let (code, table, _) = report("fixtures/report/flags", "table");
    assert_eq!(code, 1);
    insta::assert_snapshot!("flags_table", table);
}

#[test]
fn duplicate_plugin_path_and_toolchain_drift() {
    let (code, json, _) = report("fixtures/report/duplicate", "json");
    assert_eq!(code, 1);
    insta::assert_snapshot!("duplicate_json", json);
}

#[test]
fn vendored_host_versus_replaced_plugin() {
    let (code, table, _) = report("fixtures/report/vendored", "table");
    assert_eq!(code, 1);
    insta::assert_snapshot!("vendored_table", table);
}

#[test]
fn bad_inputs_exit_two_with_positions() {
    let (code, out, err) = report("fixtures/report/bad-config", "table");
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err.trim(),
        "fixtures/report/bad-config/godrift.toml:3:1: unknown field `colour`, expected one of `path`, `build`, `main`"
    );
    let (code, _, err) = report("fixtures/report/bad-gomod", "table");
    assert_eq!(code, 2);
    insta::assert_snapshot!("bad_gomod_stderr", err);
    let (code, _, err) = report("fixtures/report/does-not-exist", "table");
    assert_eq!(code, 2);
    assert!(err.contains("does-not-exist/go.mod"), "{err}");
}

/// One fixture per remaining finding kind, each with its own module cache.
#[test]
fn every_finding_kind_has_a_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (case, code) in [
        ("replace-module", "GD002"),
        ("sum-mismatch", "GD003"),
        ("inconsistent-vendoring", "GD006"),
        ("missing-modcache", "GD090"),
    ] {
        let dir = format!("fixtures/report/{case}");
        let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
            .current_dir(root)
            .args(["report", &dir, "--format", "json", "--quiet"])
            .env("GOMODCACHE", root.join(&dir).join("modcache"))
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .expect("run godrift");
        let json = String::from_utf8_lossy(&out.stdout).into_owned();
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert!(
            v["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .any(|f| f["code"] == code),
            "{case}: no {code} in {json}"
        );
        insta::assert_snapshot!(format!("kind_{case}"), json);
    }
}

#[test]
fn a_required_and_excluded_version_is_flagged() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(tmp.path().join("plugins/p")).expect("mkdir");
    std::fs::write(
        tmp.path().join("go.mod"),
        "module example.com/h\n\ngo 1.22\n\nrequire example.com/x v1.0.0\n\nexclude example.com/x v1.0.0\n",
    )
    .expect("go.mod");
    std::fs::write(
        tmp.path().join("plugins/p/go.mod"),
        "module example.com/p\n\ngo 1.22\n",
    )
    .expect("go.mod");
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(tmp.path())
        .args(["report", "--format", "json", "--quiet"])
        .env("GOMODCACHE", tmp.path().join("none"))
        .env("GOWORK", "off")
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(v["findings"].as_array().expect("f").iter().any(|f| {
        f["code"] == "GD090" && f["severity"] == "warning" && f["module"] == "example.com/x"
    }));
}
