//! The hashed vendor/ tree of one artifact: a parallel walk (see `walk`: each file costs one
//! openat, one fstat and its reads), indexed by directory so a package's files are one
//! lookup. A content cache under the caller's cache directory (never in the user's tree)
//! skips files whose stamp is unchanged: then a file costs one fstatat and no open.

use super::cache::{self, Cache};
use super::hash::{self, Digest, Stamp, Unhashed, Want};
use super::walk::{self, FileRef};
use rustix::fs::{AtFlags, FileType};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
/// the content cache there (see `cache`), which is written back when something changed.
pub fn scan(vendor_dir: &Path, cache_dir: Option<&Path>, progress: Option<Progress>) -> VendorTree {
    scan_since(vendor_dir, cache_dir, progress, hash::now_ns())
}

/// `scan` of a run that started at `start` (nanoseconds since the epoch): files changed
/// since shortly before are not cached.
fn scan_since(
    vendor_dir: &Path,
    cache_dir: Option<&Path>,
    progress: Option<Progress>,
    start: i128,
) -> VendorTree {
    let root = walk::open_root(vendor_dir);
    let cache_path = match (&root, cache_dir) {
        (Ok(fd), Some(d)) => walk::dir_id(fd).map(|id| cache::file_for(d, "vendor", id)),
        _ => None,
    };
    let cache = cache_path.as_deref().map(Cache::load).unwrap_or_default();
    let walked = walk::walk(
        root,
        progress,
        &Scan {
            cache: cache_path.is_some().then_some(&cache),
        },
    );
    if let Some(cp) = cache_path {
        let files: usize = walked.dirs.iter().map(|(_, f)| f.len()).sum();
        let fresh = walked.dirs.iter().any(|(_, f)| f.iter().any(|(_, r)| r.2));
        if fresh || files != cache.len() {
            let mut w = cache::Writer::new();
            for (dir, files) in &walked.dirs {
                w.dir(dir);
                for (name, (e, st, _)) in files {
                    if let (Ok(d), Some(st)) = (e, st) {
                        if st.settled(start) {
                            let rec = cache::Rec {
                                stamp: *st,
                                b3: d.hash,
                                sha: None,
                                go: None,
                            };
                            w.file(name, &rec);
                        }
                    }
                }
            }
            w.write(&cp);
        }
    }
    VendorTree {
        root: vendor_dir.to_path_buf(),
        dirs: walked
            .dirs
            .into_iter()
            .map(|(d, files)| (d, files.into_iter().map(|(n, r)| (n, r.0)).collect()))
            .collect(),
        unreadable_dirs: walked.unreadable_dirs,
        symlinks: walked.symlinks,
        special: walked.special,
    }
}

/// A file's entry, its stamp, and whether it was hashed now (not from the cache).
type Scanned = (Entry, Option<Stamp>, bool);

struct Scan<'c> {
    cache: Option<&'c Cache>,
}

impl walk::Visit for Scan<'_> {
    type Dir<'a>
        = Option<cache::DirRecs<'a>>
    where
        Self: 'a;
    type Out = Scanned;

    fn dir<'a>(&'a self, dir_rel: &str) -> Self::Dir<'a> {
        self.cache.map(|c| c.dir(dir_rel))
    }

    fn file<'a>(&'a self, known: &Self::Dir<'a>, f: &FileRef, buf: &mut Vec<u8>) -> Scanned {
        if let Some(known) = known {
            // One fstatat relative to the open directory; the file is opened only on a miss.
            let st = match rustix::fs::statat(f.dir, f.raw, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(e) => return (Err(Unhashed::Unreadable(walk::io_text(e))), None, true),
            };
            if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
                return (Err(Unhashed::NotRegular), None, true);
            }
            let st = Stamp::of(&st);
            if let Some(c) = known.get(f.name) {
                if c.stamp == st {
                    let d = Digest {
                        size: st.size,
                        hash: c.b3,
                    };
                    return (Ok(d), Some(st), false);
                }
            }
        }
        match hash::hash_at(f.dir, f.raw, Want::default(), buf) {
            Ok((h, st)) => (h.digest.ok_or(Unhashed::NotRegular), Some(st), true),
            Err(e) => (Err(e), None, true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Rewrites `p` with `data` (the same length as before), then gives it back its mtime:
    /// an edit that size and mtime cannot see.
    fn edit_keeping_size_and_mtime(p: &Path, data: &[u8]) {
        let mtime = std::fs::metadata(p)
            .expect("stat")
            .modified()
            .expect("mtime");
        assert_eq!(std::fs::metadata(p).expect("stat").len(), data.len() as u64);
        // Past the file system's timestamp granularity: the ctime moves.
        std::thread::sleep(Duration::from_millis(50));
        std::fs::write(p, data).expect("write");
        let f = std::fs::File::options().write(true).open(p).expect("open");
        f.set_modified(mtime).expect("set mtime");
        assert_eq!(
            std::fs::metadata(p).expect("stat").modified().expect("m"),
            mtime
        );
    }

    fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let vendor = tmp.path().join("vendor");
        std::fs::create_dir_all(vendor.join("example.com/x")).expect("mkdir");
        std::fs::write(vendor.join("example.com/x/a.go"), "package x // a\n").expect("write");
        std::fs::write(vendor.join("example.com/x/b.go"), "package x // b\n").expect("write");
        let cache = tmp.path().join("cache");
        (tmp, vendor, cache)
    }

    /// As if the run started `s` seconds from now: the files just written count as settled.
    fn later(s: i128) -> i128 {
        hash::now_ns() + s * 1_000_000_000
    }

    fn cache_of(vendor: &Path, cache: &Path) -> Cache {
        let fd = walk::open_root(vendor).expect("open");
        Cache::load(&cache::file_for(
            cache,
            "vendor",
            walk::dir_id(&fd).expect("id"),
        ))
    }

    #[test]
    fn unchanged_files_come_from_the_cache() {
        let (_tmp, vendor, cache) = setup();
        let first = scan_since(&vendor, Some(&cache), None, later(5));
        assert_eq!(first.dirs, scan(&vendor, None, None).dirs);
        // Poison a.go's record, keeping its stamp: a hit serves the poisoned digest.
        let c = cache_of(&vendor, &cache);
        let recs = c.dir("example.com/x");
        let mut w = cache::Writer::new();
        w.dir("example.com/x");
        let mut a = recs.get("a.go").expect("a.go cached").clone();
        a.b3 = [7; 32];
        w.file("a.go", &a);
        w.file("b.go", recs.get("b.go").expect("b.go cached"));
        drop(recs);
        let fd = walk::open_root(&vendor).expect("open");
        w.write(&cache::file_for(
            &cache,
            "vendor",
            walk::dir_id(&fd).expect("id"),
        ));
        let second = scan_since(&vendor, Some(&cache), None, later(5));
        assert_eq!(
            second.digest("example.com/x/a.go").expect("a").hash,
            [7; 32]
        );
        assert_eq!(
            second.get("example.com/x/b.go"),
            first.get("example.com/x/b.go")
        );
    }

    /// Regression: the cache used to trust size, mtime and inode alone, so an in-place edit
    /// of the same length with its mtime restored (`touch -r`, `tar`, `rsync -t`) was missed.
    #[test]
    fn an_edit_keeping_size_and_mtime_is_seen() {
        let (_tmp, vendor, cache) = setup();
        let a = vendor.join("example.com/x/a.go");
        let first = scan_since(&vendor, Some(&cache), None, later(5));
        assert_eq!(cache_of(&vendor, &cache).len(), 2);
        let ino = std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&a).expect("stat"));
        edit_keeping_size_and_mtime(&a, b"package x // A\n");
        assert_eq!(
            std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&a).expect("stat")),
            ino,
            "edited in place"
        );
        let again = scan_since(&vendor, Some(&cache), None, later(5));
        let want = hash::hash_file(&a, Want::default()).expect("hash").digest;
        assert_eq!(again.digest("example.com/x/a.go").copied(), want);
        assert_ne!(
            again.get("example.com/x/a.go"),
            first.get("example.com/x/a.go")
        );
    }

    /// A file replaced by another one (a new inode, say by `git checkout` or an editor's
    /// rename) with the same size and mtime is hashed again.
    #[test]
    fn a_replaced_file_with_the_same_size_and_mtime_is_seen() {
        let (tmp, vendor, cache) = setup();
        let a = vendor.join("example.com/x/a.go");
        scan_since(&vendor, Some(&cache), None, later(5));
        let mtime = std::fs::metadata(&a).expect("stat").modified().expect("m");
        let other = tmp.path().join("a.go.new");
        std::fs::write(&other, "package x // Z\n").expect("write");
        std::fs::File::options()
            .write(true)
            .open(&other)
            .expect("open")
            .set_modified(mtime)
            .expect("mtime");
        std::fs::rename(&other, &a).expect("rename");
        let again = scan_since(&vendor, Some(&cache), None, later(5));
        let want = hash::hash_file(&a, Want::default()).expect("hash").digest;
        assert_eq!(again.digest("example.com/x/a.go").copied(), want);
    }

    /// Files changed just before a run are read but not cached: an edit in the same
    /// timestamp tick would leave their stamp unchanged.
    #[test]
    fn files_changed_just_before_the_run_are_not_cached() {
        let (_tmp, vendor, cache) = setup();
        let tree = scan(&vendor, Some(&cache), None);
        assert_eq!(tree.file_count(), 2);
        assert_eq!(cache_of(&vendor, &cache).len(), 0);
        // Settled (as seen from a run 5 s later): cached.
        scan_since(&vendor, Some(&cache), None, later(5));
        assert_eq!(cache_of(&vendor, &cache).len(), 2);
    }
}
