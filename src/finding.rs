//! Findings: the one currency every analysis (source, vendor, binary) pays in.
//! Codes and their documentation live in `crate::codes`.

use serde::Serialize;
use std::path::PathBuf;

pub use crate::codes::Code;

/// How sure godrift is that loading fails. Ordered: `Error` is the worst.
/// The version of the JSON outputs (`report`, `check`): it changes with
/// `schemas/*.schema.json` and only with them, when a change is not backward compatible.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context only; loading is not affected.
    Info,
    /// May break loading (godrift cannot prove either way).
    Warning,
    /// Loading fails (or the process crashes).
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Where a finding's evidence lives: a file, and a line when known.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    /// Which artifact (e.g. `host`, or the plugin's name) this evidence belongs to.
    pub artifact: String,
    pub file: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub col: Option<usize>,
    /// The relevant text (e.g. the go.mod line), trimmed.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    /// One line, what is wrong.
    pub message: String,
    /// Artifacts involved, host first.
    pub artifacts: Vec<String>,
    /// The module the finding is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The package(s) concerned, when known.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub packages: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// What to change, in words and commands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// A unified diff (capped) where one explains the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// Accepted by a baseline: shown, but it does not change the exit code.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
}

impl Finding {
    /// The severity as shown to people: `error`, or `error (accepted)` under a baseline.
    pub fn severity_shown(&self) -> String {
        if self.accepted {
            format!("{} (accepted)", self.severity.as_str())
        } else {
            self.severity.as_str().to_string()
        }
    }

    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            message: message.into(),
            artifacts: Vec::new(),
            module: None,
            packages: Vec::new(),
            evidence: Vec::new(),
            fix: None,
            diff: None,
            accepted: false,
        }
    }

    /// Deterministic order for reports: worst first, then code, module, message.
    pub fn sort_key(&self) -> impl Ord + '_ {
        (
            std::cmp::Reverse(self.severity),
            self.code,
            self.module.as_deref().unwrap_or(""),
            self.message.as_str(),
        )
    }
}

/// Sorts findings into the deterministic report order.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}
