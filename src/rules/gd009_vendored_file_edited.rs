//! GD009 vendored-file-edited: a vendored file differs from the module's pristine source
//! (the module cache, or the other side's replacement directory) or from the other side's
//! vendored copy.
//!
//! - Why: an edit that changes code or shifts lines changes the package hash; a comment
//!   appended at the end of a file does not (each file is classified as the runtime sees it).
//! - Fix: restore with `go mod vendor`; the comparison with the module cache names the
//!   edited side.

use super::vendored_sources::group;
use crate::codes::Code;
use crate::finding::Finding;
use crate::integrity::ModuleComparison;

pub fn check(m: &ModuleComparison) -> Option<Finding> {
    let name = &m.artifacts[0];
    let (message, fix) = match (&m.source, m.artifacts.get(1)) {
        (None, Some(b)) => (
            format!(
                "vendored files of {} differ between {name} and {b}",
                m.module
            ),
            "run `go mod vendor` on the edited side (the module cache check names it)".into(),
        ),
        (source, _) => (
            format!(
                "{name} vendor/ has edited files of {}: they differ from {}",
                m.module,
                source.as_deref().unwrap_or("the source")
            ),
            format!("restore them: run `go mod vendor` in {name}"),
        ),
    };
    group(Code::VendoredFileEdited, &m.edited, message, m, fix)
}
