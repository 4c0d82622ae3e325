//! GD010 vendored-file-set-differs: a vendored package has other files than its source (or
//! than the other side's copy): missing, added by hand, or entries `go mod vendor` never
//! creates (symbolic links, special files).
//!
//! - Why: an added or missing Go file changes the package's declarations, so its hash.
//! - Fix: `go mod vendor` on both sides with the same requirements.

use super::vendored_sources::{group, LIST_CAP};
use crate::codes::Code;
use crate::finding::{Finding, Severity};
use crate::integrity::{ModuleComparison, TreeProblems};

pub fn check(m: &ModuleComparison) -> Option<Finding> {
    let name = &m.artifacts[0];
    let (message, fix) = match (&m.source, m.artifacts.get(1)) {
        (None, Some(b)) => (
            format!("{name} and {b} vendor different files of {}", m.module),
            "run `go mod vendor` on both sides".to_string(),
        ),
        (source, _) => (
            format!(
                "{name} vendor/ differs from the files `go mod vendor` copies from {}",
                source.as_deref().unwrap_or("the source")
            ),
            format!("run `go mod vendor` in {name}"),
        ),
    };
    group(Code::VendoredFileSetDiffers, &m.presence, message, m, fix)
}

/// Symbolic links and special files in vendor/ (not followed).
pub fn odd_entries(name: &str, tree: &TreeProblems) -> Option<Finding> {
    if tree.odd.is_empty() {
        return None;
    }
    let n = tree.odd.len();
    let mut f = Finding::new(
        Code::VendoredFileSetDiffers,
        Severity::Warning,
        format!(
            "{name}: {n} vendor/ entr(ies) that `go mod vendor` never creates (not followed): {}",
            tree.odd
                .iter()
                .take(LIST_CAP)
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ),
    );
    f.artifacts = vec![name.to_string()];
    f.fix = Some(format!("run `go mod vendor` in {name}"));
    Some(f)
}
