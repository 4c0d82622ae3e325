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
mod gd009_vendored_file_edited;
mod gd010_vendored_file_set_differs;
mod gd011_module_cache_tampered;
mod gd012_host_module_rebuilt;
mod gd013_go_mod_needs_update;
mod gd020_package_hash_mismatch;
mod gd021_host_not_dynamic;
mod gd022_host_without_cgo;
mod gd023_go_version_mismatch;
mod gd024_not_a_go_artifact;
mod gd025_elf_target_mismatch;
mod gd026_glibc_too_new;
mod gd027_unexpected_library;
mod gd090_incomplete_information;
mod vendored_sources;

pub use crate::fixes::{relative_dir, Change, HostUpgrade, Move, Proposal};

use crate::finding::{sort_findings, Evidence, Finding, Severity};
use crate::linkage::{Linkage, Shared};
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
    /// How many packages (outside the standard library) the host and this plugin both link:
    /// the runtime compares their hashes. None when the packages were not walked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_packages: Option<usize>,
    /// The shared packages that make it fail (those of its error findings).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deciding_packages: Vec<String>,
    /// The package plugin.Open will most likely name in its error, when it can be predicted
    /// (often not the package that really changed: the findings say which did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_names: Option<String>,
}

impl PluginVerdict {
    /// `fails`, or `fails (accepted by baseline)`.
    pub fn shown(&self) -> String {
        shown(self.verdict, self.after_baseline)
    }

    /// What the runtime compares: `12 shared; differ: a/b, c/d; plugin.Open names a/b`.
    pub fn packages_shown(&self) -> String {
        let Some(n) = self.shared_packages else {
            return "not walked".into();
        };
        let mut s = format!("{n} shared");
        if !self.deciding_packages.is_empty() {
            s.push_str(&format!(
                "; differ: {}",
                crate::linkage::list(&self.deciding_packages, 3)
            ));
        }
        if let Some(p) = &self.runtime_names {
            s.push_str(&format!("; plugin.Open names {p}"));
        }
        s
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

/// For each of `plugins`, the findings that concern it (`concerns`), in order: from one pass
/// over the findings' artifacts, not one pass over every finding per plugin.
pub fn concerning<'f, 'n>(
    findings: &'f [Finding],
    plugins: impl Iterator<Item = &'n str>,
) -> Vec<Vec<&'f Finding>> {
    let mut by_name: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    let mut everyone = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if f.artifacts == ["host"] {
            everyone.push(i);
        }
        for a in &f.artifacts {
            by_name.entry(a.as_str()).or_default().push(i);
        }
    }
    plugins
        .map(|name| {
            let mut at: Vec<usize> = by_name.get(name).cloned().unwrap_or_default();
            at.extend(&everyone);
            at.sort_unstable();
            at.dedup();
            at.into_iter().map(|i| &findings[i]).collect()
        })
        .collect()
}

#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub verdict: Verdict,
    pub plugins: Vec<PluginVerdict>,
    pub findings: Vec<Finding>,
    pub proposals: Vec<Proposal>,
    /// Per go.mod the proposals change, its text before and after all of them (the plan's
    /// first round, computed once with the proposals): what reports show as one diff.
    #[serde(skip)]
    pub go_mod_edits: Vec<GoModEdit>,
}

/// One go.mod's whole proposed edit.
#[derive(Clone, Debug)]
pub struct GoModEdit {
    pub artifact: String,
    pub go_mod: std::path::PathBuf,
    pub old: String,
    pub new: String,
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

/// Two artifacts compared: the host and a plugin (or, for modules the host lacks, two
/// plugins), with the packages they both link, computed once.
pub(crate) struct Pair<'a> {
    pub a: &'a Side,
    pub b: &'a Side,
    pub shared: Shared,
}

impl<'a> Pair<'a> {
    pub fn new(a: &'a Side, b: &'a Side) -> Pair<'a> {
        Pair {
            a,
            b,
            shared: Shared::between(a.linked.as_ref(), b.linked.as_ref()),
        }
    }

    pub fn linkage(&self, module: &str) -> Linkage {
        self.shared.linkage(module)
    }
}

/// How a module-level difference is judged from what both sides link: an error when a
/// package of the module is linked by both (those packages are listed), the same when that
/// cannot be known (why is said), and info ("latent") when no package of it is linked by
/// both. Returns the severity and the words to append to the message.
pub(crate) fn judge(linkage: &Linkage, error: Severity, module: &str) -> (Severity, String) {
    match linkage {
        Linkage::Shared(p) => (
            error,
            format!(
                "; both link {} of its package(s): {}",
                p.len(),
                crate::linkage::list(p, 5)
            ),
        ),
        Linkage::Unknown(why) => (
            error,
            format!("; whether both link a package of it is not known ({why})"),
        ),
        Linkage::Latent => (
            Severity::Info,
            format!("; latent: no package of {module} is linked by both today, so loading is not affected until both link one"),
        ),
    }
}

/// Applies `judge` to a finding built at module level.
pub(crate) fn judged(mut f: Finding, linkage: &Linkage) -> Finding {
    let module = f.module.clone().unwrap_or_default();
    let (severity, words) = judge(linkage, f.severity, &module);
    f.severity = severity;
    f.message.push_str(&words);
    if let Linkage::Shared(p) = linkage {
        f.packages = p.clone();
    }
    if severity == Severity::Info {
        f.fix = Some(format!(
            "nothing to change now; align {module} before either side starts to link a package the other links"
        ));
    }
    f
}

/// What `run` computes beyond the findings and verdicts.
#[derive(Clone, Copy, Debug)]
pub struct RunOptions {
    /// Each proposal's change with its own diff (shown by the JSON report only).
    pub change_diffs: bool,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions { change_diffs: true }
    }
}

/// Runs every source-mode rule over the project.
pub fn run(project: &Project) -> Analysis {
    run_with(project, RunOptions::default())
}

/// `run`, computing only what `opts` asks for beyond the findings.
pub fn run_with(project: &Project, opts: RunOptions) -> Analysis {
    let host = &project.host;
    let mut findings = Vec::new();
    findings.extend(gd006_inconsistent_vendoring::check(host));
    findings.extend(gd090_incomplete_information::check(host, &project.modcache));
    let env_mod = project.load_options.mod_mode.as_deref();
    let mod_mode = |s: &crate::project::Side| s.build.mod_mode.map(|m| m.as_str()).or(env_mod);
    findings.extend(gd013_go_mod_needs_update::check(host, true, mod_mode(host)));
    // The vendored-source comparisons visit every vendored file: per side and per pair,
    // in parallel, before the rest.
    let (host_pristine, vendored): (_, Vec<_>) = rayon::join(
        || vendored_sources::pristine(host),
        || {
            use rayon::prelude::*;
            project
                .plugins
                .par_iter()
                .map(|p| {
                    let pair = Pair::new(host, p);
                    (
                        vendored_sources::between(&pair),
                        vendored_sources::pristine(p),
                    )
                })
                .collect()
        },
    );
    // Each plugin against the host: independent, so in parallel, kept in plugin order.
    let per_plugin = |(p, (between, pristine)): (
        &crate::project::Side,
        (Vec<Finding>, Vec<Finding>),
    )|
     -> Vec<Finding> {
        let mut findings = Vec::new();
        let pair = Pair::new(host, p);
        findings.extend(gd001_version_conflict::check(&pair));
        findings.extend(gd002_replace_divergence::check(&pair));
        findings.extend(gd007_source_path_divergence::check(&pair));
        findings.extend(gd003_sum_mismatch::check(&pair));
        findings.extend(gd012_host_module_rebuilt::check(&pair));
        findings.extend(gd004_toolchain_mismatch::check(host, p));
        findings.extend(gd005_build_flag_mismatch::check(&pair));
        findings.extend(gd022_host_without_cgo::check(host, p));
        findings.extend(gd006_inconsistent_vendoring::check(p));
        findings.extend(gd013_go_mod_needs_update::check(p, false, mod_mode(p)));
        findings.extend(gd090_incomplete_information::check(p, &project.modcache));
        findings.extend(between);
        // Vendored edits matter for this pair only where the other side links the package.
        findings.extend(vendored_sources::relevant(&host_pristine, &pair, true));
        findings.extend(vendored_sources::relevant(&pristine, &pair, false));
        findings
    };
    {
        use rayon::prelude::*;
        let each: Vec<Vec<Finding>> = project
            .plugins
            .par_iter()
            .zip(vendored)
            .map(per_plugin)
            .collect();
        findings.extend(each.into_iter().flatten());
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
    dedup(&mut findings);
    let (verdict, plugins) = verdicts(project, &findings);
    let plan = crate::fixes::plan(
        project,
        &findings,
        crate::fixes::PlanOptions {
            change_diffs: opts.change_diffs,
            ..Default::default()
        },
    );
    let go_mod_edits = if plan.proposals.is_empty() {
        Vec::new()
    } else {
        plan.sides
            .into_iter()
            .filter(|s| s.changes_go_mod())
            .map(|s| GoModEdit {
                artifact: s.artifact,
                go_mod: s.go_mod,
                old: s.old,
                new: s.new,
            })
            .collect()
    };
    Analysis {
        verdict,
        plugins,
        findings,
        proposals: plan.proposals,
        go_mod_edits,
    }
}

/// The same finding reached through several pairs (a host-side vendored edit seen for
/// each plugin) is reported once, naming every artifact it concerns.
fn dedup(findings: &mut Vec<Finding>) {
    // Where each finding goes: its own place, or an earlier equal one (same code, module
    // and message, the latest kept of them, at the same severity), looked up by reference
    // (messages naming hundreds of plugins are not copied for the key).
    let mut into: Vec<usize> = Vec::with_capacity(findings.len());
    {
        let mut index: foldhash::HashMap<(crate::codes::Code, &str, &str), usize> =
            Default::default();
        for (i, f) in findings.iter().enumerate() {
            let key = (
                f.code,
                f.module.as_deref().unwrap_or_default(),
                f.message.as_str(),
            );
            match index.get(&key) {
                Some(&j) if findings[j].severity == f.severity => into.push(j),
                _ => {
                    index.insert(key, i);
                    into.push(i);
                }
            }
        }
    }
    if into.iter().enumerate().all(|(i, &j)| i == j) {
        return;
    }
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    // Where each kept finding is in `out`.
    let mut at: Vec<usize> = vec![usize::MAX; findings.len()];
    for (i, f) in findings.drain(..).enumerate() {
        let j = into[i];
        if j == i {
            at[i] = out.len();
            out.push(f);
            continue;
        }
        let kept = &mut out[at[j]];
        for a in f.artifacts {
            if !kept.artifacts.contains(&a) {
                kept.artifacts.push(a);
            }
        }
    }
    *findings = out;
}

fn verdicts(project: &Project, findings: &[Finding]) -> (Verdict, Vec<PluginVerdict>) {
    let host = &project.host;
    let concerning = concerning(findings, project.plugins.iter().map(|p| p.name.as_str()));
    let plugins: Vec<PluginVerdict> = project
        .plugins
        .iter()
        .zip(concerning)
        .map(|(p, mine)| {
            let verdict = Verdict::of(&mine);
            let shared = Shared::between(host.linked.as_ref(), p.linked.as_ref());
            let mut deciding: Vec<String> = mine
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .flat_map(|f| f.packages.iter().cloned())
                .collect();
            deciding.sort();
            deciding.dedup();
            PluginVerdict {
                name: p.name.clone(),
                dir: p.dir.display().to_string(),
                verdict,
                after_baseline: None,
                shared_packages: p.linked.as_ref().map(|_| {
                    shared
                        .packages()
                        .collect::<std::collections::BTreeSet<_>>()
                        .len()
                }),
                runtime_names: (verdict == Verdict::Fails)
                    .then(|| runtime_names(host, p, &mine, &deciding))
                    .flatten(),
                deciding_packages: deciding,
            }
        })
        .collect();
    let all: Vec<&Finding> = findings.iter().collect();
    (Verdict::of(&all), plugins)
}

/// The package plugin.Open will most likely name: the first package in the plugin's
/// dependency order whose hash differs. A flag that changes every package (GD005) makes
/// that the first package both link, standard library included; another toolchain (GD004)
/// or a host without cgo (GD022) fail before any package is compared.
fn runtime_names(
    host: &Side,
    plugin: &Side,
    mine: &[&Finding],
    deciding: &[String],
) -> Option<String> {
    use crate::codes::Code;
    let errors = || mine.iter().filter(|f| f.severity == Severity::Error);
    if errors().any(|f| matches!(f.code, Code::ToolchainMismatch | Code::HostWithoutCgo)) {
        return None;
    }
    let (hl, pl) = (host.linked.as_ref()?, plugin.linked.as_ref()?);
    let flags: Vec<&&Finding> = errors()
        .filter(|f| f.code == Code::BuildFlagMismatch)
        .collect();
    // -race and GOEXPERIMENT change a few standard-library packages only (measured:
    // sync/atomic, internal/goexperiment), which the dependency order does not tell.
    if flags
        .iter()
        .any(|f| f.message.starts_with("-race") || f.message.starts_with("GOEXPERIMENT"))
    {
        return None;
    }
    let everything = !flags.is_empty();
    pl.order
        .iter()
        .find(|pkg| {
            if everything {
                hl.packages.contains_key(*pkg)
            } else {
                deciding.contains(pkg)
            }
        })
        .cloned()
}
