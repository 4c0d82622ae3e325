//! Go's module version rules, as golang.org/x/mod/semver, module.PseudoVersion
//! and go/version define them. (Contract stub: the semver helper implements it.)

pub mod gover;
pub mod pseudo;

use std::cmp::Ordering;

/// Reports whether `v` is a valid semantic version (`v1.2.3`, `v1.2`, `v1`, prerelease, build).
pub fn is_valid(v: &str) -> bool {
    todo!("{v}")
}

/// The canonical form of `v` (`v1.2` -> `v1.2.0`, build suffix dropped, `+incompatible` kept
/// as x/mod/semver does: it drops it), or "" when invalid.
pub fn canonical(v: &str) -> String {
    todo!("{v}")
}

/// Compares as semver.Compare: an invalid version is less than every valid one, and equal to another invalid one.
pub fn compare(v: &str, w: &str) -> Ordering {
    todo!("{v}{w}")
}

/// `v2` of `v2.1.0`; "" when invalid.
pub fn major(v: &str) -> String {
    todo!("{v}")
}

/// `v2.1` of `v2.1.0`; "" when invalid.
pub fn major_minor(v: &str) -> String {
    todo!("{v}")
}

/// `-pre` of `v1.2.3-pre+meta`; "" when none or invalid.
pub fn prerelease(v: &str) -> String {
    todo!("{v}")
}

/// `+meta` of `v1.2.3-pre+meta`; "" when none or invalid.
pub fn build(v: &str) -> String {
    todo!("{v}")
}

/// The larger of two versions by `compare`.
pub fn max<'a>(v: &'a str, w: &'a str) -> &'a str {
    if compare(v, w) == Ordering::Less {
        w
    } else {
        v
    }
}

/// Sorts as semver.Sort: by compare, ties broken by string order.
pub fn sort(list: &mut [String]) {
    list.sort_by(|a, b| compare(a, b).then_with(|| a.cmp(b)));
}
