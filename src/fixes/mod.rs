//! Alignment proposals: for every module at different versions, the version to align on,
//! why each side has what it has, and the exact change per side (a `go get` command and a
//! format-preserving go.mod edit). With the host as baseline, a plugin that needs a newer
//! version than the host has gets the minimal host upgrade MVS would compute instead.

use crate::config::AlignStrategy;
use crate::finding::{Code, Finding};
use crate::gomod::{ModFile, Require};
use crate::graph::{self, Replacement};
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
    /// The edits of go.mod's text (not serialized; `align` applies them).
    #[serde(skip)]
    pub edits: Option<Vec<Edit>>,
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

/// A replacement of go.mod text: bytes `start..end` become `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The edits that set `module` to `version` in a side's go.mod and, when `dir` is given,
/// point its directory replacement at `dir`. Only the affected lines change; None when
/// go.mod does not require `module`.
pub fn edit_go_mod(
    side: &Side,
    module: &str,
    version: &str,
    dir: Option<&str>,
) -> Option<Vec<Edit>> {
    let text = &side.go_mod_text;
    let line = |s: usize, e: usize| std::str::from_utf8(text.get(s..e)?).ok();
    let req = side.require_of(module)?;
    let mut edits = vec![Edit {
        start: req.span.start,
        end: req.span.end,
        text: line(req.span.start, req.span.end)?.replacen(&req.module.version, version, 1),
    }];
    if let Some(dir) = dir {
        for r in side.replaces_of(module).filter(|r| r.is_local()) {
            let (lhs, rhs) = line(r.span.start, r.span.end)?.split_once("=>")?;
            let new_rhs = rhs.replacen(r.new.path.as_str(), dir, 1);
            // A version-specific replacement must follow the new version.
            let lhs = if r.old.version.is_empty() {
                lhs.to_string()
            } else {
                lhs.replacen(&r.old.version, version, 1)
            };
            edits.push(Edit {
                start: r.span.start,
                end: r.span.end,
                text: format!("{lhs}=>{new_rhs}"),
            });
        }
    }
    edits.sort_by_key(|e| e.start);
    Some(edits)
}

/// `text` with `edits` applied (edits that overlap an earlier one are dropped).
pub fn apply_edits(text: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut out = Vec::with_capacity(text.len());
    let mut at = 0;
    for e in sorted {
        if e.start < at || e.end > text.len() {
            continue;
        }
        out.extend_from_slice(&text[at..e.start]);
        out.extend_from_slice(e.text.as_bytes());
        at = e.end;
    }
    out.extend_from_slice(&text[at..]);
    out
}

/// The unified diff of the whole text (similar's Myers diff over every line).
fn unified_whole(rel: &str, text: &[u8], edits: &[Edit]) -> String {
    let old = String::from_utf8_lossy(text);
    let new = String::from_utf8_lossy(&apply_edits(text, edits)).into_owned();
    similar::TextDiff::from_lines(old.as_ref(), new.as_str())
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{rel}"), &format!("b/{rel}"))
        .to_string()
}

/// The unified diff (two lines of context, hunks merged as `diff -u` merges them) of
/// `edits` to a side's go.mod. Each edit stays within one line, so only the lines around
/// the edits are read: the cost does not grow with the file.
fn unified(side: &Side, root: &Path, edits: &[Edit]) -> String {
    let rel = side
        .go_mod_path
        .strip_prefix(root)
        .unwrap_or(&side.go_mod_path)
        .display()
        .to_string();
    let text = &side.go_mod_text;
    let lines = side.go_mod_lines();
    let whole = || unified_whole(&rel, text, edits);
    let n = lines.line_count();
    // The text of 1-based line `l`, newline included.
    let line_text = |l: usize| -> &[u8] {
        let s = lines.line_start(l).unwrap_or(text.len());
        let e = lines.line_start(l + 1).unwrap_or(text.len());
        &text[s..e]
    };
    // The changed lines, each with its new text.
    let mut changed: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
    for e in edits {
        let l = lines.line(e.start);
        if lines.line(e.end) != l || e.end > text.len() {
            return whole();
        }
        let start = lines.line_start(l).unwrap_or(0);
        let cur = changed.remove(&l).unwrap_or_else(|| line_text(l).to_vec());
        // Offsets within the line; several edits of one line apply right to left.
        let (a, b) = (e.start - start, e.end - start);
        if b > cur.len() {
            return whole();
        }
        let mut next = cur[..a].to_vec();
        next.extend_from_slice(e.text.as_bytes());
        next.extend_from_slice(&cur[b..]);
        changed.insert(l, next);
    }
    changed.retain(|&l, new| new.as_slice() != line_text(l));
    // A last line without newline needs diff's "\ No newline" marker: leave that to `whole`.
    let last = changed.keys().next_back().copied().unwrap_or(0);
    if changed.is_empty() || (last + 2 >= n && !text.ends_with(b"\n")) {
        return whole();
    }
    let mut out = format!("--- a/{rel}\n+++ b/{rel}\n");
    let keys: Vec<usize> = changed.keys().copied().collect();
    let mut i = 0;
    while i < keys.len() {
        // Changes with at most four unchanged lines between them share a hunk.
        let mut j = i;
        while j + 1 < keys.len() && keys[j + 1] - keys[j] <= 5 {
            j += 1;
        }
        let first = keys[i].saturating_sub(2).max(1);
        let end = (keys[j] + 2).min(n - usize::from(text.ends_with(b"\n")));
        let len = end + 1 - first;
        let range = |start: usize| {
            if len == 1 {
                format!("{start}")
            } else {
                format!("{start},{len}")
            }
        };
        out.push_str(&format!("@@ -{} +{} @@\n", range(first), range(first)));
        let mut l = first;
        while l <= end {
            if !changed.contains_key(&l) {
                out.push(' ');
                out.push_str(&String::from_utf8_lossy(line_text(l)));
                l += 1;
                continue;
            }
            // A run of adjacent changed lines: all removals, then all additions.
            let run_end = (l..=end)
                .take_while(|k| changed.contains_key(k))
                .last()
                .unwrap_or(l);
            for k in l..=run_end {
                out.push('-');
                out.push_str(&String::from_utf8_lossy(line_text(k)));
            }
            for k in l..=run_end {
                out.push('+');
                out.push_str(&String::from_utf8_lossy(&changed[&k]));
            }
            l = run_end + 1;
        }
        i = j + 1;
    }
    out
}

/// What-if selections over the host's graph, prepared on first use (None: the host's
/// graph cannot be prepared, and each question reloads it).
type HostWhatIf<'l> = Option<Option<graph::WhatIf<'l>>>;

/// The host's build list after also requiring `module@version` (MVS over the union).
fn host_upgrade<'l>(
    project: &Project,
    loader: &'l graph::Loader<'l>,
    what_if: &mut HostWhatIf<'l>,
    module: &str,
    version: &str,
    wanted_by: Vec<String>,
    extra: Option<(&Side, &Replacement)>,
) -> HostUpgrade {
    let host = &project.host;
    let from_plugin_dir = matches!(extra, Some((_, Replacement::Dir { .. })));
    // The host's own module-mode list is the base of the what-if: answer from it directly
    // when nothing else (a vendored or workspace list, a plugin's directory) is involved.
    if !from_plugin_dir && !host.build_list.vendored && host.build_list.work_file.is_none() {
        let prepared = what_if
            .get_or_insert_with(|| {
                loader
                    .what_if(&host.go_mod, &host.dir, Some(&host.build_list))
                    .ok()
            })
            .as_mut();
        if let Some(changes) =
            prepared.and_then(|w| w.require(&ModuleVersion::new(module, version)).ok())
        {
            return HostUpgrade {
                required_by: wanted_by,
                to: version.to_string(),
                moves: changes
                    .into_iter()
                    .map(|c| Move {
                        module: c.path,
                        from: c.before.unwrap_or_else(|| "(none)".into()),
                        to: c.after,
                    })
                    .collect(),
            };
        }
    }
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
    // The main module's replacements (including the one above) are applied by MVS itself,
    // over the go.mod files the project's build lists already read.
    let after = loader.selected(main, &host.dir).unwrap_or_default();
    // Both lists are sorted by path: one merge finds what moved.
    let mut moves = Vec::new();
    let mut before = host.build_list.modules.iter().peekable();
    for m in &after {
        while before.next_if(|b| b.module.path < m.path).is_some() {}
        let was = before
            .next_if(|b| b.module.path == m.path)
            .map(|b| b.module.version.as_str());
        if was != Some(m.version.as_str()) {
            moves.push(Move {
                module: m.path.clone(),
                from: was.unwrap_or("(none)").to_string(),
                to: m.version.clone(),
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
    // The host's what-ifs read go.mod files where its build does.
    let host_opts = crate::project::graph_options(&project.load_options, &project.host.build);
    let loader = graph::Loader::new(&host_opts, &project.go_mods);
    let mut what_if: HostWhatIf = None;
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
            let edits = edit_go_mod(side, module, &target, dir.as_deref());
            let diff = edits.as_ref().map(|e| unified(side, &project.root, e));
            let note = match (replaced_dir, &dir) {
                (true, Some(d)) => Some(format!("its replace directive now points at {d}")),
                (true, None) => Some(format!("update the replace directive of {module} by hand")),
                _ if edits.is_none() => Some(format!(
                    "{module} is an indirect dependency here: `go get` adds a requirement"
                )),
                _ => None,
            };
            changes.push(Change {
                artifact: side.name.clone(),
                go_mod: side.go_mod_path.display().to_string(),
                from: v.clone(),
                command: format!("(cd {} && go get {module}@{target})", side.dir.display()),
                diff,
                note,
                edits,
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
                Some(host_upgrade(
                    project,
                    &loader,
                    &mut what_if,
                    module,
                    mx,
                    newer_than_host,
                    repl,
                ))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The windowed diff equals the whole-file diff, for edits of one line, of two lines
    /// near or far apart, of adjacent lines, and at the start and end of the file.
    #[test]
    fn windowed_diff_equals_whole_diff() {
        let tmp = tempfile::tempdir().unwrap();
        let mut gm = String::from("module example.com/p\n\ngo 1.22\n\nrequire (\n");
        for i in 0..40 {
            gm.push_str(&format!("\texample.com/m{i} v1.0.{i}\n"));
        }
        gm.push_str(")\n\nreplace (\n");
        for i in [0, 3, 4, 20, 39] {
            gm.push_str(&format!("\texample.com/m{i} => ../m{i}\n"));
        }
        gm.push_str(
            ")\n\nrequire example.com/adj v1.0.0\nreplace example.com/adj v1.0.0 => ../adj\n",
        );
        gm.push_str("\nrequire example.com/last v1.0.0\n");
        let host = tmp.path().join("host");
        std::fs::create_dir_all(&host).unwrap();
        std::fs::write(host.join("go.mod"), "module example.com/host\n\ngo 1.22\n").unwrap();
        let p = tmp.path().join("p");
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join("go.mod"), &gm).unwrap();
        let opts = crate::project::Options {
            graph: graph::LoadOptions::module_mode(tmp.path().join("no-cache")),
            ..Default::default()
        };
        let project = crate::project::load_explicit(&host, &[p], &opts).unwrap();
        let side = &project.plugins[0];
        let mut checked = 0;
        for i in (0..40).chain([100, 101]) {
            let module = match i {
                100 => "example.com/last".to_string(),
                101 => "example.com/adj".to_string(),
                _ => format!("example.com/m{i}"),
            };
            for dir in [None, Some("../elsewhere")] {
                let Some(edits) = edit_go_mod(side, &module, "v9.9.9", dir) else {
                    continue;
                };
                let got = unified(side, tmp.path(), &edits);
                let rel = side
                    .go_mod_path
                    .strip_prefix(tmp.path())
                    .unwrap()
                    .display()
                    .to_string();
                assert_eq!(
                    got,
                    unified_whole(&rel, &side.go_mod_text, &edits),
                    "{module} {dir:?}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 84);
    }
}
