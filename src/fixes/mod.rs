//! Alignment proposals: for every module at different versions, the version to align on,
//! why each side has what it has, and the exact change per side (a `go get` command and a
//! format-preserving go.mod edit). With the host as baseline, a plugin that needs a newer
//! version than the host has gets the minimal host upgrade MVS would compute instead.

use crate::config::AlignStrategy;
use crate::finding::{Code, Finding};
use crate::gomod::{ModFile, Require};
use crate::graph::{self, ModCacheSource, Replacement};
use crate::module::ModuleVersion;
use crate::project::{Project, Side};
use crate::semver;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub artifact: String,
    pub go_mod: String,
    pub from: String,
    pub command: String,
    /// Unified diff of the go.mod edit godrift would make (`godrift align`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The new go.mod text (not serialized; `align` writes it).
    #[serde(skip)]
    pub new_text: Option<String>,
    #[serde(skip)]
    pub path: PathBuf,
}

#[derive(Clone, Debug, Serialize)]
pub struct Move {
    pub module: String,
    pub from: String,
    pub to: String,
}

/// What rebuilding the host would take, when a plugin needs a newer version than it has.
#[derive(Clone, Debug, Serialize)]
pub struct HostUpgrade {
    pub required_by: Vec<String>,
    pub to: String,
    /// Every module whose selected version changes in the host (MVS over the union).
    pub moves: Vec<Move>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Proposal {
    pub module: String,
    pub target: String,
    pub strategy: AlignStrategy,
    /// Per artifact, the requirement path from its main module (`go mod why -m`).
    pub why: BTreeMap<String, String>,
    pub changes: Vec<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_upgrade: Option<HostUpgrade>,
}

/// `to` relative to `from` (both directories), as a go.mod replacement path (`./` or `../`).
pub fn relative_dir(from: &Path, to: &Path) -> String {
    let from = from.canonicalize().unwrap_or(from.to_path_buf());
    let to = to.canonicalize().unwrap_or(to.to_path_buf());
    let a: Vec<Component> = from.components().collect();
    let b: Vec<Component> = to.components().collect();
    let common = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<String> = vec!["..".into(); a.len() - common];
    parts.extend(
        b[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    let joined = parts.join("/");
    if joined.starts_with("..") {
        joined
    } else if joined.is_empty() {
        ".".into()
    } else {
        format!("./{joined}")
    }
}

/// go.mod text with `module` set to `version` and, when `dir` is given, its directory
/// replacement pointed at `dir`. Only the affected lines change.
pub fn edit_go_mod(side: &Side, module: &str, version: &str, dir: Option<&str>) -> Option<String> {
    let text = String::from_utf8_lossy(&side.go_mod_text).into_owned();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    if let Some(req) = side.go_mod.require.iter().find(|r| r.module.path == module) {
        let line = text.get(req.span.start..req.span.end)?;
        edits.push((
            req.span.start,
            req.span.end,
            line.replacen(&req.module.version, version, 1),
        ));
    } else {
        return None;
    }
    if let Some(dir) = dir {
        for r in side
            .go_mod
            .replace
            .iter()
            .filter(|r| r.old.path == module && r.is_local())
        {
            let line = text.get(r.span.start..r.span.end)?;
            let (lhs, rhs) = line.split_once("=>")?;
            let new_rhs = rhs.replacen(r.new.path.as_str(), dir, 1);
            // A version-specific replacement must follow the new version.
            let lhs = if r.old.version.is_empty() {
                lhs.to_string()
            } else {
                lhs.replacen(&r.old.version, version, 1)
            };
            edits.push((r.span.start, r.span.end, format!("{lhs}=>{new_rhs}")));
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text;
    for (s, e, new) in edits {
        out.replace_range(s..e, &new);
    }
    Some(out)
}

fn unified(side: &Side, root: &Path, old: &str, new: &str) -> String {
    let rel = side
        .go_mod_path
        .strip_prefix(root)
        .unwrap_or(&side.go_mod_path)
        .display()
        .to_string();
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(2)
        // The path comes from the tree: one line, or a newline would forge diff lines.
        .header(
            &format!("a/{}", crate::text::line(&rel)),
            &format!("b/{}", crate::text::line(&rel)),
        )
        .to_string()
}

/// The host's build list after also requiring `module@version` (MVS over the union).
fn host_upgrade(
    project: &Project,
    module: &str,
    version: &str,
    wanted_by: Vec<String>,
    extra: Option<(&Side, &Replacement)>,
) -> HostUpgrade {
    let host = &project.host;
    let mut main: ModFile = host.go_mod.clone();
    main.require.retain(|r| r.module.path != module);
    main.require.push(Require {
        module: ModuleVersion::new(module, version),
        indirect: false,
        span: Default::default(),
    });
    // Use the plugin's source for the module when it is a local directory.
    if let Some((_, Replacement::Dir { resolved, .. })) = extra {
        main.replace.retain(|r| r.old.path != module);
        main.replace.push(crate::gomod::Replace {
            old: ModuleVersion::new(module, ""),
            new: ModuleVersion::new(relative_dir(&host.dir, resolved), ""),
            span: Default::default(),
        });
    }
    // The main module's replacements (including the one above) are applied by MVS itself.
    let source = ModCacheSource {
        root: project.modcache.clone(),
    };
    let (after, _) = graph::build_list(&main, &host.dir, &source);
    let mut moves = Vec::new();
    for m in &after {
        let before = host
            .build_list
            .get(&m.module.path)
            .map(|b| b.module.version.clone());
        if before.as_deref() != Some(m.module.version.as_str()) {
            moves.push(Move {
                module: m.module.path.clone(),
                from: before.unwrap_or_else(|| "(none)".into()),
                to: m.module.version.clone(),
            });
        }
    }
    HostUpgrade {
        required_by: wanted_by,
        to: version.to_string(),
        moves,
    }
}

pub fn propose(project: &Project, findings: &[Finding]) -> Vec<Proposal> {
    let sides: Vec<&Side> = std::iter::once(&project.host)
        .chain(&project.plugins)
        .collect();
    let modules: BTreeSet<String> = findings
        .iter()
        .filter(|f| f.code == Code::VersionConflict)
        // A latent conflict (no package linked by both) needs no change today.
        .filter(|f| f.severity > crate::finding::Severity::Info)
        .filter_map(|f| f.module.clone())
        .collect();
    let strategy = project.config.align.strategy;
    let mut out = Vec::new();
    for module in &modules {
        let versions: Vec<(&Side, String)> = sides
            .iter()
            .filter_map(|s| {
                s.build_list
                    .get(module)
                    .map(|m| (*s, m.module.version.clone()))
            })
            .collect();
        let host_version = project
            .host
            .build_list
            .get(module)
            .map(|m| m.module.version.clone());
        let max = versions
            .iter()
            .map(|(_, v)| v.as_str())
            .reduce(|a, b| semver::max(a, b))
            .map(str::to_string);
        let target = match (strategy, &host_version) {
            (AlignStrategy::Host, Some(h)) => h.clone(),
            _ => match max.clone() {
                Some(m) => m,
                None => continue,
            },
        };
        // The side whose source the others should build (for directory replacements).
        let source_side = versions.iter().find(|(_, v)| *v == target).map(|(s, _)| *s);
        let source_dir =
            source_side.and_then(|s| match s.build_list.get(module)?.replace.as_ref()? {
                Replacement::Dir { resolved, .. } => Some(resolved.clone()),
                Replacement::Module { .. } => None,
            });
        let mut why = BTreeMap::new();
        let mut changes = Vec::new();
        let mut newer_than_host = Vec::new();
        for (side, v) in &versions {
            let chain = side.build_list.why(module);
            if !chain.is_empty() {
                why.insert(
                    side.name.clone(),
                    chain
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" -> "),
                );
            }
            if *v == target {
                continue;
            }
            if strategy == AlignStrategy::Host
                && semver::compare(v, &target) == std::cmp::Ordering::Greater
            {
                newer_than_host.push(side.name.clone());
            }
            let replaced_dir = matches!(
                side.build_list.get(module).and_then(|m| m.replace.as_ref()),
                Some(Replacement::Dir { .. })
            );
            let dir = match (&source_dir, replaced_dir) {
                (Some(d), true) => Some(relative_dir(&side.dir, d)),
                _ => None,
            };
            let new_text = edit_go_mod(side, module, &target, dir.as_deref());
            let old = String::from_utf8_lossy(&side.go_mod_text).into_owned();
            let diff = new_text
                .as_ref()
                .map(|n| unified(side, &project.root, &old, n));
            let note = match (replaced_dir, &dir) {
                (true, Some(d)) => Some(format!("its replace directive now points at {d}")),
                (true, None) => Some(format!("update the replace directive of {module} by hand")),
                _ if new_text.is_none() => Some(format!(
                    "{module} is an indirect dependency here: `go get` adds a requirement"
                )),
                _ => None,
            };
            changes.push(Change {
                artifact: side.name.clone(),
                go_mod: side.go_mod_path.display().to_string(),
                from: v.clone(),
                command: format!(
                    "(cd {} && go get {module}@{target})",
                    crate::text::shell_word(&side.dir.display().to_string())
                ),
                diff,
                note,
                new_text,
                path: side.go_mod_path.clone(),
            });
        }
        // Downgrading a plugin below what it asked for may break it; say what the
        // alternative costs: rebuilding the host with the newer version.
        let host_upgrade = match (newer_than_host.is_empty(), &max) {
            (false, Some(mx)) => {
                let wanted = versions.iter().find(|(_, v)| v == mx).map(|(s, _)| *s);
                let repl =
                    wanted.and_then(|s| s.build_list.get(module)?.replace.as_ref().map(|r| (s, r)));
                Some(host_upgrade(project, module, mx, newer_than_host, repl))
            }
            _ => None,
        };
        out.push(Proposal {
            module: module.clone(),
            target,
            strategy,
            why,
            changes,
            host_upgrade,
        });
    }
    out
}
