//! Alignment proposals: for every module at different versions, the version to align on
//! and the exact change per side (a `go get` command and the go.mod diff).

use crate::config::AlignStrategy;
use crate::finding::{Code, Finding};
use crate::project::{Project, Side};
use crate::semver;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Serialize)]
pub struct Change {
    pub artifact: String,
    pub go_mod: String,
    pub from: String,
    pub command: String,
    /// Unified diff of go.mod, when the module is required there directly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Proposal {
    pub module: String,
    pub target: String,
    pub strategy: AlignStrategy,
    pub changes: Vec<Change>,
}

/// go.mod text with `module`'s require line set to `version` (None if not required directly).
pub fn edit_require(side: &Side, module: &str, version: &str) -> Option<String> {
    let req = side
        .go_mod
        .require
        .iter()
        .find(|r| r.module.path == module)?;
    let text = String::from_utf8_lossy(&side.go_mod_text).into_owned();
    let line = text.get(req.span.start..req.span.end)?;
    let new_line = line.replacen(&req.module.version, version, 1);
    let mut out = text.clone();
    out.replace_range(req.span.start..req.span.end, &new_line);
    Some(out)
}

pub fn propose(project: &Project, findings: &[Finding]) -> Vec<Proposal> {
    let sides: Vec<&Side> = std::iter::once(&project.host)
        .chain(&project.plugins)
        .collect();
    let mut modules: BTreeMap<String, ()> = BTreeMap::new();
    for f in findings.iter().filter(|f| f.code == Code::VersionConflict) {
        if let Some(m) = &f.module {
            modules.insert(m.clone(), ());
        }
    }
    let strategy = project.config.align.strategy;
    let mut out = Vec::new();
    for module in modules.keys() {
        let versions: Vec<(&Side, String)> = sides
            .iter()
            .filter_map(|s| {
                s.build_list
                    .get(module)
                    .map(|m| (*s, m.module.version.clone()))
            })
            .collect();
        let target = match strategy {
            AlignStrategy::Host => project
                .host
                .build_list
                .get(module)
                .map(|m| m.module.version.clone()),
            AlignStrategy::Max => versions
                .iter()
                .map(|(_, v)| v.as_str())
                .reduce(|a, b| semver::max(a, b))
                .map(str::to_string),
        };
        let Some(target) = target else { continue };
        let mut changes = Vec::new();
        for (side, v) in &versions {
            if *v == target {
                continue;
            }
            let diff = edit_require(side, module, &target).map(|new| {
                let old = String::from_utf8_lossy(&side.go_mod_text).into_owned();
                similar::TextDiff::from_lines(&old, &new)
                    .unified_diff()
                    .context_radius(2)
                    .header(
                        &format!("a/{}/go.mod", side.name),
                        &format!("b/{}/go.mod", side.name),
                    )
                    .to_string()
            });
            // A module replaced by a local directory is not fetched: its replace must point
            // at the target version's source, as on a side that already has it.
            let replaced_dir = matches!(
                side.build_list.get(module).and_then(|m| m.replace.as_ref()),
                Some(crate::graph::Replacement::Dir { .. })
            );
            let source = versions.iter().find_map(|(s, v)| {
                (*v == target).then(|| s.build_list.get(module).and_then(|m| m.replace.clone()))?
            });
            let note = match (replaced_dir, source) {
                (true, Some(crate::graph::Replacement::Dir { resolved, .. })) => Some(format!(
                    "also replace {module} with {} (the source the other side builds)",
                    resolved.display()
                )),
                (true, _) => Some(format!("also update the replace directive of {module}")),
                _ => None,
            };
            changes.push(Change {
                artifact: side.name.clone(),
                go_mod: side.go_mod_path.display().to_string(),
                from: v.clone(),
                command: format!("(cd {} && go get {module}@{target})", side.dir.display()),
                diff,
                note,
            });
        }
        out.push(Proposal {
            module: module.clone(),
            target,
            strategy,
            changes,
        });
    }
    out
}
