//! Reading and hashing one file: plain bounded reads into a reused buffer (never a memory
//! map: a file truncated while mapped kills the process with SIGBUS), opened relative to its
//! directory with one fstat, a cap per file so a sparse multi-GB file is reported instead of
//! hashed.

use super::gosrc::{self, GoFacts};
use rustix::fd::{BorrowedFd, OwnedFd};
use rustix::fs::{FileType, Mode, OFlags};
use std::ffi::OsStr;
use std::path::Path;

/// Largest file hashed. Real vendored files stay far below (generated tables are a few
/// MiB); anything above is reported as not compared.
pub const MAX_FILE: u64 = 64 << 20;

/// Files above this are streamed through a fixed buffer instead of read whole.
const STREAM_ABOVE: u64 = 1 << 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digest {
    pub size: u64,
    pub hash: [u8; 32],
}

/// Why a file has no digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unhashed {
    /// Open or read failed (the OS error, e.g. permission denied).
    Unreadable(String),
    /// Larger than `MAX_FILE` (its size).
    TooLarge(u64),
    /// Not a regular file any more (replaced while walking).
    NotRegular,
}

impl std::fmt::Display for Unhashed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unhashed::Unreadable(e) => write!(f, "could not be read ({e})"),
            Unhashed::TooLarge(n) => write!(
                f,
                "is {n} bytes, over the {} MiB per-file limit",
                MAX_FILE >> 20
            ),
            Unhashed::NotRegular => f.write_str("is not a regular file"),
        }
    }
}

/// What reading one file produced.
#[derive(Clone, Debug, Default)]
pub struct Hashed {
    pub digest: Option<Digest>,
    /// SHA-256 of the content (go.sum's per-file hash), when asked for.
    pub sha256: Option<[u8; 32]>,
    /// For `.go` files, when asked for.
    pub go: Option<GoFacts>,
}

/// What to compute besides the blake3 digest.
#[derive(Clone, Copy, Debug, Default)]
pub struct Want {
    pub sha256: bool,
    pub go: bool,
}

/// O_NOFOLLOW: a file swapped for a symlink after the walk is never followed out of the
/// tree; O_NONBLOCK: a FIFO swapped in is not waited on.
fn flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC
}

fn unreadable(e: rustix::io::Errno) -> Unhashed {
    Unhashed::Unreadable(std::io::Error::from(e).to_string())
}

/// Opens, checks (one fstat) and hashes a file.
pub fn hash_file(path: &Path, want: Want) -> Result<Hashed, Unhashed> {
    let fd = rustix::fs::open(path, flags(), Mode::empty()).map_err(unreadable)?;
    hash_fd(fd, want, &mut Vec::new()).map(|(h, _)| h)
}

/// Opens `name` in the open directory `dir` (one path component to resolve), checks it
/// (one fstat, which also gives its stamp) and hashes it, reading into `buf` (reused from
/// file to file: no allocation per file).
pub fn hash_at(
    dir: BorrowedFd,
    name: &OsStr,
    want: Want,
    buf: &mut Vec<u8>,
) -> Result<(Hashed, Stamp), Unhashed> {
    let fd = rustix::fs::openat(dir, name, flags(), Mode::empty()).map_err(unreadable)?;
    hash_fd(fd, want, buf)
}

fn hash_fd(fd: OwnedFd, want: Want, buf: &mut Vec<u8>) -> Result<(Hashed, Stamp), Unhashed> {
    use sha2::Digest as _;
    let st = rustix::fs::fstat(&fd).map_err(unreadable)?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(Unhashed::NotRegular);
    }
    let stamp = Stamp::of(&st);
    if stamp.size > MAX_FILE {
        return Err(Unhashed::TooLarge(stamp.size));
    }
    if stamp.size <= STREAM_ABOVE || want.go {
        let n = read_whole(&fd, stamp.size as usize, buf)?;
        if n as u64 > MAX_FILE {
            return Err(Unhashed::TooLarge(n as u64));
        }
        let data = &buf[..n];
        let h = Hashed {
            digest: Some(Digest {
                size: n as u64,
                hash: *blake3::hash(data).as_bytes(),
            }),
            sha256: want.sha256.then(|| sha2::Sha256::digest(data).into()),
            go: want.go.then(|| gosrc::facts(data)),
        };
        return Ok((h, stamp));
    }
    let mut b3 = blake3::Hasher::new();
    let mut sha = want.sha256.then(sha2::Sha256::new);
    if buf.len() < STREAM_ABOVE as usize {
        buf.resize(STREAM_ABOVE as usize, 0);
    }
    let mut total = 0u64;
    // The cap holds while reading too: a file that grows stops past MAX_FILE.
    while total <= MAX_FILE {
        let n = match rustix::io::read(&fd, &mut buf[..STREAM_ABOVE as usize]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(unreadable(e)),
        };
        total += n as u64;
        b3.update(&buf[..n]);
        if let Some(s) = sha.as_mut() {
            s.update(&buf[..n]);
        }
    }
    if total > MAX_FILE {
        return Err(Unhashed::TooLarge(total));
    }
    let h = Hashed {
        digest: Some(Digest {
            size: total,
            hash: *b3.finalize().as_bytes(),
        }),
        sha256: sha.map(|s| s.finalize().into()),
        go: None,
    };
    Ok((h, stamp))
}

/// Reads the whole file into `buf` (its capacity kept from file to file), up to `MAX_FILE` + 1
/// bytes. Returns the length read. A read that returns less than asked once the file's size
/// (from its fstat) is reached ends the file, as git's index reads `st_size` bytes: the
/// read for the 0 that would confirm it costs a syscall per file. A file that grew since
/// the fstat fills the byte asked beyond its size and is read on to its end.
fn read_whole(fd: &OwnedFd, size: usize, buf: &mut Vec<u8>) -> Result<usize, Unhashed> {
    const CAP: usize = MAX_FILE as usize + 1;
    buf.clear();
    buf.reserve(size + 1);
    loop {
        if buf.len() == buf.capacity() {
            if buf.len() >= CAP {
                return Err(Unhashed::TooLarge(buf.len() as u64));
            }
            buf.reserve(buf.len().clamp(64 << 10, CAP - buf.len()));
        }
        let asked = buf.capacity() - buf.len();
        // Into the spare capacity: nothing is zeroed first.
        match rustix::io::read(fd, rustix::buffer::spare_capacity(buf)) {
            Ok(0) => return Ok(buf.len()),
            Ok(n) if n < asked && buf.len() == size => return Ok(size),
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(unreadable(e)),
        }
    }
}

/// A file's identity for the content cache: unchanged device, inode, size, mtime and ctime
/// mean unchanged content (git's index makes the same assumption). ctime cannot be set by
/// users (`touch -d` and `tar` restore mtime only), and changes with every write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    /// (seconds, nanoseconds) since the epoch.
    pub mtime: (i64, u32),
    pub ctime: (i64, u32),
}

/// Files whose ctime is this close to (or after) the start of a run are not cached: an
/// edit in the same timestamp tick as the read (a few ms on Linux file systems, 1–2 s on
/// some others) would leave every field of the stamp unchanged.
pub const RACY_NS: i128 = 2_000_000_000;

impl Stamp {
    // The stat fields' integer types differ between architectures.
    #[allow(clippy::unnecessary_cast)]
    pub fn of(st: &rustix::fs::Stat) -> Stamp {
        Stamp {
            dev: st.st_dev as u64,
            ino: st.st_ino as u64,
            size: st.st_size as u64,
            mtime: (st.st_mtime as i64, st.st_mtime_nsec as u32),
            ctime: (st.st_ctime as i64, st.st_ctime_nsec as u32),
        }
    }

    /// Whether the file last changed long enough before `start` (nanoseconds since the epoch,
    /// when the run began) for its stamp to stand for its content.
    pub fn settled(&self, start: i128) -> bool {
        let ctime = self.ctime.0 as i128 * 1_000_000_000 + self.ctime.1 as i128;
        ctime + RACY_NS < start
    }
}

/// Now, in nanoseconds since the epoch (`Stamp::settled`'s `start`).
pub fn now_ns() -> i128 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

pub fn unhex32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}
