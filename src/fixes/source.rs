//! Where a selected module's code really comes from, after `replace`: what plugin.Open
//! compares, so what messages, JSON and proposals must name (issue 11 item 3).

use crate::gomod::ModFile;
use crate::graph::{Replacement, SelectedModule};
use crate::module::ModuleVersion;
use serde::Serialize;
use std::path::PathBuf;

/// The effective source of a selected module: a module version (the replacement's, when a
/// `replace` points at another module or version) or a local directory.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    Module { module: ModuleVersion },
    Dir { path: PathBuf },
}

impl Source {
    pub fn of(m: &SelectedModule) -> Source {
        match &m.replace {
            None => Source::Module {
                module: m.module.clone(),
            },
            Some(Replacement::Module { module }) => Source::Module {
                module: module.clone(),
            },
            Some(Replacement::Dir { resolved, .. }) => Source::Dir {
                path: resolved.clone(),
            },
        }
    }
}

/// A selected module as messages show it, in `go list -m` notation: the version MVS
/// selected and, after `=>`, what a `replace` compiles instead (`v0.9.0 => example.com/m
/// v0.10.0`, `v1.2.0 => ../m`).
pub fn describe(m: &SelectedModule) -> String {
    match &m.replace {
        None => m.module.version.clone(),
        Some(Replacement::Module { module }) => {
            format!("{} => {} {}", m.module.version, module.path, module.version)
        }
        Some(Replacement::Dir { path, .. }) => format!("{} => {path}", m.module.version),
    }
}

/// The module a main module builds `m` from as go.sum knows it: the replacement module when
/// `replace` names one (a version-specific replacement wins, as modload.Replacement), `m`
/// itself when nothing replaces it, None for a directory (go.sum does not cover those).
pub fn effective(main: &ModFile, m: &ModuleVersion) -> Option<ModuleVersion> {
    let r = main
        .replace
        .iter()
        .find(|r| r.old.path == m.path && r.old.version == m.version)
        .or_else(|| {
            main.replace
                .iter()
                .find(|r| r.old.path == m.path && r.old.version.is_empty())
        });
    match r {
        None => Some(m.clone()),
        Some(r) if r.is_local() => None,
        Some(r) => Some(r.new.clone()),
    }
}
