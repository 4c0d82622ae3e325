//! The report: the project's analysis as a plain document, and its renderers (pure
//! functions of it): terminal table, JSON (versioned schema), Markdown (with a Mermaid graph,
//! for code review) and SARIF 2.1.0 (rule ids are the stable finding codes). `check`'s
//! binary-mode report renders through the same modules.

mod contract;
mod github;
pub mod grid;
mod markdown;
mod sarif;
mod table;

pub use contract::{base_json, base_markdown, base_rows, contract_diff_markdown, BaseRow};
pub use github::{annotations, check_annotations, summary, MAX_ANNOTATIONS, MAX_SUMMARY_BYTES};
pub use markdown::{check_markdown, markdown, MAX_CHARS, MAX_EDGES};
pub use sarif::{check_sarif, limits as sarif_limits, sarif, SarifOptions, SRCROOT};
pub use table::{
    base_table_styled, check_table, check_table_styled, table, table_styled, write_table, Style,
};

pub use crate::finding::SCHEMA_VERSION;

use crate::finding::{Finding, Severity};
use crate::project::Project;
use crate::rules::binary::CheckReport;
use crate::rules::{Analysis, Proposal, Verdict};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct HostInfo {
    pub name: String,
    pub dir: String,
    pub module: String,
    pub go_version: Option<String>,
}

/// One go.mod's whole proposed edit (every proposal's change to it at once).
#[derive(Clone, Debug, Serialize)]
pub struct GoModDiff {
    pub artifact: String,
    pub go_mod: String,
    pub diff: String,
}

/// The JSON document (`schema_version` 1, described by `schemas/report.schema.json`).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub verdict: Verdict,
    /// The verdict without the findings a baseline accepted, when that differs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_baseline: Option<Verdict>,
    pub host: HostInfo,
    pub plugins: Vec<crate::rules::PluginVerdict>,
    pub findings: Vec<Finding>,
    pub proposals: Vec<Proposal>,
    /// Per go.mod, the diff of all its proposed changes together.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub go_mod_diffs: Vec<GoModDiff>,
    pub notes: Vec<String>,
    /// What each artifact links (the host first), from the package stage.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<ArtifactPackages>,
    /// Binary-mode results when built artifacts were given (`--built-host`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary: Option<crate::rules::binary::CheckReport>,
}

/// The packages one artifact links, outside the standard library.
#[derive(Clone, Debug, Serialize)]
pub struct ArtifactPackages {
    pub name: String,
    /// `host` or `plugin`.
    pub kind: &'static str,
    pub main_packages: Vec<String>,
    /// No gap: every linked package was found and read.
    pub complete: bool,
    /// The gaps, in Go's words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// `go mod download` commands for modules whose sources were missing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_sources: Vec<String>,
    pub standard_packages: usize,
    pub packages: Vec<LinkedPackage>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LinkedPackage {
    pub path: String,
    pub module: String,
    /// The selected version ("" for a main module).
    pub version: String,
    /// What replaces the module (`dir ../x` or `module M@V`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace: Option<String>,
}

fn artifact_packages(side: &crate::project::Side, kind: &'static str) -> Option<ArtifactPackages> {
    let l = side.linked.as_ref()?;
    let mut packages = Vec::new();
    let mut standard = 0;
    for (path, p) in &l.packages {
        if p.standard {
            standard += 1;
            continue;
        }
        let Some(m) = &p.module else { continue };
        packages.push(LinkedPackage {
            path: path.clone(),
            module: m.path.clone(),
            version: m.version.clone(),
            replace: m.replace.as_ref().map(|r| match r {
                crate::graph::Replacement::Dir { path, .. } => format!("dir {path}"),
                crate::graph::Replacement::Module { module } => format!("module {module}"),
            }),
        });
    }
    Some(ArtifactPackages {
        name: side.name.clone(),
        kind,
        main_packages: l.mains.clone(),
        complete: l.problems.is_empty() && l.missing.is_empty(),
        problems: l.problems.clone(),
        missing_sources: l.missing.iter().map(|m| m.command.clone()).collect(),
        standard_packages: standard,
        packages,
    })
}

/// Shows paths relative to the project root, so reports are stable across machines. The
/// root is canonicalized once; paths are compared lexically with each spelling of it (model
/// paths are joined to the root as given, replacement directories are canonical).
struct Rel {
    /// The root as given, absolute, and canonical; absolute spellings longest first.
    roots: Vec<std::path::PathBuf>,
    /// Each of `roots` as text, and with a slash after it.
    spelled: Vec<(String, String)>,
}

impl Rel {
    fn new(project: &Project) -> Rel {
        let root = project.root.clone();
        let mut absolute = Vec::new();
        if let Ok(c) = root.canonicalize() {
            absolute.push(c);
        }
        if root.is_absolute() {
            absolute.push(root.clone());
        } else if let Ok(cwd) = std::env::current_dir() {
            absolute.push(cwd.join(&root));
        }
        absolute.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
        absolute.dedup();
        let mut roots = absolute;
        if !root.is_absolute() {
            roots.push(root);
        }
        let spelled = roots
            .iter()
            .map(|r| {
                let r = r.display().to_string();
                let slash = format!("{r}/");
                (r, slash)
            })
            .collect();
        Rel { roots, spelled }
    }

    fn path(&self, p: &std::path::Path) -> String {
        for root in &self.roots {
            match p.strip_prefix(root) {
                Ok(r) if r.as_os_str().is_empty() => return ".".into(),
                Ok(r) => return r.display().to_string(),
                Err(_) => {}
            }
        }
        p.display().to_string()
    }

    /// Makes paths inside a message relative to the root, in place: `ROOT/x` becomes `x`
    /// and `ROOT` itself `.` (absolute spellings first, so the relative one never matches
    /// inside an absolute path). A message naming no path under the root (most of them) is
    /// left as it is, neither copied nor reallocated.
    fn rewrite(&self, s: &mut String) {
        for (root, slash) in &self.spelled {
            if !s.contains(root.as_str()) {
                continue;
            }
            // `ROOT/` removed where it starts a path: not inside another path, so a root
            // spelled `.` leaves `../x` alone.
            if let Some(r) = replaced(s, slash, true, |before, _| {
                (!path_char(before)).then_some("")
            }) {
                *s = r;
            }
            // `ROOT` as a whole path (not followed nor preceded by a path character).
            if let Some(r) = replaced(s, root, false, |before, after| {
                (!path_char(before) && !path_char(after)).then_some(".")
            }) {
                *s = r;
            }
        }
    }
}

fn path_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || "/._-@".contains(c))
}

/// `s` with each occurrence of `what` that `with` accepts (given the characters before and
/// after it) replaced by what it returns; None when none is, without building a copy. The
/// character before an occurrence is looked for after the previous occurrence only; where
/// there is none, in what is written so far when `written_before`, else there is none.
fn replaced(
    s: &str,
    what: &str,
    written_before: bool,
    with: impl Fn(Option<char>, Option<char>) -> Option<&'static str>,
) -> Option<String> {
    if what.is_empty() {
        return None;
    }
    let mut out: Option<String> = None;
    let mut done = 0; // bytes of `s` already in `out`
    let mut from = 0;
    while let Some(i) = s[from..].find(what).map(|i| from + i) {
        let end = i + what.len();
        let before = match (i == from, written_before) {
            (false, _) => s[..i].chars().next_back(),
            (true, false) => None,
            (true, true) if i == done => match &out {
                Some(o) => o.chars().next_back(),
                None => s[..i].chars().next_back(),
            },
            (true, true) => s[..i].chars().next_back(),
        };
        let after = s[end..].chars().next();
        if let Some(w) = with(before, after) {
            let o = out.get_or_insert_with(|| String::with_capacity(s.len()));
            o.push_str(&s[done..i]);
            o.push_str(w);
            done = end;
        }
        from = end;
    }
    let mut o = out?;
    o.push_str(&s[done..]);
    Some(o)
}

/// One diff per go.mod the proposals change, with all its edits at once: the plan `align`
/// starts from (its first round; `align` may add pins when it settles).
fn go_mod_diffs(edits: &[crate::rules::GoModEdit], rel: &Rel) -> Vec<GoModDiff> {
    use rayon::prelude::*;
    edits
        .par_iter()
        .map(|s| {
            let go_mod = rel.path(&s.go_mod);
            GoModDiff {
                artifact: s.artifact.clone(),
                diff: crate::fixes::unified_diff(&go_mod, Some(&s.old), &s.new),
                go_mod,
            }
        })
        .collect()
}

impl Report {
    /// The headline verdict: `fails`, or `fails (accepted by baseline)`.
    pub fn verdict_shown(&self) -> String {
        crate::rules::shown(self.verdict, self.after_baseline)
    }

    pub fn new(project: &Project, analysis: Analysis) -> Report {
        let rel = Rel::new(project);
        let go_mod_diffs = go_mod_diffs(&analysis.go_mod_edits, &rel);
        let mut findings = analysis.findings;
        // Evidence names the same few go.mod files over and over: each made relative once.
        let mut shown: std::collections::HashMap<std::path::PathBuf, std::path::PathBuf> =
            Default::default();
        for f in &mut findings {
            for e in &mut f.evidence {
                let file = std::mem::take(&mut e.file);
                e.file = match shown.get(&file) {
                    Some(r) => r.clone(),
                    None => {
                        let r: std::path::PathBuf = rel.path(&file).into();
                        shown.insert(file, r.clone());
                        r
                    }
                };
            }
        }
        // Absolute directories in messages would make reports machine-specific. Messages
        // can list hundreds of plugins: scanned in parallel.
        {
            use rayon::prelude::*;
            findings.par_iter_mut().for_each(|f| {
                rel.rewrite(&mut f.message);
                if let Some(fix) = &mut f.fix {
                    rel.rewrite(fix);
                }
            });
        }
        let mut proposals = analysis.proposals;
        for p in &mut proposals {
            for c in &mut p.changes {
                c.go_mod = rel.path(std::path::Path::new(&c.go_mod));
                let side_dir = std::path::Path::new(&c.go_mod)
                    .parent()
                    .map(|d| {
                        if d.as_os_str().is_empty() {
                            ".".to_string()
                        } else {
                            d.display().to_string()
                        }
                    })
                    .unwrap_or_else(|| ".".into());
                if !c.args.is_empty() {
                    c.command =
                        format!("(cd {} && {})", crate::text::shell_word(&side_dir), c.args);
                }
                if let Some(n) = &mut c.note {
                    rel.rewrite(n);
                }
            }
        }
        let mut plugins = analysis.plugins;
        for p in &mut plugins {
            p.dir = rel.path(std::path::Path::new(&p.dir));
        }
        Report {
            schema_version: SCHEMA_VERSION,
            verdict: analysis.verdict,
            after_baseline: None,
            host: HostInfo {
                name: project.host.name.clone(),
                dir: rel.path(&project.host.dir),
                module: project.host.module_path().to_string(),
                go_version: project.host.go_mod.go.as_ref().map(|g| g.version.clone()),
            },
            plugins,
            findings,
            proposals,
            go_mod_diffs,
            notes: project.notes.clone(),
            artifacts: artifact_packages(&project.host, "host")
                .into_iter()
                .chain(
                    project
                        .plugins
                        .iter()
                        .filter_map(|p| artifact_packages(p, "plugin")),
                )
                .map(|mut a| {
                    for pr in &mut a.problems {
                        rel.rewrite(pr);
                    }
                    for pk in &mut a.packages {
                        if let Some(r) = &mut pk.replace {
                            rel.rewrite(r);
                        }
                    }
                    a
                })
                .collect(),
            binary: None,
        }
    }

    /// Adds binary-mode results. The built files are the ground truth: the headline verdict
    /// becomes theirs (source mode's stays in the notes), and so does the exit code.
    pub fn add_binary(&mut self, check: crate::rules::binary::CheckReport) {
        self.findings.extend(check.findings.iter().cloned());
        crate::finding::sort_findings(&mut self.findings);
        let built = if check.all_load() {
            Verdict::Loads
        } else {
            Verdict::Fails
        };
        if built != self.verdict {
            self.notes.push(format!(
                "source mode alone says {}; the built files say {} (they are what plugin.Open sees)",
                self.verdict.as_str(),
                built.as_str()
            ));
        }
        self.verdict = built;
        self.binary = Some(check);
    }

    /// Whether the report fails at `fail_on`: with built files, when a plugin does not
    /// load; else when a finding not accepted by a baseline reaches `fail_on`.
    pub fn fails_at(&self, fail_on: Severity) -> bool {
        if let Some(b) = &self.binary {
            return !b.all_load();
        }
        self.findings
            .iter()
            .any(|f| !f.accepted && f.severity >= fail_on)
    }

    /// Applies a baseline: accepted findings are marked (still shown), and each plugin
    /// whose verdict they decide also gets its verdict without them. Returns how many
    /// findings were accepted.
    pub fn accept(&mut self, baseline: &crate::baseline::Baseline) -> usize {
        let n = baseline.mark(&mut self.findings);
        let concerning =
            crate::rules::concerning(&self.findings, self.plugins.iter().map(|p| p.name.as_str()));
        for (p, mine) in self.plugins.iter_mut().zip(concerning) {
            let open: Vec<&Finding> = mine.into_iter().filter(|f| !f.accepted).collect();
            let v = Verdict::of(&open);
            p.after_baseline = (v != p.verdict).then_some(v);
        }
        let open: Vec<&Finding> = self.findings.iter().filter(|f| !f.accepted).collect();
        let v = Verdict::of(&open);
        self.after_baseline = (v != self.verdict).then_some(v);
        n
    }
}

pub fn json(r: &Report) -> String {
    let mut s = serde_json::to_string_pretty(r).unwrap_or_default();
    s.push('\n');
    s
}

/// `json` written as it is serialized (a report on hundreds of plugins is tens of
/// megabytes: not held whole in memory).
pub fn write_json(r: &Report, w: &mut impl std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, r)?;
    w.write_all(b"\n")
}

/// `check`'s report as JSON.
pub fn check_json(r: &CheckReport) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod rel_tests {
    use super::Rel;

    fn rel(roots: &[&str]) -> Rel {
        Rel {
            roots: roots.iter().map(std::path::PathBuf::from).collect(),
            spelled: roots
                .iter()
                .map(|r| (r.to_string(), format!("{r}/")))
                .collect(),
        }
    }

    #[test]
    fn paths_under_the_root_become_relative_and_others_stay() {
        let r = rel(&["/w/proj", "."]);
        for (given, shown) in [
            ("no path here", "no path here"),
            ("see /w/proj/plugins/a/go.mod", "see plugins/a/go.mod"),
            ("in /w/proj: x", "in .: x"),
            ("/w/proj/a and /w/proj/b", "a and b"),
            ("/w/projects/a stays", "/w/projects/a stays"),
            ("/x/w/proj/a stays", "/x/w/proj/a stays"),
            ("./plugins/a and ../b", "plugins/a and ../b"),
            ("v1.2.3 has dots", "v1.2.3 has dots"),
            ("(cd . && go get)", "(cd . && go get)"),
        ] {
            let mut s = given.to_string();
            r.rewrite(&mut s);
            assert_eq!(s, shown, "{given}");
        }
    }

    #[test]
    fn a_root_removed_just_before_another_is_judged_on_what_precedes_both() {
        // As a person reads it: the second `./` starts a path once the first is gone.
        let r = rel(&["."]);
        let mut s = "././x".to_string();
        r.rewrite(&mut s);
        assert_eq!(s, "x");
    }
}
