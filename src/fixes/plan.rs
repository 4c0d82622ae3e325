//! The plan: per side, every go.mod edit computed together, settled against the recomputed
//! build list (see `crate::fixes`).

use super::proposals::proposals;
use super::source::{describe, effective, Source};
use super::sums::{self, SumEntry};
use super::{
    build_list_of, fixable, greater, in_workspace, is_pruned, parse_text, relative_dir, requirers,
    Proposal,
};
use crate::config::AlignStrategy;
use crate::finding::{Code, Finding};
use crate::gomod::{edit, ModFile};
use crate::graph::{BuildList, Replacement, SelectedModule};
use crate::module::ModuleVersion;
use crate::project::{Project, Side};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// What a side must build a module from to match the reference.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Want {
    /// The requirement to pin: the reference's selected version (before `replace`).
    version: String,
    /// The replacement to mirror, written for this side (a directory made relative to it);
    /// None: the side must not replace the module.
    replace: Option<ModuleVersion>,
    source: Source,
    /// Both sides build with -trimpath: cmd/go then names the compiled files after the
    /// required version (work.Action.trimpath), so it must match too, not only the source.
    exact: bool,
}

impl Want {
    /// As `describe` shows a selected module, for this side.
    fn shown(&self) -> String {
        match &self.replace {
            None => self.version.clone(),
            Some(r) if r.version.is_empty() => format!("{} => {}", self.version, r.path),
            Some(r) => format!("{} => {} {}", self.version, r.path, r.version),
        }
    }
}

fn want_from(reference: &SelectedModule, side_dir: &Path, exact: bool) -> Want {
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
        exact,
    }
}

/// A module whose version the side's own requirements keep above the reference's.
#[derive(Clone, Debug, Serialize)]
pub struct Forced {
    pub module: String,
    pub want: String,
    pub selected: String,
    /// What forces it: the modules requiring it at that version, or the requirement chain.
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
    /// The build list after the edits; None when it was not recomputed (the side's own).
    pub build_list: Option<BuildList>,
    /// The parse of `new` (proposals show each module's part of the edit).
    pub(crate) new_mod: Option<ModFile>,
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

/// The whole alignment: per side plans (sides that need no alignment are left out) and the
/// per-module proposals for reports.
#[derive(Clone, Debug)]
pub struct Plan {
    pub sides: Vec<SidePlan>,
    pub proposals: Vec<Proposal>,
}

#[derive(Clone, Copy, Debug)]
pub struct PlanOptions {
    /// Also compute the go.sum lines the edited modules need (reads the module cache).
    pub sums: bool,
    /// Recompute each edited side's build list until it settles (what `align` writes: new
    /// pins, raised requirements, forced modules, plugins re-planned when edits make them
    /// disagree). Without it (reports), only the first round of edits is proposed, with no
    /// build list recomputed: cheap on projects with many plugins.
    pub settle: bool,
    /// Give each proposal's change its own diff (`Change::diff`, which only the JSON report
    /// shows; the default).
    pub change_diffs: bool,
}

impl Default for PlanOptions {
    fn default() -> PlanOptions {
        PlanOptions {
            sums: false,
            settle: false,
            change_diffs: true,
        }
    }
}

impl PlanOptions {
    /// What `align` needs: settled edits and go.sum lines.
    pub fn align() -> PlanOptions {
        PlanOptions {
            sums: true,
            settle: true,
            change_diffs: true,
        }
    }
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

/// Whether `a` and `b` compile the same code (`Source::of(a) == Source::of(b)`, without
/// allocating: this runs for every module of every plugin).
fn same_code(a: &SelectedModule, b: &SelectedModule) -> bool {
    fn module(m: &SelectedModule) -> Option<&ModuleVersion> {
        match &m.replace {
            None => Some(&m.module),
            Some(Replacement::Module { module }) => Some(module),
            Some(Replacement::Dir { .. }) => None,
        }
    }
    match (module(a), module(b), &a.replace, &b.replace) {
        (Some(x), Some(y), _, _) => x == y,
        (
            None,
            None,
            Some(Replacement::Dir { resolved: x, .. }),
            Some(Replacement::Dir { resolved: y, .. }),
        ) => x == y,
        _ => false,
    }
}

/// Whether `m` is built as `want` asks: from its source, and at its version when exact.
fn satisfied(m: &SelectedModule, want: &Want) -> bool {
    same_source(m, &want.source) && (!want.exact || m.module.version == want.version)
}

/// Whether `m` is compiled from `source` (`Source::of(m) == *source`, without allocating).
fn same_source(m: &SelectedModule, source: &Source) -> bool {
    match (&m.replace, source) {
        (None, Source::Module { module }) => m.module == *module,
        (Some(Replacement::Module { module: r }), Source::Module { module }) => r == module,
        (Some(Replacement::Dir { resolved, .. }), Source::Dir { path }) => resolved == path,
        _ => false,
    }
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
    let exact = side.build.trimpath && project.host.build.trimpath;
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
            build_list: None,
            new_mod: None,
        });
    }
    // The go.mod as the project parsed it (the same text, when it is UTF-8).
    let original: Cow<ModFile> = if std::str::from_utf8(&side.go_mod_text).is_ok() {
        Cow::Borrowed(&side.go_mod)
    } else {
        Cow::Owned(parse_text(&old)?)
    };
    let pruned = is_pruned(&original);
    let mut text = old.clone();
    // Modules pinned at the wanted version that the graph still selects higher: pinning
    // them again would undo the consistency pass, so they are left at what is selected.
    let mut high: BTreeMap<String, String> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut converged = false;
    let mut bl: Cow<BuildList> = Cow::Borrowed(&side.build_list);
    let rounds = if opts.settle { 16 } else { 1 };
    // The parse of `text`, when the last edit produced it (else parsed when needed).
    let mut text_mf: Option<ModFile> = None;
    for _ in 0..rounds {
        let parsed = if text == old {
            Some(Cow::Borrowed(original.as_ref()))
        } else {
            text_mf.take().or_else(|| parse_text(&text)).map(Cow::Owned)
        };
        let Some(mf) = parsed else {
            notes.push("the edited go.mod does not parse (a godrift bug): not changed".into());
            return None;
        };
        // Before any edit, the build list is the side's own.
        bl = if text == old && !side.build_list.vendored {
            Cow::Borrowed(&side.build_list)
        } else {
            Cow::Owned(build_list_of(project, &mf, &side.dir))
        };
        // Modules the edits bring into the graph that the reference has: match them too
        // (none before any edit: the list is then the side's own).
        let own = std::ptr::eq(bl.as_ref(), &side.build_list);
        for m in bl.modules.iter().filter(|_| !own) {
            if side.build_list.get(&m.module.path).is_none() && !wants.contains_key(&m.module.path)
            {
                if let Some(r) = reference.get(&m.module.path) {
                    wants.insert(m.module.path.clone(), want_from(r, &side.dir, exact));
                }
            }
        }
        // This round's edits, applied together: requirement versions on one parse, then the
        // (few) replacement changes.
        let mut requires: Vec<(String, String, bool)> = Vec::new();
        let mut replaces: Vec<(&String, &Want)> = Vec::new();
        let mut edited = BTreeSet::new();
        let mut pending: BTreeMap<String, String> = BTreeMap::new();
        let required: std::collections::HashMap<&str, Vec<&str>> =
            mf.require.iter().fold(Default::default(), |mut m, r| {
                m.entry(r.module.path.as_str())
                    .or_default()
                    .push(r.module.version.as_str());
                m
            });
        for (path, want) in &wants {
            let Some(cur) = bl.get(path) else {
                continue;
            };
            if satisfied(cur, want) {
                continue;
            }
            let v = &cur.module.version;
            let pinned = required
                .get(path.as_str())
                .is_some_and(|vs| vs.contains(&want.version.as_str()));
            let replace = replace_differs(&mf, path, want);
            if replace {
                replaces.push((path, want));
                edited.insert(path.clone());
            }
            if greater(v, &want.version) && pinned && !high.contains_key(path) {
                // Decided once the other edits have settled: they may lower what raises it.
                pending.insert(path.clone(), v.clone());
                continue;
            }
            // A module selected higher than wanted despite the pin keeps its version; a
            // mirrored wildcard replacement still decides its source.
            if *v != want.version && !high.contains_key(path) {
                requires.push((path.clone(), want.version.clone(), true));
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
                        requires.push((path.clone(), sel.module.version.clone(), true));
                        edited.insert(path.clone());
                    }
                }
            }
        }
        if !opts.settle {
            // The first round only (see PlanOptions::settle): no consistency raises.
            requires.retain(|(p, _, _)| wants.contains_key(p));
        }
        let (mut next, mut next_mf) = if requires.is_empty() {
            (text.clone(), None)
        } else {
            match edit::set_requires_on(&text, &mf, &requires) {
                Ok((t, f)) => (t, Some(f)),
                Err(_) => (text.clone(), None),
            }
        };
        if !replaces.is_empty() {
            next_mf = None;
        }
        for (path, want) in replaces {
            let edited = match &want.replace {
                None => edit::drop_replaces(&next, path),
                Some(r) => edit::set_replace(&next, path, r),
            };
            if let Ok(t) = edited {
                next = t;
            }
        }
        if !opts.settle {
            text = next;
            text_mf = next_mf;
            converged = true;
            break;
        }
        if next == text {
            if pending.is_empty() {
                converged = true;
                break;
            }
            high.extend(pending);
        }
        text = next;
        text_mf = next_mf;
    }
    // Forced: still another source than wanted, because the version could not be lowered.
    let forced: BTreeMap<String, String> = high
        .into_iter()
        .filter(|(path, _)| {
            bl.get(path)
                .zip(wants.get(path))
                .is_some_and(|(cur, want)| !satisfied(cur, want))
        })
        .collect();
    if !converged {
        notes.push("the edits did not settle after 16 rounds; run `godrift align` again".into());
    }
    let new_mf = match text_mf {
        Some(f) => f,
        None if text == old => original.clone().into_owned(),
        None => parse_text(&text)?,
    };
    let mut steps = Vec::new();
    // Per module: its require versions and replace lines, before and after (borrowed from
    // the parses: this runs for every plugin).
    type Directives<'f> = BTreeMap<&'f str, (Vec<&'f str>, Vec<String>)>;
    fn directives(f: &ModFile) -> Directives<'_> {
        let mut d: Directives = BTreeMap::new();
        for r in &f.require {
            d.entry(r.module.path.as_str())
                .or_default()
                .0
                .push(r.module.version.as_str());
        }
        for r in &f.replace {
            d.entry(r.old.path.as_str())
                .or_default()
                .1
                .push(format!("{} => {}", r.old, r.new));
        }
        d
    }
    let (before_all, after_all) = (directives(&original), directives(&new_mf));
    let touched: BTreeSet<&str> = before_all.keys().chain(after_all.keys()).copied().collect();
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
        let to = match (opts.settle, wants.get(path)) {
            (false, Some(w)) => w.shown(),
            _ => bl.get(path).map_or_else(|| "(none)".to_string(), describe),
        };
        let new_version = after.0.first().copied().unwrap_or_default();
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
            module: path.to_string(),
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
            "vendored: run `(cd {} && {})` after the go.mod edit",
            side.build_list.main_dir.display(),
            side.build_list.vendor_command()
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
        build_list: match bl {
            Cow::Owned(b) => Some(b),
            Cow::Borrowed(_) => None,
        },
        new_mod: None,
    };
    if opts.sums && plan.changes_go_mod() && !side.build_list.vendored {
        plan_sums(project, side, &new_mf, &mut plan);
    }
    plan.new_mod = Some(new_mf);
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
        plan.build_list.as_ref().unwrap_or(&side.build_list),
        side.go_sum.as_ref(),
        &project.modcache,
    );
    // Modules new to the build list whose content the cache holds probably provide packages
    // (someone built with them): record them too; extra lines never break a build.
    for m in &plan.build_list.as_ref().unwrap_or(&side.build_list).modules {
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

/// Per module: the plugins a finding at error or warning severity names with it.
fn flagged(
    project: &Project,
    holders: &Holders,
    findings: &[Finding],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let vendored_sides: BTreeSet<&str> = std::iter::once(&project.host)
        .chain(&project.plugins)
        .filter(|s| s.build_list.vendored)
        .map(|s| s.name.as_str())
        .collect();
    let vendored = |name: &str| vendored_sides.contains(name);
    let mut examined: std::collections::HashSet<&str> = Default::default();
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
        // Between plugins (a module the host lacks), every plugin holding it takes part
        // (each module looked up once: there is a finding per plugin naming it).
        if examined.insert(m.as_str()) && project.host.build_list.get(m).is_none() {
            for (p, _) in holders.of(m) {
                entry.insert(p.name.clone());
            }
        }
    }
    out
}

/// The version a selected module's code is built from (`Source::of`'s, without copying).
fn source_version(m: &SelectedModule) -> &str {
    match &m.replace {
        Some(Replacement::Module { module }) => &module.version,
        _ => &m.module.version,
    }
}

/// The newest effective version of `module` in `lists` (module sources only).
pub(super) fn newest<'a>(
    lists: impl Iterator<Item = &'a BuildList>,
    module: &str,
) -> Option<&'a SelectedModule> {
    newest_of(lists.filter_map(|l| l.get(module)))
}

/// The newest of `held` (the same module in several lists), the first of equals.
pub(super) fn newest_of<'a>(
    held: impl Iterator<Item = &'a SelectedModule>,
) -> Option<&'a SelectedModule> {
    held.reduce(|a, b| {
        if greater(source_version(b), source_version(a)) {
            b
        } else {
            a
        }
    })
}

/// Per module path, the plugins whose build list holds it, in plugin order: one pass over
/// every list, so what the plan asks of all plugins per module (which hold it, the newest
/// version, which a host upgrade moves) costs the plugins holding it, not one lookup per
/// plugin per module.
pub(super) struct Holders<'p> {
    by_path: std::collections::HashMap<&'p str, Vec<(u32, u32)>>,
    plugins: &'p [Side],
}

impl<'p> Holders<'p> {
    pub fn new(plugins: &'p [Side]) -> Holders<'p> {
        let mut by_path: std::collections::HashMap<&'p str, Vec<(u32, u32)>> = Default::default();
        for (i, p) in plugins.iter().enumerate() {
            for (j, m) in p.build_list.modules.iter().enumerate() {
                by_path
                    .entry(m.module.path.as_str())
                    .or_default()
                    .push((i as u32, j as u32));
            }
        }
        Holders { by_path, plugins }
    }

    /// The plugins holding `module`, with where it is in each one's list.
    pub fn positions(&self, module: &str) -> impl Iterator<Item = (&'p Side, usize)> + '_ {
        self.by_path
            .get(module)
            .into_iter()
            .flatten()
            .map(|&(i, j)| (&self.plugins[i as usize], j as usize))
    }

    /// The plugins holding `module` (by position), with the module as each selects it.
    pub fn holding(&self, module: &str) -> impl Iterator<Item = (usize, &'p SelectedModule)> + '_ {
        self.by_path
            .get(module)
            .into_iter()
            .flatten()
            .map(|&(i, j)| {
                (
                    i as usize,
                    &self.plugins[i as usize].build_list.modules[j as usize],
                )
            })
    }

    /// The plugins holding `module`, with the module as each selects it.
    pub fn of(&self, module: &str) -> impl Iterator<Item = (&'p Side, &'p SelectedModule)> + '_ {
        self.by_path
            .get(module)
            .into_iter()
            .flatten()
            .map(|&(i, j)| {
                let p = &self.plugins[i as usize];
                (p, &p.build_list.modules[j as usize])
            })
    }
}

/// Computes every edit, per go.mod, that aligns the sides on the modules `findings` name.
///
/// Plugins are planned independently against the reference (the host); a module the host
/// lacks is aligned on the newest version the plugins hold. When the edits move such a module
/// in one plugin so that plugins now disagree on it, it is added and the plugins planned again.
pub fn plan(project: &Project, findings: &[Finding], opts: PlanOptions) -> Plan {
    let holders = Holders::new(&project.plugins);
    let mut flagged = flagged(project, &holders, findings);
    let strategy = project.config.align.strategy;
    let host = &project.host;
    let mut host_plan = None;
    let mut reference: Cow<BuildList> = Cow::Borrowed(&host.build_list);
    // With strategy "max", the host first moves to the newest version of each module, and
    // again when aligning a plugin on it forces a module higher still.
    let mut host_wants: BTreeMap<String, Want> = BTreeMap::new();
    if strategy == AlignStrategy::Max {
        for module in flagged.keys() {
            let (Some(h), Some(n)) = (
                host.build_list.get(module),
                newest_of(holders.of(module).map(|(_, m)| m)),
            ) else {
                continue;
            };
            if greater(&n.module.version, &h.module.version) {
                host_wants.insert(module.clone(), want_from(n, &host.dir, host.build.trimpath));
            }
        }
    }
    let mut planned;
    let mut rounds = 0;
    loop {
        if !host_wants.is_empty() {
            if let Some(p) = plan_side(project, host, host_wants.clone(), &host.build_list, opts) {
                if let Some(b) = &p.build_list {
                    reference = Cow::Owned(b.clone());
                }
                host_plan = Some(p);
            }
        }
        planned = plan_plugins(project, &holders, &mut flagged, &reference, opts);
        rounds += 1;
        if strategy != AlignStrategy::Max || rounds == 4 || !opts.settle {
            break;
        }
        let mut raised = false;
        for p in planned.values() {
            for f in &p.forced {
                if let Some(m) = p.build_list.as_ref().and_then(|b| b.get(&f.module)) {
                    let higher = host_wants
                        .get(&f.module)
                        .is_none_or(|w| greater(&m.module.version, &w.version));
                    if higher {
                        host_wants.insert(
                            f.module.clone(),
                            want_from(m, &host.dir, host.build.trimpath),
                        );
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
    let proposals = proposals(
        project,
        &holders,
        &flagged,
        &sides,
        &reference,
        opts.change_diffs,
    );
    Plan { sides, proposals }
}

/// Plans every plugin against `reference`, re-planning while the edits make plugins disagree
/// on a module the reference lacks (those are added to `flagged`).
fn plan_plugins(
    project: &Project,
    holders: &Holders,
    flagged: &mut BTreeMap<String, BTreeSet<String>>,
    reference: &BuildList,
    opts: PlanOptions,
) -> BTreeMap<String, SidePlan> {
    let host = &project.host;
    let mut planned: BTreeMap<String, SidePlan> = BTreeMap::new();
    // A plugin whose wants did not change since the last round keeps its plan.
    let mut asked: BTreeMap<String, BTreeMap<String, Want>> = BTreeMap::new();
    let rounds = if opts.settle { 4 } else { 1 };
    for _ in 0..rounds {
        let lists: Vec<&BuildList> = project
            .plugins
            .iter()
            .map(|p| {
                planned
                    .get(&p.name)
                    .and_then(|x| x.build_list.as_ref())
                    .unwrap_or(&p.build_list)
            })
            .collect();
        // The newest version of each flagged module the reference lacks, found once.
        let newest_of: BTreeMap<&str, &SelectedModule> = flagged
            .keys()
            .filter(|m| reference.get(m).is_none())
            .filter_map(|m| {
                // Before any plan moved a list, the lists are the plugins' own.
                let held = if planned.is_empty() {
                    newest_of(holders.of(m).map(|(_, s)| s))
                } else {
                    newest(lists.iter().copied(), m)
                };
                Some((m.as_str(), held?))
            })
            .collect();
        // What each plugin is asked, and its plan when that changed since the last round:
        // independent per plugin, so computed in parallel (in order when two plugins share
        // a name: the later one sees the earlier one's question, as in sequence).
        // Per plugin name, the flagged modules naming it (one pass over the flags, not
        // one per plugin).
        let mut flagged_for: HashMap<&str, Vec<&String>> = HashMap::new();
        for (module, names) in flagged.iter() {
            for n in names {
                flagged_for.entry(n.as_str()).or_default().push(module);
            }
        }
        // With the host as the reference, what matched the host matches the reference.
        let host_is_reference = std::ptr::eq(reference, &host.build_list);
        let ask = |plugin: &Side| -> Option<BTreeMap<String, Want>> {
            let exact = plugin.build.trimpath && host.build.trimpath;
            let mut wants = BTreeMap::new();
            for &module in flagged_for.get(plugin.name.as_str()).into_iter().flatten() {
                let r = match reference.get(module) {
                    Some(r) => r,
                    None => match newest_of.get(module.as_str()) {
                        Some(r) => r,
                        None => continue,
                    },
                };
                wants.insert(module.clone(), want_from(r, &plugin.dir, exact));
            }
            // What matched the host before the host moved (strategy "max") moves with it.
            for m in plugin
                .build_list
                .modules
                .iter()
                .filter(|_| !host_is_reference)
            {
                let path = &m.module.path;
                if let (Some(h), Some(r)) = (host.build_list.get(path), reference.get(path)) {
                    if same_code(h, m) && !same_code(r, h) {
                        wants.insert(path.clone(), want_from(r, &plugin.dir, exact));
                    }
                }
            }
            if wants.is_empty() {
                return None;
            }
            // Keep what matched the host before matching it after (only edits that are
            // settled against a recomputed build list can move it).
            for m in plugin.build_list.modules.iter().filter(|_| opts.settle) {
                if let Some(h) = host.build_list.get(&m.module.path) {
                    if same_code(h, m) {
                        if let Some(r) = reference.get(&m.module.path) {
                            wants
                                .entry(m.module.path.clone())
                                .or_insert_with(|| want_from(r, &plugin.dir, exact));
                        }
                    }
                }
            }
            Some(wants)
        };
        let unique = {
            let mut names = BTreeSet::new();
            project
                .plugins
                .iter()
                .all(|p| names.insert(p.name.as_str()))
        };
        type Asked = (BTreeMap<String, Want>, Option<Option<SidePlan>>);
        let one = |plugin: &Side, asked: &BTreeMap<String, BTreeMap<String, Want>>| {
            let wants = ask(plugin)?;
            // Planned here only when the question is new (else the last plan is kept below).
            let plan = (asked.get(&plugin.name) != Some(&wants))
                .then(|| plan_side(project, plugin, wants.clone(), reference, opts));
            Some::<Asked>((wants, plan))
        };
        let answers: Vec<Option<Asked>> = if unique {
            use rayon::prelude::*;
            project.plugins.par_iter().map(|p| one(p, &asked)).collect()
        } else {
            Vec::new()
        };
        let mut answers = answers.into_iter();
        let mut next: BTreeMap<String, SidePlan> = BTreeMap::new();
        for plugin in &project.plugins {
            let answer = if unique {
                answers.next().flatten()
            } else {
                one(plugin, &asked)
            };
            let Some((wants, plan)) = answer else {
                continue;
            };
            match plan {
                None => {
                    if let Some(p) = planned.get(&plugin.name) {
                        next.insert(plugin.name.clone(), p.clone());
                    }
                }
                Some(plan) => {
                    asked.insert(plugin.name.clone(), wants);
                    if let Some(p) = plan {
                        next.insert(plugin.name.clone(), p);
                    }
                }
            }
        }
        planned = next;
        if !opts.settle {
            break; // Build lists were not recomputed: nothing moved.
        }
        // Modules the host lacks that the edits made plugins disagree on.
        // (plugin, source, required version when it names the files (-trimpath), moved)
        type Holder<'a> = (&'a str, Source, Option<&'a str>, bool);
        let mut sources: BTreeMap<&str, Vec<Holder>> = BTreeMap::new();
        for p in &project.plugins {
            let list = planned
                .get(&p.name)
                .and_then(|x| x.build_list.as_ref())
                .unwrap_or(&p.build_list);
            for m in &list.modules {
                if reference.get(&m.module.path).is_some() {
                    continue;
                }
                let moved = p
                    .build_list
                    .get(&m.module.path)
                    .is_none_or(|o| !same_code(o, m));
                sources.entry(m.module.path.as_str()).or_default().push((
                    p.name.as_str(),
                    Source::of(m),
                    p.build.trimpath.then_some(m.module.version.as_str()),
                    moved,
                ));
            }
        }
        let mut again = false;
        for (module, holders) in sources {
            let disagree = holders
                .iter()
                .any(|h| h.1 != holders[0].1 || h.2 != holders[0].2);
            let ours = flagged.contains_key(module) || holders.iter().any(|h| h.3);
            if disagree && ours {
                let entry = flagged.entry(module.to_string()).or_default();
                for (name, _, _, _) in &holders {
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
