//! GD013 go-mod-needs-update: `go build` stops before compiling, because go.mod's
//! requirements are not what the module graph selects.
//!
//! - What: a root of a pruned go.mod (go 1.17 or later) is required below the version the
//!   graph selects (another module requires it higher), or twice; cmd/go's
//!   modload.updateRoots would rewrite it, which the default `-mod=readonly` refuses.
//! - Why: `go build` fails with `go: updates to go.mod needed`; nothing is built, so nothing
//!   loads. The verdict godrift gives is for the build after the update (`go mod tidy`),
//!   which selects exactly the versions it judged.
//! - Fix: `go mod tidy` in the module (or `go get` of the named versions).

use crate::finding::{Code, Finding, Severity};
use crate::project::Side;

/// Roots named before "and N more".
const LISTED: usize = 5;

/// `mod_mode`: `-mod` from GOFLAGS; with `-mod=mod` go build updates go.mod itself. A
/// plugin that does not build is a warning (its verdict is may-fail until go.mod is
/// updated); for the host, usually built and deployed already, it is information, so it
/// does not make every plugin's verdict may-fail.
pub fn check(side: &Side, is_host: bool, mod_mode: Option<&str>) -> Option<Finding> {
    let updates = &side.build_list.root_updates;
    if updates.is_empty() || mod_mode == Some("mod") {
        return None;
    }
    let mut shown: Vec<String> = updates
        .iter()
        .take(LISTED)
        .map(|u| {
            if u.selected.is_empty() {
                format!("{} (required twice)", u.module)
            } else {
                format!("{} (selected {})", u.module, u.selected)
            }
        })
        .collect();
    if updates.len() > LISTED {
        shown.push(format!("and {} more", updates.len() - LISTED));
    }
    let mut f = Finding::new(
        Code::GoModNeedsUpdate,
        if is_host {
            Severity::Info
        } else {
            Severity::Warning
        },
        format!(
            "{}: `go build` stops with \"go: updates to go.mod needed\": go.mod requires {}; godrift judged the build after `go mod tidy`",
            side.name,
            shown.join(", ")
        ),
    );
    f.artifacts = vec![side.name.clone()];
    f.evidence
        .extend(super::go_mod_evidence(side, &updates[0].module.path));
    f.fix = Some(format!(
        "(cd {} && go mod tidy)",
        crate::text::shell_word(&side.dir.display().to_string())
    ));
    Some(f)
}
