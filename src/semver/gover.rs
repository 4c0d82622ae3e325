//! Go toolchain/language versions as used on `go` and `toolchain` lines
//! (internal/gover, cmd/go/internal/gover, go/version): `1.21 < 1.21rc1 < 1.21.0`;
//! a go.mod with no `go` line means 1.16. Rules as in Go 1.24-1.26: a patch
//! release has no prerelease (`1.21.1rc1` is invalid).

use super::cmp_int;
use std::cmp::Ordering;

/// The Go version assumed for a go.mod file without a `go` line.
pub const DEFAULT_GO_MOD_VERSION: &str = "1.16";
/// The Go version assumed for a go.work file without a `go` line.
pub const DEFAULT_GO_WORK_VERSION: &str = "1.18";

/// A parsed Go version `major[.minor[.patch]][kind[pre]]`; numbers stay decimal
/// strings (Go's tests use `1.99999999999999999`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct GoVersion {
    pub major: String,
    /// Decimal, or "" (never for a valid version).
    pub minor: String,
    /// Decimal, or "" for a 1.21+ language version such as `1.21` or `1.21rc1`.
    pub patch: String,
    /// "", "alpha", "beta", "rc" or any lowercase word.
    pub kind: String,
    /// Decimal or "".
    pub pre: String,
}

fn cut_int(x: &str) -> Option<(&str, &str)> {
    let n = x.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && x.as_bytes()[0] == b'0') {
        return None;
    }
    Some(x.split_at(n))
}

/// Parses a version without the `go` prefix; None when malformed.
pub fn parse(x: &str) -> Option<GoVersion> {
    let (major, x) = cut_int(x)?;
    let mut v = GoVersion {
        major: major.to_string(),
        ..GoVersion::default()
    };
    if x.is_empty() {
        // "1" means 1.0.0.
        v.minor = "0".into();
        v.patch = "0".into();
        return Some(v);
    }
    let (minor, x) = cut_int(x.strip_prefix('.')?)?;
    v.minor = minor.to_string();
    if x.is_empty() {
        // Before 1.21, "1.N" is the release 1.N.0; from 1.21 on it is the language version.
        if cmp_int(minor, "21") == Ordering::Less {
            v.patch = "0".into();
        }
        return Some(v);
    }
    if let Some(x) = x.strip_prefix('.') {
        let (patch, rest) = cut_int(x)?;
        if !rest.is_empty() {
            return None;
        }
        v.patch = patch.to_string();
        return Some(v);
    }
    let n = x.bytes().take_while(|c| !c.is_ascii_digit()).count();
    if n == 0 || !x[..n].bytes().all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    v.kind = x[..n].to_string();
    let x = &x[n..];
    if x.is_empty() {
        return Some(v);
    }
    let (pre, rest) = cut_int(x)?;
    if !rest.is_empty() {
        return None;
    }
    v.pre = pre.to_string();
    Some(v)
}

/// Compares as gover.Compare: malformed versions are less than valid ones and
/// equal to each other; `1.21 < 1.21rc1 < 1.21.0`.
pub fn compare(x: &str, y: &str) -> Ordering {
    let vx = parse(x).unwrap_or_default();
    let vy = parse(y).unwrap_or_default();
    // An absent field is "", which cmp_int puts before any number (shorter).
    cmp_int(&vx.major, &vy.major)
        .then_with(|| cmp_int(&vx.minor, &vy.minor))
        .then_with(|| cmp_int(&vx.patch, &vy.patch))
        // "" < alpha < beta < rc: a language version sorts before its prereleases.
        .then_with(|| vx.kind.cmp(&vy.kind))
        .then_with(|| cmp_int(&vx.pre, &vy.pre))
}

/// The larger of x and y by `compare`; x when they compare equal.
pub fn max<'a>(x: &'a str, y: &'a str) -> &'a str {
    if compare(x, y) == Ordering::Less {
        y
    } else {
        x
    }
}

/// Reports whether x is a valid Go version (without `go` prefix).
pub fn is_valid(x: &str) -> bool {
    parse(x).is_some()
}

/// Reports whether x names a language version (`1.21`) rather than a release.
pub fn is_lang(x: &str) -> bool {
    parse(x).is_some_and(|v| v.patch.is_empty() && v.kind.is_empty() && v.pre.is_empty())
}

/// The language version of x: `lang("1.21.3") == "1.21"`, `lang("1") == "1"`,
/// `lang("1.0.2") == "1"`; "" when x is invalid.
pub fn lang(x: &str) -> String {
    let v = parse(x).unwrap_or_default();
    if v.minor.is_empty() || (v.major == "1" && v.minor == "0") {
        v.major
    } else {
        format!("{}.{}", v.major, v.minor)
    }
}

/// Reports whether x is an alpha/beta/rc version.
pub fn is_prerelease(x: &str) -> bool {
    parse(x).is_some_and(|v| !v.kind.is_empty())
}

/// The Go version a toolchain name denotes (`go1.21.0` and `go1.21.0-bigcorp` ->
/// `1.21.0`), or "" when the name is not `goVERSION` or contains a path separator.
pub fn from_toolchain(name: &str) -> String {
    if name.contains(['/', '\\']) {
        return String::new();
    }
    let Some(v) = name.strip_prefix("go") else {
        return String::new();
    };
    let v = v.split([' ', '\t', '-']).next().unwrap_or("");
    if is_valid(v) {
        v.to_string()
    } else {
        String::new()
    }
}

/// `go1.21rc1-custom` -> `1.21rc1` as go/version reads it; "" (invalid) without `go`.
fn strip_go(v: &str) -> &str {
    let v = v.split('-').next().unwrap_or("");
    v.strip_prefix("go").unwrap_or("")
}

/// go/version.Compare: like `compare` on `go`-prefixed versions (`go1.21`).
pub fn compare_go(x: &str, y: &str) -> Ordering {
    compare(strip_go(x), strip_go(y))
}

/// go/version.IsValid: `go1.21.0` is valid, `1.21.0` is not.
pub fn is_valid_go(x: &str) -> bool {
    is_valid(strip_go(x))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn compare_table() {
        // Go's internal/gover compareTests.
        let cases = [
            ("", "", Equal),
            ("x", "x", Equal),
            ("", "x", Equal),
            ("1", "1.1", Less),
            ("1.5", "1.6", Less),
            ("1.5", "1.10", Less),
            ("1.6", "1.6.1", Less),
            ("1.19", "1.19.0", Equal),
            ("1.19rc1", "1.19", Less),
            ("1.20", "1.20.0", Equal),
            ("1.20rc1", "1.20", Less),
            ("1.21", "1.21.0", Less),
            ("1.21", "1.21rc1", Less),
            ("1.21rc1", "1.21.0", Less),
            ("1.6", "1.19", Less),
            ("1.19", "1.19.1", Less),
            ("1.19rc1", "1.19.1", Less),
            ("1.19rc1", "1.19rc2", Less),
            ("1.19.0", "1.19.1", Less),
            ("1.19rc1", "1.19.0", Less),
            ("1.19alpha3", "1.19beta2", Less),
            ("1.19beta2", "1.19rc1", Less),
            ("1.1", "1.99999999999999998", Less),
            ("1.99999999999999998", "1.99999999999999999", Less),
        ];
        for (x, y, want) in cases {
            assert_eq!(compare(x, y), want, "compare({x:?}, {y:?})");
            assert_eq!(compare(y, x), want.reverse(), "compare({y:?}, {x:?})");
        }
    }

    #[test]
    fn parse_lang_valid() {
        let v = parse("1.21rc3").unwrap();
        assert_eq!((v.minor.as_str(), v.patch.as_str()), ("21", ""));
        assert_eq!((v.kind.as_str(), v.pre.as_str()), ("rc", "3"));
        assert_eq!(parse("1.20").unwrap().patch, "0");
        assert_eq!(parse("1.999testmod").unwrap().kind, "testmod");
        for (x, l) in [
            ("1.2rc3", "1.2"),
            ("1.2.3", "1.2"),
            ("1.2", "1.2"),
            ("1", "1"),
        ] {
            assert_eq!(lang(x), l);
        }
        assert_eq!(lang("1.0.2"), "1");
        assert_eq!(lang("bad"), "");
        for (x, ok) in [
            ("1.22", true),
            ("1.21", true),
            ("1.20", false),
            ("1", false),
            ("1.2rc3", false),
        ] {
            assert_eq!(is_lang(x), ok, "{x}");
        }
        for x in [
            "1.600+auto",
            "1.21.0rc1",
            "01.2",
            "1.02",
            "1.2.",
            "1.21RC1",
            "1.21rc01",
            "go1.21",
            "",
        ] {
            assert!(!is_valid(x), "{x}");
        }
        assert!(is_prerelease("1.21rc1"));
        assert_eq!(max("1.21", "1.21rc1"), "1.21rc1");
        assert_eq!(max("1.19", "1.19.0"), "1.19");
    }

    #[test]
    fn toolchains_and_go_prefix() {
        assert_eq!(from_toolchain("go1.21.0"), "1.21.0");
        assert_eq!(from_toolchain("go1.2.3-bigcorp"), "1.2.3");
        assert_eq!(from_toolchain("go1.22 x"), "1.22");
        assert_eq!(from_toolchain("invalid"), "");
        assert_eq!(from_toolchain("go1.21/x"), "");
        assert_eq!(from_toolchain("1.21.0"), "");
        assert_eq!(compare_go("go1.21", "go1.21rc1"), Less);
        assert_eq!(compare_go("go1.21.0-custom", "go1.21.0"), Equal);
        assert!(!is_valid_go("1.21"));
        assert!(is_valid_go("go1.21.0"));
        assert_eq!(compare(DEFAULT_GO_MOD_VERSION, "1.16.0"), Equal);
    }
}
