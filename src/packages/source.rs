//! Package directories on disk and in module zips, scanned once per process run: the
//! `ScanCache` is a value the caller passes to every load, so a host and its plugins that
//! share module-cache directories list each directory and read each file header once.

use super::header::{self, FileHeader};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Where a package directory's files are read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum SourceDir {
    /// A directory: a main module, a `replace => ../dir`, the extracted module cache, or
    /// vendor/.
    Dir { path: PathBuf },
    /// A directory inside a module zip of the download cache (`cache/download/…/@v/v.zip`),
    /// as `module@version/sub/dir` (without a trailing slash).
    Zip { zip: PathBuf, dir: String },
}

impl SourceDir {
    pub fn dir(path: impl Into<PathBuf>) -> SourceDir {
        SourceDir::Dir { path: path.into() }
    }

    /// `dir` joined with a relative slash-separated path.
    pub fn join(&self, rel: &str) -> SourceDir {
        if rel.is_empty() {
            return self.clone();
        }
        match self {
            SourceDir::Dir { path } => SourceDir::Dir {
                path: path.join(rel),
            },
            SourceDir::Zip { zip, dir } => SourceDir::Zip {
                zip: zip.clone(),
                dir: format!("{dir}/{rel}"),
            },
        }
    }
}

impl std::fmt::Display for SourceDir {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceDir::Dir { path } => write!(f, "{}", path.display()),
            SourceDir::Zip { zip, dir } => write!(f, "{}!{dir}", zip.display()),
        }
    }
}

/// One `.go` file of a directory; its header is read on first use.
#[derive(Debug)]
pub struct GoFile {
    pub name: String,
    /// Zip entry index (zip directories only).
    zip_index: Option<usize>,
    header: OnceLock<Arc<FileHeader>>,
}

/// What a directory holds, as far as package loading cares.
#[derive(Debug, Default)]
pub struct DirScan {
    pub exists: bool,
    /// Reading the directory failed (other than not existing).
    pub error: Option<String>,
    /// Non-test `.go` files that are regular files (or links to them), sorted by name.
    pub go_files: Vec<GoFile>,
    /// `_test.go` files, sorted by name (read only to name a package of test files).
    pub test_files: Vec<GoFile>,
    /// Any `.go` file at all (fsys.IsGoDir: test files and `_x.go` count).
    pub has_go_files: bool,
    /// A `go.mod` file is here (a module boundary in local trees).
    pub has_go_mod: bool,
    /// Subdirectories (not symlinks), sorted.
    pub subdirs: Vec<String>,
}

/// A module zip's central directory, grouped by directory.
struct ZipIndex {
    archive: zip::ZipArchive<Cursor<Arc<[u8]>>>,
    /// Directory inside the zip → files in it (name, entry index).
    dirs: HashMap<String, Vec<(String, usize)>>,
}

type Slot<T> = Arc<OnceLock<T>>;
type ZipResult = Result<Arc<ZipIndex>, String>;

/// Directory scans and file headers shared by every load in a run. Cheap to create; pass
/// one to every `load` call of a run.
#[derive(Default)]
pub struct ScanCache {
    dirs: Mutex<HashMap<SourceDir, Slot<Arc<DirScan>>>>,
    zips: Mutex<HashMap<PathBuf, Slot<ZipResult>>>,
    /// How many file headers were read (for tests and benchmarks).
    headers_read: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for ScanCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanCache")
            .field("headers_read", &self.headers_read())
            .finish_non_exhaustive()
    }
}

fn slot<K: std::hash::Hash + Eq + Clone, T>(map: &Mutex<HashMap<K, Slot<T>>>, key: &K) -> Slot<T> {
    let mut m = map.lock().unwrap_or_else(|e| e.into_inner());
    m.entry(key.clone()).or_default().clone()
}

/// Go's module zips are at most 500 MiB (modzip.MaxZipFile).
const MAX_ZIP: u64 = 500 << 20;

impl ScanCache {
    pub fn new() -> ScanCache {
        ScanCache::default()
    }

    /// Number of file headers read so far.
    pub fn headers_read(&self) -> usize {
        self.headers_read.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The scan of `dir` (listed once).
    pub fn scan(&self, dir: &SourceDir) -> Arc<DirScan> {
        slot(&self.dirs, dir)
            .get_or_init(|| Arc::new(self.list(dir)))
            .clone()
    }

    /// Whether a zip file exists and opens as a zip.
    pub fn zip_ok(&self, zip: &Path) -> Result<(), String> {
        self.zip(zip).map(|_| ())
    }

    fn zip(&self, zip: &Path) -> Result<Arc<ZipIndex>, String> {
        slot(&self.zips, &zip.to_path_buf())
            .get_or_init(|| open_zip(zip).map(Arc::new))
            .clone()
    }

    fn list(&self, dir: &SourceDir) -> DirScan {
        match dir {
            SourceDir::Dir { path } => list_dir(path),
            SourceDir::Zip { zip, dir } => match self.zip(zip) {
                Err(e) => DirScan {
                    error: Some(e),
                    ..DirScan::default()
                },
                Ok(index) => list_zip_dir(&index, dir),
            },
        }
    }

    /// The header of `file` of directory `dir`; `display` is the path shown in messages.
    pub fn header(&self, dir: &SourceDir, file: &GoFile, display: &str) -> Arc<FileHeader> {
        file.header
            .get_or_init(|| {
                self.headers_read
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Arc::new(self.read_header(dir, file, display))
            })
            .clone()
    }

    fn read_header(&self, dir: &SourceDir, file: &GoFile, display: &str) -> FileHeader {
        match dir {
            SourceDir::Dir { path } => match crate::fsio::open_regular(&path.join(&file.name)) {
                Ok(mut f) => header::read_header(display, &mut f),
                Err(e) => header::FileHeader::read_failed(format!("read {display}: {e}")),
            },
            SourceDir::Zip { zip, .. } => {
                let index = match self.zip(zip) {
                    Ok(i) => i,
                    Err(e) => return header::FileHeader::read_failed(e),
                };
                let mut archive = index.archive.clone();
                let h = match archive.by_index(file.zip_index.unwrap_or(usize::MAX)) {
                    Ok(mut f) => header::read_header(display, &mut f),
                    Err(e) => header::FileHeader::read_failed(format!(
                        "read {display}: {}: {e}",
                        zip.display()
                    )),
                };
                h
            }
        }
    }
}

fn list_dir(path: &Path) -> DirScan {
    let mut scan = DirScan::default();
    let rd = match std::fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return scan,
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => return scan,
        Err(e) => {
            scan.error = Some(format!("{}: {e}", path.display()));
            return scan;
        }
    };
    scan.exists = true;
    let mut files: Vec<String> = Vec::new();
    for e in rd.flatten() {
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        let Ok(ft) = e.file_type() else { continue };
        let (is_dir, is_file) = if ft.is_symlink() {
            // A link counts as what it points to, except that linked directories are not
            // walked (go/build skips them as sources; ./... ignores them).
            match std::fs::metadata(e.path()) {
                Ok(m) => (false, m.is_file()),
                Err(_) => (false, false),
            }
        } else {
            (ft.is_dir(), ft.is_file())
        };
        if is_dir {
            scan.subdirs.push(name);
            continue;
        }
        if name == "go.mod" && is_file {
            scan.has_go_mod = true;
        }
        if name.ends_with(".go") {
            // fsys.IsGoDir counts regular .go files (and links to them).
            if is_file {
                scan.has_go_files = true;
                files.push(name);
            }
        }
    }
    scan.subdirs.sort();
    files.sort();
    split_files(&mut scan, files.into_iter().map(|n| (n, None)));
    scan
}

fn split_files(scan: &mut DirScan, files: impl Iterator<Item = (String, Option<usize>)>) {
    for (name, zip_index) in files {
        let f = GoFile {
            zip_index,
            header: OnceLock::new(),
            name,
        };
        if f.name.ends_with("_test.go") {
            scan.test_files.push(f);
        } else {
            scan.go_files.push(f);
        }
    }
}

fn open_zip(zip: &Path) -> Result<ZipIndex, String> {
    let data = crate::fsio::read_bounded(zip, MAX_ZIP).map_err(|e| e.to_string())?;
    let data: Arc<[u8]> = Arc::from(data);
    let archive =
        zip::ZipArchive::new(Cursor::new(data)).map_err(|e| format!("{}: {e}", zip.display()))?;
    let mut dirs: HashMap<String, Vec<(String, usize)>> = HashMap::new();
    for i in 0..archive.len() {
        let Some(name) = archive.name_for_index(i) else {
            continue;
        };
        if name.ends_with('/') {
            continue;
        }
        let (dir, file) = match name.rfind('/') {
            Some(j) => (&name[..j], &name[j + 1..]),
            None => ("", name),
        };
        dirs.entry(dir.to_string())
            .or_default()
            .push((file.to_string(), i));
        // Every ancestor directory exists (for subdirectory listings).
        let mut d = dir;
        while let Some(j) = d.rfind('/') {
            d = &d[..j];
            dirs.entry(d.to_string()).or_default();
        }
    }
    Ok(ZipIndex { archive, dirs })
}

fn list_zip_dir(index: &ZipIndex, dir: &str) -> DirScan {
    let mut scan = DirScan::default();
    let Some(entries) = index.dirs.get(dir) else {
        return scan;
    };
    scan.exists = true;
    let mut files: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, i) in entries {
        if name == "go.mod" {
            scan.has_go_mod = true;
        }
        if name.ends_with(".go") {
            scan.has_go_files = true;
            files.insert(name, *i);
        }
    }
    // Zips are never walked for main packages: no subdirectory listing.
    split_files(
        &mut scan,
        files.into_iter().map(|(n, i)| (n.to_string(), Some(i))),
    );
    scan
}

/// The largest source file read whole (to compare two copies of a package).
pub const MAX_SOURCE_FILE: u64 = 64 << 20;

/// The whole content of file `name` of package directory `dir` (a directory or a module
/// zip), bounded. Used to compare two copies of a package file by file; rare, so a zip is
/// opened for the call.
pub fn read_file(dir: &SourceDir, name: &str) -> Result<Vec<u8>, String> {
    match dir {
        SourceDir::Dir { path } => {
            crate::fsio::read_bounded(&path.join(name), MAX_SOURCE_FILE).map_err(|e| e.to_string())
        }
        SourceDir::Zip { zip, dir } => {
            use std::io::Read;
            let index = open_zip(zip)?;
            let mut archive = index.archive;
            let entry = format!("{dir}/{name}");
            let f = archive
                .by_name(&entry)
                .map_err(|e| format!("{}: {entry}: {e}", zip.display()))?;
            let mut out = Vec::new();
            f.take(MAX_SOURCE_FILE + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("{}: {entry}: {e}", zip.display()))?;
            if out.len() as u64 > MAX_SOURCE_FILE {
                return Err(format!("{}: {entry}: file too large", zip.display()));
            }
            Ok(out)
        }
    }
}
