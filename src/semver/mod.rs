//! Go's module version rules, as golang.org/x/mod/semver, module.PseudoVersion
//! and go/version define them.

pub mod gover;
pub mod pseudo;

use std::cmp::Ordering;

/// A parsed semantic version. Fields borrow from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Parsed<'a> {
    pub major: &'a str,
    pub minor: &'a str,
    pub patch: &'a str,
    /// `.0.0` or `.0` when the input was a shorthand (`v1`, `v1.2`).
    pub short: &'a str,
    pub prerelease: &'a str,
    pub build: &'a str,
}

/// Splits a decimal number without leading zeros off the front of `s`.
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
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit())
}

fn is_bad_num(s: &str) -> bool {
    is_num(s) && s.len() > 1 && s.as_bytes()[0] == b'0'
}

/// `-a.b.c` at the front of `s` (identifiers non-empty; numeric ones without leading zeros).
fn parse_prerelease(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'-') {
        return None;
    }
    let mut i = 1;
    let mut start = 1;
    while i < b.len() && b[i] != b'+' {
        if !is_ident_char(b[i]) && b[i] != b'.' {
            return None;
        }
        if b[i] == b'.' {
            if start == i || is_bad_num(&s[start..i]) {
                return None;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start == i || is_bad_num(&s[start..i]) {
        return None;
    }
    Some(s.split_at(i))
}

/// `+a.b` at the front of `s` (identifiers non-empty; leading zeros allowed).
fn parse_build(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'+') {
        return None;
    }
    let mut start = 1;
    for (i, &c) in b.iter().enumerate().skip(1) {
        if !is_ident_char(c) && c != b'.' {
            return None;
        }
        if c == b'.' {
            if start == i {
                return None;
            }
            start = i + 1;
        }
    }
    if start == b.len() {
        return None;
    }
    Some(s.split_at(b.len()))
}

pub(crate) fn parse(v: &str) -> Option<Parsed<'_>> {
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
        let (pre, r) = parse_prerelease(rest)?;
        p.prerelease = pre;
        rest = r;
    }
    if rest.starts_with('+') {
        let (build, r) = parse_build(rest)?;
        p.build = build;
        rest = r;
    }
    rest.is_empty().then_some(p)
}

/// Reports whether `v` is a valid semantic version (`v1.2.3`, `v1.2`, `v1`, prerelease, build).
pub fn is_valid(v: &str) -> bool {
    parse(v).is_some()
}

/// The canonical form of `v` (`v1.2` -> `v1.2.0`, build suffix such as `+incompatible`
/// dropped, as x/mod/semver does), or "" when invalid.
pub fn canonical(v: &str) -> String {
    match parse(v) {
        None => String::new(),
        Some(p) => format!("v{}.{}.{}{}", p.major, p.minor, p.patch, p.prerelease),
    }
}

/// Compares as semver.Compare: an invalid version is less than every valid one, and equal
/// to another invalid one.
pub fn compare(v: &str, w: &str) -> Ordering {
    // The same string is the same version (or the same invalid one): MVS compares a
    // version with itself for most requirements it meets.
    if v == w {
        return Ordering::Equal;
    }
    match (parse(v), parse(w)) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(a), Some(b)) => compare_int(a.major, b.major)
            .then_with(|| compare_int(a.minor, b.minor))
            .then_with(|| compare_int(a.patch, b.patch))
            .then_with(|| compare_prerelease(a.prerelease, b.prerelease)),
    }
}

/// Decimal strings without leading zeros compare by length, then lexically.
pub(crate) fn compare_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

fn compare_prerelease(x: &str, y: &str) -> Ordering {
    // A version without a prerelease has higher precedence than one with.
    match (x.is_empty(), y.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut xs = x[1..].split('.');
    let mut ys = y[1..].split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(a), Some(b)) => {
                let ord = match (is_num(a), is_num(b)) {
                    (true, true) => compare_int(a, b),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => a.cmp(b),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

/// `v2` of `v2.1.0`; "" when invalid.
pub fn major(v: &str) -> String {
    parse(v).map_or_else(String::new, |p| format!("v{}", p.major))
}

/// `v2.1` of `v2.1.0`; "" when invalid.
pub fn major_minor(v: &str) -> String {
    parse(v).map_or_else(String::new, |p| format!("v{}.{}", p.major, p.minor))
}

/// `-pre` of `v1.2.3-pre+meta`; "" when none or invalid.
pub fn prerelease(v: &str) -> String {
    parse(v).map_or_else(String::new, |p| p.prerelease.to_string())
}

/// `+meta` of `v1.2.3-pre+meta`; "" when none or invalid.
pub fn build(v: &str) -> String {
    parse(v).map_or_else(String::new, |p| p.build.to_string())
}

/// Whether `v` carries the `+incompatible` build suffix (a v2+ version of a module without go.mod).
pub fn is_incompatible(v: &str) -> bool {
    build(v) == "+incompatible"
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorthand_and_prerelease() {
        assert_eq!(canonical("v1.2"), "v1.2.0");
        assert_eq!(canonical("v1"), "v1.0.0");
        assert_eq!(canonical("v1-pre"), "");
        assert_eq!(canonical("v2.0.0+incompatible"), "v2.0.0");
        assert!(is_incompatible("v2.0.0+incompatible"));
        assert_eq!(compare("v1.0.0-rc.1", "v1.0.0"), Ordering::Less);
        assert_eq!(
            compare("v1.0.0-beta.11", "v1.0.0-beta.2"),
            Ordering::Greater
        );
        assert_eq!(compare("v1.2", "v1.2.0"), Ordering::Equal);
        assert_eq!(major_minor("v1"), "v1.0");
        assert_eq!(
            compare("v1.0.01", "v1.0.0"),
            Ordering::Less,
            "invalid sorts first"
        );
    }
}
