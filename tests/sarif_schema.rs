//! `--format sarif` as GitHub code scanning takes it: valid against the OASIS SARIF 2.1.0
//! schema (grammar-tests/data/sarif), one run, every result located on a line of a
//! repository-relative file (the plugin's go.mod line first, the host's as related), rules
//! documented, stable fingerprints, and GitHub's documented upload limits kept.

mod support;

#[path = "support/schema.rs"]
mod schema;
#[path = "support/synth.rs"]
mod synth;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn validate(doc: &Value) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests/data/sarif");
    schema::Schemas::new(&dir).validate("sarif-schema-2.1.0.json", doc)
}

fn sarif(case: &str, extra: &[&str], cwd: &Path) -> Value {
    let out = support::fixture_report(case, "sarif", extra, cwd);
    assert!(
        out.status.code().is_some_and(|c| c < 2),
        "{case}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// What GitHub requires of every upload, checked on one document.
fn check_github_rules(doc: &Value, case: &str) {
    let runs = doc["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1, "{case}: one run");
    let run = &runs[0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert!(rules.len() <= godrift::report::sarif_limits::RULES_PER_RUN);
    for r in rules {
        assert!(
            r["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| t.len() > 20),
            "{r}"
        );
        let uri = r["helpUri"].as_str().expect("helpUri");
        assert!(uri.starts_with("https://") && uri.contains("#gd"), "{uri}");
        assert!(
            r["properties"]["tags"].as_array().map_or(0, Vec::len)
                <= godrift::report::sarif_limits::TAGS_PER_RULE
        );
    }
    let results = run["results"].as_array().expect("results");
    assert!(results.len() <= godrift::report::sarif_limits::RESULTS_PER_RUN);
    let mut prints = std::collections::BTreeSet::new();
    for r in results {
        let locs = r["locations"].as_array().expect("locations");
        assert_eq!(locs.len(), 1, "{case}: {r}");
        for l in locs
            .iter()
            .chain(r["relatedLocations"].as_array().into_iter().flatten())
        {
            let p = &l["physicalLocation"];
            assert!(
                p["region"]["startLine"].as_u64().is_some_and(|n| n >= 1),
                "{case}: {r}"
            );
            let uri = p["artifactLocation"]["uri"].as_str().expect("uri");
            assert!(
                !uri.starts_with('/') && !uri.contains(".."),
                "{case}: {uri}"
            );
            assert_eq!(p["artifactLocation"]["uriBaseId"], "%SRCROOT%", "{case}");
        }
        assert!(
            r["relatedLocations"].as_array().map_or(0, Vec::len)
                <= godrift::report::sarif_limits::LOCATIONS_PER_RESULT
        );
        let fp = r["partialFingerprints"]["godriftFinding/v1"]
            .as_str()
            .expect("fingerprint");
        assert!(
            prints.insert(fp.to_string()),
            "{case}: duplicate fingerprint {fp}"
        );
        let idx = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
    }
}

#[test]
fn the_validator_rejects_broken_documents() {
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"ruleId": "GD001", "level": "fatal", "message": {}}]}]});
    let errs = validate(&bad);
    assert!(
        errs.iter().any(|e| e.contains("missing required name")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.contains("not in enum")), "{errs:?}");
}

#[test]
fn sarif_output_is_valid_and_takes_github_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for case in support::FIXTURE_REPORTS.iter().copied() {
        let doc = sarif(case, &[], root);
        let errs = validate(&doc);
        assert!(errs.is_empty(), "{case}: {errs:#?}");
        check_github_rules(&doc, case);
        if case != "fixtures/report/clean" {
            assert!(
                !doc["runs"][0]["results"].as_array().unwrap().is_empty(),
                "{case}"
            );
        }
    }
}

/// The result points at the line to change: the plugin's go.mod, with the host's line as a
/// related location; URIs are relative to the git root (this repository).
#[test]
fn primary_location_is_the_plugin_line_to_change() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = sarif("fixtures/example", &[], root);
    let r = &doc["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "GD001");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "fixtures/example/plugins/metrics/go.mod"
    );
    assert_eq!(loc["region"]["startLine"], 6);
    assert_eq!(
        std::fs::read_to_string(root.join("fixtures/example/plugins/metrics/go.mod"))
            .unwrap()
            .lines()
            .nth(5)
            .unwrap()
            .trim(),
        "example.com/greeter v1.3.0"
    );
    let rel = &r["relatedLocations"][0]["physicalLocation"];
    assert_eq!(
        rel["artifactLocation"]["uri"],
        "fixtures/example/host/go.mod"
    );
    assert_eq!(rel["region"]["startLine"], 6);
    // From a subdirectory the URIs are the same (relative to the repository, not the cwd).
    let again = sarif("example", &[], &root.join("fixtures"));
    assert_eq!(
        again["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
            ["uri"],
        "fixtures/example/plugins/metrics/go.mod"
    );
    // Fingerprints depend on (code, module, plugin), not on the run.
    assert_eq!(
        again["runs"][0]["results"][0]["partialFingerprints"],
        r["partialFingerprints"]
    );
}

/// Outside git, URIs are relative to the project, or to --sarif-root.
#[test]
fn without_git_sarif_root_says_where_uris_start() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let dst = tmp.path().join("repo/sub/example");
    std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
    let ok = Command::new("cp")
        .arg("-r")
        .arg(root.join("fixtures/example"))
        .arg(&dst)
        .status()
        .expect("cp");
    assert!(ok.success());
    let uri = |doc: &Value| {
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let plain = sarif("sub/example", &[], &tmp.path().join("repo"));
    assert_eq!(uri(&plain), "plugins/metrics/go.mod");
    let rooted = sarif(
        "sub/example",
        &["--sarif-root", "."],
        &tmp.path().join("repo"),
    );
    assert_eq!(uri(&rooted), "sub/example/plugins/metrics/go.mod");
    std::fs::create_dir_all(tmp.path().join("repo/.git")).unwrap();
    let git = sarif("example", &[], &tmp.path().join("repo/sub"));
    assert_eq!(uri(&git), "sub/example/plugins/metrics/go.mod");
}

/// GitHub takes at most 25,000 results per run: the worst are kept and a notification
/// counts the rest; a run at the limit still validates.
#[test]
fn results_are_capped_at_githubs_limit() {
    let r = synth::report(&synth::names(300), 100);
    let text = godrift::report::sarif(&r, &godrift::report::SarifOptions::new("repo"));
    let doc: Value = serde_json::from_str(&text).expect("json");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        godrift::report::sarif_limits::RESULTS_PER_RUN
    );
    let note = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(note.starts_with("5000 more results"), "{note}");
    check_github_rules(&doc, "synthetic");
    // The schema check on a sample (the whole takes long with this small validator).
    let mut sample = doc.clone();
    sample["runs"][0]["results"] = Value::Array(results[..50].to_vec());
    assert!(validate(&sample).is_empty());
    // GitHub's size limit: 10 MB gzip-compressed (measured with gzip where there is one).
    assert!(text.len() < 100 * 1024 * 1024, "{}", text.len());
    if let Ok(mut gz) = Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        let mut stdin = gz.stdin.take().unwrap();
        let body = text.clone();
        let writer = std::thread::spawn(move || {
            std::io::Write::write_all(&mut stdin, body.as_bytes()).unwrap();
        });
        let out = gz.wait_with_output().unwrap();
        writer.join().unwrap();
        assert!(
            out.stdout.len() < 10_000_000,
            "{} bytes gzipped",
            out.stdout.len()
        );
    }
}

/// `check` writes SARIF too: its results point at the built files.
#[test]
fn check_sarif_is_valid() {
    use godrift::finding::{Code, Finding, Severity};
    let mut f = Finding::new(
        Code::PackageHashMismatch,
        Severity::Error,
        "plugin was built with a different version of package example.com/greeter",
    );
    f.artifacts = vec!["host".into(), "plugins/metrics.so".into()];
    let report = godrift::rules::binary::CheckReport {
        schema_version: godrift::report::SCHEMA_VERSION,
        host: godrift::binary::HostSummary {
            path: "bin/host".into(),
            go_version: Some("go1.22.0".into()),
            main_module: Some("example.com/host".into()),
            build_settings: Default::default(),
        },
        plugins: Vec::new(),
        findings: vec![f],
    };
    let doc: Value = serde_json::from_str(&godrift::report::check_sarif(
        &report,
        &godrift::report::SarifOptions::new("build"),
    ))
    .unwrap();
    assert!(validate(&doc).is_empty(), "{:?}", validate(&doc));
    check_github_rules(&doc, "check");
    let loc = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "build/bin/host");
}
