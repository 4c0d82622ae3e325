//! Go toolchain versions as they appear in `go` and `toolchain` lines (`1.21`, `1.21rc1`,
//! `1.21.0`, `go1.21.0`), ordered as cmd/go orders them: `1.21 < 1.21rc1 < 1.21.0`.

use super::compare_int;
use std::cmp::Ordering;

/// The `go` version a go.mod without a `go` line is taken to declare.
pub const DEFAULT_GO_VERSION: &str = "1.16";

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Version<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    kind: &'a str,
    pre: &'a str,
}

fn cut_int(x: &str) -> Option<(&str, &str)> {
    let n = x.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && x.starts_with('0')) {
        return None;
    }
    Some(x.split_at(n))
}

fn parse(x: &str) -> Option<Version<'_>> {
    let (major, x) = cut_int(x)?;
    let mut v = Version {
        major,
        ..Version::default()
    };
    if x.is_empty() {
        // "1" means "1.0.0".
        v.minor = "0";
        v.patch = "0";
        return Some(v);
    }
    let (minor, x) = cut_int(x.strip_prefix('.')?)?;
    v.minor = minor;
    if x.is_empty() {
        // Before Go 1.21 a missing patch meant ".0"; from 1.21 on, "1.21" is the language
        // version and sorts before its release candidates and "1.21.0".
        if compare_int(minor, "21") == Ordering::Less {
            v.patch = "0";
        }
        return Some(v);
    }
    if let Some(rest) = x.strip_prefix('.') {
        let (patch, rest) = cut_int(rest)?;
        if !rest.is_empty() {
            return None;
        }
        v.patch = patch;
        return Some(v);
    }
    let n = x.bytes().take_while(|c| !c.is_ascii_digit()).count();
    if n == 0 || !x[..n].bytes().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    v.kind = &x[..n];
    let x = &x[n..];
    if x.is_empty() {
        return Some(v);
    }
    let (pre, rest) = cut_int(x)?;
    if !rest.is_empty() {
        return None;
    }
    v.pre = pre;
    Some(v)
}

/// Reports whether `x` is a valid Go version (without the `go` prefix).
pub fn is_valid(x: &str) -> bool {
    parse(x).is_some()
}

/// Compares two Go versions; invalid versions sort before valid ones.
pub fn compare(x: &str, y: &str) -> Ordering {
    let a = parse(x).unwrap_or_default();
    let b = parse(y).unwrap_or_default();
    compare_int(a.major, b.major)
        .then_with(|| compare_int(a.minor, b.minor))
        .then_with(|| compare_int(a.patch, b.patch))
        .then_with(|| a.kind.cmp(b.kind))
        .then_with(|| compare_int(a.pre, b.pre))
}

/// The language version (`1.21` of `1.21.3` or `1.21rc1`); "" when invalid.
pub fn lang(x: &str) -> String {
    match parse(x) {
        None => String::new(),
        Some(v) if v.major == "1" && v.minor == "0" => v.major.to_string(),
        Some(v) => format!("{}.{}", v.major, v.minor),
    }
}

/// The larger of two Go versions.
pub fn max<'a>(x: &'a str, y: &'a str) -> &'a str {
    if compare(x, y) == Ordering::Less {
        y
    } else {
        x
    }
}

/// The Go version of a toolchain name: `go1.21.3` -> `1.21.3`, `go1.22.0-custom` -> `1.22.0`;
/// None for `default`, `local` or a name that is not a Go release.
pub fn from_toolchain(name: &str) -> Option<&str> {
    let v = name.strip_prefix("go")?;
    // A suffix such as `-custom` or `+auto` names a variant of the same release.
    let end = v.find(['-', '+']).unwrap_or(v.len());
    let v = &v[..end];
    is_valid(v).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_line_order() {
        let order = [
            "1.16",
            "1.20",
            "1.20.1",
            "1.21",
            "1.21rc1",
            "1.21rc2",
            "1.21.0",
            "1.21.1",
            "1.22beta1",
        ];
        for w in order.windows(2) {
            assert_eq!(compare(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        assert_eq!(compare("1.20", "1.20.0"), Ordering::Equal);
        assert!(!is_valid("1.021"));
        assert!(!is_valid("1.21.0rc1"));
        assert_eq!(lang("1.21.3"), "1.21");
        assert_eq!(from_toolchain("go1.22.0-custom"), Some("1.22.0"));
        assert_eq!(from_toolchain("default"), None);
    }
}
