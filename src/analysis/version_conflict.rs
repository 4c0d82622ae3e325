//! GD001: a module both sides build with, selected at different versions. Its packages'
//! export data differ, so the runtime rejects the plugin whenever both link one of them.

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
