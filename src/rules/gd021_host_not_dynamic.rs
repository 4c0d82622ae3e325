//! GD021 host-not-dynamic: the host exports no Go symbols.
//!
//! - What: a Go program without package hashes in .dynsym: it does not import "plugin", or
//!   was linked with -linkmode=internal.
//! - Why: no plugin can register with its runtime; measured with go1.26, the plugin's
//!   runtime binds to its own copy and the process dies ("runtime: no plugin module data").
//! - Fix: import "plugin" in the host and link it externally.

use crate::finding::{Code, Finding, Severity};

pub const ROOT_CAUSE: &str =
    "the host exports no Go symbols (not linked for plugins), so no plugin can register with its runtime";

pub fn binary(host: &str) -> Finding {
    let mut f = Finding::new(
        Code::HostNotDynamic,
        Severity::Error,
        format!("{host} has no Go package hashes in .dynsym: it does not import \"plugin\" (or was linked internally), so it cannot load plugins"),
    );
    f.artifacts = vec![host.to_string()];
    f
}
