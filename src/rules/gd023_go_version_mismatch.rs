//! GD023 go-version-mismatch: host and plugin were built by different Go releases.
//!
//! - What: go1.25.x vs go1.26.x (another patch level of the same release is GD004).
//! - Why: the plugin's runtime data cannot be registered with another release's runtime:
//!   the process dies ("runtime: no plugin module data", or a fault in plugin.Open), or
//!   plugin.Open fails when a loaded plugin is the runtime's last module ("plugin already
//!   loaded"). Releases sharing the runtime's module data layout (e.g. 1.23-1.25) register
//!   it, and plugin.Open fails on the first package whose hash differs (every package's
//!   export data differs between releases).
//! - Fix: rebuild the plugin with the host's Go release.

use crate::finding::{Code, Finding, Severity};

/// Appended to the root cause when a loaded plugin is the runtime's last module: measured
/// across releases, plugin.Open then says "plugin already loaded" or the process dies,
/// depending on the files.
pub const AFTER_LOADED: &str = " (after a plugin that loaded, plugin.Open says \"plugin already loaded\" or, depending on the files, the process dies)";

pub fn root_cause(host_go: Option<&str>, plugin_go: Option<&str>) -> String {
    format!(
        "built with {} but the host with {}: host and plugins must use the same Go toolchain",
        plugin_go.unwrap_or("?"),
        host_go.unwrap_or("?")
    )
}

/// The runtime replay met a plugin of another release.
pub fn binary(host: &str, name: &str, host_go: Option<&str>, plugin_go: Option<&str>) -> Finding {
    let mut f = Finding::new(
        Code::GoVersionMismatch,
        Severity::Error,
        format!("{name}: {}", root_cause(host_go, plugin_go)),
    );
    f.artifacts = vec![host.to_string(), name.to_string()];
    f.fix = Some(format!(
        "rebuild the plugin with {}",
        host_go.unwrap_or("the host's Go")
    ));
    f
}

/// As the cause of hash differences (build info of both sides).
pub fn cause(label: &str, plugin: &str, host_go: &str, plugin_go: &str) -> Finding {
    let mut f = Finding::new(
        Code::GoVersionMismatch,
        Severity::Error,
        format!("{plugin} was built with {plugin_go} but the {label} with {host_go}"),
    );
    f.fix = Some(format!(
        "build host and plugins with the same toolchain ({host_go})"
    ));
    f
}
