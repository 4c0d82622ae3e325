//! GD001 version-conflict: a module both sides build with, selected at different versions.
//!
//! - What: host and plugin select different versions of a module.
//! - Why: its packages' export data differ, so the runtime rejects the plugin whenever both
//!   link one of them ("plugin was built with a different version of package P").
//! - Fix: align the plugin on the host's version (`godrift align`), or rebuild the host.

use super::go_mod_evidence;
use crate::finding::{Code, Finding, Severity};
use crate::project::Side;

pub fn check(a: &Side, b: &Side) -> Vec<Finding> {
    let mut out = Vec::new();
    for m in &a.build_list.modules {
        let Some(other) = b.build_list.get(&m.module.path) else {
            continue;
        };
        if other.module.version == m.module.version {
            continue;
        }
        let path = &m.module.path;
        let mut f = Finding::new(
            Code::VersionConflict,
            Severity::Error,
            format!(
                "{path} is {} in {} but {} in {}",
                m.module.version, a.name, other.module.version, b.name
            ),
        );
        f.artifacts = vec![a.name.clone(), b.name.clone()];
        f.module = Some(path.clone());
        // The shared packages, where vendor/modules.txt lists them.
        let pkgs = |s: &Side| -> Option<Vec<String>> {
            let txt = &s.vendor.as_ref()?.modules;
            Some(
                txt.modules
                    .iter()
                    .filter(|m| m.module.path == *path)
                    .flat_map(|m| m.packages.iter().cloned())
                    .collect(),
            )
        };
        f.packages = match (pkgs(a), pkgs(b)) {
            (Some(x), Some(y)) => x.into_iter().filter(|p| y.contains(p)).collect(),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => Vec::new(),
        };
        for (side, chain) in [(a, a.build_list.why(path)), (b, b.build_list.why(path))] {
            if let Some(e) = go_mod_evidence(side, path) {
                f.evidence.push(e);
            } else if chain.len() > 1 {
                f.evidence.push(crate::finding::Evidence {
                    artifact: side.name.clone(),
                    file: side.go_mod_path.clone(),
                    line: None,
                    col: None,
                    text: format!(
                        "required via {}",
                        chain
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(" -> ")
                    ),
                });
            }
        }
        f.fix = Some(format!(
            "align {path} on one version in both go.mod files (see the proposal)"
        ));
        out.push(f);
    }
    out
}

/// Modules shared only by plugins: the first plugin opened provides them to later ones, so
/// a later plugin with another version fails to open after it.
pub fn between_plugins(host: &Side, plugins: &[Side]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, a) in plugins.iter().enumerate() {
        for b in &plugins[i + 1..] {
            for mut f in check(a, b) {
                let module = f.module.clone().unwrap_or_default();
                if host.build_list.get(&module).is_none() {
                    // Opened first, `a` provides the module; only `b` fails to open.
                    f.artifacts = vec![b.name.clone()];
                    f.message.push_str(&format!(
                        " (not in the host: the plugin opened first provides it, so {} fails if opened after {})",
                        b.name, a.name
                    ));
                    out.push(f);
                }
            }
        }
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
