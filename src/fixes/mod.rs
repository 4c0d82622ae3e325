//! Alignment proposals and the edits that carry them out.
//!
//! `plan` turns the findings (error and warning only: info-level findings are latent, nothing
//! both sides link) into one edit per go.mod: every module a finding names is set to the
//! reference side's effective source (the host's, or with `strategy = "max"` the newest),
//! requirement lines are set or added (`// indirect`), replacements are mirrored or removed.
//! Edits are applied to the file's text in sequence and the build list recomputed until it
//! settles, so the result holds together: a module the edits move away from the host's version
//! is pinned back, a requirement the new graph raises is raised (cmd/go's updatePrunedRoots),
//! and a module the plugin's own requirements force above the host's is reported with the host
//! upgrade that would fix it instead. `propose` presents the plan per module for reports.

mod plan;
mod proposals;
mod scaffold;
mod source;
pub mod sums;

pub use plan::{plan, Forced, Plan, PlanOptions, SidePlan, Step};
pub use scaffold::{build_info_pins, new_plugin, validate_name, Scaffold, ScaffoldError};
pub use source::{describe, effective, Source};
pub use sums::{missing_sums, SumEntry};

use crate::config::AlignStrategy;
use crate::finding::{Code, Finding, Severity};
use crate::gomod::{self, ModFile};
use crate::graph::{self, BuildList};
use crate::project::{Project, Side};
use crate::semver;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub artifact: String,
    pub go_mod: String,
    /// What the side builds now (effective version, see `describe`).
    pub from: String,
    /// What it builds after the change.
    pub to: String,
    /// The shell command that makes the same change by hand.
    pub command: String,
    /// Unified diff of this module's go.mod edit alone (`align` applies all edits per file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `command` without the `(cd DIR && ...)` around it (reports re-root DIR).
    #[serde(skip)]
    pub args: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Move {
    pub module: String,
    pub from: String,
    pub to: String,
}

/// What rebuilding the host would take, when a plugin needs a newer version than it has.
#[derive(Clone, Debug, Serialize)]
pub struct HostUpgrade {
    pub required_by: Vec<String>,
    pub to: String,
    /// Every module whose selected version changes in the host (MVS over the union).
    pub moves: Vec<Move>,
    /// Plugins whose requirements force the newer version (aligning them on the host's
    /// version is impossible without downgrading what requires it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forced_by: Vec<String>,
    /// Every plugin holding a module the upgrade moves at another version than the new one:
    /// those need aligning again after the host is rebuilt.
    pub affects: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Proposal {
    pub module: String,
    /// The version to build (the effective one: after the reference side's `replace`).
    pub target: String,
    /// The reference side's replacement, mirrored by the changes (`=> path [version]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace: Option<String>,
    pub strategy: AlignStrategy,
    /// Per artifact the proposal concerns (the host, and each side it changes), the
    /// requirement path from its main module to the module (`go mod why -m`).
    pub why: BTreeMap<String, String>,
    pub changes: Vec<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_upgrade: Option<HostUpgrade>,
}

/// `p` absolute and without symlinks or `..`, also when it does not exist yet: its longest
/// existing ancestor canonicalized, the rest appended.
fn absolute(p: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut rest = Vec::new();
    let mut cur = p.as_path();
    loop {
        if let Ok(c) = cur.canonicalize() {
            let mut out = c;
            for r in rest.iter().rev() {
                match r {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return out;
        }
        match (cur.parent(), cur.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                cur = parent;
            }
            _ => return p.clone(),
        }
    }
}

/// `to` relative to `from` (both directories), as a go.mod replacement path (`./` or `../`).
pub fn relative_dir(from: &Path, to: &Path) -> String {
    let (from, to) = (absolute(from), absolute(to));
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".into(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    let joined = parts.join("/");
    if joined.starts_with("..") {
        joined
    } else if joined.is_empty() {
        ".".into()
    } else {
        format!("./{joined}")
    }
}

/// A unified diff of one file, with `a/REL` and `b/REL` headers (`/dev/null` for a new file),
/// applicable with `patch -p1` or `git apply` from the directory `rel` is relative to.
///
/// Only the lines from three before the first difference to three after the last are
/// diffed (the line numbers shifted back): the diff sets the common first and last lines
/// aside before it compares anything, and shows three lines of context, so the hunks are
/// the ones the whole files give, at the cost of the changed part.
pub fn unified_diff(rel: &str, old: Option<&str>, new: &str) -> String {
    let Some(old) = old else {
        return whole_diff(rel, None, new);
    };
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let from = prefix.saturating_sub(3);
    let a_to = (a.len() - suffix + 3).min(a.len());
    let b_to = (b.len() - suffix + 3).min(b.len());
    if let Some(d) = one_sided_hunk(rel, &a, &b, (prefix, suffix), (from, a_to, b_to)) {
        return d;
    }
    if from == 0 && a_to == a.len() && b_to == b.len() {
        return whole_diff(rel, Some(old), new);
    }
    let part = whole_diff(rel, Some(&a[from..a_to].concat()), &b[from..b_to].concat());
    // The diff may place a change among repeated lines elsewhere than where the common
    // lines end; when it moved it against the edge of the part, the whole files may give
    // another placement: diffed whole then.
    let body: Vec<&str> = part.lines().filter(|l| !l.starts_with('\\')).collect();
    let context = |ls: &mut dyn Iterator<Item = &&str>| {
        ls.skip_while(|l| l.starts_with("---") || l.starts_with("+++") || l.starts_with("@@"))
            .take_while(|l| l.starts_with(' '))
            .count()
    };
    let lead = context(&mut body.iter());
    let trail = body.iter().rev().take_while(|l| l.starts_with(' ')).count();
    if (from > 0 && lead < 3) || ((a_to < a.len() || b_to < b.len()) && trail < 3) {
        return whole_diff(rel, Some(old), new);
    }
    shift_hunks(&part, from)
}

/// The diff of a change that only adds lines or only removes them (a proposal's own
/// diff adds or changes one requirement: thousands of them in a report), written directly:
/// with the common lines trimmed from both ends there is one way to place it, and the
/// hunk is what `whole_diff` prints (`diff_tests` checks it is). None for other changes,
/// and where a line without a final newline is in the hunk (diff's "\ No newline" marker).
fn one_sided_hunk(
    rel: &str,
    a: &[&str],
    b: &[&str],
    (prefix, suffix): (usize, usize),
    (from, a_to, b_to): (usize, usize, usize),
) -> Option<String> {
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    if a_mid.is_empty() == b_mid.is_empty() {
        return None;
    }
    let all_ended = |ls: &[&str]| ls.iter().all(|l| l.ends_with('\n'));
    if !all_ended(&a[from..a_to]) || !all_ended(&b[from..b_to]) {
        return None;
    }
    // difflib's ranges: `start,len` (1-based), `start` alone for one line, and an empty
    // range starts at the line before it.
    let range = |start: usize, len: usize| match len {
        1 => format!("{}", start + 1),
        0 => format!("{start},0"),
        _ => format!("{},{len}", start + 1),
    };
    let mut out = String::with_capacity(
        64 + rel.len() * 2
            + a[from..a_to].iter().map(|l| l.len() + 1).sum::<usize>()
            + b_mid.iter().map(|l| l.len() + 1).sum::<usize>(),
    );
    let name = crate::text::line(rel);
    out.push_str(&format!(
        "--- a/{name}\n+++ b/{name}\n@@ -{} +{} @@\n",
        range(from, a_to - from),
        range(from, b_to - from)
    ));
    for (mark, lines) in [
        (' ', &a[from..prefix]),
        ('-', a_mid),
        ('+', b_mid),
        (' ', &a[a.len() - suffix..a_to]),
    ] {
        for l in lines {
            out.push(mark);
            out.push_str(l);
        }
    }
    Some(out)
}

fn whole_diff(rel: &str, old: Option<&str>, new: &str) -> String {
    let from = if old.is_some() {
        format!("a/{rel}")
    } else {
        "/dev/null".to_string()
    };
    similar::TextDiff::from_lines(old.unwrap_or(""), new)
        .unified_diff()
        .context_radius(3)
        // The path comes from the tree: one line, or a newline would forge diff lines.
        .header(
            &crate::text::line(&from),
            &format!("b/{}", crate::text::line(rel)),
        )
        .to_string()
}

/// Adds `by` to the line numbers of a unified diff's `@@ -a,b +c,d @@` headers (content
/// lines start with a space, '+', '-' or a backslash, never with "@@").
pub(crate) fn shift_hunks(diff: &str, by: usize) -> String {
    if by == 0 {
        return diff.to_string();
    }
    let shift = |range: &str| -> Option<String> {
        let (start, len) = match range.split_once(',') {
            Some((s, l)) => (s, Some(l)),
            None => (range, None),
        };
        let start = start.parse::<usize>().ok()? + by;
        Some(match len {
            Some(l) => format!("{start},{l}"),
            None => start.to_string(),
        })
    };
    let mut out = String::with_capacity(diff.len() + 16);
    for line in diff.split_inclusive('\n') {
        let header = line.strip_prefix("@@ -").and_then(|rest| {
            let (ranges, tail) = rest.split_once(" @@")?;
            let (o, n) = ranges.split_once(" +")?;
            Some(format!("@@ -{} +{} @@{tail}", shift(o)?, shift(n)?))
        });
        match header {
            Some(h) => out.push_str(&h),
            None => out.push_str(line),
        }
    }
    out
}

/// The build list of `main` (a go.mod as `dir` would hold it), from the project's module cache
/// and its parsed go.mod cache. Workspaces are not considered: the edits are to one module's
/// go.mod. A go.mod graph loading refuses gives an empty list (nothing to align against).
pub fn build_list_of(project: &Project, main: &ModFile, dir: &Path) -> BuildList {
    let opts = graph::LoadOptions::module_mode(project.modcache.clone());
    graph::Loader::new(&opts, &project.go_mods)
        .load_main(main.clone(), dir)
        .unwrap_or_else(|_| BuildList {
            go_version: main.go.as_ref().map(|g| g.version.clone()),
            toolchain: main.toolchain.as_ref().map(|t| t.name.clone()),
            ..BuildList::of_modules(
                vec![main
                    .module
                    .as_ref()
                    .map(|m| m.path.clone())
                    .unwrap_or_default()],
                dir.to_path_buf(),
                vec![dir.to_path_buf()],
                Vec::new(),
            )
        })
}

fn parse_text(text: &str) -> Option<ModFile> {
    gomod::parse_mod("go.mod", text.as_bytes(), gomod::Strictness::Strict).ok()
}

/// The codes whose findings an alignment fixes.
pub fn fixable(f: &Finding) -> bool {
    f.severity >= Severity::Warning
        && matches!(
            f.code,
            Code::VersionConflict | Code::ReplaceDivergence | Code::SourcePathDivergence
        )
        && f.module.is_some()
}

/// Whether a go.work decides the side's build list (its go.mod is then not the whole story).
pub fn in_workspace(side: &Side) -> bool {
    side.build_list.main.len() > 1 || side.build_list.main_dir != side.dir
}

fn is_pruned(mf: &ModFile) -> bool {
    let v = mf
        .go
        .as_ref()
        .map_or(crate::semver::gover::DEFAULT_GO_VERSION, |g| {
            g.version.as_str()
        });
    crate::semver::gover::compare(v, "1.17") != std::cmp::Ordering::Less
}

fn greater(a: &str, b: &str) -> bool {
    semver::compare(a, b) == std::cmp::Ordering::Greater
}

/// Who requires `path` at exactly `version` (what keeps it selected there), main excluded.
fn requirers(bl: &BuildList, path: &str, version: &str) -> String {
    let mut by: Vec<String> = bl
        .edges()
        .filter(|(from, to)| to.path == path && to.version == version && !from.version.is_empty())
        .map(|(from, _)| from.to_string())
        .collect();
    by.sort();
    by.dedup();
    if by.is_empty() {
        chain(bl, path)
    } else {
        format!("required at {version} by {}", by.join(", "))
    }
}

/// `bl.why(path)` joined with ` -> `, written straight into one string (reports ask it for
/// every flagged module on every side).
fn chain(bl: &BuildList, path: &str) -> String {
    join_chain(&bl.why_refs(path))
}

/// A requirement chain as reports show it: `main -> path@version -> ...`.
pub(crate) fn join_chain(chain: &[&crate::module::ModuleVersion]) -> String {
    let mut out = String::with_capacity(
        chain
            .iter()
            .map(|m| m.path.len() + m.version.len() + 5)
            .sum(),
    );
    for (i, m) in chain.iter().enumerate() {
        if i > 0 {
            out.push_str(" -> ");
        }
        // As ModuleVersion displays: `path@version`, or `path` for a main module.
        out.push_str(&m.path);
        if !m.version.is_empty() {
            out.push('@');
            out.push_str(&m.version);
        }
    }
    out
}

/// The proposals for `findings` (error and warning only), as reports show them.
pub fn propose(project: &Project, findings: &[Finding]) -> Vec<Proposal> {
    plan(project, findings, PlanOptions::default()).proposals
}

#[cfg(test)]
mod diff_tests {
    use super::{unified_diff, whole_diff};
    use proptest::prelude::*;

    /// Lines from a small set, so files repeat lines (where a diff has choices to make).
    fn lines() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(
            prop_oneof![
                Just("require (".to_string()),
                Just(")".to_string()),
                Just(String::new()),
                Just("\texample.com/a v1.0.0".to_string()),
                "[a-c]{1,2}",
            ],
            0..40,
        )
    }

    fn text(lines: &[String], end_newline: bool) -> String {
        let mut t = lines.join("\n");
        if end_newline && !lines.is_empty() {
            t.push('\n');
        }
        t
    }

    #[test]
    fn a_line_added_is_written_directly() {
        let a: Vec<&str> = vec!["module m\n", "\n", "require x v1\n"];
        let b: Vec<&str> = vec!["module m\n", "\n", "require x v1\n", "require y v2\n"];
        let d = super::one_sided_hunk("go.mod", &a, &b, (3, 0), (0, 3, 4)).unwrap();
        let (o, n) = (a.concat(), b.concat());
        assert_eq!(d, whole_diff("go.mod", Some(&o), &n));
        assert_eq!(unified_diff("go.mod", Some(&o), &n), d);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Diffing only the changed part gives the whole files' diff.
        #[test]
        fn windowed_diff_is_the_whole_diff(
            old in lines(),
            edits in prop::collection::vec((0usize..40, 0usize..3, lines()), 1..4),
            (old_nl, new_nl) in (any::<bool>(), any::<bool>()),
        ) {
            let mut new = old.clone();
            for (at, del, ins) in edits {
                let at = at.min(new.len());
                let del = del.min(new.len() - at);
                new.splice(at..at + del, ins.into_iter().take(3));
            }
            let (o, n) = (text(&old, old_nl), text(&new, new_nl));
            prop_assert_eq!(unified_diff("go.mod", Some(&o), &n), whole_diff("go.mod", Some(&o), &n));
        }

        /// Lines only added, or only removed (the directly written hunks), anywhere.
        /// (Most such cases take the direct path: `a_line_added_is_written_directly`.)
        #[test]
        fn one_sided_diff_is_the_whole_diff(
            old in lines(),
            at in 0usize..40,
            ins in lines(),
            del in 0usize..5,
            adding in any::<bool>(),
            (old_nl, new_nl) in (any::<bool>(), any::<bool>()),
        ) {
            let mut new = old.clone();
            let at = at.min(new.len());
            if adding {
                new.splice(at..at, ins);
            } else {
                let del = del.min(new.len() - at);
                new.drain(at..at + del);
            }
            let (o, n) = (text(&old, old_nl), text(&new, new_nl));
            prop_assert_eq!(unified_diff("go.mod", Some(&o), &n), whole_diff("go.mod", Some(&o), &n));
        }
    }
}
