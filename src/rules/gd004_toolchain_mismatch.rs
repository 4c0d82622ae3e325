//! GD004: host and plugin would be built by different Go toolchains. Plugins must be
//! built by exactly the host's toolchain; a different release crashes the process
//! (`runtime: no plugin module data`).

use crate::finding::{Code, Finding, Severity};
use crate::project::{toolchain_of, Side};
use crate::semver::gover;

pub fn check(host: &Side, plugin: &Side) -> Vec<Finding> {
    let (Some(h), Some(p)) = (toolchain_of(host), toolchain_of(plugin)) else {
        return Vec::new();
    };
    let configured = !host.build.toolchain.is_empty() && !plugin.build.toolchain.is_empty();
    if configured && h != p {
        let mut f = Finding::new(
            Code::ToolchainMismatch,
            Severity::Error,
            format!("host is built with go{h} but {} with go{p}", plugin.name),
        );
        f.artifacts = vec![host.name.clone(), plugin.name.clone()];
        f.fix = Some("build every plugin with the host's exact toolchain".into());
        return vec![f];
    }
    // From go.mod alone: with GOTOOLCHAIN=auto, a higher minimum on one side switches that
    // side to a newer toolchain than the other gets.
    if gover::lang(&h) != gover::lang(&p) || h != p {
        let mut newer = gover::max(&h, &p).to_string();
        if newer.matches('.').count() == 1 && newer.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        {
            newer.push_str(".0"); // toolchain names are releases: go1.23.0
        }
        let mut f = Finding::new(
            Code::ToolchainMismatch,
            Severity::Warning,
            format!(
                "go.mod asks for go {h} in host and go {p} in {}: unless both are built by one pinned toolchain (GOTOOLCHAIN), they may get different Go releases, and then the plugin crashes the host",
                plugin.name
            ),
        );
        f.artifacts = vec![host.name.clone(), plugin.name.clone()];
        f.fix = Some(format!(
            "set the same `toolchain go{newer}` line (or GOTOOLCHAIN) for host and plugins"
        ));
        return vec![f];
    }
    Vec::new()
}

/// Binary mode: another patch release of the same Go release (loads or fails on the std
/// packages that changed between them).
pub fn binary(label: &str, plugin: &str, host_go: &str, plugin_go: &str) -> Finding {
    let mut f = Finding::new(
        Code::ToolchainMismatch,
        Severity::Error,
        format!("{plugin} was built with {plugin_go} but the {label} with {host_go}"),
    );
    f.fix = Some(format!(
        "build host and plugins with the same toolchain ({host_go})"
    ));
    f
}
