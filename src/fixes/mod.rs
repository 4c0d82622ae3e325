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

mod scaffold;
mod source;
pub mod sums;

pub use scaffold::{build_info_pins, new_plugin, validate_name, Scaffold, ScaffoldError};
pub use source::{describe, effective, Source};
pub use sums::{missing_sums, SumEntry};

use crate::config::AlignStrategy;
use crate::finding::{Code, Finding, Severity};
use crate::gomod::{self, edit, ModFile, Require};
use crate::graph::{self, BuildList, ModCacheSource, Replacement, SelectedModule};
use crate::module::ModuleVersion;
use crate::project::{Project, Side};
use crate::semver;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
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
    /// Per artifact, the requirement path from its main module (`go mod why -m`).
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
pub fn unified_diff(rel: &str, old: Option<&str>, new: &str) -> String {
    let from = if old.is_some() {
        format!("a/{rel}")
    } else {
        "/dev/null".to_string()
    };
    similar::TextDiff::from_lines(old.unwrap_or(""), new)
        .unified_diff()
        .context_radius(3)
        .header(&from, &format!("b/{rel}"))
        .to_string()
}

/// The build list of `main` (a go.mod as `dir` would hold it), from the project's module cache.
/// Workspaces are not considered: the edits are to one module's go.mod.
pub fn build_list_of(project: &Project, main: &ModFile, dir: &Path) -> BuildList {
    let source = ModCacheSource {
        root: project.modcache.clone(),
    };
    let (modules, missing, edges) = graph::build_graph(main, dir, &source);
    let mut list = BuildList {
        main: vec![main
            .module
            .as_ref()
            .map(|m| m.path.clone())
            .unwrap_or_default()],
        main_dir: dir.to_path_buf(),
        main_dirs: vec![dir.to_path_buf()],
        go_version: main.go.as_ref().map(|g| g.version.clone()),
        toolchain: main.toolchain.as_ref().map(|t| t.name.clone()),
        modules,
        vendored: false,
        missing,
        edges,
        why_parent: HashMap::new(),
    };
    list.index_why();
    list
}

fn parse_text(text: &str) -> Option<ModFile> {
    gomod::parse_mod("go.mod", text.as_bytes(), gomod::Strictness::Strict).ok()
}

/// What a side must build a module from to match the reference.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Want {
    /// The requirement to pin: the reference's selected version (before `replace`).
    version: String,
    /// The replacement to mirror, written for this side (a directory made relative to it);
    /// None: the side must not replace the module.
    replace: Option<ModuleVersion>,
    source: Source,
}

fn want_from(reference: &SelectedModule, side_dir: &Path) -> Want {
    let replace = match &reference.replace {
        None => None,
        Some(Replacement::Module { module }) => Some(module.clone()),
        Some(Replacement::Dir { resolved, .. }) => {
            Some(ModuleVersion::new(relative_dir(side_dir, resolved), ""))
        }
    };
    Want {
        version: reference.module.version.clone(),
        replace,
        source: Source::of(reference),
    }
}

/// A module whose version the side's own requirements keep above the reference's.
#[derive(Clone, Debug, Serialize)]
pub struct Forced {
    pub module: String,
    pub want: String,
    pub selected: String,
    /// The requirement chain that forces it (main module first).
    pub via: String,
}

/// One module's change in one go.mod.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub module: String,
    pub from: String,
    pub to: String,
    /// The `go` command doing the same (run in the side's directory).
    pub args: String,
}

/// All edits to one side's go.mod (and go.sum), computed together.
#[derive(Clone, Debug)]
pub struct SidePlan {
    pub artifact: String,
    pub dir: PathBuf,
    pub go_mod: PathBuf,
    pub old: String,
    pub new: String,
    pub steps: Vec<Step>,
    pub forced: Vec<Forced>,
    pub notes: Vec<String>,
    /// go.sum: its path, old text (None: no go.sum yet) and new text.
    pub go_sum: Option<(PathBuf, Option<String>, String)>,
    /// go.sum entries the build needs that neither go.sum nor the module cache has.
    pub unresolved_sums: Vec<SumEntry>,
    /// The build list after the edits.
    pub build_list: BuildList,
}

impl SidePlan {
    pub fn changes_go_mod(&self) -> bool {
        self.old != self.new
    }

    pub fn changes_go_sum(&self) -> bool {
        self.go_sum
            .as_ref()
            .is_some_and(|(_, old, new)| old.as_deref() != Some(new.as_str()))
    }
}

/// The whole alignment: per side plans (sides with nothing to change are left out) and the
/// per-module proposals for reports.
#[derive(Clone, Debug)]
pub struct Plan {
    pub sides: Vec<SidePlan>,
    pub proposals: Vec<Proposal>,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct PlanOptions {
    /// Also compute the go.sum lines the edited modules need (reads the module cache).
    pub sums: bool,
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

fn replace_differs(mf: &ModFile, path: &str, want: &Want) -> bool {
    let current: Vec<_> = mf.replace.iter().filter(|r| r.old.path == path).collect();
    match &want.replace {
        None => !current.is_empty(),
        Some(r) => {
            !(current.len() == 1 && current[0].old.version.is_empty() && current[0].new == *r)
        }
    }
}

/// Sets the side's requirement and replacement of `path` to `want` (only what differs).
fn apply_want(text: &str, mf: &ModFile, path: &str, version: Option<&str>, want: &Want) -> String {
    let mut out = text.to_string();
    if let Some(v) = version {
        if let Ok(t) = edit::set_require(&out, path, v, true) {
            out = t;
        }
    }
    if replace_differs(mf, path, want) {
        let edited = match &want.replace {
            None => edit::drop_replaces(&out, path),
            Some(r) => edit::set_replace(&out, path, r),
        };
        if let Ok(t) = edited {
            out = t;
        }
    }
    out
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
        .edges
        .iter()
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

fn chain(bl: &BuildList, path: &str) -> String {
    bl.why(path)
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Edits `side`'s go.mod until its build list gives every module in `wants` the wanted
/// source (or the side's own requirements force it higher), keeping modules that matched the
/// reference before (`protect`) matching, and the go.mod consistent with its build list.
fn plan_side(
    project: &Project,
    side: &Side,
    mut wants: BTreeMap<String, Want>,
    reference: &BuildList,
    opts: PlanOptions,
) -> Option<SidePlan> {
    let old = String::from_utf8_lossy(&side.go_mod_text).into_owned();
    if in_workspace(side) {
        return Some(SidePlan {
            artifact: side.name.clone(),
            dir: side.dir.clone(),
            go_mod: side.go_mod_path.clone(),
            new: old.clone(),
            old,
            steps: Vec::new(),
            forced: Vec::new(),
            notes: vec![format!(
                "built in the workspace {}: go.work decides its build list, so its go.mod is not edited; align the workspace's modules (or run godrift with GOWORK=off)",
                side.build_list.main_dir.display()
            )],
            go_sum: None,
            unresolved_sums: Vec::new(),
            build_list: side.build_list.clone(),
        });
    }
    let original = parse_text(&old)?;
    let pruned = is_pruned(&original);
    let mut text = old.clone();
    // Modules pinned at the wanted version that the graph still selects higher: pinning
    // them again would undo the consistency pass, so they are left at what is selected.
    let mut high: BTreeMap<String, String> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut converged = false;
    let mut bl = side.build_list.clone();
    for _ in 0..16 {
        let Some(mf) = parse_text(&text) else {
            notes.push("the edited go.mod does not parse (a godrift bug): not changed".into());
            return None;
        };
        bl = build_list_of(project, &mf, &side.dir);
        // Modules the edits bring into the graph that the reference has: match them too.
        for m in &bl.modules {
            if side.build_list.get(&m.module.path).is_none() && !wants.contains_key(&m.module.path)
            {
                if let Some(r) = reference.get(&m.module.path) {
                    wants.insert(m.module.path.clone(), want_from(r, &side.dir));
                }
            }
        }
        let mut next = text.clone();
        let mut edited = BTreeSet::new();
        let mut pending: BTreeMap<String, String> = BTreeMap::new();
        for (path, want) in &wants {
            let Some(cur) = bl.get(path) else {
                continue;
            };
            if Source::of(cur) == want.source {
                continue;
            }
            let v = &cur.module.version;
            let pinned = mf
                .require
                .iter()
                .any(|r| r.module.path == *path && r.module.version == want.version);
            if greater(v, &want.version) && pinned && !high.contains_key(path) {
                // Decided once the other edits have settled: they may lower what raises it.
                pending.insert(path.clone(), v.clone());
                if !replace_differs(&mf, path, want) {
                    continue;
                }
                next = apply_want(&next, &mf, path, None, want);
                edited.insert(path.clone());
                continue;
            }
            // A module selected higher than wanted despite the pin keeps its version; a
            // mirrored wildcard replacement still decides its source.
            let version =
                (*v != want.version && !high.contains_key(path)).then_some(want.version.as_str());
            // This module's replacements are not touched by the other modules' edits.
            if version.is_some() || replace_differs(&mf, path, want) {
                next = apply_want(&next, &mf, path, version, want);
                edited.insert(path.clone());
            }
        }
        // cmd/go's updatePrunedRoots: a pruned module's requirements must be the selected
        // versions, or every build says "updates to go.mod needed".
        if pruned {
            for r in &mf.require {
                let path = &r.module.path;
                if edited.contains(path) || pending.contains_key(path) {
                    continue;
                }
                if let Some(sel) = bl.get(path) {
                    if greater(&sel.module.version, &r.module.version) {
                        if let Ok(t) = edit::set_require(&next, path, &sel.module.version, true) {
                            next = t;
                        }
                    }
                }
            }
        }
        if next == text {
            if pending.is_empty() {
                converged = true;
                break;
            }
            high.extend(pending);
        }
        text = next;
    }
    // Forced: still another source than wanted, because the version could not be lowered.
    let forced: BTreeMap<String, String> = high
        .into_iter()
        .filter(|(path, _)| {
            bl.get(path)
                .zip(wants.get(path))
                .is_some_and(|(cur, want)| Source::of(cur) != want.source)
        })
        .collect();
    if !converged {
        notes.push("the edits did not settle after 16 rounds; run `godrift align` again".into());
    }
    let new_mf = parse_text(&text)?;
    let mut steps = Vec::new();
    // Per module: its require versions and replace lines, before and after.
    type Directives = BTreeMap<String, (Vec<String>, Vec<String>)>;
    let directives = |f: &ModFile| -> Directives {
        let mut d: Directives = BTreeMap::new();
        for r in &f.require {
            d.entry(r.module.path.clone())
                .or_default()
                .0
                .push(r.module.version.clone());
        }
        for r in &f.replace {
            d.entry(r.old.path.clone())
                .or_default()
                .1
                .push(format!("{} => {}", r.old, r.new));
        }
        d
    };
    let (before_all, after_all) = (directives(&original), directives(&new_mf));
    let touched: BTreeSet<&String> = before_all.keys().chain(after_all.keys()).collect();
    let none = (Vec::new(), Vec::new());
    for path in touched {
        let before = before_all.get(path).unwrap_or(&none);
        let after = after_all.get(path).unwrap_or(&none);
        if before == after {
            continue;
        }
        let from = side
            .build_list
            .get(path)
            .map_or_else(|| "(none)".to_string(), describe);
        let to = bl.get(path).map_or_else(|| "(none)".to_string(), describe);
        let new_version = after.0.first().cloned().unwrap_or_default();
        let args = if before.1 == after.1 {
            format!("go get {path}@{new_version}")
        } else {
            let mut a = vec!["go mod edit".to_string()];
            if !new_version.is_empty() && before.0 != after.0 {
                a.push(format!("-require={path}@{new_version}"));
            }
            match new_mf.replace.iter().find(|r| r.old.path == *path) {
                Some(r) if r.is_local() => a.push(format!("-replace={path}={}", r.new.path)),
                Some(r) => a.push(format!("-replace={path}={}", r.new)),
                None => a.push(format!("-dropreplace={path}")),
            }
            a.join(" ")
        };
        steps.push(Step {
            module: path.clone(),
            from,
            to,
            args,
        });
    }
    let forced: Vec<Forced> = forced
        .into_iter()
        .map(|(module, selected)| Forced {
            want: wants
                .get(&module)
                .map(|w| w.version.clone())
                .unwrap_or_default(),
            via: requirers(&bl, &module, &selected),
            module,
            selected,
        })
        .collect();
    if side.build_list.vendored && text != old {
        notes.push(format!(
            "vendored: run `(cd {} && go mod vendor)` after the go.mod edit",
            side.dir.display()
        ));
    }
    let mut plan = SidePlan {
        artifact: side.name.clone(),
        dir: side.dir.clone(),
        go_mod: side.go_mod_path.clone(),
        old,
        new: text,
        steps,
        forced,
        notes,
        go_sum: None,
        unresolved_sums: Vec::new(),
        build_list: bl,
    };
    if opts.sums && plan.changes_go_mod() && !side.build_list.vendored {
        plan_sums(project, side, &new_mf, &mut plan);
    }
    Some(plan)
}

/// The go.sum lines the edited go.mod needs, from the module cache (or the host's go.sum).
fn plan_sums(project: &Project, side: &Side, new_mf: &ModFile, plan: &mut SidePlan) {
    let sum_path = side.dir.join("go.sum");
    let old_text = crate::fsio::read_optional(&sum_path)
        .ok()
        .flatten()
        .map(|d| String::from_utf8_lossy(&d).into_owned());
    let mut want = sums::needed_sums(
        new_mf,
        &plan.build_list,
        side.go_sum.as_ref(),
        &project.modcache,
    );
    // Modules new to the build list whose content the cache holds probably provide packages
    // (someone built with them): record them too; extra lines never break a build.
    for m in &plan.build_list.modules {
        if side.build_list.get(&m.module.path).is_some() {
            continue;
        }
        if let Some(e) = effective(new_mf, &m.module) {
            let content = SumEntry {
                module: e.clone(),
                go_mod: false,
            };
            if sums::hash_from_cache(&project.modcache, &content).is_some() {
                want.insert(content);
                want.insert(SumEntry {
                    module: e,
                    go_mod: true,
                });
            }
        }
    }
    let (lines, unresolved) = sums::fill(
        &want,
        side.go_sum.as_ref(),
        project.host.go_sum.as_ref(),
        &project.modcache,
    );
    plan.unresolved_sums = unresolved;
    if !lines.is_empty() {
        let new = sums::add_lines(old_text.as_deref().unwrap_or(""), &lines);
        plan.go_sum = Some((sum_path, old_text, new));
    }
}

/// The host's build list after also requiring `module@version` (MVS over the union).
fn host_upgrade(
    project: &Project,
    module: &str,
    version: &str,
    wanted_by: Vec<String>,
    forced_by: Vec<String>,
    extra: Option<&Replacement>,
) -> HostUpgrade {
    let host = &project.host;
    let mut main: ModFile = host.go_mod.clone();
    main.require.retain(|r| r.module.path != module);
    main.require.push(Require {
        module: ModuleVersion::new(module, version),
        indirect: false,
        span: Default::default(),
    });
    // Use the plugin's source for the module when it is a local directory.
    if let Some(Replacement::Dir { resolved, .. }) = extra {
        main.replace.retain(|r| r.old.path != module);
        main.replace.push(crate::gomod::Replace {
            old: ModuleVersion::new(module, ""),
            new: ModuleVersion::new(relative_dir(&host.dir, resolved), ""),
            span: Default::default(),
        });
    }
    let after = build_list_of(project, &main, &host.dir);
    let mut moves = Vec::new();
    for m in &after.modules {
        let before = host
            .build_list
            .get(&m.module.path)
            .map(|b| b.module.version.clone());
        if before.as_deref() != Some(m.module.version.as_str()) {
            moves.push(Move {
                module: m.module.path.clone(),
                from: before.unwrap_or_else(|| "(none)".into()),
                to: m.module.version.clone(),
            });
        }
    }
    let affects = project
        .plugins
        .iter()
        .filter(|p| {
            moves.iter().any(|mv| {
                p.build_list
                    .get(&mv.module)
                    .is_some_and(|s| s.module.version != mv.to)
            })
        })
        .map(|p| p.name.clone())
        .collect();
    HostUpgrade {
        required_by: wanted_by,
        to: version.to_string(),
        moves,
        forced_by,
        affects,
    }
}

/// Per module: the plugins a finding at error or warning severity names with it.
fn flagged(project: &Project, findings: &[Finding]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let vendored = |name: &str| {
        std::iter::once(&project.host)
            .chain(&project.plugins)
            .any(|s| s.name == name && s.build_list.vendored)
    };
    for f in findings.iter().filter(|f| fixable(f)) {
        let Some(m) = &f.module else { continue };
        // A vendored side compiles vendor/, whatever its replacements say: no go.mod edit
        // makes the directories equal (-trimpath on both sides does).
        if f.code == Code::SourcePathDivergence && f.artifacts.iter().any(|a| vendored(a)) {
            continue;
        }
        let entry = out.entry(m.clone()).or_default();
        for a in &f.artifacts {
            if *a != project.host.name {
                entry.insert(a.clone());
            }
        }
        // Between plugins (a module the host lacks), every plugin holding it takes part.
        if project.host.build_list.get(m).is_none() {
            for p in &project.plugins {
                if p.build_list.get(m).is_some() {
                    entry.insert(p.name.clone());
                }
            }
        }
    }
    out
}

/// The newest effective version of `module` in `lists` (module sources only).
fn newest<'a>(
    lists: impl Iterator<Item = &'a BuildList>,
    module: &str,
) -> Option<&'a SelectedModule> {
    lists.filter_map(|l| l.get(module)).reduce(|a, b| {
        let v = |m: &SelectedModule| match Source::of(m) {
            Source::Module { module } => module.version,
            Source::Dir { .. } => m.module.version.clone(),
        };
        if greater(&v(b), &v(a)) {
            b
        } else {
            a
        }
    })
}

/// The go.mod text of `old` with only `module`'s directives made as in `new_mf`.
fn module_only(old: &str, new_mf: &ModFile, module: &str) -> Option<String> {
    let mut text = old.to_string();
    if let Some(r) = new_mf.require.iter().find(|r| r.module.path == module) {
        text = edit::set_require(&text, module, &r.module.version, r.indirect).ok()?;
    }
    let old_mf = parse_text(old)?;
    let replaces = |f: &ModFile| -> Vec<(ModuleVersion, ModuleVersion)> {
        f.replace
            .iter()
            .filter(|r| r.old.path == module)
            .map(|r| (r.old.clone(), r.new.clone()))
            .collect()
    };
    let new_replaces = replaces(new_mf);
    if replaces(&old_mf) != new_replaces {
        text = match new_replaces.first() {
            Some((_, new)) => edit::set_replace(&text, module, new).ok()?,
            None => edit::drop_replaces(&text, module).ok()?,
        };
    }
    Some(text)
}

/// Computes every edit, per go.mod, that aligns the sides on the modules `findings` name.
///
/// Plugins are planned independently against the reference (the host); a module the host
/// lacks is aligned on the newest version the plugins hold. When the edits move such a module
/// in one plugin so that plugins now disagree on it, it is added and the plugins planned again.
pub fn plan(project: &Project, findings: &[Finding], opts: PlanOptions) -> Plan {
    let mut flagged = flagged(project, findings);
    let strategy = project.config.align.strategy;
    let host = &project.host;
    let mut host_plan = None;
    let mut reference = host.build_list.clone();
    // With strategy "max", the host first moves to the newest version of each module, and
    // again when aligning a plugin on it forces a module higher still.
    let mut host_wants: BTreeMap<String, Want> = BTreeMap::new();
    if strategy == AlignStrategy::Max {
        for module in flagged.keys() {
            let (Some(h), Some(n)) = (
                host.build_list.get(module),
                newest(project.plugins.iter().map(|p| &p.build_list), module),
            ) else {
                continue;
            };
            if greater(&n.module.version, &h.module.version) {
                host_wants.insert(module.clone(), want_from(n, &host.dir));
            }
        }
    }
    let mut planned;
    let mut rounds = 0;
    loop {
        if !host_wants.is_empty() {
            if let Some(p) = plan_side(project, host, host_wants.clone(), &host.build_list, opts) {
                reference = p.build_list.clone();
                host_plan = Some(p);
            }
        }
        planned = plan_plugins(project, &mut flagged, &reference, opts);
        rounds += 1;
        if strategy != AlignStrategy::Max || rounds == 4 {
            break;
        }
        let mut raised = false;
        for p in planned.values() {
            for f in &p.forced {
                if let Some(m) = p.build_list.get(&f.module) {
                    let higher = host_wants
                        .get(&f.module)
                        .is_none_or(|w| greater(&m.module.version, &w.version));
                    if higher {
                        host_wants.insert(f.module.clone(), want_from(m, &host.dir));
                        raised = true;
                    }
                }
            }
        }
        if !raised {
            break;
        }
    }
    let sides: Vec<SidePlan> = host_plan.into_iter().chain(planned.into_values()).collect();
    let proposals = proposals(project, &flagged, &sides, &reference);
    Plan { sides, proposals }
}

/// Plans every plugin against `reference`, re-planning while the edits make plugins disagree
/// on a module the reference lacks (those are added to `flagged`).
fn plan_plugins(
    project: &Project,
    flagged: &mut BTreeMap<String, BTreeSet<String>>,
    reference: &BuildList,
    opts: PlanOptions,
) -> BTreeMap<String, SidePlan> {
    let host = &project.host;
    let mut planned: BTreeMap<String, SidePlan> = BTreeMap::new();
    // A plugin whose wants did not change since the last round keeps its plan.
    let mut asked: BTreeMap<String, BTreeMap<String, Want>> = BTreeMap::new();
    for _ in 0..4 {
        let lists: Vec<&BuildList> = project
            .plugins
            .iter()
            .map(|p| {
                planned
                    .get(&p.name)
                    .map_or(&p.build_list, |x| &x.build_list)
            })
            .collect();
        let mut next: BTreeMap<String, SidePlan> = BTreeMap::new();
        for plugin in &project.plugins {
            let mut wants = BTreeMap::new();
            for (module, names) in flagged.iter() {
                if !names.contains(&plugin.name) {
                    continue;
                }
                let r = match reference.get(module) {
                    Some(r) => r,
                    None => match newest(lists.iter().copied(), module) {
                        Some(r) => r,
                        None => continue,
                    },
                };
                wants.insert(module.clone(), want_from(r, &plugin.dir));
            }
            // What matched the host before the host moved (strategy "max") moves with it.
            for m in &plugin.build_list.modules {
                let path = &m.module.path;
                if let (Some(h), Some(r)) = (host.build_list.get(path), reference.get(path)) {
                    if Source::of(h) == Source::of(m) && Source::of(r) != Source::of(h) {
                        wants.insert(path.clone(), want_from(r, &plugin.dir));
                    }
                }
            }
            if wants.is_empty() {
                continue;
            }
            // Keep what matched the host before matching it after.
            for m in &plugin.build_list.modules {
                if let Some(h) = host.build_list.get(&m.module.path) {
                    if Source::of(h) == Source::of(m) {
                        if let Some(r) = reference.get(&m.module.path) {
                            wants
                                .entry(m.module.path.clone())
                                .or_insert_with(|| want_from(r, &plugin.dir));
                        }
                    }
                }
            }
            if asked.get(&plugin.name) == Some(&wants) {
                if let Some(p) = planned.get(&plugin.name) {
                    next.insert(plugin.name.clone(), p.clone());
                }
                continue;
            }
            asked.insert(plugin.name.clone(), wants.clone());
            if let Some(p) = plan_side(project, plugin, wants, reference, opts) {
                next.insert(plugin.name.clone(), p);
            }
        }
        planned = next;
        // Modules the host lacks that the edits made plugins disagree on.
        let mut sources: BTreeMap<&str, Vec<(&str, Source, bool)>> = BTreeMap::new();
        for p in &project.plugins {
            let list = planned
                .get(&p.name)
                .map_or(&p.build_list, |x| &x.build_list);
            for m in &list.modules {
                if reference.get(&m.module.path).is_some() {
                    continue;
                }
                let moved = p
                    .build_list
                    .get(&m.module.path)
                    .is_none_or(|o| Source::of(o) != Source::of(m));
                sources.entry(m.module.path.as_str()).or_default().push((
                    p.name.as_str(),
                    Source::of(m),
                    moved,
                ));
            }
        }
        let mut again = false;
        for (module, holders) in sources {
            let disagree = holders.iter().any(|h| h.1 != holders[0].1);
            let ours = flagged.contains_key(module) || holders.iter().any(|h| h.2);
            if disagree && ours {
                let entry = flagged.entry(module.to_string()).or_default();
                for (name, _, _) in &holders {
                    entry.insert((*name).to_string());
                }
                again = true;
            }
        }
        if !again {
            break;
        }
    }
    planned
}

fn proposals(
    project: &Project,
    flagged: &BTreeMap<String, BTreeSet<String>>,
    plans: &[SidePlan],
    reference: &BuildList,
) -> Vec<Proposal> {
    let strategy = project.config.align.strategy;
    let all: Vec<&Side> = std::iter::once(&project.host)
        .chain(&project.plugins)
        .collect();
    let mut out = Vec::new();
    for module in flagged.keys() {
        let Some(target_sel) = reference.get(module).or_else(|| {
            let lists = plans
                .iter()
                .map(|p| &p.build_list)
                .chain(project.plugins.iter().map(|p| &p.build_list));
            newest(lists, module)
        }) else {
            continue;
        };
        let target = match Source::of(target_sel) {
            Source::Module { module: m } if m.path == *module => m.version,
            Source::Module { module: m } => m.to_string(),
            Source::Dir { .. } => target_sel.module.version.clone(),
        };
        let replace = match &target_sel.replace {
            None => None,
            Some(Replacement::Module { module: m }) => Some(format!("=> {} {}", m.path, m.version)),
            Some(Replacement::Dir { path, .. }) => Some(format!("=> {path}")),
        };
        let mut why = BTreeMap::new();
        for s in &all {
            let c = chain(&s.build_list, module);
            if !c.is_empty() {
                why.insert(s.name.clone(), c);
            }
        }
        let mut changes = Vec::new();
        let mut forced_by = Vec::new();
        let mut newer = Vec::new();
        for p in plans {
            let rel_go_mod = p.go_mod.display().to_string();
            if let Some(f) = p.forced.iter().find(|f| f.module == *module) {
                forced_by.push(p.artifact.clone());
                if !newer.contains(&p.artifact) {
                    newer.push(p.artifact.clone());
                }
                changes.push(Change {
                    artifact: p.artifact.clone(),
                    go_mod: rel_go_mod,
                    from: f.selected.clone(),
                    to: f.selected.clone(),
                    command: String::new(),
                    diff: None,
                    note: Some(format!(
                        "its own requirements force {} above {} ({}): align cannot lower it; rebuild the host with {} (see host_upgrade) or downgrade what requires it",
                        f.selected, f.want, f.via, f.selected
                    )),
                    args: String::new(),
                });
                continue;
            }
            let Some(step) = p.steps.iter().find(|s| s.module == *module) else {
                continue;
            };
            if let Some(s) = project
                .plugins
                .iter()
                .find(|s| s.name == p.artifact)
                .and_then(|s| s.build_list.get(module))
            {
                if greater(&s.module.version, &target_sel.module.version)
                    && project.config.align.strategy == AlignStrategy::Host
                {
                    newer.push(p.artifact.clone());
                }
            }
            let diff = parse_text(&p.new)
                .and_then(|mf| module_only(&p.old, &mf, module))
                .map(|n| {
                    let rel = p.go_mod.strip_prefix(&project.root).unwrap_or(&p.go_mod);
                    unified_diff(&rel.display().to_string(), Some(&p.old), &n)
                });
            let note = step.args.starts_with("go mod edit").then(|| {
                "`go get` cannot change a replaced module; after the edit, `go mod tidy` updates go.sum (`godrift align` does both)".to_string()
            });
            changes.push(Change {
                artifact: p.artifact.clone(),
                go_mod: rel_go_mod,
                from: step.from.clone(),
                to: step.to.clone(),
                command: format!("(cd {} && {})", p.dir.display(), step.args),
                diff,
                note,
                args: step.args.clone(),
            });
        }
        let host_upgrade = if newer.is_empty() || strategy != AlignStrategy::Host {
            None
        } else {
            let wanted = newest(
                project
                    .plugins
                    .iter()
                    .filter(|p| newer.contains(&p.name))
                    .map(|p| &p.build_list),
                module,
            );
            wanted.map(|w| {
                host_upgrade(
                    project,
                    module,
                    &w.module.version,
                    newer.clone(),
                    forced_by.clone(),
                    w.replace.as_ref(),
                )
            })
        };
        out.push(Proposal {
            module: module.clone(),
            target,
            replace,
            strategy,
            why,
            changes,
            host_upgrade,
        });
    }
    out
}

/// The proposals for `findings` (error and warning only), as reports show them.
pub fn propose(project: &Project, findings: &[Finding]) -> Vec<Proposal> {
    plan(project, findings, PlanOptions::default()).proposals
}
