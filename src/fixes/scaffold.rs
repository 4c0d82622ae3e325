//! A new plugin module that starts aligned with its host (`godrift new-plugin`), and the
//! pins a deployed host's build info asks of a plugin (`godrift recipe --from-binary`).

use super::source::effective;
use super::sums::{self, SumEntry};
use super::{build_list_of, relative_dir};
use crate::binary::buildinfo::BuildInfo;
use crate::gomod::{self, auto_quote};
use crate::module::{self, ModuleVersion};
use crate::project::Project;
use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("invalid plugin name {}: {reason}", module::go_quote(name))]
    Name { name: String, reason: &'static str },
    #[error("invalid --module: {0}")]
    Module(#[from] module::ModuleError),
    #[error("the generated go.mod does not parse (a godrift bug): {0}")]
    GoMod(#[from] gomod::ParseErrors),
}

/// A plugin NAME names a directory and the last element of a module path: one path element,
/// printable, not `.`/`..`.
pub fn validate_name(name: &str) -> Result<(), ScaffoldError> {
    let bad = |reason| {
        Err(ScaffoldError::Name {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.chars().any(char::is_control) {
        return bad("contains a control character (newline, tab, ...)");
    }
    if name.contains(['/', '\\']) {
        return bad("contains a path separator");
    }
    if name.contains("..") || name == "." {
        return bad("contains '..' or is '.'");
    }
    if name.starts_with('-') {
        return bad("starts with '-'");
    }
    Ok(())
}

/// The files of a new plugin.
#[derive(Clone, Debug)]
pub struct Scaffold {
    pub go_mod: String,
    /// None when no line is needed (no module-cache dependency).
    pub go_sum: Option<String>,
    pub main_go: String,
    /// Requirements pinned at the host's versions, and replacements mirrored.
    pub pinned: usize,
    pub replaced: usize,
    /// go.sum entries found neither in the host's go.sum nor in the module cache.
    pub unresolved_sums: Vec<SumEntry>,
}

/// The plugin module `module` in `dir` (which need not exist yet), pinned to the host.
///
/// Every module of the host's build list whose go.mod the host's graph loads is required at
/// the host's selected version (marked `// indirect`: the plugin does not import it yet), so
/// the plugin's build list selects the host's versions for everything it shares; modules the
/// host's pruned graph never loads provide no package to the host and are left out (pinning
/// them would load their requirements, which the host never selected). The host's
/// replacements are mirrored (directories rewritten relative to `dir`). `go mod tidy` later
/// drops the pins of modules the plugin does not use, which then cannot matter for loading;
/// it keeps the others at their selected, i.e. the host's, versions.
pub fn new_plugin(
    project: &Project,
    name: &str,
    module_path: &str,
    dir: &Path,
) -> Result<Scaffold, ScaffoldError> {
    validate_name(name)?;
    module::check_path(module_path)?;
    let host = &project.host;
    let bl = &host.build_list;
    let pruned = super::is_pruned(&host.go_mod);
    let loaded = sums::loaded_modules(bl, &host.go_mod, &project.modcache);
    let host_sum = host.go_sum.as_ref();
    let mut pins: Vec<(String, String)> = Vec::new();
    for m in &bl.modules {
        if bl.main.contains(&m.module.path) || m.module.path == module_path {
            continue;
        }
        let eff = effective(&host.go_mod, &m.module);
        let keep = !pruned
            || loaded.contains(&m.module)
            || eff.as_ref().is_none_or(|e| {
                host_sum.is_some_and(|s| s.hash(&e.path, &e.version, true).is_some())
            });
        if keep {
            pins.push((m.module.path.clone(), m.module.version.clone()));
        }
    }
    let mut text = format!("module {}\n", auto_quote(module_path));
    if let Some(g) = &host.go_mod.go {
        text.push_str(&format!("\ngo {}\n", g.version));
    }
    if let Some(t) = &host.go_mod.toolchain {
        text.push_str(&format!("\ntoolchain {}\n", t.name));
    }
    if !pins.is_empty() {
        text.push_str("\n// Pinned to the host's selected versions: a module both link must match exactly.\nrequire (\n");
        for (p, v) in &pins {
            text.push_str(&format!("\t{} {v} // indirect\n", auto_quote(p)));
        }
        text.push_str(")\n");
    }
    let mut replaced = 0;
    if !host.go_mod.replace.is_empty() {
        text.push_str(
            "\n// Mirrors the host's replacements: the same source, or the hashes differ.\nreplace (\n",
        );
        for r in &host.go_mod.replace {
            let mut old = auto_quote(&r.old.path);
            if !r.old.version.is_empty() {
                old = format!("{old} {}", r.old.version);
            }
            let new = if r.is_local() {
                let target = Path::new(&r.new.path);
                let target = if target.is_absolute() {
                    target.to_path_buf()
                } else {
                    host.dir.join(target)
                };
                auto_quote(&relative_dir(dir, &target))
            } else {
                format!("{} {}", auto_quote(&r.new.path), r.new.version)
            };
            text.push_str(&format!("\t{old} => {new}\n"));
            replaced += 1;
        }
        text.push_str(")\n");
    }
    let mf = gomod::parse_mod("go.mod", text.as_bytes(), gomod::Strictness::Strict)?;
    let go_mod = String::from_utf8_lossy(&gomod::format_mod(&mf)).into_owned();
    let mf = gomod::parse_mod("go.mod", go_mod.as_bytes(), gomod::Strictness::Strict)?;
    // go.sum: what the plugin's build needs, from the host's go.sum or the module cache.
    let plugin_bl = build_list_of(project, &mf, dir);
    let want = sums::needed_sums(&mf, &plugin_bl, host_sum, &project.modcache);
    let (lines, unresolved_sums) = sums::fill(&want, None, host_sum, &project.modcache);
    let go_sum = (!lines.is_empty()).then(|| sums::add_lines("", &lines));
    let main_go = format!(
        "// Package main is the {name} plugin: build it with\n//\n//\tgo build -buildmode=plugin\n//\n// with the host's flags (see `godrift recipe`).\npackage main\n\n// Name is looked up by the host with plugin.Lookup.\nfunc Name() string {{ return {} }}\n",
        module::go_quote(name)
    );
    Ok(Scaffold {
        go_mod,
        go_sum,
        main_go,
        pinned: pins.len(),
        replaced,
        unresolved_sums,
    })
}

/// `go mod edit` flags that pin, in a plugin's go.mod, every dependency a deployed host was
/// built with (its build info): `-require=M@V`, and `-replace` where build info shows `=>`.
/// A directory replacement is shown as the host recorded it (relative to the host's module).
pub fn build_info_pins(bi: &BuildInfo) -> Vec<String> {
    let main = bi.main.as_ref().map(|m| m.path.as_str());
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for d in &bi.deps {
        if Some(d.path.as_str()) == main || !seen.insert(ModuleVersion::new(&d.path, &d.version)) {
            continue;
        }
        out.push(format!("-require={}@{}", d.path, d.version));
        if let Some(r) = &d.replace {
            if r.version.is_empty() || r.version == "(devel)" {
                out.push(format!("-replace={}={}", d.path, r.path));
            } else {
                // Any version of the module: what the host compiled, whatever MVS selects.
                out.push(format!("-replace={}={}@{}", d.path, r.path, r.version));
            }
        }
    }
    out
}
