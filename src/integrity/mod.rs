//! Vendored-source integrity: every file under vendor/ hashed with blake3 in parallel
//! (rayon; walked with `ignore` without .gitignore/hidden filters, since vendor/ is often
//! gitignored), compared between artifacts that vendor the same module version, and
//! against the pristine copy in the module cache, so godrift names the edited side.

pub mod classify;

use crate::finding::{Code, Evidence, Finding, Severity};
use crate::module;
use crate::vendor::ModulesTxt;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files above this size are memory-mapped rather than read.
const MMAP_THRESHOLD: u64 = 256 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Digest {
    pub size: u64,
    pub hash: [u8; 32],
}

/// Hashes one file (blake3).
pub fn hash_file(path: &Path) -> std::io::Result<Digest> {
    let meta = std::fs::metadata(path)?;
    let size = meta.len();
    let hash = if size >= MMAP_THRESHOLD {
        let f = std::fs::File::open(path)?;
        // SAFETY: read-only map of a file we only hash; concurrent truncation is the
        // accepted risk of mmap readers.
        let map = unsafe { memmap2::Mmap::map(&f)? };
        *blake3::hash(&map).as_bytes()
    } else {
        *blake3::hash(&std::fs::read(path)?).as_bytes()
    };
    Ok(Digest { size, hash })
}

/// All regular files under `root` (symlinks are listed as such, never followed out of the
/// tree), relative slash paths, sorted.
pub fn list_files(root: &Path) -> (Vec<String>, Vec<String>) {
    use std::sync::Mutex;
    let files = Mutex::new(Vec::new());
    let links = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                if let Ok(e) = entry {
                    if let Some(ft) = e.file_type() {
                        let rel = e
                            .path()
                            .strip_prefix(root)
                            .unwrap_or(e.path())
                            .to_string_lossy()
                            .replace(std::path::MAIN_SEPARATOR, "/");
                        if ft.is_file() {
                            if let Ok(mut v) = files.lock() {
                                v.push(rel);
                            }
                        } else if ft.is_symlink() {
                            if let Ok(mut v) = links.lock() {
                                v.push(rel);
                            }
                        }
                    }
                }
                ignore::WalkState::Continue
            })
        });
    let mut files = files.into_inner().unwrap_or_default();
    let mut links = links.into_inner().unwrap_or_default();
    files.sort();
    links.sort();
    (files, links)
}

/// The hashed vendor tree of one artifact.
#[derive(Clone, Debug, Default)]
pub struct VendorTree {
    pub root: PathBuf,
    pub files: BTreeMap<String, Digest>,
    /// Files that could not be read (path, error): reported, the rest still compared.
    pub unreadable: Vec<(String, String)>,
    pub symlinks: Vec<String>,
}

/// Progress callback: called with the number of files just hashed (the library has no
/// terminal; the CLI draws the bar).
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Walks and hashes `vendor_dir` in parallel: each walker thread hashes the files it
/// finds, so there is no second pass; `progress` is told each hashed file.
pub fn scan(vendor_dir: &Path, progress: Option<Progress>) -> VendorTree {
    scan_cached(vendor_dir, progress, None)
}

/// A file's identity for the content cache: unchanged size, mtime and inode mean
/// unchanged content (the same assumption `make` and git's index make).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    size: u64,
    mtime_ns: i128,
    ino: u64,
}

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    let mtime_ns = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(meta);
    #[cfg(not(unix))]
    let ino = 0;
    Stamp {
        size: meta.len(),
        mtime_ns,
        ino,
    }
}

fn hex32(h: &[u8; 32]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex32(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The cache file for one vendor directory, under `cache_dir` (never in the user's tree).
fn cache_file(cache_dir: &Path, vendor_dir: &Path) -> PathBuf {
    let key = vendor_dir
        .canonicalize()
        .unwrap_or(vendor_dir.to_path_buf());
    let h = blake3::hash(key.to_string_lossy().as_bytes());
    cache_dir.join(format!("vendor-{}.tsv", &h.to_hex()[..16]))
}

type CacheMap = std::collections::HashMap<String, (Stamp, [u8; 32])>;

fn read_cache(path: &Path) -> CacheMap {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let [rel, size, mtime, ino, hash] = f.as_slice() else {
                return None;
            };
            let st = Stamp {
                size: size.parse().ok()?,
                mtime_ns: mtime.parse().ok()?,
                ino: ino.parse().ok()?,
            };
            Some(((*rel).to_string(), (st, unhex32(hash)?)))
        })
        .collect()
}

/// Like `scan`, reusing digests from a content cache in `cache_dir` for files whose size,
/// mtime and inode are unchanged, and writing the cache back (atomically).
pub fn scan_cached(
    vendor_dir: &Path,
    progress: Option<Progress>,
    cache_dir: Option<&Path>,
) -> VendorTree {
    let cache_path = cache_dir.map(|d| cache_file(d, vendor_dir));
    let cache: CacheMap = cache_path.as_deref().map(read_cache).unwrap_or_default();
    let stamps: std::sync::Mutex<Vec<(String, Stamp)>> = std::sync::Mutex::new(Vec::new());
    let tree = scan_inner(vendor_dir, progress, &|rel, path| {
        let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
        let st = stamp(&meta);
        if let Ok(mut v) = stamps.lock() {
            v.push((rel.to_string(), st));
        }
        match cache.get(rel) {
            Some((cst, h)) if *cst == st => Ok(Digest {
                size: st.size,
                hash: *h,
            }),
            _ => hash_file(path).map_err(|e| e.to_string()),
        }
    });
    if let Some(cp) = cache_path {
        let stamps: std::collections::HashMap<String, Stamp> = stamps
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .collect();
        let mut text = String::new();
        for (rel, d) in &tree.files {
            if let Some(st) = stamps.get(rel) {
                text.push_str(&format!(
                    "{rel}\t{}\t{}\t{}\t{}\n",
                    st.size,
                    st.mtime_ns,
                    st.ino,
                    hex32(&d.hash)
                ));
            }
        }
        if let Some(dir) = cp.parent() {
            let _ = std::fs::create_dir_all(dir);
            if let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) {
                use std::io::Write;
                if tmp.write_all(text.as_bytes()).is_ok() {
                    let _ = tmp.persist(&cp);
                }
            }
        }
    }
    tree
}

type Hasher<'a> = dyn Fn(&str, &Path) -> Result<Digest, String> + Sync + 'a;

fn scan_inner(vendor_dir: &Path, progress: Option<Progress>, hasher: &Hasher) -> VendorTree {
    use std::sync::Mutex;
    type Hashed = (String, Result<Digest, String>);
    let results: Mutex<Vec<Hashed>> = Mutex::new(Vec::new());
    let links: Mutex<Vec<String>> = Mutex::new(Vec::new());
    ignore::WalkBuilder::new(vendor_dir)
        .standard_filters(false)
        .follow_links(false)
        .threads(rayon::current_num_threads())
        .build_parallel()
        .run(|| {
            // Per-thread buffers, flushed when the thread's visitor is dropped.
            struct Local<'a> {
                buf: Vec<Hashed>,
                sink: &'a Mutex<Vec<Hashed>>,
            }
            impl Drop for Local<'_> {
                fn drop(&mut self) {
                    if let Ok(mut v) = self.sink.lock() {
                        v.append(&mut self.buf);
                    }
                }
            }
            let mut local = Local {
                buf: Vec::new(),
                sink: &results,
            };
            let links = &links;
            Box::new(move |entry| {
                let Ok(e) = entry else {
                    return ignore::WalkState::Continue;
                };
                let Some(ft) = e.file_type() else {
                    return ignore::WalkState::Continue;
                };
                let rel = e
                    .path()
                    .strip_prefix(vendor_dir)
                    .unwrap_or(e.path())
                    .to_string_lossy()
                    .replace(std::path::MAIN_SEPARATOR, "/");
                if ft.is_file() {
                    let r = hasher(&rel, e.path());
                    if let Some(p) = progress {
                        p(1);
                    }
                    local.buf.push((rel, r));
                } else if ft.is_symlink() {
                    if let Ok(mut v) = links.lock() {
                        v.push(rel);
                    }
                }
                ignore::WalkState::Continue
            })
        });
    let mut symlinks = links.into_inner().unwrap_or_default();
    symlinks.sort();
    let mut tree = VendorTree {
        root: vendor_dir.to_path_buf(),
        symlinks,
        ..VendorTree::default()
    };
    for (rel, r) in results.into_inner().unwrap_or_default() {
        match r {
            Ok(d) => {
                tree.files.insert(rel, d);
            }
            Err(e) => tree.unreadable.push((rel, e)),
        }
    }
    tree.unreadable.sort();
    tree
}

/// The two-pass variant (list, then hash with rayon); kept for the benchmark's comparison.
pub fn scan_two_pass(vendor_dir: &Path, progress: Option<Progress>) -> VendorTree {
    let (files, symlinks) = list_files(vendor_dir);
    // Chunked so small files do not pay for a task each.
    let results: Vec<(String, Result<Digest, String>)> = files
        .par_iter()
        .with_min_len(64)
        .map(|rel| {
            let r = hash_file(&vendor_dir.join(rel)).map_err(|e| e.to_string());
            if let Some(p) = progress {
                p(1);
            }
            (rel.clone(), r)
        })
        .collect();
    let mut tree = VendorTree {
        root: vendor_dir.to_path_buf(),
        symlinks,
        ..VendorTree::default()
    };
    for (rel, r) in results {
        match r {
            Ok(d) => {
                tree.files.insert(rel, d);
            }
            Err(e) => tree.unreadable.push((rel, e)),
        }
    }
    tree
}

/// What `go mod vendor` copies from a package directory: its regular files, except tests
/// and names Go ignores (`.x`, `_x`); not subdirectories.
pub fn vendorable(name: &str) -> bool {
    !name.ends_with("_test.go") && !name.starts_with('.') && !name.starts_with('_')
}

/// One side of a comparison.
pub struct Side<'a> {
    pub name: &'a str,
    pub tree: &'a VendorTree,
    pub modules: &'a ModulesTxt,
}

fn files_of_package<'t>(tree: &'t VendorTree, pkg: &str) -> BTreeMap<&'t str, &'t Digest> {
    let prefix = format!("{pkg}/");
    tree.files
        .iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix(&prefix)?;
            (!rest.contains('/')).then_some((rest, v))
        })
        .collect()
}

fn read_lossy(p: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()
}

/// A capped unified diff between two files.
pub fn diff(a_label: &str, a: &Path, b_label: &str, b: &Path) -> String {
    let (x, y) = (read_lossy(a), read_lossy(b));
    let mut d = similar::TextDiff::from_lines(&x, &y)
        .unified_diff()
        .context_radius(2)
        // Names come from the tree: one line each, or a newline would forge diff lines.
        .header(&crate::text::line(a_label), &crate::text::line(b_label))
        .to_string();
    const CAP: usize = 4000;
    if d.len() > CAP {
        let mut cut = CAP;
        while !d.is_char_boundary(cut) {
            cut -= 1;
        }
        d.truncate(cut);
        d.push_str("\n... (diff truncated)\n");
    }
    d
}

/// Compares the packages two artifacts vendor at the same module version.
pub fn compare(a: &Side, b: &Side) -> Vec<Finding> {
    let mut out = Vec::new();
    for ma in a.modules.build_list() {
        let Some(mb) = b
            .modules
            .build_list()
            .find(|m| m.module.path == ma.module.path)
        else {
            continue;
        };
        if ma.module.version != mb.module.version {
            continue; // a version conflict, reported as GD001
        }
        for pkg in ma.packages.iter().filter(|p| mb.packages.contains(p)) {
            let fa = files_of_package(a.tree, pkg);
            let fb = files_of_package(b.tree, pkg);
            for (name, da) in &fa {
                let rel = format!("{pkg}/{name}");
                match fb.get(name) {
                    None => out.push(set_finding(a, b, &ma.module.path, &rel, true)),
                    Some(db) if db != da => {
                        let (pa, pb) = (a.tree.root.join(&rel), b.tree.root.join(&rel));
                        let class = classify::classify(&read_lossy(&pa), &read_lossy(&pb));
                        let mut f = Finding::new(
                            Code::VendoredFileEdited,
                            class.severity(),
                            format!(
                                "vendor/{rel} differs between {} and {} ({}@{}): {}",
                                a.name,
                                b.name,
                                ma.module.path,
                                ma.module.version,
                                class.describe()
                            ),
                        );
                        f.artifacts = vec![a.name.to_string(), b.name.to_string()];
                        f.module = Some(ma.module.path.clone());
                        f.packages = vec![pkg.clone()];
                        for (side, p) in [(a.name, &pa), (b.name, &pb)] {
                            f.evidence.push(Evidence {
                                artifact: side.to_string(),
                                file: p.clone(),
                                line: None,
                                col: None,
                                text: format!("vendor/{rel}"),
                            });
                        }
                        f.diff = Some(diff(
                            &format!("{}/vendor/{rel}", a.name),
                            &pa,
                            &format!("{}/vendor/{rel}", b.name),
                            &pb,
                        ));
                        f.fix = Some("run `go mod vendor` on the edited side (see which copy matches the module cache)".into());
                        out.push(f);
                    }
                    Some(_) => {}
                }
            }
            for name in fb.keys().filter(|n| !fa.contains_key(*n)) {
                out.push(set_finding(
                    b,
                    a,
                    &ma.module.path,
                    &format!("{pkg}/{name}"),
                    true,
                ));
            }
        }
    }
    out
}

fn set_finding(has: &Side, lacks: &Side, module: &str, rel: &str, _extra: bool) -> Finding {
    let mut f = Finding::new(
        Code::VendoredFileSetDiffers,
        if rel.ends_with(".go") {
            Severity::Error
        } else {
            Severity::Warning
        },
        format!(
            "vendor/{rel} exists in {} but not in {}",
            has.name, lacks.name
        ),
    );
    f.artifacts = vec![has.name.to_string(), lacks.name.to_string()];
    f.module = Some(module.to_string());
    f.evidence.push(Evidence {
        artifact: has.name.to_string(),
        file: has.tree.root.join(rel),
        line: None,
        col: None,
        text: format!("vendor/{rel}"),
    });
    f.fix = Some("run `go mod vendor` on both sides".into());
    f
}

/// The extracted module directory in the module cache.
pub fn pristine_dir(modcache: &Path, path: &str, version: &str) -> Option<PathBuf> {
    let ep = module::escape_path(path).ok()?;
    let ev = module::escape_version(version).ok()?;
    let d = modcache.join(format!("{ep}@{ev}"));
    d.is_dir().then_some(d)
}

/// Compares one artifact's vendored packages with the module cache's pristine copies, and
/// verifies those copies against go.sum (as `go mod verify`).
pub fn against_pristine(
    side: &Side,
    modcache: &Path,
    go_sum: Option<&crate::gosum::GoSum>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in side.modules.build_list() {
        if m.replacement.is_some() {
            continue; // replaced modules have no module-cache copy
        }
        let Some(dir) = pristine_dir(modcache, &m.module.path, &m.module.version) else {
            continue;
        };
        if let Some(want) = go_sum.and_then(|s| s.hash(&m.module.path, &m.module.version, false)) {
            if let Ok(got) = crate::dirhash::hash_module_dir(&m.module, &dir) {
                if got != want {
                    let mut f = Finding::new(
                        Code::ModuleCacheTampered,
                        Severity::Error,
                        format!(
                            "module cache copy of {} does not match go.sum ({want}, found {got}): it was modified",
                            m.module,
                        ),
                    );
                    f.artifacts = vec![side.name.to_string()];
                    f.module = Some(m.module.path.clone());
                    f.fix = Some("run `go clean -modcache` and `go mod download`".into());
                    out.push(f);
                    continue;
                }
            }
        }
        out.extend(compare_with_source(
            side,
            m,
            &dir,
            &format!("{} in the module cache", m.module),
            None,
        ));
    }
    out
}

/// Files `go mod vendor` copies from the module root and every directory above a vendored
/// package (cmd/go's metaPrefixes): licences and notices.
const META_PREFIXES: &[&str] = &[
    "AUTHORS",
    "CONTRIBUTORS",
    "COPYLEFT",
    "COPYING",
    "COPYRIGHT",
    "LEGAL",
    "LICENSE",
    "NOTICE",
    "PATENTS",
];

fn is_meta(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    META_PREFIXES.iter().any(|p| upper.starts_with(p))
}

/// Licence-like files of the directories between the module root and each vendored
/// package: they do not affect loading, so differences are reported as Info.
fn compare_metadata(
    side: &Side,
    m: &crate::vendor::VendoredModule,
    dir: &Path,
    source: &str,
) -> Vec<Finding> {
    let mut dirs: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for pkg in &m.packages {
        let rel = pkg
            .strip_prefix(&m.module.path)
            .map(|r| r.trim_start_matches('/'))
            .unwrap_or("");
        let mut cur = String::new();
        dirs.insert(String::new());
        for part in rel.split('/').filter(|p| !p.is_empty()) {
            if !cur.is_empty() {
                cur.push('/');
            }
            cur.push_str(part);
            dirs.insert(cur.clone());
        }
    }
    let mut out = Vec::new();
    for d in dirs {
        let src = if d.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(&d)
        };
        let Ok(rd) = std::fs::read_dir(&src) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if !is_meta(&name) || !e.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let rel = if d.is_empty() {
                format!("{}/{name}", m.module.path)
            } else {
                format!("{}/{d}/{name}", m.module.path)
            };
            let same = match side.tree.files.get(&rel) {
                None => Some(false),
                Some(v) => hash_file(&e.path()).ok().map(|h| h == *v),
            };
            if same == Some(false) {
                let what = if side.tree.files.contains_key(&rel) {
                    "differs from"
                } else {
                    "is missing; it is in"
                };
                let mut f = Finding::new(
                    Code::VendoredFileSetDiffers,
                    Severity::Info,
                    format!(
                        "{} vendor/{rel} {what} {source} (licence files do not affect loading)",
                        side.name
                    ),
                );
                f.artifacts = vec![side.name.to_string()];
                f.module = Some(m.module.path.clone());
                out.push(f);
            }
        }
    }
    out
}

/// Compares the packages `side` vendors from module `m` with the source directory `dir`
/// they should have been copied from (the module cache copy, or the other side's replace
/// directory); `source` describes `dir` in messages, `other` names the other artifact.
fn compare_with_source(
    side: &Side,
    m: &crate::vendor::VendoredModule,
    dir: &Path,
    source: &str,
    other: Option<&str>,
) -> Vec<Finding> {
    let mut out = compare_metadata(side, m, dir, source);
    for pkg in &m.packages {
        let rel_pkg = pkg
            .strip_prefix(&m.module.path)
            .map(|r| r.trim_start_matches('/'))
            .unwrap_or("");
        let pdir = if rel_pkg.is_empty() {
            dir.to_path_buf()
        } else {
            dir.join(rel_pkg)
        };
        let vend = files_of_package(side.tree, pkg);
        let Ok(rd) = std::fs::read_dir(&pdir) else {
            continue;
        };
        let mut pristine: BTreeMap<String, PathBuf> = BTreeMap::new();
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().is_ok_and(|t| t.is_file()) && vendorable(&name) {
                pristine.insert(name, e.path());
            }
        }
        for (name, d) in &vend {
            let rel = format!("{pkg}/{name}");
            let vpath = side.tree.root.join(&rel);
            match pristine.get(*name) {
                Some(pp) => {
                    if hash_file(pp).ok().as_ref() != Some(*d) {
                        let class = classify::classify(&read_lossy(pp), &read_lossy(&vpath));
                        let mut f = Finding::new(
                            Code::VendoredFileEdited,
                            class.severity(),
                            format!(
                                "{} vendor/{rel} was edited: it differs from {source} ({})",
                                side.name,
                                class.describe()
                            ),
                        );
                        f.artifacts = std::iter::once(side.name.to_string())
                            .chain(other.map(str::to_string))
                            .collect();
                        f.module = Some(m.module.path.clone());
                        f.packages = vec![pkg.clone()];
                        f.evidence.push(Evidence {
                            artifact: side.name.to_string(),
                            file: vpath.clone(),
                            line: None,
                            col: None,
                            text: format!("vendor/{rel}"),
                        });
                        f.diff = Some(diff(
                            &format!(
                                "{}@{}/{}",
                                m.module.path,
                                m.module.version,
                                rel_join(rel_pkg, name)
                            ),
                            pp,
                            &format!("{}/vendor/{rel}", side.name),
                            &vpath,
                        ));
                        f.fix = Some(format!("restore it: `go mod vendor` in {}", side.name));
                        out.push(f);
                    }
                }
                None => {
                    let mut f = Finding::new(
                        Code::VendoredFileSetDiffers,
                        Severity::Warning,
                        format!(
                            "{} vendor/{rel} is not in {source} (added by hand?)",
                            side.name
                        ),
                    );
                    f.artifacts = vec![side.name.to_string()];
                    f.module = Some(m.module.path.clone());
                    out.push(f);
                }
            }
        }
        for name in pristine
            .keys()
            .filter(|n| n.ends_with(".go") && !vend.contains_key(n.as_str()))
        {
            let mut f = Finding::new(
                Code::VendoredFileSetDiffers,
                Severity::Warning,
                format!("{} vendor/{pkg}/{name} is missing (present in {source}; build constraints may exclude it)", side.name),
            );
            f.artifacts = vec![side.name.to_string()];
            f.module = Some(m.module.path.clone());
            out.push(f);
        }
    }
    out
}

/// A vendored side against the other side's local replacement directory for the same
/// module version: byte-for-byte, classified as the runtime will see it.
pub fn against_dir(side: &Side, module: &str, dir: &Path, other: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in side
        .modules
        .build_list()
        .filter(|m| m.module.path == module)
    {
        let source = format!("{other}'s source {}", dir.display());
        out.extend(compare_with_source(side, m, dir, &source, Some(other)));
    }
    out
}

fn rel_join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}/{b}")
    }
}
