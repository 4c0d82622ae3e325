//! Vendored-source integrity: every file under vendor/ hashed with blake3 in parallel,
//! compared between artifacts that vendor the same module version, and against the
//! source `go mod vendor` copies from (the module cache), on exactly the files Go copies,
//! so godrift names the edited side and a fresh `go mod vendor` gives no finding.
//!
//! Options are values: the content-cache directory and a progress callback are passed
//! in, never read from globals.

mod cache;
pub mod classify;
mod compare;
pub mod gosrc;
pub mod hash;
pub mod select;
pub mod source;
pub mod tree;
mod walk;

pub use cache::remove_legacy as remove_legacy_cache;
pub use compare::{
    against_dir, against_sources, between, cap, diff, Item, ModuleComparison, SourceComparison,
    SumCheck, TreeProblems, DIFF_CAP,
};
pub use hash::{Digest, Unhashed, MAX_FILE};
pub use select::VendorRules;
pub use source::ModuleSource;
pub use tree::{scan, Entry, Progress, VendorTree};

use crate::module;
use crate::vendor::ModulesTxt;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One artifact's vendored build: vendor/modules.txt, the hashed tree, the rules its
/// main module's `go` line sets, and the module cache copies of its vendored modules.
#[derive(Clone, Debug, Default)]
pub struct Vendored {
    pub modules: ModulesTxt,
    pub tree: VendorTree,
    pub rules: VendorRules,
    /// Module path → the indexed module cache copy of the vendored version (filled by
    /// `load_sources`; absent when the module cache does not hold it).
    pub sources: HashMap<String, Arc<ModuleSource>>,
}

impl Vendored {
    /// With its tree scanned already (`Prescanned`).
    pub fn with_tree(modules: ModulesTxt, tree: VendorTree, go_version: &str) -> Vendored {
        Vendored {
            tree,
            modules,
            rules: VendorRules::for_go(go_version),
            sources: HashMap::new(),
        }
    }

    /// Scans `vendor_dir` (see `tree::scan`).
    pub fn load(
        modules: ModulesTxt,
        vendor_dir: &Path,
        go_version: &str,
        cache_dir: Option<&Path>,
        progress: Option<Progress>,
    ) -> Vendored {
        Vendored {
            tree: tree::scan(vendor_dir, cache_dir, progress),
            modules,
            rules: VendorRules::for_go(go_version),
            sources: HashMap::new(),
        }
    }
}

/// vendor/ trees hashed ahead of loading (while `go env` runs: a tree does not depend on
/// Go's environment), by vendor directory; the side that vendors from one takes it.
#[derive(Debug, Default)]
pub struct Prescanned(std::sync::Mutex<HashMap<PathBuf, VendorTree>>);

impl Prescanned {
    /// Scans `vendor_dirs` (see `tree::scan`), in parallel.
    pub fn scan(
        vendor_dirs: &[PathBuf],
        cache_dir: Option<&Path>,
        progress: Option<Progress>,
    ) -> Prescanned {
        let trees = vendor_dirs
            .par_iter()
            .map(|d| (d.clone(), tree::scan(d, cache_dir, progress)))
            .collect();
        Prescanned(std::sync::Mutex::new(trees))
    }

    /// The tree of `vendor_dir`, if it was scanned (once).
    pub fn take(&self, vendor_dir: &Path) -> Option<VendorTree> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(vendor_dir)
    }
}

/// The extracted module directory in the module cache.
pub fn pristine_dir(modcache: &Path, path: &str, version: &str) -> Option<PathBuf> {
    let ep = module::escape_path(path).ok()?;
    let ev = module::escape_version(version).ok()?;
    let d = modcache.join(format!("{ep}@{ev}"));
    d.is_dir().then_some(d)
}

/// Indexes the module cache copy of every module the given artifacts vendor, each
/// directory once however many artifacts vendor it, in parallel.
pub fn load_sources(
    sides: &mut [&mut Vendored],
    modcache: &Path,
    cache_dir: Option<&Path>,
    progress: Option<Progress>,
) {
    // Per directory: the module, and each distinct (packages, rules) the sides vendor it
    // with, whose file selection is computed once with the index.
    type Uses = Vec<(Vec<String>, VendorRules)>;
    let mut dirs: BTreeMap<PathBuf, (module::ModuleVersion, Uses)> = BTreeMap::new();
    let mut wanted: Vec<Vec<(String, PathBuf)>> = Vec::new();
    for v in sides.iter() {
        let mut w = Vec::new();
        for m in v.modules.build_list() {
            if m.replacement.is_some() {
                continue;
            }
            if let Some(d) = pristine_dir(modcache, &m.module.path, &m.module.version) {
                let (_, uses) = dirs
                    .entry(d.clone())
                    .or_insert_with(|| (m.module.clone(), Vec::new()));
                if !uses.iter().any(|(p, r)| *p == m.packages && *r == v.rules) {
                    uses.push((m.packages.clone(), v.rules));
                }
                w.push((m.module.path.clone(), d));
            }
        }
        wanted.push(w);
    }
    let indexed: HashMap<PathBuf, Arc<ModuleSource>> = dirs
        .into_iter()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(d, (m, uses))| {
            let mut s = source::index_module(&d, &m, cache_dir, progress);
            s.selections = uses
                .into_iter()
                .map(|(packages, rules)| source::Selection::new(&s, &m.path, packages, rules))
                .collect();
            (d, Arc::new(s))
        })
        .collect();
    for (v, w) in sides.iter_mut().zip(wanted) {
        for (path, d) in w {
            if let Some(s) = indexed.get(&d) {
                v.sources.insert(path, s.clone());
            }
        }
    }
}
