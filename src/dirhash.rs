//! Hash1 (golang.org/x/mod/sumdb/dirhash), the go.sum `h1:` algorithm, over a go.mod file,
//! a module directory or a module zip; and the module-zip file rules (golang.org/x/mod/zip)
//! that decide which files of a directory a module zip holds, so a directory hashes as
//! `go mod download` would hash its zip.

use crate::module::{self, ModuleVersion};
use crate::semver::gover;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("dirhash: filename {0:?} contains newline")]
    NewlineInName(String),
    /// A module zip rule was broken; the text is x/mod/zip's.
    #[error("create zip: {0}")]
    Zip(String),
    #[error("{0}")]
    Module(#[from] module::ModuleError),
    /// Read through the bounded reader (devices, FIFOs and oversize files refused).
    #[error("{0}")]
    Fs(#[from] crate::fsio::FsError),
}

/// x/mod/zip's MaxZipFile: no file of a module (nor the whole module) may be larger.
const MAX_ZIP_FILE: u64 = 500 << 20;

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> HashError + '_ {
    move |source| HashError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Hash1 over (name, content) pairs: sha256 of the sorted `"<sha256 hex>  <name>\n"` lines.
pub fn hash1<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<String, HashError> {
    let mut lines: Vec<(String, String)> = Vec::new();
    for (name, data) in files {
        if name.contains('\n') {
            return Err(HashError::NewlineInName(name.to_string()));
        }
        lines.push((name.to_string(), hex(&Sha256::digest(data))));
    }
    lines.sort();
    let mut h = Sha256::new();
    for (name, sum) in &lines {
        h.update(format!("{sum}  {name}\n"));
    }
    Ok(format!(
        "h1:{}",
        base64::engine::general_purpose::STANDARD.encode(h.finalize())
    ))
}

/// Lower-case hex of `b` (the one hex encoder of the crate).
pub(crate) fn hex(b: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(DIGITS[(x >> 4) as usize] as char);
        s.push(DIGITS[(x & 15) as usize] as char);
    }
    s
}

/// The go.sum `/go.mod` hash of a go.mod file's content.
pub fn hash_go_mod(data: &[u8]) -> String {
    // A single fixed name cannot contain a newline.
    hash1([("go.mod", data)]).unwrap_or_default()
}

/// Hash1 of a module zip file (names as stored, which carry the `path@version/` prefix).
pub fn hash_zip(zip_path: &Path) -> Result<String, HashError> {
    let file = crate::fsio::open_regular(zip_path)?;
    let mut z = zip::ZipArchive::new(file).map_err(|e| HashError::Zip(e.to_string()))?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    // Bounded as x/mod/zip's checkZip bounds it: a zip bomb is an error, not all of memory.
    let mut total: u64 = 0;
    for i in 0..z.len() {
        let f = z.by_index(i).map_err(|e| HashError::Zip(e.to_string()))?;
        if f.is_dir() {
            continue;
        }
        let name = f.name().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(f, MAX_ZIP_FILE - total + 1),
            &mut data,
        )
        .map_err(io_err(zip_path))?;
        total += data.len() as u64;
        if total > MAX_ZIP_FILE {
            return Err(HashError::Zip(format!(
                "total uncompressed size of module contents too large (max size is {MAX_ZIP_FILE} bytes)"
            )));
        }
        files.push((name, data));
    }
    hash1(files.iter().map(|(n, d)| (n.as_str(), d.as_slice())))
}

/// One candidate file of a module: its slash path relative to the module root.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub path: String,
    pub is_regular: bool,
    pub size: u64,
}

/// The `go` language version of a go.mod (`go1.21`), or "" when absent, as x/mod/zip reads it.
fn zip_go_lang(go_mod: Option<&[u8]>) -> String {
    let Some(data) = go_mod else {
        return String::new();
    };
    let v = crate::gomod::parse_mod("go.mod", data, crate::gomod::Strictness::Lax)
        .ok()
        .and_then(|f| f.go.map(|g| g.version))
        .unwrap_or_default();
    if v.is_empty() {
        String::new()
    } else {
        format!("go{}", gover::lang(&v))
    }
}

/// x/mod/zip's isVendoredPackage, which changed with Go 1.24 (and keeps old sums stable).
fn is_vendored(name: &str, lang: &str) -> bool {
    let go124 = lang
        .strip_prefix("go")
        .is_some_and(|v| gover::compare(v, "1.24") != std::cmp::Ordering::Less);
    if go124 && name == "vendor/modules.txt" {
        return true;
    }
    let i = if let Some(rest) = name.strip_prefix("vendor/") {
        name.len() - rest.len()
    } else if let Some(j) = name.find("/vendor/") {
        if go124 {
            j + "/vendor/".len()
        } else {
            // Go before 1.24 skipped only len("/vendor/") bytes: kept for stable checksums.
            "/vendor/".len()
        }
    } else {
        return false;
    };
    name.get(i..).is_some_and(|rest| rest.contains('/'))
}

/// Go's strings.ToLower-based fold used for collision checks (a close approximation of
/// x/mod/zip's strToFold).
fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// Applies the module zip rules (checkFiles) to candidate files; returns the kept paths in
/// input order or the first invalid file as x/mod/zip words it.
pub fn select_module_files(
    files: &[Candidate],
    root_go_mod: Option<&[u8]>,
) -> Result<Vec<String>, HashError> {
    let lang = zip_go_lang(root_go_mod);
    let mut have_go_mod: std::collections::HashSet<String> = Default::default();
    for f in files {
        let (dir, base) = match f.path.rfind('/') {
            Some(i) => (&f.path[..=i], &f.path[i + 1..]),
            None => ("", f.path.as_str()),
        };
        if base.eq_ignore_ascii_case("go.mod") && f.is_regular {
            have_go_mod.insert(dir.to_string());
        }
    }
    let in_submodule = |p: &str| {
        let mut p = p;
        while let Some(i) = p.rfind('/') {
            let dir = &p[..=i];
            if have_go_mod.contains(dir) {
                return true;
            }
            p = &p[..i];
        }
        false
    };
    let mut invalid: Vec<String> = Vec::new();
    let mut seen_err: std::collections::HashSet<String> = Default::default();
    let mut collisions: HashMap<String, (String, bool)> = HashMap::new();
    let mut kept = Vec::new();
    for f in files {
        let p = f.path.as_str();
        let mut fail = |msg: String| {
            if seen_err.insert(p.to_string()) {
                invalid.push(msg);
            }
        };
        if is_vendored(p, &lang) || in_submodule(p) || p == ".hg_archival.txt" {
            continue;
        }
        if let Err(e) = module::check_file_path(p) {
            fail(e.to_string());
            continue;
        }
        if p.eq_ignore_ascii_case("go.mod") && p != "go.mod" {
            fail(format!("{p}: go.mod files must have lowercase names"));
            continue;
        }
        if let Err(e) = check_collision(&mut collisions, p, false) {
            fail(e);
            continue;
        }
        if !f.is_regular {
            continue;
        }
        kept.push(f.path.clone());
    }
    if let Some(first) = invalid.into_iter().next() {
        return Err(HashError::Zip(first));
    }
    Ok(kept)
}

fn check_collision(
    cc: &mut HashMap<String, (String, bool)>,
    p: &str,
    is_dir: bool,
) -> Result<(), String> {
    let key = fold(p);
    if let Some((other, other_dir)) = cc.get(&key) {
        if p != other {
            return Err(format!(
                "case-insensitive file name collision: {other:?} and {p:?}"
            ));
        }
        if is_dir != *other_dir {
            return Err(format!("entry {p:?} is both a file and a directory"));
        }
        if !is_dir {
            return Err(format!("multiple entries for file {p:?}"));
        }
    } else {
        cc.insert(key, (p.to_string(), is_dir));
    }
    match p.rfind('/') {
        Some(i) => check_collision(cc, &p[..i], true),
        None => Ok(()),
    }
}

/// Checks a module path and version as x/mod/zip's Create does before writing a zip.
pub fn check_module_version(m: &ModuleVersion) -> Result<(), HashError> {
    let cv = crate::semver::canonical(&m.version);
    let cv = if crate::semver::is_incompatible(&m.version) && !cv.is_empty() {
        format!("{cv}+incompatible")
    } else {
        cv
    };
    if cv != m.version {
        return Err(HashError::Zip(format!(
            "version {:?} is not canonical (should be {:?})",
            m.version, cv
        )));
    }
    module::check(&m.path, &m.version)?;
    Ok(())
}

/// Lists a module directory as x/mod/zip's CreateFromDir does: VCS directories and
/// directories holding their own go.mod (submodules) are skipped.
pub fn list_module_dir(dir: &Path) -> Result<Vec<Candidate>, HashError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&d)
            .map_err(io_err(&d))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let meta = std::fs::symlink_metadata(&path).map_err(io_err(&path))?;
            let rel = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace(std::path::MAIN_SEPARATOR, "/");
            if meta.is_dir() {
                let name = e.file_name();
                if matches!(name.to_str(), Some(".bzr" | ".git" | ".hg" | ".svn")) {
                    continue;
                }
                let sub_mod = std::fs::symlink_metadata(path.join("go.mod"));
                if sub_mod.is_ok_and(|m| !m.is_dir()) {
                    continue;
                }
                stack.push(path);
                continue;
            }
            out.push(Candidate {
                path: rel,
                is_regular: meta.is_file(),
                size: meta.len(),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The go.sum `h1:` hash of module `m` whose source tree is `dir`, as `go mod download`
/// computes it from the module zip.
pub fn hash_module_dir(m: &ModuleVersion, dir: &Path) -> Result<String, HashError> {
    check_module_version(m)?;
    let candidates = list_module_dir(dir)?;
    // As x/mod/zip: any go.mod that cannot be read (missing, a directory) gives no go
    // version; an unreadable regular one fails below when its content is read.
    let go_mod = crate::fsio::read_input(&dir.join("go.mod")).ok();
    let kept = select_module_files(&candidates, go_mod.as_deref())?;
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for rel in kept {
        let p = dir.join(&rel);
        let data = crate::fsio::read_bounded(&p, MAX_ZIP_FILE)?;
        files.insert(format!("{}@{}/{}", m.path, m.version, rel), data);
    }
    hash1(files.iter().map(|(n, d)| (n.as_str(), d.as_slice())))
}

/// Hash1 of in-memory module files (e.g. from a txtar), applying the zip rules.
pub fn hash_module_files(
    m: &ModuleVersion,
    files: &[(String, Vec<u8>)],
) -> Result<String, HashError> {
    check_module_version(m)?;
    let candidates: Vec<Candidate> = files
        .iter()
        .map(|(p, d)| Candidate {
            path: p.clone(),
            is_regular: true,
            size: d.len() as u64,
        })
        .collect();
    let go_mod = files
        .iter()
        .find(|(p, _)| p == "go.mod")
        .map(|(_, d)| d.as_slice());
    let kept = select_module_files(&candidates, go_mod)?;
    let by_path: HashMap<&str, &[u8]> = files
        .iter()
        .map(|(p, d)| (p.as_str(), d.as_slice()))
        .collect();
    let named: Vec<(String, &[u8])> = kept
        .iter()
        .map(|p| {
            (
                format!("{}@{}/{}", m.path, m.version, p),
                by_path[p.as_str()],
            )
        })
        .collect();
    hash1(named.iter().map(|(n, d)| (n.as_str(), *d)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn module_zips_are_read_through_the_bounded_reader() {
        let e = super::hash_zip(std::path::Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("v1.0.0.zip");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success()));
        // Opening a FIFO for reading used to wait for a writer forever.
        let e = super::hash_zip(&fifo).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
    }

    #[test]
    fn empty_go_mod_hash_matches_go() {
        // modfetch's emptyGoModHash constant.
        assert_eq!(
            super::hash_go_mod(b""),
            "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY="
        );
    }
}
