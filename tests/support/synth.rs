//! Synthetic reports for renderer limits (many plugins, many findings, hostile names),
//! built from the library's public types. Included with `#[path = "support/synth.rs"]`.
#![allow(dead_code)]

use godrift::finding::{Code, Evidence, Finding, Severity};
use godrift::report::{HostInfo, Report};
use godrift::rules::{PluginVerdict, Verdict};
use std::path::PathBuf;

/// A report on `plugins` (names), each failing on `per_plugin` GD001 findings about modules
/// shared with the host (evidence: host and plugin go.mod lines).
pub fn report(plugins: &[String], per_plugin: usize) -> Report {
    let mut findings = Vec::new();
    let mut pv = Vec::new();
    for (i, name) in plugins.iter().enumerate() {
        for j in 0..per_plugin {
            let module = format!("example.com/dep{j}");
            let mut f = Finding::new(
                Code::VersionConflict,
                Severity::Error,
                format!("{module} is v1.0.0 in host but v1.{}.0 in {name}; both link 1 of its package(s): {module}", i + 1),
            );
            f.artifacts = vec!["host".into(), name.clone()];
            f.module = Some(module.clone());
            f.packages = vec![module.clone()];
            f.evidence = vec![
                Evidence {
                    artifact: "host".into(),
                    file: PathBuf::from("host/go.mod"),
                    line: Some(5 + j),
                    col: None,
                    text: format!("{module} v1.0.0"),
                },
                Evidence {
                    artifact: name.clone(),
                    file: PathBuf::from(format!("plugins/p{i}/go.mod")),
                    line: Some(5 + j),
                    col: None,
                    text: format!("{module} v1.{}.0", i + 1),
                },
            ];
            f.fix = Some(format!("align {module} on v1.0.0"));
            findings.push(f);
        }
        pv.push(PluginVerdict {
            name: name.clone(),
            dir: format!("plugins/p{i}"),
            verdict: if per_plugin > 0 {
                Verdict::Fails
            } else {
                Verdict::Loads
            },
            after_baseline: None,
            shared_packages: Some(per_plugin + 3),
            deciding_packages: Vec::new(),
            runtime_names: None,
        });
    }
    godrift::finding::sort_findings(&mut findings);
    Report {
        schema_version: godrift::report::SCHEMA_VERSION,
        verdict: if findings.is_empty() {
            Verdict::Loads
        } else {
            Verdict::Fails
        },
        after_baseline: None,
        host: HostInfo {
            name: "host".into(),
            dir: "host".into(),
            module: "example.com/host".into(),
            go_version: Some("1.22".into()),
        },
        plugins: pv,
        findings,
        proposals: Vec::new(),
        go_mod_diffs: Vec::new(),
        notes: Vec::new(),
        artifacts: Vec::new(),
        binary: None,
    }
}

/// `n` plugin names `plugin-0`...
pub fn names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("plugin-{i}")).collect()
}
