//! What each artifact links, from the package stage: the packages the runtime will compare
//! are those linked by both the host and a plugin. A side whose package walk has gaps
//! (sources missing from the module cache, imports that do not resolve) keeps a conservative
//! bound: the modules whose linkage cannot be known are judged at module level, never as
//! "not shared".

use crate::graph::BuildList;
use crate::packages::{self, Package};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The packages one artifact links (for the host: every host main package that loads
/// plugins, together).
#[derive(Clone, Debug, Default)]
pub struct Linked {
    /// Import paths of the main packages.
    pub mains: Vec<String>,
    /// Every linked package by import path (standard-library leaves included).
    pub packages: BTreeMap<String, Package>,
    /// The plugin's dependency order (postorder from its main package, imports sorted);
    /// the runtime checks package hashes in an order close to this one.
    pub order: Vec<String>,
    /// The walk's gaps, in Go's words (`package a\n\timports b: ...`).
    pub problems: Vec<String>,
    /// Modules whose sources are missing, with the command that fetches them.
    pub missing: Vec<packages::MissingModule>,
    /// Modules whose packages this artifact may link without godrift seeing it (reachable in
    /// the module graph from a module it could not read).
    pub uncertain: HashSet<String>,
    /// A gap that makes every module's linkage unknown (an import that does not resolve, a
    /// file Go cannot parse, a missing module whose requirements are unknown).
    pub uncertain_all: bool,
    /// The files of every std package the artifact links, by import path (see
    /// `packages::std_files`): filled only when another side is built with other tags.
    pub std_files: Option<BTreeMap<String, Vec<String>>>,
}

impl Linked {
    /// From one artifact (a plugin) or several (the host's main packages) of a load.
    pub fn of(
        loaded: &packages::Loaded,
        artifacts: &[&packages::Artifact],
        bl: &BuildList,
    ) -> Linked {
        let mut out = Linked::default();
        for a in artifacts {
            out.mains.push(a.main_package.clone());
            for p in &a.packages {
                if let Some(pkg) = loaded.packages.get(p) {
                    out.packages.insert(p.clone(), pkg.clone());
                }
            }
            if out.order.is_empty() {
                out.order = a.order.clone();
            }
            for pr in &a.problems {
                out.problems.push(pr.to_string());
            }
        }
        // Modules whose sources are missing: what their packages import is unknown, but it
        // can only come from modules their go.mod files reach in the module graph.
        let mut missing_paths: BTreeSet<String> = BTreeSet::new();
        for m in &loaded.missing_modules {
            let linked_by_us = out
                .packages
                .values()
                .any(|p| p.module.as_ref().is_some_and(|pm| pm.path == m.module.path));
            if linked_by_us {
                missing_paths.insert(m.module.path.clone());
                out.missing.push(m.clone());
            }
        }
        let other_problems = artifacts.iter().flat_map(|a| &a.problems).any(|p| {
            !matches!(
                &p.error,
                packages::ProblemKind::Package(packages::PackageError::MissingSource { .. })
            )
        });
        if other_problems {
            out.uncertain_all = true;
        }
        if !missing_paths.is_empty() {
            match reachable(bl, &missing_paths) {
                Some(r) => out.uncertain = r,
                None => out.uncertain_all = true,
            }
        }
        out
    }

    /// Whether this artifact may link a package of `module` that godrift could not see.
    pub fn uncertain(&self, module: &str) -> bool {
        self.uncertain_all || self.uncertain.contains(module)
    }

    /// The module (path) a linked package comes from; None for the standard library.
    pub fn module_of(&self, import_path: &str) -> Option<&str> {
        self.packages
            .get(import_path)?
            .module
            .as_ref()
            .map(|m| m.path.as_str())
    }
}

/// Modules reachable from `from` in the build list's module graph (by path), `from`
/// included; None when the graph is not known (vendored builds record no graph).
fn reachable(bl: &BuildList, from: &BTreeSet<String>) -> Option<HashSet<String>> {
    if !bl.has_graph() && !bl.modules.is_empty() {
        return None;
    }
    let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
    for (from, to) in bl.edges() {
        next.entry(from.path.as_str())
            .or_default()
            .push(to.path.as_str());
    }
    let mut seen: HashSet<String> = from.iter().cloned().collect();
    let mut stack: Vec<String> = from.iter().cloned().collect();
    while let Some(m) = stack.pop() {
        for n in next.get(m.as_str()).into_iter().flatten() {
            if seen.insert((*n).to_string()) {
                stack.push((*n).to_string());
            }
        }
    }
    // A missing module whose own go.mod was not read either: its requirements are unknown.
    if from
        .iter()
        .any(|m| bl.missing.iter().any(|x| &x.module.path == m))
    {
        return None;
    }
    Some(seen)
}

/// What the runtime will compare between two artifacts, per module.
#[derive(Clone, Debug)]
pub enum Linkage {
    /// Packages of the module linked by both (sorted): their hashes are compared.
    Shared(Vec<String>),
    /// Both build lists hold the module, but no package of it is linked by both.
    Latent,
    /// Whether a package of it is linked by both cannot be known (the reason).
    Unknown(String),
}

/// The packages two artifacts both link, grouped by module, computed once per pair.
#[derive(Clone, Debug, Default)]
pub struct Shared {
    by_module: HashMap<String, Vec<String>>,
    /// Both sides' package walks were done (else every module is judged at module level).
    known: bool,
    /// Why linkage is unknown, for modules either side may link unseen.
    why_unknown: Option<String>,
    uncertain: HashSet<String>,
    uncertain_all: bool,
}

impl Shared {
    /// The shared packages of `a` and `b` (non-standard), by the module each side takes them
    /// from (a package both link from different modules counts for both modules).
    pub fn between(a: Option<&Linked>, b: Option<&Linked>) -> Shared {
        let (Some(a), Some(b)) = (a, b) else {
            return Shared {
                why_unknown: Some("the package walk was not done".into()),
                ..Shared::default()
            };
        };
        let mut by_module: HashMap<String, Vec<String>> = HashMap::new();
        for (path, pa) in &a.packages {
            if pa.standard {
                continue;
            }
            let Some(pb) = b.packages.get(path) else {
                continue;
            };
            let mut mods: Vec<&str> = Vec::new();
            for m in [&pa.module, &pb.module].into_iter().flatten() {
                if !mods.contains(&m.path.as_str()) {
                    mods.push(m.path.as_str());
                }
            }
            for m in mods {
                by_module
                    .entry(m.to_string())
                    .or_default()
                    .push(path.clone());
            }
        }
        let why_unknown = {
            let mut why: Vec<String> = a
                .missing
                .iter()
                .chain(&b.missing)
                .map(|m| format!("sources of {} are not in the module cache", m.module))
                .collect();
            if a.uncertain_all || b.uncertain_all {
                why.extend(a.problems.iter().chain(&b.problems).take(1).cloned());
            }
            why.sort();
            why.dedup();
            (!why.is_empty()).then(|| why.join("; "))
        };
        Shared {
            by_module,
            known: true,
            why_unknown,
            uncertain: a.uncertain.union(&b.uncertain).cloned().collect(),
            uncertain_all: a.uncertain_all || b.uncertain_all,
        }
    }

    /// What the runtime compares of `module`.
    pub fn linkage(&self, module: &str) -> Linkage {
        if let Some(p) = self.by_module.get(module) {
            return Linkage::Shared(p.clone());
        }
        if !self.known || self.uncertain_all || self.uncertain.contains(module) {
            return Linkage::Unknown(
                self.why_unknown
                    .clone()
                    .unwrap_or_else(|| "the package walk was not done".into()),
            );
        }
        Linkage::Latent
    }

    /// Every shared non-standard package.
    pub fn packages(&self) -> impl Iterator<Item = &String> {
        self.by_module.values().flatten()
    }
}

/// "example.com/a, example.com/b (+3 more)".
pub fn list(pkgs: &[String], cap: usize) -> String {
    let mut s: Vec<&str> = pkgs.iter().take(cap).map(String::as_str).collect();
    let more;
    if pkgs.len() > cap {
        more = format!("(+{} more)", pkgs.len() - cap);
        s.push(&more);
    }
    s.join(", ")
}
