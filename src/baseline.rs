//! Accepted drift: a baseline file lists findings a team has accepted, so a pre-commit hook
//! or CI fails only on new drift. A finding is identified by its code, module, artifacts and
//! message (which carries the versions: a changed version is new drift).

use crate::finding::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Baseline {
    pub schema_version: u32,
    pub accepted: BTreeSet<String>,
}

pub fn fingerprint(f: &Finding) -> String {
    format!(
        "{}|{}|{}|{}",
        f.code,
        f.module.as_deref().unwrap_or(""),
        f.artifacts.join(","),
        f.message
    )
}

impl Baseline {
    pub fn of(findings: &[Finding]) -> Baseline {
        Baseline {
            schema_version: 1,
            accepted: findings.iter().map(fingerprint).collect(),
        }
    }

    pub fn parse(text: &str) -> Result<Baseline, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Drops accepted findings; returns how many were dropped.
    pub fn filter(&self, findings: &mut Vec<Finding>) -> usize {
        let before = findings.len();
        findings.retain(|f| !self.accepted.contains(&fingerprint(f)));
        before - findings.len()
    }
}
