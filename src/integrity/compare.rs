//! Comparisons over hashed trees, worded as findings grouped per module: one finding per
//! artifact (or pair) and module, listing its files, never one per file.
//! - against the source `go mod vendor` copies from (the module cache, or the other side's
//!   replacement directory), only on the files Go would copy (see `select`);
//! - between two artifacts vendoring the same module version.

use super::classify;
use super::select;
use super::source::ModuleSource;
use super::tree::{join, Entry, VendorTree};
use super::Vendored;
use crate::finding::{Code, Evidence, Finding, Severity};
use crate::gosum::GoSum;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a file is to the runtime's package hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Go source: its API, inline bodies and positions are hashed.
    Go,
    /// cgo, assembly or object inputs: may change what the package compiles to.
    OtherSource,
    /// Anything else (licences, docs, embedded data): not in the export data.
    Other,
}

fn kind(rel: &str) -> Kind {
    let ext = rel.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "go" => Kind::Go,
        "s" | "S" | "sx" | "c" | "cc" | "cpp" | "cxx" | "h" | "hh" | "hpp" | "hxx" | "m" | "f"
        | "F" | "for" | "f90" | "syso" | "swig" | "swigcxx" => Kind::OtherSource,
        _ => Kind::Other,
    }
}

/// How an edit to `rel` affects loading, from the two contents.
fn edit_effect(rel: &str, a: &Path, b: &Path) -> (Severity, String) {
    match kind(rel) {
        Kind::Go => {
            let c = classify::classify(&read_lossy(a), &read_lossy(b));
            (c.severity(), c.describe().to_string())
        }
        Kind::OtherSource => (
            Severity::Warning,
            "cgo/assembly input edited: may break loading".into(),
        ),
        Kind::Other => (
            Severity::Info,
            "not Go source: does not change the package hash".into(),
        ),
    }
}

fn presence_severity(rel: &str, go: Severity) -> Severity {
    match kind(rel) {
        Kind::Go => go,
        Kind::OtherSource => Severity::Warning,
        Kind::Other => Severity::Info,
    }
}

/// Files of a diff read for display only: bounded.
fn read_lossy(p: &Path) -> String {
    match crate::fsio::read_bounded(p, 4 << 20) {
        Ok(d) => String::from_utf8_lossy(&d).into_owned(),
        Err(e) => format!("<{e}>"),
    }
}

/// A capped unified diff between two files.
pub fn diff(a_label: &str, a: &Path, b_label: &str, b: &Path) -> String {
    let (x, y) = (read_lossy(a), read_lossy(b));
    let d = similar::TextDiff::from_lines(&x, &y)
        .unified_diff()
        .context_radius(2)
        // Names come from the tree: one line each, or a newline would forge diff lines.
        .header(&crate::text::line(a_label), &crate::text::line(b_label))
        .to_string();
    cap(d, DIFF_CAP)
}

const DIFF_CAP: usize = 4000;
/// Files named in one finding's message; the rest are counted.
const LIST_CAP: usize = 8;
/// Evidence items per finding.
const EVIDENCE_CAP: usize = 50;

fn cap(mut d: String, n: usize) -> String {
    if d.len() > n {
        let mut cut = n;
        while !d.is_char_boundary(cut) {
            cut -= 1;
        }
        d.truncate(cut);
        d.push_str("\n... (diff truncated)\n");
    }
    d
}

/// One file's problem, before grouping.
struct Item {
    rel: String,
    severity: Severity,
    note: String,
    /// (label, path) pairs for a diff, when edited.
    diff: Option<((String, PathBuf), (String, PathBuf))>,
    evidence: Vec<Evidence>,
}

fn list(items: &[Item]) -> String {
    let mut parts: Vec<String> = items
        .iter()
        .take(LIST_CAP)
        .map(|i| {
            if i.note.is_empty() {
                format!("vendor/{}", i.rel)
            } else {
                format!("vendor/{} ({})", i.rel, i.note)
            }
        })
        .collect();
    if items.len() > LIST_CAP {
        parts.push(format!("and {} more", items.len() - LIST_CAP));
    }
    parts.join("; ")
}

fn group(
    code: Code,
    mut items: Vec<Item>,
    message: String,
    artifacts: Vec<String>,
    module: &str,
    packages: &[String],
    fix: String,
) -> Option<Finding> {
    let severity = items.iter().map(|i| i.severity).max()?;
    // Worst first: the files that break loading lead the list.
    items.sort_by_key(|i| std::cmp::Reverse(i.severity));
    let mut f = Finding::new(code, severity, format!("{message}: {}", list(&items)));
    f.artifacts = artifacts;
    f.module = Some(module.to_string());
    let dirs: std::collections::BTreeSet<&str> =
        items.iter().map(|i| super::tree::split(&i.rel).0).collect();
    f.packages = packages
        .iter()
        .filter(|p| dirs.contains(p.as_str()))
        .cloned()
        .collect();
    let mut diffs = String::new();
    for i in &items {
        if f.evidence.len() < EVIDENCE_CAP {
            f.evidence.extend(i.evidence.iter().cloned());
        }
        if let Some(((la, pa), (lb, pb))) = &i.diff {
            if diffs.len() < DIFF_CAP {
                diffs.push_str(&diff(la, pa, lb, pb));
            }
        }
    }
    f.evidence.truncate(EVIDENCE_CAP);
    if !diffs.is_empty() {
        f.diff = Some(cap(diffs, DIFF_CAP));
    }
    f.fix = Some(fix);
    Some(f)
}

fn evidence(artifact: &str, file: PathBuf, rel: &str) -> Evidence {
    Evidence {
        artifact: artifact.to_string(),
        file,
        line: None,
        col: None,
        text: format!("vendor/{rel}"),
    }
}

/// Files of a package directory compared between artifacts: go.mod and go.sum are left out
/// (whether `go mod vendor` keeps them depends on each side's `go` line).
fn package_files<'t>(tree: &'t VendorTree, pkg: &str) -> Vec<(&'t str, &'t Entry)> {
    tree.dir(pkg)
        .map(|m| {
            m.iter()
                .filter(|(n, _)| *n != "go.mod" && *n != "go.sum")
                .map(|(n, e)| (n.as_str(), e))
                .collect()
        })
        .unwrap_or_default()
}

/// Compares the packages two artifacts vendor at the same module version.
pub fn between(a_name: &str, a: &Vendored, b_name: &str, b: &Vendored) -> Vec<Finding> {
    let mut out = Vec::new();
    let b_mods: std::collections::HashMap<&str, &crate::vendor::VendoredModule> = b
        .modules
        .build_list()
        .map(|m| (m.module.path.as_str(), m))
        .collect();
    for ma in a.modules.build_list() {
        let Some(mb) = b_mods.get(ma.module.path.as_str()) else {
            continue;
        };
        if ma.module.version != mb.module.version {
            continue; // a version conflict, reported as GD001
        }
        let b_pkgs: std::collections::HashSet<&str> =
            mb.packages.iter().map(String::as_str).collect();
        let (mut edited, mut presence) = (Vec::new(), Vec::new());
        for pkg in ma.packages.iter().filter(|p| b_pkgs.contains(p.as_str())) {
            let fa: BTreeMap<&str, &Entry> = package_files(&a.tree, pkg).into_iter().collect();
            let fb: BTreeMap<&str, &Entry> = package_files(&b.tree, pkg).into_iter().collect();
            for (name, ea) in &fa {
                let rel = join(pkg, name);
                match fb.get(name) {
                    None => {
                        if b.tree.unreadable_ancestor(&rel).is_none() {
                            presence.push(only_in(a_name, a, &rel));
                        }
                    }
                    Some(eb) => {
                        let (Ok(da), Ok(db)) = (ea, eb) else {
                            continue; // reported as unreadable
                        };
                        if da != db {
                            let (pa, pb) = (a.tree.root.join(&rel), b.tree.root.join(&rel));
                            let (severity, note) = edit_effect(&rel, &pa, &pb);
                            edited.push(Item {
                                diff: Some((
                                    (format!("{a_name}/vendor/{rel}"), pa.clone()),
                                    (format!("{b_name}/vendor/{rel}"), pb.clone()),
                                )),
                                evidence: vec![
                                    evidence(a_name, pa, &rel),
                                    evidence(b_name, pb, &rel),
                                ],
                                rel,
                                severity,
                                note,
                            });
                        }
                    }
                }
            }
            for name in fb.keys().filter(|n| !fa.contains_key(*n)) {
                let rel = join(pkg, name);
                if a.tree.unreadable_ancestor(&rel).is_none() {
                    presence.push(only_in(b_name, b, &rel));
                }
            }
        }
        let m = &ma.module;
        let pair = vec![a_name.to_string(), b_name.to_string()];
        out.extend(group(
            Code::VendoredFileEdited,
            edited,
            format!("vendored files of {m} differ between {a_name} and {b_name}"),
            pair.clone(),
            &m.path,
            &ma.packages,
            "run `go mod vendor` on the edited side (the module cache check names it)".into(),
        ));
        out.extend(group(
            Code::VendoredFileSetDiffers,
            presence,
            format!("{a_name} and {b_name} vendor different files of {m}"),
            pair,
            &m.path,
            &ma.packages,
            "run `go mod vendor` on both sides".into(),
        ));
    }
    out
}

fn only_in(name: &str, v: &Vendored, rel: &str) -> Item {
    Item {
        rel: rel.to_string(),
        severity: presence_severity(rel, Severity::Error),
        note: format!("only in {name}"),
        diff: None,
        evidence: vec![evidence(name, v.tree.root.join(rel), rel)],
    }
}

/// Compares one artifact's vendored modules with the module cache copies indexed in
/// `v.sources`, and verifies those copies against go.sum (as `go mod verify`).
pub fn against_sources(name: &str, v: &Vendored, go_sum: Option<&GoSum>) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in v.modules.build_list() {
        if m.replacement.is_some() {
            continue; // replaced modules have no module-cache copy
        }
        let Some(src) = v.sources.get(&m.module.path) else {
            continue;
        };
        if let Some(want) = go_sum.and_then(|s| s.hash(&m.module.path, &m.module.version, false)) {
            match src.h1(&m.module) {
                Ok(got) if got != want => {
                    let mut f = Finding::new(
                        Code::ModuleCacheTampered,
                        Severity::Error,
                        format!(
                            "module cache copy of {} does not match go.sum ({want}, found {got}): it was modified",
                            m.module,
                        ),
                    );
                    f.artifacts = vec![name.to_string()];
                    f.module = Some(m.module.path.clone());
                    f.fix = Some("run `go clean -modcache` and `go mod download`".into());
                    out.push(f);
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    let mut f = Finding::new(
                        Code::IncompleteInformation,
                        Severity::Warning,
                        format!("{name}: could not verify the module cache copy of {} against go.sum: {e}", m.module),
                    );
                    f.artifacts = vec![name.to_string()];
                    f.module = Some(m.module.path.clone());
                    out.push(f);
                }
            }
        }
        let source = format!("{} in the module cache", m.module);
        out.extend(with_source(name, v, m, src, &source, None));
    }
    out.extend(tree_problems(name, &v.tree));
    out
}

/// A vendored side against the other side's local replacement directory for the same
/// module version.
pub fn against_dir(
    name: &str,
    v: &Vendored,
    module: &str,
    dir: &Path,
    other: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in v.modules.build_list().filter(|m| m.module.path == module) {
        let src = super::source::index(dir, None, None);
        let source = format!("{other}'s source {}", dir.display());
        out.extend(with_source(name, v, m, &src, &source, Some(other)));
    }
    out
}

/// The files `go mod vendor` would have copied for `m` from `src`, compared with `v`'s
/// tree: edited, missing and added files, one finding per kind.
fn with_source(
    name: &str,
    v: &Vendored,
    m: &crate::vendor::VendoredModule,
    src: &ModuleSource,
    source: &str,
    other: Option<&str>,
) -> Vec<Finding> {
    let expected = select::vendor_files(src, &m.module.path, &m.packages, v.rules);
    let artifacts: Vec<String> = std::iter::once(name.to_string())
        .chain(other.map(str::to_string))
        .collect();
    let (mut edited, mut missing, mut unread) = (Vec::new(), Vec::new(), Vec::new());
    for (rel, src_rel) in &expected {
        let sp = src.dir.join(src_rel);
        let sf = src.file(src_rel);
        let vp = v.tree.root.join(rel);
        match v.tree.get(rel) {
            None => {
                if v.tree.unreadable_ancestor(rel).is_some() {
                    continue; // reported with the directory
                }
                missing.push(Item {
                    rel: rel.clone(),
                    severity: presence_severity(rel, Severity::Warning),
                    note: "missing".into(),
                    diff: None,
                    evidence: vec![evidence(name, sp, rel)],
                });
            }
            Some(Err(_)) => {} // reported by tree_problems
            Some(Ok(dv)) => match sf.map(|f| &f.state) {
                Some(Ok(ds)) if ds == dv => {}
                Some(Ok(_)) => {
                    let (severity, note) = edit_effect(rel, &sp, &vp);
                    edited.push(Item {
                        diff: Some((
                            (format!("{}/{src_rel}", m.module), sp),
                            (format!("{name}/vendor/{rel}"), vp.clone()),
                        )),
                        evidence: vec![evidence(name, vp, rel)],
                        rel: rel.clone(),
                        severity,
                        note,
                    });
                }
                Some(Err(e)) => unread.push(Item {
                    rel: rel.clone(),
                    severity: Severity::Warning,
                    note: format!("{} {e}", sp.display()),
                    diff: None,
                    evidence: vec![evidence(name, sp, rel)],
                }),
                None => {}
            },
        }
    }
    // Files in the vendored package directories that Go would not have copied.
    let mut added = Vec::new();
    for pkg in &m.packages {
        let Some(files) = v.tree.dir(pkg) else {
            continue;
        };
        let Some(pkg_rel) = select::rel_in_module(&m.module.path, pkg) else {
            continue;
        };
        for fname in files.keys() {
            let rel = join(pkg, fname);
            if expected.contains_key(&rel) {
                continue;
            }
            // A directory of the source that could not be read: unknown, not "added".
            if src.unreadable_ancestor(&join(pkg_rel, fname)).is_some() {
                continue;
            }
            let why = if src.file(&join(pkg_rel, fname)).is_some() {
                "`go mod vendor` does not copy it"
            } else {
                "not in the source: added by hand?"
            };
            added.push(Item {
                rel: rel.clone(),
                severity: presence_severity(&rel, Severity::Warning),
                note: why.into(),
                diff: None,
                evidence: vec![evidence(name, v.tree.root.join(&rel), &rel)],
            });
        }
    }
    let fix = format!("run `go mod vendor` in {name}");
    let mut out = Vec::new();
    out.extend(group(
        Code::VendoredFileEdited,
        edited,
        format!(
            "{name} vendor/ has edited files of {}: they differ from {source}",
            m.module
        ),
        artifacts.clone(),
        &m.module.path,
        &m.packages,
        format!("restore them: {fix}"),
    ));
    missing.extend(added);
    out.extend(group(
        Code::VendoredFileSetDiffers,
        missing,
        format!("{name} vendor/ differs from the files `go mod vendor` copies from {source}"),
        artifacts.clone(),
        &m.module.path,
        &m.packages,
        fix,
    ));
    let mut problems: Vec<Item> = src
        .unreadable_dirs
        .iter()
        .map(|(d, e)| Item {
            rel: d.clone(),
            severity: Severity::Warning,
            note: format!(
                "directory {} could not be read: {e}",
                src.dir.join(d).display()
            ),
            diff: None,
            evidence: Vec::new(),
        })
        .collect();
    problems.extend(unread);
    out.extend(group(
        Code::IncompleteInformation,
        problems,
        format!("{name}: files of {source} could not be read, so these were not compared"),
        artifacts,
        &m.module.path,
        &m.packages,
        "make the module cache readable (or run `go mod download`)".into(),
    ));
    out
}

/// Unreadable, over-large, linked and special entries of one artifact's vendor/ tree.
fn tree_problems(name: &str, tree: &VendorTree) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut items = Vec::new();
    for (d, e) in &tree.unreadable_dirs {
        items.push(format!(
            "directory {} could not be read ({e})",
            tree.root.join(d).display()
        ));
    }
    for (rel, e) in tree.files() {
        if let Err(why) = e {
            items.push(format!("{} {why}", tree.root.join(&rel).display()));
        }
    }
    if !items.is_empty() {
        let n = items.len();
        let shown: Vec<String> = items.iter().take(LIST_CAP).cloned().collect();
        let more = if n > LIST_CAP {
            format!("; and {} more", n - LIST_CAP)
        } else {
            String::new()
        };
        let mut f = Finding::new(
            Code::IncompleteInformation,
            Severity::Warning,
            format!(
                "{name}: {n} vendor/ path(s) were not compared: {}{more}",
                shown.join("; ")
            ),
        );
        f.artifacts = vec![name.to_string()];
        f.fix = Some("make vendor/ readable, or run `go mod vendor`".into());
        out.push(f);
    }
    let mut odd: Vec<String> = tree
        .symlinks
        .iter()
        .map(|l| format!("vendor/{l} is a symbolic link"))
        .collect();
    odd.extend(
        tree.special
            .iter()
            .map(|l| format!("vendor/{l} is not a regular file")),
    );
    if !odd.is_empty() {
        let n = odd.len();
        let mut f = Finding::new(
            Code::VendoredFileSetDiffers,
            Severity::Warning,
            format!(
                "{name}: {n} vendor/ entr(ies) that `go mod vendor` never creates (not followed): {}",
                odd.iter().take(LIST_CAP).cloned().collect::<Vec<_>>().join("; ")
            ),
        );
        f.artifacts = vec![name.to_string()];
        f.fix = Some(format!("run `go mod vendor` in {name}"));
        out.push(f);
    }
    out
}
