//! Import path → module and directory, as cmd/go's modload does (importFromModules,
//! dirInModule, fetch, and the vendor-mode branch with readVendorList's package map).

use super::source::{ScanCache, SourceDir};
use super::{PackageError, PackageModule};
use crate::graph::{BuildList, Replacement};
use crate::module::{self, ModuleVersion};
use crate::semver::gover;
use crate::vendor::ModulesTxt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A main module: its path and directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MainModule {
    pub path: String,
    pub dir: PathBuf,
}

/// A selected module of the build list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleEntry {
    /// Path and selected version (the required module, before replacement).
    pub module: ModuleVersion,
    pub replace: Option<Replacement>,
    /// Required by a main module's go.mod (a root of the pruned graph): cmd/go looks for a
    /// package in the roots first and only then in the whole graph.
    pub root: bool,
}

/// The vendor tree of a `-mod=vendor` build.
#[derive(Clone, Debug, PartialEq)]
pub struct VendorTree {
    /// The vendor directory (main module's or workspace's).
    pub dir: PathBuf,
    pub modules_txt: ModulesTxt,
}

/// What package loading needs to know about the modules of one build: the main modules
/// with their directories, the selected modules with their replacements, the vendor tree
/// in vendor mode, and where sources live.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleSet {
    /// One main module, or every `use`d module of a workspace.
    pub main_modules: Vec<MainModule>,
    /// Selected modules, main modules excluded.
    pub modules: Vec<ModuleEntry>,
    /// The main module's (or workspace's) `go` line.
    pub go_version: Option<String>,
    /// A go.work workspace.
    pub workspace: bool,
    /// `-mod=vendor`: packages come from the main modules and this tree only.
    pub vendor: Option<VendorTree>,
    /// GOMODCACHE (extracted modules and cache/download).
    pub gomodcache: PathBuf,
    /// GOROOT, when a Go installation is known: standard packages are those with a
    /// directory of .go files under `$GOROOT/src`. Without one, a path whose first element
    /// has no dot is standard unless a main or selected module provides it.
    pub goroot: Option<PathBuf>,
    /// Index in `main_modules` of the module whose main packages are artifacts.
    pub primary: usize,
}

impl ModuleSet {
    /// From a build list: the main module's directory (or, for a workspace, each `use`d
    /// module's, read from go.work), its replacements, vendor/modules.txt when the build is
    /// vendored.
    pub fn from_build_list(
        bl: &BuildList,
        gomodcache: &Path,
        goroot: Option<&Path>,
    ) -> Result<ModuleSet, PackageError> {
        let io = |e: crate::fsio::FsError| PackageError::Io {
            message: e.to_string(),
        };
        let own_go_mod = bl.main_dir.join("go.mod");
        // A module graph loaded outside a workspace was loaded from that go.mod, whose
        // module is the main one: not read again (a big main go.mod costs a parse).
        let single = bl.main.len() == 1
            && (bl.work_file.is_none() && bl.has_graph()
                || crate::fsio::read_optional(&own_go_mod)
                    .map_err(io)?
                    .and_then(|d| {
                        crate::gomod::parse_mod("go.mod", &d, crate::gomod::Strictness::Lax).ok()
                    })
                    .and_then(|m| m.module.map(|m| m.path))
                    .is_some_and(|p| p == bl.main[0]));
        let mut main_modules = Vec::new();
        let mut workspace = false;
        if single {
            main_modules.push(MainModule {
                path: bl.main[0].clone(),
                dir: bl.main_dir.clone(),
            });
        } else {
            workspace = true;
            let work_path = bl.main_dir.join("go.work");
            let data = crate::fsio::read_input(&work_path).map_err(io)?;
            let work =
                crate::gomod::parse_work(&work_path.display().to_string(), &data).map_err(|e| {
                    PackageError::Io {
                        message: e.to_string(),
                    }
                })?;
            for u in &work.use_ {
                let dir = crate::paths::join(&bl.main_dir, &u.path);
                let gm = dir.join("go.mod");
                let data = crate::fsio::read_input(&gm).map_err(io)?;
                let m = crate::gomod::parse_mod(
                    &gm.display().to_string(),
                    &data,
                    crate::gomod::Strictness::Lax,
                )
                .map_err(|e| PackageError::Io {
                    message: e.to_string(),
                })?;
                if let Some(md) = m.module {
                    main_modules.push(MainModule { path: md.path, dir });
                }
            }
        }
        let modules = bl
            .modules
            .iter()
            .map(|m| ModuleEntry {
                module: m.module.clone(),
                replace: m.replace.clone(),
                root: m.root,
            })
            .collect();
        // The graph stage decided vendor mode (a workspace's vendor/ is next to go.work).
        let vendor = if let Some(dir) = bl.vendor_dir() {
            let txt_path = dir.join("modules.txt");
            let data = crate::fsio::read_optional(&txt_path)
                .map_err(io)?
                .unwrap_or_default();
            let modules_txt = crate::vendor::parse_modules_txt("vendor/modules.txt", &data)
                .map_err(|e| PackageError::Io {
                    message: e.to_string(),
                })?;
            Some(VendorTree { dir, modules_txt })
        } else {
            None
        };
        Ok(ModuleSet {
            main_modules,
            modules,
            go_version: bl.go_version.clone(),
            workspace,
            vendor,
            gomodcache: gomodcache.to_path_buf(),
            goroot: goroot.map(Path::to_path_buf),
            primary: 0,
        })
    }

    /// Makes the main module in `dir` the one whose main packages are loaded (a plugin
    /// module inside a workspace). Unknown directories leave the choice unchanged.
    pub fn with_primary_dir(mut self, dir: &Path) -> ModuleSet {
        let want = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        if let Some(i) = self
            .main_modules
            .iter()
            .position(|m| m.dir.canonicalize().unwrap_or_else(|_| m.dir.clone()) == want)
        {
            self.primary = i;
        }
        self
    }

    /// The primary main module.
    pub fn primary_module(&self) -> Option<&MainModule> {
        self.main_modules.get(self.primary)
    }
}

/// search.IsStandardImportPath: the first path element has no dot.
pub fn is_standard_import_path(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    !first.contains('.')
}

/// Where an import path resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// A standard-library package (directory under GOROOT when known).
    Std { dir: Option<PathBuf> },
    /// A package of a module; `module` is None only for a vendored package that
    /// vendor/modules.txt does not list (go < 1.23 allows that).
    Found {
        module: Option<PackageModule>,
        dir: SourceDir,
    },
}

/// A module's root directory and whether it is a local tree, or why it has none.
type RootResult = Result<(SourceDir, bool), PackageError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum ModRef {
    Main(usize),
    Dep(usize),
}

pub(crate) struct Resolver<'a> {
    set: &'a ModuleSet,
    cache: &'a ScanCache,
    by_path: HashMap<&'a str, ModRef>,
    /// vendor/modules.txt: package → index of its module in modules_txt.modules.
    vendor_pkgs: HashMap<&'a str, usize>,
    roots: Mutex<HashMap<ModRef, RootResult>>,
}

impl<'a> Resolver<'a> {
    pub(crate) fn new(set: &'a ModuleSet, cache: &'a ScanCache) -> Resolver<'a> {
        let mut by_path = HashMap::new();
        for (i, m) in set.modules.iter().enumerate() {
            by_path.insert(m.module.path.as_str(), ModRef::Dep(i));
        }
        // Main modules win over a dependency of the same path (cmd/go never fetches them).
        for (i, m) in set.main_modules.iter().enumerate() {
            by_path.insert(m.path.as_str(), ModRef::Main(i));
        }
        let mut vendor_pkgs = HashMap::new();
        if let Some(v) = &set.vendor {
            // readVendorList: the last module line listing a package wins.
            for (i, m) in v.modules_txt.modules.iter().enumerate() {
                if m.module.path.is_empty() {
                    continue;
                }
                for p in &m.packages {
                    vendor_pkgs.insert(p.as_str(), i);
                }
            }
        }
        Resolver {
            set,
            cache,
            by_path,
            vendor_pkgs,
            roots: Mutex::new(HashMap::new()),
        }
    }

    fn package_module(&self, r: ModRef) -> PackageModule {
        match r {
            ModRef::Main(i) => PackageModule {
                path: self.set.main_modules[i].path.clone(),
                version: String::new(),
                replace: None,
                main: true,
            },
            ModRef::Dep(i) => {
                let m = &self.set.modules[i];
                PackageModule {
                    path: m.module.path.clone(),
                    version: m.module.version.clone(),
                    replace: m.replace.clone(),
                    main: false,
                }
            }
        }
    }

    /// cmd/go's fetch: the module's root directory (its replacement's, the extracted module
    /// cache, else the module zip) and whether it is a local tree.
    fn module_root(&self, r: ModRef) -> Result<(SourceDir, bool), PackageError> {
        if let Some(hit) = self.roots.lock().unwrap_or_else(|e| e.into_inner()).get(&r) {
            return hit.clone();
        }
        let res = self.locate(r);
        self.roots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(r, res.clone());
        res
    }

    fn locate(&self, r: ModRef) -> Result<(SourceDir, bool), PackageError> {
        let m = match r {
            ModRef::Main(i) => return Ok((SourceDir::dir(&self.set.main_modules[i].dir), true)),
            ModRef::Dep(i) => &self.set.modules[i],
        };
        let fetch = match &m.replace {
            Some(Replacement::Dir { path, resolved }) => {
                // fetch: a replacement directory must exist.
                if !resolved.exists() {
                    return Err(PackageError::ReplacementMissing {
                        module: m.module.clone(),
                        dir: path.clone(),
                    });
                }
                return Ok((SourceDir::dir(resolved), true));
            }
            Some(Replacement::Module { module }) => module.clone(),
            None => m.module.clone(),
        };
        self.cached_module(&m.module, &fetch).map(|d| (d, false))
    }

    /// modfetch.DownloadDir, else the zip in cache/download (what Download would extract).
    fn cached_module(
        &self,
        required: &ModuleVersion,
        fetch: &ModuleVersion,
    ) -> Result<SourceDir, PackageError> {
        let missing = || PackageError::MissingSource {
            module: required.clone(),
            fetch: fetch.clone(),
            command: format!("go mod download {}@{}", fetch.path, fetch.version),
        };
        let (Ok(ep), Ok(ev)) = (
            module::escape_path(&fetch.path),
            module::escape_version(&fetch.version),
        ) else {
            return Err(missing());
        };
        let root = &self.set.gomodcache;
        let dir = root.join(format!("{ep}@{ev}"));
        let download = root.join("cache/download").join(&ep).join("@v");
        // A .partial file marks an extraction that did not finish.
        if dir.is_dir() && !download.join(format!("{ev}.partial")).exists() {
            return Ok(SourceDir::dir(dir));
        }
        let zip = download.join(format!("{ev}.zip"));
        if zip.is_file() && self.cache.zip_ok(&zip).is_ok() {
            return Ok(SourceDir::Zip {
                zip,
                dir: format!("{}@{}", fetch.path, fetch.version),
            });
        }
        Err(missing())
    }

    /// dirInModule: the directory that would hold `path` in module `mpath` rooted at `root`
    /// (None when `path` is not inside `mpath`, or, in a local tree, when a go.mod between
    /// the root and that directory makes it another module's), and whether it holds .go
    /// files (ignoring build constraints, as Go does).
    fn dir_in_module(
        &self,
        path: &str,
        mpath: &str,
        root: &SourceDir,
        local: bool,
    ) -> Result<Option<(SourceDir, bool)>, PackageError> {
        let rel = if path == mpath {
            ""
        } else if mpath.is_empty() {
            path
        } else if path.len() > mpath.len()
            && path.as_bytes()[mpath.len()] == b'/'
            && path.starts_with(mpath)
        {
            &path[mpath.len() + 1..]
        } else {
            return Ok(None);
        };
        let dir = root.join(rel);
        if local && !rel.is_empty() {
            let mut r = rel;
            loop {
                if self.cache.scan(&root.join(r)).has_go_mod {
                    return Ok(None);
                }
                match r.rfind('/') {
                    Some(i) => r = &r[..i],
                    None => break,
                }
            }
        }
        let scan = self.cache.scan(&dir);
        if let Some(e) = &scan.error {
            return Err(PackageError::Io { message: e.clone() });
        }
        Ok(Some((dir, scan.has_go_files)))
    }

    /// importFromModules.
    pub(crate) fn resolve(&self, path: &str) -> Result<Resolution, PackageError> {
        let invalid = |message: String| Err(PackageError::InvalidImport { message });
        if path.contains('@') {
            return invalid(format!("import path {path:?} should not have @version"));
        }
        if path == "." || path == ".." || path.starts_with("./") || path.starts_with("../") {
            return invalid(format!(
                "{path:?} is relative, but relative import paths are not supported in module mode"
            ));
        }
        if path.starts_with('/') {
            return invalid(format!(
                "{path:?} is not a package path; see 'go help packages'"
            ));
        }
        if matches!(path, "std" | "cmd" | "tool" | "work" | "all") {
            return invalid(format!(
                "{path:?} is not an importable package; see 'go help packages'"
            ));
        }
        if let Err(e) = module::check_import_path(path) {
            return invalid(e.to_string());
        }

        let mut found: Vec<(Option<ModRef>, SourceDir)> = Vec::new();
        let path_is_std = is_standard_import_path(path);
        let mut std_dir = None;
        if path_is_std {
            if let Some(goroot) = &self.set.goroot {
                let d = goroot.join("src").join(path);
                if self.cache.scan(&SourceDir::dir(&d)).has_go_files {
                    found.push((None, SourceDir::dir(&d)));
                    std_dir = Some(d);
                }
            }
        }

        if let Some(v) = &self.set.vendor {
            return self.resolve_vendor(path, v, std_dir);
        }

        // Modules whose path is a prefix of the import path, longest first; roots only in
        // the first pass when the graph is pruned (cmd/go loads the full graph only when the
        // roots do not provide the package).
        let mut candidates: Vec<ModRef> = Vec::new();
        let mut prefix = path;
        loop {
            // gover.IsToolchain: the synthetic "go" and "toolchain" modules hold no packages.
            if prefix != "go" && prefix != "toolchain" {
                if let Some(r) = self.by_path.get(prefix) {
                    candidates.push(*r);
                }
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => break,
            }
        }
        let pruned = self.set.workspace
            || self
                .set
                .go_version
                .as_deref()
                .is_some_and(|v| gover::compare(v, "1.17") != std::cmp::Ordering::Less);
        let passes: &[bool] = if pruned { &[true, false] } else { &[false] };
        for &roots_only in passes {
            let mut mods = found.clone();
            for &r in &candidates {
                if roots_only {
                    if let ModRef::Dep(i) = r {
                        if !self.set.modules[i].root {
                            continue;
                        }
                    }
                }
                let (root, local) = self.module_root(r)?;
                let mpath = match r {
                    ModRef::Main(i) => self.set.main_modules[i].path.as_str(),
                    ModRef::Dep(i) => self.set.modules[i].module.path.as_str(),
                };
                if let Some((dir, true)) = self.dir_in_module(path, mpath, &root, local)? {
                    mods.push((Some(r), dir));
                }
            }
            if mods.len() > 1 {
                // Reported shortest module path first; the standard library first of all.
                let (std, mut rest): (Vec<_>, Vec<_>) =
                    mods.into_iter().partition(|m| m.0.is_none());
                rest.reverse();
                let candidates = std
                    .into_iter()
                    .chain(rest)
                    .map(|(r, dir)| super::AmbiguousCandidate {
                        module: r.map(|r| {
                            let pm = self.package_module(r);
                            ModuleVersion::new(pm.path, pm.version)
                        }),
                        dir: self.display_dir(&dir),
                    })
                    .collect();
                return Err(PackageError::Ambiguous {
                    path: path.to_string(),
                    candidates,
                    modules: true,
                });
            }
            if let Some((r, dir)) = mods.pop() {
                return Ok(match r {
                    None => Resolution::Std { dir: std_dir },
                    Some(r) => Resolution::Found {
                        module: Some(self.package_module(r)),
                        dir,
                    },
                });
            }
        }
        if path_is_std {
            if self.set.goroot.is_none() {
                // Without a Go installation, a dotless path no module provides is taken to
                // be standard.
                return Ok(Resolution::Std { dir: None });
            }
            let goroot = self.set.goroot.as_deref().unwrap_or(Path::new(""));
            return Err(PackageError::NotInStd {
                path: path.to_string(),
                dir: goroot.join("src").join(path),
            });
        }
        Err(PackageError::NoRequiredModule {
            path: path.to_string(),
        })
    }

    /// importFromModules under -mod=vendor: the main modules and the vendor directory only.
    fn resolve_vendor(
        &self,
        path: &str,
        v: &VendorTree,
        std_dir: Option<PathBuf>,
    ) -> Result<Resolution, PackageError> {
        // (module, directory, standard)
        let mut found: Vec<(Option<PackageModule>, SourceDir, bool)> = Vec::new();
        if let Some(d) = &std_dir {
            found.push((None, SourceDir::dir(d), true));
        }
        let mut main_err = None;
        for (i, m) in self.set.main_modules.iter().enumerate() {
            match self.dir_in_module(path, &m.path, &SourceDir::dir(&m.dir), true) {
                Err(e) => {
                    main_err.get_or_insert(e);
                }
                Ok(Some((dir, true))) => {
                    found.push((Some(self.package_module(ModRef::Main(i))), dir, false));
                }
                Ok(_) => {}
            }
        }
        if let Ok(Some((dir, true))) = self.dir_in_module(path, "", &SourceDir::dir(&v.dir), false)
        {
            // Go 1.23 and later need vendored packages to be listed in modules.txt.
            let listed = self.vendor_pkgs.get(path).copied();
            let old = self
                .set
                .go_version
                .as_deref()
                .is_some_and(|g| gover::compare(g, "1.23") == std::cmp::Ordering::Less);
            if listed.is_some() || old {
                let main_dir = v.dir.parent().unwrap_or(Path::new(""));
                let module = listed.map(|i| {
                    let vm = &v.modules_txt.modules[i];
                    PackageModule {
                        path: vm.module.path.clone(),
                        version: vm.module.version.clone(),
                        replace: vm.replacement.as_ref().map(|r| {
                            if r.version.is_empty() {
                                Replacement::Dir {
                                    path: r.path.clone(),
                                    resolved: crate::paths::join(main_dir, &r.path),
                                }
                            } else {
                                Replacement::Module { module: r.clone() }
                            }
                        }),
                        main: false,
                    }
                });
                found.push((module, dir, false));
            }
        }
        if found.len() > 1 {
            let candidates = found
                .iter()
                .map(|(_, d, _)| super::AmbiguousCandidate {
                    module: None,
                    dir: self.display_dir(d),
                })
                .collect();
            return Err(PackageError::Ambiguous {
                path: path.to_string(),
                candidates,
                modules: false,
            });
        }
        if let Some(e) = main_err {
            return Err(e);
        }
        match found.pop() {
            Some((_, _, true)) => Ok(Resolution::Std { dir: std_dir }),
            Some((module, dir, false)) => Ok(Resolution::Found { module, dir }),
            None if is_standard_import_path(path) && self.set.goroot.is_none() => {
                Ok(Resolution::Std { dir: None })
            }
            None => Err(PackageError::NoRequiredModule {
                path: path.to_string(),
            }),
        }
    }

    /// A directory as Go would name it (a zip directory as its extracted location).
    pub(crate) fn display_dir(&self, d: &SourceDir) -> String {
        match d {
            SourceDir::Dir { path } => path.display().to_string(),
            SourceDir::Zip { dir, .. } => self.extracted_path(dir).display().to_string(),
        }
    }

    /// `module@version/sub` inside a zip → `$GOMODCACHE/<escaped module@version>/sub`.
    pub(crate) fn extracted_path(&self, zip_dir: &str) -> PathBuf {
        let (mv, sub) = match zip_dir.find('/') {
            Some(i) => {
                // The module path itself contains slashes: split at the `@`.
                let at = zip_dir.find('@').unwrap_or(i);
                match zip_dir[at..].find('/') {
                    Some(j) => (&zip_dir[..at + j], &zip_dir[at + j + 1..]),
                    None => (zip_dir, ""),
                }
            }
            None => (zip_dir, ""),
        };
        let escaped = match mv.split_once('@') {
            Some((p, v)) => format!(
                "{}@{}",
                module::escape_path(p).unwrap_or_else(|_| p.to_string()),
                module::escape_version(v).unwrap_or_else(|_| v.to_string())
            ),
            None => mv.to_string(),
        };
        let base = self.set.gomodcache.join(escaped);
        if sub.is_empty() {
            base
        } else {
            base.join(sub)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(dir: &Path, modules: Vec<ModuleEntry>) -> ModuleSet {
        ModuleSet {
            main_modules: vec![MainModule {
                path: "example.com/m".into(),
                dir: dir.join("m"),
            }],
            modules,
            go_version: Some("1.22".into()),
            workspace: false,
            vendor: None,
            gomodcache: dir.join("modcache"),
            goroot: None,
            primary: 0,
        }
    }

    fn write(dir: &Path, rel: &str, text: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn nested_modules_and_std_without_goroot() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(d, "m/go.mod", "module example.com/m\n");
        write(d, "m/a/a.go", "package a\n");
        write(d, "m/n/go.mod", "module example.com/m/n\n");
        write(d, "m/n/x/x.go", "package x\n");
        let set = set(d, Vec::new());
        let cache = ScanCache::new();
        let r = Resolver::new(&set, &cache);
        assert!(matches!(
            r.resolve("example.com/m/a"),
            Ok(Resolution::Found { .. })
        ));
        // Below m/n/go.mod the directory is another module's: nothing provides it here.
        assert_eq!(
            r.resolve("example.com/m/n/x").unwrap_err().to_string(),
            "no required module provides package example.com/m/n/x; to add it:\n\tgo get example.com/m/n/x"
        );
        // No GOROOT: a dotless path no module provides is standard.
        assert_eq!(
            r.resolve("net/http").unwrap(),
            Resolution::Std { dir: None }
        );
        assert_eq!(
            r.resolve("./x").unwrap_err().to_string(),
            "\"./x\" is relative, but relative import paths are not supported in module mode"
        );
        assert!(r.resolve("example.com/m@v1").is_err());
    }

    #[test]
    fn module_cache_then_zip_then_missing() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write(d, "m/go.mod", "module example.com/m\n");
        let dep = ModuleEntry {
            module: ModuleVersion::new("example.com/Dep", "v1.0.0"),
            replace: None,
            root: true,
        };
        let set = set(d, vec![dep]);
        // Extracted: escaped path (!dep for the upper-case letter).
        write(d, "modcache/example.com/!dep@v1.0.0/p/p.go", "package p\n");
        let cache = ScanCache::new();
        match Resolver::new(&set, &cache).resolve("example.com/Dep/p") {
            Ok(Resolution::Found { module, dir }) => {
                assert_eq!(module.unwrap().version, "v1.0.0");
                assert_eq!(
                    dir,
                    SourceDir::dir(d.join("modcache/example.com/!dep@v1.0.0/p"))
                );
            }
            other => panic!("{other:?}"),
        }
        // Nothing at all: the command that fetches it.
        std::fs::remove_dir_all(d.join("modcache/example.com")).unwrap();
        let err = Resolver::new(&set, &cache)
            .resolve("example.com/Dep/p")
            .unwrap_err();
        assert!(matches!(
            &err,
            PackageError::MissingSource { command, .. } if command == "go mod download example.com/Dep@v1.0.0"
        ));
        // The zip in cache/download.
        let zip_path = d.join("modcache/cache/download/example.com/!dep/@v/v1.0.0.zip");
        std::fs::create_dir_all(zip_path.parent().unwrap()).unwrap();
        let mut z = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
        z.start_file(
            "example.com/Dep@v1.0.0/p/p.go",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        std::io::Write::write_all(&mut z, b"package p\n").unwrap();
        z.finish().unwrap();
        let r = Resolver::new(&set, &cache);
        match r.resolve("example.com/Dep/p") {
            Ok(Resolution::Found { dir, .. }) => {
                assert_eq!(
                    dir,
                    SourceDir::Zip {
                        zip: zip_path.clone(),
                        dir: "example.com/Dep@v1.0.0/p".into()
                    }
                );
                // Shown where Go would extract it.
                assert_eq!(
                    r.display_dir(&dir),
                    d.join("modcache/example.com/!dep@v1.0.0/p")
                        .display()
                        .to_string()
                );
            }
            other => panic!("{other:?}"),
        }
    }
}
