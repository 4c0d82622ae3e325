//! A project as godrift sees it: the host module and its plugin modules, each with its
//! go.mod, go.sum, build list and build settings.

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
    Invalid(String),
}

/// One buildable artifact: the host program or a plugin.
#[derive(Debug)]
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
    pub vendor: Option<(crate::vendor::ModulesTxt, crate::integrity::VendorTree)>,
    /// Where each module is first mentioned in go.mod, for evidence lines.
    go_mod_index: GoModIndex,
}

/// The first `require` (else `replace`) span of each module path in a go.mod, and its line
/// starts: built once, so evidence for many modules stays linear.
#[derive(Debug)]
struct GoModIndex {
    first: std::collections::HashMap<String, crate::span::Span>,
    /// The first `require` of each path, and every `replace` of each old path (indices).
    require: std::collections::HashMap<String, usize>,
    replace: std::collections::HashMap<String, Vec<usize>>,
    lines: LineIndex,
}

impl GoModIndex {
    fn new(go_mod: &ModFile, text: &[u8]) -> GoModIndex {
        let mut first = std::collections::HashMap::new();
        let mut require = std::collections::HashMap::new();
        let mut replace: std::collections::HashMap<String, Vec<usize>> =
            std::collections::HashMap::new();
        for (i, r) in go_mod.require.iter().enumerate() {
            first.entry(r.module.path.clone()).or_insert(r.span);
            require.entry(r.module.path.clone()).or_insert(i);
        }
        for (i, r) in go_mod.replace.iter().enumerate() {
            first.entry(r.old.path.clone()).or_insert(r.span);
            replace.entry(r.old.path.clone()).or_default().push(i);
        }
        GoModIndex {
            first,
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
}

/// The default cache directory: `$GODRIFT_CACHE_DIR`, else `$XDG_CACHE_HOME/godrift`, else
/// `~/.cache/godrift`.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("GODRIFT_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("godrift"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/godrift"))
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
        let span = *self.go_mod_index.first.get(module)?;
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

fn load_side(
    name: String,
    dir: &Path,
    build: BuildSettings,
    loader: &Loader,
    opts: &Options,
    is_host: bool,
) -> Result<Side, ProjectError> {
    let go_mod_path = dir.join("go.mod");
    let text = std::fs::read(&go_mod_path)
        .map_err(|e| ProjectError::Io(go_mod_path.display().to_string(), e))?;
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
    let go_sum = match std::fs::read(&sum_path) {
        Ok(data) => Some(gosum::parse(&sum_path.display().to_string(), &data)?),
        Err(_) => None,
    };
    // The host's graph stays with its list: proposals ask what-if questions about it.
    let build_list = if is_host {
        loader.load_keeping_graph(dir)?
    } else {
        loader.load(dir)?
    };
    let mut vendor_problems = Vec::new();
    let mut vendor = None;
    if build_list.vendored {
        let txt_path = dir.join("vendor/modules.txt");
        let data = std::fs::read(&txt_path)
            .map_err(|e| ProjectError::Io(txt_path.display().to_string(), e))?;
        let txt = crate::vendor::parse_modules_txt("vendor/modules.txt", &data)?;
        vendor_problems = crate::vendor::check_vendor_consistency(&go_mod, &txt);
        let tree = crate::integrity::scan_cached(
            &dir.join("vendor"),
            opts.progress,
            opts.cache_dir.as_deref(),
        );
        vendor = Some((txt, tree));
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
    })
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
fn expand(root: &Path, pattern: &str) -> Result<Vec<PathBuf>, ProjectError> {
    if !pattern.contains(['*', '?', '[']) {
        return Ok(vec![join_clean(root, Path::new(pattern))]);
    }
    let glob = globset::Glob::new(pattern)
        .map_err(|e| ProjectError::Invalid(format!("plugin path {pattern:?}: {e}")))?
        .compile_matcher();
    let mut out = Vec::new();
    // Walk only as deep as the pattern has components.
    let depth = pattern.split('/').count();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((d, level)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if !p.is_dir() {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap_or(&p);
            if level + 1 == depth {
                if glob.is_match(rel) && p.join("go.mod").is_file() {
                    out.push(p);
                }
            } else {
                stack.push((p, level + 1));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `root/rel` without `.` components, so paths print as users expect.
fn join_clean(root: &Path, rel: &Path) -> PathBuf {
    let mut out = root.to_path_buf();
    for c in rel.components() {
        match c {
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
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
    let loader = Loader::new(&opts.graph, &go_mods);
    let host = load_side(
        "host".into(),
        host,
        BuildSettings::default(),
        &loader,
        opts,
        true,
    )?;
    let mut sides = Vec::new();
    for p in plugins {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string());
        sides.push(load_side(
            name,
            p,
            BuildSettings::default(),
            &loader,
            opts,
            false,
        )?);
    }
    refuse_host_as_plugin(&host, &sides)?;
    Ok(Project {
        modcache: opts.graph.gomodcache.clone(),
        go_mods,
        load_options: opts.graph.clone(),
        root,
        config,
        host,
        plugins: sides,
        notes: vec!["build settings assumed default (no godrift.toml): -trimpath, -race and -gcflags are not compared".into()],
    })
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
    let mut notes = Vec::new();
    let (root, config) = if cfg_file.is_file() {
        let root = cfg_file.parent().unwrap_or(dir).to_path_buf();
        (root, config::load(&cfg_file)?)
    } else if config_path.is_some() {
        return Err(ProjectError::Io(
            cfg_file.display().to_string(),
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
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
        });
        (dir.to_path_buf(), c)
    };
    let host_dir = join_clean(&root, &config.host.path);
    let resolve = |mut b: BuildSettings| {
        if !b.modcache.is_empty() {
            b.modcache = join_clean(&root, Path::new(&b.modcache))
                .display()
                .to_string();
        }
        b
    };
    let go_mods = ModCache::new();
    let loader = Loader::new(&opts.graph, &go_mods);
    let host = load_side(
        "host".into(),
        &host_dir,
        resolve(config.host.build.clone()),
        &loader,
        opts,
        true,
    )?;
    let mut plugins = Vec::new();
    let mut jobs = Vec::new();
    for pc in &config.plugins {
        for d in expand(&root, &pc.path)? {
            jobs.push((d, resolve(pc.build.clone())));
        }
    }
    // Plugins are independent: load them in parallel, keep the configured order.
    use rayon::prelude::*;
    let loaded: Vec<Result<Side, ProjectError>> = jobs
        .into_par_iter()
        .map(|(d, build)| {
            let name = d
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| d.display().to_string());
            load_side(name, &d, build, &loader, opts, false)
        })
        .collect();
    for side in loaded {
        plugins.push(side?);
    }
    refuse_host_as_plugin(&host, &plugins)?;
    Ok(Project {
        modcache: opts.graph.gomodcache.clone(),
        go_mods,
        load_options: opts.graph.clone(),
        root,
        config,
        host,
        plugins,
        notes,
    })
}
