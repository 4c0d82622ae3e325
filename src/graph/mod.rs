//! Module graphs (petgraph) and Go's minimal version selection, with graph pruning for
//! `go >= 1.17`, read from the module cache (or a vendor tree, or a fake proxy in tests).
//! (Contract: these types are shared; the graph helper implements loading and MVS.)

use crate::module::ModuleVersion;
use serde::Serialize;
use std::path::{Path, PathBuf};

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
    /// Go's wording, e.g. `go: example.com/a@v1.0.0: missing go.sum entry for go.mod file` or
    /// `go: updates to go.mod needed`.
    #[error("{0}")]
    Go(String),
}

/// Where go.mod files of dependencies come from.
pub trait ModSource: Sync {
    /// The go.mod of `m` (for a local replacement, `m.version` is "" and `m.path` the directory).
    fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GraphError>;
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
    /// The main module's (or workspace's) `go` line and `toolchain` line.
    pub go_version: Option<String>,
    pub toolchain: Option<String>,
    /// Selected modules (main modules excluded), sorted by path.
    pub modules: Vec<SelectedModule>,
    /// Builds use `-mod=vendor` by default (vendor/modules.txt present and go >= 1.14).
    pub vendored: bool,
}

impl BuildList {
    pub fn get(&self, path: &str) -> Option<&SelectedModule> {
        self.modules
            .binary_search_by(|m| m.module.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.modules[i])
    }
}

/// Loads the build list of the main module in `main_dir`.
pub fn load(main_dir: &Path, opts: &LoadOptions) -> Result<BuildList, GraphError> {
    let _ = (main_dir, opts);
    unimplemented!("graph helper implements load")
}
