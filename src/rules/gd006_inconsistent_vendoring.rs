//! GD006: vendor/modules.txt disagrees with go.mod; `go build` stops with Go's
//! `inconsistent vendoring` error before any plugin question arises.

use crate::finding::{Code, Evidence, Finding, Severity};
use crate::project::Side;

pub fn check(side: &Side) -> Vec<Finding> {
    if side.vendor_problems.is_empty() {
        return Vec::new();
    }
    let mut f = Finding::new(
        Code::InconsistentVendoring,
        Severity::Error,
        format!(
            "go: inconsistent vendoring in {}: {}",
            side.dir.display(),
            side.vendor_problems.join("; ")
        ),
    );
    f.artifacts = vec![side.name.clone()];
    f.evidence.push(Evidence {
        artifact: side.name.clone(),
        file: side.dir.join("vendor/modules.txt"),
        line: None,
        col: None,
        text: side.vendor_problems.first().cloned().unwrap_or_default(),
    });
    f.fix = Some("run 'go mod vendor' to sync".into());
    vec![f]
}
