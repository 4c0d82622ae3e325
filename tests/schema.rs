//! The JSON outputs against their schemas (schemas/*.schema.json): every fixture report
//! and a check report validate; the schemas are closed, so an output field the schema lacks
//! fails; `schema_version` is the schemas' const; and documents written at this version
//! (schemas/examples/v1) still validate, so a breaking change needs a new version.

mod support;

#[path = "support/schema.rs"]
mod schema;
#[path = "support/synth.rs"]
mod synth;

use serde_json::Value;
use std::path::Path;

fn schemas() -> schema::Schemas {
    schema::Schemas::new(&Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"))
}

fn report_json(case: &str) -> Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = support::fixture_report(case, "json", &[], root);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{case}: {e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn check_report() -> godrift::rules::binary::CheckReport {
    use godrift::binary::{Event, HostSummary, PluginResult, Verdict};
    let mut f = godrift::finding::Finding::new(
        godrift::finding::Code::PackageHashMismatch,
        godrift::finding::Severity::Error,
        "plugin was built with a different version of package example.com/greeter",
    );
    f.artifacts = vec!["host".into(), "metrics.so".into()];
    godrift::rules::binary::CheckReport {
        schema_version: godrift::report::SCHEMA_VERSION,
        host: HostSummary {
            path: "host".into(),
            go_version: Some("go1.22.0".into()),
            main_module: Some("example.com/host".into()),
            build_settings: [("-trimpath".to_string(), "true".to_string())].into(),
        },
        plugins: vec![PluginResult {
            path: "metrics.so".into(),
            plugin_path: Some("example.com/plugins/metrics".into()),
            go_version: Some("go1.22.0".into()),
            verdict: Verdict::Fails,
            // (Mismatch is not exported: the JSON test adds one.)
            mismatched_packages: Vec::new(),
            error: Some("plugin.Open(\"metrics\"): plugin was built with a different version of package example.com/greeter".into()),
            root_cause: None,
            rebuild_with: None,
            event: Event::HashMismatch { against: None },
        }],
        findings: vec![f],
    }
}

#[test]
fn every_fixture_report_validates() {
    let mut s = schemas();
    for case in support::FIXTURE_REPORTS.iter().copied() {
        let doc = report_json(case);
        let errs = s.validate("report.schema.json", &doc);
        assert!(errs.is_empty(), "{case}: {errs:#?}");
    }
    let synthetic = serde_json::to_value(synth::report(&synth::names(3), 2)).unwrap();
    assert!(s.validate("report.schema.json", &synthetic).is_empty());
}

#[test]
fn check_output_validates() {
    let mut s = schemas();
    let mut doc: Value =
        serde_json::from_str(&godrift::report::check_json(&check_report())).unwrap();
    doc["plugins"][0]["mismatched_packages"] = serde_json::json!([{
        "package": "example.com/greeter", "host_hash": "00", "plugin_hash": "01", "bound_to": "host"
    }]);
    let errs = s.validate("check.schema.json", &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    // A report with binary results carries the check document as `binary`.
    let mut r = report_json("fixtures/example");
    r["binary"] = doc;
    assert!(s.validate("report.schema.json", &r).is_empty());
}

#[test]
fn the_schemas_are_closed_and_typed() {
    let mut s = schemas();
    let mut doc = report_json("fixtures/example");
    doc["findings"][0]["surprise"] = Value::Bool(true);
    doc["plugins"][0]["verdict"] = "perhaps".into();
    let errs = s.validate("report.schema.json", &doc);
    assert!(
        errs.iter()
            .any(|e| e.contains("unexpected property surprise")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.contains("not in enum")), "{errs:?}");
    let mut doc = report_json("fixtures/example");
    doc["schema_version"] = 2.into();
    assert!(!s.validate("report.schema.json", &doc).is_empty());
}

#[test]
fn schema_version_is_the_schemas_version() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for file in [
        "report.schema.json",
        "check.schema.json",
        "base.schema.json",
    ] {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        assert_eq!(
            v["properties"]["schema_version"]["const"],
            godrift::report::SCHEMA_VERSION,
            "{file}"
        );
    }
    assert_eq!(
        report_json("fixtures/example")["schema_version"],
        godrift::report::SCHEMA_VERSION
    );
}

/// Documents godrift wrote at this schema version must stay valid while it is unchanged.
#[test]
fn documents_of_this_version_still_validate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "schemas/examples/v{}",
        godrift::report::SCHEMA_VERSION
    ));
    if std::env::var_os("GODRIFT_BLESS").is_some() {
        std::fs::write(
            dir.join("check.json"),
            godrift::report::check_json(&check_report()),
        )
        .unwrap();
    }
    let mut s = schemas();
    let mut n = 0;
    for e in std::fs::read_dir(&dir).expect("examples of this version") {
        let p = e.unwrap().path();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let schema = if name.starts_with("check") {
            "check.schema.json"
        } else if name.starts_with("contract") {
            "contract.schema.json"
        } else {
            "report.schema.json"
        };
        let errs = s.validate(schema, &doc);
        assert!(errs.is_empty(), "{}: {errs:#?}", p.display());
        n += 1;
    }
    assert!(n >= 2, "examples missing in {}", dir.display());
}

/// Contracts: one exported from sources (the bundled example) and one read back from the
/// binary example validate, and the schema's version is the contract's.
#[test]
fn contracts_validate() {
    let mut s = schemas();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(root)
        .args(["contract", "export", "--dir", "fixtures/example"])
        .env("GOMODCACHE", root.join("fixtures/example/modcache"))
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = godrift::contract::Contract::parse("stdout", &out.stdout).unwrap();
    assert_eq!(c.source, godrift::contract::Source::Sources);
    assert!(!c.hashes);
    assert!(c.packages.iter().all(|p| p.hash.is_none()));
    assert!(!c.modules.is_empty());
    let doc: Value = serde_json::from_str(&c.to_json()).unwrap();
    let errs = s.validate("contract.schema.json", &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    let example =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/examples/v1/contract-binary.json");
    let c = godrift::contract::Contract::read(&example).unwrap();
    let doc: Value = serde_json::from_str(&c.to_json()).unwrap();
    assert!(s.validate("contract.schema.json", &doc).is_empty());
    let mut bad = doc.clone();
    bad["packages"][0]["hash"] = "nothex".into();
    assert!(!s.validate("contract.schema.json", &bad).is_empty());
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/contract.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        v["properties"]["schema_version"]["const"],
        godrift::contract::SCHEMA_VERSION
    );
}
