//! The package stage: which packages each artifact links, found without `go`.
//!
//! For a host or plugin module, the main packages are found (host: those that import
//! `plugin` directly or not; plugin: every `package main`, one artifact each), their
//! imports are walked transitively under a build context, and each import is resolved to
//! its module, selected version, replacement and source directory with Go's rules (ported
//! from go/build, go/build/constraint and cmd/go/internal/modload, cited at each rule).
//! Standard-library packages are leaves.
//!
//! ```no_run
//! use godrift::packages::{self, ArtifactKind, BuildContext, ModuleSet, Roots, ScanCache};
//! # fn f(bl: &godrift::graph::BuildList) -> Result<(), packages::PackageError> {
//! let set = ModuleSet::from_build_list(bl, std::path::Path::new("/home/me/go/pkg/mod"), None)?;
//! let cache = ScanCache::new(); // one per run, shared by the host and every plugin
//! let loaded = packages::load(&set, &BuildContext::default(), &Roots::all(ArtifactKind::Plugin), &cache);
//! for a in &loaded.artifacts {
//!     println!("{} links {} packages, complete: {}", a.main_package, a.packages.len(), a.complete());
//! }
//! # Ok(()) }
//! ```
//!
//! Gaps are data, never silence: a package whose sources are missing, an import no module
//! provides, an ambiguous import, a file Go cannot parse are `Problem`s of every artifact
//! that links them, in Go's words, and modules without sources are listed with the
//! `go mod download` command that fetches them.

pub mod constraint;
pub mod context;
pub mod header;
mod load;
mod resolve;
pub mod source;

pub use context::{BuildContext, FileClass};
pub use load::{load, std_files};
pub use resolve::{is_standard_import_path, MainModule, ModuleEntry, ModuleSet, VendorTree};
pub use source::{ScanCache, SourceDir};

use crate::graph::Replacement;
use crate::module::ModuleVersion;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The module a package belongs to, as `go list -f '{{.Module}}'` names it: the required
/// module (path and selected version) and its replacement, if any. The package's files come
/// from the replacement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackageModule {
    pub path: String,
    /// Selected version; "" for a main module.
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace: Option<Replacement>,
    pub main: bool,
}

/// One candidate of an ambiguous import.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AmbiguousCandidate {
    /// None for the standard library or a directory (vendor mode).
    pub module: Option<ModuleVersion>,
    pub dir: String,
}

/// Why a package could not be loaded (fully), in Go's words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PackageError {
    /// modload.importFromModules' invalid-path errors and module.CheckImportPath.
    #[error("{message}")]
    InvalidImport { message: String },
    /// modload.AmbiguousImportError.
    #[error("{}", ambiguous_message(path, candidates, *modules))]
    Ambiguous {
        path: String,
        candidates: Vec<AmbiguousCandidate>,
        /// Go says "modules" (module mode) or "directories" (vendor mode).
        modules: bool,
    },
    /// modload.ImportMissingError.
    #[error("no required module provides package {path}; to add it:\n\tgo get {path}")]
    NoRequiredModule { path: String },
    /// modload.ImportMissingError for a dotless path that GOROOT does not hold.
    #[error("package {path} is not in std ({})", dir.display())]
    NotInStd { path: String, dir: PathBuf },
    /// The module's sources are neither extracted in the module cache nor present as a zip
    /// in cache/download: nothing can be said about its packages.
    #[error("{module}: source not in the module cache (no extracted directory, no zip); to fetch it:\n\t{command}")]
    MissingSource {
        /// The required module (path and selected version).
        module: ModuleVersion,
        /// What is fetched: the module, or the module that replaces it.
        fetch: ModuleVersion,
        command: String,
    },
    /// modload.fetch: `replace => ../dir` to a directory that does not exist.
    #[error("{module}: replacement directory {dir} does not exist")]
    ReplacementMissing { module: ModuleVersion, dir: String },
    /// load.NoGoError: `build constraints exclude all Go files in DIR`, `no Go files in DIR`,
    /// `no non-test Go files in DIR`.
    #[error("{message}")]
    NoGoFiles { message: String },
    /// A file the build cannot use (syntax error, bad `//go:build` line, NUL byte) or
    /// go/build's MultiplePackageError; the first one of the package, as go/build reports.
    #[error("{message}")]
    BadFile { message: String },
    /// Reading a directory or file failed.
    #[error("{message}")]
    Io { message: String },
}

fn ambiguous_message(path: &str, candidates: &[AmbiguousCandidate], modules: bool) -> String {
    let kind = if modules { "modules" } else { "directories" };
    let mut s = format!("ambiguous import: found package {path} in multiple {kind}:");
    for c in candidates {
        s.push_str("\n\t");
        match &c.module {
            Some(m) if modules => {
                s.push_str(&m.path);
                if !m.version.is_empty() {
                    s.push(' ');
                    s.push_str(&m.version);
                }
                s.push_str(&format!(" ({})", c.dir));
            }
            _ => s.push_str(&c.dir),
        }
    }
    s
}

/// A package reached from some main package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Package {
    pub import_path: String,
    /// Package name ("" when unknown).
    pub name: String,
    pub standard: bool,
    /// None for standard packages and packages that did not resolve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<PackageModule>,
    /// Where it is compiled from (None for unresolved packages, and for standard ones when
    /// no GOROOT is known).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceDir>,
    /// The directory as `go list` prints it (a zip directory as its extracted location).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<PathBuf>,
    /// Compiled .go files (GoFiles and CgoFiles), sorted.
    pub go_files: Vec<String>,
    /// Imports of the compiled files, sorted, without "C" (`go list -f '{{.Imports}}'`).
    pub imports: Vec<String>,
    /// Imports cgo adds (`unsafe`, `runtime/cgo`, `syscall`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implicit_imports: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<PackageError>,
}

impl Package {
    /// A package known only by its path and module (no files read): what a contract
    /// records of a host's packages, and test data.
    pub fn known(import_path: &str, standard: bool, module: Option<PackageModule>) -> Package {
        Package {
            import_path: import_path.to_string(),
            name: String::new(),
            standard,
            module,
            source: None,
            dir: None,
            go_files: Vec::new(),
            imports: Vec::new(),
            implicit_imports: Vec::new(),
            error: None,
        }
    }
}

/// Host (built as an executable) or plugin (`-buildmode=plugin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArtifactKind {
    Host,
    Plugin,
}

/// Which main packages become artifacts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Roots {
    pub kind: ArtifactKind,
    /// Package directories (relative to the primary main module's directory, or absolute)
    /// that override the search: `["./cmd/server"]`.
    pub dirs: Option<Vec<PathBuf>>,
}

impl Roots {
    /// Every main package of the primary module (for a host, those that link `plugin`).
    pub fn all(kind: ArtifactKind) -> Roots {
        Roots { kind, dirs: None }
    }

    /// These package directories.
    pub fn dirs(kind: ArtifactKind, dirs: Vec<PathBuf>) -> Roots {
        Roots {
            kind,
            dirs: Some(dirs),
        }
    }
}

/// A problem found while walking an artifact's imports: the import stack from the main
/// package to the package concerned, and the error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub stack: Vec<String>,
    pub error: ProblemKind,
}

impl std::fmt::Display for Problem {
    /// Go's form: `package a\n\timports b\n\timports c: error`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.stack.iter().enumerate() {
            if i == 0 {
                write!(f, "package {p}")?;
            } else {
                write!(f, "\n\timports {p}")?;
            }
        }
        write!(f, ": {}", self.error)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// The last package of the stack could not be loaded.
    #[error("{0}")]
    Package(PackageError),
    /// load.go: importing a main package.
    #[error("import \"{path}\" is a program, not an importable package")]
    ImportsProgram { path: String },
    /// load.go: a relative import (`./x`) in a package of a module.
    #[error("local import {path:?} in non-local package")]
    LocalImport { path: String },
    /// load.go's disallowInternal.
    #[error("use of internal package {path} not allowed")]
    Internal { path: String },
    /// load.LinkerDeps: `-buildmode=plugin` links externally, which needs cgo.
    #[error("-buildmode=plugin requires external (cgo) linking, but cgo is not enabled")]
    PluginWithoutCgo,
    /// load.go: the last package of the stack imports the first one again.
    #[error("import cycle not allowed")]
    ImportCycle,
}

/// One binary: a main package and everything it links.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub kind: ArtifactKind,
    pub main_package: String,
    pub dir: PathBuf,
    /// The main package's directory relative to its module root ("." at the root); names
    /// the artifact when a module holds several.
    pub rel_dir: String,
    /// Every linked package (standard leaves included), sorted.
    pub packages: Vec<String>,
    /// Dependency order: postorder DFS from the main package, imports in sorted order
    /// (implicit ones after), the main package last.
    pub order: Vec<String>,
    /// Everything that keeps the package set from being exact. Empty means complete.
    pub problems: Vec<Problem>,
}

impl Artifact {
    /// No gaps: every linked package resolved and read.
    pub fn complete(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A module whose sources are missing, with the command that fetches them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct MissingModule {
    pub module: ModuleVersion,
    pub command: String,
}

/// What `load` found for one module set.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Loaded {
    /// Every package reached, by import path.
    pub packages: BTreeMap<String, Package>,
    pub artifacts: Vec<Artifact>,
    /// Problems that are not about one artifact: a bad root directory, no main package.
    pub errors: Vec<String>,
    /// Modules whose sources are missing (judge them at module level).
    pub missing_modules: Vec<MissingModule>,
}
