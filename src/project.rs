//! A project as godrift sees it: the host module and its plugin artifacts, each with its
//! go.mod, go.sum, build list, build settings and (from the package stage) the packages it
//! links. A plugin module with several `package main` directories gives one artifact each.

use crate::config::{self, BuildSettings, Config};
use crate::gomod::{self, ModFile, Strictness};
use crate::gosum::{self, GoSum};
use crate::graph::{self, BuildList, LoadOptions, Loader, ModCache};
use crate::span::LineIndex;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{0}")]
    Config(#[from] config::ConfigError),
    #[error("{0}")]
    Graph(#[from] graph::GraphError),
    #[error("{0}")]
    Parse(#[from] gomod::ParseErrors),
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}")]
    Fs(#[from] crate::fsio::FsError),
    #[error("{0}")]
    Invalid(String),
}

/// One buildable artifact: the host program or a plugin.
#[derive(Clone, Debug)]
pub struct Side {
    /// `host`, or the plugin's directory name.
    pub name: String,
    pub dir: PathBuf,
    pub go_mod_path: PathBuf,
    pub go_mod_text: Vec<u8>,
    pub go_mod: ModFile,
    pub go_sum: Option<GoSum>,
    pub build_list: BuildList,
    pub build: BuildSettings,
    /// Go's inconsistent-vendoring messages, when vendor/modules.txt disagrees with go.mod.
    pub vendor_problems: Vec<String>,
    /// vendor/modules.txt and the hashed vendor tree, when the build is vendored.
    pub vendor: Option<crate::integrity::Vendored>,
    /// Main package directories from the config (relative to the module); empty: all.
    pub main_dirs: Vec<PathBuf>,
    /// What this artifact links (the package stage); None when it was not walked, and
    /// every module is then judged at module level.
    pub linked: Option<crate::linkage::Linked>,
    /// Where each module is first mentioned in go.mod, for evidence lines.
    pub(crate) go_mod_index: GoModIndex,
}

/// The first `require` and every `replace` of each module path in a go.mod, and its line
/// starts: built once, so evidence for many modules stays linear.
#[derive(Clone, Debug)]
pub(crate) struct GoModIndex {
    /// The first `require` of each path, and every `replace` of each old path (indices).
    require: foldhash::HashMap<String, usize>,
    replace: foldhash::HashMap<String, Vec<usize>>,
    lines: LineIndex,
}

impl GoModIndex {
    pub(crate) fn new(go_mod: &ModFile, text: &[u8]) -> GoModIndex {
        let mut require = foldhash::HashMap::default();
        require.reserve(go_mod.require.len());
        let mut replace: foldhash::HashMap<String, Vec<usize>> = Default::default();
        for (i, r) in go_mod.require.iter().enumerate() {
            require.entry(r.module.path.clone()).or_insert(i);
        }
        for (i, r) in go_mod.replace.iter().enumerate() {
            replace.entry(r.old.path.clone()).or_default().push(i);
        }
        GoModIndex {
            require,
            replace,
            lines: LineIndex::new(text),
        }
    }
}

/// How to load a project: everything that is not in the project's files is passed here
/// (nothing is read from process-global state).
#[derive(Clone, Default)]
pub struct Options<'a> {
    /// Build lists: the module cache, and whether go.work files count.
    pub graph: LoadOptions,
    /// Where the vendor-hash content cache lives; None: no cache.
    pub cache_dir: Option<PathBuf>,
    /// Told the number of vendored files hashed as they are hashed.
    pub progress: Option<crate::integrity::Progress<'a>>,
    /// vendor/ trees hashed already (`vendor_dirs`), taken instead of scanning again.
    pub prescanned: Option<std::sync::Arc<crate::integrity::Prescanned>>,
    /// Walk each artifact's imports (the package stage). Off, modules are judged whole.
    pub packages: bool,
    /// GOOS/GOARCH when the config does not say (Go's environment; default linux/amd64).
    pub goos: String,
    pub goarch: String,
    /// GOROOT, to tell standard-library imports exactly (without it, dotless import paths
    /// that no module provides are taken as standard).
    pub goroot: Option<PathBuf>,
    /// The Go release building the artifacts when go.mod does not name one (GOVERSION).
    pub go_version: Option<String>,
    /// What Go's environment adds to every `go build` here (GOFLAGS, GOEXPERIMENT).
    pub env_build: EnvBuild,
}

/// Build settings every `go build` on this machine gets from Go's environment (`go env`,
/// so `go env -w` counts): `-trimpath` and `-tags` in GOFLAGS, and GOEXPERIMENT. godrift.toml
/// describes the rest. cmd/go applies GOFLAGS before the command line (base.SetFromGOFLAGS),
/// so a configured `tags` replaces GOFLAGS' `-tags` as a command-line `-tags` would; a
/// configured `trimpath = true` cannot be undone by GOFLAGS, and GOFLAGS' `-trimpath` applies
/// to both sides alike. CGO_ENABLED is left to godrift.toml: `go env` reports 0 on a machine
/// without a C compiler, which says nothing about the machine that builds the artifacts.
#[derive(Clone, Debug, Default)]
pub struct EnvBuild {
    pub trimpath: bool,
    /// Comma-separated, as `-tags` takes them.
    pub tags: String,
    pub goexperiment: String,
}

impl EnvBuild {
    pub fn from_env(env: &crate::goenv::GoEnv) -> EnvBuild {
        EnvBuild {
            trimpath: env.goflags.trimpath,
            tags: env.goflags.tags.join(","),
            goexperiment: env.goexperiment.clone(),
        }
    }

    /// `b` as built here: the configured settings over the environment's.
    pub fn apply(&self, mut b: BuildSettings) -> BuildSettings {
        b.trimpath |= self.trimpath;
        if b.tags.is_empty() {
            b.tags = self.tags.clone();
        }
        if b.goexperiment.is_empty() {
            b.goexperiment = self.goexperiment.clone();
        }
        b
    }
}

/// The default cache directory: `$GODRIFT_CACHE_DIR`, else `$XDG_CACHE_HOME/godrift`, else
/// `$HOME/.cache/godrift`. Only absolute paths count (as the XDG spec says of its variables):
/// an empty HOME or a relative XDG_CACHE_HOME must not put a cache in the current
/// directory. None: no cache.
pub fn default_cache_dir() -> Option<PathBuf> {
    let abs = |k: &str| {
        std::env::var_os(k)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(d) = abs("GODRIFT_CACHE_DIR") {
        return Some(d);
    }
    if let Some(d) = abs("XDG_CACHE_HOME") {
        return Some(d.join("godrift"));
    }
    abs("HOME").map(|h| h.join(".cache/godrift"))
}

impl Side {
    pub fn module_path(&self) -> &str {
        self.go_mod.module.as_ref().map_or("", |m| m.path.as_str())
    }

    /// The first `require` of `path` in go.mod.
    pub fn require_of(&self, path: &str) -> Option<&gomod::Require> {
        let i = *self.go_mod_index.require.get(path)?;
        self.go_mod.require.get(i)
    }

    /// The `replace` directives of `path` in go.mod, in file order.
    pub fn replaces_of<'a>(&'a self, path: &str) -> impl Iterator<Item = &'a gomod::Replace> {
        self.go_mod_index
            .replace
            .get(path)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.go_mod.replace.get(i))
    }

    /// Line starts of go.mod's text.
    pub fn go_mod_lines(&self) -> &LineIndex {
        &self.go_mod_index.lines
    }

    /// The go.mod line (1-based) and text of the first directive mentioning `module`.
    pub fn go_mod_line_for(&self, module: &str) -> Option<(usize, String)> {
        // The first `require` of the module, else its first `replace`.
        let span = match self.go_mod_index.require.get(module) {
            Some(&i) => self.go_mod.require.get(i)?.span,
            None => {
                let &i = self.go_mod_index.replace.get(module)?.first()?;
                self.go_mod.replace.get(i)?.span
            }
        };
        let line = self.go_mod_index.lines.line_col(span.start).line;
        let text = String::from_utf8_lossy(
            self.go_mod_text
                .get(span.start..span.end)
                .unwrap_or_default(),
        )
        .trim()
        .to_string();
        Some((line, text))
    }
}

#[derive(Debug)]
pub struct Project {
    pub root: PathBuf,
    /// The module cache dependencies' go.mod files were read from.
    pub modcache: PathBuf,
    /// The dependencies' go.mod files read for the build lists, for later selections
    /// (proposals) over the same files.
    pub go_mods: ModCache,
    /// The options the build lists were loaded with.
    pub load_options: LoadOptions,
    pub config: Config,
    pub host: Side,
    pub plugins: Vec<Side>,
    pub notes: Vec<String>,
}

/// The build-list options of a side: the project's, with the side's own module cache when
/// its build uses one.
pub fn graph_options(base: &LoadOptions, build: &BuildSettings) -> LoadOptions {
    let mut o = base.clone();
    if !build.modcache.is_empty() {
        o.gomodcache = PathBuf::from(&build.modcache);
    }
    // A command-line -mod wins over GOFLAGS' (base.SetFromGOFLAGS runs first).
    if let Some(m) = build.mod_mode {
        o.mod_mode = Some(m.as_str().to_string());
    }
    o
}

fn load_side(
    name: String,
    dir: &Path,
    build: BuildSettings,
    main_dirs: Vec<PathBuf>,
    go_mods: &ModCache,
    opts: &Options,
    is_host: bool,
) -> Result<Side, ProjectError> {
    let go_mod_path = dir.join("go.mod");
    let text = crate::fsio::read_input(&go_mod_path).map_err(|e| {
        if e.is_not_found() {
            ProjectError::Invalid(format!(
                "{e}: not a Go module (run godrift in the host module, or where godrift.toml is; `godrift init` writes one)"
            ))
        } else {
            e.into()
        }
    })?;
    let go_mod = gomod::parse_mod(
        &go_mod_path.display().to_string(),
        &text,
        Strictness::Strict,
    )?;
    // cmd/go's modload.ReadModFile: a main module needs its module line.
    if go_mod.module.is_none() {
        return Err(ProjectError::Invalid(format!(
            "go: error reading {}: missing module declaration. To specify the module path:\n\tgo mod edit -module=example.com/mod",
            go_mod_path.display()
        )));
    }
    let sum_path = dir.join("go.sum");
    // Only a missing go.sum is no go.sum: an unreadable one is an error, not "no hashes".
    let go_sum = match crate::fsio::read_optional(&sum_path)? {
        Some(data) => Some(gosum::parse(&sum_path.display().to_string(), &data)?),
        None => None,
    };
    // A side built with its own GOMODCACHE reads its dependencies' go.mod files there
    // (the shared go.mod cache keeps each module cache's files apart).
    let graph_opts = graph_options(&opts.graph, &build);
    let loader = Loader::new(&graph_opts, go_mods);
    // The host's graph stays with its list: proposals ask what-if questions about it.
    let mut build_list = loader.load_parsed(dir, &go_mod, is_host)?;
    let mut vendor_problems = Vec::new();
    let mut vendor = None;
    // The graph stage parsed vendor/modules.txt for a vendored list and checked it against
    // the main modules (all of a workspace's): taken from it.
    if let Some(parsed) = build_list.modules_txt.take() {
        let txt = std::sync::Arc::try_unwrap(parsed.txt).unwrap_or_else(|a| (*a).clone());
        vendor_problems = parsed.problems;
        // go.work's go line for `go work vendor` (MainModules.GoVersion).
        let go_version = build_list.go_version.clone().unwrap_or_default();
        let vendor_dir = build_list.main_dir.join("vendor");
        let prescanned = opts.prescanned.as_ref().and_then(|p| p.take(&vendor_dir));
        vendor = Some(match prescanned {
            Some(tree) => crate::integrity::Vendored::with_tree(txt, tree, &go_version),
            None => crate::integrity::Vendored::load(
                txt,
                &vendor_dir,
                &go_version,
                opts.cache_dir.as_deref(),
                opts.progress,
            ),
        });
    }
    Ok(Side {
        go_mod_index: GoModIndex::new(&go_mod, &text),
        name,
        dir: dir.to_path_buf(),
        go_mod_path,
        go_mod_text: text,
        go_mod,
        go_sum,
        build_list,
        build,
        vendor_problems,
        vendor,
        main_dirs,
        linked: None,
    })
}

/// The build context an artifact is compiled under: its GOOS/GOARCH, tags, cgo and
/// GOEXPERIMENT, and the release tags of the Go release that builds it.
pub fn build_context(side: &Side, opts: &Options) -> crate::packages::BuildContext {
    let b = &side.build;
    let or = |v: &str, d: &str| {
        if v.is_empty() {
            d.to_string()
        } else {
            v.to_string()
        }
    };
    let goos = or(
        &b.goos,
        if opts.goos.is_empty() {
            "linux"
        } else {
            &opts.goos
        },
    );
    let goarch = or(
        &b.goarch,
        if opts.goarch.is_empty() {
            "amd64"
        } else {
            &opts.goarch
        },
    );
    let version = toolchain_of(side)
        .or_else(|| opts.go_version.clone())
        .unwrap_or_else(|| crate::packages::context::DEFAULT_GO_VERSION.to_string());
    crate::packages::BuildContext::new(&goos, &goarch, &version)
        .with_tags(&b.tags)
        .with_cgo(b.cgo_enabled.unwrap_or(true))
        .with_goexperiment(&b.goexperiment)
}

/// The Go release that builds `side`: the configured toolchain, else the higher of go.mod's
/// `toolchain` and `go` lines (GOTOOLCHAIN=auto switches to at least that).
pub fn toolchain_of(side: &Side) -> Option<String> {
    use crate::semver::gover;
    if !side.build.toolchain.is_empty() {
        return gover::from_toolchain(&side.build.toolchain).map(str::to_string);
    }
    let go = side.go_mod.go.as_ref().map(|g| g.version.clone());
    let tc = side
        .go_mod
        .toolchain
        .as_ref()
        .and_then(|t| gover::from_toolchain(&t.name).map(str::to_string));
    match (go, tc) {
        (Some(g), Some(t)) => Some(gover::max(&g, &t).to_string()),
        (g, t) => t.or(g),
    }
}

/// The package stage for one module: its artifacts (the host: one, all its plugin-loading
/// main packages together; a plugin module: one per main package).
fn walk(
    side: &Side,
    kind: crate::packages::ArtifactKind,
    opts: &Options,
    modcache: &Path,
    cache: &crate::packages::ScanCache,
    std: bool,
) -> Result<Vec<(String, crate::linkage::Linked)>, String> {
    use crate::packages::{self, ArtifactKind, ModuleSet, Roots};
    // A side built with its own GOMODCACHE reads its dependencies' sources there.
    let own = (!side.build.modcache.is_empty()).then(|| PathBuf::from(&side.build.modcache));
    let modcache = own.as_deref().unwrap_or(modcache);
    let set = ModuleSet::from_build_list(&side.build_list, modcache, opts.goroot.as_deref())
        .map_err(|e| e.to_string())?
        .with_primary_dir(&side.dir);
    let roots = if side.main_dirs.is_empty() {
        Roots::all(kind)
    } else {
        Roots::dirs(kind, side.main_dirs.clone())
    };
    let ctx = build_context(side, opts);
    let loaded = packages::load(&set, &ctx, &roots, cache);
    if !loaded.errors.is_empty() && loaded.artifacts.is_empty() {
        return Err(loaded.errors.join("; "));
    }
    // Another side's tags may select other files of the std packages both link.
    let with_std = |mut l: crate::linkage::Linked| {
        if std {
            let roots = l.packages.values().filter(|p| p.standard);
            l.std_files =
                packages::std_files(&set, &ctx, roots.map(|p| p.import_path.as_str()), cache);
        }
        l
    };
    Ok(match kind {
        ArtifactKind::Host => {
            let all: Vec<&packages::Artifact> = loaded.artifacts.iter().collect();
            if all.is_empty() {
                return Err(format!(
                    "no package main of {} imports \"plugin\"",
                    side.module_path()
                ));
            }
            vec![(
                String::new(),
                with_std(crate::linkage::Linked::of(&loaded, &all, &side.build_list)),
            )]
        }
        ArtifactKind::Plugin => loaded
            .artifacts
            .iter()
            .map(|a| {
                (
                    a.rel_dir.clone(),
                    with_std(crate::linkage::Linked::of(&loaded, &[a], &side.build_list)),
                )
            })
            .collect(),
    })
}

/// Runs the package stage on the host and every plugin (in parallel, sharing one scan
/// cache), splitting plugin modules with several main packages into one artifact each.
/// What cannot be walked stays at module level, with a note saying why.
fn link(
    host: &mut Side,
    plugins: Vec<Side>,
    opts: &Options,
    modcache: &Path,
    notes: &mut Vec<String>,
) -> Vec<Side> {
    use crate::packages::{ArtifactKind, ScanCache};
    use rayon::prelude::*;
    if !opts.packages {
        return plugins;
    }
    let cache = ScanCache::new();
    // A host whose packages are known already (a contract's) is not walked.
    let known = host.linked.is_some();
    // Std file selection is compared only where tags differ (GD005).
    let std = plugins.iter().any(|p| p.build.tags != host.build.tags);
    let (h, ps) = rayon::join(
        || {
            if known {
                Ok(Vec::new())
            } else {
                walk(host, ArtifactKind::Host, opts, modcache, &cache, std)
            }
        },
        || {
            plugins
                .par_iter()
                .map(|p| walk(p, ArtifactKind::Plugin, opts, modcache, &cache, std))
                .collect::<Vec<_>>()
        },
    );
    match h {
        Ok(_) if known => {}
        Ok(mut v) => host.linked = v.pop().map(|(_, l)| l),
        Err(e) => notes.push(format!(
            "host: packages not walked ({e}); modules are judged whole"
        )),
    }
    let mut out = Vec::new();
    for (p, walked) in plugins.into_iter().zip(ps) {
        match walked {
            Ok(arts) if arts.len() == 1 => {
                let mut p = p;
                p.linked = arts.into_iter().next().map(|(_, l)| l);
                out.push(p);
            }
            Ok(arts) if !arts.is_empty() => {
                for (rel, l) in arts {
                    let mut a = p.clone();
                    a.name = format!("{}/{rel}", p.name);
                    a.linked = Some(l);
                    out.push(a);
                }
            }
            Ok(_) => {
                notes.push(format!(
                    "{}: no package main found; the module is judged whole",
                    p.name
                ));
                out.push(p);
            }
            Err(e) => {
                notes.push(format!(
                    "{}: packages not walked ({e}); modules are judged whole",
                    p.name
                ));
                out.push(p);
            }
        }
    }
    out
}

/// A plugin directory that is the host's own module is a configuration mistake, not a plugin.
fn refuse_host_as_plugin(host: &Side, plugins: &[Side]) -> Result<(), ProjectError> {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let h = canon(&host.dir);
    match plugins.iter().find(|p| canon(&p.dir) == h) {
        Some(p) => Err(ProjectError::Invalid(format!(
            "{}: this plugin directory is the host module itself ({}); list plugin modules only",
            p.dir.display(),
            host.module_path()
        ))),
        None => Ok(()),
    }
}

/// Expands a plugin `path` (a directory or a glob) to module directories, sorted.
///
/// Globs match one path element per level, as Go's filepath.Glob does. Symlinks are
/// followed, but each directory is entered at most once per level: what lies below depends
/// only on the directory and the level, so a second path to it adds nothing, and a symlink
/// loop (`a -> .`) cannot make the walk exponential. A directory that cannot be read is an
/// error: skipping it would say "loads" about plugins never looked at.
fn expand(root: &Path, pattern: &str) -> Result<Vec<PathBuf>, ProjectError> {
    use std::os::unix::fs::MetadataExt;
    if !pattern.contains(['*', '?', '[']) {
        return Ok(vec![crate::paths::join(root, Path::new(pattern))]);
    }
    let fs_err = |p: &Path, e| ProjectError::Fs(crate::fsio::FsError::io(p, e));
    let parts: Vec<&str> = pattern
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut dirs = vec![root.to_path_buf()];
    let mut out = Vec::new();
    for (level, part) in parts.iter().enumerate() {
        let last = level + 1 == parts.len();
        let mut candidates = Vec::new();
        if part.contains(['*', '?', '[']) {
            let glob = globset::Glob::new(part)
                .map_err(|e| ProjectError::Invalid(format!("plugin path {pattern:?}: {e}")))?
                .compile_matcher();
            for d in &dirs {
                let mut names = Vec::new();
                for e in std::fs::read_dir(d).map_err(|e| fs_err(d, e))? {
                    names.push(e.map_err(|e| fs_err(d, e))?.file_name());
                }
                names.sort();
                candidates.extend(
                    names
                        .into_iter()
                        .filter(|n| glob.is_match(n))
                        .map(|n| d.join(n)),
                );
            }
        } else {
            candidates.extend(dirs.iter().map(|d| d.join(part)));
        }
        let mut next = Vec::new();
        for p in candidates {
            let meta = match std::fs::metadata(&p) {
                Ok(m) => m,
                // Missing, or a dangling symlink: nothing there.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(fs_err(&p, e)),
            };
            if !meta.is_dir() || !seen.insert((meta.dev(), meta.ino(), level)) {
                continue;
            }
            if !last {
                next.push(p);
                continue;
            }
            match std::fs::symlink_metadata(p.join("go.mod")) {
                Ok(_) => out.push(p),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(fs_err(&p.join("go.mod"), e)),
            }
        }
        dirs = next;
    }
    out.sort();
    Ok(out)
}

/// The identity of a directory (device, inode), to recognize one reached by several paths.
fn dir_id(p: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()))
}

/// Indexes the module cache copies of what the sides vendor, once for all sides.
fn load_vendor_sources(host: &mut Side, plugins: &mut [Side], modcache: &Path, opts: &Options) {
    let mut vendored: Vec<&mut crate::integrity::Vendored> = std::iter::once(host)
        .chain(plugins.iter_mut())
        .filter_map(|s| s.vendor.as_mut())
        .collect();
    if !vendored.is_empty() {
        crate::integrity::load_sources(
            &mut vendored,
            modcache,
            opts.cache_dir.as_deref(),
            opts.progress,
        );
    }
}

/// The project's host as of another tree: `tree` holds the host module's files at
/// a git revision (`report --base`). The host is judged as if built where it is now:
/// directory replacements and its own directory resolve from the working tree's host
/// directory (a checkout of the revision would be in the same place); its packages are
/// walked in `tree`.
pub fn host_from(p: &Project, tree: &Path, opts: &Options) -> Result<Side, ProjectError> {
    let here = p.host.dir.clone();
    // As the graph loader resolves them: from the absolute directory.
    let abs =
        std::path::absolute(&here).map_err(|e| ProjectError::Io(here.display().to_string(), e))?;
    let mut host = load_side(
        p.host.name.clone(),
        tree,
        p.host.build.clone(),
        p.host.main_dirs.clone(),
        &p.go_mods,
        opts,
        true,
    )?;
    for m in &mut host.build_list.modules {
        if let Some(crate::graph::Replacement::Dir { path, resolved }) = &mut m.replace {
            *resolved = crate::paths::join(&abs, path.as_str());
        }
    }
    load_vendor_sources(&mut host, &mut [], &p.modcache, opts);
    let mut notes = Vec::new();
    let _ = link(&mut host, Vec::new(), opts, &p.modcache, &mut notes);
    host.dir = here.clone();
    host.build_list.main_dir = here.clone();
    host.build_list.main_dirs = vec![here];
    Ok(host)
}

/// The plugin directories the config names, with their build settings and main packages.
/// Each directory is one plugin: a directory reached twice (symlinks, overlapping globs)
/// would otherwise report a false GD008. Of its paths, the shortest is read: relative
/// replacements resolve lexically from it as go does from the directory it runs in, and a
/// path through a loop of links is not where anyone builds. (The host reached as a plugin is
/// refused by the caller.)
fn plugin_jobs(
    root: &Path,
    config: &Config,
    resolve: &dyn Fn(BuildSettings) -> BuildSettings,
    notes: &mut Vec<String>,
) -> Result<Vec<(PathBuf, BuildSettings, Vec<PathBuf>)>, ProjectError> {
    let mut jobs: Vec<(PathBuf, BuildSettings, Vec<PathBuf>)> = Vec::new();
    let mut taken: std::collections::HashMap<((u64, u64), Vec<PathBuf>), usize> =
        std::collections::HashMap::new();
    for pc in &config.plugins {
        for d in expand(root, &pc.path)? {
            // Keyed on the directory and its main packages: one module may give several
            // artifacts, one per main package.
            if let Some(id) = dir_id(&d) {
                if let Some(&at) = taken.get(&(id, pc.main.clone())) {
                    let first: &mut PathBuf = &mut jobs[at].0;
                    let (kept, other) = if d.components().count() < first.components().count() {
                        let longer = std::mem::replace(first, d);
                        (first.clone(), longer)
                    } else {
                        (first.clone(), d)
                    };
                    notes.push(format!(
                        "plugin path {:?} reaches {} also at {}: one plugin, read at the shorter path",
                        pc.path,
                        kept.display(),
                        other.display()
                    ));
                    continue;
                }
                taken.insert((id, pc.main.clone()), jobs.len());
            }
            jobs.push((d, resolve(pc.build.clone()), pc.main.clone()));
        }
    }
    Ok(jobs)
}

/// Loads plugin modules, in parallel (they are independent), in the given order: each job
/// is a directory with its build settings and configured main packages. A plugin is named
/// by its directory.
fn load_plugins(
    jobs: Vec<(PathBuf, BuildSettings, Vec<PathBuf>)>,
    go_mods: &ModCache,
    opts: &Options,
) -> Result<Vec<Side>, ProjectError> {
    use rayon::prelude::*;
    jobs.into_par_iter()
        .map(|(d, build, mains)| {
            let name = d
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| d.display().to_string());
            load_side(name, &d, build, mains, go_mods, opts, false)
        })
        .collect()
}

/// The last stages every way of loading shares: vendored sources indexed once for all
/// sides, then the package walk and linkage.
fn assemble(
    root: PathBuf,
    config: Config,
    mut host: Side,
    plugins: Vec<Side>,
    go_mods: ModCache,
    opts: &Options,
    mut notes: Vec<String>,
) -> Project {
    let modcache = opts.graph.gomodcache.clone();
    let mut plugins = plugins;
    load_vendor_sources(&mut host, &mut plugins, &modcache, opts);
    let plugins = link(&mut host, plugins, opts, &modcache, &mut notes);
    Project {
        modcache,
        go_mods,
        load_options: opts.graph.clone(),
        root,
        config,
        host,
        plugins,
        notes,
    }
}

/// Loads plugin modules against a host given as a side already (a deployed host's contract,
/// `contract::side::host_side`): `report --contract`.
pub fn load_against(
    host: Side,
    plugins: &[PathBuf],
    opts: &Options,
) -> Result<Project, ProjectError> {
    let root = std::env::current_dir().map_err(|e| ProjectError::Io(".".into(), e))?;
    let mut config = Config::default();
    config.host.path = host.dir.clone();
    let go_mods = ModCache::new();
    // The plugins are built with the host's settings as the contract records them.
    let jobs = plugins
        .iter()
        .map(|p| (p.clone(), host.build.clone(), Vec::new()))
        .collect();
    let sides = load_plugins(jobs, &go_mods, opts)?;
    let notes = vec![format!(
        "host from the contract {}: plugins are assumed built with its settings",
        host.go_mod_path.display()
    )];
    Ok(assemble(root, config, host, sides, go_mods, opts, notes))
}

/// Loads a project from explicit directories (`--host DIR --plugin DIR...`).
pub fn load_explicit(
    host: &Path,
    plugins: &[PathBuf],
    opts: &Options,
) -> Result<Project, ProjectError> {
    let root = std::env::current_dir().map_err(|e| ProjectError::Io(".".into(), e))?;
    let mut config = Config::default();
    config.host.path = host.to_path_buf();
    let go_mods = ModCache::new();
    // No godrift.toml: what Go's environment gives every build here, nothing more.
    let build = opts.env_build.apply(BuildSettings::default());
    let host = load_side(
        "host".into(),
        host,
        build.clone(),
        Vec::new(),
        &go_mods,
        opts,
        true,
    )?;
    let jobs = plugins
        .iter()
        .map(|p| (p.clone(), build.clone(), Vec::new()))
        .collect();
    let sides = load_plugins(jobs, &go_mods, opts)?;
    refuse_host_as_plugin(&host, &sides)?;
    let notes = vec!["build settings assumed default (no godrift.toml): -trimpath, -race and -gcflags are not compared".into()];
    Ok(assemble(root, config, host, sides, go_mods, opts, notes))
}

/// The project's root and config (godrift.toml, or the default layout, with a note).
fn read_config(
    dir: &Path,
    cfg_file: &Path,
    explicit: bool,
) -> Result<(PathBuf, Config, Vec<String>), ProjectError> {
    // Anything named godrift.toml is read (a FIFO, a directory or a link to /dev/zero is an
    // error naming it, not a silent fallback to the default layout); --config must exist.
    let mut notes = Vec::new();
    let (root, config) = if explicit || std::fs::symlink_metadata(cfg_file).is_ok() {
        let root = cfg_file.parent().unwrap_or(dir).to_path_buf();
        (root, config::load(cfg_file)?)
    } else {
        notes.push(format!(
            "no {} in {}: host is the directory itself, plugins are plugins/*; build settings assumed default (no -trimpath, -race or -gcflags)",
            config::FILE_NAME,
            dir.display()
        ));
        let mut c = Config::default();
        c.host.path = PathBuf::from(".");
        c.plugins.push(config::PluginConfig {
            path: "plugins/*".into(),
            build: BuildSettings::default(),
            main: Vec::new(),
        });
        (dir.to_path_buf(), c)
    };
    Ok((root, config, notes))
}

/// The vendor/ directories `load` will read (sides holding a vendor/modules.txt), found
/// without Go's environment, so that they can be hashed while it is asked for
/// (`Options::prescanned`). Best effort: `load` reports what is wrong.
pub fn vendor_dirs(dir: &Path, config_path: Option<&Path>) -> Vec<PathBuf> {
    let cfg_file = config_path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join(config::FILE_NAME));
    let Ok((root, config, _)) = read_config(dir, &cfg_file, config_path.is_some()) else {
        return Vec::new();
    };
    let host = crate::paths::join(&root, &config.host.path);
    let plugins = plugin_jobs(&root, &config, &|b| b, &mut Vec::new()).unwrap_or_default();
    std::iter::once(host)
        .chain(plugins.into_iter().map(|(d, _, _)| d))
        .map(|d| d.join("vendor"))
        .filter(|v| v.join("modules.txt").is_file())
        .collect()
}

/// Loads a project from a directory: its `godrift.toml` if present, else the directory is
/// the host and `plugins/*` its plugins.
pub fn load(
    dir: &Path,
    config_path: Option<&Path>,
    opts: &Options,
) -> Result<Project, ProjectError> {
    let cfg_file = config_path
        .map(Path::to_path_buf)
        .unwrap_or_else(|| dir.join(config::FILE_NAME));
    let (root, config, mut notes) = read_config(dir, &cfg_file, config_path.is_some())?;
    let host_dir = crate::paths::join(&root, &config.host.path);
    let resolve = |b: BuildSettings| {
        let mut b = opts.env_build.apply(b);
        if !b.modcache.is_empty() {
            b.modcache = crate::paths::join(&root, Path::new(&b.modcache))
                .display()
                .to_string();
        }
        b
    };
    let go_mods = ModCache::new();
    let jobs = plugin_jobs(&root, &config, &resolve, &mut notes);
    // The host and the plugins load together: one pool hashes all their vendored trees,
    // and each side's parsing overlaps the others' reads. The host's error comes first.
    let (host, plugins) = rayon::join(
        || {
            load_side(
                "host".into(),
                &host_dir,
                resolve(config.host.build.clone()),
                config.host.main.clone(),
                &go_mods,
                opts,
                true,
            )
        },
        || jobs.map(|jobs| load_plugins(jobs, &go_mods, opts)),
    );
    let host = host?;
    let plugins = plugins??;
    refuse_host_as_plugin(&host, &plugins)?;
    Ok(assemble(root, config, host, plugins, go_mods, opts, notes))
}
