//! SARIF 2.1.0 for code scanning: one rule per finding code (from the code table).

use super::Report;
use crate::finding::{Finding, Severity};
use crate::rules::binary::CheckReport;

/// SARIF 2.1.0 with one rule per finding code; locations point at go.mod lines.
pub fn sarif(r: &Report) -> String {
    document(&r.findings)
}

/// `check`'s findings as SARIF (locations point at the built files).
pub fn check_sarif(r: &CheckReport) -> String {
    document(&r.findings)
}

fn document(findings: &[Finding]) -> String {
    let rules: Vec<serde_json::Value> = crate::codes::TABLE
        .iter()
        .map(|i| {
            let level = match i.default_severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            serde_json::json!({
                "id": i.id,
                "name": i.name,
                "shortDescription": { "text": i.summary },
                "fullDescription": { "text": format!("{} Fix: {}", i.why, i.fix) },
                "helpUri": i.code.help_uri(),
                "help": { "text": crate::codes::explain(i.code) },
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let locations: Vec<serde_json::Value> = f
                .evidence
                .iter()
                .map(|e| {
                    let mut region = serde_json::json!({});
                    if let Some(l) = e.line {
                        region = serde_json::json!({ "startLine": l });
                    }
                    serde_json::json!({
                        "physicalLocation": {
                            "artifactLocation": { "uri": e.file.display().to_string() },
                            "region": region,
                        }
                    })
                })
                .collect();
            serde_json::json!({
                "ruleId": f.code.as_str(),
                "level": level,
                "message": { "text": f.message },
                "locations": locations,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "godrift",
                "informationUri": "https://github.com/godrift/godrift",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
