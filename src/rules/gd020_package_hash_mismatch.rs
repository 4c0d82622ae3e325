//! GD020 package-hash-mismatch: the runtime's own check, replayed from the binaries.
//!
//! - What: a package linked into host and plugin has different export-data hashes.
//! - Why: plugin.Open rejects the plugin, naming the first such package in the plugin's
//!   check order (often not the one that really changed: the causes say which).
//! - Fix: rebuild the plugin with the host's dependency versions and flags.

use crate::binary::PluginResult;
use crate::finding::{Code, Evidence, Finding, Severity};
use std::path::Path;

pub fn binary(host: &str, name: &str, file: &Path, r: &PluginResult) -> Finding {
    let first = &r.mismatched_packages[0];
    let against = if first.bound_to == "host" {
        "host".to_string()
    } else {
        format!("earlier plugin {}", first.bound_to)
    };
    let mut f = Finding::new(
        Code::PackageHashMismatch,
        Severity::Error,
        format!(
            "{name} fails to load: {} package(s) differ from what the {against} provides; the runtime will name {}",
            r.mismatched_packages.len(),
            first.package
        ),
    );
    f.artifacts = vec![host.to_string(), name.to_string()];
    f.packages = r
        .mismatched_packages
        .iter()
        .map(|m| m.package.clone())
        .collect();
    f.evidence.push(Evidence {
        artifact: name.to_string(),
        file: file.to_path_buf(),
        line: None,
        col: None,
        text: r.error.clone().unwrap_or_default(),
    });
    f
}
