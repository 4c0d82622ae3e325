//! The hashed vendor/ tree of one artifact: a parallel walk (rayon tasks per directory and
//! per chunk of files; `readdir` gives the file types, so each file costs one `statx`),
//! indexed by directory so a package's files are one lookup. A content cache under the
//! caller's cache directory (never in the user's tree) skips files whose size, mtime and
//! inode are unchanged.

use super::hash::{self, Digest, Stamp, Unhashed, Want};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A file of the tree: its digest, or why it has none.
pub type Entry = Result<Digest, Unhashed>;

/// Reports progress: called with the number of files just hashed.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

#[derive(Clone, Debug, Default)]
pub struct VendorTree {
    pub root: PathBuf,
    /// Directory (slash path relative to the root, "" for the root) → file name → entry.
    pub dirs: BTreeMap<String, BTreeMap<String, Entry>>,
    /// Directories that could not be listed (path, OS error): their files are unknown.
    pub unreadable_dirs: Vec<(String, String)>,
    /// Symbolic links (never followed; `go mod vendor` never creates one).
    pub symlinks: Vec<String>,
    /// FIFOs, sockets, devices.
    pub special: Vec<String>,
}

impl VendorTree {
    /// The entry of one file (slash path relative to the root).
    pub fn get(&self, rel: &str) -> Option<&Entry> {
        let (dir, name) = split(rel);
        self.dirs.get(dir)?.get(name)
    }

    /// The digest of one file, when it was hashed.
    pub fn digest(&self, rel: &str) -> Option<&Digest> {
        self.get(rel).and_then(|e| e.as_ref().ok())
    }

    /// The files directly in `dir`.
    pub fn dir(&self, dir: &str) -> Option<&BTreeMap<String, Entry>> {
        self.dirs.get(dir)
    }

    pub fn file_count(&self) -> usize {
        self.dirs.values().map(BTreeMap::len).sum()
    }

    /// All files (relative path, entry), sorted.
    pub fn files(&self) -> impl Iterator<Item = (String, &Entry)> {
        self.dirs
            .iter()
            .flat_map(|(d, m)| m.iter().map(move |(n, e)| (join(d, n), e)))
    }

    /// The unreadable directory `rel` lies under, if any.
    pub fn unreadable_ancestor(&self, rel: &str) -> Option<&str> {
        self.unreadable_dirs
            .iter()
            .map(|(d, _)| d.as_str())
            .find(|d| rel.len() > d.len() && rel.starts_with(d) && rel.as_bytes()[d.len()] == b'/')
    }
}

/// `dir/name` (either may be empty).
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if name.is_empty() {
        dir.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Splits a slash path into directory and file name.
pub fn split(rel: &str) -> (&str, &str) {
    match rel.rfind('/') {
        Some(i) => (&rel[..i], &rel[i + 1..]),
        None => ("", rel),
    }
}

/// Walks and hashes `vendor_dir`. With `cache_dir`, digests of unchanged files come from
/// the content cache there, which is written back when something changed.
pub fn scan(vendor_dir: &Path, cache_dir: Option<&Path>, progress: Option<Progress>) -> VendorTree {
    let cache_path = cache_dir.map(|d| cache_file(d, vendor_dir));
    let cache = cache_path.as_deref().map(read_cache).unwrap_or_default();
    let use_cache = cache_path.is_some();
    type Res = (Entry, Option<(Stamp, bool)>);
    let walked = walk_generic(vendor_dir, progress, &|rel: &str, path: &Path| -> Res {
        if !use_cache {
            let r = hash::hash_file(path, Want::default())
                .and_then(|h| h.digest.ok_or(Unhashed::NotRegular));
            return (r, None);
        }
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) => return (Err(Unhashed::Unreadable(e.to_string())), None),
        };
        if !meta.file_type().is_file() {
            return (Err(Unhashed::NotRegular), None);
        }
        let st = Stamp::of(&meta);
        if let Some((cst, h)) = cache.get(rel) {
            if *cst == st {
                return (
                    Ok(Digest {
                        size: st.size,
                        hash: *h,
                    }),
                    Some((st, false)),
                );
            }
        }
        let r = hash::hash_known(path, st.size, Want::default())
            .and_then(|h| h.digest.ok_or(Unhashed::NotRegular));
        (r, Some((st, true)))
    });
    let mut tree = VendorTree {
        root: vendor_dir.to_path_buf(),
        unreadable_dirs: walked.unreadable_dirs,
        symlinks: walked.symlinks,
        special: walked.special,
        ..VendorTree::default()
    };
    let mut stamps: HashMap<String, (Stamp, bool)> = HashMap::new();
    let mut fresh = false;
    for (dir, files) in walked.dirs {
        let mut m = BTreeMap::new();
        for (name, (e, st)) in files {
            if let Some(st) = st {
                fresh |= st.1;
                stamps.insert(join(&dir, &name), st);
            }
            m.insert(name, e);
        }
        tree.dirs.insert(dir, m);
    }
    if let Some(cp) = cache_path {
        if fresh || stamps.len() != cache.len() {
            write_cache(&cp, &tree, &stamps);
        }
    }
    tree
}

/// What a walk found: per directory, each regular file's result.
pub(super) struct Walked<T> {
    pub dirs: BTreeMap<String, BTreeMap<String, T>>,
    pub unreadable_dirs: Vec<(String, String)>,
    pub symlinks: Vec<String>,
    pub special: Vec<String>,
}

type FileFn<'a, T> = dyn Fn(&str, &Path) -> T + Sync + 'a;

struct Sink<T> {
    files: Vec<(String, String, T)>,
    unreadable_dirs: Vec<(String, String)>,
    symlinks: Vec<String>,
    special: Vec<String>,
}

/// Files hashed per task: small enough to balance two cores, large enough that a task
/// costs little next to its reads.
const CHUNK: usize = 128;

/// Walks `root` in parallel, calling `f(relative path, path)` for every regular file.
pub(super) fn walk_generic<T: Send>(
    root: &Path,
    progress: Option<Progress>,
    f: &FileFn<T>,
) -> Walked<T> {
    let sink = Mutex::new(Sink {
        files: Vec::new(),
        unreadable_dirs: Vec::new(),
        symlinks: Vec::new(),
        special: Vec::new(),
    });
    rayon::scope(|s| walk_dir(s, root.to_path_buf(), String::new(), &sink, progress, f));
    let sink = sink.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut dirs: BTreeMap<String, BTreeMap<String, T>> = BTreeMap::new();
    for (dir, name, e) in sink.files {
        dirs.entry(dir).or_default().insert(name, e);
    }
    let mut w = Walked {
        dirs,
        unreadable_dirs: sink.unreadable_dirs,
        symlinks: sink.symlinks,
        special: sink.special,
    };
    w.unreadable_dirs.sort();
    w.symlinks.sort();
    w.special.sort();
    w
}

fn walk_dir<'s, T: Send>(
    s: &rayon::Scope<'s>,
    abs: PathBuf,
    rel: String,
    sink: &'s Mutex<Sink<T>>,
    progress: Option<Progress<'s>>,
    f: &'s FileFn<'s, T>,
) {
    let rd = match std::fs::read_dir(&abs) {
        Ok(rd) => rd,
        Err(e) => {
            lock(sink).unreadable_dirs.push((rel, e.to_string()));
            return;
        }
    };
    let mut files = Vec::new();
    let (mut links, mut special) = (Vec::new(), Vec::new());
    for e in rd {
        let e = match e {
            Ok(e) => e,
            Err(err) => {
                lock(sink)
                    .unreadable_dirs
                    .push((rel.clone(), err.to_string()));
                break;
            }
        };
        let name = e.file_name().to_string_lossy().into_owned();
        let child = join(&rel, &name);
        // From readdir's d_type: no stat.
        match e.file_type() {
            Ok(t) if t.is_dir() => {
                let p = e.path();
                s.spawn(move |s| walk_dir(s, p, child, sink, progress, f));
            }
            Ok(t) if t.is_file() => files.push(name),
            Ok(t) if t.is_symlink() => links.push(child),
            Ok(_) => special.push(child),
            Err(err) => lock(sink).unreadable_dirs.push((child, err.to_string())),
        }
    }
    if !links.is_empty() || !special.is_empty() {
        let mut g = lock(sink);
        g.symlinks.append(&mut links);
        g.special.append(&mut special);
    }
    let rel = std::sync::Arc::new(rel);
    let abs = std::sync::Arc::new(abs);
    let hash_chunk = move |names: Vec<String>, rel: &str, abs: &Path| {
        let n = names.len() as u64;
        let out: Vec<(String, String, T)> = names
            .into_iter()
            .map(|name| {
                let r = f(&join(rel, &name), &abs.join(&name));
                (rel.to_string(), name, r)
            })
            .collect();
        if let Some(p) = progress {
            p(n);
        }
        lock(sink).files.extend(out);
    };
    while files.len() > CHUNK {
        let tail = files.split_off(files.len() - CHUNK);
        let (rel, abs) = (rel.clone(), abs.clone());
        s.spawn(move |_| hash_chunk(tail, &rel, &abs));
    }
    hash_chunk(files, &rel, &abs);
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The cache file for one vendor directory.
fn cache_file(cache_dir: &Path, vendor_dir: &Path) -> PathBuf {
    let key = vendor_dir
        .canonicalize()
        .unwrap_or_else(|_| vendor_dir.to_path_buf());
    let h = blake3::hash(key.as_os_str().as_encoded_bytes());
    cache_dir.join(format!("vendor-{}.tsv", &h.to_hex()[..16]))
}

/// A cache file is ours to read but still bounded (a huge vendor tree is ~100 bytes a file).
const MAX_CACHE: u64 = 512 << 20;

type CacheMap = HashMap<String, (Stamp, [u8; 32])>;

fn read_cache(path: &Path) -> CacheMap {
    let Ok(data) = crate::fsio::read_bounded(path, MAX_CACHE) else {
        return CacheMap::new();
    };
    let text = String::from_utf8_lossy(&data);
    text.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (rel, size, mtime, ino, hash) =
                (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
            let st = Stamp {
                size: size.parse().ok()?,
                mtime_ns: mtime.parse().ok()?,
                ino: ino.parse().ok()?,
            };
            Some((rel.to_string(), (st, hash::unhex32(hash)?)))
        })
        .collect()
}

fn write_cache(path: &Path, tree: &VendorTree, stamps: &HashMap<String, (Stamp, bool)>) {
    use std::fmt::Write;
    let mut text = String::new();
    for (rel, e) in tree.files() {
        let (Ok(d), Some((st, _))) = (e, stamps.get(&rel)) else {
            continue;
        };
        if rel.contains(['\t', '\n', '\r']) {
            continue;
        }
        let _ = writeln!(
            text,
            "{rel}\t{}\t{}\t{}\t{}",
            st.size,
            st.mtime_ns,
            st.ino,
            crate::dirhash::hex(&d.hash)
        );
    }
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // Best effort: a cache that cannot be written only costs time on the next run.
    let _ = crate::fsio::write_file(path, text.as_bytes());
}
