//! A module's source directory (its module cache copy, or a local replacement directory),
//! indexed once per run whatever the number of artifacts vendoring it: every file read
//! once for its blake3 digest, its SHA-256 (go.sum's per-file hash, for `go mod verify`)
//! and, for `.go` files, what `go mod vendor` needs to know (`ignore` tag, embeds). The
//! results are cached per directory under the caller's cache directory (see `cache`).

use super::cache::{self, Cache};
use super::gosrc::GoFacts;
use super::hash::{self, Digest, Stamp, Unhashed, Want};
use super::tree::{join, split, Progress};
use super::walk::{self, FileRef};
use crate::module::ModuleVersion;
use rustix::fs::{AtFlags, FileType};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// The files `go mod vendor` copies for the package sets the artifacts vendor, computed
    /// once for all artifacts vendoring the same packages (`load_sources`).
    pub selections: Vec<Selection>,
}

/// `select::vendor_files` of a module source for some packages under some rules.
#[derive(Clone, Debug)]
pub struct Selection {
    pub packages: Vec<String>,
    pub rules: super::select::VendorRules,
    pub files: BTreeMap<String, String>,
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

    /// What `h1` depends on besides the regular files' names and contents: the entries
    /// that are not regular files and the directories that could not be read.
    fn listing_key(&self) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        for o in &self.other {
            h.update(o.as_bytes());
            h.update(b"\0");
        }
        h.update(b"\0");
        for (d, e) in &self.unreadable_dirs {
            h.update(d.as_bytes());
            h.update(b"\0");
            h.update(e.as_bytes());
            h.update(b"\0");
        }
        *h.finalize().as_bytes()
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
        // Hash1: sorted "<sha256 hex>  <path>@<version>/<file>\n" lines. Every name shares
        // the prefix, so sorting by file sorts the lines (`kept` comes sorted).
        let mut kept = kept;
        if !kept.windows(2).all(|w| w[0] < w[1]) {
            kept.sort();
        }
        let prefix = format!("{}@{}/", m.path, m.version);
        let mut h = sha2::Sha256::new();
        for rel in &kept {
            let f = self.file(rel).ok_or_else(|| rel.clone())?;
            let sum = match (&f.state, f.sha256) {
                (Ok(_), Some(s)) => s,
                (Err(e), _) => return Err(format!("{}: {e}", self.dir.join(rel).display())),
                (Ok(_), None) => {
                    return Err(format!("{}: not hashed", self.dir.join(rel).display()))
                }
            };
            if rel.contains('\n') || prefix.contains('\n') {
                let name = format!("{prefix}{rel}");
                return Err(format!("dirhash: filename {name:?} contains newline"));
            }
            h.update(crate::dirhash::hex(&sum));
            h.update("  ");
            h.update(&prefix);
            h.update(rel);
            h.update("\n");
        }
        use base64::Engine;
        Ok(format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(h.finalize())
        ))
    }
}

/// Indexes one source directory (see the module doc).
pub fn index(dir: &Path, cache_dir: Option<&Path>, progress: Option<Progress>) -> ModuleSource {
    index_as(dir, None, cache_dir, progress, hash::now_ns())
}

/// `index`, with go.sum's `h1:` of the directory as module `m` (`ModuleSource::h1`): taken
/// from the cache when no file changed since it was computed, else computed and cached.
pub fn index_module(
    dir: &Path,
    m: &ModuleVersion,
    cache_dir: Option<&Path>,
    progress: Option<Progress>,
) -> ModuleSource {
    index_as(dir, Some(m), cache_dir, progress, hash::now_ns())
}

/// Indexes `dir` for a run that started at `start` (nanoseconds since the epoch).
fn index_as(
    dir: &Path,
    m: Option<&ModuleVersion>,
    cache_dir: Option<&Path>,
    progress: Option<Progress>,
    start: i128,
) -> ModuleSource {
    let root = walk::open_root(dir);
    let cache_path = match (&root, cache_dir) {
        (Ok(fd), Some(d)) => walk::dir_id(fd).map(|id| cache::file_for(d, "src", id)),
        _ => None,
    };
    let cache = cache_path.as_deref().map(Cache::load).unwrap_or_default();
    let walked = walk::walk(
        root,
        progress,
        &Index {
            cache: cache_path.is_some().then_some(&cache),
        },
    );
    let files: usize = walked.dirs.iter().map(|(_, f)| f.len()).sum();
    let fresh = files != cache.len() || walked.dirs.iter().any(|(_, f)| f.iter().any(|(_, r)| r.2));
    // The changed cache, encoded before the walk's results move into the index.
    let mut writer = None;
    if cache_path.is_some() && fresh {
        let mut w = cache::Writer::new();
        for (d, files) in &walked.dirs {
            w.dir(d);
            for (name, (sf, st, _)) in files {
                if let (Ok(dg), Some(st), Some(sha)) = (&sf.state, st, sf.sha256) {
                    if st.settled(start) {
                        let rec = cache::Rec {
                            stamp: *st,
                            b3: dg.hash,
                            sha: Some(sha),
                            go: sf.go.clone(),
                        };
                        w.file(name, &rec);
                    }
                }
            }
        }
        writer = Some(w);
    }
    let mut src = ModuleSource {
        dir: dir.to_path_buf(),
        dirs: walked
            .dirs
            .into_iter()
            .map(|(d, files)| (d, files.into_iter().map(|(n, r)| (n, r.0)).collect()))
            .collect(),
        unreadable_dirs: walked.unreadable_dirs,
        other: walked.symlinks.into_iter().chain(walked.special).collect(),
        h1: None,
        selections: Vec::new(),
    };
    // The h1 depends on the module's identity, every file's name and SHA-256, and the
    // entries that are not regular files: with no file changed, only the last can differ.
    let memo = m.map(|m| cache::H1 {
        module: m.to_string(),
        listing: src.listing_key(),
        h1: String::new(),
    });
    let cached = match (&memo, cache.h1()) {
        (Some(want), Some(had)) if !fresh && want.module == had.module => {
            (want.listing == had.listing).then(|| had.h1.clone())
        }
        _ => None,
    };
    let mut memo_changed = false;
    if let Some(m) = m {
        let h1 = match cached {
            Some(h) => Ok(h),
            None => {
                memo_changed = true;
                src.compute_h1(m)
            }
        };
        src.h1 = Some(h1);
    }
    if let Some(cp) = cache_path {
        if fresh || memo_changed {
            let mut w = writer.unwrap_or_else(|| {
                let mut w = cache::Writer::new();
                w.copy_records(&cache);
                w
            });
            if let (Some(mut memo), Some(Ok(h1))) = (memo, &src.h1) {
                memo.h1 = h1.clone();
                w.h1(&memo);
            }
            w.write(&cp);
        }
    }
    src
}

fn unread(e: Unhashed) -> SourceFile {
    SourceFile {
        state: Err(e),
        sha256: None,
        go: None,
    }
}

/// A file's facts, its stamp, and whether it was hashed now (not from the cache).
type Indexed = (SourceFile, Option<Stamp>, bool);

struct Index<'c> {
    cache: Option<&'c Cache>,
}

impl walk::Visit for Index<'_> {
    type Dir<'a>
        = Option<cache::DirRecs<'a>>
    where
        Self: 'a;
    type Out = Indexed;

    fn dir<'a>(&'a self, dir_rel: &str) -> Self::Dir<'a> {
        self.cache.map(|c| c.dir(dir_rel))
    }

    fn file<'a>(&'a self, known: &Self::Dir<'a>, f: &FileRef, buf: &mut Vec<u8>) -> Indexed {
        let is_go = f.name.ends_with(".go");
        if let Some(known) = known {
            let st = match rustix::fs::statat(f.dir, f.raw, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(e) => return (unread(Unhashed::Unreadable(walk::io_text(e))), None, true),
            };
            if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
                return (unread(Unhashed::NotRegular), None, true);
            }
            let st = Stamp::of(&st);
            if let Some(c) = known.get(f.name) {
                if c.stamp == st && c.sha.is_some() && (c.go.is_some() || !is_go) {
                    let sf = SourceFile {
                        state: Ok(Digest {
                            size: st.size,
                            hash: c.b3,
                        }),
                        sha256: c.sha,
                        go: c.go.clone(),
                    };
                    return (sf, Some(st), false);
                }
            }
        }
        let want = Want {
            sha256: true,
            go: is_go,
        };
        match hash::hash_at(f.dir, f.raw, want, buf) {
            Ok((h, st)) => {
                let sf = SourceFile {
                    state: h.digest.ok_or(Unhashed::NotRegular),
                    sha256: h.sha256,
                    go: h.go,
                };
                (sf, Some(st), true)
            }
            Err(e) => (unread(e), None, true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn later() -> i128 {
        hash::now_ns() + 5_000_000_000
    }

    /// The h1 memo: reused while nothing changed, recomputed after an edit that size and
    /// mtime cannot see, or a new non-regular entry.
    #[test]
    fn h1_is_reused_only_while_nothing_changed() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("example.com/m@v1.0.0");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("go.mod"), "module example.com/m\n").expect("write");
        std::fs::write(dir.join("m.go"), "package m // 1\n").expect("write");
        let cache = tmp.path().join("cache");
        let m = ModuleVersion::new("example.com/m", "v1.0.0");
        let first = index_as(&dir, Some(&m), Some(&cache), None, later());
        let h1 = first.h1.clone().expect("h1").expect("ok");
        assert_eq!(Ok(h1.clone()), first.compute_h1(&m));
        let fd = walk::open_root(&dir).expect("open");
        let path = cache::file_for(&cache, "src", walk::dir_id(&fd).expect("id"));
        assert_eq!(
            Cache::load(&path).h1().map(|h| h.h1.clone()),
            Some(h1.clone())
        );
        // Poison the memo: an unchanged directory serves it.
        let poisoned = {
            let c = Cache::load(&path);
            let mut w = cache::Writer::new();
            w.copy_records(&c);
            let mut memo = c.h1().expect("memo").clone();
            memo.h1 = "h1:poison".into();
            w.h1(&memo);
            w.write(&path);
            memo.h1
        };
        let second = index_as(&dir, Some(&m), Some(&cache), None, later());
        assert_eq!(second.h1, Some(Ok(poisoned.clone())));
        // Another module identity: computed.
        let other = ModuleVersion::new("example.com/m", "v1.0.1");
        let as_other = index_as(&dir, Some(&other), Some(&cache), None, later());
        assert_eq!(as_other.h1, Some(as_other.compute_h1(&other)));
        let c = Cache::load(&path);
        let mut w = cache::Writer::new();
        w.copy_records(&c);
        w.h1(&cache::H1 {
            module: m.to_string(),
            listing: c.h1().expect("memo").listing,
            h1: poisoned,
        });
        w.write(&path);
        // A symlink appears: the listing changed.
        std::os::unix::fs::symlink("m.go", dir.join("l.go")).expect("symlink");
        let third = index_as(&dir, Some(&m), Some(&cache), None, later());
        assert_eq!(third.h1, Some(third.compute_h1(&m)));
        std::fs::remove_file(dir.join("l.go")).expect("rm");
        // An edit of the same size with the mtime restored: the file is hashed again.
        let f = dir.join("m.go");
        let mtime = std::fs::metadata(&f).expect("stat").modified().expect("m");
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::fs::write(&f, "package m // 2\n").expect("write");
        std::fs::File::options()
            .write(true)
            .open(&f)
            .expect("open")
            .set_modified(mtime)
            .expect("mtime");
        let fourth = index_as(&dir, Some(&m), Some(&cache), None, later());
        let got = fourth.h1.clone().expect("h1").expect("ok");
        assert_ne!(got, h1);
        assert_eq!(Ok(got), fourth.compute_h1(&m));
    }
}
