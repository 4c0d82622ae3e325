//! Reading and hashing one file: plain bounded reads (never a memory map: a file truncated
//! while mapped kills the process with SIGBUS), one `statx` per file, a cap per file so a
//! sparse multi-GB file is reported instead of hashed.

use super::gosrc::{self, GoFacts};
use std::io::Read;
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

fn open(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NOFOLLOW: a file swapped for a symlink after the walk is never followed out of
    // the tree; O_NONBLOCK: a FIFO swapped in is not waited on.
    const O_NOFOLLOW: i32 = 0o400000;
    const O_NONBLOCK: i32 = 0o4000;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NOFOLLOW | O_NONBLOCK)
        .open(path)
}

/// Opens, checks (one fstat) and hashes a file.
pub fn hash_file(path: &Path, want: Want) -> Result<Hashed, Unhashed> {
    let f = open(path).map_err(|e| Unhashed::Unreadable(e.to_string()))?;
    let meta = f
        .metadata()
        .map_err(|e| Unhashed::Unreadable(e.to_string()))?;
    if !meta.file_type().is_file() {
        return Err(Unhashed::NotRegular);
    }
    hash_open(f, meta.len(), want)
}

/// Hashes a file whose size is already known from a stat (no second stat).
pub fn hash_known(path: &Path, size: u64, want: Want) -> Result<Hashed, Unhashed> {
    if size > MAX_FILE {
        return Err(Unhashed::TooLarge(size));
    }
    let f = open(path).map_err(|e| Unhashed::Unreadable(e.to_string()))?;
    hash_open(f, size, want)
}

fn hash_open(f: std::fs::File, size: u64, want: Want) -> Result<Hashed, Unhashed> {
    use sha2::Digest as _;
    if size > MAX_FILE {
        return Err(Unhashed::TooLarge(size));
    }
    let err = |e: std::io::Error| Unhashed::Unreadable(e.to_string());
    // The cap holds while reading too: a file that grows stops at MAX_FILE + 1.
    let mut r = f.take(MAX_FILE + 1);
    if size <= STREAM_ABOVE || want.go {
        let mut data = Vec::with_capacity(size as usize + 1);
        r.read_to_end(&mut data).map_err(err)?;
        if data.len() as u64 > MAX_FILE {
            return Err(Unhashed::TooLarge(data.len() as u64));
        }
        return Ok(Hashed {
            digest: Some(Digest {
                size: data.len() as u64,
                hash: *blake3::hash(&data).as_bytes(),
            }),
            sha256: want.sha256.then(|| sha2::Sha256::digest(&data).into()),
            go: want.go.then(|| gosrc::facts(&data)),
        });
    }
    let mut b3 = blake3::Hasher::new();
    let mut sha = want.sha256.then(sha2::Sha256::new);
    let mut buf = vec![0u8; STREAM_ABOVE as usize];
    let mut total = 0u64;
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(err(e)),
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
    Ok(Hashed {
        digest: Some(Digest {
            size: total,
            hash: *b3.finalize().as_bytes(),
        }),
        sha256: sha.map(|s| s.finalize().into()),
        go: None,
    })
}

/// A file's identity for the content cache: unchanged size, mtime and inode mean
/// unchanged content (the assumption `make` and git's index make).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i128,
    pub ino: u64,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            size: meta.len(),
            mtime_ns: meta.mtime() as i128 * 1_000_000_000 + meta.mtime_nsec() as i128,
            ino: meta.ino(),
        }
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
