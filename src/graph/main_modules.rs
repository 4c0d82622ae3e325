//! The main modules (one, or the `use`d modules of a workspace) and what they decide for
//! every other module: replacements and exclusions (cmd/go's MainModuleSet as
//! makeMainModules builds it, replacementFrom, canonicalizeReplacePath, CheckExclusions).

use super::{GraphError, Replacement};
use crate::gomod::{self, ModFile};
use crate::module::ModuleVersion;
use crate::paths::join as clean_join;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

pub(crate) struct MainModule {
    pub path: String,
    pub dir: PathBuf,
    pub file: ModFile,
}

/// One file's `replace` directives (toReplaceMap): `old@v` or every version of `old`.
#[derive(Default)]
struct ReplaceMap {
    exact: HashMap<ModuleVersion, ModuleVersion>,
    any: HashMap<String, ModuleVersion>,
}

impl ReplaceMap {
    /// toReplaceMap: the same `old` replaced twice, differently, is Go's fatal error.
    fn of(replaces: &[gomod::Replace]) -> Result<ReplaceMap, GraphError> {
        let mut map = ReplaceMap::default();
        for r in replaces {
            let prev = if r.old.version.is_empty() {
                map.any.insert(r.old.path.clone(), r.new.clone())
            } else {
                map.exact.insert(r.old.clone(), r.new.clone())
            };
            if let Some(prev) = prev.filter(|p| *p != r.new) {
                return Err(GraphError::Go(format!(
                    "go: conflicting replacements for {}:\n\t{}\n\t{}",
                    r.old, prev, r.new
                )));
            }
        }
        Ok(map)
    }

    fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.any.is_empty()
    }

    /// cmd/go's `replacement`: a version-specific replacement wins over a path-wide one.
    /// Returns whether the match was version-specific.
    fn get(&self, m: &ModuleVersion) -> Option<(bool, &ModuleVersion)> {
        if let Some(r) = self.exact.get(m) {
            return Some((true, r));
        }
        self.any.get(&m.path).map(|r| (false, r))
    }
}

/// Where a replacement was written: go.work (or the single main module's go.mod), or the
/// go.mod of workspace module `i`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum From {
    Top,
    Module(usize),
}

pub(crate) struct MainModules {
    pub modules: Vec<MainModule>,
    /// The go.work directory, in workspace mode.
    pub work_dir: Option<PathBuf>,
    paths: HashSet<String>,
    /// go.work's replacements, or the single main module's.
    top_replace: ReplaceMap,
    /// Each workspace module's own replacements (its index.replace).
    module_replace: Vec<ReplaceMap>,
    exclude: HashSet<ModuleVersion>,
    /// No file replaces anything (the common case: lookups are skipped).
    no_replacements: bool,
}

impl MainModules {
    /// One main module (module mode).
    pub fn single(dir: &Path, file: ModFile) -> Result<MainModules, GraphError> {
        let path = file
            .module
            .as_ref()
            .map(|m| m.path.clone())
            .unwrap_or_default();
        let top_replace = ReplaceMap::of(&file.replace)?;
        let exclude = file.exclude.iter().map(|e| e.module.clone()).collect();
        Ok(MainModules {
            paths: HashSet::from([path.clone()]),
            modules: vec![MainModule {
                path,
                dir: dir.to_path_buf(),
                file,
            }],
            work_dir: None,
            no_replacements: top_replace.is_empty(),
            top_replace,
            module_replace: vec![ReplaceMap::default()],
            exclude,
        })
    }

    /// The modules of a workspace, as makeMainModules checks them.
    pub fn workspace(
        work_dir: &Path,
        modules: Vec<MainModule>,
        work_replace: &[gomod::Replace],
    ) -> Result<MainModules, GraphError> {
        let mut paths = HashSet::new();
        for m in &modules {
            if !paths.insert(m.path.clone()) {
                return Err(GraphError::Go(format!(
                    "go: module {} appears multiple times in workspace",
                    m.path
                )));
            }
        }
        let top_replace = ReplaceMap::of(work_replace)?;
        let mut replaced_by_work: HashSet<&str> = HashSet::new();
        for r in work_replace {
            if paths.contains(&r.old.path) && r.old.version.is_empty() {
                return Err(GraphError::Go(format!(
                    "go: workspace module {} is replaced at all versions in the go.work file. To fix, remove the replacement from the go.work file or specify the version at which to replace the module.",
                    r.old.path
                )));
            }
            replaced_by_work.insert(&r.old.path);
        }
        // Replacements of the same module version by two modules must agree, comparing
        // directories as absolute paths (a go.work replacement of the path settles it).
        let mut seen: HashMap<ModuleVersion, (ModuleVersion, usize)> = HashMap::new();
        let mut module_replace = Vec::with_capacity(modules.len());
        for (i, m) in modules.iter().enumerate() {
            for r in &m.file.replace {
                if replaced_by_work.contains(r.old.path.as_str()) {
                    continue;
                }
                let mut new = r.new.clone();
                if new.version.is_empty() && !Path::new(&new.path).is_absolute() {
                    new.path = clean_join(&m.dir, &new.path).display().to_string();
                }
                if let Some((prev, j)) = seen.get(&r.old) {
                    if *j != i && *prev != new {
                        return Err(GraphError::Go(format!(
                            "go: conflicting replacements for {old}:\n\t{prev}\n\t{new}\nuse \"go work edit -replace {old}=[override]\" to resolve",
                            old = r.old,
                        )));
                    }
                }
                seen.insert(r.old.clone(), (new, i));
            }
            module_replace.push(ReplaceMap::of(&m.file.replace)?);
        }
        let exclude = modules
            .iter()
            .flat_map(|m| m.file.exclude.iter().map(|e| e.module.clone()))
            .collect();
        Ok(MainModules {
            modules,
            work_dir: Some(work_dir.to_path_buf()),
            paths,
            no_replacements: top_replace.is_empty()
                && module_replace.iter().all(ReplaceMap::is_empty),
            top_replace,
            module_replace,
            exclude,
        })
    }

    /// Paths some main module requires directly (no `// indirect`): `go list -m`'s
    /// `Indirect` is false for them.
    pub fn direct(&self) -> foldhash::HashSet<&str> {
        self.modules
            .iter()
            .flat_map(|m| m.file.require.iter())
            .filter(|r| !r.indirect)
            .map(|r| r.module.path.as_str())
            .collect()
    }

    pub fn contains(&self, path: &str) -> bool {
        // Asked for every module of every graph; most have one main module.
        if self.modules.len() <= 4 {
            return self.modules.iter().any(|m| m.path == path);
        }
        self.paths.contains(path)
    }

    /// Whether a main module excludes `m` (requirements on it are dropped).
    pub fn excluded(&self, m: &ModuleVersion) -> bool {
        !self.exclude.is_empty() && self.exclude.contains(m)
    }

    /// replacementFrom: go.work's replacements first, then each workspace module's, the
    /// last match winning. The workspace version of a main module is never replaced.
    pub fn replacement(&self, m: &ModuleVersion) -> Option<(&ModuleVersion, From)> {
        if m.version.is_empty() && self.contains(&m.path) {
            return None;
        }
        if self.no_replacements {
            return None;
        }
        if let Some((_, r)) = self.top_replace.get(m) {
            return Some((r, From::Top));
        }
        let mut found = None;
        for (i, map) in self.module_replace.iter().enumerate() {
            if let Some((_, r)) = map.get(m) {
                found = Some((r, From::Module(i)));
            }
        }
        found
    }

    /// replacementFrom's error: an earlier workspace module matched `m` and a later one
    /// replaces exactly this version differently.
    pub fn replacement_conflict(&self, m: &ModuleVersion) -> Option<String> {
        if self.top_replace.get(m).is_some() || self.module_replace.len() < 2 {
            return None;
        }
        let mut found: Option<(&ModuleVersion, usize)> = None;
        for (i, map) in self.module_replace.iter().enumerate() {
            if let Some((exact, r)) = map.get(m) {
                if let Some((prev, j)) = found {
                    if exact && prev != r {
                        return Some(format!(
                            "conflicting replacements found for {m} in workspace modules defined by {} and {}",
                            self.modules[j].dir.join("go.mod").display(),
                            self.modules[i].dir.join("go.mod").display()
                        ));
                    }
                }
                found = Some((r, i));
            }
        }
        None
    }

    /// The directory a replacement path is relative to.
    fn base_dir(&self, from: From) -> &Path {
        match from {
            From::Module(i) => &self.modules[i].dir,
            From::Top => self
                .work_dir
                .as_deref()
                .unwrap_or_else(|| &self.modules[0].dir),
        }
    }

    /// The module whose go.mod is read for `m` (resolveReplacement, with a directory made
    /// absolute as rawGoModData joins it).
    pub fn actual<'m>(&'m self, m: &'m ModuleVersion) -> Cow<'m, ModuleVersion> {
        match self.replacement(m) {
            None => Cow::Borrowed(m),
            Some((r, _)) if !r.version.is_empty() => Cow::Borrowed(r),
            Some((r, from)) => {
                let dir = if Path::new(&r.path).is_absolute() {
                    PathBuf::from(&r.path)
                } else {
                    clean_join(self.base_dir(from), &r.path)
                };
                Cow::Owned(ModuleVersion::new(dir.display().to_string(), ""))
            }
        }
    }

    /// The replacement as `go list -m` shows it (canonicalizeReplacePath: a workspace
    /// module's directory replacement is shown relative to the workspace).
    pub fn shown_replacement(&self, m: &ModuleVersion) -> Option<Replacement> {
        let (r, from) = self.replacement(m)?;
        if !r.version.is_empty() {
            return Some(Replacement::Module { module: r.clone() });
        }
        let abs = if Path::new(&r.path).is_absolute() {
            PathBuf::from(&r.path)
        } else {
            clean_join(self.base_dir(from), &r.path)
        };
        let path = match (from, &self.work_dir) {
            (From::Module(_), Some(work)) if !Path::new(&r.path).is_absolute() => {
                to_directory_path(&relative(work, &abs))
            }
            _ => r.path.clone(),
        };
        let resolved = abs.canonicalize().unwrap_or(abs);
        Some(Replacement::Dir { path, resolved })
    }
}

/// filepath.Rel of two cleaned absolute paths.
fn relative(base: &Path, target: &Path) -> PathBuf {
    let b: Vec<Component> = base.components().collect();
    let t: Vec<Component> = target.components().collect();
    let common = b.iter().zip(&t).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// modload.ToDirectoryPath: a relative path made to start with `./` or `../`.
fn to_directory_path(p: &Path) -> String {
    let s = p.display().to_string();
    if s == "." || s == ".." || s.starts_with("./") || s.starts_with("../") || s.starts_with('/') {
        s
    } else {
        format!("./{s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_go_cleans_them() {
        assert_eq!(
            clean_join(Path::new("/w/m1"), "../x/./y"),
            PathBuf::from("/w/x/y")
        );
        assert_eq!(clean_join(Path::new("/"), "../x"), PathBuf::from("/x"));
        assert_eq!(
            relative(Path::new("/w"), Path::new("/w/m1/x")),
            PathBuf::from("m1/x")
        );
        assert_eq!(
            relative(Path::new("/w/a"), Path::new("/w/b")),
            PathBuf::from("../b")
        );
        assert_eq!(to_directory_path(Path::new("m1/x")), "./m1/x");
        assert_eq!(to_directory_path(Path::new("../b")), "../b");
    }
}
