//! GD001 version-conflict: a module both sides build with, selected at different versions.
//!
//! - What: host and plugin select different versions of a module.
//! - Why: its packages' export data differ, so the runtime rejects the plugin whenever both
//!   link one of them ("plugin was built with a different version of package P").
//! - Fix: align the plugin on the host's version (`godrift align`), or rebuild the host.

use super::{go_mod_evidence, judged, Pair};
use crate::codes::Code;
use crate::finding::{Evidence, Finding, Severity};
use crate::project::Side;

/// A selected module as it is compiled: `v1.2.0`, `v1.0.0 replaced by example.com/fork
/// v1.0.1`, `v1.0.0 replaced by directory ../x`.
fn effective(m: &crate::graph::SelectedModule) -> String {
    use crate::graph::Replacement;
    match &m.replace {
        None => m.module.version.clone(),
        Some(Replacement::Module { module }) if module.path == m.module.path => {
            format!(
                "{} (required {}, replaced)",
                module.version, m.module.version
            )
        }
        Some(Replacement::Module { module }) => {
            format!("{} replaced by {module}", m.module.version)
        }
        Some(Replacement::Dir { path, .. }) => {
            format!("{} replaced by directory {path}", m.module.version)
        }
    }
}

/// Modules both build lists hold at different versions, shown as compiled (after
/// `replace`), judged by what both link.
pub fn check(pair: &Pair) -> Vec<Finding> {
    let (a, b) = (pair.a, pair.b);
    let mut out = Vec::new();
    for m in &a.build_list.modules {
        let Some(other) = b.build_list.get(&m.module.path) else {
            continue;
        };
        if other.module.version == m.module.version {
            continue;
        }
        let path = &m.module.path;
        // The same files compiled from the same place: both replaced by the same module
        // version or directory, or one side's `replace M => M v2` against the other's plain
        // `M v2` (issue 11 item 3). Without -trimpath that is the same package; with it,
        // cmd/go records `path@<required version>` (work.Action.trimpath), which differs.
        let same_source = crate::fixes::Source::of(m) == crate::fixes::Source::of(other);
        let trimpath = a.build.trimpath && b.build.trimpath;
        if same_source && !trimpath {
            continue;
        }
        let mut message = format!(
            "{path} is {} in {} but {} in {}",
            effective(m),
            a.name,
            effective(other),
            b.name
        );
        if same_source {
            message.push_str(
                " (the same code, but -trimpath records the required version in every file name)",
            );
        }
        let mut f = Finding::new(Code::VersionConflict, Severity::Error, message);
        f.artifacts = vec![a.name.clone(), b.name.clone()];
        f.module = Some(path.clone());
        for side in [a, b] {
            if let Some(e) = go_mod_evidence(side, path) {
                f.evidence.push(e);
                continue;
            }
            // Not in the side's go.mod: the chain that brings it in.
            let chain = side.build_list.why_refs(path);
            if chain.len() > 1 {
                f.evidence.push(Evidence {
                    artifact: side.name.clone(),
                    file: side.go_mod_path.clone(),
                    line: None,
                    col: None,
                    text: format!("required via {}", crate::fixes::join_chain(&chain)),
                });
            }
        }
        f.fix = Some(format!(
            "align {path} on one version in both go.mod files (see the proposal)"
        ));
        out.push(judged(f, &pair.linkage(path)));
    }
    out
}

/// Modules the host lacks, selected by several plugins at different versions. dlopen makes
/// each plugin's symbols global, so the first plugin opened (in the configured order) that
/// links a package provides it to every later one, and a later plugin linking that package
/// at another version fails to open, whether or not the first one loaded. One finding per
/// module, naming the plugins that fail (linear in plugins × modules, never per pair).
pub fn between_plugins(host: &Side, plugins: &[Side]) -> Vec<Finding> {
    use std::collections::{BTreeMap, HashMap};
    // Per plugin: what it compiles (the source after `replace`, and under -trimpath the
    // required version, which names the files), and how messages show it.
    let mut by_module: BTreeMap<&str, Vec<(usize, String, String)>> = BTreeMap::new();
    for (i, p) in plugins.iter().enumerate() {
        for m in &p.build_list.modules {
            let path = m.module.path.as_str();
            if path == host.module_path() || host.build_list.get(path).is_some() {
                continue;
            }
            let mut key = match crate::fixes::Source::of(m) {
                crate::fixes::Source::Module { module } => module.to_string(),
                crate::fixes::Source::Dir { path } => path.display().to_string(),
            };
            if p.build.trimpath {
                key = format!("{key} (required {})", m.module.version);
            }
            by_module
                .entry(path)
                .or_default()
                .push((i, key, effective(m)));
        }
    }
    let mut out = Vec::new();
    for (path, entries) in &by_module {
        let path: &str = path;
        let users: Vec<(usize, &str)> = entries.iter().map(|(i, k, _)| (*i, k.as_str())).collect();
        if users.iter().all(|(_, v)| *v == users[0].1) {
            continue;
        }
        // Package -> the plugin that provides it first, and its version.
        let mut provider: HashMap<&str, (usize, &str)> = HashMap::new();
        // The first plugin whose linkage of this module is unknown.
        let mut unknown_first: Option<(usize, &str)> = None;
        // Failing plugin -> (provider, packages; empty when not known).
        let mut failing: BTreeMap<usize, (usize, Vec<String>)> = BTreeMap::new();
        for &(i, v) in &users {
            let linked = plugins[i].linked.as_ref().filter(|l| !l.uncertain(path));
            let Some(l) = linked else {
                match unknown_first {
                    Some((j, w)) if w != v => {
                        failing.entry(i).or_insert((j, Vec::new()));
                    }
                    None => unknown_first = Some((i, v)),
                    _ => {}
                }
                for &(j, w) in provider.values() {
                    if w != v {
                        failing.entry(i).or_insert((j, Vec::new()));
                    }
                }
                continue;
            };
            let mine: Vec<&str> = l
                .packages
                .iter()
                .filter(|(_, p)| p.module.as_ref().is_some_and(|m| m.path == path))
                .map(|(k, _)| k.as_str())
                .collect();
            if let Some((j, w)) = unknown_first {
                if w != v && !mine.is_empty() {
                    failing.entry(i).or_insert((j, Vec::new()));
                }
            }
            for pkg in mine {
                match provider.get(pkg) {
                    Some(&(j, w)) if w != v => {
                        failing
                            .entry(i)
                            .or_insert((j, Vec::new()))
                            .1
                            .push(pkg.to_string());
                    }
                    Some(_) => {}
                    None => {
                        provider.insert(pkg, (i, v));
                    }
                }
            }
        }
        let versions = entries
            .iter()
            .map(|(i, _, shown)| format!("{} {shown}", plugins[*i].name))
            .collect::<Vec<_>>()
            .join(", ");
        let mut f = Finding::new(
            Code::VersionConflict,
            Severity::Error,
            format!(
                "{path} is not in the host; plugins select it at different versions: {versions}"
            ),
        );
        f.module = Some(path.to_string());
        if failing.is_empty() {
            f.severity = Severity::Info;
            f.artifacts = users
                .iter()
                .map(|(i, _)| plugins[*i].name.clone())
                .collect();
            f.message.push_str(&format!(
                "; latent: no package of {path} is linked by two plugins at different versions"
            ));
            f.fix = Some(format!(
                "nothing to change now; align {path} before two plugins link the same package of it"
            ));
        } else {
            // Plugins failing after the same provider for the same reason are named
            // together: with hundreds of plugins, one clause per pair would repeat it.
            let mut groups: Vec<(usize, &Vec<String>, Vec<&str>)> = Vec::new();
            let mut group_of: HashMap<(usize, &Vec<String>), usize> = HashMap::new();
            for (i, (j, pkgs)) in &failing {
                f.artifacts.push(plugins[*i].name.clone());
                f.packages.extend(pkgs.iter().cloned());
                let g = *group_of.entry((*j, pkgs)).or_insert_with(|| {
                    groups.push((*j, pkgs, Vec::new()));
                    groups.len() - 1
                });
                groups[g].2.push(plugins[*i].name.as_str());
            }
            let words: Vec<String> = groups
                .iter()
                .map(|(j, pkgs, names)| {
                    let (who, verb) = match names.as_slice() {
                        [one] => (one.to_string(), "fails"),
                        [rest @ .., last] => (format!("{} and {last}", rest.join(", ")), "fail"),
                        [] => (String::new(), "fail"),
                    };
                    let provider = &plugins[*j].name;
                    if pkgs.is_empty() {
                        format!(
                            "{who} {verb} if opened after {provider} (whether both link a package of it is not known)"
                        )
                    } else {
                        format!(
                            "{who} {verb} if opened after {provider}, which provides {}",
                            crate::linkage::list(pkgs, 3)
                        )
                    }
                })
                .collect();
            f.packages.sort();
            f.packages.dedup();
            f.message.push_str(&format!(
                " (the plugin opened first provides it: {})",
                words.join("; ")
            ));
            f.fix = Some(format!(
                "align {path} on one version in every plugin that links it (or require it in the host)"
            ));
        }
        out.push(f);
    }
    out
}

/// Binary mode: the module of a mismatched package is at another version in build info.
pub fn binary(
    label: &str,
    plugin: &str,
    module: &str,
    host_version: &str,
    plugin_version: &str,
    package: &str,
) -> Finding {
    let mut f = Finding::new(
        Code::VersionConflict,
        Severity::Error,
        format!("{module} is {host_version} in the {label} but {plugin_version} in {plugin}"),
    );
    f.module = Some(module.to_string());
    f.packages = vec![package.to_string()];
    f.fix = Some(format!(
        "align both on one version, e.g. `go get {module}@{}` in the older side",
        crate::semver::max(host_version, plugin_version)
    ));
    f
}
