//! Source-mode analyses, one file per finding kind. Each compares the host with one plugin
//! (or the plugins with each other) and says, with Go's rules, whether loading will fail.

mod build_flags;
mod duplicate_plugin;
mod incomplete;
mod proposals;
mod replace_divergence;
mod source_path;
mod sum_mismatch;
mod toolchain;
mod vendored_sources;
mod vendoring;
mod version_conflict;

pub use proposals::{relative_dir, Change, HostUpgrade, Move, Proposal};

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

    fn of(findings: &[&Finding]) -> Verdict {
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
    pub verdict: Verdict,
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

/// Runs every analysis over the project.
pub fn analyze(project: &Project) -> Analysis {
    let host = &project.host;
    let mut findings = Vec::new();
    findings.extend(vendoring::check(host));
    findings.extend(incomplete::check(host));
    findings.extend(vendored_sources::pristine(host));
    for p in &project.plugins {
        findings.extend(version_conflict::check(host, p));
        findings.extend(replace_divergence::check(host, p));
        findings.extend(source_path::check(host, p));
        findings.extend(sum_mismatch::check(host, p));
        findings.extend(toolchain::check(host, p));
        findings.extend(build_flags::check(host, p));
        findings.extend(vendoring::check(p));
        findings.extend(incomplete::check(p));
        findings.extend(vendored_sources::between(host, p));
        findings.extend(vendored_sources::pristine(p));
    }
    findings.extend(duplicate_plugin::check(&project.plugins));
    // Modules shared only by plugins: the first plugin loaded provides them to later ones.
    for (i, a) in project.plugins.iter().enumerate() {
        for b in &project.plugins[i + 1..] {
            for mut f in version_conflict::check(a, b) {
                let module = f.module.clone().unwrap_or_default();
                if host.build_list.get(&module).is_none() {
                    // Opened first, `a` provides the module; only `b` fails to open.
                    f.artifacts = vec![b.name.clone()];
                    f.message.push_str(&format!(
                        " (not in the host: the plugin opened first provides it, so {} fails if opened after {})",
                        b.name, a.name
                    ));
                    findings.push(f);
                }
            }
        }
    }
    findings.retain(|f| !project.config.policy.ignore.contains(&f.code));
    findings.retain(|f| {
        f.module
            .as_ref()
            .is_none_or(|m| !project.config.policy.ignore_modules.contains(m))
    });
    sort_findings(&mut findings);
    let (verdict, plugins) = verdicts(project, &findings);
    let proposals = proposals::propose(project, &findings);
    Analysis {
        verdict,
        plugins,
        findings,
        proposals,
    }
}

impl Analysis {
    /// Recomputes verdicts after findings were filtered (e.g. by a baseline).
    pub fn refresh_verdicts(&mut self, project: &Project) {
        let (v, p) = verdicts(project, &self.findings);
        self.verdict = v;
        self.plugins = p;
        let kept: std::collections::BTreeSet<&str> = self
            .findings
            .iter()
            .filter_map(|f| f.module.as_deref())
            .collect();
        self.proposals.retain(|p| kept.contains(p.module.as_str()));
    }
}

fn verdicts(project: &Project, findings: &[Finding]) -> (Verdict, Vec<PluginVerdict>) {
    let plugins: Vec<PluginVerdict> = project
        .plugins
        .iter()
        .map(|p| {
            let mine: Vec<&Finding> = findings
                .iter()
                .filter(|f| f.artifacts.contains(&p.name) || f.artifacts == ["host"])
                .collect();
            PluginVerdict {
                name: p.name.clone(),
                dir: p.dir.display().to_string(),
                verdict: Verdict::of(&mine),
            }
        })
        .collect();
    let all: Vec<&Finding> = findings.iter().collect();
    (Verdict::of(&all), plugins)
}
