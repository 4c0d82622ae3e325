//! Go's module version rules, as golang.org/x/mod/semver, module.PseudoVersion
//! and go/version define them.
//!
//! Versions are `vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]`: `v1` and `v1.2` are
//! shorthands for `v1.0.0` and `v1.2.0` and may carry neither prerelease nor build.
//! Numbers are kept as decimal strings (no overflow: Go's own tests use
//! `v1.2.99999999999999999`).

pub mod gover;
pub mod pseudo;

pub use pseudo::is_pseudo_version as is_pseudo;

use std::cmp::Ordering;

/// A version split into its parts; every field borrows from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Parsed<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    /// What `canonical` appends for a shorthand (`.0.0`, `.0` or "").
    short: &'static str,
    /// Includes the leading `-`.
    prerelease: &'a str,
    /// Includes the leading `+`.
    build: &'a str,
}

/// Leading decimal number without a superfluous leading zero.
fn parse_int(s: &str) -> Option<(&str, &str)> {
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && s.as_bytes()[0] == b'0') {
        return None;
    }
    Some(s.split_at(n))
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

fn is_num(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_digit())
}

/// An all-digit identifier with a leading zero, which semver forbids in prereleases.
fn is_bad_num(s: &str) -> bool {
    s.len() > 1 && is_num(s) && s.as_bytes()[0] == b'0'
}

/// Dot-separated non-empty identifiers after the `-`/`+` marker, up to `stop`.
/// Returns (field including marker, rest).
fn parse_idents(s: &str, stop: Option<u8>, check_num: bool) -> Option<(&str, &str)> {
    let body = &s[1..];
    let end = match stop {
        Some(c) => body.bytes().position(|b| b == c).unwrap_or(body.len()),
        None => body.len(),
    };
    let field = &body[..end];
    for ident in field.split('.') {
        if ident.is_empty() || !ident.bytes().all(is_ident_char) {
            return None;
        }
        if check_num && is_bad_num(ident) {
            return None;
        }
    }
    Some(s.split_at(1 + end))
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let (major, rest) = parse_int(rest)?;
    let mut p = Parsed {
        major,
        minor: "0",
        patch: "0",
        short: "",
        prerelease: "",
        build: "",
    };
    if rest.is_empty() {
        p.short = ".0.0";
        return Some(p);
    }
    let (minor, rest) = parse_int(rest.strip_prefix('.')?)?;
    p.minor = minor;
    if rest.is_empty() {
        p.short = ".0";
        return Some(p);
    }
    let (patch, mut rest) = parse_int(rest.strip_prefix('.')?)?;
    p.patch = patch;
    if rest.starts_with('-') {
        let (pre, r) = parse_idents(rest, Some(b'+'), true)?;
        p.prerelease = pre;
        rest = r;
    }
    if rest.starts_with('+') {
        let (b, r) = parse_idents(rest, None, false)?;
        p.build = b;
        rest = r;
    }
    if !rest.is_empty() {
        return None;
    }
    Some(p)
}

/// Compares two decimal strings without leading zeros numerically.
pub(crate) fn cmp_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

fn compare_prerelease(x: &str, y: &str) -> Ordering {
    if x == y {
        return Ordering::Equal;
    }
    // A release sorts after any of its prereleases.
    if x.is_empty() {
        return Ordering::Greater;
    }
    if y.is_empty() {
        return Ordering::Less;
    }
    let mut xs = x[1..].split('.');
    let mut ys = y[1..].split('.');
    loop {
        match (xs.next(), ys.next()) {
            (Some(dx), Some(dy)) => {
                if dx == dy {
                    continue;
                }
                let (nx, ny) = (is_num(dx), is_num(dy));
                return match (nx, ny) {
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (true, true) => cmp_int(dx, dy),
                    (false, false) => dx.cmp(dy),
                };
            }
            // More identifiers win when all preceding ones are equal.
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (None, None) => return Ordering::Equal,
        }
    }
}

/// Reports whether `v` is a valid semantic version (`v1.2.3`, `v1.2`, `v1`, prerelease, build).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// The canonical form of `v` (`v1.2` -> `v1.2.0`, build metadata dropped, including
/// `+incompatible`, as x/mod/semver does), or "" when invalid.
pub fn canonical(v: &str) -> String {
    match parse(v) {
        None => String::new(),
        Some(p) if !p.build.is_empty() => v[..v.len() - p.build.len()].to_string(),
        Some(p) => format!("{v}{}", p.short),
    }
}

/// Compares as semver.Compare: an invalid version is less than every valid one, and equal to another invalid one.
pub fn compare(v: &str, w: &str) -> Ordering {
    match (parse(v), parse(w)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => cmp_int(a.major, b.major)
            .then_with(|| cmp_int(a.minor, b.minor))
            .then_with(|| cmp_int(a.patch, b.patch))
            .then_with(|| compare_prerelease(a.prerelease, b.prerelease)),
    }
}

/// `v2` of `v2.1.0`; "" when invalid.
pub fn major(v: &str) -> String {
    match parse(v) {
        Some(p) => v[..1 + p.major.len()].to_string(),
        None => String::new(),
    }
}

/// `v2.1` of `v2.1.0`; "" when invalid.
pub fn major_minor(v: &str) -> String {
    match parse(v) {
        Some(p) => format!("v{}.{}", p.major, p.minor),
        None => String::new(),
    }
}

/// `-pre` of `v1.2.3-pre+meta`; "" when none or invalid.
pub fn prerelease(v: &str) -> String {
    parse(v)
        .map(|p| p.prerelease.to_string())
        .unwrap_or_default()
}

/// `+meta` of `v1.2.3-pre+meta`; "" when none or invalid.
pub fn build(v: &str) -> String {
    parse(v).map(|p| p.build.to_string()).unwrap_or_default()
}

/// Reports whether `v` is valid and has a prerelease part (pseudo-versions do).
pub fn is_prerelease(v: &str) -> bool {
    parse(v).is_some_and(|p| !p.prerelease.is_empty())
}

/// The larger of two versions by `compare` (the first when they compare equal).
/// Unlike Go's deprecated semver.Max it does not canonicalize.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_fields_compare_by_value() {
        assert_eq!(compare("v1.19", "v1.2"), Ordering::Greater);
        assert_eq!(compare("v1.2.10", "v1.2.9"), Ordering::Greater);
        assert_eq!(compare("v1.0.0-rc.10", "v1.0.0-rc.9"), Ordering::Greater);
        assert_eq!(compare("v1.0.0-rc.x", "v1.0.0-rc.9"), Ordering::Greater);
        assert_eq!(compare("v1.0.0+a", "v1.0.0+b"), Ordering::Equal);
    }

    #[test]
    fn rejects_malformed() {
        for v in [
            "",
            "v",
            "1.2.3",
            "v01",
            "v1.02",
            "v1.2.03",
            "v1.2.3-",
            "v1.2.3-01",
            "v1.2.3+",
            "v1.2.3-a..b",
            "v1.2.3+a..b",
            "v1.2.3-é",
            "v1..2",
            "v1.2.3.4",
        ] {
            assert!(!is_valid(v), "{v}");
            assert_eq!(canonical(v), "", "{v}");
        }
        assert!(is_valid("v1.2.3-0"));
        assert!(is_valid("v1.2.3+01"));
    }

    #[test]
    fn parts() {
        assert_eq!(major("v2.1.0"), "v2");
        assert_eq!(major_minor("v2"), "v2.0");
        assert_eq!(major_minor("v2.1.0-pre+m"), "v2.1");
        assert_eq!(prerelease("v2.1.0-pre+meta"), "-pre");
        assert_eq!(build("v2.1.0-pre+meta"), "+meta");
        assert_eq!(canonical("v2.0.0+incompatible"), "v2.0.0");
        assert!(is_prerelease("v1.0.0-x"));
        assert!(!is_prerelease("v1.0.0+x-y"));
        assert_eq!(max("v1.2", "v1.2.0"), "v1.2");
        assert_eq!(max("bad", "v0.0.0"), "v0.0.0");
    }
}
