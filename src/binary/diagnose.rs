//! Why hashes differ. The runtime names the first differing package, often a std package
//! such as `internal/goarch` when the real cause is a build flag; build info on both sides
//! says what really differs.

use super::buildinfo::{BuildInfo, Dep};
use super::elf::Artifact;
use super::verdict::Mismatch;
use crate::finding::{Code, Finding, Severity};

/// Build settings that change compiled export data when they differ (`-ldflags`, `GOAMD64`
/// and `-buildvcs` do not).
const HASH_AFFECTING: &[(&str, &str)] = &[
    ("-race", "false"),
    ("-msan", "false"),
    ("-asan", "false"),
    ("-gcflags", ""),
    ("-trimpath", "false"),
    ("GOEXPERIMENT", ""),
    ("-pgo", ""),
    ("GOARCH", ""),
    ("GOOS", ""),
    ("-compiler", "gc"),
];

fn setting<'a>(bi: &'a BuildInfo, key: &str, default: &'a str) -> &'a str {
    bi.setting(key).unwrap_or(default)
}

fn describe_source(d: &Dep) -> String {
    match &d.replace {
        Some(r) if r.version.is_empty() || r.version == "(devel)" => {
            format!("{}@{} replaced by directory {}", d.path, d.version, r.path)
        }
        Some(r) => format!(
            "{}@{} replaced by {}@{}",
            d.path, d.version, r.path, r.version
        ),
        None => format!("{}@{}", d.path, d.version),
    }
}

/// Findings explaining the mismatches between `host` and `plugin`, most decisive first.
pub fn explain(
    host: &Artifact,
    plugin: &Artifact,
    mismatches: &[Mismatch],
    name: &str,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let host_name = host.path.display().to_string();
    let (Some(h), Some(p)) = (host.build_info.as_ref(), plugin.build_info.as_ref()) else {
        let mut f = Finding::new(
            Code::IncompleteInformation,
            Severity::Info,
            format!("{name}: no build info on one side, so the cause of the hash difference cannot be named"),
        );
        f.artifacts = vec![host_name, name.to_string()];
        return vec![f];
    };
    let both = || vec![host_name.clone(), name.to_string()];
    if h.go_version != p.go_version {
        let mut f = Finding::new(
            Code::GoVersionMismatch,
            Severity::Error,
            format!(
                "{name} was built with {} but the host with {}",
                p.go_version, h.go_version
            ),
        );
        f.artifacts = both();
        f.fix = Some(format!(
            "build host and plugins with the same toolchain ({})",
            h.go_version
        ));
        out.push(f);
    }
    for (key, default) in HASH_AFFECTING {
        let (hv, pv) = (setting(h, key, default), setting(p, key, default));
        if hv != pv {
            let show = |v: &str| {
                if v.is_empty() {
                    "unset".to_string()
                } else {
                    format!("{key}={v}")
                }
            };
            let mut f = Finding::new(
                Code::BuildFlagMismatch,
                Severity::Error,
                format!(
                    "{key} differs: host {} , plugin {name} {} (every package's hash changes, so the runtime names whichever it checks first: {})",
                    show(hv),
                    show(pv),
                    mismatches.first().map(|m| m.package.as_str()).unwrap_or("?")
                )
                .replace(" ,", ","),
            );
            f.artifacts = both();
            f.fix = Some(format!(
                "build host and plugins with the same {key} setting"
            ));
            out.push(f);
        }
    }
    // A toolchain or flag difference changes every package: same-version dependencies then
    // differ for that reason alone, so only real version/replacement drift is added below.
    let global_cause = !out.is_empty();
    // Module-level causes for the mismatched packages outside the standard library.
    let mut seen = std::collections::BTreeSet::new();
    for m in mismatches {
        let (Some(hd), Some(pd)) = (h.module_of(&m.package), p.module_of(&m.package)) else {
            continue;
        };
        if hd.path != pd.path || !seen.insert(hd.path.clone()) {
            continue;
        }
        let (code, msg, fix) = if hd.version != pd.version {
            (
                Code::VersionConflict,
                format!(
                    "{} is {} in the host but {} in {name}",
                    hd.path, hd.version, pd.version
                ),
                format!(
                    "align both on one version, e.g. `go get {}@{}` in the older side",
                    hd.path,
                    crate::semver::max(&hd.version, &pd.version)
                ),
            )
        } else if hd.replace != pd.replace {
            (
                Code::ReplaceDivergence,
                format!(
                    "{} comes from different sources: host {}, plugin {}",
                    hd.path,
                    describe_source(hd),
                    describe_source(pd)
                ),
                "use the same replace directive (same target) in host and plugin go.mod"
                    .to_string(),
            )
        } else if global_cause {
            continue;
        } else if hd.replace.is_some() && setting(h, "-trimpath", "false") != "true" {
            (
                Code::SourcePathDivergence,
                format!("{} is replaced by a local directory on both sides; its files are compiled from different paths or were edited (positions are part of the hash)", hd.path),
                "build both with -trimpath and the same source, or depend on a tagged version".to_string(),
            )
        } else {
            (
                Code::SourcePathDivergence,
                format!("{}@{} has the same version on both sides but different compiled content: edited source, vendor/ on one side, or another GOPATH without -trimpath", hd.path, hd.version),
                "build host and plugin from identical sources with -trimpath on both sides".to_string(),
            )
        };
        let mut f = Finding::new(code, Severity::Error, msg);
        f.artifacts = both();
        f.module = Some(hd.path.clone());
        f.packages = vec![m.package.clone()];
        f.fix = Some(fix);
        out.push(f);
    }
    out
}

/// The `go build -buildmode=plugin` command line that reproduces the host's hash-relevant
/// build settings, for rebuilding a plugin to match.
pub fn recipe(host: &BuildInfo) -> String {
    let mut env = Vec::new();
    let mut args = vec!["go".to_string(), "build".into(), "-buildmode=plugin".into()];
    if let Some(v) = host.go_version.split_whitespace().next() {
        env.push(format!("GOTOOLCHAIN={v}"));
    }
    for key in ["CGO_ENABLED", "GOEXPERIMENT", "GOARCH", "GOOS"] {
        if let Some(v) = host.setting(key) {
            if !v.is_empty() {
                env.push(format!("{key}={v}"));
            }
        }
    }
    if host.setting("-trimpath") == Some("true") {
        args.push("-trimpath".into());
    }
    if host.setting("-race") == Some("true") {
        args.push("-race".into());
    }
    for key in ["-gcflags", "-tags", "-pgo"] {
        if let Some(v) = host.setting(key).filter(|v| !v.is_empty()) {
            args.push(format!("{key}='{v}'"));
        }
    }
    format!("{} {}", env.join(" "), args.join(" "))
}
