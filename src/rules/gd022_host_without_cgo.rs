//! GD022 host-without-cgo: the host is built with CGO_ENABLED=0.
//!
//! - What: a statically linked host.
//! - Why: plugin.Open needs the dynamic loader; without cgo it always fails with
//!   "plugin: not implemented".
//! - Fix: build the host with CGO_ENABLED=1.

use crate::finding::{Code, Finding, Severity};
use crate::project::Side;

/// Source mode: the host's configured build settings say CGO_ENABLED=0.
pub fn check(host: &Side, plugin: &Side) -> Vec<Finding> {
    if host.build.cgo_enabled != Some(false) {
        return Vec::new();
    }
    let mut f = Finding::new(
        Code::HostWithoutCgo,
        Severity::Error,
        format!(
            "the host is built with CGO_ENABLED=0: plugin.Open fails with \"plugin: not implemented\" for {}",
            plugin.name
        ),
    );
    f.artifacts = vec![host.name.clone(), plugin.name.clone()];
    f.fix = Some("build the host with CGO_ENABLED=1 (and a C toolchain)".into());
    vec![f]
}

pub const ROOT_CAUSE: &str = "the host is statically linked (CGO_ENABLED=0)";

/// Binary mode: the host executable is statically linked.
pub fn binary(host: &str) -> Finding {
    let mut f = Finding::new(
        Code::HostWithoutCgo,
        Severity::Error,
        format!("{host} is statically linked (built with CGO_ENABLED=0?): plugin.Open always fails with \"plugin: not implemented\""),
    );
    f.artifacts = vec![host.to_string()];
    f.fix =
        Some("build the host with CGO_ENABLED=1 (the default when a C compiler is present)".into());
    f
}
