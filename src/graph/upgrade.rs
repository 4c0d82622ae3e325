//! What-if selections: the build list of a main module after it requires another version of
//! one module (what `go get M@V` followed by -mod=mod's root updates selects), answered for
//! many modules over one base graph. Each question costs what it touches, not the whole
//! graph, so proposals for many conflicts stay linear.
//!
//! The pruned graph of a main module is the union of each root's contribution: the root's
//! own requirements, plus its full closure when its go.mod is unpruned (readModGraph). A
//! path's selected version is the highest version among the requirements of loaded modules
//! (the main module's roots included). Replacing a root therefore subtracts its
//! requirements and adds the new version's, and the roots are raised as updatePrunedRoots
//! raises them until they stop moving. Where that does not hold exactly (an unpruned main
//! module, an untidy go.mod, a root whose closure is loaded for it), the graph is reloaded.

use super::main_modules::MainModules;
use super::select::{self, cmp_version, held, ByPath, Context, ModuleGraph, Pruning, Req};
use super::source::Summary;
use super::{BuildList, GraphError, Loader};
use crate::gomod::ModFile;
use crate::module::ModuleVersion;
use foldhash::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// A module whose selected version changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    /// The version selected before; None when the path was not in the build list.
    pub before: Option<String>,
    pub after: String,
}

/// What-if questions about one main module's build list.
pub struct WhatIf<'l> {
    loader: &'l Loader<'l>,
    dir: std::path::PathBuf,
    mains: MainModules,
    base: Option<Base>,
    /// An unpruned main module's graph (go 1.16 and older), walked again per question.
    closure: Option<Closure>,
    /// The selection before any question, for `reload` (loaded on its first use).
    before: Option<HashMap<String, String>>,
}

/// The base graph as counts: how many loaded modules (the main module included) require
/// each version of each path (the module versions referenced in the go.mod summaries,
/// not copied: a 100,000-module graph has that many).
struct Base {
    /// The main module's roots by path.
    roots: HashMap<ByPath, Req>,
    graph: Arc<ModuleGraph>,
    counts: Counts,
}

/// Per path, each version some module requires and how many do.
type Counts = HashMap<ByPath, Vec<(Req, u32)>>;

impl<'l> Loader<'l> {
    /// Prepares what-if selections over the main module `main` in `dir`: over the graph
    /// `list` kept (`load_keeping_graph` of the same go.mod), else one load of it.
    pub fn what_if(
        &'l self,
        main: &ModFile,
        dir: &Path,
        list: Option<&BuildList>,
    ) -> Result<WhatIf<'l>, GraphError> {
        let mains = MainModules::single(dir, main.directives())?;
        let known =
            list.and_then(|l| Some((l.graph.as_ref()?.0.clone(), l.root_updates.is_empty())));
        let closure = Closure::new(self, &mains, known.as_ref().map(|k| k.0.clone()));
        let base = Base::new(self, &mains, known);
        Ok(WhatIf {
            loader: self,
            dir: dir.to_path_buf(),
            mains,
            base,
            closure,
            before: None,
        })
    }
}

impl Base {
    /// None when the main module's graph cannot be updated incrementally.
    fn new(
        loader: &Loader,
        mains: &MainModules,
        known: Option<(Arc<ModuleGraph>, bool)>,
    ) -> Option<Base> {
        let file = &mains.modules[0].file;
        let go = file.go.as_ref()?.version.as_str();
        if crate::semver::gover::compare(go, "1.17").is_lt() {
            return None;
        }
        let roots = roots_of(mains);
        let (graph, tidy) = match known {
            Some(k) => k,
            None => {
                let ctx = loader.context(mains);
                let select::SingleGraph {
                    graph,
                    root_updates: updates,
                } = select::load_single(
                    &ctx,
                    Pruning::Pruned,
                    roots.clone(),
                    go,
                    file.toolchain.as_ref().map(|t| t.name.as_str()),
                );
                (Arc::new(graph), updates.is_empty())
            }
        };
        // An untidy go.mod (roots Go would move, listed twice, or the main module itself)
        // is recomputed in full.
        let roots = held(roots);
        let mut by_path: HashMap<ByPath, Req> = HashMap::default();
        by_path.reserve(roots.require.len());
        for r in Req::all(&roots) {
            if by_path.insert(ByPath(r.clone()), r).is_some() {
                return None;
            }
        }
        if !tidy || by_path.contains_key(mains.modules[0].path.as_str()) {
            return None;
        }
        let mut counts: Counts = HashMap::default();
        for n in graph.nodes() {
            for r in Req::all(&n.summary) {
                bump(&mut counts, &r, 1);
            }
        }
        Some(Base {
            roots: by_path,
            graph,
            counts,
        })
    }
}

/// An unpruned main module's graph: the full closure of its roots (readModGraph loads
/// every requirement below an unpruned root), so the selection after a question is the
/// highest version required within the closure of the changed roots, found by walking the
/// graph already loaded.
struct Closure {
    roots: Vec<ModuleVersion>,
    graph: Arc<ModuleGraph>,
    /// Per root path a question replaces ("" when it replaces none), the closure of the
    /// other roots, computed on first use: most questions are about modules that are not
    /// roots and share one, so each costs the walk below its new version only. None: that
    /// closure meets a module the graph did not load (the whole walk is done instead).
    others: std::cell::RefCell<HashMap<String, Option<std::rc::Rc<Others>>>>,
}

/// The closure of some of the roots, and what it selects.
struct Others {
    /// Every module of the closure, the roots included.
    seen: HashSet<Req>,
    /// path → the highest version the roots and the closure's modules require.
    sel: HashMap<ByPath, Req>,
    /// `sel` against the base selection, as `Closure::changes` reports it (by path).
    changes: Vec<Change>,
}

impl Closure {
    /// None when the main module's graph is pruned (`Base` answers it).
    fn new(
        loader: &Loader,
        mains: &MainModules,
        known: Option<Arc<ModuleGraph>>,
    ) -> Option<Closure> {
        let file = &mains.modules[0].file;
        let go = file
            .go
            .as_ref()
            .map_or(crate::semver::gover::DEFAULT_GO_VERSION, |g| {
                g.version.as_str()
            });
        if crate::semver::gover::compare(go, "1.17").is_ge() {
            return None;
        }
        let roots = roots_of(mains);
        let graph = match known {
            Some(g) => g,
            None => {
                let ctx = loader.context(mains);
                let single = select::load_single(
                    &ctx,
                    Pruning::Unpruned,
                    roots.clone(),
                    go,
                    file.toolchain.as_ref().map(|t| t.name.as_str()),
                );
                Arc::new(single.graph)
            }
        };
        Some(Closure {
            roots,
            graph,
            others: Default::default(),
        })
    }

    /// The changes when every root on `m.path` is replaced by `m` (sorted by path; main
    /// modules left out); None when a module of the walk has no readable go.mod (or a
    /// `none` version): the graph is then reloaded, which records why. The closure of the
    /// other roots is shared between questions (`others`); the walk below `m` stops where
    /// it joins it.
    fn changes(
        &self,
        ctx: &Context,
        m: &ModuleVersion,
        mains: &MainModules,
    ) -> Option<Vec<Change>> {
        let replaced = if self.roots.iter().any(|r| r.path == m.path) {
            m.path.as_str()
        } else {
            ""
        };
        let Some(o) = self.others(replaced, mains) else {
            return self.changes_whole(ctx, m, mains);
        };
        if m.version == "none" {
            return None;
        }
        // Below `m`, what the others' closure does not hold: the loaded graph's summaries
        // first, then the go.mod files of versions it did not load.
        let mut loaded: Vec<Arc<Summary>> = Vec::new();
        let mut extra: Vec<Arc<Summary>> = Vec::new();
        let mut seen: HashSet<Req> = HashSet::default();
        if !o.seen.contains(m) {
            let start = Req::of(&held(vec![m.clone()]), 0);
            seen.insert(start.clone());
            let mut stack = vec![start];
            while let Some(n) = stack.pop() {
                if n.get().version == "none" {
                    return None;
                }
                match self.graph.required_summary_ref(n.get()) {
                    Some(s) => {
                        for r in Req::all(s) {
                            if !o.seen.contains(r.get()) && !seen.contains(r.get()) {
                                seen.insert(r.clone());
                                stack.push(r);
                            }
                        }
                        loaded.push(s.clone());
                    }
                    None => extra.push(ctx.summary_of(n.get()).ok()?),
                }
            }
        }
        self.load_owned(
            ctx,
            extra,
            |r| o.seen.contains(r) || seen.contains(r),
            &mut loaded,
        )?;
        // What `m` and the modules below it add to the others' selection.
        let mut added: HashMap<&str, &str> = HashMap::default();
        for r in std::iter::once(m).chain(loaded.iter().flat_map(|s| s.require.iter())) {
            if r.version == "none" {
                return None;
            }
            let v = added.entry(r.path.as_str()).or_insert(r.version.as_str());
            if cmp_version(v, &r.version).is_lt() {
                *v = r.version.as_str();
            }
        }
        let mut out: Vec<Change> = o
            .changes
            .iter()
            .filter(|c| !added.contains_key(c.path.as_str()))
            .cloned()
            .collect();
        for (p, v) in added {
            let after = match o.sel.get(p).map(|r| r.get().version.as_str()) {
                Some(w) if cmp_version(w, v).is_ge() => w,
                _ => v,
            };
            if mains.contains(p) || after.is_empty() {
                continue;
            }
            let before = self.graph.selected(p);
            if before != Some(after) {
                out.push(Change {
                    path: p.to_string(),
                    before: before.map(str::to_string),
                    after: after.to_string(),
                });
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Some(out)
    }

    /// The closure of the roots but those on `replaced` ("" for all), its selection and
    /// that selection's changes (None: it meets a module the graph did not load, or a
    /// `none` version).
    fn others(&self, replaced: &str, mains: &MainModules) -> Option<std::rc::Rc<Others>> {
        if let Some(o) = self.others.borrow().get(replaced) {
            return o.clone();
        }
        let roots = held(
            self.roots
                .iter()
                .filter(|r| r.path != replaced)
                .cloned()
                .collect(),
        );
        let computed = (|| {
            let mut seen: HashSet<Req> = Req::all(&roots).collect();
            let mut stack: Vec<Req> = Req::all(&roots).collect();
            let mut loaded: Vec<&Arc<Summary>> = Vec::new();
            while let Some(n) = stack.pop() {
                if n.get().version == "none" {
                    return None;
                }
                let s = self.graph.required_summary_ref(n.get())?;
                for r in Req::all(s) {
                    if !seen.contains(r.get()) {
                        seen.insert(r.clone());
                        stack.push(r);
                    }
                }
                loaded.push(s);
            }
            let mut sel: HashMap<ByPath, Req> = HashMap::default();
            for r in Req::all(&roots).chain(loaded.iter().flat_map(|s| Req::all(s))) {
                let m = r.get();
                if m.version == "none" {
                    return None;
                }
                match sel.get_mut(m.path.as_str()) {
                    Some(v) => {
                        if cmp_version(&v.get().version, &m.version).is_lt() {
                            *v = r;
                        }
                    }
                    None => {
                        sel.insert(ByPath(r.clone()), r);
                    }
                }
            }
            let mut changes: Vec<Change> = sel
                .values()
                .map(Req::get)
                .filter(|m| !mains.contains(&m.path) && !m.version.is_empty())
                .filter_map(|m| {
                    let before = self.graph.selected(&m.path);
                    (before != Some(m.version.as_str())).then(|| Change {
                        path: m.path.clone(),
                        before: before.map(str::to_string),
                        after: m.version.clone(),
                    })
                })
                .collect();
            changes.sort_by(|a, b| a.path.cmp(&b.path));
            Some(std::rc::Rc::new(Others { seen, sel, changes }))
        })();
        self.others
            .borrow_mut()
            .insert(replaced.to_string(), computed.clone());
        computed
    }

    /// Adds to `loaded` the summaries `queue` holds and, below them, those of every version
    /// `known` does not cover, each once (from the graph, else read: owned copies); None when
    /// one is at version `none` or has no readable go.mod.
    fn load_owned(
        &self,
        ctx: &Context,
        mut queue: Vec<Arc<Summary>>,
        known: impl Fn(&ModuleVersion) -> bool,
        loaded: &mut Vec<Arc<Summary>>,
    ) -> Option<()> {
        let mut owned_seen: HashSet<ModuleVersion> = HashSet::default();
        while let Some(s) = queue.pop() {
            for r in &s.require {
                if known(r) || !owned_seen.insert(r.clone()) {
                    continue;
                }
                if r.version == "none" {
                    return None;
                }
                match self.graph.required_summary(r) {
                    Some(x) => queue.push(x),
                    None => queue.push(ctx.summary_of(r).ok()?),
                }
            }
            loaded.push(s);
        }
        Some(())
    }

    /// `changes` by one walk of the whole closure of the new roots.
    fn changes_whole(
        &self,
        ctx: &Context,
        m: &ModuleVersion,
        mains: &MainModules,
    ) -> Option<Vec<Change>> {
        let roots: Vec<&ModuleVersion> = self
            .roots
            .iter()
            .filter(|r| r.path != m.path)
            .chain(std::iter::once(m))
            .collect();
        // The closure of the new roots: the loaded graph's summaries, the go.mod files of
        // versions it did not load read through the shared cache.
        let mut loaded: Vec<Arc<Summary>> = Vec::new();
        let mut seen: HashSet<&ModuleVersion> = roots.iter().copied().collect();
        let mut stack: Vec<&ModuleVersion> = roots.clone();
        let mut extra: Vec<Arc<Summary>> = Vec::new();
        while let Some(n) = stack.pop() {
            if n.version == "none" {
                return None;
            }
            match self.graph.required_summary_ref(n) {
                Some(s) => {
                    for r in &s.require {
                        if seen.insert(r) {
                            stack.push(r);
                        }
                    }
                    loaded.push(s.clone());
                }
                // Not in the base graph: walked in a second round below.
                None => extra.push(ctx.summary_of(n).ok()?),
            }
        }
        // Below versions the base graph did not load, owned copies (rare: a few modules).
        self.load_owned(
            ctx,
            std::mem::take(&mut extra),
            |r| seen.contains(r),
            &mut loaded,
        )?;
        let mut sel: HashMap<&str, &str> = HashMap::default();
        for r in roots
            .into_iter()
            .chain(loaded.iter().flat_map(|s| s.require.iter()))
        {
            if r.version == "none" {
                return None;
            }
            let v = sel.entry(r.path.as_str()).or_insert(r.version.as_str());
            if cmp_version(v, &r.version).is_lt() {
                *v = r.version.as_str();
            }
        }
        let mut out: Vec<Change> = sel
            .into_iter()
            .filter(|(p, v)| !mains.contains(p) && !v.is_empty())
            .filter_map(|(p, after)| {
                let before = self.graph.selected(p);
                (before != Some(after)).then(|| Change {
                    path: p.to_string(),
                    before: before.map(str::to_string),
                    after: after.to_string(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Some(out)
    }
}

fn bump(counts: &mut Counts, r: &Req, delta: i32) {
    let m = r.get();
    let versions = match counts.get_mut(m.path.as_str()) {
        Some(v) => v,
        None => counts.entry(ByPath(r.clone())).or_default(),
    };
    match versions
        .iter_mut()
        .find(|(v, _)| v.get().version == m.version)
    {
        Some((_, n)) => *n = n.saturating_add_signed(delta),
        None if delta > 0 => versions.push((r.clone(), delta as u32)),
        None => {}
    }
}

fn top<'c>(counts: &'c Counts, path: &str) -> Option<&'c str> {
    counts
        .get(path)?
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(v, _)| v.get().version.as_str())
        .max_by(|a, b| cmp_version(a, b))
}

/// One question's changes to the base, undone afterwards.
struct Scratch<'b> {
    base: &'b mut Base,
    undo: Vec<(Req, i32)>,
    /// The paths whose counts changed (each once, in order).
    touched: Vec<Req>,
    touched_set: HashSet<ByPath>,
}

impl Scratch<'_> {
    fn bump(&mut self, r: &Req, delta: i32) {
        bump(&mut self.base.counts, r, delta);
        self.undo.push((r.clone(), delta));
        if !self.touched_set.contains(r.get().path.as_str()) {
            self.touched_set.insert(ByPath(r.clone()));
            self.touched.push(r.clone());
        }
    }

    /// The contribution of root `m` (its own requirements, unless another root's closure
    /// loads it anyway); None when `m` has an unpruned closure of its own.
    fn root_requirements(&self, ctx: &Context, m: &ModuleVersion) -> Option<Option<Arc<Summary>>> {
        if self.base.graph.loaded_unpruned(m) {
            return Some(None);
        }
        let s = match self.base.graph.required_summary(m) {
            Some(s) => s,
            None => match ctx.summary_of(m) {
                Ok(s) => s,
                // Not readable: it counts as a root only (readModGraph records the error).
                Err(_) => return Some(None),
            },
        };
        s.pruned.then_some(Some(s))
    }

    fn replace_root(&mut self, ctx: &Context, old: Option<&Req>, new: &Req) -> Option<()> {
        if let Some(old) = old {
            let reqs = self.root_requirements(ctx, old.get())?;
            self.bump(old, -1);
            for r in reqs.iter().flat_map(Req::all) {
                self.bump(&r, -1);
            }
        }
        let reqs = self.root_requirements(ctx, new.get())?;
        self.bump(new, 1);
        for r in reqs.iter().flat_map(Req::all) {
            self.bump(&r, 1);
        }
        Some(())
    }

    fn undo(mut self) {
        for (m, d) in self.undo.drain(..).rev() {
            bump(&mut self.base.counts, &m, -d);
        }
    }
}

impl WhatIf<'_> {
    /// The selected versions that change when every requirement on `m.path` is replaced by
    /// `m` (sorted by path; only paths still in the build list).
    pub fn require(&mut self, m: &ModuleVersion) -> Result<Vec<Change>, GraphError> {
        if !self.mains.excluded(m) && !self.mains.contains(&m.path) {
            if let Some(changes) = self.incremental(m) {
                return Ok(changes);
            }
        }
        self.reload(m)
    }

    pub(crate) fn incremental(&mut self, m: &ModuleVersion) -> Option<Vec<Change>> {
        let ctx = self.loader.context(&self.mains);
        if let Some(c) = &self.closure {
            return c.changes(&ctx, m, &self.mains);
        }
        let base = self.base.as_mut()?;
        let mut scratch = Scratch {
            base,
            undo: Vec::new(),
            touched: Vec::new(),
            touched_set: HashSet::default(),
        };
        // The roots that differ from the base's, by path.
        let mut moved: HashMap<ByPath, Req> = HashMap::default();
        let old = scratch.base.roots.get(m.path.as_str()).cloned();
        let m = Req::of(&held(vec![m.clone()]), 0);
        let mut ok = scratch.replace_root(&ctx, old.as_ref(), &m).is_some();
        moved.insert(ByPath(m.clone()), m);
        // updatePrunedRoots: every root below its path's selected version is raised, all at
        // once from the same graph, and the raised versions' requirements loaded, until
        // nothing moves. Only touched paths can move.
        while ok {
            let raises: Vec<(Req, ModuleVersion)> = scratch
                .touched
                .iter()
                .filter_map(|t| {
                    let p = t.get().path.as_str();
                    let root = moved.get(p).or_else(|| scratch.base.roots.get(p))?;
                    let sel = top(&scratch.base.counts, p)?;
                    (sel != root.get().version).then(|| (root.clone(), ModuleVersion::new(p, sel)))
                })
                .collect();
            if raises.is_empty() {
                break;
            }
            for (old, raised) in raises {
                let raised = Req::of(&held(vec![raised]), 0);
                ok &= scratch.replace_root(&ctx, Some(&old), &raised).is_some();
                moved.insert(ByPath(raised.clone()), raised);
            }
        }
        let changes = ok.then(|| {
            let mut out: Vec<Change> = scratch
                .touched
                .iter()
                .filter_map(|t| {
                    let p = t.get().path.as_str();
                    let after = top(&scratch.base.counts, p)?;
                    let before = scratch.base.graph.selected(p);
                    (before != Some(after)).then(|| Change {
                        path: p.to_string(),
                        before: before.map(str::to_string),
                        after: after.to_string(),
                    })
                })
                .filter(|c| !self.mains.contains(&c.path) && !c.after.is_empty())
                .collect();
            out.sort_by(|a, b| a.path.cmp(&b.path));
            out
        });
        scratch.undo();
        changes
    }

    /// The whole graph again, with the changed go.mod.
    pub(crate) fn reload(&mut self, m: &ModuleVersion) -> Result<Vec<Change>, GraphError> {
        let mut main = self.mains.modules[0].file.clone();
        main.require.retain(|r| r.module.path != m.path);
        main.require.push(crate::gomod::Require {
            module: m.clone(),
            indirect: false,
            span: Default::default(),
        });
        // The same for every question: loaded once.
        let before = match &self.before {
            Some(b) => b,
            None => {
                let b = self
                    .loader
                    .selected(self.mains.modules[0].file.clone(), &self.dir)?
                    .into_iter()
                    .map(|b| (b.path, b.version))
                    .collect();
                self.before.insert(b)
            }
        };
        let after = self.loader.selected(main, &self.dir)?;
        Ok(after
            .into_iter()
            .filter(|a| before.get(&a.path) != Some(&a.version))
            .map(|a| Change {
                before: before.get(&a.path).cloned(),
                path: a.path,
                after: a.version,
            })
            .collect())
    }
}

/// The main module's requirements as graph roots (rootsFromModFile: requirements on
/// excluded versions are dropped).
fn roots_of(mains: &MainModules) -> Vec<ModuleVersion> {
    mains.modules[0]
        .file
        .require
        .iter()
        .filter(|r| !mains.excluded(&r.module))
        .map(|r| r.module.clone())
        .collect()
}
