//! Pseudo-versions (module.PseudoVersion): `vX.0.0-yyyymmddhhmmss-rev` (no earlier tag),
//! `vX.Y.Z-pre.0.yyyymmddhhmmss-rev` (after a prerelease tag), and
//! `vX.Y.(Z+1)-0.yyyymmddhhmmss-rev` (after a release tag).

use super::{build, canonical, is_valid, prerelease};

/// An invalid version, worded as module.InvalidVersionError.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} {:?} invalid: {}", if *.pseudo { "pseudo-version" } else { "version" }, .version, .reason)]
pub struct InvalidVersionError {
    pub version: String,
    pub pseudo: bool,
    pub reason: String,
}

fn pseudo_error(v: &str, reason: impl Into<String>) -> InvalidVersionError {
    InvalidVersionError {
        version: v.to_string(),
        pseudo: true,
        reason: reason.into(),
    }
}

/// Matches Go's pseudoVersionRE:
/// `^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$`
fn matches_pseudo_shape(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let n = digits(rest);
    if n == 0 || rest.as_bytes().get(n) != Some(&b'.') {
        return false;
    }
    let rest = &rest[n + 1..];
    // Drop the build suffix, checked by semver validity already, then split off `-rev`.
    let core = rest.split('+').next().unwrap_or("");
    let Some((before_rev, rev)) = core.rsplit_once('-') else {
        return false;
    };
    if rev.is_empty() || !rev.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    // before_rev ends with the 14-digit timestamp.
    if before_rev.len() < 14 {
        return false;
    }
    let (head, ts) = before_rev.split_at(before_rev.len() - 14);
    if !ts.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    if head == "0.0-" {
        return true;
    }
    // `\d+\.\d+-([^+]*\.)?0\.`
    let Some(head) = head.strip_suffix("0.") else {
        return false;
    };
    let a = digits(head);
    if a == 0 || head.as_bytes().get(a) != Some(&b'.') {
        return false;
    }
    let h = &head[a + 1..];
    let b = digits(h);
    if b == 0 || h.as_bytes().get(b) != Some(&b'-') {
        return false;
    }
    let pre = &h[b + 1..];
    pre.is_empty() || (pre.ends_with('.') && !pre.contains('+'))
}

/// Reports whether `v` is a pseudo-version.
pub fn is_pseudo_version(v: &str) -> bool {
    v.matches('-').count() >= 2 && is_valid(v) && matches_pseudo_shape(v)
}

struct Parts<'a> {
    base: &'a str,
    timestamp: &'a str,
    rev: &'a str,
    build: String,
}

fn parse_pseudo(v: &str) -> Result<Parts<'_>, InvalidVersionError> {
    if !is_pseudo_version(v) {
        return Err(pseudo_error(v, "syntax error"));
    }
    let b = build(v);
    let s = &v[..v.len() - b.len()];
    let j = s
        .rfind('-')
        .ok_or_else(|| pseudo_error(v, "syntax error"))?;
    let (s, rev) = (&s[..j], &s[j + 1..]);
    let i = s
        .rfind('-')
        .ok_or_else(|| pseudo_error(v, "syntax error"))?;
    let (base, timestamp) = match s.rfind('.') {
        Some(k) if k > i => (&s[..k], &s[k + 1..]),
        _ => (&s[..i], &s[i + 1..]),
    };
    Ok(Parts {
        base,
        timestamp,
        rev,
        build: b,
    })
}

/// The version a pseudo-version is based on: "" for `vX.0.0-...`, `vX.Y.Z` for
/// `vX.Y.(Z+1)-0....`, `vX.Y.Z-pre` for `vX.Y.Z-pre.0....` (build suffix kept).
pub fn pseudo_version_base(v: &str) -> Result<String, InvalidVersionError> {
    let p = parse_pseudo(v)?;
    let pre = prerelease(p.base);
    match pre.as_str() {
        "" => {
            if !p.build.is_empty() {
                return Err(pseudo_error(
                    v,
                    format!("lacks base version, but has build metadata '{}'", p.build),
                ));
            }
            Ok(String::new())
        }
        "-0" => {
            let base = &p.base[..p.base.len() - 2];
            let i = base
                .rfind('.')
                .ok_or_else(|| pseudo_error(v, "syntax error"))?;
            if base.ends_with(".0") {
                return Err(pseudo_error(
                    v,
                    format!("version before {base} would have negative patch number"),
                ));
            }
            Ok(format!(
                "{}{}{}",
                &base[..=i],
                dec_decimal(&base[i + 1..]),
                p.build
            ))
        }
        _ => {
            let base = p
                .base
                .strip_suffix(".0")
                .ok_or_else(|| pseudo_error(v, "syntax error"))?;
            Ok(format!("{base}{}", p.build))
        }
    }
}

/// The 14-digit UTC timestamp (`yyyymmddhhmmss`) of a pseudo-version.
pub fn pseudo_version_time(v: &str) -> Result<String, InvalidVersionError> {
    let p = parse_pseudo(v)?;
    let n = |r: std::ops::Range<usize>| p.timestamp[r].parse::<u32>().unwrap_or(u32::MAX);
    let valid = (1..=12).contains(&n(4..6))
        && (1..=31).contains(&n(6..8))
        && n(8..10) < 24
        && n(10..12) < 60
        && n(12..14) < 60;
    if !valid {
        return Err(pseudo_error(v, "malformed time"));
    }
    Ok(p.timestamp.to_string())
}

/// The revision identifier (commit hash prefix) of a pseudo-version.
pub fn pseudo_version_rev(v: &str) -> Result<String, InvalidVersionError> {
    Ok(parse_pseudo(v)?.rev.to_string())
}

/// Builds a pseudo-version: `major` ("" means v0), `older` the most recent tag before the
/// revision ("" when none), `timestamp` as `yyyymmddhhmmss` UTC, `rev` the revision id.
pub fn pseudo_version(major: &str, older: &str, timestamp: &str, rev: &str) -> String {
    let major = if major.is_empty() { "v0" } else { major };
    let segment = format!("{timestamp}-{rev}");
    let b = build(older);
    let older = canonical(older);
    if older.is_empty() {
        return format!("{major}.0.0-{segment}{b}");
    }
    if !prerelease(&older).is_empty() {
        return format!("{older}.0.{segment}{b}");
    }
    let i = older.rfind('.').map_or(0, |i| i + 1);
    format!("{}{}-0.{segment}{b}", &older[..i], inc_decimal(&older[i..]))
}

fn inc_decimal(d: &str) -> String {
    let mut digits: Vec<u8> = d.bytes().collect();
    for c in digits.iter_mut().rev() {
        if *c == b'9' {
            *c = b'0';
        } else {
            *c += 1;
            return String::from_utf8_lossy(&digits).into_owned();
        }
    }
    format!("1{}", String::from_utf8_lossy(&digits))
}

fn dec_decimal(d: &str) -> String {
    let mut digits: Vec<u8> = d.bytes().collect();
    for c in digits.iter_mut().rev() {
        if *c == b'0' {
            *c = b'9';
        } else {
            *c -= 1;
            break;
        }
    }
    let s = String::from_utf8_lossy(&digits).into_owned();
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0".to_string()
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_forms() {
        let v = pseudo_version("", "", "20060102150405", "abcdef123456");
        assert_eq!(v, "v0.0.0-20060102150405-abcdef123456");
        let v = pseudo_version("v1", "v1.2.3", "20060102150405", "abc");
        assert_eq!(v, "v1.2.4-0.20060102150405-abc");
        assert_eq!(pseudo_version_base(&v).unwrap(), "v1.2.3");
        let v = pseudo_version("v1", "v1.2.3-pre", "20060102150405", "abc");
        assert_eq!(v, "v1.2.3-pre.0.20060102150405-abc");
        assert_eq!(pseudo_version_base(&v).unwrap(), "v1.2.3-pre");
        assert!(!is_pseudo_version("v1.2.3"));
        assert_eq!(
            pseudo_version_base("v1.2.0-0.20060102150405-abc").unwrap_err().to_string(),
            "pseudo-version \"v1.2.0-0.20060102150405-abc\" invalid: version before v1.2.0 would have negative patch number"
        );
    }
}
