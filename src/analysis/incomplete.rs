//! GD090: a dependency's go.mod could not be read (not in the module cache), so the build
//! list may be missing modules or versions.

use crate::finding::{Code, Finding, Severity};
use crate::project::Side;

pub fn check(side: &Side) -> Vec<Finding> {
    if side.build_list.missing.is_empty() {
        return Vec::new();
    }
    let list: Vec<String> = side
        .build_list
        .missing
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut f = Finding::new(
        Code::IncompleteInformation,
        Severity::Info,
        format!(
            "{}: go.mod of {} not found in the module cache; versions they require are not counted",
            side.name,
            list.join(", ")
        ),
    );
    f.artifacts = vec![side.name.clone()];
    f.fix = Some("run `go mod download` in that module first".into());
    vec![f]
}
