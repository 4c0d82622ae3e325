//! GD011 module-cache-tampered: the module cache copy of a vendored module does not match
//! go.sum (as `go mod verify` checks).
//!
//! - Why: the code compiled is not the code go.sum vouches for; builds from this cache and
//!   from a clean one differ.
//! - Fix: `go clean -modcache` and download again.

use crate::codes::Code;
use crate::finding::{Finding, Severity};
use crate::integrity::SumCheck;

pub fn check(name: &str, s: &SumCheck) -> Option<Finding> {
    let SumCheck::Tampered { module, want, got } = s else {
        return None;
    };
    let mut f = Finding::new(
        Code::ModuleCacheTampered,
        Severity::Error,
        format!(
            "module cache copy of {module} does not match go.sum ({want}, found {got}): it was modified"
        ),
    );
    f.artifacts = vec![name.to_string()];
    f.module = Some(module.path.clone());
    f.fix = Some("run `go clean -modcache` and `go mod download`".into());
    Some(f)
}
