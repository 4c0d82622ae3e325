//! Per-module proposals for reports, drawn from the plan, and the host upgrade offered when
//! a plugin needs (or is forced to) a newer version than the host has.

use super::plan::{newest, Forced, SidePlan, Step};
use super::source::Source;
use super::{
    build_list_of, chain, greater, parse_text, relative_dir, unified_diff, Change, HostUpgrade,
    Move, Proposal,
};
use crate::config::AlignStrategy;
use crate::gomod::{edit, ModFile, Require};
use crate::graph::{BuildList, Replacement};
use crate::module::ModuleVersion;
use crate::project::{Project, Side};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The host's graph for what-if questions: the loader, and the what-if selections
/// prepared on first use (None inside: not possible).
struct HostGraph<'l> {
    loader: &'l crate::graph::Loader<'l>,
    what_if: Option<Option<crate::graph::WhatIf<'l>>>,
}

/// The host's build list after also requiring `module@version` (MVS over the union). From
/// the host's kept graph, updated incrementally (graph::WhatIf), when nothing else is
/// involved; else one load of the edited go.mod.
fn host_upgrade(
    project: &Project,
    graph: &mut HostGraph,
    module: &str,
    version: &str,
    wanted_by: Vec<String>,
    forced_by: Vec<String>,
    extra: Option<&Replacement>,
) -> HostUpgrade {
    let host = &project.host;
    let affects = |moves: &[Move]| -> Vec<String> {
        project
            .plugins
            .iter()
            .filter(|p| {
                moves.iter().any(|mv| {
                    p.build_list
                        .get(&mv.module)
                        .is_some_and(|s| s.module.version != mv.to)
                })
            })
            .map(|p| p.name.clone())
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

/// How a plan concerns one module.
#[derive(Clone, Copy)]
enum Touch<'a> {
    Forced(&'a Forced),
    Step(&'a Step),
}

pub(super) fn proposals(
    project: &Project,
    flagged: &BTreeMap<String, BTreeSet<String>>,
    plans: &[SidePlan],
    reference: &BuildList,
) -> Vec<Proposal> {
    let strategy = project.config.align.strategy;
    let graph_opts = crate::graph::LoadOptions::module_mode(project.modcache.clone());
    let loader = crate::graph::Loader::new(&graph_opts, &project.go_mods);
    let mut host_graph = HostGraph {
        loader: &loader,
        what_if: None,
    };
    let all: Vec<&Side> = std::iter::once(&project.host)
        .chain(&project.plugins)
        .collect();
    // Per module, the plans that change it or cannot (one pass over the plans, so the
    // work stays linear in plugins × modules).
    let mut touching: HashMap<&str, Vec<(usize, Touch)>> = HashMap::new();
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
    // Each plan's go.mod before and after, parsed once.
    let parsed: Vec<Option<(ModFile, ModFile)>> = plans
        .iter()
        .map(|p| parse_text(&p.old).zip(parse_text(&p.new)))
        .collect();
    let mut out = Vec::new();
    for module in flagged.keys() {
        let Some(target_sel) = reference.get(module).or_else(|| {
            let lists = plans
                .iter()
                .filter_map(|p| p.build_list.as_ref())
                .chain(project.plugins.iter().map(|p| &p.build_list));
            newest(lists, module)
        }) else {
            continue;
        };
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
        let mut why = BTreeMap::new();
        for s in &all {
            let c = chain(&s.build_list, module);
            if !c.is_empty() {
                why.insert(s.name.clone(), c);
            }
        }
        let mut changes = Vec::new();
        let mut forced_by = Vec::new();
        let mut newer = Vec::new();
        for &(i, entry) in touching.get(module.as_str()).into_iter().flatten() {
            let p = &plans[i];
            let rel_go_mod = p.go_mod.display().to_string();
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
                .and_then(|(old_mf, new_mf)| module_only(&p.old, old_mf, new_mf, module))
                .map(|n| {
                    let rel = p.go_mod.strip_prefix(&project.root).unwrap_or(&p.go_mod);
                    unified_diff(&rel.display().to_string(), Some(&p.old), &n)
                });
            let note = step.args.starts_with("go mod edit").then(|| {
                "`go get` cannot change a replaced module; after the edit, `go mod tidy` updates go.sum (`godrift align` does both)".to_string()
            });
            changes.push(Change {
                artifact: p.artifact.clone(),
                go_mod: rel_go_mod,
                from: step.from.clone(),
                to: step.to.clone(),
                command: format!("(cd {} && {})", p.dir.display(), step.args),
                diff,
                note,
                args: step.args.clone(),
            });
        }
        let host_upgrade = if newer.is_empty() || strategy != AlignStrategy::Host {
            None
        } else {
            let wanted = newest(
                project
                    .plugins
                    .iter()
                    .filter(|p| newer.contains(&p.name))
                    .map(|p| &p.build_list),
                module,
            );
            wanted.map(|w| {
                host_upgrade(
                    project,
                    &mut host_graph,
                    module,
                    &w.module.version,
                    newer.clone(),
                    forced_by.clone(),
                    w.replace.as_ref(),
                )
            })
        };
        out.push(Proposal {
            module: module.clone(),
            target,
            replace,
            strategy,
            why,
            changes,
            host_upgrade,
        });
    }
    out
}
