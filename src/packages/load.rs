//! Loading: main packages, the transitive import walk (breadth-first, each level's packages
//! in parallel), and per artifact the linked set, dependency order and problems.

use super::context::{BuildContext, FileClass};
use super::resolve::{Resolution, Resolver};
use super::source::{ScanCache, SourceDir};
use super::{
    Artifact, ArtifactKind, Loaded, MissingModule, ModuleSet, Package, PackageError, PackageModule,
    Problem, ProblemKind, Roots,
};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Loads the artifacts of `set`'s primary main module under `ctx`: finds the main packages
/// (or takes `roots.dirs`), walks their imports and resolves each to its module and
/// directory. Never fails: every gap is a `Problem` of the artifacts it affects.
pub fn load(set: &ModuleSet, ctx: &BuildContext, roots: &Roots, cache: &ScanCache) -> Loaded {
    let l = Loader {
        set,
        ctx,
        cache,
        resolver: Resolver::new(set, cache),
    };
    l.run(roots)
}

/// The files each standard-library package compiles under `ctx`, for every std package
/// `roots` reach (imports inside GOROOT; a std package's dotted import is GOROOT's
/// vendor/ copy, as go/build's vendor search finds it). Build tags select std files too
/// (`netgo` changes net's, `osusergo` os/user's), and plugin.Open compares std packages
/// like any other, so two sides built with different tags compare these. None without a
/// GOROOT, or when a std package cannot be read (the difference is then unknown).
pub fn std_files<'r>(
    set: &ModuleSet,
    ctx: &BuildContext,
    roots: impl IntoIterator<Item = &'r str>,
    cache: &ScanCache,
) -> Option<BTreeMap<String, Vec<String>>> {
    let src = set.goroot.as_ref()?.join("src");
    let l = Loader {
        set,
        ctx,
        cache,
        resolver: Resolver::new(set, cache),
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut queued: HashSet<String> = roots.into_iter().map(str::to_string).collect();
    let mut frontier: Vec<String> = queued.iter().cloned().collect();
    while !frontier.is_empty() {
        let batch: Vec<Package> = frontier
            .par_iter()
            .map(|p| l.assemble(p, &SourceDir::dir(src.join(p)), None))
            .collect();
        frontier = Vec::new();
        for p in batch {
            if p.error.is_some() {
                return None;
            }
            for imp in p.imports.iter().chain(&p.implicit_imports) {
                let imp = if super::is_standard_import_path(imp) {
                    imp.clone()
                } else {
                    format!("vendor/{imp}")
                };
                if queued.insert(imp.clone()) {
                    frontier.push(imp);
                }
            }
            out.insert(p.import_path, p.go_files);
        }
    }
    Some(out)
}

struct Loader<'a> {
    set: &'a ModuleSet,
    ctx: &'a BuildContext,
    cache: &'a ScanCache,
    resolver: Resolver<'a>,
}

/// A main package to build: import path, directory, path relative to its module root.
struct Root {
    path: String,
    dir: PathBuf,
    rel: String,
}

impl Loader<'_> {
    fn run(&self, roots: &Roots) -> Loaded {
        let mut out = Loaded::default();
        let Some(primary) = self.set.primary_module() else {
            out.errors.push("no main module".to_string());
            return out;
        };
        let explicit = roots.dirs.is_some();
        let mains: Vec<Root> = match &roots.dirs {
            Some(dirs) => dirs
                .iter()
                .filter_map(|d| match self.root_for_dir(&primary.dir, d) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        out.errors.push(e);
                        None
                    }
                })
                .collect(),
            None => self.find_main_packages(&primary.path, &primary.dir),
        };
        // The linker adds runtime (load.LinkerDeps); -buildmode=plugin links externally,
        // which adds runtime/cgo; GOARCH=arm adds math for soft float.
        let mut linker: Vec<String> = vec!["runtime".into()];
        if roots.kind == ArtifactKind::Plugin {
            linker.push("runtime/cgo".into());
        }
        if self.ctx.goarch == "arm" {
            linker.push("math".into());
        }
        let root_paths: Vec<String> = mains.iter().map(|r| r.path.clone()).collect();
        out.packages = self.walk(&root_paths, &linker);
        for r in &mains {
            let mut a = self.artifact(roots.kind, r, &out.packages);
            if roots.kind == ArtifactKind::Plugin && !self.ctx.cgo_enabled {
                a.problems.insert(
                    0,
                    Problem {
                        stack: vec![r.path.clone()],
                        error: ProblemKind::PluginWithoutCgo,
                    },
                );
            }
            if roots.kind == ArtifactKind::Host
                && !explicit
                && !a.packages.iter().any(|p| p == "plugin")
            {
                continue;
            }
            if explicit {
                if let Some(p) = out.packages.get(&r.path) {
                    if p.error.is_none() && p.name != "main" {
                        out.errors.push(format!(
                            "{} is package {}, not a main package",
                            r.path, p.name
                        ));
                    }
                }
            }
            out.artifacts.push(a);
        }
        if out.artifacts.is_empty() && !explicit {
            out.errors.push(match roots.kind {
                ArtifactKind::Host => {
                    format!("no main package of {} imports \"plugin\"", primary.path)
                }
                ArtifactKind::Plugin => format!("no main package in {}", primary.path),
            });
        }
        if !out.artifacts.is_empty() || explicit {
            // Keep only packages some artifact links (host discovery loads every main).
            let linked: HashSet<&str> = out
                .artifacts
                .iter()
                .flat_map(|a| a.packages.iter().map(String::as_str))
                .collect();
            out.packages.retain(|k, _| linked.contains(k.as_str()));
        }
        let mut missing: BTreeSet<MissingModule> = BTreeSet::new();
        for p in out.packages.values() {
            if let Some(PackageError::MissingSource {
                module, command, ..
            }) = &p.error
            {
                missing.insert(MissingModule {
                    module: module.clone(),
                    command: command.clone(),
                });
            }
        }
        out.missing_modules = missing.into_iter().collect();
        out
    }

    /// A package directory given by the user: its import path in the main module that
    /// holds it.
    fn root_for_dir(&self, base: &Path, d: &Path) -> Result<Root, String> {
        // An absolute `d` replaces `base` in the join, as in filepath.Join's use here.
        let dir = crate::paths::join(base, d);
        let best = self
            .set
            .main_modules
            .iter()
            .filter_map(|m| {
                let root = crate::paths::clean(&m.dir);
                dir.strip_prefix(&root)
                    .ok()
                    .map(|rel| (m, rel.to_path_buf()))
            })
            .max_by_key(|(m, _)| m.dir.as_os_str().len());
        let Some((m, rel)) = best else {
            return Err(format!(
                "directory {} is outside main module or its selected dependencies",
                dir.display()
            ));
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let path = if rel.is_empty() {
            m.path.clone()
        } else {
            format!("{}/{}", m.path, rel)
        };
        Ok(Root {
            path,
            dir,
            rel: if rel.is_empty() { ".".into() } else { rel },
        })
    }

    /// Every `package main` of the module at `root` (cmd/go's `./...` walk: not into
    /// vendor/, testdata/, `_x`, `.x` or nested modules).
    fn find_main_packages(&self, module_path: &str, root: &Path) -> Vec<Root> {
        let mut dirs: Vec<String> = Vec::new();
        let mut stack: Vec<String> = vec![String::new()];
        while let Some(rel) = stack.pop() {
            let dir = SourceDir::dir(root.join(&rel));
            let scan = self.cache.scan(&dir);
            if !rel.is_empty() && scan.has_go_mod {
                continue;
            }
            if !scan.go_files.is_empty() {
                dirs.push(rel.clone());
            }
            for sub in scan.subdirs.iter().rev() {
                if sub.starts_with('.')
                    || sub.starts_with('_')
                    || sub == "testdata"
                    || sub == "vendor"
                {
                    continue;
                }
                stack.push(if rel.is_empty() {
                    sub.clone()
                } else {
                    format!("{rel}/{sub}")
                });
            }
        }
        let mut mains: Vec<Root> = dirs
            .par_iter()
            .filter_map(|rel| {
                let dir = root.join(rel);
                let path = if rel.is_empty() {
                    module_path.to_string()
                } else {
                    format!("{module_path}/{rel}")
                };
                let p = self.assemble(&path, &SourceDir::dir(&dir), None);
                (p.name == "main").then(|| Root {
                    path,
                    dir,
                    rel: if rel.is_empty() {
                        ".".into()
                    } else {
                        rel.clone()
                    },
                })
            })
            .collect();
        mains.sort_by(|a, b| a.path.cmp(&b.path));
        mains
    }

    /// Loads `roots` and everything they import, level by level, each level in parallel.
    fn walk(&self, roots: &[String], linker: &[String]) -> BTreeMap<String, Package> {
        let mut done: BTreeMap<String, Package> = Default::default();
        let mut queued: HashSet<String> = roots.iter().cloned().collect();
        let root_set: HashSet<&str> = roots.iter().map(String::as_str).collect();
        let mut frontier: Vec<String> = roots.to_vec();
        while !frontier.is_empty() {
            let batch: Vec<Package> = frontier
                .par_iter()
                .map(|p| {
                    let mut pkg = self.load_path(p);
                    if root_set.contains(p.as_str()) {
                        for l in linker {
                            if !pkg.implicit_imports.contains(l) && !pkg.imports.contains(l) {
                                pkg.implicit_imports.push(l.clone());
                            }
                        }
                    }
                    pkg
                })
                .collect();
            frontier = Vec::new();
            for p in batch {
                for imp in p.imports.iter().chain(&p.implicit_imports) {
                    if queued.insert(imp.clone()) {
                        frontier.push(imp.clone());
                    }
                }
                done.insert(p.import_path.clone(), p);
            }
        }
        done
    }

    fn load_path(&self, path: &str) -> Package {
        match self.resolver.resolve(path) {
            Ok(Resolution::Std { dir }) => Package {
                source: dir.as_ref().map(SourceDir::dir),
                dir,
                ..Package::known(path, true, None)
            },
            Ok(Resolution::Found { module, dir }) => self.assemble(path, &dir, module),
            Err(e) => Package {
                error: Some(e),
                ..Package::known(path, false, None)
            },
        }
    }

    /// go/build's Context.Import for one directory: which files are compiled, the package
    /// name, the imports, and the first error.
    fn assemble(&self, path: &str, dir: &SourceDir, module: Option<PackageModule>) -> Package {
        let scan = self.cache.scan(dir);
        let shown = self.resolver.display_dir(dir);
        let mut name = String::new();
        let mut first_file = String::new();
        let mut bad: Option<String> = None;
        let mut go_files = Vec::new();
        let mut imports: BTreeSet<String> = BTreeSet::new();
        let mut ignored = 0usize;
        let mut cgo = false;
        for f in &scan.go_files {
            let mut class = self.ctx.classify(&f.name, None);
            let mut header = None;
            if class == FileClass::NeedHeader {
                let h = self.cache.header(dir, f, &format!("{shown}/{}", f.name));
                class = self.ctx.classify(&f.name, Some(&h));
                header = Some(h);
            }
            let h = match (class, header) {
                (FileClass::Compiled, Some(h)) => h,
                (FileClass::Ignored, _) => {
                    ignored += 1;
                    continue;
                }
                (FileClass::Bad(e), _) => {
                    bad.get_or_insert(e);
                    continue;
                }
                _ => continue,
            };
            // A file with a syntax error still counts (its package name too), but the
            // package has an error.
            if let Some(e) = &h.syntax_error {
                bad.get_or_insert_with(|| e.clone());
            }
            let pkg = h.package.clone().unwrap_or_default();
            if name.is_empty() {
                name = pkg;
                first_file = f.name.clone();
            } else if pkg != name {
                // go/build's MultiplePackageError.
                bad.get_or_insert_with(|| {
                    format!(
                        "found packages {name} ({first_file}) and {pkg} ({}) in {shown}",
                        f.name
                    )
                });
            }
            if h.cgo && !self.ctx.cgo_enabled {
                // Import: a cgo file is ignored (imports included) when cgo is off.
                ignored += 1;
                continue;
            }
            cgo |= h.cgo;
            go_files.push(f.name.clone());
            imports.extend(h.imports.iter().filter(|p| *p != "C").cloned());
        }
        if name.is_empty() && go_files.is_empty() && bad.is_none() {
            // A directory of test files only: Go names the package after the first one
            // (without an external test package's `_test`).
            for f in &scan.test_files {
                if f.name.starts_with('_') || f.name.starts_with('.') {
                    continue;
                }
                let h = self.cache.header(dir, f, &format!("{shown}/{}", f.name));
                if let Some(p) = &h.package {
                    name = p.strip_suffix("_test").unwrap_or(p).to_string();
                    break;
                }
            }
        }
        let error = if let Some(message) = bad {
            Some(PackageError::BadFile { message })
        } else if let Some(message) = &scan.error {
            Some(PackageError::Io {
                message: message.clone(),
            })
        } else if go_files.is_empty() {
            // load.NoGoError's three wordings.
            let message = if ignored > 0 {
                format!("build constraints exclude all Go files in {shown}")
            } else if !scan.test_files.is_empty() {
                format!("no non-test Go files in {shown}")
            } else {
                format!("no Go files in {shown}")
            };
            Some(PackageError::NoGoFiles { message })
        } else {
            None
        };
        let mut implicit_imports = Vec::new();
        if cgo {
            // Cgo translation imports these (load.go's addImport for cgo packages).
            for p in ["unsafe", "runtime/cgo", "syscall"] {
                if !imports.contains(p) {
                    implicit_imports.push(p.to_string());
                }
            }
        }
        Package {
            import_path: path.to_string(),
            name,
            standard: false,
            module,
            source: Some(dir.clone()),
            dir: Some(PathBuf::from(shown)),
            go_files,
            imports: imports.into_iter().collect(),
            implicit_imports,
            error,
        }
    }

    /// The closure of one main package: linked packages, dependency order (postorder DFS,
    /// imports sorted, implicit imports after), and the problems on the way with their
    /// import stacks.
    fn artifact(
        &self,
        kind: ArtifactKind,
        root: &Root,
        pkgs: &BTreeMap<String, Package>,
    ) -> Artifact {
        let mut dfs = Dfs {
            pkgs,
            state: HashMap::new(),
            stack: Vec::new(),
            order: Vec::new(),
            problems: Vec::new(),
        };
        dfs.enter(&root.path);
        while let Some(top) = dfs.stack.last_mut() {
            let Some(child) = top.children.get(top.next) else {
                let name = top.name;
                dfs.stack.pop();
                dfs.state.insert(name, Visit::Done);
                dfs.order.push(name.to_string());
                continue;
            };
            top.next += 1;
            let importer = top.name;
            let Some((child, c)) = pkgs.get_key_value(child.as_str()) else {
                continue;
            };
            if child == "." || child == ".." || child.starts_with("./") || child.starts_with("../")
            {
                dfs.edge_problem(
                    child,
                    ProblemKind::LocalImport {
                        path: child.clone(),
                    },
                );
            }
            if c.name == "main" && c.error.is_none() {
                dfs.edge_problem(
                    child,
                    ProblemKind::ImportsProgram {
                        path: child.clone(),
                    },
                );
            }
            if !internal_allowed(importer, c) {
                dfs.edge_problem(
                    child,
                    ProblemKind::Internal {
                        path: child.clone(),
                    },
                );
            }
            match dfs.state.get(child.as_str()) {
                Some(Visit::Active) => dfs.edge_problem(child, ProblemKind::ImportCycle),
                Some(Visit::Done) => {}
                None => dfs.enter(child),
            }
        }
        let mut packages: Vec<String> = dfs.state.keys().map(|k| k.to_string()).collect();
        packages.sort();
        Artifact {
            kind,
            main_package: root.path.clone(),
            dir: root.dir.clone(),
            rel_dir: root.rel.clone(),
            packages,
            order: dfs.order,
            problems: dfs.problems,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Visit {
    Active,
    Done,
}

struct Frame<'p> {
    name: &'p str,
    children: Vec<&'p String>,
    next: usize,
}

/// An iterative depth-first walk (import chains can be deep).
struct Dfs<'p> {
    pkgs: &'p BTreeMap<String, Package>,
    state: HashMap<&'p str, Visit>,
    stack: Vec<Frame<'p>>,
    order: Vec<String>,
    problems: Vec<Problem>,
}

impl<'p> Dfs<'p> {
    fn stack_to(&self, last: &str) -> Vec<String> {
        let mut s: Vec<String> = self.stack.iter().map(|f| f.name.to_string()).collect();
        s.push(last.to_string());
        s
    }

    fn enter(&mut self, name: &str) {
        let Some((key, p)) = self.pkgs.get_key_value(name) else {
            return;
        };
        self.state.insert(key.as_str(), Visit::Active);
        if let Some(e) = &p.error {
            let stack = self.stack_to(key);
            self.problems.push(Problem {
                stack,
                error: ProblemKind::Package(e.clone()),
            });
        }
        self.stack.push(Frame {
            name: key.as_str(),
            children: p.imports.iter().chain(&p.implicit_imports).collect(),
            next: 0,
        });
    }

    fn edge_problem(&mut self, child: &str, error: ProblemKind) {
        let stack = self.stack_to(child);
        self.problems.push(Problem { stack, error });
    }
}

/// load.go's disallowInternal for module builds: a package below an `internal` element is
/// importable only from the tree rooted at the internal element's parent (import paths for
/// module packages; for standard packages, only the standard library itself).
fn internal_allowed(importer: &str, p: &Package) -> bool {
    let path = p.import_path.as_str();
    let i = if path.ends_with("/internal") {
        path.len() - "internal".len()
    } else if let Some(j) = path.rfind("/internal/") {
        j + 1
    } else if path == "internal" || path.starts_with("internal/") {
        0
    } else {
        return true;
    };
    if p.standard {
        // Module packages never live in GOROOT/src.
        return false;
    }
    let parent = &path[..i.saturating_sub(1)];
    importer == parent
        || parent.is_empty()
        || (importer.len() > parent.len()
            && importer.starts_with(parent)
            && importer.as_bytes()[parent.len()] == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(path: &str, standard: bool) -> Package {
        Package::known(path, standard, None)
    }

    #[test]
    fn internal_packages() {
        let p = pkg("example.com/a/internal/x", false);
        assert!(internal_allowed("example.com/a", &p));
        assert!(internal_allowed("example.com/a/b/c", &p));
        assert!(!internal_allowed("example.com/ab", &p));
        assert!(!internal_allowed("example.com/b", &p));
        let p = pkg("example.com/a/internal", false);
        assert!(internal_allowed("example.com/a/x", &p));
        assert!(!internal_allowed("example.com/z", &p));
        assert!(!internal_allowed(
            "example.com/m",
            &pkg("internal/abi", true)
        ));
        assert!(internal_allowed(
            "example.com/m",
            &pkg("example.com/internals/x", false)
        ));
    }
}
