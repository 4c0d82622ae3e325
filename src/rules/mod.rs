//! The rules: one file per finding code, each deciding and wording its findings from the
//! project model (source mode) or from the binaries' plain data (binary mode). `run` applies
//! every source-mode rule and the policy, then derives the verdicts and the fix proposals.
//!
//! A rule file's doc comment says what the code means, why it breaks loading, and the fix;
//! the user-facing text of each code lives in the table in `crate::codes`.

pub mod binary;
mod gd001_version_conflict;
mod gd002_replace_divergence;
mod gd003_sum_mismatch;
mod gd004_toolchain_mismatch;
mod gd005_build_flag_mismatch;
mod gd006_inconsistent_vendoring;
mod gd007_source_path_divergence;
mod gd008_duplicate_plugin_path;
mod gd012_host_module_rebuilt;
mod gd020_package_hash_mismatch;
mod gd021_host_not_dynamic;
mod gd022_host_without_cgo;
mod gd023_go_version_mismatch;
mod gd024_not_a_go_artifact;
mod gd090_incomplete_information;
mod vendored_sources;

pub use crate::fixes::{relative_dir, Change, HostUpgrade, Move, Proposal};

use crate::finding::{sort_findings, Evidence, Finding, Severity};
use crate::project::{Project, Side};
use serde::Serialize;

/// What `godrift report` concludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Loads,
    MayFail,
    Fails,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Loads => "loads",
            Verdict::MayFail => "may-fail",
            Verdict::Fails => "fails",
        }
    }

    pub fn of(findings: &[&Finding]) -> Verdict {
        match findings.iter().map(|f| f.severity).max() {
            Some(Severity::Error) => Verdict::Fails,
            Some(Severity::Warning) => Verdict::MayFail,
            _ => Verdict::Loads,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct PluginVerdict {
    pub name: String,
    pub dir: String,
    /// What the findings say, accepted ones included: a baseline never makes a failing
    /// plugin load.
    pub verdict: Verdict,
    /// The verdict without the findings a baseline accepted, when that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_baseline: Option<Verdict>,
}

impl PluginVerdict {
    /// `fails`, or `fails (accepted by baseline)`.
    pub fn shown(&self) -> String {
        shown(self.verdict, self.after_baseline)
    }
}

/// A verdict as shown to people: a baseline never hides it, it only says what it accepted:
/// `fails (accepted by baseline)`, or `fails (may-fail after baseline)`.
pub fn shown(verdict: Verdict, after_baseline: Option<Verdict>) -> String {
    match after_baseline {
        Some(Verdict::Loads) => format!("{} (accepted by baseline)", verdict.as_str()),
        Some(v) => format!("{} ({} after baseline)", verdict.as_str(), v.as_str()),
        None => verdict.as_str().to_string(),
    }
}

/// Whether `f` concerns `plugin` (its own findings, and the host's own problems).
pub fn concerns(f: &Finding, plugin: &str) -> bool {
    f.artifacts.iter().any(|a| a == plugin) || f.artifacts == ["host"]
}

#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub verdict: Verdict,
    pub plugins: Vec<PluginVerdict>,
    pub findings: Vec<Finding>,
    pub proposals: Vec<Proposal>,
}

/// Evidence pointing at the go.mod line that mentions `module` on `side`.
pub(crate) fn go_mod_evidence(side: &Side, module: &str) -> Option<Evidence> {
    let (line, text) = side.go_mod_line_for(module)?;
    Some(Evidence {
        artifact: side.name.clone(),
        file: side.go_mod_path.clone(),
        line: Some(line),
        col: None,
        text,
    })
}

/// Runs every source-mode rule over the project.
pub fn run(project: &Project) -> Analysis {
    let host = &project.host;
    let mut findings = Vec::new();
    findings.extend(gd006_inconsistent_vendoring::check(host));
    findings.extend(gd090_incomplete_information::check(host));
    findings.extend(vendored_sources::pristine(host));
    for p in &project.plugins {
        findings.extend(gd001_version_conflict::check(host, p));
        findings.extend(gd002_replace_divergence::check(host, p));
        findings.extend(gd007_source_path_divergence::check(host, p));
        findings.extend(gd003_sum_mismatch::check(host, p));
        findings.extend(gd012_host_module_rebuilt::check(host, p));
        findings.extend(gd004_toolchain_mismatch::check(host, p));
        findings.extend(gd005_build_flag_mismatch::check(host, p));
        findings.extend(gd022_host_without_cgo::check(host, p));
        findings.extend(gd006_inconsistent_vendoring::check(p));
        findings.extend(gd090_incomplete_information::check(p));
        findings.extend(vendored_sources::between(host, p));
        findings.extend(vendored_sources::pristine(p));
    }
    findings.extend(gd008_duplicate_plugin_path::check(&project.plugins));
    findings.extend(gd001_version_conflict::between_plugins(
        host,
        &project.plugins,
    ));
    findings.retain(|f| !project.config.policy.ignore.contains(&f.code));
    findings.retain(|f| {
        f.module
            .as_ref()
            .is_none_or(|m| !project.config.policy.ignore_modules.contains(m))
    });
    sort_findings(&mut findings);
    let (verdict, plugins) = verdicts(project, &findings);
    let proposals = crate::fixes::propose(project, &findings);
    Analysis {
        verdict,
        plugins,
        findings,
        proposals,
    }
}

fn verdicts(project: &Project, findings: &[Finding]) -> (Verdict, Vec<PluginVerdict>) {
    let plugins: Vec<PluginVerdict> = project
        .plugins
        .iter()
        .map(|p| {
            let mine: Vec<&Finding> = findings.iter().filter(|f| concerns(f, &p.name)).collect();
            PluginVerdict {
                name: p.name.clone(),
                dir: p.dir.display().to_string(),
                verdict: Verdict::of(&mine),
                after_baseline: None,
            }
        })
        .collect();
    let all: Vec<&Finding> = findings.iter().collect();
    (Verdict::of(&all), plugins)
}
