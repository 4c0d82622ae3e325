//! GD090 incomplete-information: godrift could not read something it needs.
//!
//! - What: a dependency's go.mod missing from the module cache, unreadable, or invalid (the
//!   build list may lack modules or versions), a main module requiring a version it excludes, binaries without
//!   build info or in the Go <= 1.15 hash format.
//! - Why: what godrift cannot read it cannot compare: the verdict is "may-fail" at best.
//! - Fix: the `go mod download` command in the finding, then run godrift again.

use crate::finding::{Code, Finding, Severity};
use crate::project::Side;

pub fn check(side: &Side, modcache: &std::path::Path) -> Vec<Finding> {
    use crate::graph::GoModProblem;
    let mut out = excluded_requirements(side);
    out.extend(missing_sums(side, modcache));
    let missing = &side.build_list.missing;
    // What is not read cannot be compared: the build list may lack modules or versions, so
    // the verdict can be "may-fail" at best, never "loads".
    let not_in_cache: Vec<String> = missing
        .iter()
        .filter(|m| matches!(m.problem, GoModProblem::NotInCache { .. }))
        .map(ToString::to_string)
        .collect();
    if !not_in_cache.is_empty() {
        let mut f = Finding::new(
            Code::IncompleteInformation,
            Severity::Warning,
            format!(
                "{}: go.mod of {} not found in the module cache; versions they require are not counted, so the build list may be incomplete",
                side.name,
                not_in_cache.join(", ")
            ),
        );
        f.artifacts = vec![side.name.clone()];
        f.fix = Some(format!(
            "(cd {} && go mod download {})",
            side.dir.display(),
            not_in_cache.join(" ")
        ));
        out.push(f);
    }
    // Files that exist but cannot be read, or local replacements without a go.mod: named
    // one by one, since no download fixes them.
    for m in missing {
        let (what, fix) = match &m.problem {
            GoModProblem::NotInCache { .. } => continue,
            GoModProblem::Unreadable { file, error } => (
                format!("cannot read {} ({error})", file.display()),
                format!("make {} readable by this user", file.display()),
            ),
            GoModProblem::NoLocalGoMod { file } => (
                format!("its replacement directory has no {}", file.display()),
                "fix the replace directive or create the module there".to_string(),
            ),
            GoModProblem::Invalid { file, error } => (
                format!("{} does not parse: {error}", file.display()),
                format!("repair or re-download {}", file.display()),
            ),
        };
        let mut f = Finding::new(
            Code::IncompleteInformation,
            Severity::Warning,
            format!(
                "{}: go.mod of {m}: {what}; versions it requires are not counted, so the build list may be incomplete",
                side.name
            ),
        );
        f.artifacts = vec![side.name.clone()];
        f.module = Some(m.module.path.clone());
        f.fix = Some(fix);
        out.push(f);
    }
    out
}

/// go.sum lacks lines the build needs (`crate::fixes::missing_sums`): `go build` stops with
/// "missing go.sum entry" until `go mod download` (or `godrift align`) records them.
fn missing_sums(side: &Side, modcache: &std::path::Path) -> Option<Finding> {
    let missing = crate::fixes::missing_sums(side, modcache);
    // Without any go.sum the module was never built here; with missing go.mod files the
    // finding above already says what to download.
    if missing.is_empty() || side.go_sum.is_none() || !side.build_list.missing.is_empty() {
        return None;
    }
    let shown: Vec<String> = missing.iter().take(5).map(ToString::to_string).collect();
    let more = missing.len().saturating_sub(shown.len());
    let mut f = Finding::new(
        Code::IncompleteInformation,
        Severity::Warning,
        format!(
            "{}: go.sum lacks {} line(s) the build needs ({}{}): `go build` fails with \"missing go.sum entry\" until they are recorded",
            side.name,
            missing.len(),
            shown.join(", "),
            if more > 0 { format!(", and {more} more") } else { String::new() }
        ),
    );
    f.artifacts = vec![side.name.clone()];
    f.fix = Some(crate::fixes::sums::download_command(&side.dir, &missing));
    Some(f)
}

/// A main module requiring a version its own go.mod excludes: cmd/go replaces it with the
/// next available version when it updates go.mod, which godrift (offline) cannot pick.
fn excluded_requirements(side: &Side) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in &side.go_mod.require {
        if side.go_mod.exclude.iter().any(|e| e.module == r.module) {
            let mut f = Finding::new(
                Code::IncompleteInformation,
                Severity::Warning,
                format!(
                    "{}: go.mod requires {} but also excludes it; Go moves the requirement to the next version when it updates go.mod, so the build list here may be wrong",
                    side.name, r.module
                ),
            );
            f.artifacts = vec![side.name.clone()];
            f.module = Some(r.module.path.clone());
            f.fix = Some("run `go mod tidy` so go.mod records the version Go will use".into());
            out.push(f);
        }
    }
    out
}

pub const LEGACY_ROOT_CAUSE: &str =
    "built with Go 1.15 or older, whose package-hash format godrift does not support";

/// Binary mode: Go <= 1.15 hash format.
pub fn legacy_hashes(host: &str, name: &str) -> Finding {
    let mut f = Finding::new(
        Code::IncompleteInformation,
        Severity::Warning,
        format!("{name}: Go <= 1.15 package hashes (go.link.pkghash strings) are not supported; no verdict"),
    );
    f.artifacts = vec![host.to_string(), name.to_string()];
    f
}

/// Binary mode: no build info on one side, so the cause of a hash difference is unknown.
pub fn no_build_info(name: &str) -> Finding {
    Finding::new(
        Code::IncompleteInformation,
        Severity::Info,
        format!("{name}: no build info on one side, so the cause of the hash difference cannot be named"),
    )
}

/// Vendored sources that could not be read, so were not compared.
pub fn vendored_unread(m: &crate::integrity::ModuleComparison) -> Option<Finding> {
    let name = &m.artifacts[0];
    super::vendored_sources::group(
        Code::IncompleteInformation,
        &m.unread,
        format!(
            "{name}: files of {} could not be read, so these were not compared",
            m.source.as_deref().unwrap_or("the source")
        ),
        m,
        "make the module cache readable (or run `go mod download`)".into(),
    )
}

/// A module cache copy that could not be verified against go.sum.
pub fn unverifiable(name: &str, s: &crate::integrity::SumCheck) -> Option<Finding> {
    let crate::integrity::SumCheck::Unverifiable { module, error } = s else {
        return None;
    };
    let mut f = Finding::new(
        Code::IncompleteInformation,
        Severity::Warning,
        format!(
            "{name}: could not verify the module cache copy of {module} against go.sum: {error}"
        ),
    );
    f.artifacts = vec![name.to_string()];
    f.module = Some(module.path.clone());
    Some(f)
}

/// vendor/ paths that could not be read or were too large to hash.
pub fn vendor_tree(name: &str, tree: &crate::integrity::TreeProblems) -> Option<Finding> {
    if tree.unread.is_empty() {
        return None;
    }
    let n = tree.unread.len();
    let cap = super::vendored_sources::LIST_CAP;
    let shown: Vec<String> = tree.unread.iter().take(cap).cloned().collect();
    let more = if n > cap {
        format!("; and {} more", n - cap)
    } else {
        String::new()
    };
    let mut f = Finding::new(
        Code::IncompleteInformation,
        Severity::Warning,
        format!(
            "{name}: {n} vendor/ path(s) were not compared: {}{more}",
            shown.join("; ")
        ),
    );
    f.artifacts = vec![name.to_string()];
    f.fix = Some("make vendor/ readable, or run `go mod vendor`".into());
    Some(f)
}
