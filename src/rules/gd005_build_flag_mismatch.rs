//! GD005: build settings that change every package's export data (`-race`, `-gcflags`,
//! GOEXPERIMENT, PGO, `-trimpath` on one side). The runtime then names some std package
//! (`internal/goarch`, `sync/atomic`), not the flag. `-ldflags`, GOAMD64 and `-buildvcs`
//! need not match and are not compared.

use crate::finding::{Code, Finding, Severity};
use crate::project::Side;

pub fn check(host: &Side, plugin: &Side) -> Vec<Finding> {
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
        let mut f = Finding::new(
            Code::BuildFlagMismatch,
            severity,
            format!("{flag} is {hv} for host but {pv} for {}", plugin.name),
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
