//! Where dependencies' go.mod files come from (the module cache, local replacement
//! directories, or a caller's in-memory source), why one could not be read, and the parsed
//! summaries a caller shares across build lists (`ModCache`, a value, never a global).

use crate::gomod::{self, Strictness};
use crate::module::{self, ModuleVersion};
use crate::semver::gover;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Why a go.mod the graph needs could not be read: data the rules turn into findings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GoModProblem {
    /// Not in the module cache (missing or empty cache included): `download` fetches it.
    NotInCache { file: PathBuf, download: String },
    /// A replacement directory without a go.mod (or no such directory).
    NoLocalGoMod { file: PathBuf },
    /// The file is there but cannot be read (permissions, not a regular file, too large).
    Unreadable { file: PathBuf, error: String },
    /// The file was read but does not parse.
    Invalid { file: PathBuf, error: String },
}

impl GoModProblem {
    /// The file that could not be read.
    pub fn file(&self) -> &std::path::Path {
        match self {
            GoModProblem::NotInCache { file, .. }
            | GoModProblem::NoLocalGoMod { file }
            | GoModProblem::Unreadable { file, .. }
            | GoModProblem::Invalid { file, .. } => file,
        }
    }
}

impl std::fmt::Display for GoModProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GoModProblem::NotInCache { file, download } => {
                write!(
                    f,
                    "{} is not in the module cache (run `{download}`)",
                    file.display()
                )
            }
            GoModProblem::NoLocalGoMod { file } => write!(f, "{}: no such file", file.display()),
            GoModProblem::Unreadable { file, error } => {
                write!(f, "{}: cannot read: {error}", file.display())
            }
            GoModProblem::Invalid { file, error } => {
                write!(f, "{}: invalid go.mod: {error}", file.display())
            }
        }
    }
}

/// A module whose go.mod the graph needed and could not read: the build list may then miss
/// modules or versions. Displays as `path@version`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingGoMod {
    /// The module as required (before `replace`).
    pub module: ModuleVersion,
    pub problem: GoModProblem,
}

impl std::fmt::Display for MissingGoMod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.module.fmt(f)
    }
}

/// Where go.mod files of dependencies come from.
pub trait ModSource: Sync {
    /// The go.mod of `m`: a module version, or (`m.version` empty) the directory `m.path`.
    fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GoModProblem>;

    /// The file `go_mod` reads for `m`, for messages.
    fn location(&self, m: &ModuleVersion) -> PathBuf {
        if m.version.is_empty() {
            PathBuf::from(&m.path).join("go.mod")
        } else {
            PathBuf::from(format!("{m}.mod"))
        }
    }

    /// A stable identity under which a `ModCache` may share parsed files between build
    /// lists (the host and every plugin read mostly the same ones); "" disables sharing.
    fn cache_id(&self) -> String {
        String::new()
    }
}

/// The module cache (`<root>/cache/download/<escaped path>/@v/<escaped version>.mod`, as
/// modfetch's GoMod reads it), and local directories for replacements.
pub struct ModCacheSource {
    pub root: PathBuf,
}

impl ModSource for ModCacheSource {
    fn cache_id(&self) -> String {
        self.root.display().to_string()
    }

    fn location(&self, m: &ModuleVersion) -> PathBuf {
        if m.version.is_empty() {
            return PathBuf::from(&m.path).join("go.mod");
        }
        // An unescapable path cannot be in the cache; its unescaped name still says which.
        let ep = module::escape_path(&m.path).unwrap_or_else(|_| m.path.clone());
        let ev = module::escape_version(&m.version).unwrap_or_else(|_| m.version.clone());
        if ep.starts_with('/') || ev.starts_with('/') {
            // (An absolute part replaces what is before it, as join does.)
            return self
                .root
                .join("cache/download")
                .join(ep)
                .join("@v")
                .join(format!("{ev}.mod"));
        }
        // As those joins make it, in one allocation (this names every go.mod file a graph
        // reads).
        let root = self.root.as_os_str();
        let mut p = std::ffi::OsString::with_capacity(root.len() + ep.len() + ev.len() + 24);
        p.push(root);
        if !root.is_empty() && !root.as_encoded_bytes().ends_with(b"/") {
            p.push("/");
        }
        p.push("cache/download/");
        p.push(&ep);
        p.push("/@v/");
        p.push(&ev);
        p.push(".mod");
        PathBuf::from(p)
    }

    fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GoModProblem> {
        use crate::fsio::{read_cache_file, read_input, FsError, MAX_INPUT};
        let local = m.version.is_empty();
        let file = self.location(m);
        // A replacement directory's go.mod is the user's file; the cache's are go's.
        let read = if local {
            read_input(&file)
        } else {
            read_cache_file(&file, MAX_INPUT)
        };
        read.map_err(|e| match e {
            e if e.is_not_found() && local => GoModProblem::NoLocalGoMod { file },
            e if e.is_not_found() => GoModProblem::NotInCache {
                download: format!("go mod download {m}"),
                file,
            },
            FsError::Io { error, .. } => GoModProblem::Unreadable {
                file,
                error: error.to_string(),
            },
            other => GoModProblem::Unreadable {
                error: other.to_string(),
                file,
            },
        })
    }
}

/// What the graph needs of one go.mod (cmd/go's modFileSummary).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The `module` line ("" when absent).
    pub module: String,
    pub require: Vec<ModuleVersion>,
    /// The `go` line.
    pub go: Option<String>,
    /// Graph pruning applies (`go 1.17` or later; no `go` line means unpruned), as
    /// pruningForGoVersion.
    pub pruned: bool,
}

impl Summary {
    /// summaryFromModFile, without the `go`/`toolchain` pseudo-requirements (they never
    /// appear in a build list).
    pub fn of(f: &gomod::ModFile) -> Summary {
        Summary {
            module: f
                .module
                .as_ref()
                .map(|m| m.path.clone())
                .unwrap_or_default(),
            require: f.require.iter().map(|r| r.module.clone()).collect(),
            go: f.go.as_ref().map(|g| g.version.clone()),
            pruned: f
                .go
                .as_ref()
                .is_some_and(|g| gover::compare(&g.version, "1.17").is_ge()),
        }
    }
}

/// A module of the graph with what its go.mod requires: the edges of every build list that
/// loads it, held once per run (a `ModCache` shares one `Node` per go.mod among the host's
/// and every plugin's list) and referenced by those lists instead of copied into each.
#[derive(Debug)]
pub struct Node {
    /// The module as required (before `replace`).
    pub module: ModuleVersion,
    pub summary: Arc<Summary>,
}

impl Node {
    /// The requirement edges out of this module.
    pub fn edges(&self) -> impl Iterator<Item = (&ModuleVersion, &ModuleVersion)> {
        self.summary.require.iter().map(move |r| (&self.module, r))
    }
}

pub(crate) type Slot = Result<Arc<Node>, GoModProblem>;

/// Parsed go.mod summaries, shared by every build list the owner computes with it (the
/// host's and each plugin's, loaded in parallel), per source identity. A snapshot: create
/// a new one to see files that changed on disk.
#[derive(Debug, Default)]
pub struct ModCache {
    parsed: Mutex<foldhash::HashMap<String, foldhash::HashMap<ModuleVersion, Slot>>>,
}

impl ModCache {
    pub fn new() -> ModCache {
        ModCache::default()
    }

    /// The summary of `target`'s go.mod (a module version, or a directory when its version
    /// is empty) from `source`, parsed once per source identity.
    pub fn summary(
        &self,
        source: &dyn ModSource,
        target: &ModuleVersion,
    ) -> Result<Arc<Summary>, GoModProblem> {
        self.node(source, target).map(|n| n.summary.clone())
    }

    /// `target` with its go.mod's requirements, parsed once per source identity.
    pub(crate) fn node(&self, source: &dyn ModSource, target: &ModuleVersion) -> Slot {
        let id = source.cache_id();
        let mut out = self.summaries(source, &id, &[target]);
        out.pop().unwrap_or_else(|| read_summary(source, target))
    }

    /// The summaries of `targets`, in order: those already held are looked up under one
    /// lock, the others read (in parallel when there are many) and then kept.
    pub(crate) fn summaries(
        &self,
        source: &dyn ModSource,
        id: &str,
        targets: &[&ModuleVersion],
    ) -> Vec<Slot> {
        use rayon::prelude::*;
        if id.is_empty() {
            return targets.iter().map(|t| read_summary(source, t)).collect();
        }
        let mut out: Vec<Option<Slot>> = match self.parsed.lock() {
            Ok(c) => {
                let held = c.get(id);
                targets
                    .iter()
                    .map(|t| held.and_then(|h| h.get(*t).cloned()))
                    .collect()
            }
            Err(_) => vec![None; targets.len()],
        };
        let misses: Vec<usize> = (0..targets.len()).filter(|&i| out[i].is_none()).collect();
        if misses.is_empty() {
            return out.into_iter().flatten().collect();
        }
        // Read without the lock: parallel loads overlap their file reads.
        let read: Vec<Slot> = if misses.len() < 16 {
            misses
                .iter()
                .map(|&i| read_summary(source, targets[i]))
                .collect()
        } else {
            misses
                .par_iter()
                .map(|&i| read_summary(source, targets[i]))
                .collect()
        };
        if let Ok(mut c) = self.parsed.lock() {
            let held = c.entry(id.to_string()).or_default();
            for (&i, slot) in misses.iter().zip(&read) {
                held.insert(targets[i].clone(), slot.clone());
            }
        }
        for (i, slot) in misses.into_iter().zip(read) {
            out[i] = Some(slot);
        }
        out.into_iter().flatten().collect()
    }

    /// How many go.mod files are held.
    pub fn len(&self) -> usize {
        self.parsed
            .lock()
            .map(|c| c.values().map(|h| h.len()).sum())
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn read_summary(source: &dyn ModSource, target: &ModuleVersion) -> Slot {
    let data = source.go_mod(target)?;
    // rawGoModSummary parses dependencies' go.mod files leniently (modfile.ParseLax).
    let file = source.location(target);
    let f = gomod::parse_mod(&file.display().to_string(), &data, Strictness::Lax).map_err(|e| {
        GoModProblem::Invalid {
            error: e.to_string(),
            file,
        }
    })?;
    Ok(Arc::new(Node {
        module: target.clone(),
        summary: Arc::new(Summary::of(&f)),
    }))
}
