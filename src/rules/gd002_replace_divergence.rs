//! GD002: a module replaced on one side only, or by different module targets: the two
//! sides compile different code under the same import path.

use super::{go_mod_evidence, judged, Pair};
use crate::finding::{Code, Finding, Severity};
use crate::graph::Replacement;

fn describe(r: Option<&Replacement>) -> String {
    match r {
        None => "not replaced".into(),
        Some(Replacement::Module { module }) => format!("replaced by {module}"),
        Some(Replacement::Dir { path, .. }) => format!("replaced by directory {path}"),
    }
}

pub fn check(pair: &Pair) -> Vec<Finding> {
    let (host, plugin) = (pair.a, pair.b);
    let mut out = Vec::new();
    for m in &host.build_list.modules {
        let Some(p) = plugin.build_list.get(&m.module.path) else {
            continue;
        };
        if p.module.version != m.module.version {
            continue; // GD001 covers it.
        }
        // Directory sources (replace dirs, vendor trees) are GD007's: they differ by path
        // even when the content is the same. Here: module replacements that disagree.
        let differs = match (&m.replace, &p.replace) {
            (Some(Replacement::Module { .. }), _) | (_, Some(Replacement::Module { .. })) => {
                m.replace != p.replace
            }
            _ => false,
        };
        if !differs {
            continue;
        }
        let path = &m.module.path;
        let mut f = Finding::new(
            Code::ReplaceDivergence,
            Severity::Error,
            format!(
                "{path}@{}: {} in host, {} in {}",
                m.module.version,
                describe(m.replace.as_ref()),
                describe(p.replace.as_ref()),
                plugin.name
            ),
        );
        f.artifacts = vec![host.name.clone(), plugin.name.clone()];
        f.module = Some(path.clone());
        f.evidence.extend(go_mod_evidence(host, path));
        f.evidence.extend(go_mod_evidence(plugin, path));
        f.fix = Some("use the same replace directive in both go.mod files".into());
        out.push(judged(f, &pair.linkage(path)));
    }
    out
}

/// Binary mode: same version, another replacement (build info's `=>` lines).
pub fn binary(label: &str, module: &str, host: &str, plugin: &str, package: &str) -> Finding {
    let mut f = Finding::new(
        Code::ReplaceDivergence,
        Severity::Error,
        format!("{module} comes from different sources: {label} {host}, plugin {plugin}"),
    );
    f.module = Some(module.to_string());
    f.packages = vec![package.to_string()];
    f.fix = Some("use the same replace directive (same target) in host and plugin go.mod".into());
    f
}
