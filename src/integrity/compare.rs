//! Comparisons over hashed trees, as data grouped per module (the rules GD009, GD010,
//! GD011 and GD090 word them, one finding per artifact (or pair) and module):
//! - against the source `go mod vendor` copies from (the module cache, or the other side's
//!   replacement directory), only on the files Go would copy (see `select`);
//! - between two artifacts vendoring the same module version.

use super::classify;
use super::select;
use super::source::ModuleSource;
use super::tree::{join, split, Entry, VendorTree};
use super::Vendored;
use crate::finding::{Evidence, Severity};
use crate::gosum::GoSum;
use crate::module::ModuleVersion;
use foldhash::HashMap;
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

pub const DIFF_CAP: usize = 4000;

/// Truncates `d` to `n` bytes (at a character boundary), saying so.
pub fn cap(mut d: String, n: usize) -> String {
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

/// One file's problem.
#[derive(Clone, Debug)]
pub struct Item {
    pub rel: String,
    /// What it does to loading (an edit classified as the runtime sees it).
    pub severity: Severity,
    pub note: String,
    /// (label, path) pairs for a diff, when edited.
    pub diff: Option<((String, PathBuf), (String, PathBuf))>,
    pub evidence: Vec<Evidence>,
}

/// The differences found for one vendored module version.
#[derive(Clone, Debug)]
pub struct ModuleComparison {
    pub module: ModuleVersion,
    /// The module's vendored packages.
    pub packages: Vec<String>,
    /// The artifact whose vendor/ is compared first, then the other side, if any.
    pub artifacts: Vec<String>,
    /// None between two artifacts' vendor trees; else what vendor/ was compared with (`M@V
    /// in the module cache`, `plugin's source DIR`).
    pub source: Option<String>,
    /// Files whose content differs.
    pub edited: Vec<Item>,
    /// Files on one side only (missing, added, or only in one artifact).
    pub presence: Vec<Item>,
    /// Source files or directories that could not be read (not compared).
    pub unread: Vec<Item>,
}

/// go.sum verification of a module cache copy (as `go mod verify`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SumCheck {
    Tampered {
        module: ModuleVersion,
        want: String,
        got: String,
    },
    Unverifiable {
        module: ModuleVersion,
        error: String,
    },
}

/// What one artifact's vendor/ tree holds that cannot be compared.
#[derive(Clone, Debug, Default)]
pub struct TreeProblems {
    /// Unreadable directories and files, over-large files: described with their path.
    pub unread: Vec<String>,
    /// Symbolic links and special files (`go mod vendor` never creates them).
    pub odd: Vec<String>,
}

/// One artifact's vendor/ against its sources.
#[derive(Clone, Debug, Default)]
pub struct SourceComparison {
    pub modules: Vec<ModuleComparison>,
    pub sums: Vec<SumCheck>,
    pub tree: TreeProblems,
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
pub fn between(a_name: &str, a: &Vendored, b_name: &str, b: &Vendored) -> Vec<ModuleComparison> {
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
            let (fa, fb) = (package_files(&a.tree, pkg), package_files(&b.tree, pkg));
            // Both sorted by name: one merge pass, paths built only for differences.
            let (mut i, mut j) = (0, 0);
            while i < fa.len() || j < fb.len() {
                let order = match (fa.get(i), fb.get(j)) {
                    (Some(x), Some(y)) => x.0.cmp(y.0),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    _ => std::cmp::Ordering::Greater,
                };
                match order {
                    std::cmp::Ordering::Less => {
                        let rel = join(pkg, fa[i].0);
                        if b.tree.unreadable_ancestor(&rel).is_none() {
                            presence.push(only_in(a_name, a, &rel));
                        }
                        i += 1;
                    }
                    std::cmp::Ordering::Greater => {
                        let rel = join(pkg, fb[j].0);
                        if a.tree.unreadable_ancestor(&rel).is_none() {
                            presence.push(only_in(b_name, b, &rel));
                        }
                        j += 1;
                    }
                    std::cmp::Ordering::Equal => {
                        let (name, ea, eb) = (fa[i].0, fa[i].1, fb[j].1);
                        i += 1;
                        j += 1;
                        let (Ok(da), Ok(db)) = (ea, eb) else {
                            continue; // reported as unreadable
                        };
                        if da == db {
                            continue;
                        }
                        let rel = join(pkg, name);
                        let (pa, pb) = (a.tree.root.join(&rel), b.tree.root.join(&rel));
                        let (severity, note) = edit_effect(&rel, &pa, &pb);
                        edited.push(Item {
                            diff: Some((
                                (format!("{a_name}/vendor/{rel}"), pa.clone()),
                                (format!("{b_name}/vendor/{rel}"), pb.clone()),
                            )),
                            evidence: vec![evidence(a_name, pa, &rel), evidence(b_name, pb, &rel)],
                            rel,
                            severity,
                            note,
                        });
                    }
                }
            }
        }
        if edited.is_empty() && presence.is_empty() {
            continue;
        }
        out.push(ModuleComparison {
            module: ma.module.clone(),
            packages: ma.packages.clone(),
            artifacts: vec![a_name.to_string(), b_name.to_string()],
            source: None,
            edited,
            presence,
            unread: Vec::new(),
        });
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
pub fn against_sources(name: &str, v: &Vendored, go_sum: Option<&GoSum>) -> SourceComparison {
    let mut out = SourceComparison::default();
    // go.sum's content hashes by module, indexed once (GoSum::hash scans every line: one
    // scan per vendored module would be quadratic); the first line wins, as there.
    let mut sums: HashMap<(&str, &str), &str> = HashMap::default();
    for l in go_sum.iter().flat_map(|s| &s.lines).filter(|l| !l.go_mod) {
        sums.entry((&l.path, &l.version)).or_insert(&l.hash);
    }
    for m in v.modules.build_list() {
        if m.replacement.is_some() {
            continue; // replaced modules have no module-cache copy
        }
        let Some(src) = v.sources.get(&m.module.path) else {
            continue;
        };
        if let Some(&want) = sums.get(&(m.module.path.as_str(), m.module.version.as_str())) {
            match src.h1(&m.module) {
                Ok(got) if got != want => {
                    out.sums.push(SumCheck::Tampered {
                        module: m.module.clone(),
                        want: want.to_string(),
                        got,
                    });
                    continue;
                }
                Ok(_) => {}
                Err(e) => out.sums.push(SumCheck::Unverifiable {
                    module: m.module.clone(),
                    error: e.to_string(),
                }),
            }
        }
        let source = format!("{} in the module cache", m.module);
        out.modules
            .extend(with_source(name, v, m, src, &source, None));
    }
    out.tree = tree_problems(&v.tree);
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
) -> Vec<ModuleComparison> {
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
) -> Option<ModuleComparison> {
    let computed;
    let expected = match src
        .selections
        .iter()
        .find(|s| s.packages == m.packages && s.rules == v.rules)
    {
        Some(s) => &s.files,
        None => {
            computed = select::vendor_files(src, &m.module.path, &m.packages, v.rules);
            &computed
        }
    };
    let artifacts: Vec<String> = std::iter::once(name.to_string())
        .chain(other.map(str::to_string))
        .collect();
    let (mut edited, mut missing, mut unread) = (Vec::new(), Vec::new(), Vec::new());
    // Consecutive files mostly share a directory: each side's directory is looked up once
    // for them.
    let (mut vdir, mut sdir) = (None, None);
    // How many files of each vendor directory are expected ones: a package directory whose
    // files all are has none added.
    let mut present: HashMap<&str, usize> = HashMap::default();
    for (rel, src_rel) in expected {
        // Paths are built only for what is reported: most files match.
        let sp = || src.dir.join(src_rel);
        let (vd, vn) = split(rel);
        if vdir.map(|(d, _)| d) != Some(vd) {
            vdir = Some((vd, v.tree.dir(vd)));
        }
        let vfiles = vdir.and_then(|(_, m)| m);
        let (sd, sn) = split(src_rel);
        if sdir.map(|(d, _)| d) != Some(sd) {
            sdir = Some((sd, src.dir(sd)));
        }
        let sfiles = sdir.and_then(|(_, m)| m);
        let got = vfiles.and_then(|m| m.get(vn));
        if got.is_some() {
            *present.entry(vd).or_default() += 1;
        }
        match got {
            None => {
                if v.tree.unreadable_ancestor(rel).is_some() {
                    continue; // reported with the directory
                }
                missing.push(Item {
                    rel: rel.clone(),
                    severity: presence_severity(rel, Severity::Warning),
                    note: "missing".into(),
                    diff: None,
                    evidence: vec![evidence(name, sp(), rel)],
                });
            }
            Some(Err(_)) => {} // reported by tree_problems
            Some(Ok(dv)) => match sfiles.and_then(|m| m.get(sn)).map(|f| &f.state) {
                Some(Ok(ds)) if ds == dv => {}
                Some(Ok(_)) => {
                    let (sp, vp) = (sp(), v.tree.root.join(rel));
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
                    note: format!("{} {e}", sp().display()),
                    diff: None,
                    evidence: vec![evidence(name, sp(), rel)],
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
        if present.get(pkg.as_str()) == Some(&files.len()) {
            continue;
        }
        let mut key = String::new();
        for fname in files.keys() {
            // One reused buffer: most files are expected.
            key.clear();
            key.push_str(pkg);
            key.push('/');
            key.push_str(fname);
            if expected.contains_key(key.as_str()) {
                continue;
            }
            let rel = key.clone();
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
    missing.extend(added);
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
    if edited.is_empty() && missing.is_empty() && problems.is_empty() {
        return None;
    }
    Some(ModuleComparison {
        module: m.module.clone(),
        packages: m.packages.clone(),
        artifacts,
        source: Some(source.to_string()),
        edited,
        presence: missing,
        unread: problems,
    })
}

/// Unreadable, over-large, linked and special entries of one artifact's vendor/ tree.
fn tree_problems(tree: &VendorTree) -> TreeProblems {
    let mut out = TreeProblems::default();
    for (d, e) in &tree.unreadable_dirs {
        out.unread.push(format!(
            "directory {} could not be read ({e})",
            tree.root.join(d).display()
        ));
    }
    for (dir, files) in &tree.dirs {
        for (name, e) in files {
            if let Err(why) = e {
                let rel = join(dir, name);
                out.unread
                    .push(format!("{} {why}", tree.root.join(&rel).display()));
            }
        }
    }
    out.odd = tree
        .symlinks
        .iter()
        .map(|l| format!("vendor/{l} is a symbolic link"))
        .collect();
    out.odd.extend(
        tree.special
            .iter()
            .map(|l| format!("vendor/{l} is not a regular file")),
    );
    out
}
