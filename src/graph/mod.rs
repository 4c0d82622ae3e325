//! Module graphs (petgraph) and Go's minimal version selection, with graph pruning for
//! `go >= 1.17` main modules, read from local replacement directories and the module
//! cache (`$GOMODCACHE/cache/download/<escaped path>/@v/<version>.mod`), or from
//! vendor/modules.txt when the build is vendored.

use crate::gomod::{self, ModFile, Strictness};
use crate::module::{self, ModuleVersion};
use crate::semver::{self, gover};
use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("{0}")]
    Parse(#[from] crate::gomod::ParseErrors),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Inputs are read through the bounded reader (devices, FIFOs, huge files refused).
    #[error("{0}")]
    Fs(#[from] crate::fsio::FsError),
    /// Go's wording, e.g. `go: example.com/a@v1.0.0: missing go.sum entry for go.mod file` or
    /// `go: updates to go.mod needed`.
    #[error("{0}")]
    Go(String),
}

/// Where go.mod files of dependencies come from.
pub trait ModSource: Sync {
    /// The go.mod of `m` (for a local replacement, `m.version` is "" and `m.path` the directory).
    fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GraphError>;

    /// A stable identity for caching parsed go.mod files across build lists (the host and
    /// every plugin read mostly the same files); "" disables the shared cache.
    fn cache_id(&self) -> String {
        String::new()
    }
}

/// Parsed dependency go.mod files, shared by every build list computed in this process.
type ParsedCache = HashMap<(String, ModuleVersion), Option<Arc<ModFile>>>;
static PARSED: std::sync::LazyLock<Mutex<ParsedCache>> =
    std::sync::LazyLock::new(|| Mutex::new(HashMap::new()));

/// The module cache: `<root>/cache/download/<escaped path>/@v/<escaped version>.mod`, and
/// local directories for replacements.
pub struct ModCacheSource {
    pub root: PathBuf,
}

impl ModSource for ModCacheSource {
    fn cache_id(&self) -> String {
        self.root.display().to_string()
    }

    fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GraphError> {
        let path = if m.version.is_empty() {
            PathBuf::from(&m.path).join("go.mod")
        } else {
            let ep = module::escape_path(&m.path).map_err(|e| GraphError::Go(e.to_string()))?;
            let ev =
                module::escape_version(&m.version).map_err(|e| GraphError::Go(e.to_string()))?;
            self.root
                .join("cache/download")
                .join(ep)
                .join("@v")
                .join(format!("{ev}.mod"))
        };
        Ok(crate::fsio::read_input(&path)?)
    }
}

/// Empties the shared parsed-go.mod cache (for benchmarks and long-lived processes).
pub fn clear_parse_cache() {
    if let Ok(mut c) = PARSED.lock() {
        c.clear();
    }
}

/// The default GOMODCACHE: `$GOMODCACHE`, else `$GOPATH/pkg/mod`, else `~/go/pkg/mod`.
pub fn default_modcache() -> PathBuf {
    if let Some(p) = std::env::var_os("GOMODCACHE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(p) = std::env::var_os("GOPATH").filter(|p| !p.is_empty()) {
        let first = std::env::split_paths(&p).next().unwrap_or_default();
        return first.join("pkg/mod");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join("go/pkg/mod")
}

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// GOMODCACHE; default `$GOMODCACHE`, else `$GOPATH/pkg/mod`, else `~/go/pkg/mod`.
    pub gomodcache: Option<PathBuf>,
    /// Honour a go.work found above the main module (GOWORK unset), or ignore it (GOWORK=off).
    pub use_workspace: bool,
}

/// What a `replace` directive made of a selected module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Replacement {
    Module {
        module: ModuleVersion,
    },
    /// A local directory: `path` as written in go.mod/go.work, `resolved` made absolute.
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
    /// Modules whose go.mod requires this module (at any version), for "why" chains.
    pub required_by: Vec<ModuleVersion>,
}

/// The build list of one main module (or workspace), as `go list -m all` gives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildList {
    /// Main module path(s): one, or the `use`d modules of a workspace.
    pub main: Vec<String>,
    pub main_dir: PathBuf,
    /// The directory of each main module, in `main`'s order (one, or each used module of a
    /// workspace).
    pub main_dirs: Vec<PathBuf>,
    /// The main module's (or workspace's) `go` line and `toolchain` line.
    pub go_version: Option<String>,
    pub toolchain: Option<String>,
    /// Selected modules (main modules excluded), sorted by path.
    pub modules: Vec<SelectedModule>,
    /// Builds use `-mod=vendor` by default (vendor/modules.txt present and go >= 1.14).
    pub vendored: bool,
    /// Dependencies whose go.mod could not be read (the list may then be incomplete).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<ModuleVersion>,
    /// The requirement edges of the module graph (`go mod graph`), main module's first.
    #[serde(skip)]
    pub edges: Vec<(ModuleVersion, ModuleVersion)>,
    /// Shortest-path parents from the main module (see `index_why`).
    #[serde(skip)]
    pub why_parent: HashMap<String, ModuleVersion>,
}

impl BuildList {
    pub fn get(&self, path: &str) -> Option<&SelectedModule> {
        self.modules
            .binary_search_by(|m| m.module.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.modules[i])
    }

    /// Computes the shortest-path tree used by `why` (one BFS over the whole list), so
    /// explaining many modules stays linear.
    pub fn index_why(&mut self) {
        let mut children: HashMap<&str, Vec<&ModuleVersion>> = HashMap::new();
        for m in &self.modules {
            for r in &m.required_by {
                children.entry(r.path.as_str()).or_default().push(&m.module);
            }
        }
        let main = ModuleVersion::new(self.main.first().cloned().unwrap_or_default(), "");
        let mut parent: HashMap<String, ModuleVersion> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        seen.insert(main.path.clone());
        let mut q: VecDeque<ModuleVersion> = VecDeque::from([main]);
        while let Some(cur) = q.pop_front() {
            let mut next: Vec<&ModuleVersion> =
                children.get(cur.path.as_str()).cloned().unwrap_or_default();
            next.sort();
            for m in next {
                if seen.insert(m.path.clone()) {
                    parent.insert(m.path.clone(), cur.clone());
                    q.push_back(m.clone());
                }
            }
        }
        self.why_parent = parent;
    }

    /// The shortest requirement chain from the main module to `path` (main first).
    pub fn why(&self, path: &str) -> Vec<ModuleVersion> {
        if !self.why_parent.is_empty() {
            let Some(m) = self.get(path) else {
                return Vec::new();
            };
            let mut chain = vec![m.module.clone()];
            let mut cur = path.to_string();
            while let Some(p) = self.why_parent.get(&cur) {
                chain.push(p.clone());
                if p.version.is_empty() {
                    break;
                }
                cur = p.path.clone();
            }
            chain.reverse();
            return chain;
        }
        let mut prev: HashMap<String, ModuleVersion> = HashMap::new();
        let mut q: VecDeque<ModuleVersion> = VecDeque::new();
        let main = ModuleVersion::new(self.main.first().cloned().unwrap_or_default(), "");
        q.push_back(main.clone());
        let mut seen = std::collections::HashSet::new();
        seen.insert(main.path.clone());
        while let Some(cur) = q.pop_front() {
            if cur.path == path {
                let mut chain = vec![cur.clone()];
                let mut c = cur;
                while let Some(p) = prev.get(&c.path) {
                    chain.push(p.clone());
                    c = p.clone();
                }
                chain.reverse();
                return chain;
            }
            for m in &self.modules {
                let requires = m.required_by.iter().any(|r| r.path == cur.path);
                if requires && seen.insert(m.module.path.clone()) {
                    prev.insert(m.module.path.clone(), cur.clone());
                    q.push_back(m.module.clone());
                }
            }
        }
        Vec::new()
    }
}

struct Node {
    module: ModuleVersion,
}

/// The replacement for `m` in the main module's go.mod: a version-specific one wins.
fn replacement_for<'a>(main: &'a ModFile, m: &ModuleVersion) -> Option<&'a gomod::Replace> {
    main.replace
        .iter()
        .find(|r| r.old.path == m.path && r.old.version == m.version)
        .or_else(|| {
            main.replace
                .iter()
                .find(|r| r.old.path == m.path && r.old.version.is_empty())
        })
}

fn to_replacement(r: &gomod::Replace, main_dir: &Path) -> Replacement {
    if r.new.version.is_empty() {
        let p = Path::new(&r.new.path);
        let resolved = if p.is_absolute() {
            p.to_path_buf()
        } else {
            main_dir.join(p)
        };
        let resolved = resolved.canonicalize().unwrap_or(resolved);
        Replacement::Dir {
            path: r.new.path.clone(),
            resolved,
        }
    } else {
        Replacement::Module {
            module: r.new.clone(),
        }
    }
}

/// How a module's requirements are followed while loading the graph (cmd/go's modPruning).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pruning {
    /// Load the module's go.mod; follow its requirements only if it is itself unpruned.
    Pruned,
    /// Load the module's go.mod and everything below it (below an unpruned module, Go
    /// loads the full transitive closure, whatever the go versions further down).
    Unpruned,
}

/// Loads the requirement graph from `roots`, as cmd/go's readModGraph: every loaded module
/// adds edges to all of its requirements (they count for MVS); which of them are loaded in
/// turn depends on pruning. Requirements on versions the main module excludes are dropped.
#[allow(clippy::too_many_arguments)]
fn load_graph(
    mains: &[String],
    roots: &[ModuleVersion],
    pruned_main: bool,
    excluded: &dyn Fn(&ModuleVersion) -> bool,
    unpruned_roots: &std::collections::HashSet<ModuleVersion>,
    extra: &[ModuleVersion],
    parsed: &mut HashMap<ModuleVersion, Option<Arc<ModFile>>>,
    main: &ModFile,
    main_dir: &Path,
    source: &dyn ModSource,
) -> (DiGraph<Node, ()>, Vec<ModuleVersion>) {
    let mut g: DiGraph<Node, ()> = DiGraph::new();
    let mut index: HashMap<ModuleVersion, NodeIndex> = HashMap::new();
    let root = g.add_node(Node {
        module: ModuleVersion::new(mains.first().cloned().unwrap_or_default(), ""),
    });
    let mut missing = Vec::new();
    let cache_id = source.cache_id();
    let mut queue: VecDeque<(ModuleVersion, NodeIndex, Pruning)> = VecDeque::new();
    let mut loaded_pruned: std::collections::HashSet<ModuleVersion> = Default::default();
    let mut loaded_unpruned: std::collections::HashSet<ModuleVersion> = Default::default();
    let start = if pruned_main {
        Pruning::Pruned
    } else {
        Pruning::Unpruned
    };
    for r in roots {
        let ix = *index
            .entry(r.clone())
            .or_insert_with(|| g.add_node(Node { module: r.clone() }));
        g.add_edge(root, ix, ());
        let p = if unpruned_roots.contains(r) {
            Pruning::Unpruned
        } else {
            start
        };
        queue.push_back((r.clone(), ix, p));
    }
    for m in extra {
        let ix = *index
            .entry(m.clone())
            .or_insert_with(|| g.add_node(Node { module: m.clone() }));
        queue.push_back((m.clone(), ix, Pruning::Pruned));
    }
    while let Some((m, ix, pruning)) = queue.pop_front() {
        // A dependency requiring the main module at a version is followed like any other
        // requirement (Go loads that version's go.mod); only the main module itself is not.
        if m.version.is_empty() && mains.contains(&m.path) {
            continue;
        }
        let fresh = match pruning {
            Pruning::Unpruned => loaded_unpruned.insert(m.clone()),
            Pruning::Pruned => !loaded_unpruned.contains(&m) && loaded_pruned.insert(m.clone()),
        };
        if !fresh {
            continue;
        }
        let file = parsed.entry(m.clone()).or_insert_with(|| {
            let target = match replacement_for(main, &m) {
                Some(r) if r.new.version.is_empty() => {
                    let Replacement::Dir { resolved, .. } = to_replacement(r, main_dir) else {
                        unreachable!("a versionless replacement is a directory")
                    };
                    ModuleVersion::new(resolved.display().to_string(), "")
                }
                Some(r) => r.new.clone(),
                None => m.clone(),
            };
            // Local directories can change between runs of a long-lived process: only
            // module-cache files (immutable once downloaded) are shared.
            let shared = !cache_id.is_empty() && !target.version.is_empty();
            let key = (cache_id.clone(), target.clone());
            if shared {
                if let Some(hit) = PARSED.lock().ok().and_then(|c| c.get(&key).cloned()) {
                    return hit;
                }
            }
            let file = source
                .go_mod(&target)
                .ok()
                .and_then(|data| gomod::parse_mod("go.mod", &data, Strictness::Lax).ok())
                .map(Arc::new);
            if shared {
                if let Ok(mut c) = PARSED.lock() {
                    c.insert(key, file.clone());
                }
            }
            file
        });
        let Some(file) = file.clone() else {
            if !missing.contains(&m) {
                missing.push(m.clone());
            }
            continue;
        };
        let dep_go = file
            .go
            .as_ref()
            .map_or(gover::DEFAULT_GO_VERSION, |g| g.version.as_str());
        let dep_unpruned = gover::compare(dep_go, "1.17") == std::cmp::Ordering::Less;
        let next = if pruning == Pruning::Unpruned || dep_unpruned {
            Some(Pruning::Unpruned)
        } else {
            None
        };
        for r in &file.require {
            if excluded(&r.module) {
                continue;
            }
            let cix = *index.entry(r.module.clone()).or_insert_with(|| {
                g.add_node(Node {
                    module: r.module.clone(),
                })
            });
            g.add_edge(ix, cix, ());
            if let Some(p) = next {
                queue.push_back((r.module.clone(), cix, p));
            }
        }
    }
    (g, missing)
}

/// Minimal version selection over the requirement graph of `main`, with Go 1.17 graph
/// pruning: below a module whose go.mod says `go >= 1.17`, only its own requirements are
/// loaded, not theirs.
pub fn build_list(
    main: &ModFile,
    main_dir: &Path,
    source: &dyn ModSource,
) -> (Vec<SelectedModule>, Vec<ModuleVersion>) {
    let (list, missing, _) = build_graph(main, main_dir, source);
    (list, missing)
}

/// The edges of the loaded module graph, for `go mod graph`.
pub type Edges = Vec<(ModuleVersion, ModuleVersion)>;

/// Like `build_list`, also returning the graph's edges.
pub fn build_graph(
    main: &ModFile,
    main_dir: &Path,
    source: &dyn ModSource,
) -> (Vec<SelectedModule>, Vec<ModuleVersion>, Edges) {
    let main_path = main
        .module
        .as_ref()
        .map(|m| m.path.clone())
        .unwrap_or_default();
    build_graph_mains(main, main_dir, source, &[main_path], &Default::default())
}

/// `build_graph` for one or several main modules (a workspace: `main` then holds the
/// merged requirements, replacements and exclusions of the used modules).
fn build_graph_mains(
    main: &ModFile,
    main_dir: &Path,
    source: &dyn ModSource,
    mains: &[String],
    unpruned_roots: &std::collections::HashSet<ModuleVersion>,
) -> (Vec<SelectedModule>, Vec<ModuleVersion>, Edges) {
    let main_go = main
        .go
        .as_ref()
        .map_or(gover::DEFAULT_GO_VERSION, |g| g.version.as_str());
    let pruned_main = gover::compare(main_go, "1.17") != std::cmp::Ordering::Less;
    let excluded = |m: &ModuleVersion| main.exclude.iter().any(|e| e.module == *m);

    let mut roots: Vec<ModuleVersion> = main
        .require
        .iter()
        .filter(|r| !excluded(&r.module) && !mains.contains(&r.module.path))
        .map(|r| r.module.clone())
        .collect();
    let mut parsed: HashMap<ModuleVersion, Option<Arc<ModFile>>> = HashMap::new();
    // A pruned graph's roots must be the selected versions of their paths (cmd/go's
    // expandGraph/updateRoots under -mod=mod): when another root's go.mod raises a root, the
    // raised version becomes a root and its own requirements are loaded. Repeat until stable;
    // versions only go up, so this ends.
    // In a workspace, Go's graph also holds the requirements of the selected version of
    // every module (work_prune_all): load those until the selection is stable.
    let workspace = mains.len() > 1 || !unpruned_roots.is_empty() || main.module.is_none();
    let mut extra: Vec<ModuleVersion> = Vec::new();
    let (g, missing) = loop {
        let (g, missing) = load_graph(
            mains,
            &roots,
            pruned_main,
            &excluded,
            unpruned_roots,
            &extra,
            &mut parsed,
            main,
            main_dir,
            source,
        );
        if !pruned_main {
            break (g, missing);
        }
        let mut top: HashMap<&str, &str> = HashMap::new();
        for n in g.node_weights() {
            let cur = top.entry(n.module.path.as_str()).or_insert("");
            if semver::compare(&n.module.version, cur) == std::cmp::Ordering::Greater {
                *cur = n.module.version.as_str();
            }
        }
        let mut changed = false;
        let raised: Vec<ModuleVersion> = roots
            .iter()
            .map(|r| match top.get(r.path.as_str()) {
                Some(v) if semver::compare(v, &r.version) == std::cmp::Ordering::Greater => {
                    changed = true;
                    ModuleVersion::new(r.path.clone(), *v)
                }
                _ => r.clone(),
            })
            .collect();
        if workspace {
            let mut sel: Vec<ModuleVersion> = top
                .iter()
                .filter(|(p, v)| !v.is_empty() && !mains.iter().any(|m| m == *p))
                .map(|(p, v)| ModuleVersion::new(*p, *v))
                .collect();
            sel.sort();
            if sel != extra {
                extra = sel;
                changed = true;
            }
        }
        if !changed {
            break (g, missing);
        }
        roots = raised;
    };
    // MVS: the highest version of each path reachable in the graph.
    let mut selected: BTreeMap<String, ModuleVersion> = BTreeMap::new();
    for n in g.node_weights() {
        if mains.contains(&n.module.path) || n.module.version.is_empty() {
            continue;
        }
        selected
            .entry(n.module.path.clone())
            .and_modify(|cur| {
                if semver::compare(&n.module.version, &cur.version) == std::cmp::Ordering::Greater {
                    *cur = n.module.clone();
                }
            })
            .or_insert_with(|| n.module.clone());
    }
    let mut edges: Edges = Vec::new();
    for e in g.edge_indices() {
        if let Some((a, b)) = g.edge_endpoints(e) {
            edges.push((g[a].module.clone(), g[b].module.clone()));
        }
    }
    edges.sort();
    edges.dedup();
    // Who requires each path, in one pass over the edges.
    let mut requirers: HashMap<&str, Vec<ModuleVersion>> = HashMap::new();
    for (a, b) in &edges {
        requirers
            .entry(b.path.as_str())
            .or_default()
            .push(a.clone());
    }
    let mut out = Vec::new();
    for (path, m) in selected {
        let mut required_by = requirers.remove(path.as_str()).unwrap_or_default();
        required_by.sort();
        required_by.dedup();
        let direct = main
            .require
            .iter()
            .any(|r| r.module.path == path && !r.indirect);
        out.push(SelectedModule {
            replace: replacement_for(main, &m).map(|r| to_replacement(r, main_dir)),
            module: m,
            direct,
            required_by,
        });
    }
    (out, missing, edges)
}

/// Loads the build list of the main module in `main_dir`.
pub fn load(main_dir: &Path, opts: &LoadOptions) -> Result<BuildList, GraphError> {
    if opts.use_workspace {
        if let Some(work) = find_go_work(main_dir) {
            return load_workspace(&work, opts);
        }
    }
    let go_mod_path = main_dir.join("go.mod");
    let data = crate::fsio::read_input(&go_mod_path)?;
    let shown = go_mod_path.display().to_string();
    let main = gomod::parse_mod(&shown, &data, Strictness::Strict)?;
    let go_version = main.go.as_ref().map(|g| g.version.clone());
    let vendor_txt = main_dir.join("vendor/modules.txt");
    let vendored = vendor_txt.exists()
        && go_version
            .as_deref()
            .is_some_and(|v| gover::compare(v, "1.14") != std::cmp::Ordering::Less);
    let main_path = main
        .module
        .as_ref()
        .map(|m| m.path.clone())
        .unwrap_or_default();
    let (modules, missing, edges) = if vendored {
        // -mod=vendor: the build list is what modules.txt records.
        let txt_data = crate::fsio::read_input(&vendor_txt)?;
        let txt = crate::vendor::parse_modules_txt("vendor/modules.txt", &txt_data)?;
        let modules = txt
            .build_list()
            .map(|v| SelectedModule {
                module: v.module.clone(),
                replace: replacement_for(&main, &v.module).map(|r| to_replacement(r, main_dir)),
                direct: main
                    .require
                    .iter()
                    .any(|r| r.module.path == v.module.path && !r.indirect),
                required_by: Vec::new(),
            })
            .collect::<Vec<_>>();
        let mut modules = modules;
        modules.sort_by(|a, b| a.module.path.cmp(&b.module.path));
        modules.dedup_by(|a, b| a.module.path == b.module.path);
        (modules, Vec::new(), Vec::new())
    } else {
        let root = opts.gomodcache.clone().unwrap_or_else(default_modcache);
        build_graph(&main, main_dir, &ModCacheSource { root })
    };
    let mut list = BuildList {
        main: vec![main_path],
        main_dir: main_dir.to_path_buf(),
        main_dirs: vec![main_dir.to_path_buf()],
        go_version,
        toolchain: main.toolchain.as_ref().map(|t| t.name.clone()),
        modules,
        vendored,
        missing,
        edges,
        why_parent: HashMap::new(),
    };
    list.index_why();
    Ok(list)
}

/// `dir` joined with `rel` and cleaned lexically, as Go's filepath.Join (`.` dropped, `..`
/// removing the previous element), so paths in messages read as Go prints them.
fn clean_join(dir: &Path, rel: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in dir.join(rel).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The go.work governing `dir`: `$GOWORK` when set (`off` disables workspaces), else the
/// first go.work in `dir` or a parent, as cmd/go's findWorkspaceFile (anything but a
/// directory counts: a go.work that is a device or FIFO is an error when read, not skipped).
pub fn find_go_work(dir: &Path) -> Option<PathBuf> {
    match std::env::var("GOWORK") {
        Ok(v) if v == "off" => return None,
        Ok(v) if !v.is_empty() => return Some(PathBuf::from(v)),
        _ => {}
    }
    let start = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    start
        .ancestors()
        .map(|d| d.join("go.work"))
        .find(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_dir()))
}

/// The build list of a workspace: the `use`d modules are all main modules, their
/// requirements together are the roots, go.work's `replace` overrides (by module path) the
/// modules' own, and two modules replacing the same module version differently is Go's
/// "conflicting replacements" error.
pub fn load_workspace(work_path: &Path, opts: &LoadOptions) -> Result<BuildList, GraphError> {
    let read = |p: &Path| crate::fsio::read_input(p);
    let work_dir = work_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let work = gomod::parse_work(&work_path.display().to_string(), &read(work_path)?)?;
    let mut merged = ModFile {
        go: Some(work.go.clone().unwrap_or(gomod::GoDirective {
            version: "1.18".to_string(),
            span: Default::default(),
        })),
        toolchain: work.toolchain.clone(),
        replace: work.replace.clone(),
        ..ModFile::default()
    };
    let by_work: std::collections::HashSet<&str> =
        work.replace.iter().map(|r| r.old.path.as_str()).collect();
    let mut mains: Vec<String> = Vec::new();
    let mut main_dirs: Vec<PathBuf> = Vec::new();
    // Workspaces are pruned (go.work needs go >= 1.18), but each used module's requirements
    // are loaded with that module's own pruning (cmd/go's workspace pruning mode).
    let mut unpruned: std::collections::HashSet<ModuleVersion> = Default::default();
    // Replacements contributed by the used modules: old -> (new, index of the module).
    let mut from_modules: HashMap<ModuleVersion, (ModuleVersion, usize)> = HashMap::new();
    for (i, u) in work.use_.iter().enumerate() {
        let dir = clean_join(&work_dir, &u.path);
        let gm = dir.join("go.mod");
        let m = gomod::parse_mod(&gm.display().to_string(), &read(&gm)?, Strictness::Strict)?;
        let path = m
            .module
            .as_ref()
            .map(|d| d.path.clone())
            .unwrap_or_default();
        if mains.contains(&path) {
            return Err(GraphError::Go(format!(
                "go: module {path} appears multiple times in workspace"
            )));
        }
        mains.push(path);
        main_dirs.push(dir.clone());
        for r in &m.replace {
            if by_work.contains(r.old.path.as_str()) {
                continue;
            }
            let mut r = r.clone();
            if r.is_local() && !Path::new(&r.new.path).is_absolute() {
                r.new.path = clean_join(&dir, &r.new.path).display().to_string();
            }
            match from_modules.get(&r.old) {
                Some((prev, j)) if *j != i && *prev != r.new => {
                    return Err(GraphError::Go(format!(
                        "go: conflicting replacements for {old}:\n\t{prev}\n\t{new}\nuse \"go work edit -replace {old}=[override]\" to resolve",
                        old = r.old,
                        new = r.new,
                    )));
                }
                _ => {}
            }
            from_modules.insert(r.old.clone(), (r.new.clone(), i));
            // Shown relative to the workspace, as `go list -m` run there prints it.
            if r.is_local() {
                if let Ok(rel) = Path::new(&r.new.path).strip_prefix(&work_dir) {
                    r.new.path = format!("./{}", rel.display());
                }
            }
            merged.replace.push(r);
        }
        let mod_go =
            m.go.as_ref()
                .map_or(gover::DEFAULT_GO_VERSION, |g| g.version.as_str());
        if gover::compare(mod_go, "1.17") == std::cmp::Ordering::Less {
            unpruned.extend(m.require.iter().map(|r| r.module.clone()));
        }
        merged.require.extend(m.require);
        merged.exclude.extend(m.exclude);
    }
    let root = opts.gomodcache.clone().unwrap_or_else(default_modcache);
    let (modules, missing, edges) = build_graph_mains(
        &merged,
        &work_dir,
        &ModCacheSource { root },
        &mains,
        &unpruned,
    );
    let mut list = BuildList {
        main: mains,
        main_dir: work_dir,
        main_dirs,
        go_version: work.go.map(|g| g.version),
        toolchain: work.toolchain.map(|t| t.name),
        modules,
        vendored: false,
        missing,
        edges,
        why_parent: HashMap::new(),
    };
    list.index_why();
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Mem(HashMap<String, &'static str>);
    impl ModSource for Mem {
        fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GraphError> {
            self.0
                .get(&m.to_string())
                .map(|s| s.as_bytes().to_vec())
                .ok_or_else(|| GraphError::Go(format!("no {m}")))
        }
    }

    fn parse(s: &str) -> ModFile {
        gomod::parse_mod("go.mod", s.as_bytes(), Strictness::Strict).unwrap()
    }

    #[test]
    fn mvs_picks_the_highest_required_version() {
        // main -> a v1.0.0 -> c v1.1.0 ; main -> b v1.0.0 -> c v1.2.0 (unpruned, go 1.16).
        let src = Mem(HashMap::from([
            (
                "a.com/a@v1.0.0".to_string(),
                "module a.com/a\nrequire c.com/c v1.1.0\n",
            ),
            (
                "b.com/b@v1.0.0".to_string(),
                "module b.com/b\nrequire c.com/c v1.2.0\n",
            ),
            ("c.com/c@v1.1.0".to_string(), "module c.com/c\n"),
            (
                "c.com/c@v1.2.0".to_string(),
                "module c.com/c\nrequire d.com/d v1.0.0\n",
            ),
            ("d.com/d@v1.0.0".to_string(), "module d.com/d\n"),
        ]));
        let main = parse("module m\ngo 1.16\nrequire (\n\ta.com/a v1.0.0\n\tb.com/b v1.0.0\n)\n");
        let (list, missing) = build_list(&main, Path::new("/"), &src);
        let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
        assert_eq!(
            got,
            [
                "a.com/a@v1.0.0",
                "b.com/b@v1.0.0",
                "c.com/c@v1.2.0",
                "d.com/d@v1.0.0"
            ]
        );
        assert!(missing.is_empty());
    }

    #[test]
    fn pruning_stops_below_go117_dependencies() {
        // With a go 1.17 main module and go 1.17 dependencies, c's requirement on d is
        // not loaded (c is only reached through b's go.mod, not expanded).
        let src = Mem(HashMap::from([
            (
                "b.com/b@v1.0.0".to_string(),
                "module b.com/b\ngo 1.17\nrequire c.com/c v1.2.0\n",
            ),
            (
                "c.com/c@v1.2.0".to_string(),
                "module c.com/c\ngo 1.17\nrequire d.com/d v1.0.0\n",
            ),
        ]));
        let main = parse("module m\ngo 1.17\nrequire b.com/b v1.0.0\n");
        let (list, _) = build_list(&main, Path::new("/"), &src);
        let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
        assert_eq!(got, ["b.com/b@v1.0.0", "c.com/c@v1.2.0"]);
    }

    #[test]
    fn below_an_unpruned_dependency_everything_is_loaded() {
        // main (go 1.17) -> a (go 1.16, unpruned) -> b (go 1.17) -> c (go 1.17) -> d:
        // Go loads a's full transitive closure, pruned modules inside it included.
        let src = Mem(HashMap::from([
            (
                "a.com/a@v1.0.0".to_string(),
                "module a.com/a\ngo 1.16\nrequire b.com/b v1.0.0\n",
            ),
            (
                "b.com/b@v1.0.0".to_string(),
                "module b.com/b\ngo 1.17\nrequire c.com/c v1.0.0\n",
            ),
            (
                "c.com/c@v1.0.0".to_string(),
                "module c.com/c\ngo 1.17\nrequire d.com/d v1.0.0\n",
            ),
            ("d.com/d@v1.0.0".to_string(), "module d.com/d\ngo 1.17\n"),
        ]));
        let main = parse("module m\ngo 1.17\nrequire a.com/a v1.0.0\n");
        let (list, missing) = build_list(&main, Path::new("/"), &src);
        let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
        assert_eq!(
            got,
            [
                "a.com/a@v1.0.0",
                "b.com/b@v1.0.0",
                "c.com/c@v1.0.0",
                "d.com/d@v1.0.0"
            ]
        );
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn a_raised_root_has_its_requirements_loaded() {
        // main (go 1.21) requires a v1.0.0 and b; b raises a to v1.1.0, whose go.mod
        // requires x: Go makes a v1.1.0 the root, so x is in the build list.
        let src = Mem(HashMap::from([
            ("a.com/a@v1.0.0".to_string(), "module a.com/a\ngo 1.21\n"),
            (
                "a.com/a@v1.1.0".to_string(),
                "module a.com/a\ngo 1.21\nrequire x.com/x v1.0.0\n",
            ),
            (
                "b.com/b@v1.0.0".to_string(),
                "module b.com/b\ngo 1.21\nrequire a.com/a v1.1.0\n",
            ),
            ("x.com/x@v1.0.0".to_string(), "module x.com/x\ngo 1.21\n"),
        ]));
        let main = parse("module m\ngo 1.21\nrequire (\n\ta.com/a v1.0.0\n\tb.com/b v1.0.0\n)\n");
        let (list, _) = build_list(&main, Path::new("/"), &src);
        let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
        assert_eq!(got, ["a.com/a@v1.1.0", "b.com/b@v1.0.0", "x.com/x@v1.0.0"]);
    }

    #[test]
    fn excluded_requirements_of_dependencies_are_dropped() {
        let src = Mem(HashMap::from([
            (
                "a.com/a@v1.0.0".to_string(),
                "module a.com/a\ngo 1.16\nrequire c.com/c v1.2.0\n",
            ),
            ("c.com/c@v1.2.0".to_string(), "module c.com/c\n"),
        ]));
        let main = parse("module m\ngo 1.16\nrequire a.com/a v1.0.0\nexclude c.com/c v1.2.0\n");
        let (list, _) = build_list(&main, Path::new("/"), &src);
        let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
        assert_eq!(got, ["a.com/a@v1.0.0"]);
    }

    #[test]
    fn workspace_conflicting_replacements_are_gos_error() {
        let tmp = tempfile::tempdir().unwrap();
        let ws = tmp.path();
        for (dir, to) in [("m1", "./x"), ("m2", "./y")] {
            std::fs::create_dir_all(ws.join(dir)).unwrap();
            std::fs::write(
                ws.join(dir).join("go.mod"),
                format!(
                    "module example.com/{dir}\ngo 1.21\nreplace example.com/dep v1.0.0 => {to}\n"
                ),
            )
            .unwrap();
        }
        std::fs::write(ws.join("go.work"), "go 1.21\nuse (\n\t./m1\n\t./m2\n)\n").unwrap();
        let opts = LoadOptions {
            gomodcache: Some(ws.join("modcache")),
            use_workspace: true,
        };
        let err = load_workspace(&ws.join("go.work"), &opts)
            .unwrap_err()
            .to_string();
        let x = ws.join("m1/x").display().to_string();
        let y = ws.join("m2/y").display().to_string();
        assert_eq!(
            err,
            format!(
                "go: conflicting replacements for example.com/dep@v1.0.0:\n\t{x}\n\t{y}\nuse \"go work edit -replace example.com/dep@v1.0.0=[override]\" to resolve"
            )
        );
        // A go.work replacement of the path settles it.
        std::fs::write(
            ws.join("go.work"),
            "go 1.21\nuse (\n\t./m1\n\t./m2\n)\nreplace example.com/dep => ./z\n",
        )
        .unwrap();
        let list = load_workspace(&ws.join("go.work"), &opts).unwrap();
        assert_eq!(list.main, ["example.com/m1", "example.com/m2"]);
        assert!(list.modules.is_empty());
    }
}
