//! Every file godrift reads goes through one bounded reader, and every file it writes through
//! one writer. Inputs come from untrusted trees, often read as root in CI: a committed symlink
//! to /dev/zero, a FIFO or a multi-GB file must end in a clear error naming the file, never
//! in unbounded memory or a hang; and a write must never replace a device, FIFO or directory.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Default cap for one input file (go.mod, go.sum, go.work, modules.txt, config, baseline).
/// Go itself refuses go.mod files over 16 MiB (modfile's maximum); go.sum and modules.txt of
/// real projects stay far below this.
pub const MAX_INPUT: u64 = 50 << 20;

#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: file too large (over {limit} bytes)", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{}: not a regular file ({kind})", path.display())]
    NotRegular { path: PathBuf, kind: &'static str },
}

impl FsError {
    pub fn path(&self) -> &Path {
        match self {
            FsError::Io { path, .. }
            | FsError::TooLarge { path, .. }
            | FsError::NotRegular { path, .. } => path,
        }
    }

    /// Whether the file does not exist (callers for which a file is optional).
    pub fn is_not_found(&self) -> bool {
        matches!(self, FsError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }

    fn io(path: &Path, source: std::io::Error) -> FsError {
        FsError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn kind_of(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file (symlinks followed) of at most `limit` bytes. Devices, FIFOs,
/// sockets and directories are refused before anything is read (a FIFO is opened without
/// blocking); the cap is enforced while reading, so a file that grows is still bounded.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, FsError> {
    let (file, meta) = open_checked(path)?;
    if meta.len() > limit {
        return Err(FsError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| FsError::io(path, e))?;
    if data.len() as u64 > limit {
        return Err(FsError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok(data)
}

/// Opens a regular file (symlinks followed) for reading, refusing devices, FIFOs, sockets
/// and directories before anything is read (a FIFO is opened without blocking). For readers
/// that stop early (Go file headers); the caller bounds how much it reads.
pub fn open_regular(path: &Path) -> Result<std::fs::File, FsError> {
    open_checked(path).map(|(f, _)| f)
}

/// `open_regular` for a file of at most `limit` bytes, with its length. For readers that read
/// a few parts of a large file (binary mode reads some sections of an executable): each read
/// is a plain `read`, so a file truncated meanwhile gives an error, never SIGBUS as a memory
/// map would, and nothing past the length is read.
pub fn open_bounded(path: &Path, limit: u64) -> Result<(std::fs::File, u64), FsError> {
    let (file, meta) = open_checked(path)?;
    if meta.len() > limit {
        return Err(FsError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok((file, meta.len()))
}

fn open_checked(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), FsError> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    const O_NONBLOCK: i32 = 0o4000;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
        .map_err(|e| FsError::io(path, e))?;
    let meta = file.metadata().map_err(|e| FsError::io(path, e))?;
    if !meta.file_type().is_file() {
        return Err(FsError::NotRegular {
            path: path.to_path_buf(),
            kind: kind_of(&meta.file_type()),
        });
    }
    Ok((file, meta))
}

/// `read_bounded` with the default cap.
pub fn read_input(path: &Path) -> Result<Vec<u8>, FsError> {
    read_bounded(path, MAX_INPUT)
}

/// `read_input`, with a missing file as `None` (any other error is still an error).
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, FsError> {
    match read_input(path) {
        Ok(d) => Ok(Some(d)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes `data` to `path`, keeping what the path is:
/// - a regular file is replaced atomically (temporary file in the same directory, then a
///   rename), keeping its permission bits; a read-only file is refused;
/// - a symlink is written through: its target is what gets replaced;
/// - a FIFO or character device (`/dev/stdout`, `/dev/null`) is opened and written to;
/// - a directory, block device or socket is refused;
/// - a new file gets the process umask's default mode.
pub fn write_file(path: &Path, data: &[u8]) -> Result<(), FsError> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    // Follow symlinks to the file that really changes.
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| resolve_dangling(path))
        }
        _ => path.to_path_buf(),
    };
    let existing = match std::fs::metadata(&target) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(FsError::io(&target, e)),
    };
    if let Some(m) = &existing {
        let ft = m.file_type();
        if ft.is_fifo() || ft.is_char_device() {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .map_err(|e| FsError::io(&target, e))?;
            return f.write_all(data).map_err(|e| FsError::io(&target, e));
        }
        if !ft.is_file() {
            return Err(FsError::NotRegular {
                path: target,
                kind: kind_of(&ft),
            });
        }
        if m.permissions().readonly() {
            return Err(FsError::io(
                &target,
                std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "file is read-only; not overwriting it",
                ),
            ));
        }
    }
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".godrift-")
        .tempfile_in(dir)
        .map_err(|e| FsError::io(&target, e))?;
    tmp.write_all(data).map_err(|e| FsError::io(&target, e))?;
    let mode = match &existing {
        Some(m) => m.permissions().mode() & 0o7777,
        None => 0o666 & !current_umask(),
    };
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(|e| FsError::io(&target, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| FsError::io(&target, e))?;
    tmp.persist(&target)
        .map_err(|e| FsError::io(&target, e.error))?;
    Ok(())
}

/// The target of a symlink whose target does not exist yet (written as a new file).
fn resolve_dangling(link: &Path) -> PathBuf {
    match std::fs::read_link(link) {
        Ok(t) if t.is_absolute() => t,
        Ok(t) => link.parent().unwrap_or(Path::new(".")).join(t),
        Err(_) => link.to_path_buf(),
    }
}

/// The process umask, read from /proc (setting it to read it would race other threads).
fn current_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn refuses_devices_and_bounds_reads() {
        let e = read_bounded(Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(matches!(e, FsError::NotRegular { .. }), "{e}");
        let tmp = tempfile::tempdir().unwrap();
        let big = tmp.path().join("big");
        std::fs::write(&big, vec![b'x'; 2048]).unwrap();
        let e = read_bounded(&big, 1024).unwrap_err();
        assert!(matches!(e, FsError::TooLarge { .. }), "{e}");
        assert_eq!(read_bounded(&big, 4096).unwrap().len(), 2048);
        let dir = read_bounded(tmp.path(), 1024).unwrap_err();
        assert!(dir.to_string().contains("directory"), "{dir}");
        assert!(read_optional(&tmp.path().join("none")).unwrap().is_none());
    }

    #[test]
    fn fifo_is_refused_without_hanging() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("fifo");
        let ok = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            return;
        }
        let e = read_input(&fifo).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
    }

    #[test]
    fn writes_keep_mode_and_follow_links() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("go.mod");
        std::fs::write(&f, "old").unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_file(&f, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let link = tmp.path().join("link.mod");
        std::os::unix::fs::symlink("go.mod", &link).unwrap();
        write_file(&link, b"via link").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "via link");
        write_file(Path::new("/dev/null"), b"discarded").unwrap();
        assert!(write_file(tmp.path(), b"x").is_err());
    }
}
