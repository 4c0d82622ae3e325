//! GD005: build settings that change every package's export data (`-race`, `-gcflags`,
//! GOEXPERIMENT, PGO, `-trimpath` on one side). The runtime then names some std package
//! (`internal/goarch`, `sync/atomic`), not the flag. `-ldflags`, GOAMD64 and `-buildvcs`
//! need not match and are not compared.

use super::Pair;
use crate::finding::{Code, Finding, Severity};

/// Shared packages of modules whose compiled files differ between the two build contexts
/// (tags and cgo select files): `pkg: only in host: x.go`. None when a side was not walked.
fn file_selection_differs(pair: &Pair) -> Option<Vec<String>> {
    let (la, lb) = (pair.a.linked.as_ref()?, pair.b.linked.as_ref()?);
    let mut out = Vec::new();
    let mut pkgs: Vec<&String> = pair.shared.packages().collect();
    pkgs.sort();
    pkgs.dedup();
    for pkg in pkgs {
        let (Some(a), Some(b)) = (la.packages.get(pkg), lb.packages.get(pkg)) else {
            continue;
        };
        if a.go_files != b.go_files {
            let only = |x: &[String], y: &[String]| -> Vec<String> {
                x.iter().filter(|f| !y.contains(f)).cloned().collect()
            };
            out.push(format!(
                "{pkg} (only in {}: {:?}; only in {}: {:?})",
                pair.a.name,
                only(&a.go_files, &b.go_files),
                pair.b.name,
                only(&b.go_files, &a.go_files)
            ));
        }
    }
    Some(out)
}

/// Std packages both sides link whose compiled files differ (tags such as `netgo` select
/// std files too): `net (only in host: [...]; ...)`. None when a side's std files are not
/// known (no GOROOT, a contract's host).
fn std_selection_differs(pair: &Pair) -> Option<Vec<String>> {
    let a = pair.a.linked.as_ref()?.std_files.as_ref()?;
    let b = pair.b.linked.as_ref()?.std_files.as_ref()?;
    let mut out = Vec::new();
    for (pkg, fa) in a {
        let Some(fb) = b.get(pkg) else {
            continue;
        };
        if fa != fb {
            let only = |x: &[String], y: &[String]| -> Vec<String> {
                x.iter().filter(|f| !y.contains(f)).cloned().collect()
            };
            out.push(format!(
                "{pkg} (only in {}: {:?}; only in {}: {:?})",
                pair.a.name,
                only(fa, fb),
                pair.b.name,
                only(fb, fa)
            ));
        }
    }
    Some(out)
}

pub fn check(pair: &Pair) -> Vec<Finding> {
    let (host, plugin) = (pair.a, pair.b);
    let (h, p) = (&host.build, &plugin.build);
    let show_bool = |b: bool| if b { "on" } else { "off" }.to_string();
    let show_str = |s: &str| {
        if s.is_empty() {
            "unset".to_string()
        } else {
            format!("{s:?}")
        }
    };
    let pairs = [
        (
            "-race",
            show_bool(h.race),
            show_bool(p.race),
            Severity::Error,
        ),
        (
            "-trimpath",
            show_bool(h.trimpath),
            show_bool(p.trimpath),
            Severity::Error,
        ),
        (
            "-gcflags",
            show_str(&h.gcflags),
            show_str(&p.gcflags),
            Severity::Error,
        ),
        (
            "GOEXPERIMENT",
            show_str(&h.goexperiment),
            show_str(&p.goexperiment),
            Severity::Error,
        ),
        ("-pgo", show_str(&h.pgo), show_str(&p.pgo), Severity::Error),
        // Tags only matter when they select different files of a shared package.
        (
            "-tags",
            show_str(&h.tags),
            show_str(&p.tags),
            Severity::Warning,
        ),
    ];
    let mut out = Vec::new();
    for (flag, hv, pv, severity) in pairs {
        if hv == pv {
            continue;
        }
        let mut severity = severity;
        let mut detail = String::new();
        // Tags select files: what matters is whether a shared package compiles other files.
        if flag == "-tags" {
            match file_selection_differs(pair) {
                Some(d) if !d.is_empty() => {
                    severity = Severity::Error;
                    detail = format!(
                        "; they select other files of {} shared package(s): {}",
                        d.len(),
                        d.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
                    );
                }
                Some(_) => match std_selection_differs(pair) {
                    // Every package both link compiles the same files: the tags do not
                    // change what plugin.Open compares.
                    Some(d) if d.is_empty() => continue,
                    Some(d) => {
                        severity = Severity::Error;
                        detail = format!(
                            "; they select other files of {} standard-library package(s) both link: {}",
                            d.len(),
                            d.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
                        );
                    }
                    None => {
                        detail = "; the shared packages of modules compile the same files, but standard-library packages may not (netgo, osusergo, ...)".into();
                    }
                },
                None => {}
            }
        }
        let mut f = Finding::new(
            Code::BuildFlagMismatch,
            severity,
            format!(
                "{flag} is {hv} for host but {pv} for {}{detail}",
                plugin.name
            ),
        );
        f.artifacts = vec![host.name.clone(), plugin.name.clone()];
        f.fix = Some(format!(
            "build host and plugin with the same {flag}; the runtime's error will name an unrelated std package"
        ));
        out.push(f);
    }
    out
}

/// Binary mode: a hash-affecting setting differs in build info.
pub fn binary(
    label: &str,
    plugin: &str,
    key: &str,
    host_value: &str,
    plugin_value: &str,
    first_package: &str,
) -> Finding {
    let show = |v: &str| {
        if v.is_empty() {
            "unset".to_string()
        } else {
            format!("{key}={v}")
        }
    };
    let message = if key == "-tags" {
        format!(
            "-tags differs: {label} {}, plugin {plugin} {} (build tags select different files of shared packages, here {first_package})",
            show(host_value),
            show(plugin_value),
        )
    } else {
        format!(
            "{key} differs: {label} {}, plugin {plugin} {} (every package's hash changes, so the runtime names whichever it checks first: {first_package})",
            show(host_value),
            show(plugin_value),
        )
    };
    let mut f = Finding::new(Code::BuildFlagMismatch, Severity::Error, message);
    f.fix = Some(format!(
        "build host and plugins with the same {key} setting"
    ));
    f
}
