//! What changed between two releases of a host, as its plugins see it: the packages whose
//! export-data hash changed (the runtime refuses a plugin linked against the old one), the
//! Go release, the build settings that change every hash, the modules; and, for given
//! plugins, which loaded into the old host and fail with the new one (so must be rebuilt).
//!
//! Linear: packages and modules are sorted in both contracts and merged in one pass.

use super::{is_standard, Contract, Module};
use crate::binary::loader::LoaderInfo;
use crate::binary::{Artifact, Verdict};
use crate::rules::binary::{check_with, LoaderCheck};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

/// Build settings that change package hashes (the others need not match).
const HASH_SETTINGS: &[&str] = &[
    "-trimpath",
    "-race",
    "-gcflags",
    "-tags",
    "-pgo",
    "GOEXPERIMENT",
    "CGO_ENABLED",
    "GOOS",
    "GOARCH",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    pub name: String,
    /// Empty: absent on that side.
    pub old: String,
    pub new: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PackageChanges {
    /// In both, with another hash (or, without hashes, another module version/replacement).
    pub changed: Vec<String>,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Changed packages of the standard library (another release or flags).
    pub changed_standard: usize,
    /// Whether changes were decided from hashes (both contracts have them) or inferred from
    /// module versions.
    pub from_hashes: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PluginImpact {
    pub plugin: String,
    pub before: Verdict,
    pub after: Verdict,
    /// Loaded before, fails after: rebuild against the new host.
    pub must_rebuild: bool,
    /// Changed packages it links (up to 20), when it fails after.
    pub changed_packages: Vec<String>,
    /// What plugin.Open will say with the new host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_after: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root_cause_after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractDiff {
    pub old: String,
    pub new: String,
    pub go_version: Option<Change>,
    pub settings: Vec<Change>,
    pub modules: Vec<Change>,
    pub packages: PackageChanges,
    pub plugins: Vec<PluginImpact>,
}

fn module_text(m: &Module) -> String {
    let v = |m: &Module| {
        if m.version.is_empty() {
            m.path.clone()
        } else {
            m.version.clone()
        }
    };
    match &m.replace {
        Some(r) => format!("{} => {}", v(m), r.describe()),
        None => v(m),
    }
}

/// Merges two path-sorted lists: calls `f(path, old, new)` once per path.
fn merge<'a, T>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&T) -> &str,
    mut f: impl FnMut(&'a T, Option<&'a T>, Option<&'a T>),
) {
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let ord = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => key(a).cmp(key(b)),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match ord {
            Ordering::Less => {
                f(&old[i], Some(&old[i]), None);
                i += 1;
            }
            Ordering::Greater => {
                f(&new[j], None, Some(&new[j]));
                j += 1;
            }
            Ordering::Equal => {
                f(&old[i], Some(&old[i]), Some(&new[j]));
                i += 1;
                j += 1;
            }
        }
    }
}

/// The differences between two contracts (plugins: see `impact`).
pub fn diff(old: &Contract, new: &Contract) -> ContractDiff {
    let go_version = (old.go_version != new.go_version).then(|| Change {
        name: "go".into(),
        old: old.go_version.clone(),
        new: new.go_version.clone(),
    });
    let settings = HASH_SETTINGS
        .iter()
        .filter_map(|k| {
            let a = old.build_settings.get(*k).map_or("", String::as_str);
            let b = new.build_settings.get(*k).map_or("", String::as_str);
            (a != b).then(|| Change {
                name: (*k).to_string(),
                old: a.into(),
                new: b.into(),
            })
        })
        .collect();
    let mut modules = Vec::new();
    let mut module_changed: BTreeSet<&str> = BTreeSet::new();
    merge(
        &old.modules,
        &new.modules,
        |m| m.path.as_str(),
        |m, a, b| {
            let (ta, tb) = (
                a.map(module_text).unwrap_or_default(),
                b.map(module_text).unwrap_or_default(),
            );
            if ta != tb {
                module_changed.insert(m.path.as_str());
                modules.push(Change {
                    name: m.path.clone(),
                    old: ta,
                    new: tb,
                });
            }
        },
    );
    let from_hashes = old.hashes && new.hashes;
    let flags_changed = go_version.is_some()
        || !HASH_SETTINGS
            .iter()
            .all(|k| old.build_settings.get(*k) == new.build_settings.get(*k));
    let mut packages = PackageChanges {
        from_hashes,
        ..PackageChanges::default()
    };
    merge(
        &old.packages,
        &new.packages,
        |p| p.path.as_str(),
        |p, a, b| match (a, b) {
            (Some(_), None) => packages.removed.push(p.path.clone()),
            (None, Some(_)) => packages.added.push(p.path.clone()),
            (Some(a), Some(b)) => {
                let changed = if from_hashes {
                    a.hash != b.hash
                } else {
                    flags_changed
                        || a.module != b.module
                        || a.module
                            .as_deref()
                            .is_some_and(|m| module_changed.contains(m))
                };
                if changed {
                    if is_standard(&p.path) {
                        packages.changed_standard += 1;
                    }
                    packages.changed.push(p.path.clone());
                }
            }
            (None, None) => {}
        },
    );
    ContractDiff {
        old: old.host.name.clone(),
        new: new.host.name.clone(),
        go_version,
        settings,
        modules,
        packages,
        plugins: Vec::new(),
    }
}

/// Replays `plugins` against both hosts: which loaded before and fail after. `loaders`: one
/// per plugin (None: not read).
pub fn impact(
    d: &mut ContractDiff,
    old: &Contract,
    new: &Contract,
    plugins: &[Artifact],
    names: &[String],
    loaders: &[Option<LoaderInfo>],
) {
    let changed: HashSet<&str> = d.packages.changed.iter().map(String::as_str).collect();
    let links_changed = |plugin: &Artifact| -> Vec<String> {
        plugin
            .hashes
            .keys()
            .filter(|p| changed.contains(p.as_str()))
            .take(20)
            .cloned()
            .collect()
    };
    // Without the runtime's hashes (a contract from sources) nothing can be replayed: a
    // plugin linking a package whose module or settings changed must be rebuilt.
    if old.source == super::Source::Sources || new.source == super::Source::Sources {
        for (plugin, name) in plugins.iter().zip(names) {
            let changed_packages = links_changed(plugin);
            let must_rebuild = !changed_packages.is_empty();
            d.plugins.push(PluginImpact {
                plugin: name.clone(),
                before: Verdict::Unknown,
                after: Verdict::Unknown,
                must_rebuild,
                changed_packages,
                error_after: None,
                root_cause_after: must_rebuild.then(|| {
                    "links packages whose module or build settings changed (a contract from sources has no hashes to replay)".to_string()
                }),
            });
        }
        return;
    }
    let run = |c: &Contract| {
        let lc = LoaderCheck {
            host: c.loader.as_ref(),
            plugins: loaders,
            glibc_ceiling: c.target.glibc.as_deref(),
        };
        check_with(&c.to_artifact(), plugins, names, &lc)
    };
    let (before, after) = (run(old), run(new));
    let mut impacts = Vec::new();
    for ((a, b), plugin) in before.plugins.iter().zip(&after.plugins).zip(plugins) {
        let must_rebuild = a.verdict == Verdict::Loads && b.verdict != Verdict::Loads;
        let changed_packages = if b.verdict == Verdict::Loads {
            Vec::new()
        } else {
            links_changed(plugin)
        };
        impacts.push(PluginImpact {
            plugin: a.path.clone(),
            before: a.verdict,
            after: b.verdict,
            must_rebuild,
            changed_packages,
            error_after: b.error.clone(),
            root_cause_after: b.root_cause.clone(),
        });
    }
    d.plugins.extend(impacts);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Package, Source};

    fn contract(dep: &str, hash: &str) -> Contract {
        Contract {
            schema_version: 1,
            kind: crate::contract::KIND.into(),
            source: Source::Binary,
            hashes: true,
            generator: String::new(),
            host: Default::default(),
            go_version: "go1.26.8".into(),
            goos: "linux".into(),
            goarch: "amd64".into(),
            cgo: true,
            build_settings: Default::default(),
            main_module: Module::default(),
            modules: vec![Module {
                path: "example.com/dep".into(),
                version: dep.into(),
                ..Module::default()
            }],
            packages: vec![
                Package {
                    path: "example.com/dep".into(),
                    module: Some("example.com/dep".into()),
                    hash: Some(hash.into()),
                },
                Package {
                    path: "fmt".into(),
                    module: None,
                    hash: Some("0000000000000001".into()),
                },
            ],
            loader: None,
            target: Default::default(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn changed_hashes_and_versions() {
        let a = contract("v1.0.0", "0000000000000002");
        let b = contract("v1.1.0", "0000000000000003");
        let d = diff(&a, &b);
        assert_eq!(d.packages.changed, vec!["example.com/dep".to_string()]);
        assert_eq!(d.modules[0].old, "v1.0.0");
        assert!(d.settings.is_empty() && d.go_version.is_none());
        // Without hashes, a module's new version changes its packages.
        let (mut a, mut b) = (a, b);
        a.hashes = false;
        b.hashes = false;
        let d = diff(&a, &b);
        assert!(!d.packages.from_hashes);
        assert_eq!(d.packages.changed, vec!["example.com/dep".to_string()]);
    }
}
