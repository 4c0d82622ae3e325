//! GD008: two plugins built from the same main package path. The second `plugin.Open`
//! fails with `plugin already loaded`.

use crate::finding::{Code, Finding, Severity};
use crate::project::Side;
use std::collections::HashMap;

pub fn check(plugins: &[Side]) -> Vec<Finding> {
    let mut first: HashMap<&str, &Side> = HashMap::new();
    let mut out = Vec::new();
    for p in plugins {
        // The plugin path is the main package's import path (the module path for a main
        // package at the module root).
        let path = p
            .linked
            .as_ref()
            .and_then(|l| l.mains.first())
            .map_or(p.module_path(), String::as_str);
        if path.is_empty() {
            continue;
        }
        if let Some(prev) = first.get(path) {
            let mut f = Finding::new(
                Code::DuplicatePluginPath,
                Severity::Error,
                format!("{} and {} are both built from package {path}: the second plugin.Open fails with \"plugin already loaded\"", prev.name, p.name),
            );
            // Only the plugin opened second fails; the first loads.
            f.artifacts = vec![p.name.clone()];
            f.fix = Some("give each plugin its own module path".into());
            out.push(f);
        } else {
            first.insert(path, p);
        }
    }
    out
}

/// Binary mode: a plugin with the same plugin path loaded before.
pub fn binary(first: &str, name: &str, plugin_path: &str) -> Finding {
    let mut f = Finding::new(
        Code::DuplicatePluginPath,
        Severity::Error,
        format!("{name} and {first} have the same plugin path {plugin_path}"),
    );
    f.artifacts = vec![first.to_string(), name.to_string()];
    f
}

pub fn binary_root_cause(first: &str, plugin_path: &str) -> String {
    format!("{first} was built from the same package {plugin_path}; each plugin needs its own main package path")
}

/// Binary mode: plugins with the plugin path of an earlier plugin that did not load (so the
/// replay saw no collision). Once the earlier one is fixed, the later fails with "plugin
/// already loaded": the runtime's lastmoduleinit compares plugin paths of active modules.
pub fn latent(plugins: &[crate::binary::PluginResult]) -> Vec<Finding> {
    use crate::binary::Event;
    let mut first: HashMap<&str, &str> = HashMap::new();
    let mut out = Vec::new();
    for p in plugins {
        let Some(path) = p.plugin_path.as_deref() else {
            continue;
        };
        if matches!(p.event, Event::Cached { .. } | Event::AlreadyLoaded { .. }) {
            continue;
        }
        match first.get(path) {
            Some(prev) => {
                let mut f = Finding::new(
                    Code::DuplicatePluginPath,
                    Severity::Warning,
                    format!("{} and {prev} have the same plugin path {path}: once {prev} loads, plugin.Open of {} fails with \"plugin already loaded\"", p.path, p.path),
                );
                f.artifacts = vec![prev.to_string(), p.path.clone()];
                f.fix = Some(format!(
                    "build each plugin from its own main package path ({} is built from {path})",
                    p.path
                ));
                out.push(f);
            }
            None => {
                first.insert(path, &p.path);
            }
        }
    }
    out
}
