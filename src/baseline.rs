//! Accepted drift: a baseline file lists findings a team has accepted, so a pre-commit hook
//! or CI fails only on new drift. A finding is identified by its code, module, artifacts and
//! message (which carries the versions: a changed version is new drift), taken from the
//! report, where paths are relative to the project root: the keys do not depend on how the
//! project directory was spelled. Accepted findings stay in the report, marked; they only
//! stop counting for the exit code.

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

    /// Marks the accepted findings; returns how many were marked.
    pub fn mark(&self, findings: &mut [Finding]) -> usize {
        let mut n = 0;
        for f in findings {
            if self.accepted.contains(&fingerprint(f)) {
                f.accepted = true;
                n += 1;
            }
        }
        n
    }
}
