//! Version selection: the module graph as cmd/go loads it (modload.readModGraph, with its
//! pruned, unpruned and workspace modes), the incremental MVS graph it fills (mvs.Graph),
//! and the root updates of a single main module (expandGraph, updatePrunedRoots).

use super::main_modules::MainModules;
use super::source::{GoModProblem, MissingGoMod, ModCache, ModSource, Node, Summary};
use crate::module::ModuleVersion;
use crate::semver::{self, gover};
use foldhash::{HashMap, HashSet};
use std::cmp::Ordering;
use std::sync::Arc;

/// gover.GoStrictVersion: from this release on, a go line is a requirement.
const GO_STRICT: &str = "1.21";

/// How a module's requirements are followed (modload.modPruning).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Pruning {
    /// Only the module's own go.mod is read; its requirements are followed only if that
    /// go.mod is itself unpruned.
    Pruned,
    /// The full transitive closure below the module.
    Unpruned,
    /// A workspace: the requirements of every loaded module are read, each with the
    /// pruning of the module that requires them.
    Workspace,
}

/// pruningForGoVersion.
pub(crate) fn pruning_for(pruned: bool) -> Pruning {
    if pruned {
        Pruning::Pruned
    } else {
        Pruning::Unpruned
    }
}

/// modload.cmpVersion: the main module's empty version is higher than any other.
pub(crate) fn cmp_version(v1: &str, v2: &str) -> Ordering {
    match (v1.is_empty(), v2.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => semver::compare(v1, v2),
    }
}

/// A module version as a go.mod's requirement list holds it (`summary.require[at]`),
/// hashed and compared as that module version: the graph's maps and queue point into the
/// shared summaries instead of holding copies of paths and versions.
#[derive(Clone, Debug)]
pub(crate) struct Req {
    summary: Arc<Summary>,
    at: u32,
}

impl Req {
    /// The `at`th requirement of `summary`.
    pub fn of(summary: &Arc<Summary>, at: usize) -> Req {
        Req {
            summary: summary.clone(),
            at: at as u32,
        }
    }

    pub fn get(&self) -> &ModuleVersion {
        &self.summary.require[self.at as usize]
    }

    /// Every requirement of `summary`.
    pub fn all(summary: &Arc<Summary>) -> impl Iterator<Item = Req> + '_ {
        (0..summary.require.len()).map(|i| Req::of(summary, i))
    }
}

impl PartialEq for Req {
    fn eq(&self, o: &Req) -> bool {
        self.get() == o.get()
    }
}

impl Eq for Req {}

impl std::hash::Hash for Req {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.get().hash(h)
    }
}

impl std::borrow::Borrow<ModuleVersion> for Req {
    fn borrow(&self) -> &ModuleVersion {
        self.get()
    }
}

/// A `Req` keyed by its path alone (the selection has one version per path).
#[derive(Clone, Debug)]
pub(crate) struct ByPath(pub Req);

impl PartialEq for ByPath {
    fn eq(&self, o: &ByPath) -> bool {
        self.0.get().path == o.0.get().path
    }
}

impl Eq for ByPath {}

impl std::hash::Hash for ByPath {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // As `str` hashes, so the map is looked up by `&str`.
        self.0.get().path.as_str().hash(h)
    }
}

impl std::borrow::Borrow<str> for ByPath {
    fn borrow(&self) -> &str {
        &self.0.get().path
    }
}

/// `modules` as the requirements of a summary of their own (so they can be `Req`s).
pub(crate) fn held(modules: Vec<ModuleVersion>) -> Arc<Summary> {
    Arc::new(Summary {
        module: String::new(),
        require: modules,
        go: None,
        pruned: false,
    })
}

/// Module versions that no go.mod lists (the main modules, a workspace's extra loads),
/// held as the requirements of a node of their own so they can be `Req`s.
fn holder(modules: Vec<ModuleVersion>) -> Arc<Node> {
    Arc::new(Node {
        module: ModuleVersion::default(),
        summary: held(modules),
    })
}

/// A loaded node, hashed and compared by its module (so the graph looks nodes up by
/// `&ModuleVersion` without holding a copy of it).
#[derive(Clone, Debug)]
struct Loaded(Arc<Node>);

impl PartialEq for Loaded {
    fn eq(&self, o: &Loaded) -> bool {
        self.0.module == o.0.module
    }
}

impl Eq for Loaded {}

impl std::hash::Hash for Loaded {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.module.hash(h)
    }
}

impl std::borrow::Borrow<ModuleVersion> for Loaded {
    fn borrow(&self) -> &ModuleVersion {
        &self.0.module
    }
}

/// The requirement graph as loaded, with MVS's selection kept up to date (mvs.Graph).
#[derive(Debug, Default)]
pub(crate) struct ModuleGraph {
    /// Each loaded module with its requirements (nodes shared through the ModCache).
    required: HashSet<Loaded>,
    /// path → the highest version reachable (the main modules' "" is highest).
    selected: HashMap<ByPath, Req>,
    /// Modules loaded with their full closure (Pruning::Unpruned).
    unpruned: HashSet<Req>,
    /// go.mod files that could not be read, in load order.
    pub missing: Vec<MissingGoMod>,
    /// The highest `go` line of 1.21 or later among the loaded go.mod files (such a line
    /// is a requirement on the `go` module, summaryFromModFile).
    max_go: Option<String>,
}

impl ModuleGraph {
    /// A graph where the requirements of `roots` (a holder) are selected.
    fn new(roots: &Arc<Node>) -> ModuleGraph {
        let mut g = ModuleGraph::default();
        for r in Req::all(&roots.summary) {
            g.raise(r);
        }
        g
    }

    fn raise(&mut self, r: Req) {
        let m = r.get();
        match self.selected.get_mut(m.path.as_str()) {
            Some(v) => {
                if cmp_version(&v.get().version, &m.version) == Ordering::Less {
                    *v = r;
                }
            }
            None => {
                self.selected.insert(ByPath(r.clone()), r);
            }
        }
    }

    fn require_go(&mut self, go: Option<&str>) {
        let Some(go) = go else { return };
        match self.max_go.as_deref() {
            // Most go.mod files of a graph share a few go lines: skip the comparison.
            Some(m) if m == go => {}
            Some(m) if gover::compare(m, go).is_ge() => {}
            _ if gover::compare(go, GO_STRICT).is_lt() => {}
            _ => self.max_go = Some(go.to_string()),
        }
    }

    /// mvs.Graph.Require: the node's module requires what its summary lists.
    fn require(&mut self, n: Arc<Node>) {
        for r in Req::all(&n.summary) {
            self.raise(r);
        }
        self.require_go(n.summary.go.as_deref());
        self.required.insert(Loaded(n));
    }

    /// The node `m` was loaded as.
    fn node(&self, m: &ModuleVersion) -> Option<&Arc<Node>> {
        self.required.get(m).map(|n| &n.0)
    }

    /// The version selected for `path`, if any module in the graph has it.
    pub fn selected(&self, path: &str) -> Option<&str> {
        self.selected.get(path).map(|r| r.get().version.as_str())
    }

    /// Whether `m` was loaded with its full closure (below an unpruned module).
    pub fn loaded_unpruned(&self, m: &ModuleVersion) -> bool {
        self.unpruned.contains(m)
    }

    /// The summary `m` was loaded with.
    pub fn required_summary(&self, m: &ModuleVersion) -> Option<Arc<Summary>> {
        self.required_summary_ref(m).cloned()
    }

    /// The summary `m` was loaded with, borrowed.
    pub fn required_summary_ref(&self, m: &ModuleVersion) -> Option<&Arc<Summary>> {
        self.node(m).map(|n| &n.summary)
    }

    /// The requirements of `m`, if its go.mod was loaded.
    pub fn required_by(&self, m: &ModuleVersion) -> Option<&[ModuleVersion]> {
        self.required_summary_ref(m).map(|s| s.require.as_slice())
    }

    /// Every path with its selected version.
    pub fn selection(&self) -> impl Iterator<Item = (&str, &str)> {
        self.selected.values().map(|r| {
            let m = r.get();
            (m.path.as_str(), m.version.as_str())
        })
    }

    /// Every loaded module with its requirements (in no particular order).
    pub fn nodes(&self) -> impl Iterator<Item = &Arc<Node>> {
        self.required.iter().map(|n| &n.0)
    }
}

/// What the graph reads go.mod files through: the main modules (replacements,
/// exclusions, workspace modules' own files), the source and the shared summaries.
pub(crate) struct Context<'a> {
    pub mains: &'a MainModules,
    pub source: &'a dyn ModSource,
    pub cache: &'a ModCache,
    /// The source's identity in the cache (ModSource::cache_id, computed once).
    pub source_id: String,
    /// Summaries of the workspace modules (read from their parsed go.mod).
    pub main_summaries: HashMap<String, Arc<Summary>>,
}

impl Context<'_> {
    /// goModSummary of one module.
    pub fn summary_of(&self, m: &ModuleVersion) -> Result<Arc<Summary>, MissingGoMod> {
        self.nodes(&[m])
            .pop()
            .unwrap_or_else(|| {
                Err(MissingGoMod {
                    module: m.clone(),
                    problem: GoModProblem::NoLocalGoMod {
                        file: m.path.clone().into(),
                    },
                })
            })
            .map(|n| n.summary.clone())
    }

    /// goModSummary for a batch of modules: each with the requirements of its go.mod after
    /// replacement, without requirements on versions a main module excludes. A module
    /// neither replaced nor excluding anything is the ModCache's node itself.
    fn nodes(&self, ms: &[&ModuleVersion]) -> Vec<Result<Arc<Node>, MissingGoMod>> {
        let main = |m: &ModuleVersion| m.version.is_empty() && self.mains.contains(&m.path);
        let actual: Vec<std::borrow::Cow<ModuleVersion>> = ms
            .iter()
            .map(|m| {
                if main(m) {
                    std::borrow::Cow::Borrowed(*m)
                } else {
                    self.mains.actual(m)
                }
            })
            .collect();
        // Workspace modules come from their parsed go.mod; the rest from the source.
        let from_source: Vec<&ModuleVersion> = ms
            .iter()
            .zip(&actual)
            .filter(|(m, _)| !main(m))
            .map(|(_, a)| a.as_ref())
            .collect();
        let mut read = self
            .cache
            .summaries(self.source, &self.source_id, &from_source)
            .into_iter();
        ms.iter()
            .zip(&actual)
            .map(|(m, actual)| {
                let raw = if main(m) {
                    self.main_summaries
                        .get(&m.path)
                        .map(|s| {
                            Arc::new(Node {
                                module: (*m).clone(),
                                summary: s.clone(),
                            })
                        })
                        .ok_or_else(|| GoModProblem::NoLocalGoMod {
                            file: m.path.clone().into(),
                        })
                } else {
                    read.next().unwrap_or_else(|| {
                        Err(GoModProblem::NoLocalGoMod {
                            file: m.path.clone().into(),
                        })
                    })
                };
                let raw = raw.map_err(|problem| MissingGoMod {
                    module: (*m).clone(),
                    problem,
                })?;
                if raw.summary.require.iter().any(|r| self.mains.excluded(r)) {
                    let mut s = (*raw.summary).clone();
                    s.require.retain(|r| !self.mains.excluded(r));
                    return Ok(Arc::new(Node {
                        module: (*m).clone(),
                        summary: Arc::new(s),
                    }));
                }
                // The cache's node is `actual`'s: a replaced module is a node of its own.
                if raw.module != **m || matches!(actual, std::borrow::Cow::Owned(_)) {
                    return Ok(Arc::new(Node {
                        module: (*m).clone(),
                        summary: raw.summary.clone(),
                    }));
                }
                Ok(raw)
            })
            .collect()
    }
}

/// modload.readModGraph: loads the graph from `roots`. Outside a workspace the single main
/// module requires the roots; in a workspace the roots are the main modules themselves,
/// and modules whose dependencies may provide packages in "all" (the main modules and the
/// selected versions above what they require) have their requirements read too.
pub(crate) fn read_mod_graph(
    ctx: &Context,
    pruning: Pruning,
    roots: &[ModuleVersion],
) -> ModuleGraph {
    let mut g;
    // The roots, as requirements of a node.
    let from;
    if pruning == Pruning::Workspace {
        from = holder(roots.to_vec());
        g = ModuleGraph::new(&from);
    } else {
        let main = ModuleVersion::new(ctx.mains.modules[0].path.clone(), "");
        g = ModuleGraph::new(&holder(vec![main.clone()]));
        let requires = Summary {
            module: main.path.clone(),
            require: roots.to_vec(),
            go: None,
            pruned: pruning == Pruning::Pruned,
        };
        from = Arc::new(Node {
            module: main,
            summary: Arc::new(requires),
        });
        g.require(from.clone());
    }
    let mut loader = Loading {
        ctx,
        loading: HashMap::default(),
        failed: HashSet::default(),
        queue: Vec::new(),
    };
    for r in Req::all(&from.summary) {
        loader.enqueue(r, pruning);
    }
    loader.drain(&mut g);

    if pruning == Pruning::Workspace {
        // The requirements of the main modules do not reflect upgrades from the rest of
        // the graph: load the selected version of each dependency that was raised above
        // what a module with dependencies in "all" requires, until nothing changes.
        let mut has_deps_in_all: Vec<String> = Vec::new();
        let mut in_all: HashSet<String> = HashSet::default();
        for m in roots {
            if in_all.insert(m.path.clone()) {
                has_deps_in_all.push(m.path.clone());
            }
        }
        let mut seen: HashSet<ModuleVersion> = HashSet::default();
        loop {
            let mut needs: Vec<ModuleVersion> = Vec::new();
            let mut needs_set: HashSet<ModuleVersion> = HashSet::default();
            for p in &has_deps_in_all {
                let m = ModuleVersion::new(p.clone(), g.selected(p).unwrap_or("none"));
                if !seen.contains(&m) {
                    if needs_set.insert(m.clone()) {
                        needs.push(m);
                    }
                    continue;
                }
                for r in g.required_by(&m).unwrap_or_default() {
                    let s =
                        ModuleVersion::new(r.path.clone(), g.selected(&r.path).unwrap_or("none"));
                    if cmp_version(&s.version, &r.version) == Ordering::Greater
                        && !seen.contains(&s)
                        && needs_set.insert(s.clone())
                    {
                        needs.push(s);
                    }
                }
            }
            if needs.is_empty() {
                break;
            }
            for m in &needs {
                if in_all.insert(m.path.clone()) {
                    has_deps_in_all.push(m.path.clone());
                }
                seen.insert(m.clone());
            }
            for r in Req::all(&holder(needs).summary) {
                loader.enqueue(r, Pruning::Workspace);
            }
            loader.drain(&mut g);
        }
    }
    g
}

/// readModGraph's load queue: modules enqueued at a pruning, each (module, pruning) once;
/// go.mod files are read a wave at a time in parallel, then applied in enqueue order. As
/// loadOne, each module's summary is added to the graph once (or recorded as missing).
struct Loading<'a, 'c> {
    ctx: &'a Context<'c>,
    /// Each module enqueued, with the prunings it was enqueued at (`bit`).
    loading: HashMap<Req, u8>,
    failed: HashSet<ModuleVersion>,
    queue: Vec<(Req, Pruning)>,
}

fn bit(p: Pruning) -> u8 {
    match p {
        Pruning::Pruned => 1,
        Pruning::Unpruned => 2,
        Pruning::Workspace => 4,
    }
}

impl Loading<'_, '_> {
    fn enqueue(&mut self, r: Req, pruning: Pruning) {
        if r.get().version == "none" {
            return;
        }
        match self.loading.get_mut(r.get()) {
            Some(seen) if *seen & bit(pruning) != 0 => return,
            Some(seen) => *seen |= bit(pruning),
            None => {
                self.loading.insert(r.clone(), bit(pruning));
            }
        }
        self.queue.push((r, pruning));
    }

    fn drain(&mut self, g: &mut ModuleGraph) {
        while !self.queue.is_empty() {
            let wave = std::mem::take(&mut self.queue);
            let mut fresh: Vec<&ModuleVersion> = Vec::new();
            let mut fresh_set: HashSet<&ModuleVersion> = HashSet::default();
            for (r, _) in &wave {
                let m = r.get();
                if !g.required.contains(m) && !self.failed.contains(m) && fresh_set.insert(m) {
                    fresh.push(m);
                }
            }
            let read = self.ctx.nodes(&fresh);
            for (m, s) in fresh.iter().zip(read) {
                match s {
                    Ok(n) => g.require(n),
                    Err(e) => {
                        // A version of a main module's own path that is nowhere (the
                        // placeholder `require host v0.0.0` of a plugin built in a go.work
                        // with the host): `go list -m all` fails on it, but builds take the
                        // main module's packages from its directory (importFromModules
                        // looks there first) and never read that go.mod.
                        let placeholder = self.ctx.mains.contains(&m.path)
                            && matches!(e.problem, GoModProblem::NotInCache { .. });
                        if !placeholder {
                            g.missing.push(e);
                        }
                        self.failed.insert((*m).clone());
                    }
                }
            }
            for (r, pruning) in wave {
                let Some(n) = g.node(r.get()).cloned() else {
                    continue;
                };
                // Below an unpruned module everything is loaded; a module's own go version
                // decides for its requirements otherwise.
                let next = if pruning == Pruning::Unpruned {
                    Pruning::Unpruned
                } else {
                    pruning_for(n.summary.pruned)
                };
                if pruning != Pruning::Pruned || !n.summary.pruned {
                    for req in Req::all(&n.summary) {
                        self.enqueue(req, next);
                    }
                }
                if pruning == Pruning::Unpruned {
                    g.unpruned.insert(r);
                }
            }
        }
    }
}

/// A root of the main module's go.mod that Go moves when it updates go.mod: the graph
/// selects `selected` for it (or, for a redundant root, drops it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RootUpdate {
    pub module: ModuleVersion,
    /// The selected version, or "" when the root is a redundant second requirement.
    pub selected: String,
}

/// The graph of a single main module with consistent roots (LoadModGraph → expandGraph →
/// updateRoots, as with -mod=mod): in a pruned module, a root another module requires at
/// a higher version is raised, and the raised version's requirements are loaded in turn,
/// until every root is selected. Returns the graph and the roots Go would rewrite.
pub(crate) fn load_single(
    ctx: &Context,
    pruning: Pruning,
    mut roots: Vec<ModuleVersion>,
    go: &str,
    toolchain: Option<&str>,
) -> SingleGraph {
    roots.sort_by(|a, b| {
        a.path
            .cmp(&b.path)
            .then_with(|| cmp_version(&a.version, &b.version))
    });
    let original = roots.clone();
    let main_path = ctx.mains.modules[0].path.as_str();
    if pruning == Pruning::Pruned {
        // loadModFile: a path required twice (or the main module required at a version)
        // is settled before any graph is read — updatePrunedRoots without a graph keeps
        // one root per path at its highest listed version (maxRootVersion).
        let mut deduped: Vec<ModuleVersion> = Vec::with_capacity(roots.len());
        for m in roots.iter().rev() {
            if m.path != main_path && deduped.last().is_none_or(|d| d.path != m.path) {
                deduped.push(m.clone());
            }
        }
        deduped.reverse();
        roots = deduped;
    }
    let mut g = read_mod_graph(ctx, pruning, &roots);
    // allRootsSelected.
    let consistent = |g: &ModuleGraph, roots: &[ModuleVersion]| {
        roots
            .iter()
            .all(|r| g.selected(&r.path) == Some(r.version.as_str()))
    };
    if pruning == Pruning::Pruned && !consistent(&g, &roots) {
        // updatePrunedRoots with the graph loaded: each root at its selected version, the
        // raised roots' requirements loaded in turn, until the roots stop moving.
        loop {
            let next: Vec<ModuleVersion> = roots
                .iter()
                .map(|m| {
                    let v = g.selected(&m.path).unwrap_or(&m.version);
                    ModuleVersion::new(m.path.clone(), v)
                })
                .collect();
            if next == roots {
                break;
            }
            roots = next;
            g = read_mod_graph(ctx, pruning, &roots);
        }
    }
    // What Go rewrites: each original root whose path is now required at another version
    // (or, for a redundant copy, no longer).
    let mut updates = Vec::new();
    let mut seen: HashSet<&str> = HashSet::default();
    for r in &original {
        if r.path == main_path {
            // Dropped without an update under -mod=readonly either.
            continue;
        }
        let first = seen.insert(r.path.as_str());
        let sel = g.selected(&r.path).unwrap_or_default();
        if !first {
            if r.version != sel {
                updates.push(RootUpdate {
                    module: r.clone(),
                    selected: String::new(),
                });
            }
        } else if sel != r.version {
            updates.push(RootUpdate {
                module: r.clone(),
                selected: sel.to_string(),
            });
        }
    }
    // The `go` and `toolchain` roots (appendGoAndToolchainRoots): a dependency whose go
    // line is newer raises both.
    let mut max_go = g.max_go.clone().unwrap_or_default();
    if gover::compare(go, &max_go).is_gt() {
        max_go = go.to_string();
    }
    if gover::compare(&max_go, go).is_gt() {
        updates.push(RootUpdate {
            module: ModuleVersion::new("go", go),
            selected: max_go.clone(),
        });
    }
    if let Some(t) = toolchain {
        let tv = gover::from_toolchain(t).unwrap_or_default();
        if gover::compare(&max_go, GO_STRICT).is_ge() && gover::compare(tv, &max_go).is_lt() {
            updates.push(RootUpdate {
                module: ModuleVersion::new("toolchain", t),
                selected: format!("go{max_go}"),
            });
        }
    }
    SingleGraph {
        graph: g,
        root_updates: updates,
    }
}

/// A single main module's graph, and the roots Go would move to get it.
pub(crate) struct SingleGraph {
    pub graph: ModuleGraph,
    pub root_updates: Vec<RootUpdate>,
}
