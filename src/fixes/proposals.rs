//! Per-module proposals for reports, drawn from the plan, and the host upgrade offered when
//! a plugin needs (or is forced to) a newer version than the host has.

use super::plan::{newest, newest_of, Forced, Holders, SidePlan, Step};
use super::source::Source;
use super::{
    build_list_of, chain, greater, join_chain, parse_text, relative_dir, shift_hunks, unified_diff,
    Change, HostUpgrade, Move, Proposal,
};
use crate::config::AlignStrategy;
use crate::gomod::{edit, ModFile, Require};
use crate::graph::{BuildList, Replacement};
use crate::module::ModuleVersion;
use crate::project::{Project, Side};
use foldhash::HashMap;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// The host's graph for what-if questions: the loader, and the what-if selections
/// prepared on first use (None inside: not possible).
struct HostGraph<'l> {
    loader: &'l crate::graph::Loader<'l>,
    what_if: Option<Option<crate::graph::WhatIf<'l>>>,
}

/// The host's build list after also requiring `module@version` (MVS over the union). From
/// the host's kept graph, updated incrementally (graph::WhatIf), when nothing else is
/// involved; else one load of the edited go.mod.
#[allow(clippy::too_many_arguments)]
fn host_upgrade(
    project: &Project,
    holders: &Holders,
    graph: &mut HostGraph,
    module: &str,
    version: &str,
    wanted_by: Vec<String>,
    forced_by: Vec<String>,
    extra: Option<&Replacement>,
) -> HostUpgrade {
    let host = &project.host;
    // The plugins holding a moved module at another version than the move's, in order.
    let affects = |moves: &[Move]| -> Vec<String> {
        let mut hit = vec![false; project.plugins.len()];
        for mv in moves {
            for (i, s) in holders.holding(&mv.module) {
                if s.module.version != mv.to {
                    hit[i] = true;
                }
            }
        }
        project
            .plugins
            .iter()
            .zip(hit)
            .filter(|(_, h)| *h)
            .map(|(p, _)| p.name.clone())
            .collect()
    };
    let from_dir = matches!(extra, Some(Replacement::Dir { .. }));
    if !from_dir && !host.build_list.vendored && host.build_list.work_file.is_none() {
        let loader = graph.loader;
        let prepared = graph
            .what_if
            .get_or_insert_with(|| {
                loader
                    .what_if(&host.go_mod, &host.dir, Some(&host.build_list))
                    .ok()
            })
            .as_mut();
        if let Some(changes) =
            prepared.and_then(|w| w.require(&ModuleVersion::new(module, version)).ok())
        {
            let moves: Vec<Move> = changes
                .into_iter()
                .map(|c| Move {
                    module: c.path,
                    from: c.before.unwrap_or_else(|| "(none)".into()),
                    to: c.after,
                })
                .collect();
            return HostUpgrade {
                required_by: wanted_by,
                to: version.to_string(),
                affects: affects(&moves),
                moves,
                forced_by,
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
    if let Some(Replacement::Dir { resolved, .. }) = extra {
        main.replace.retain(|r| r.old.path != module);
        main.replace.push(crate::gomod::Replace {
            old: ModuleVersion::new(module, ""),
            new: ModuleVersion::new(relative_dir(&host.dir, resolved), ""),
            span: Default::default(),
        });
    }
    let after = build_list_of(project, &main, &host.dir);
    let mut moves = Vec::new();
    for m in &after.modules {
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
        affects: affects(&moves),
        moves,
        forced_by,
    }
}

/// The go.mod text of `old` with only `module`'s directives made as in `new_mf`: a version
/// change on existing lines is spliced in place (the common case: no parse), the rest goes
/// through the edit functions.
fn module_only(old: &str, old_mf: &ModFile, new_mf: &ModFile, module: &str) -> Option<String> {
    let mut text = old.to_string();
    if let Some(r) = new_mf.require.iter().find(|r| r.module.path == module) {
        let mut spans: Vec<_> = old_mf
            .require
            .iter()
            .filter(|o| o.module.path == module)
            .map(|o| o.span)
            .collect();
        if spans.is_empty() {
            let req = [(module.to_string(), r.module.version.clone(), r.indirect)];
            text = edit::set_requires_unchecked(&text, old_mf, &req);
        } else {
            spans.sort_by_key(|s| std::cmp::Reverse(s.start));
            for s in spans {
                let seg = text.get(s.start..s.end)?.trim_end();
                let at = s.start + seg.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                text.replace_range(at..s.start + seg.len(), &r.module.version);
            }
        }
    }
    let replaces = |f: &ModFile| -> Vec<(ModuleVersion, ModuleVersion)> {
        f.replace
            .iter()
            .filter(|r| r.old.path == module)
            .map(|r| (r.old.clone(), r.new.clone()))
            .collect()
    };
    let new_replaces = replaces(new_mf);
    if replaces(old_mf) != new_replaces {
        text = match new_replaces.first() {
            Some((_, new)) => edit::set_replace(&text, module, new).ok()?,
            None => edit::drop_replaces(&text, module).ok()?,
        };
    }
    Some(text)
}

/// `unified_diff` of `old` against `module_only`'s text. When only the module's version
/// changes in place (the common case), the diff is computed on the lines around its
/// requirements (three lines of context each side, the diff's radius, so the hunk is the
/// one the whole file gives) and its line numbers shifted to the file's: diffing a 100,000-
/// line go.mod once per conflicting module would be quadratic.
fn module_diff(
    rel: &str,
    old: &str,
    lines: &crate::span::LineIndex,
    old_mf: &ModFile,
    new_mf: &ModFile,
    module: &str,
) -> Option<String> {
    let whole = || {
        let n = module_only(old, old_mf, new_mf, module)?;
        Some(unified_diff(rel, Some(old), &n))
    };
    let replaces = |f: &ModFile| -> Vec<(ModuleVersion, ModuleVersion)> {
        f.replace
            .iter()
            .filter(|r| r.old.path == module)
            .map(|r| (r.old.clone(), r.new.clone()))
            .collect()
    };
    let Some(r) = new_mf.require.iter().find(|r| r.module.path == module) else {
        return whole();
    };
    let mut spans: Vec<_> = old_mf
        .require
        .iter()
        .filter(|o| o.module.path == module)
        .map(|o| o.span)
        .collect();
    if spans.is_empty() || replaces(old_mf) != replaces(new_mf) {
        return whole();
    }
    let first = spans.iter().map(|s| s.start).min()?;
    let last = spans.iter().map(|s| s.end).max()?;
    let from = lines.line(first).saturating_sub(3).max(1);
    let to = lines.line(last.saturating_sub(1).max(first)) + 3;
    let start = lines.line_start(from)?;
    let end = lines.line_start(to + 1).unwrap_or(old.len()).min(old.len());
    let window = old.get(start..end)?;
    // module_only's splice, on the window.
    let mut text = window.to_string();
    spans.sort_by_key(|s| std::cmp::Reverse(s.start));
    for s in spans {
        let (a, b) = (s.start.checked_sub(start)?, s.end.checked_sub(start)?);
        let seg = text.get(a..b)?.trim_end();
        let at = a + seg.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        text.replace_range(at..a + seg.len(), &r.module.version);
    }
    Some(shift_hunks(
        &unified_diff(rel, Some(window), &text),
        from - 1,
    ))
}

/// How a plan concerns one module.
#[derive(Clone, Copy)]
enum Touch<'a> {
    Forced(&'a Forced),
    Step(&'a Step),
}

pub(super) fn proposals(
    project: &Project,
    holders: &Holders,
    flagged: &BTreeMap<String, BTreeSet<String>>,
    plans: &[SidePlan],
    reference: &BuildList,
    change_diffs: bool,
) -> Vec<Proposal> {
    let strategy = project.config.align.strategy;
    let graph_opts = crate::graph::LoadOptions::module_mode(project.modcache.clone());
    let loader = crate::graph::Loader::new(&graph_opts, &project.go_mods);
    let mut host_graph = HostGraph {
        loader: &loader,
        what_if: None,
    };
    // Per module, the plans that change it or cannot (one pass over the plans, so the
    // work stays linear in plugins × modules).
    let mut touching: HashMap<&str, Vec<(usize, Touch)>> = HashMap::default();
    for (i, p) in plans.iter().enumerate() {
        for f in &p.forced {
            touching
                .entry(f.module.as_str())
                .or_default()
                .push((i, Touch::Forced(f)));
        }
        for st in &p.steps {
            if !p.forced.iter().any(|f| f.module == st.module) {
                touching
                    .entry(st.module.as_str())
                    .or_default()
                    .push((i, Touch::Step(st)));
            }
        }
    }
    let plugin_of: HashMap<&str, &Side> = project
        .plugins
        .iter()
        .map(|p| (p.name.as_str(), p))
        .collect();
    // Each plan's go.mod before (the side's parse, when its text is what the plan starts
    // from) and after (the plan's).
    let side_of = |name: &str| -> Option<&Side> {
        if name == project.host.name {
            Some(&project.host)
        } else {
            plugin_of.get(name).copied()
        }
    };
    let parsed: Vec<Option<(Cow<ModFile>, Cow<ModFile>)>> = plans
        .iter()
        .map(|p| {
            let old = match side_of(&p.artifact) {
                Some(s) if s.go_mod_text == p.old.as_bytes() => Some(Cow::Borrowed(&s.go_mod)),
                _ => parse_text(&p.old).map(Cow::Owned),
            };
            let new = match &p.new_mod {
                Some(f) => Some(Cow::Borrowed(f)),
                None => parse_text(&p.new).map(Cow::Owned),
            };
            old.zip(new)
        })
        .collect();
    // Each plan's go.mod and directory as text.
    let shown: Vec<(String, String)> = plans
        .iter()
        .map(|p| (p.go_mod.display().to_string(), p.dir.display().to_string()))
        .collect();
    // Each plan's line starts, on first use.
    let line_index: Vec<std::sync::OnceLock<crate::span::LineIndex>> =
        plans.iter().map(|_| std::sync::OnceLock::new()).collect();
    // Each module's proposal is independent of the others' (computed in parallel), but for
    // the host upgrade, which asks the host's graph (one what-if state): asked afterwards,
    // in module order.
    let one = |module: &String| -> Option<(Proposal, Option<Upgrade>)> {
        let target_sel = reference.get(module).or_else(|| {
            if plans.iter().all(|p| p.build_list.is_none()) {
                return newest_of(holders.of(module).map(|(_, m)| m));
            }
            let lists = plans
                .iter()
                .filter_map(|p| p.build_list.as_ref())
                .chain(project.plugins.iter().map(|p| &p.build_list));
            newest(lists, module)
        })?;
        let target = match Source::of(target_sel) {
            Source::Module { module: m } if m.path == *module => m.version,
            Source::Module { module: m } => m.to_string(),
            Source::Dir { .. } => target_sel.module.version.clone(),
        };
        let replace = match &target_sel.replace {
            None => None,
            Some(Replacement::Module { module: m }) => Some(format!("=> {} {}", m.path, m.version)),
            Some(Replacement::Dir { path, .. }) => Some(format!("=> {path}")),
        };
        let mut changes = Vec::new();
        let mut forced_by = Vec::new();
        let mut newer = Vec::new();
        for &(i, entry) in touching.get(module.as_str()).into_iter().flatten() {
            let p = &plans[i];
            let rel_go_mod = shown[i].0.clone();
            if let Touch::Forced(f) = entry {
                forced_by.push(p.artifact.clone());
                if !newer.contains(&p.artifact) {
                    newer.push(p.artifact.clone());
                }
                changes.push(Change {
                    artifact: p.artifact.clone(),
                    go_mod: rel_go_mod,
                    from: f.selected.clone(),
                    to: f.selected.clone(),
                    command: String::new(),
                    diff: None,
                    note: Some(format!(
                        "its own requirements force {} above {} ({}): align cannot lower it; rebuild the host with {} (see host_upgrade) or downgrade what requires it",
                        f.selected, f.want, f.via, f.selected
                    )),
                    args: String::new(),
                });
                continue;
            }
            let Touch::Step(step) = entry else {
                continue;
            };
            if let Some(s) = plugin_of
                .get(p.artifact.as_str())
                .and_then(|s| s.build_list.get(module))
            {
                if greater(&s.module.version, &target_sel.module.version)
                    && project.config.align.strategy == AlignStrategy::Host
                {
                    newer.push(p.artifact.clone());
                }
            }
            let diff = parsed[i]
                .as_ref()
                .filter(|_| change_diffs)
                .and_then(|(old_mf, new_mf)| {
                    let rel = p.go_mod.strip_prefix(&project.root).unwrap_or(&p.go_mod);
                    let lines =
                        line_index[i].get_or_init(|| crate::span::LineIndex::new(p.old.as_bytes()));
                    module_diff(
                        &rel.display().to_string(),
                        &p.old,
                        lines,
                        old_mf,
                        new_mf,
                        module,
                    )
                });
            let note = step.args.starts_with("go mod edit").then(|| {
                "`go get` cannot change a replaced module; after the edit, `go mod tidy` updates go.sum (`godrift align` does both)".to_string()
            });
            changes.push(Change {
                artifact: p.artifact.clone(),
                go_mod: rel_go_mod,
                from: step.from.clone(),
                to: step.to.clone(),
                command: format!("(cd {} && {})", shown[i].1, step.args),
                diff,
                note,
                args: step.args.clone(),
            });
        }
        // Why each side the proposal concerns holds the module: the host (the reference),
        // then each side it changes (the index says where the module is in each plugin's
        // list). Plugins already on the target are not asked: with hundreds of plugins,
        // their chains would outnumber the changes.
        let mut why = BTreeMap::new();
        let host_chain = chain(&project.host.build_list, module);
        if !host_chain.is_empty() {
            why.insert(project.host.name.clone(), host_chain);
        }
        let changed: std::collections::HashSet<&str> =
            changes.iter().map(|c| c.artifact.as_str()).collect();
        for (s, at) in holders.positions(module) {
            if !changed.contains(s.name.as_str()) {
                continue;
            }
            let c = join_chain(&s.build_list.why_at(at));
            if !c.is_empty() {
                why.insert(s.name.clone(), c);
            }
        }
        let upgrade = if newer.is_empty() || strategy != AlignStrategy::Host {
            None
        } else {
            let wanted = newest_of(
                holders
                    .of(module)
                    .filter(|(p, _)| newer.contains(&p.name))
                    .map(|(_, m)| m),
            );
            wanted.map(|w| Upgrade {
                wanted: w,
                newer,
                forced_by,
            })
        };
        Some((
            Proposal {
                module: module.clone(),
                target,
                replace,
                strategy,
                why,
                changes,
                host_upgrade: None,
            },
            upgrade,
        ))
    };
    let modules: Vec<&String> = flagged.keys().collect();
    let each: Vec<Option<(Proposal, Option<Upgrade>)>> = {
        use rayon::prelude::*;
        modules.par_iter().map(|m| one(m)).collect()
    };
    let mut out = Vec::with_capacity(each.len());
    for (mut p, upgrade) in each.into_iter().flatten() {
        if let Some(u) = upgrade {
            p.host_upgrade = Some(host_upgrade(
                project,
                holders,
                &mut host_graph,
                &p.module,
                &u.wanted.module.version,
                u.newer,
                u.forced_by,
                u.wanted.replace.as_ref(),
            ));
        }
        out.push(p);
    }
    out
}

/// A host upgrade a proposal offers: the newest version the plugins in `newer` hold.
struct Upgrade<'a> {
    wanted: &'a crate::graph::SelectedModule,
    newer: Vec<String>,
    forced_by: Vec<String>,
}
