//! Build lists, as `go list -m all` computes them: the module graph read from local
//! replacement directories and the module cache (`$GOMODCACHE/cache/download/<escaped
//! path>/@v/<version>.mod`), with Go's graph pruning and workspace rules, and minimal
//! version selection over it; or vendor/modules.txt when the build is vendored.
//!
//! - `source`: where go.mod files come from and why one could not be read; `ModCache`, the
//!   parsed files a caller shares across build lists;
//! - `main_modules`: the main module(s), their replacements and exclusions;
//! - `select`: the graph as modload.readModGraph loads it, and root updates;
//! - `workspace`: go.work discovery and reading;
//! - `why`: requirement chains;
//! - `upgrade`: what-if selections (another version of one module) over a loaded graph.

mod main_modules;
mod select;
mod source;
mod upgrade;
mod vendored;
mod why;
mod workspace;

pub use select::RootUpdate;
pub use source::{GoModProblem, MissingGoMod, ModCache, ModCacheSource, ModSource, Node, Summary};
pub use upgrade::{Change, WhatIf};
pub use workspace::find_go_work;

use crate::goenv::{GoEnv, GoWork};
use crate::gomod::{self, ModFile, Strictness};
use crate::module::ModuleVersion;
use crate::semver::gover;
use main_modules::MainModules;
use select::{Context, ModuleGraph, Pruning};
use serde::Serialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("{0}")]
    Parse(#[from] crate::gomod::ParseErrors),
    #[error("{0}")]
    Fs(#[from] crate::fsio::FsError),
    /// Go's wording, e.g. `go: conflicting replacements for ...` or
    /// `go: module example.com/a appears multiple times in workspace`.
    #[error("{0}")]
    Go(String),
}

/// The settings of Go's environment that decide a build list (from `GoEnv`).
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// GOMODCACHE. Empty: no module cache (every dependency's go.mod is missing).
    pub gomodcache: PathBuf,
    /// GOWORK: find a go.work above the main module, use a given one, or none.
    pub gowork: GoWork,
    /// `-mod` from GOFLAGS (`mod`, `readonly`, `vendor`), when set.
    pub mod_mode: Option<String>,
    /// GOROOT: the search for go.work does not cross into it.
    pub goroot: Option<PathBuf>,
}

impl LoadOptions {
    pub fn from_env(env: &GoEnv) -> LoadOptions {
        LoadOptions {
            gomodcache: env.gomodcache.clone(),
            gowork: env.gowork.clone(),
            mod_mode: env.goflags.mod_mode.clone(),
            goroot: env.goroot.clone(),
        }
    }

    /// No workspace, no -mod, dependencies from `gomodcache`.
    pub fn module_mode(gomodcache: impl Into<PathBuf>) -> LoadOptions {
        LoadOptions {
            gomodcache: gomodcache.into(),
            gowork: GoWork::Off,
            ..LoadOptions::default()
        }
    }
}

/// What a `replace` directive made of a selected module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Replacement {
    Module {
        module: ModuleVersion,
    },
    /// A local directory: `path` as `go list -m` shows it, `resolved` made absolute.
    Dir {
        path: String,
        resolved: PathBuf,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SelectedModule {
    /// Path and the version MVS selected.
    pub module: ModuleVersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace: Option<Replacement>,
    /// Required directly by a main module's go.mod (not `// indirect`).
    pub direct: bool,
    /// Required by a main module's go.mod (directly or `// indirect`): a root of the graph.
    pub root: bool,
}

/// The build list of one main module (or workspace), as `go list -m all` gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildList {
    /// Main module path(s): one, or the `use`d modules of a workspace.
    pub main: Vec<String>,
    /// The main module's directory, or the workspace's (go.work's).
    pub main_dir: PathBuf,
    /// The directories of the main modules, in `main`'s order.
    pub main_dirs: Vec<PathBuf>,
    /// The go.work file, in workspace mode.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub work_file: Option<PathBuf>,
    /// The main module's (or workspace's) `go` line and `toolchain` line.
    pub go_version: Option<String>,
    pub toolchain: Option<String>,
    /// Selected modules (main modules excluded), sorted by path.
    pub modules: Vec<SelectedModule>,
    /// Builds use `-mod=vendor` (explicitly, or a vendor directory and go >= 1.14): the
    /// sources are under `main_dir`/vendor (next to go.work for a workspace).
    pub vendored: bool,
    /// Dependencies whose go.mod could not be read (the list may then be incomplete), and
    /// why: not in the module cache, or unreadable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingGoMod>,
    /// Roots of the main module's go.mod that Go moves when it updates go.mod (with the
    /// default -mod=readonly, `go build` stops with "updates to go.mod needed").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub root_updates: Vec<RootUpdate>,
    /// The module graph the list was selected from (`go mod graph`): each loaded module
    /// with its requirements, shared with the other lists loaded through the same
    /// `ModCache`; empty for a vendored list (modules.txt records no graph).
    #[serde(skip)]
    pub nodes: Nodes,
    /// Shortest requirement paths from the main modules (see `why`).
    #[serde(skip)]
    pub why_tree: WhyTree,
    /// Where each path is in `modules`, for `get` (built by `index_why`).
    #[serde(skip)]
    pub lookup: PathIndex,
    /// The module graph the list was selected from, when the loader was asked to keep it
    /// (for what-if questions).
    #[serde(skip)]
    pub graph: Option<LoadedGraph>,
    /// vendor/modules.txt as parsed for a vendored list, handed on so the project stage
    /// does not read and parse it again.
    #[serde(skip)]
    pub modules_txt: Option<ParsedModulesTxt>,
}

/// Something a build list carries for later stages that is bookkeeping, not part of the
/// list's value: two lists compare equal whatever they carry, and Debug names the type only.
macro_rules! bookkeeping {
    ($t:ident) => {
        impl PartialEq for $t {
            fn eq(&self, _: &$t) -> bool {
                true
            }
        }

        impl Eq for $t {}

        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(stringify!($t))
            }
        }
    };
}

/// A parsed vendor/modules.txt carried with the build list made from it, with what Go's
/// vendor consistency check says of it (`go: inconsistent vendoring` lines).
#[derive(Clone)]
pub struct ParsedModulesTxt {
    pub txt: Arc<crate::vendor::ModulesTxt>,
    pub problems: Vec<String>,
}
bookkeeping!(ParsedModulesTxt);

/// The nodes of a build list's module graph (see `BuildList::edges`).
#[derive(Clone, Default)]
pub struct Nodes(pub Vec<Arc<Node>>);
bookkeeping!(Nodes);

/// The shortest-path tree `BuildList::why` reads: per module (by position in `modules`), its
/// parent on a shortest requirement path from a main module.
#[derive(Clone, Default)]
pub struct WhyTree {
    parent: Vec<u32>,
    /// The main modules, as chains start with them (`path` and an empty version).
    mains: Vec<ModuleVersion>,
}
bookkeeping!(WhyTree);

/// A loaded module graph kept with its build list (for what-if questions).
#[derive(Clone)]
pub struct LoadedGraph(pub(crate) Arc<ModuleGraph>);
bookkeeping!(LoadedGraph);

/// The position of each path in a build list, by a hash of the path: reports look modules
/// up in every list many times (a binary search compares long common prefixes). Only a
/// hint: a hit is checked against the list, and a miss is only trusted when the index
/// covers the whole list without collisions; otherwise `get` searches.
#[derive(Clone, Debug, Default)]
pub struct PathIndex {
    at: foldhash::HashMap<u64, u32>,
    /// The list's length when indexed, and whether two paths shared a hash.
    len: usize,
    collided: bool,
}

impl PartialEq for PathIndex {
    fn eq(&self, _: &PathIndex) -> bool {
        true
    }
}

impl Eq for PathIndex {}

fn path_hash(path: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x9e37_79b9).hash_one(path)
}

impl PathIndex {
    pub fn new(modules: &[SelectedModule]) -> PathIndex {
        let mut at = foldhash::HashMap::default();
        at.reserve(modules.len());
        let mut collided = false;
        for (i, m) in modules.iter().enumerate() {
            collided |= at.insert(path_hash(&m.module.path), i as u32).is_some();
        }
        PathIndex {
            at,
            len: modules.len(),
            collided,
        }
    }
}

impl BuildList {
    /// The list of `modules` for the main modules `main` (their directories `main_dirs`,
    /// `main_dir` the module's or workspace's), with nothing else known: no go line, no
    /// graph, no vendoring, not indexed (the constructors set what they know).
    pub fn of_modules(
        main: Vec<String>,
        main_dir: PathBuf,
        main_dirs: Vec<PathBuf>,
        modules: Vec<SelectedModule>,
    ) -> BuildList {
        BuildList {
            main,
            main_dir,
            main_dirs,
            work_file: None,
            go_version: None,
            toolchain: None,
            modules,
            vendored: false,
            missing: Vec::new(),
            root_updates: Vec::new(),
            nodes: Default::default(),
            why_tree: Default::default(),
            lookup: Default::default(),
            graph: None,
            modules_txt: None,
        }
    }

    /// The requirement edges of the module graph (the lines of `go mod graph`, in no
    /// particular order); none for a vendored list.
    pub fn edges(&self) -> impl Iterator<Item = (&ModuleVersion, &ModuleVersion)> {
        self.nodes.0.iter().flat_map(|n| n.edges())
    }

    /// Whether the list knows its module graph (a vendored list does not).
    pub fn has_graph(&self) -> bool {
        self.edges().next().is_some()
    }

    /// The vendor directory builds read sources from (vendor mode only): in the main
    /// module, or next to go.work.
    pub fn vendor_dir(&self) -> Option<PathBuf> {
        self.vendored.then(|| self.main_dir.join("vendor"))
    }

    /// The command that rewrites that vendor directory.
    pub fn vendor_command(&self) -> &'static str {
        if self.work_file.is_some() {
            "go work vendor"
        } else {
            "go mod vendor"
        }
    }

    pub fn get(&self, path: &str) -> Option<&SelectedModule> {
        self.position(path).map(|i| &self.modules[i])
    }

    /// Where `path` is in `modules`.
    fn position(&self, path: &str) -> Option<usize> {
        let ix = &self.lookup;
        if ix.len == self.modules.len() && !ix.collided {
            return match ix.at.get(&path_hash(path)) {
                Some(&i) if self.modules.get(i as usize)?.module.path == path => Some(i as usize),
                Some(_) => self.binary_search(path),
                None => None,
            };
        }
        self.binary_search(path)
    }

    fn binary_search(&self, path: &str) -> Option<usize> {
        self.modules
            .binary_search_by(|m| m.module.path.as_str().cmp(path))
            .ok()
    }
}

/// The build list of the main module in `main_dir` (or its workspace), with its own go.mod
/// cache: for one-off callers; a caller loading several lists shares a `ModCache` through
/// a `Loader`.
pub fn load(main_dir: &Path, opts: &LoadOptions) -> Result<BuildList, GraphError> {
    Loader::new(opts, &ModCache::new()).load(main_dir)
}

/// The build-list stage: loads build lists with one set of options, reading go.mod files
/// through one source and sharing parsed ones through the caller's `ModCache`.
pub struct Loader<'a> {
    opts: &'a LoadOptions,
    cache: &'a ModCache,
    source: Source<'a>,
}

enum Source<'a> {
    ModuleCache(ModCacheSource),
    Custom(&'a dyn ModSource),
}

impl<'a> Loader<'a> {
    /// A loader reading the module cache at `opts.gomodcache`.
    pub fn new(opts: &'a LoadOptions, cache: &'a ModCache) -> Loader<'a> {
        Loader {
            opts,
            cache,
            source: Source::ModuleCache(ModCacheSource {
                root: opts.gomodcache.clone(),
            }),
        }
    }

    /// A loader reading go.mod files from `source` (tests, in-memory proxies).
    pub fn with_source(
        opts: &'a LoadOptions,
        cache: &'a ModCache,
        source: &'a dyn ModSource,
    ) -> Loader<'a> {
        Loader {
            opts,
            cache,
            source: Source::Custom(source),
        }
    }

    fn source(&self) -> &dyn ModSource {
        match &self.source {
            Source::ModuleCache(s) => s,
            Source::Custom(s) => *s,
        }
    }

    /// The build list of the main module in `main_dir`, or of the workspace governing it.
    pub fn load(&self, main_dir: &Path) -> Result<BuildList, GraphError> {
        self.load_inner(main_dir, None, false)
    }

    /// `load`, keeping the module graph with the list (module mode) for `what_if`.
    pub fn load_keeping_graph(&self, main_dir: &Path) -> Result<BuildList, GraphError> {
        self.load_inner(main_dir, None, true)
    }

    /// `load` (`keep`: `load_keeping_graph`) of a main module whose go.mod the caller has
    /// already read and parsed (the project stage): outside a workspace it is not read again.
    pub fn load_parsed(
        &self,
        main_dir: &Path,
        main: &ModFile,
        keep: bool,
    ) -> Result<BuildList, GraphError> {
        self.load_inner(main_dir, Some(main), keep)
    }

    fn load_inner(
        &self,
        main_dir: &Path,
        parsed: Option<&ModFile>,
        keep: bool,
    ) -> Result<BuildList, GraphError> {
        if let Some(work) = find_go_work(main_dir, &self.opts.gowork, self.opts.goroot.as_deref())?
        {
            let list = self.load_workspace(&work)?;
            // Go builds only the workspace's own modules (modload's dirImportPath refuses
            // a module that go.work does not use).
            let abs = |p: &Path| {
                crate::paths::clean(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
            };
            let dir = abs(main_dir);
            if !list.main_dirs.iter().any(|d| abs(d) == dir) {
                return Err(GraphError::Go(format!(
                    "directory {} is contained in a module that is not one of the workspace modules listed in {}. You can add the module to the workspace using:\n\tgo work use {}",
                    main_dir.display(),
                    work.display(),
                    main_dir.display()
                )));
            }
            return Ok(list);
        }
        let main = match parsed {
            // The graph reads the directives only.
            Some(m) => m.directives(),
            None => {
                let go_mod_path = main_dir.join("go.mod");
                let data = crate::fsio::read_input(&go_mod_path)?;
                gomod::parse_mod(
                    &go_mod_path.display().to_string(),
                    &data,
                    Strictness::Strict,
                )?
            }
        };
        if self.vendored(main_dir, &main)? {
            let mains = MainModules::single(main_dir, main)?;
            return vendored::build_list(&mains, main_dir, None);
        }
        self.load_main_inner(main, main_dir, keep)
    }

    /// setDefaultBuildMod outside a workspace: `-mod` when set; else vendor mode when a
    /// vendor directory exists, go.mod says go 1.14 or later, and vendor/modules.txt was
    /// not written for a workspace (modulesTextIsForWorkspace).
    fn vendored(&self, main_dir: &Path, main: &ModFile) -> Result<bool, GraphError> {
        let dir = main_dir.join("vendor");
        match self.opts.mod_mode.as_deref() {
            Some("vendor") => return Ok(true),
            Some(_) => return Ok(false),
            None => {}
        }
        let go_ok = main
            .go
            .as_ref()
            .is_some_and(|g| gover::compare(&g.version, "1.14").is_ge());
        Ok(go_ok && dir.is_dir() && !vendored::modules_txt_is_for_workspace(&dir)?)
    }

    /// The build list of a parsed main module (module mode, not vendored): its graph with
    /// the roots made consistent as -mod=mod makes them.
    pub fn load_main(&self, main: ModFile, main_dir: &Path) -> Result<BuildList, GraphError> {
        self.load_main_inner(main, main_dir, false)
    }

    fn load_main_inner(
        &self,
        main: ModFile,
        main_dir: &Path,
        keep: bool,
    ) -> Result<BuildList, GraphError> {
        let go_version = main.go.as_ref().map(|g| g.version.clone());
        let toolchain = main.toolchain.as_ref().map(|t| t.name.clone());
        let mains = MainModules::single(main_dir, main)?;
        let select::SingleGraph {
            graph,
            root_updates,
        } = self.single_graph(&mains);
        let mut list = finish(&mains, &graph, &mains.direct())?;
        list.go_version = go_version;
        list.toolchain = toolchain;
        list.root_updates = root_updates;
        if keep {
            list.graph = Some(LoadedGraph(Arc::new(graph)));
        }
        Ok(list)
    }

    /// Only the selected versions of a parsed main module's build list (what `load_main`
    /// lists, without edges or why-chains), sorted by path: for what-if selections.
    pub fn selected(
        &self,
        main: ModFile,
        main_dir: &Path,
    ) -> Result<Vec<ModuleVersion>, GraphError> {
        let mains = MainModules::single(main_dir, main)?;
        let graph = self.single_graph(&mains).graph;
        let mut out: Vec<ModuleVersion> = graph
            .selection()
            .filter(|(p, v)| !mains.contains(p) && !v.is_empty())
            .map(|(p, v)| ModuleVersion::new(p, v))
            .collect();
        out.sort_unstable();
        Ok(out)
    }

    /// How the graph of `mains` reads go.mod files.
    fn context<'c>(&'c self, mains: &'c MainModules) -> Context<'c> {
        Context {
            mains,
            source: self.source(),
            source_id: self.source().cache_id(),
            cache: self.cache,
            main_summaries: Default::default(),
        }
    }

    fn single_graph(&self, mains: &MainModules) -> select::SingleGraph {
        let file = &mains.modules[0].file;
        let go = file
            .go
            .as_ref()
            .map_or(gover::DEFAULT_GO_VERSION, |g| g.version.as_str());
        let pruned = gover::compare(go, "1.17").is_ge();
        // rootsFromModFile: requirements on excluded versions are dropped.
        let roots: Vec<ModuleVersion> = file
            .require
            .iter()
            .filter(|r| !mains.excluded(&r.module))
            .map(|r| r.module.clone())
            .collect();
        let ctx = self.context(mains);
        select::load_single(
            &ctx,
            select::pruning_for(pruned),
            roots,
            go,
            file.toolchain.as_ref().map(|t| t.name.as_str()),
        )
    }

    /// The build list of the workspace `work_path`: its `use`d modules are the main modules
    /// and the graph is loaded with workspace pruning (readModGraph).
    pub fn load_workspace(&self, work_path: &Path) -> Result<BuildList, GraphError> {
        if let Some(m) = self
            .opts
            .mod_mode
            .as_deref()
            .filter(|m| *m != "readonly" && *m != "vendor")
        {
            // setDefaultBuildMod.
            return Err(GraphError::Go(format!(
                "go: -mod may only be set to readonly or vendor when in workspace mode, but it is set to {m:?}\n\tRemove the -mod flag to use the default readonly value, \n\tor set GOWORK=off to disable workspace mode."
            )));
        }
        let ws = workspace::read_workspace(work_path)?;
        // setDefaultBuildMod in a workspace: vendor mode from the vendor directory next to
        // go.work (`go work vendor`), the go.work go line and the modules.txt marker.
        let work_dir = ws.mains.work_dir.clone().unwrap_or_default();
        let vendor_dir = work_dir.join("vendor");
        let vendor_mode = match self.opts.mod_mode.as_deref() {
            Some("vendor") => true,
            Some(_) => false,
            None => {
                ws.work
                    .go
                    .as_ref()
                    .is_some_and(|g| gover::compare(&g.version, "1.14").is_ge())
                    && vendor_dir.is_dir()
                    && vendored::modules_txt_is_for_workspace(&vendor_dir)?
            }
        };
        if vendor_mode {
            let mut list = vendored::build_list(&ws.mains, &work_dir, Some(&ws.work))?;
            list.work_file = Some(work_path.to_path_buf());
            return Ok(list);
        }
        let mains = &ws.mains;
        let direct = mains.direct();
        let main_summaries = mains
            .modules
            .iter()
            .map(|m| (m.path.clone(), Arc::new(Summary::of(&m.file))))
            .collect();
        let ctx = Context {
            mains,
            source: self.source(),
            source_id: self.source().cache_id(),
            cache: self.cache,
            main_summaries,
        };
        let roots: Vec<ModuleVersion> = mains
            .modules
            .iter()
            .map(|m| ModuleVersion::new(m.path.clone(), ""))
            .collect();
        // LoadModGraph → expandGraph: the roots of a workspace are its modules, always
        // selected, so no root update follows (updateWorkspaceRoots keeps them as they are).
        let graph = select::read_mod_graph(&ctx, Pruning::Workspace, &roots);
        let mut list = finish(mains, &graph, &direct)?;
        list.work_file = Some(work_path.to_path_buf());
        list.go_version = ws.work.go.as_ref().map(|g| g.version.clone());
        list.toolchain = ws.work.toolchain.as_ref().map(|t| t.name.clone());
        Ok(list)
    }
}

/// The build list of a loaded graph: the selected version of every path but the main
/// modules', with replacements as `go list -m` shows it; the graph's nodes are kept by
/// reference (shared with the other lists of the run), not copied.
fn finish(
    mains: &MainModules,
    graph: &ModuleGraph,
    direct: &foldhash::HashSet<&str>,
) -> Result<BuildList, GraphError> {
    let mut selected: Vec<(&str, &str)> = graph
        .selection()
        .filter(|(p, v)| !mains.contains(p) && !v.is_empty())
        .collect();
    selected.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let nodes: Vec<Arc<Node>> = graph.nodes().cloned().collect();
    // What the main modules require (at version "", the main modules' own nodes).
    let roots: HashSet<&str> = nodes
        .iter()
        .filter(|n| n.module.version.is_empty() && mains.contains(&n.module.path))
        .flat_map(|n| n.summary.require.iter().map(|r| r.path.as_str()))
        .collect();
    let mut modules = Vec::with_capacity(selected.len());
    for (path, version) in selected {
        let m = ModuleVersion::new(path, version);
        if let Some(e) = mains.replacement_conflict(&m) {
            return Err(GraphError::Go(format!("go: {e}")));
        }
        modules.push(SelectedModule {
            replace: mains.shown_replacement(&m),
            direct: direct.contains(path),
            root: roots.contains(path),
            module: m,
        });
    }
    let mut list = BuildList {
        missing: graph.missing.clone(),
        nodes: Nodes(nodes),
        ..BuildList::of_modules(
            mains.modules.iter().map(|m| m.path.clone()).collect(),
            mains
                .work_dir
                .clone()
                .unwrap_or_else(|| mains.modules[0].dir.clone()),
            mains.modules.iter().map(|m| m.dir.clone()).collect(),
            modules,
        )
    };
    list.index_why();
    Ok(list)
}

#[cfg(test)]
mod tests;
