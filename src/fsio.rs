//! Every file godrift reads goes through one bounded reader, and every file it writes through
//! one writer. Inputs come from untrusted trees, often read as root in CI: a committed symlink
//! to /dev/zero, a FIFO or a multi-GB file must end in a clear error naming the file, never
//! in unbounded memory or a hang; and a write must never replace a device, FIFO or directory.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Default cap for one input file (go.mod, go.sum, go.work, modules.txt, config, baseline):
/// Go's own cap for a go.mod (codehost.MaxGoMod). go.sum and modules.txt of real projects
/// stay far below it (100k vendored modules make a 4 MB modules.txt).
pub const MAX_INPUT: u64 = 16 << 20;

/// Cap for a built host or plugin read by binary mode: real Go executables stay well below
/// a few hundred MB; this only stops a device or a runaway file.
pub const MAX_ARTIFACT: u64 = 2 << 30;

#[derive(Debug, thiserror::Error)]
pub enum FsError {
    #[error("{}: {}{}", shown(path), io_text(error), hint(error))]
    Io {
        path: PathBuf,
        // Not a source: the message already carries it, and error chains printed with
        // their causes would say it twice (`Is a directory: Is a directory`).
        error: std::io::Error,
    },
    #[error("{}: file too large (over {} MiB): refusing to read it", shown(path), limit >> 20)]
    TooLarge { path: PathBuf, limit: u64 },
    #[error(
        "{}: not a regular file ({kind}): give godrift a regular file",
        shown(path)
    )]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error(
        "{}: file is read-only: not overwriting it (make it writable, or write elsewhere)",
        shown(path)
    )]
    ReadOnly { path: PathBuf },
}

/// A path in a message: from an untrusted tree, so control characters are escaped.
pub fn shown(path: &Path) -> String {
    crate::text::line(&path.display().to_string()).into_owned()
}

/// The OS error text without Rust's ` (os error N)` suffix, which tells users nothing, and
/// without the path some wrappers (tempfile) add: the message names the file already.
fn io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    // Wrapped errors only keep the code in their text: `... (os error 2) at path "..."`.
    let code = e.raw_os_error().or_else(|| {
        let rest = &s[s.find("(os error ")? + "(os error ".len()..];
        rest[..rest.find(')')?].parse().ok()
    });
    let Some(code) = code else { return s };
    let s = std::io::Error::from_raw_os_error(code).to_string();
    match s.rfind(" (os error ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// What to do about the common failures.
fn hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => {
            " (check its permissions and those of its directories)"
        }
        _ => "",
    }
}

impl FsError {
    pub fn path(&self) -> &Path {
        match self {
            FsError::Io { path, .. }
            | FsError::TooLarge { path, .. }
            | FsError::NotRegular { path, .. }
            | FsError::ReadOnly { path } => path,
        }
    }

    /// Whether the file does not exist (callers for which a file is optional).
    pub fn is_not_found(&self) -> bool {
        matches!(self, FsError::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound)
    }

    pub fn io(path: &Path, error: std::io::Error) -> FsError {
        FsError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

fn kind_of(ft: &std::fs::FileType) -> &'static str {
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

fn not_regular(path: &Path, m: &Metadata) -> FsError {
    FsError::NotRegular {
        path: path.to_path_buf(),
        kind: kind_of(&m.file_type()),
    }
}

/// Opens a regular file (symlinks followed) for reading, for readers that stop early (Go
/// file headers, zip archives); the caller bounds how much it reads. See `open_checked`.
pub fn open_regular(path: &Path) -> Result<File, FsError> {
    open_checked(path).map(|(f, _)| f)
}

/// Opens a regular file (symlinks followed) for reading, with its metadata. Anything else
/// is refused before it is opened when possible (opening a device can have effects), and
/// again after opening (the path may have changed in between); a FIFO is opened without
/// blocking.
pub fn open_checked(path: &Path) -> Result<(File, Metadata), FsError> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => return Err(not_regular(path, &m)),
        Ok(_) => {}
        Err(e) => return Err(FsError::io(path, e)),
    }
    open_then_check(path)
}

/// Opens `path` for reading without blocking (opening a FIFO for reading would otherwise
/// wait for a writer) and refuses it when the open file is not a regular file, before
/// anything is read.
fn open_then_check(path: &Path) -> Result<(File, Metadata), FsError> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| FsError::io(path, e))?;
    let meta = file.metadata().map_err(|e| FsError::io(path, e))?;
    if !meta.is_file() {
        return Err(not_regular(path, &meta));
    }
    Ok((file, meta))
}

/// Reads a regular file (symlinks followed) of at most `limit` bytes. Devices, FIFOs,
/// sockets and directories are refused before anything is read; the cap is enforced while
/// reading, so a file that grows is still bounded.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, FsError> {
    let (file, meta) = open_checked(path)?;
    let too_large = || FsError::TooLarge {
        path: path.to_path_buf(),
        limit,
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut data)
        .map_err(|e| FsError::io(path, e))?;
    if data.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(data)
}

/// `read_bounded` for the many small files of the module cache (each dependency's go.mod):
/// the file is opened first (non-blocking, so a FIFO does not wait for a writer) and
/// refused if it is not a regular file before anything is read, then read whole with one
/// `read` when its length is what it was when checked: one path lookup and four system
/// calls per file instead of two lookups and eight (a 100,000-module graph reads 100,000
/// of them). The go command writes these files; a device planted there is opened (never
/// read), which `read_bounded`'s check before opening avoids for files users name.
pub fn read_cache_file(path: &Path, limit: u64) -> Result<Vec<u8>, FsError> {
    let (file, meta) = open_then_check(path)?;
    let too_large = || FsError::TooLarge {
        path: path.to_path_buf(),
        limit,
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let known = meta.len() as usize;
    // One byte more than the length, to see a file that grew.
    let mut data = vec![0u8; known + 1];
    let mut n = 0;
    loop {
        match (&file).read(&mut data[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FsError::io(path, e)),
        }
        // A short read of exactly the checked length is the end of the file.
        if n == known {
            break;
        }
        if n as u64 > limit {
            return Err(too_large());
        }
        if n == data.len() {
            let more = data.len().min((limit + 1) as usize - n).max(1);
            data.resize(data.len() + more, 0);
        }
    }
    data.truncate(n);
    Ok(data)
}

/// `open_regular` for a file of at most `limit` bytes, with its length. For readers that read
/// a few parts of a large file (binary mode reads some sections of an executable): each read
/// is a plain `read`, so a file truncated meanwhile gives an error, never SIGBUS as a memory
/// map would, and nothing past the length is read.
pub fn open_bounded(path: &Path, limit: u64) -> Result<(File, u64), FsError> {
    let (file, meta) = open_checked(path)?;
    if meta.len() > limit {
        return Err(FsError::TooLarge {
            path: path.to_path_buf(),
            limit,
        });
    }
    Ok((file, meta.len()))
}

/// `read_bounded` with the default cap.
pub fn read_input(path: &Path) -> Result<Vec<u8>, FsError> {
    read_bounded(path, MAX_INPUT)
}

/// `read_input`, with a missing file as `None` (any other error, unreadable included, is
/// still an error: an input silently skipped would change the verdict).
pub fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, FsError> {
    match read_input(path) {
        Ok(d) => Ok(Some(d)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// `read_input` as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, FsError> {
    let data = read_input(path)?;
    String::from_utf8(data).map_err(|_| {
        FsError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
        )
    })
}

/// Paths that name an already-open stream (`/dev/stdout`, `/dev/fd/3`, `/proc/self/fd/1`):
/// written in place, appending, so a shell redirection (`>>` too) keeps what it opened.
fn is_stream_path(path: &Path) -> bool {
    path.starts_with("/dev") || path.starts_with("/proc")
}

/// Writes `data` to `path`, keeping what the path is:
/// - a regular file is replaced atomically (temporary file in the same directory, then a
///   rename), keeping its permission bits and, when allowed, its owner and group;
/// - a regular file that cannot be replaced without losing something (hard links, an owner
///   we cannot give back, a directory we cannot create files in) is rewritten in place:
///   not atomic, but every name and attribute stays;
/// - a read-only file is refused (even for root, who could write it);
/// - a symlink is written through: its target is what changes;
/// - a FIFO or character device (`/dev/stdout`, `/dev/null`) is opened and written to, as
///   is anything under /dev and /proc;
/// - a directory, block device or socket is refused;
/// - a new file gets the process umask's default mode.
pub fn write_file(path: &Path, data: &[u8]) -> Result<(), FsError> {
    let existing = match std::fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(FsError::io(path, e)),
    };
    let Some(meta) = existing else {
        return create_new(&new_file_target(path), data);
    };
    let ft = meta.file_type();
    if ft.is_fifo() || ft.is_char_device() || (ft.is_file() && is_stream_path(path)) {
        let mut f = OpenOptions::new()
            .append(true)
            .custom_flags(libc::O_NOCTTY)
            .open(path)
            .map_err(|e| FsError::io(path, e))?;
        return f.write_all(data).map_err(|e| FsError::io(path, e));
    }
    if !ft.is_file() {
        return Err(not_regular(path, &meta));
    }
    // The file that really changes (a symlink is written through).
    let target = std::fs::canonicalize(path).map_err(|e| FsError::io(path, e))?;
    if meta.permissions().mode() & 0o222 == 0 {
        return Err(FsError::ReadOnly { path: target });
    }
    // Opening for writing (without truncating) asks the kernel whether we may write it:
    // ownership, ACLs, read-only mounts.
    let mut file = match OpenOptions::new().write(true).open(&target) {
        Ok(f) => f,
        Err(e)
            if e.kind() == std::io::ErrorKind::PermissionDenied
                || e.raw_os_error() == Some(libc::EROFS) =>
        {
            return Err(FsError::ReadOnly { path: target })
        }
        Err(e) => return Err(FsError::io(&target, e)),
    };
    if meta.nlink() > 1 || replace_atomically(&target, &meta, data).is_err() {
        // Hard links share the inode, so only an in-place write changes them all.
        file.set_len(0).map_err(|e| FsError::io(&target, e))?;
        file.write_all(data)
            .and_then(|()| file.sync_all())
            .map_err(|e| FsError::io(&target, e))?;
    }
    Ok(())
}

/// Replaces `target` by a new file with the same mode, owner and group, atomically. Fails,
/// leaving `target` untouched, when any of that is impossible.
fn replace_atomically(target: &Path, meta: &Metadata, data: &[u8]) -> std::io::Result<()> {
    let dir = parent_dir(target);
    let mut tmp = tempfile::Builder::new()
        .prefix(".godrift-")
        .tempfile_in(dir)?;
    tmp.write_all(data)?;
    let f = tmp.as_file();
    f.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    let own = f.metadata()?;
    if own.uid() != meta.uid() || own.gid() != meta.gid() {
        std::os::unix::fs::fchown(f, Some(meta.uid()), Some(meta.gid()))?;
        // chown may clear set-id bits: set the mode again.
        f.set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    }
    f.sync_all()?;
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

/// Where a new file is created: a dangling symlink's target, else the path itself.
fn new_file_target(path: &Path) -> PathBuf {
    match std::fs::read_link(path) {
        Ok(t) if t.is_absolute() => t,
        Ok(t) => parent_dir(path).join(t),
        Err(_) => path.to_path_buf(),
    }
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

fn create_new(target: &Path, data: &[u8]) -> Result<(), FsError> {
    let err = |e| FsError::io(target, e);
    let dir = parent_dir(target);
    let mut tmp = tempfile::Builder::new()
        .prefix(".godrift-")
        .tempfile_in(dir)
        .map_err(|e| {
            // Name the directory when it is the directory that is missing.
            if e.kind() == std::io::ErrorKind::NotFound {
                FsError::io(dir, e)
            } else {
                err(e)
            }
        })?;
    tmp.write_all(data).map_err(err)?;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(0o666 & !current_umask()))
        .map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    // persist_noclobber: a file created in the meantime is not silently replaced.
    tmp.persist_noclobber(target).map_err(|e| err(e.error))?;
    Ok(())
}

/// Writes a file that only saves time (a cache in godrift's own cache directory): replaced
/// atomically (a temporary file renamed over it, never written through a symlink) and
/// private to the user, but not synced to disk: after a crash it may be missing, empty or
/// torn, which its reader must detect (the vendor-hash cache carries a checksum). Syncing
/// each of the hundreds of per-module files would cost seconds on a first run.
pub fn write_cache(path: &Path, data: &[u8]) -> Result<(), FsError> {
    let err = |e| FsError::io(path, e);
    let mut tmp = tempfile::Builder::new()
        .prefix(".godrift-")
        .tempfile_in(parent_dir(path))
        .map_err(err)?;
    tmp.write_all(data).map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

/// Appends `data` to `path` (created with the umask default when missing), for logs such
/// as GitHub's job summary. The same refusals as `write_file`.
pub fn append_file(path: &Path, data: &[u8]) -> Result<(), FsError> {
    match std::fs::metadata(path) {
        Ok(m) if !(m.is_file() || m.file_type().is_fifo() || m.file_type().is_char_device()) => {
            return Err(not_regular(path, &m));
        }
        _ => {}
    }
    let mut f = OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o666)
        .custom_flags(libc::O_NOCTTY | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| FsError::io(path, e))?;
    f.write_all(data).map_err(|e| FsError::io(path, e))
}

/// `std::fs::create_dir_all` with the path in the error.
pub fn create_dir_all(path: &Path) -> Result<(), FsError> {
    std::fs::create_dir_all(path).map_err(|e| FsError::io(path, e))
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
        // A symlink to a device is refused like the device.
        let link = tmp.path().join("go.mod");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read_optional(&link).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
    }

    #[test]
    fn cache_files_are_read_whole_and_special_files_refused() {
        let tmp = tempfile::tempdir().unwrap();
        for len in [0usize, 1, 200, 70_000] {
            let f = tmp.path().join(format!("f{len}"));
            let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            std::fs::write(&f, &data).unwrap();
            assert_eq!(read_cache_file(&f, MAX_INPUT).unwrap(), data);
        }
        let big = tmp.path().join("f70000");
        let e = read_cache_file(&big, 1024).unwrap_err();
        assert!(matches!(e, FsError::TooLarge { .. }), "{e}");
        let e = read_cache_file(Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(matches!(e, FsError::NotRegular { .. }), "{e}");
        let e = read_cache_file(tmp.path(), 1024).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        // A FIFO without a writer is refused at once, not waited on.
        let fifo = tmp.path().join("v1.0.0.mod");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_cache_file(&fifo, 1024).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        assert!(read_cache_file(&tmp.path().join("none"), 1024)
            .unwrap_err()
            .is_not_found());
    }

    #[test]
    fn errors_name_the_file_once_without_os_error_numbers() {
        let e = read_input(Path::new("/nonexistent/go.sum")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/nonexistent/go.sum: No such file or directory"
        );
        assert!(std::error::Error::source(&e).is_none());
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
        assert!(ok, "mkfifo failed");
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
        assert!(std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
        assert!(write_file(tmp.path(), b"x").is_err());
    }

    #[test]
    fn hard_links_stay_linked_and_read_only_files_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a.mod");
        let b = tmp.path().join("b.mod");
        std::fs::write(&a, "old").unwrap();
        std::fs::hard_link(&a, &b).unwrap();
        write_file(&a, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new");
        assert_eq!(std::fs::metadata(&a).unwrap().nlink(), 2);
        std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o444)).unwrap();
        let e = write_file(&a, b"newer").unwrap_err();
        assert!(matches!(e, FsError::ReadOnly { .. }), "{e}");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new");
    }

    #[test]
    fn owner_and_group_are_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("go.mod");
        std::fs::write(&f, "old").unwrap();
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            // Root replacing another user's file: the new file is given back to them.
            std::os::unix::fs::chown(&f, Some(65534), Some(65534)).unwrap();
        }
        let before = std::fs::metadata(&f).unwrap();
        write_file(&f, b"new").unwrap();
        let after = std::fs::metadata(&f).unwrap();
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
    }

    #[test]
    fn new_files_get_the_umask_default_and_missing_directories_are_named() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("new.json");
        write_file(&f, b"{}").unwrap();
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !current_umask());
        let missing = tmp.path().join("no/such/dir/out.json");
        let e = write_file(&missing, b"{}").unwrap_err();
        assert!(e.to_string().contains("no/such/dir"), "{e}");
    }
}
