//! The parallel walk under every hashed tree. Each directory is opened once and listed with
//! getdents into a stack buffer (`d_type` gives the kinds: no stat); its files are opened
//! relative to it (`openat`: one path component to resolve, not the whole path), in tasks of
//! up to `CHUNK` files sharing one read buffer. Nothing is followed: subdirectories and files
//! are opened with O_NOFOLLOW relative to their parent.

use super::tree::{join, Progress};
use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use std::ffi::{OsStr, OsString};
use std::mem::MaybeUninit;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// One regular file, as the per-file function sees it.
pub(super) struct FileRef<'a> {
    /// The open directory holding it.
    pub dir: BorrowedFd<'a>,
    /// Its name (lossily UTF-8: what the tree reports).
    pub name: &'a str,
    /// Its name as the file system spells it (what is opened).
    pub raw: &'a OsStr,
}

/// What a walk found: per directory holding regular files (sorted), each file's result
/// (sorted by name).
pub(super) struct Walked<T> {
    pub dirs: Vec<(String, Vec<(String, T)>)>,
    pub unreadable_dirs: Vec<(String, String)>,
    pub symlinks: Vec<String>,
    pub special: Vec<String>,
}

/// What a walk does: `dir` once per task with the directory's relative path (to look up
/// what is known about it, once), then `file` for each of the task's regular files, with a
/// read buffer it may reuse.
pub(super) trait Visit: Sync {
    type Dir<'a>
    where
        Self: 'a;
    type Out: Send;
    fn dir<'a>(&'a self, dir_rel: &str) -> Self::Dir<'a>;
    fn file<'a>(&'a self, dir: &Self::Dir<'a>, file: &FileRef, buf: &mut Vec<u8>) -> Self::Out;
}

/// Files per task: small enough to balance two cores, large enough that a task costs
/// little next to its reads.
const CHUNK: usize = 128;

/// Opens the root of a walk (following a symlink there, as `cd` would).
pub(super) fn open_root(root: &Path) -> std::io::Result<OwnedFd> {
    rustix::fs::open(
        root,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(Into::into)
}

/// A directory's (device, inode): what names its content cache, with no canonicalize.
pub(super) fn dir_id(fd: &OwnedFd) -> Option<(u64, u64)> {
    rustix::fs::fstat(fd).ok().map(|s| (s.st_dev, s.st_ino))
}

pub(super) fn io_text(e: rustix::io::Errno) -> String {
    std::io::Error::from(e).to_string()
}

type Names = Vec<(String, Option<OsString>)>;
/// Each file of a directory (name, what the visitor made of it).
type Files<T> = Vec<(String, T)>;

struct Sink<T> {
    chunks: Vec<(Arc<str>, Files<T>)>,
    unreadable_dirs: Vec<(String, String)>,
    symlinks: Vec<String>,
    special: Vec<String>,
}

struct Ctx<'a, V: Visit> {
    sink: Mutex<Sink<V::Out>>,
    progress: Option<Progress<'a>>,
    v: &'a V,
}

/// Walks the tree under `root` (see `open_root`), visiting every regular file.
pub(super) fn walk<V: Visit>(
    root: std::io::Result<OwnedFd>,
    progress: Option<Progress>,
    v: &V,
) -> Walked<V::Out> {
    let ctx = Ctx {
        sink: Mutex::new(Sink {
            chunks: Vec::new(),
            unreadable_dirs: Vec::new(),
            symlinks: Vec::new(),
            special: Vec::new(),
        }),
        progress,
        v,
    };
    match root {
        Ok(fd) => rayon::scope(|s| list_dir(s, fd, String::new(), &ctx)),
        Err(e) => lock(&ctx.sink)
            .unreadable_dirs
            .push((String::new(), e.to_string())),
    }
    let sink = ctx.sink.into_inner().unwrap_or_else(|e| e.into_inner());
    let mut chunks = sink.chunks;
    chunks.sort_by(|a, b| a.0.cmp(&b.0));
    let mut dirs: Vec<(String, Files<V::Out>)> = Vec::new();
    for (dir, mut files) in chunks {
        match dirs.last_mut() {
            Some((d, v)) if **d == *dir => v.append(&mut files),
            _ => dirs.push((dir.to_string(), files)),
        }
    }
    for (_, files) in &mut dirs {
        files.sort_by(|a, b| a.0.cmp(&b.0));
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

fn list_dir<'s, V: Visit>(s: &rayon::Scope<'s>, fd: OwnedFd, rel: String, ctx: &'s Ctx<'s, V>) {
    // On the heap: walks nest in rayon tasks, whose stacks stay small.
    let mut buf = vec![MaybeUninit::<u8>::uninit(); 16 << 10];
    let mut entries = rustix::fs::RawDir::new(&fd, &mut buf);
    let (mut files, mut subdirs): (Names, Names) = (Vec::new(), Vec::new());
    let (mut links, mut special, mut unreadable) = (Vec::new(), Vec::new(), Vec::new());
    while let Some(e) = entries.next() {
        let e = match e {
            Ok(e) => e,
            Err(err) => {
                unreadable.push((rel.clone(), io_text(err)));
                break;
            }
        };
        let raw = e.file_name().to_bytes();
        if raw == b"." || raw == b".." {
            continue;
        }
        let (name, raw) = match std::str::from_utf8(raw) {
            Ok(n) => (n.to_string(), None),
            Err(_) => (
                String::from_utf8_lossy(raw).into_owned(),
                Some(OsStr::from_bytes(raw).to_os_string()),
            ),
        };
        let mut kind = e.file_type();
        if kind == FileType::Unknown {
            // DT_UNKNOWN (some file systems do not fill d_type): ask, without following.
            let os = raw.as_deref().unwrap_or(OsStr::new(&name));
            match rustix::fs::statat(&fd, os, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => kind = FileType::from_raw_mode(st.st_mode),
                Err(err) => {
                    unreadable.push((join(&rel, &name), io_text(err)));
                    continue;
                }
            }
        }
        match kind {
            FileType::Directory => subdirs.push((name, raw)),
            FileType::RegularFile => files.push((name, raw)),
            FileType::Symlink => links.push(join(&rel, &name)),
            _ => special.push(join(&rel, &name)),
        }
    }
    if !links.is_empty() || !special.is_empty() || !unreadable.is_empty() {
        let mut g = lock(&ctx.sink);
        g.symlinks.append(&mut links);
        g.special.append(&mut special);
        g.unreadable_dirs.append(&mut unreadable);
    }
    let fd = Arc::new(fd);
    for (name, raw) in subdirs {
        let child = join(&rel, &name);
        let parent = fd.clone();
        s.spawn(move |s| {
            let os = raw.as_deref().unwrap_or(OsStr::new(&name));
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            let opened = rustix::fs::openat(&*parent, os, flags, Mode::empty());
            // The parent stays open only while tasks under it still need it.
            drop(parent);
            match opened {
                Ok(cfd) => list_dir(s, cfd, child, ctx),
                Err(e) => lock(&ctx.sink).unreadable_dirs.push((child, io_text(e))),
            }
        });
    }
    if files.is_empty() {
        return;
    }
    let rel: Arc<str> = Arc::from(rel);
    while files.len() > CHUNK {
        let tail = files.split_off(files.len() - CHUNK);
        let (fd, rel) = (fd.clone(), rel.clone());
        s.spawn(move |_| hash_chunk(tail, fd.as_fd(), rel, ctx));
    }
    hash_chunk(files, fd.as_fd(), rel, ctx);
}

fn hash_chunk<V: Visit>(names: Names, dir: BorrowedFd, rel: Arc<str>, ctx: &Ctx<V>) {
    let n = names.len() as u64;
    let mut buf = Vec::new();
    let known = ctx.v.dir(&rel);
    let out: Vec<(String, V::Out)> = names
        .into_iter()
        .map(|(name, raw)| {
            let file = FileRef {
                dir,
                name: &name,
                raw: raw.as_deref().unwrap_or(OsStr::new(&name)),
            };
            let r = ctx.v.file(&known, &file, &mut buf);
            (name, r)
        })
        .collect();
    if let Some(p) = ctx.progress {
        p(n);
    }
    lock(&ctx.sink).chunks.push((rel, out));
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
