//! A module's source directory (its module cache copy, or a local replacement directory),
//! indexed once per run whatever the number of artifacts vendoring it: every file read
//! once for its blake3 digest, its SHA-256 (go.sum's per-file hash, for `go mod verify`)
//! and, for `.go` files, what `go mod vendor` needs to know (`ignore` tag, embeds). The
//! results are cached per directory under the caller's cache directory, keyed by each
//! file's size, mtime and inode.

use super::gosrc::GoFacts;
use super::hash::{self, Digest, Stamp, Unhashed, Want};
use super::tree::{join, split, Progress};
use crate::module::ModuleVersion;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub state: Result<Digest, Unhashed>,
    pub sha256: Option<[u8; 32]>,
    pub go: Option<GoFacts>,
}

#[derive(Clone, Debug, Default)]
pub struct ModuleSource {
    pub dir: PathBuf,
    /// Directory → regular file name → facts.
    pub dirs: BTreeMap<String, BTreeMap<String, SourceFile>>,
    pub unreadable_dirs: Vec<(String, String)>,
    /// Non-regular files (symlinks, FIFOs...): never copied by `go mod vendor`.
    pub other: Vec<String>,
    /// go.sum's `h1:` of this directory, computed once for all artifacts (`load_sources`).
    pub h1: Option<Result<String, String>>,
}

impl ModuleSource {
    pub fn dir(&self, dir: &str) -> Option<&BTreeMap<String, SourceFile>> {
        self.dirs.get(dir)
    }

    pub fn file(&self, rel: &str) -> Option<&SourceFile> {
        let (d, n) = split(rel);
        self.dirs.get(d)?.get(n)
    }

    /// Whether `rel` is a directory holding files (at any depth).
    pub fn is_dir(&self, rel: &str) -> bool {
        if rel.is_empty() || self.dirs.contains_key(rel) {
            return true;
        }
        let prefix = format!("{rel}/");
        self.dirs
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    /// Names of the subdirectories of `rel` that hold files.
    pub fn subdirs(&self, rel: &str) -> Vec<String> {
        let prefix = if rel.is_empty() {
            String::new()
        } else {
            format!("{rel}/")
        };
        let mut out: Vec<String> = Vec::new();
        for (k, _) in self.dirs.range(prefix.clone()..) {
            let Some(rest) = k.strip_prefix(&prefix) else {
                break;
            };
            if rest.is_empty() {
                continue;
            }
            let first = rest.split('/').next().unwrap_or(rest);
            if out.last().map(String::as_str) != Some(first) {
                out.push(first.to_string());
            }
        }
        out.dedup();
        out
    }

    /// Whether a directory under `rel`'s path could not be listed.
    pub fn unreadable_ancestor(&self, rel: &str) -> Option<&(String, String)> {
        self.unreadable_dirs.iter().find(|(d, _)| {
            d.is_empty()
                || rel == d
                || (rel.starts_with(d.as_str()) && rel.as_bytes().get(d.len()) == Some(&b'/'))
        })
    }

    /// go.sum's `h1:` hash of this directory as module `m` (dirhash over the files a module
    /// zip holds), from the per-file SHA-256s.
    pub fn h1(&self, m: &ModuleVersion) -> Result<String, String> {
        if let Some(h) = &self.h1 {
            return h.clone();
        }
        self.compute_h1(m)
    }

    /// `h1` without the memo.
    pub fn compute_h1(&self, m: &ModuleVersion) -> Result<String, String> {
        use sha2::Digest as _;
        crate::dirhash::check_module_version(m).map_err(|e| e.to_string())?;
        if let Some((d, e)) = self.unreadable_dirs.first() {
            return Err(format!("{}: {e}", self.dir.join(d).display()));
        }
        let mut candidates = Vec::new();
        for (d, files) in &self.dirs {
            if d.split('/')
                .any(|c| matches!(c, ".bzr" | ".git" | ".hg" | ".svn"))
            {
                continue;
            }
            for (n, f) in files {
                candidates.push(crate::dirhash::Candidate {
                    path: join(d, n),
                    is_regular: true,
                    size: f.state.as_ref().map_or(0, |d| d.size),
                });
            }
        }
        for o in &self.other {
            candidates.push(crate::dirhash::Candidate {
                path: o.clone(),
                is_regular: false,
                size: 0,
            });
        }
        candidates.sort_by(|a, b| a.path.cmp(&b.path));
        let go_mod = crate::fsio::read_input(&self.dir.join("go.mod")).ok();
        let kept = crate::dirhash::select_module_files(&candidates, go_mod.as_deref())
            .map_err(|e| e.to_string())?;
        let mut lines: Vec<(String, String)> = Vec::with_capacity(kept.len());
        for rel in kept {
            let f = self.file(&rel).ok_or_else(|| rel.clone())?;
            let sum = match (&f.state, f.sha256) {
                (Ok(_), Some(s)) => s,
                (Err(e), _) => return Err(format!("{}: {e}", self.dir.join(&rel).display())),
                (Ok(_), None) => {
                    return Err(format!("{}: not hashed", self.dir.join(&rel).display()))
                }
            };
            let name = format!("{}@{}/{}", m.path, m.version, rel);
            if name.contains('\n') {
                return Err(format!("dirhash: filename {name:?} contains newline"));
            }
            lines.push((name, crate::dirhash::hex(&sum)));
        }
        lines.sort();
        let mut h = sha2::Sha256::new();
        for (name, sum) in &lines {
            h.update(format!("{sum}  {name}\n"));
        }
        use base64::Engine;
        Ok(format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(h.finalize())
        ))
    }
}

/// One cached file (serialized).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct CachedFile {
    st: Stamp,
    b3: String,
    sha: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    go: Option<GoFacts>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheDoc {
    files: HashMap<String, CachedFile>,
}

const MAX_CACHE: u64 = 256 << 20;

fn cache_file(cache_dir: &Path, dir: &Path) -> PathBuf {
    let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let h = blake3::hash(key.as_os_str().as_encoded_bytes());
    cache_dir.join(format!("src-{}.json", &h.to_hex()[..16]))
}

/// Indexes one source directory (see the module doc).
pub fn index(dir: &Path, cache_dir: Option<&Path>, progress: Option<Progress>) -> ModuleSource {
    let cache_path = cache_dir.map(|c| cache_file(c, dir));
    let cache: CacheDoc = cache_path
        .as_deref()
        .and_then(|p| crate::fsio::read_bounded(p, MAX_CACHE).ok())
        .and_then(|d| serde_json::from_slice(&d).ok())
        .unwrap_or_default();
    let fresh: Mutex<Vec<(String, CachedFile)>> = Mutex::new(Vec::new());
    let walked = super::tree::walk_generic(dir, progress, &|rel: &str, path: &Path| {
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) => {
                return SourceFile {
                    state: Err(Unhashed::Unreadable(e.to_string())),
                    sha256: None,
                    go: None,
                }
            }
        };
        let st = Stamp::of(&meta);
        let is_go = rel.ends_with(".go");
        if let Some(c) = cache.files.get(rel) {
            if c.st == st && (c.go.is_some() || !is_go) {
                if let (Some(b3), Some(sha)) = (hash::unhex32(&c.b3), hash::unhex32(&c.sha)) {
                    return SourceFile {
                        state: Ok(Digest {
                            size: st.size,
                            hash: b3,
                        }),
                        sha256: Some(sha),
                        go: c.go.clone(),
                    };
                }
            }
        }
        let want = Want {
            sha256: true,
            go: is_go,
        };
        match hash::hash_known(path, st.size, want) {
            Ok(h) => {
                let d = h.digest.unwrap_or(Digest {
                    size: 0,
                    hash: [0; 32],
                });
                let sha = h.sha256.unwrap_or_default();
                if let Ok(mut v) = fresh.lock() {
                    v.push((
                        rel.to_string(),
                        CachedFile {
                            st,
                            b3: crate::dirhash::hex(&d.hash),
                            sha: crate::dirhash::hex(&sha),
                            go: h.go.clone(),
                        },
                    ));
                }
                SourceFile {
                    state: Ok(d),
                    sha256: Some(sha),
                    go: h.go,
                }
            }
            Err(e) => SourceFile {
                state: Err(e),
                sha256: None,
                go: None,
            },
        }
    });
    let mut fresh: HashMap<String, CachedFile> =
        fresh.into_inner().unwrap_or_default().into_iter().collect();
    let src = ModuleSource {
        dir: dir.to_path_buf(),
        dirs: walked.dirs,
        unreadable_dirs: walked.unreadable_dirs,
        other: walked.symlinks.into_iter().chain(walked.special).collect(),
        h1: None,
    };
    let total: usize = src.dirs.values().map(BTreeMap::len).sum();
    if let Some(cp) = cache_path {
        if !fresh.is_empty() || total != cache.files.len() {
            let mut doc = CacheDoc::default();
            for (d, files) in &src.dirs {
                for n in files.keys() {
                    let rel = join(d, n);
                    let c = fresh
                        .remove(&rel)
                        .or_else(|| cache.files.get(&rel).cloned());
                    if let Some(c) = c {
                        doc.files.insert(rel, c);
                    }
                }
            }
            if let Ok(text) = serde_json::to_vec(&doc) {
                if let Some(parent) = cp.parent() {
                    let _ = std::fs::create_dir_all(parent);
                }
                let _ = crate::fsio::write_file(&cp, &text);
            }
        }
    }
    src
}
