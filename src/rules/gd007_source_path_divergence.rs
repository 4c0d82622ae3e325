//! GD007 source-path-divergence: the same module version compiled from different
//! directories (vendor/, a `replace => ../dir` copy, another module cache).
//!
//! - Why: source file paths are part of the package hash, so this fails unless both sides
//!   build with -trimpath (which rewrites paths to `module@version/...`). With -trimpath on
//!   both, the shared packages' compiled files are compared: identical files (or a comment
//!   appended at a file's end) load; a shifted line or a changed declaration fails.
//! - Fix: -trimpath on both sides, or one directory for both.

use super::{go_mod_evidence, judge, Pair};
use crate::finding::{Code, Finding, Severity};
use crate::graph::Replacement;
use crate::linkage::Linkage;
use crate::project::Side;

/// One difference between the two sides' copies of a shared package.
struct FileDiff {
    what: String,
    severity: Severity,
}

/// With -trimpath on both sides paths do not matter: compares the compiled files of the
/// shared packages as the compiler sees them. None when a side's package walk is missing.
fn compare_contents(pair: &Pair, pkgs: &[String]) -> Option<Vec<FileDiff>> {
    use crate::packages::source::read_file;
    let (la, lb) = (pair.a.linked.as_ref()?, pair.b.linked.as_ref()?);
    let mut out = Vec::new();
    for pkg in pkgs {
        let (Some(pa), Some(pb)) = (la.packages.get(pkg), lb.packages.get(pkg)) else {
            continue;
        };
        let (Some(sa), Some(sb)) = (&pa.source, &pb.source) else {
            out.push(FileDiff {
                what: format!("{pkg}: sources not available on both sides"),
                severity: Severity::Warning,
            });
            continue;
        };
        for f in pa.go_files.iter().filter(|f| !pb.go_files.contains(f)) {
            out.push(FileDiff {
                what: format!("{pkg}/{f} only in {}", pair.a.name),
                severity: Severity::Error,
            });
        }
        for f in pb.go_files.iter().filter(|f| !pa.go_files.contains(f)) {
            out.push(FileDiff {
                what: format!("{pkg}/{f} only in {}", pair.b.name),
                severity: Severity::Error,
            });
        }
        for f in pa.go_files.iter().filter(|f| pb.go_files.contains(f)) {
            match (read_file(sa, f), read_file(sb, f)) {
                (Ok(x), Ok(y)) if x == y => {}
                (Ok(x), Ok(y)) => {
                    let c = crate::integrity::classify::classify(
                        &String::from_utf8_lossy(&x),
                        &String::from_utf8_lossy(&y),
                    );
                    out.push(FileDiff {
                        what: format!("{pkg}/{f} ({})", c.describe()),
                        severity: c.severity(),
                    });
                }
                (Err(e), _) | (_, Err(e)) => out.push(FileDiff {
                    what: format!("{pkg}/{f} could not be read: {e}"),
                    severity: Severity::Warning,
                }),
            }
        }
    }
    Some(out)
}

/// Where a side compiles `path` from: a replacement directory, its vendor/ tree, or the
/// module cache (named when the config says which).
fn origin(side: &Side, path: &str) -> String {
    let cache = if side.build.modcache.is_empty() {
        "module cache".to_string()
    } else {
        format!("module cache {}", side.build.modcache)
    };
    // A vendored build compiles vendor/ whatever go.mod's replace says.
    if let Some(v) = side.build_list.vendor_dir() {
        return v.join(path).display().to_string();
    }
    match side.build_list.get(path).and_then(|m| m.replace.as_ref()) {
        Some(Replacement::Dir { resolved, .. }) => resolved.display().to_string(),
        Some(Replacement::Module { module }) => format!("{cache} ({module})"),
        None => cache,
    }
}

pub fn check(pair: &Pair) -> Vec<Finding> {
    let (host, plugin) = (pair.a, pair.b);
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
        let linkage = pair.linkage(path);
        let (mut severity, mut fix, mut detail) = (
            Severity::Error,
            "build host and plugins with -trimpath, or compile this module from the same directory on both sides".to_string(),
            String::new(),
        );
        if both_trimpath {
            fix = "both sides use -trimpath, so paths do not matter; make the files of the shared packages identical (one source for both)".into();
            match (&linkage, host.vendor.is_some() && plugin.vendor.is_some()) {
                // Two vendored trees are compared file by file by GD009/GD010.
                (Linkage::Shared(pkgs), false) => match compare_contents(pair, pkgs) {
                    Some(diffs) => {
                        let worst = diffs.iter().map(|d| d.severity).max();
                        match worst {
                            None | Some(Severity::Info) => continue, // the same compiled files
                            Some(w) => {
                                severity = w;
                                let shown: Vec<&str> = diffs
                                    .iter()
                                    .filter(|d| d.severity > Severity::Info)
                                    .take(8)
                                    .map(|d| d.what.as_str())
                                    .collect();
                                detail = format!("; the files differ: {}", shown.join("; "));
                            }
                        }
                    }
                    None => severity = Severity::Warning,
                },
                _ => severity = Severity::Warning,
            }
        }
        let mut f = Finding::new(
            Code::SourcePathDivergence,
            severity,
            format!(
                "{path}@{} is compiled from {a} in host but from {b} in {}{detail}",
                m.module.version, plugin.name
            ),
        );
        f.artifacts = vec![host.name.clone(), plugin.name.clone()];
        f.module = Some(path.clone());
        f.evidence.extend(go_mod_evidence(host, path));
        f.evidence.extend(go_mod_evidence(plugin, path));
        let (severity, words) = judge(&linkage, f.severity, path);
        f.message.push_str(&words);
        if let Linkage::Shared(p) = &linkage {
            f.packages = p.clone();
        }
        f.severity = severity;
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
