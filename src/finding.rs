//! Findings: the one currency every analysis (source, vendor, binary) pays in.
//! Codes are stable (as cargo-deny's are): never renumber, only add.

use serde::Serialize;
use std::path::PathBuf;

/// Stable diagnostic codes. The string form (`GD001`) is the public contract.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
pub enum Code {
    /// A module shared by host and plugin is required at different versions.
    #[serde(rename = "GD001")]
    VersionConflict,
    /// Same module@version, but a different `replace` target.
    #[serde(rename = "GD002")]
    ReplaceDivergence,
    /// go.sum `h1:` lines disagree for the same module@version.
    #[serde(rename = "GD003")]
    SumMismatch,
    /// Go toolchain (go / toolchain lines, GOTOOLCHAIN) differs.
    #[serde(rename = "GD004")]
    ToolchainMismatch,
    /// Build flags that must match (from godrift.toml or build info) differ.
    #[serde(rename = "GD005")]
    BuildFlagMismatch,
    /// vendor/modules.txt is inconsistent with go.mod.
    #[serde(rename = "GD006")]
    InconsistentVendoring,
    /// Same code compiled from different directories without -trimpath on both.
    #[serde(rename = "GD007")]
    SourcePathDivergence,
    /// Two plugins with the same plugin path ("plugin already loaded").
    #[serde(rename = "GD008")]
    DuplicatePluginPath,
    /// A vendored file differs from the pristine module source or the other side.
    #[serde(rename = "GD009")]
    VendoredFileEdited,
    /// The set of vendored files of a package differs between artifacts.
    #[serde(rename = "GD010")]
    VendoredFileSetDiffers,
    /// The module cache copy does not match go.sum.
    #[serde(rename = "GD011")]
    ModuleCacheTampered,
    /// A package's export-data hash differs between host and plugin (binary mode).
    #[serde(rename = "GD020")]
    PackageHashMismatch,
    /// The host has no Go symbols in .dynsym (internally linked): no plugin can load.
    #[serde(rename = "GD021")]
    HostNotDynamic,
    /// The host was built without cgo: plugin loading is unavailable.
    #[serde(rename = "GD022")]
    HostWithoutCgo,
    /// Host and plugin were built by different Go versions: the process crashes.
    #[serde(rename = "GD023")]
    GoVersionMismatch,
    /// A file is not a usable Go plugin or Go executable.
    #[serde(rename = "GD024")]
    NotAGoArtifact,
    /// godrift could not see something it needs (no module cache, no build info).
    #[serde(rename = "GD090")]
    IncompleteInformation,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::VersionConflict => "GD001",
            Code::ReplaceDivergence => "GD002",
            Code::SumMismatch => "GD003",
            Code::ToolchainMismatch => "GD004",
            Code::BuildFlagMismatch => "GD005",
            Code::InconsistentVendoring => "GD006",
            Code::SourcePathDivergence => "GD007",
            Code::DuplicatePluginPath => "GD008",
            Code::VendoredFileEdited => "GD009",
            Code::VendoredFileSetDiffers => "GD010",
            Code::ModuleCacheTampered => "GD011",
            Code::PackageHashMismatch => "GD020",
            Code::HostNotDynamic => "GD021",
            Code::HostWithoutCgo => "GD022",
            Code::GoVersionMismatch => "GD023",
            Code::NotAGoArtifact => "GD024",
            Code::IncompleteInformation => "GD090",
        }
    }

    /// Short kebab-case name, used in SARIF rule ids and config.
    pub fn name(self) -> &'static str {
        match self {
            Code::VersionConflict => "version-conflict",
            Code::ReplaceDivergence => "replace-divergence",
            Code::SumMismatch => "sum-mismatch",
            Code::ToolchainMismatch => "toolchain-mismatch",
            Code::BuildFlagMismatch => "build-flag-mismatch",
            Code::InconsistentVendoring => "inconsistent-vendoring",
            Code::SourcePathDivergence => "source-path-divergence",
            Code::DuplicatePluginPath => "duplicate-plugin-path",
            Code::VendoredFileEdited => "vendored-file-edited",
            Code::VendoredFileSetDiffers => "vendored-file-set-differs",
            Code::ModuleCacheTampered => "module-cache-tampered",
            Code::PackageHashMismatch => "package-hash-mismatch",
            Code::HostNotDynamic => "host-not-dynamic",
            Code::HostWithoutCgo => "host-without-cgo",
            Code::GoVersionMismatch => "go-version-mismatch",
            Code::NotAGoArtifact => "not-a-go-artifact",
            Code::IncompleteInformation => "incomplete-information",
        }
    }

    pub const ALL: [Code; 17] = [
        Code::VersionConflict,
        Code::ReplaceDivergence,
        Code::SumMismatch,
        Code::ToolchainMismatch,
        Code::BuildFlagMismatch,
        Code::InconsistentVendoring,
        Code::SourcePathDivergence,
        Code::DuplicatePluginPath,
        Code::VendoredFileEdited,
        Code::VendoredFileSetDiffers,
        Code::ModuleCacheTampered,
        Code::PackageHashMismatch,
        Code::HostNotDynamic,
        Code::HostWithoutCgo,
        Code::GoVersionMismatch,
        Code::NotAGoArtifact,
        Code::IncompleteInformation,
    ];
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure godrift is that loading fails. Ordered: `Error` is the worst.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    clap::ValueEnum,
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
}

impl Finding {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_serialize_to_their_string() {
        let mut seen = std::collections::BTreeSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate code {c}");
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
        }
    }
}
