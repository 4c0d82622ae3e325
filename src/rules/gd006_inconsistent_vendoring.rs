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
            side.build_list.main_dir.display(),
            side.vendor_problems.join("; ")
        ),
    );
    f.artifacts = vec![side.name.clone()];
    f.evidence.push(Evidence {
        artifact: side.name.clone(),
        file: side.build_list.main_dir.join("vendor/modules.txt"),
        line: None,
        col: None,
        text: side.vendor_problems.first().cloned().unwrap_or_default(),
    });
    let bl = &side.build_list;
    f.fix = Some(match &bl.work_file {
        Some(_) => format!(
            "run '{}' in {} to sync",
            bl.vendor_command(),
            bl.main_dir.display()
        ),
        None => format!("run '{}' to sync", bl.vendor_command()),
    });
    vec![f]
}
