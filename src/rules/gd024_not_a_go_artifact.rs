//! GD024 not-a-go-artifact: a file is not a usable Go plugin or Go executable.
//!
//! - What: no build info and no package hashes, or an executable given as a plugin.
//! - Why: plugin.Open only loads shared objects built with -buildmode=plugin by the host's
//!   Go release (dlopen refuses executables).
//! - Fix: build the plugin with `go build -buildmode=plugin`; pass the host as --host.

use crate::finding::{Code, Finding, Severity};

pub fn host(host: &str) -> Finding {
    let mut f = Finding::new(
        Code::NotAGoArtifact,
        Severity::Error,
        format!("{host} is not a Go program (no build info, no package hashes)"),
    );
    f.artifacts = vec![host.to_string()];
    f
}

pub fn executable(name: &str) -> Finding {
    let mut f = Finding::new(
        Code::NotAGoArtifact,
        Severity::Error,
        format!("{name} is an executable, not a plugin: build it with -buildmode=plugin"),
    );
    f.artifacts = vec![name.to_string()];
    f
}

pub fn plugin(name: &str) -> Finding {
    let mut f = Finding::new(
        Code::NotAGoArtifact,
        Severity::Error,
        format!("{name} is not a Go plugin (no build info, no package hashes)"),
    );
    f.artifacts = vec![name.to_string()];
    f
}
