//! GD007: the same module version compiled from different directories. Source file paths
//! are part of the package hash, so this fails unless both sides build with -trimpath
//! (which rewrites paths to `module@version/...`) and the files are identical.

use super::go_mod_evidence;
use crate::finding::{Code, Finding, Severity};
use crate::graph::Replacement;
use crate::project::Side;

/// Where a side compiles `path` from: a replacement directory, its vendor/ tree, or the
/// module cache (named when the config says which).
fn origin(side: &Side, path: &str) -> String {
    let cache = if side.build.modcache.is_empty() {
        "module cache".to_string()
    } else {
        format!("module cache {}", side.build.modcache)
    };
    // A vendored build compiles vendor/ whatever go.mod's replace says.
    if side.build_list.vendored {
        return side.dir.join("vendor").join(path).display().to_string();
    }
    match side.build_list.get(path).and_then(|m| m.replace.as_ref()) {
        Some(Replacement::Dir { resolved, .. }) => resolved.display().to_string(),
        Some(Replacement::Module { module }) => format!("{cache} ({module})"),
        None => cache,
    }
}

pub fn check(host: &Side, plugin: &Side) -> Vec<Finding> {
    let mut out = Vec::new();
    let both_trimpath = host.build.trimpath && plugin.build.trimpath;
    for m in &host.build_list.modules {
        let Some(p) = plugin.build_list.get(&m.module.path) else {
            continue;
        };
        if p.module.version != m.module.version {
            continue;
        }
        let path = &m.module.path;
        let (a, b) = (origin(host, path), origin(plugin, path));
        if a == b {
            continue;
        }
        // Two module-cache builds differ only through GOMODCACHE paths (GD007 for them is
        // raised when the cache dirs are configured); local dirs and vendor trees differ here.
        let dirs = matches!(m.replace, Some(Replacement::Dir { .. }))
            || matches!(p.replace, Some(Replacement::Dir { .. }))
            || host.build_list.vendored
            || plugin.build_list.vendored
            || (!host.build.modcache.is_empty() && !plugin.build.modcache.is_empty());
        if !dirs {
            continue;
        }
        // Both vendored and both -trimpath: paths no longer matter and the vendored files
        // are compared byte for byte (GD009/GD010).
        if both_trimpath && host.vendor.is_some() && plugin.vendor.is_some() {
            continue;
        }
        let (severity, fix) = if both_trimpath {
            (
                Severity::Warning,
                "both sides use -trimpath, so paths do not matter; the files must still be byte-identical".to_string(),
            )
        } else {
            (
                Severity::Error,
                "build host and plugins with -trimpath, or compile this module from the same directory on both sides".to_string(),
            )
        };
        let mut f = Finding::new(
            Code::SourcePathDivergence,
            severity,
            format!(
                "{path}@{} is compiled from {a} in host but from {b} in {}",
                m.module.version, plugin.name
            ),
        );
        f.artifacts = vec![host.name.clone(), plugin.name.clone()];
        f.module = Some(path.clone());
        f.evidence.extend(go_mod_evidence(host, path));
        f.evidence.extend(go_mod_evidence(plugin, path));
        f.fix = Some(fix);
        out.push(f);
    }
    out
}

/// Binary mode: replaced by a local directory on both sides, without -trimpath.
pub fn binary_local_dir(module: &str, package: &str) -> Finding {
    let mut f = Finding::new(
        Code::SourcePathDivergence,
        Severity::Error,
        format!("{module} is replaced by a local directory on both sides; its files are compiled from different paths or were edited (positions are part of the hash)"),
    );
    f.module = Some(module.to_string());
    f.packages = vec![package.to_string()];
    f.fix =
        Some("build both with -trimpath and the same source, or depend on a tagged version".into());
    f
}

/// Binary mode: same version and source as far as build info says.
pub fn binary_content(module: &str, version: &str, package: &str) -> Finding {
    let mut f = Finding::new(
        Code::SourcePathDivergence,
        Severity::Error,
        format!("{module}@{version} has the same version on both sides but different compiled content: edited source, vendor/ on one side, or another GOPATH without -trimpath"),
    );
    f.module = Some(module.to_string());
    f.packages = vec![package.to_string()];
    f.fix =
        Some("build host and plugin from identical sources with -trimpath on both sides".into());
    f
}
