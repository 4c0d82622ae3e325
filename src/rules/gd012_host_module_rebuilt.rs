//! GD012 host-module-rebuilt: the plugin compiles the host's own packages from elsewhere.
//!
//! - What: the plugin requires the host's main module (gateway plugins import the gateway's
//!   packages) and compiles it from a module version, a `replace` to another directory, or
//!   vendor/.
//! - Why: the host compiles those packages as its main module, from its directory; any other
//!   origin records other source paths (or, with -trimpath, `module@version` instead of
//!   `module`), so plugin.Open fails on the first such package. Measured (go1.26): a
//!   byte-identical copy fails with or without -trimpath; `replace => <the host's own
//!   directory>` loads without -trimpath and fails with it; a go.work that uses the host's
//!   directory loads either way.
//! - Fix: build the plugin in a go.work that uses the host's module directory.

use super::{go_mod_evidence, judged, Pair};
use crate::codes::Code;
use crate::finding::{Finding, Severity};
use crate::graph::Replacement;
use crate::project::Side;
use std::path::Path;

fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    canon(a) == canon(b)
}

/// Where the plugin compiles the host's module from, when that is not the host's directory
/// (with the host's -trimpath setting); None when it compiles the same files as the host.
fn elsewhere(host: &Side, plugin: &Side) -> Option<String> {
    let path = host.module_path();
    if let Some(i) = plugin.build_list.main.iter().position(|m| m == path) {
        // A workspace main module: compiled from the directory its go.work uses.
        let dir = plugin.build_list.main_dirs.get(i)?;
        return (!same_dir(dir, &host.dir))
            .then(|| format!("the workspace's copy in {}", dir.display()));
    }
    let m = plugin.build_list.get(path)?;
    if let Some(v) = plugin.build_list.vendor_dir() {
        return Some(format!("{}", v.join(path).display()));
    }
    match &m.replace {
        Some(Replacement::Dir { resolved, .. }) if same_dir(resolved, &host.dir) => {
            // The same files, but -trimpath records `module` for the host's main module and
            // `module@version` for the plugin's dependency.
            (host.build.trimpath || plugin.build.trimpath).then(|| {
                format!(
                    "the host's directory as a dependency ({path}@{}) with -trimpath",
                    m.module.version
                )
            })
        }
        Some(Replacement::Dir { resolved, .. }) => Some(format!("{}", resolved.display())),
        Some(Replacement::Module { module }) => Some(format!("the module cache ({module})")),
        None => Some(format!("the module cache ({path}@{})", m.module.version)),
    }
}

pub fn check(pair: &Pair) -> Vec<Finding> {
    let (host, plugin) = (pair.a, pair.b);
    let path = host.module_path();
    if path.is_empty() {
        return Vec::new();
    }
    let Some(from) = elsewhere(host, plugin) else {
        return Vec::new();
    };
    let mut f = Finding::new(
        Code::HostModuleRebuilt,
        Severity::Error,
        format!(
            "{} compiles the host's own module {path} from {from}, not from the host's directory",
            plugin.name
        ),
    );
    f.artifacts = vec![host.name.clone(), plugin.name.clone()];
    f.module = Some(path.to_string());
    f.evidence.extend(go_mod_evidence(plugin, path));
    f.fix = Some(format!(
        "build {} in a go.work that uses the host's module directory (go work init {} {}), with the host's -trimpath setting",
        plugin.name,
        host.dir.display(),
        plugin.dir.display()
    ));
    vec![judged(f, &pair.linkage(path))]
}

/// Binary mode: build info shows the host's main module as a dependency of the plugin.
pub fn binary(label: &str, plugin: &str, module: &str, source: &str, package: &str) -> Finding {
    let mut f = Finding::new(
        Code::HostModuleRebuilt,
        Severity::Error,
        format!("{plugin} compiles the {label}'s own module {module} as a dependency ({source}), not as the {label} does, from its module directory"),
    );
    f.module = Some(module.to_string());
    f.packages = vec![package.to_string()];
    f.fix = Some("build the plugin in a go.work that uses the host's module directory, with the host's -trimpath setting".into());
    f
}
