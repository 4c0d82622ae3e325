//! The content cache of one hashed tree (a vendor/ directory, or a module's source
//! directory): each file's stamp and digests from the last run, in a compact binary file
//! under the caller's cache directory (never in the user's tree), read whole once per tree
//! and written only when something changed. A digest is reused only when the file's device,
//! inode, size, mtime and ctime are all unchanged, and files that changed just before the
//! run are not stored (see `Stamp::settled`). A damaged or foreign file reads as empty: the
//! file ends with a blake3 checksum of the rest.

use super::gosrc::GoFacts;
use super::hash::Stamp;
use std::path::{Path, PathBuf};

/// One file's cached facts.
#[derive(Clone, Debug)]
pub(super) struct Rec {
    pub stamp: Stamp,
    pub b3: [u8; 32],
    /// go.sum's per-file SHA-256 (source directories).
    pub sha: Option<[u8; 32]>,
    /// For `.go` files of source directories.
    pub go: Option<GoFacts>,
}

const MAGIC: &[u8; 8] = b"GDCACHE\x01";

/// A module source directory's go.sum `h1:`, valid while no file of it changed and its
/// other entries (`listing`: a digest of the non-regular entries and unreadable directories)
/// are the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct H1 {
    /// `path@version`.
    pub module: String,
    pub listing: [u8; 32],
    pub h1: String,
}

/// A cache file is ours to read but still bounded (a huge tree is ~130 bytes a file).
const MAX_CACHE: u64 = 512 << 20;

/// The cache file of the tree whose root directory is `id` (device, inode): no path
/// canonicalization, and a tree reached by several paths shares one file.
pub(super) fn file_for(cache_dir: &Path, kind: &str, id: (u64, u64)) -> PathBuf {
    let mut key = [0u8; 16];
    key[..8].copy_from_slice(&id.0.to_le_bytes());
    key[8..].copy_from_slice(&id.1.to_le_bytes());
    let h = blake3::hash(&key);
    cache_dir.join(format!("{kind}-{}.bin", &h.to_hex()[..16]))
}

/// Removes the cache files of the format before this one (`vendor-<16 hex>.tsv`,
/// `src-<16 hex>.json`: a text file per tree, keyed by path) from `cache_dir`: nothing reads
/// them any more. Only regular files with exactly those names go; returns how many did.
/// The directory is listed once, at most `MAX_LISTED` entries.
pub fn remove_legacy(cache_dir: &Path) -> usize {
    const MAX_LISTED: usize = 100_000;
    let Ok(entries) = std::fs::read_dir(cache_dir) else {
        return 0;
    };
    let legacy = |name: &str| {
        let key = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
        name.strip_prefix("vendor-")
            .and_then(|r| r.strip_suffix(".tsv"))
            .or_else(|| {
                name.strip_prefix("src-")
                    .and_then(|r| r.strip_suffix(".json"))
            })
            .is_some_and(key)
    };
    let mut removed = 0;
    for e in entries.take(MAX_LISTED).flatten() {
        let name = e.file_name();
        let is_file = e.file_type().is_ok_and(|t| t.is_file());
        if is_file && name.to_str().is_some_and(legacy) && std::fs::remove_file(e.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A loaded cache: the file's bytes and where each directory's records lie. Records are
/// decoded per directory when the walk reaches it (in parallel, and only once).
#[derive(Default)]
pub(super) struct Cache {
    data: Vec<u8>,
    /// Directory → (first byte of its records, end, record count).
    dirs: foldhash::HashMap<Box<str>, (usize, usize, usize)>,
    files: usize,
    h1: Option<H1>,
}

/// The records of one directory, sorted by name.
#[derive(Default)]
pub(super) struct DirRecs<'a> {
    recs: Vec<(&'a [u8], Rec)>,
}

impl DirRecs<'_> {
    pub fn get(&self, name: &str) -> Option<&Rec> {
        let i = self
            .recs
            .binary_search_by(|(n, _)| (*n).cmp(name.as_bytes()))
            .ok()?;
        Some(&self.recs[i].1)
    }
}

impl Cache {
    pub fn load(path: &Path) -> Cache {
        let Ok(mut data) = crate::fsio::read_bounded(path, MAX_CACHE) else {
            return Cache::default();
        };
        // Written without a sync (`fsio::write_cache`): a torn file fails its checksum.
        let Some(body) = data.len().checked_sub(32) else {
            return Cache::default();
        };
        if blake3::hash(&data[..body]).as_bytes() != &data[body..] {
            return Cache::default();
        }
        data.truncate(body);
        let Some((dirs, files, h1)) = index(&data) else {
            return Cache::default();
        };
        Cache {
            data,
            dirs,
            files,
            h1,
        }
    }

    pub fn h1(&self) -> Option<&H1> {
        self.h1.as_ref()
    }

    /// The number of files recorded.
    pub fn len(&self) -> usize {
        self.files
    }

    /// The records of `dir` (none when it has none, or they are damaged).
    pub fn dir(&self, dir: &str) -> DirRecs<'_> {
        let Some(&(from, to, n)) = self.dirs.get(dir) else {
            return DirRecs::default();
        };
        let mut r = Reader {
            data: &self.data[..to],
            pos: from,
        };
        let mut recs = Vec::with_capacity(n);
        for _ in 0..n {
            match record(&mut r) {
                // Sorted and unique, or lookups would miss: not a file we wrote.
                Some((name, _)) if recs.last().is_some_and(|(p, _)| *p >= name) => {
                    return DirRecs::default()
                }
                Some(rec) => recs.push(rec),
                None => return DirRecs::default(),
            }
        }
        if r.pos != to {
            return DirRecs::default();
        }
        DirRecs { recs }
    }
}

type DirIndex = foldhash::HashMap<Box<str>, (usize, usize, usize)>;

/// Checks the header and frames of a cache file: per directory, its records' span.
fn index(data: &[u8]) -> Option<(DirIndex, usize, Option<H1>)> {
    let mut r = Reader { data, pos: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return None;
    }
    let n = r.u32()?;
    let mut dirs = DirIndex::default();
    dirs.reserve(n.min(data.len() / 12));
    let mut files = 0usize;
    for _ in 0..n {
        let len = r.u32()?;
        let dir = r.str(len)?;
        let count = r.u32()?;
        let bytes = r.u32()?;
        let from = r.pos;
        r.take(bytes)?;
        files = files.checked_add(count)?;
        if dirs.insert(dir.into(), (from, r.pos, count)).is_some() {
            return None;
        }
    }
    let h1 = match r.u8()? {
        0 => None,
        _ => {
            let n = r.u16()?;
            let module = r.str(n)?.to_string();
            let listing = r.arr()?;
            let n = r.u16()?;
            let h1 = r.str(n)?.to_string();
            Some(H1 {
                module,
                listing,
                h1,
            })
        }
    };
    (r.pos == data.len()).then_some((dirs, files, h1))
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.data.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn arr<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.arr::<1>()?[0])
    }
    fn u16(&mut self) -> Option<usize> {
        Some(u16::from_le_bytes(self.arr()?) as usize)
    }
    fn u32(&mut self) -> Option<usize> {
        Some(u32::from_le_bytes(self.arr()?) as usize)
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.arr()?))
    }
    fn time(&mut self) -> Option<(i64, u32)> {
        Some((i64::from_le_bytes(self.arr()?), self.u32()? as u32))
    }
    fn str(&mut self, n: usize) -> Option<&'a str> {
        std::str::from_utf8(self.take(n)?).ok()
    }
}

const HAS_SHA: u8 = 1;
const HAS_GO: u8 = 2;
const GO_IGNORED: u8 = 4;

/// One record: its name and facts.
fn record<'a>(r: &mut Reader<'a>) -> Option<(&'a [u8], Rec)> {
    let n = r.u16()?;
    let name = r.take(n)?;
    let stamp = Stamp {
        dev: r.u64()?,
        ino: r.u64()?,
        size: r.u64()?,
        mtime: r.time()?,
        ctime: r.time()?,
    };
    let b3 = r.arr()?;
    let flags = r.u8()?;
    let sha = if flags & HAS_SHA != 0 {
        Some(r.arr()?)
    } else {
        None
    };
    let go = if flags & HAS_GO != 0 {
        let mut embeds = Vec::new();
        for _ in 0..r.u16()? {
            let n = r.u16()?;
            embeds.push(r.str(n)?.to_string());
        }
        Some(GoFacts {
            ignored: flags & GO_IGNORED != 0,
            embeds,
        })
    } else {
        None
    };
    Some((name, Rec { stamp, b3, sha, go }))
}

/// Builds a cache file: directories in any order, each one's files sorted by name.
pub(super) struct Writer {
    out: Vec<u8>,
    dirs: u32,
    /// Where the current directory's file count goes (its byte length follows), and the
    /// count.
    open: Option<(usize, u32)>,
    h1: Option<H1>,
}

impl Writer {
    pub fn new() -> Writer {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&0u32.to_le_bytes());
        Writer {
            out,
            dirs: 0,
            open: None,
            h1: None,
        }
    }

    fn close_dir(&mut self) {
        if let Some((at, n)) = self.open.take() {
            let bytes = (self.out.len() - at - 8) as u32;
            self.out[at..at + 4].copy_from_slice(&n.to_le_bytes());
            self.out[at + 4..at + 8].copy_from_slice(&bytes.to_le_bytes());
        }
    }

    pub fn dir(&mut self, dir: &str) {
        self.close_dir();
        self.dirs += 1;
        self.out
            .extend_from_slice(&(dir.len() as u32).to_le_bytes());
        self.out.extend_from_slice(dir.as_bytes());
        self.open = Some((self.out.len(), 0));
        self.out.extend_from_slice(&[0; 8]);
    }

    /// Adds a file of the current directory (names in increasing order). Names and embed
    /// patterns too long for the format are left out (the file is hashed again next time).
    pub fn file(&mut self, name: &str, rec: &Rec) {
        let Some((_, n)) = self.open.as_mut() else {
            return;
        };
        let embeds = rec.go.as_ref().map_or(&[][..], |g| &g.embeds[..]);
        if name.len() > u16::MAX as usize
            || embeds.len() > u16::MAX as usize
            || embeds.iter().any(|e| e.len() > u16::MAX as usize)
        {
            return;
        }
        *n += 1;
        let o = &mut self.out;
        o.extend_from_slice(&(name.len() as u16).to_le_bytes());
        o.extend_from_slice(name.as_bytes());
        let s = &rec.stamp;
        for v in [s.dev, s.ino, s.size] {
            o.extend_from_slice(&v.to_le_bytes());
        }
        for (secs, ns) in [s.mtime, s.ctime] {
            o.extend_from_slice(&secs.to_le_bytes());
            o.extend_from_slice(&ns.to_le_bytes());
        }
        o.extend_from_slice(&rec.b3);
        let mut flags = 0;
        if rec.sha.is_some() {
            flags |= HAS_SHA;
        }
        if let Some(g) = &rec.go {
            flags |= HAS_GO;
            if g.ignored {
                flags |= GO_IGNORED;
            }
        }
        o.push(flags);
        if let Some(sha) = &rec.sha {
            o.extend_from_slice(sha);
        }
        if rec.go.is_some() {
            o.extend_from_slice(&(embeds.len() as u16).to_le_bytes());
            for e in embeds {
                o.extend_from_slice(&(e.len() as u16).to_le_bytes());
                o.extend_from_slice(e.as_bytes());
            }
        }
    }

    /// Adds every directory of `c`, unchanged.
    pub fn copy_records(&mut self, c: &Cache) {
        self.close_dir();
        for (dir, &(from, to, n)) in &c.dirs {
            self.dirs += 1;
            let o = &mut self.out;
            o.extend_from_slice(&(dir.len() as u32).to_le_bytes());
            o.extend_from_slice(dir.as_bytes());
            o.extend_from_slice(&(n as u32).to_le_bytes());
            o.extend_from_slice(&((to - from) as u32).to_le_bytes());
            o.extend_from_slice(&c.data[from..to]);
        }
    }

    /// Records the directory's `h1` (left out when too long for the format).
    pub fn h1(&mut self, h1: &H1) {
        if h1.module.len() <= u16::MAX as usize && h1.h1.len() <= u16::MAX as usize {
            self.h1 = Some(h1.clone());
        }
    }

    /// Writes the file (best effort: a cache that cannot be written only costs time on the
    /// next run).
    pub fn write(mut self, path: &Path) {
        self.close_dir();
        let d = self.dirs.to_le_bytes();
        self.out[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&d);
        match &self.h1 {
            None => self.out.push(0),
            Some(h) => {
                let o = &mut self.out;
                o.push(1);
                o.extend_from_slice(&(h.module.len() as u16).to_le_bytes());
                o.extend_from_slice(h.module.as_bytes());
                o.extend_from_slice(&h.listing);
                o.extend_from_slice(&(h.h1.len() as u16).to_le_bytes());
                o.extend_from_slice(h.h1.as_bytes());
            }
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let sum = blake3::hash(&self.out);
        self.out.extend_from_slice(sum.as_bytes());
        let _ = crate::fsio::write_cache(path, &self.out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: u8, go: bool) -> Rec {
        Rec {
            stamp: Stamp {
                dev: 1,
                ino: i as u64,
                size: 10,
                mtime: (-5, 7),
                ctime: (1_700_000_000, 999_999_999),
            },
            b3: [i; 32],
            sha: go.then_some([i + 1; 32]),
            go: go.then(|| GoFacts {
                ignored: i.is_multiple_of(2),
                embeds: vec!["a/*.txt".into(), "all:b".into()],
            }),
        }
    }

    #[test]
    fn round_trip_and_damage() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let p = tmp.path().join("c.bin");
        let mut w = Writer::new();
        w.dir("");
        w.file("a.go", &rec(1, true));
        w.file("b", &rec(2, false));
        w.dir("x/y");
        w.file("c.go", &rec(4, true));
        let h1 = H1 {
            module: "example.com/m@v1.0.0".into(),
            listing: [9; 32],
            h1: "h1:abc=".into(),
        };
        w.h1(&h1);
        w.write(&p);
        let c = Cache::load(&p);
        assert_eq!(c.len(), 3);
        assert_eq!(c.h1(), Some(&h1));
        // Copied whole, records and all.
        let q = tmp.path().join("d.bin");
        let mut w = Writer::new();
        w.copy_records(&c);
        w.write(&q);
        let d = Cache::load(&q);
        assert_eq!((d.len(), d.h1()), (3, None));
        assert!(d.dir("x/y").get("c.go").is_some());
        let xy = c.dir("x/y");
        let got = xy.get("c.go").expect("c.go");
        assert_eq!(got.stamp, rec(4, true).stamp);
        assert_eq!(got.go, rec(4, true).go);
        assert_eq!(got.sha, Some([5; 32]));
        assert_eq!(c.dir("").get("b").expect("b").b3, [2; 32]);
        assert!(c.dir("").get("c.go").is_none());
        assert!(c.dir("x").get("c.go").is_none());
        // A damaged file is not trusted at all.
        let data = std::fs::read(&p).expect("read");
        let mut damaged = data.clone();
        let at = data.windows(4).position(|w| w == b"c.go").expect("c.go");
        damaged[at] = b'd';
        std::fs::write(&p, &damaged).expect("write");
        assert_eq!(Cache::load(&p).len(), 0);
        // Any truncation or trailing garbage: nothing is trusted.
        for cut in [0, 8, 20, data.len() - 1] {
            std::fs::write(&p, &data[..cut]).expect("write");
            assert_eq!(Cache::load(&p).len(), 0, "cut at {cut}");
        }
        let mut longer = data.clone();
        longer.push(0);
        std::fs::write(&p, &longer).expect("write");
        assert_eq!(Cache::load(&p).len(), 0);
    }
}
