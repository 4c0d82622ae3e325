//! Pseudo-versions (module.IsPseudoVersion and friends), in all three forms:
//! `vX.0.0-yyyymmddhhmmss-abcdef123456` (no earlier tag),
//! `vX.Y.Z-pre.0.yyyymmddhhmmss-abcdef123456` (after prerelease tag `vX.Y.Z-pre`),
//! `vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef123456` (after release tag `vX.Y.Z`),
//! each optionally followed by the base tag's build suffix (`+incompatible`).

use crate::module::InvalidVersionError;

/// The UTC timestamp of a pseudo-version, to the second, as Go's time.Parse
/// reads `20060102150405` (year 0000-9999; month and day checked against the calendar).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PseudoTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl PseudoTime {
    /// Go's zero `time.Time` (0001-01-01 00:00:00 UTC), used by ZeroPseudoVersion.
    pub const ZERO: PseudoTime = PseudoTime {
        year: 1,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
    };

    /// Parses exactly 14 ASCII digits `yyyymmddhhmmss`; None when out of range.
    pub fn parse(ts: &str) -> Option<PseudoTime> {
        if ts.len() != 14 || !ts.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // All ASCII digits, so byte slicing and parsing cannot fail.
        let num = |a: usize, b: usize| ts[a..b].parse::<u16>().ok();
        let t = PseudoTime {
            year: num(0, 4)?,
            month: num(4, 6)? as u8,
            day: num(6, 8)? as u8,
            hour: num(8, 10)? as u8,
            minute: num(10, 12)? as u8,
            second: num(12, 14)? as u8,
        };
        let ok = (1..=12).contains(&t.month)
            && t.day >= 1
            && t.day <= days_in(t.month, t.year)
            && t.hour < 24
            && t.minute < 60
            && t.second < 60;
        ok.then_some(t)
    }

    /// `yyyymmddhhmmss`, the pseudo-version timestamp format.
    pub fn timestamp(&self) -> String {
        format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl std::fmt::Display for PseudoTime {
    /// RFC 3339, as Go prints `t.Format(time.RFC3339)` for a UTC time.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

fn days_in(month: u8, year: u16) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The decimal string plus one (`"99"` -> `"100"`).
fn inc_decimal(d: &str) -> String {
    let mut digits = d.as_bytes().to_vec();
    let mut i = digits.len();
    while i > 0 && digits[i - 1] == b'9' {
        digits[i - 1] = b'0';
        i -= 1;
    }
    if i > 0 {
        digits[i - 1] += 1;
    } else {
        digits.insert(0, b'1');
    }
    String::from_utf8(digits).unwrap_or_default()
}

/// The decimal string minus one, or "" when it is all zeros.
fn dec_decimal(d: &str) -> String {
    let mut digits = d.as_bytes().to_vec();
    let mut i = digits.len();
    while i > 0 && digits[i - 1] == b'0' {
        digits[i - 1] = b'9';
        i -= 1;
    }
    if i == 0 {
        return String::new();
    }
    if i == 1 && digits[0] == b'1' && digits.len() > 1 {
        digits.remove(0);
    } else {
        digits[i - 1] -= 1;
    }
    String::from_utf8(digits).unwrap_or_default()
}

/// Builds a pseudo-version from the major version (`""` means `v0`), the newest
/// older tag (`""`, `v1.2.3`, `v1.2.3-pre`, with any build suffix carried over),
/// the commit time and the revision (usually a 12-hex-digit commit prefix).
pub fn pseudo_version(major: &str, older: &str, time: PseudoTime, rev: &str) -> String {
    let major = if major.is_empty() { "v0" } else { major };
    let segment = format!("{}-{rev}", time.timestamp());
    let build = super::build(older);
    let older = super::canonical(older);
    if older.is_empty() {
        return format!("{major}.0.0-{segment}");
    }
    if !super::prerelease(&older).is_empty() {
        return format!("{older}.0.{segment}{build}");
    }
    // Canonical without prerelease: vMAJOR.MINOR.PATCH, so a dot is present.
    let i = older.rfind('.').map_or(0, |i| i + 1);
    let (head, patch) = older.split_at(i);
    format!("{head}{}-0.{segment}{build}", inc_decimal(patch))
}

/// A placeholder pseudo-version with zero time and revision (module.ZeroPseudoVersion).
pub fn zero_pseudo_version(major: &str) -> String {
    pseudo_version(major, "", PseudoTime::ZERO, "000000000000")
}

/// Reports whether `v` is a zero pseudo-version as built by `zero_pseudo_version`.
pub fn is_zero_pseudo_version(v: &str) -> bool {
    v == zero_pseudo_version(&super::major(v))
}

fn is_build_field(s: &str) -> bool {
    s.split('.')
        .all(|id| !id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
}

/// Matches x/mod's pseudo-version pattern
/// `^v[0-9]+\.(0\.0-|\d+\.\d+-([^+]*\.)?0\.)\d{14}-[A-Za-z0-9]+(\+BUILD)?$`, written
/// out by hand: the revision cannot contain `-` and nothing before the build
/// contains `+`, so the pattern splits at the first `+` and the last `-`.
fn matches_pseudo_pattern(v: &str) -> bool {
    let (core, build) = match v.find('+') {
        Some(i) => (&v[..i], Some(&v[i + 1..])),
        None => (v, None),
    };
    if build.is_some_and(|b| !is_build_field(b)) {
        return false;
    }
    let Some(dash) = core.rfind('-') else {
        return false;
    };
    let (head, rev) = (&core[..dash], &core[dash + 1..]);
    if rev.is_empty() || !rev.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    if head.len() < 14 || !head.is_char_boundary(head.len() - 14) {
        return false;
    }
    let (prefix, ts) = head.split_at(head.len() - 14);
    if !ts.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let Some(rest) = prefix.strip_prefix('v') else {
        return false;
    };
    let n = digits(rest);
    if n == 0 {
        return false;
    }
    let Some(rest) = rest[n..].strip_prefix('.') else {
        return false;
    };
    if rest == "0.0-" {
        return true;
    }
    let n = digits(rest);
    let Some(rest) = rest[n..].strip_prefix('.').filter(|_| n > 0) else {
        return false;
    };
    let n = digits(rest);
    let Some(rest) = rest[n..].strip_prefix('-').filter(|_| n > 0) else {
        return false;
    };
    rest == "0." || rest.ends_with(".0.")
}

/// Reports whether `v` is a pseudo-version (module.IsPseudoVersion).
pub fn is_pseudo_version(v: &str) -> bool {
    v.matches('-').count() >= 2 && super::is_valid(v) && matches_pseudo_pattern(v)
}

struct PseudoParts<'a> {
    base: &'a str,
    timestamp: &'a str,
    rev: &'a str,
    build: String,
}

fn syntax_error(v: &str) -> InvalidVersionError {
    InvalidVersionError::pseudo(v, "syntax error")
}

fn parse_pseudo(v: &str) -> Result<PseudoParts<'_>, InvalidVersionError> {
    if !is_pseudo_version(v) {
        return Err(syntax_error(v));
    }
    let build = super::build(v);
    let core = &v[..v.len() - build.len()];
    let dash = core.rfind('-').ok_or_else(|| syntax_error(v))?;
    let (head, rev) = (&core[..dash], &core[dash + 1..]);
    let i = head.rfind('-').ok_or_else(|| syntax_error(v))?;
    let (base, timestamp) = match head.rfind('.') {
        Some(j) if j > i => (&head[..j], &head[j + 1..]),
        _ => (&head[..i], &head[i + 1..]),
    };
    Ok(PseudoParts {
        base,
        timestamp,
        rev,
        build,
    })
}

/// The commit time of pseudo-version `v` (module.PseudoVersionTime).
pub fn pseudo_version_time(v: &str) -> Result<PseudoTime, InvalidVersionError> {
    let p = parse_pseudo(v)?;
    PseudoTime::parse(p.timestamp).ok_or_else(|| {
        InvalidVersionError::pseudo(
            v,
            format!("malformed time {}", crate::module::go_quote(p.timestamp)),
        )
    })
}

/// The revision of pseudo-version `v` (module.PseudoVersionRev).
pub fn pseudo_version_rev(v: &str) -> Result<String, InvalidVersionError> {
    parse_pseudo(v).map(|p| p.rev.to_string())
}

/// The canonical tag that pseudo-version `v` builds on, or "" for the
/// `vX.0.0-yyyymmddhhmmss-rev` form (module.PseudoVersionBase).
pub fn pseudo_version_base(v: &str) -> Result<String, InvalidVersionError> {
    let p = parse_pseudo(v)?;
    let pre = super::prerelease(p.base);
    match pre.as_str() {
        "" => {
            // `vX.0.0-` says there is no parent tag; a build suffix would name one.
            if !p.build.is_empty() {
                return Err(InvalidVersionError::pseudo(
                    v,
                    format!(
                        "lacks base version, but has build metadata {}",
                        crate::module::go_quote(&p.build)
                    ),
                ));
            }
            Ok(String::new())
        }
        "-0" => {
            let base = &p.base[..p.base.len() - 2];
            let i = base.rfind('.').ok_or_else(|| syntax_error(v))?;
            let patch = dec_decimal(&base[i + 1..]);
            if patch.is_empty() {
                return Err(InvalidVersionError::pseudo(
                    v,
                    format!("version before {base} would have negative patch number"),
                ));
            }
            Ok(format!("{}{patch}{}", &base[..=i], p.build))
        }
        _ => {
            let base = p.base.strip_suffix(".0").ok_or_else(|| syntax_error(v))?;
            Ok(format!("{base}{}", p.build))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals() {
        for (i, o) in [
            ("0", "1"),
            ("1", "2"),
            ("99", "100"),
            ("100", "101"),
            ("109", "110"),
        ] {
            assert_eq!(inc_decimal(i), o);
        }
        for (i, o) in [
            ("", ""),
            ("0", ""),
            ("00", ""),
            ("1", "0"),
            ("2", "1"),
            ("99", "98"),
            ("100", "99"),
            ("101", "100"),
        ] {
            assert_eq!(dec_decimal(i), o, "{i}");
        }
    }

    #[test]
    fn time_is_checked_against_calendar() {
        assert!(PseudoTime::parse("20240229000000").is_some());
        assert!(PseudoTime::parse("20230229000000").is_none());
        assert!(PseudoTime::parse("19000229000000").is_none());
        assert!(PseudoTime::parse("20000229235959").is_some());
        assert!(PseudoTime::parse("20001301000000").is_none());
        assert!(PseudoTime::parse("20000100000000").is_none());
        assert!(PseudoTime::parse("20000101240000").is_none());
        assert!(PseudoTime::parse("20000101006000").is_none());
        assert!(PseudoTime::parse("20000101000060").is_none());
        let e = pseudo_version_time("v0.0.0-20231301000000-abcdef123456").unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"pseudo-version "v0.0.0-20231301000000-abcdef123456" invalid: malformed time "20231301000000""#
        );
    }

    #[test]
    fn error_wording() {
        assert_eq!(
            pseudo_version_base("v1.0.0").unwrap_err().to_string(),
            r#"pseudo-version "v1.0.0" invalid: syntax error"#
        );
        assert_eq!(
            pseudo_version_base("v1.0.0-0.20060102150405-hash")
                .unwrap_err()
                .to_string(),
            r#"pseudo-version "v1.0.0-0.20060102150405-hash" invalid: version before v1.0.0 would have negative patch number"#
        );
        assert_eq!(
            pseudo_version_base("v0.0.0-20060102150405-hash+incompatible")
                .unwrap_err()
                .to_string(),
            r#"pseudo-version "v0.0.0-20060102150405-hash+incompatible" invalid: lacks base version, but has build metadata "+incompatible""#
        );
    }

    #[test]
    fn zero() {
        assert_eq!(
            zero_pseudo_version("v2"),
            "v2.0.0-00010101000000-000000000000"
        );
        assert!(is_zero_pseudo_version("v0.0.0-00010101000000-000000000000"));
        assert!(!is_zero_pseudo_version(
            "v0.0.0-00010101000000-000000000001"
        ));
    }

    #[test]
    fn pattern_edges() {
        assert!(is_pseudo_version("v1.2.4-0.20191109021931-daa7c04131f5"));
        assert!(is_pseudo_version(
            "v1.2.3-pre.0.20191109021931-daa7c04131f5"
        ));
        assert!(is_pseudo_version(
            "v1.2.3-a.b.0.20191109021931-daa7c04131f5+x.y"
        ));
        // timestamp too short / missing ".0." / non-alnum rev
        assert!(!is_pseudo_version("v0.0.0-2019110902193-daa7c04131f5"));
        assert!(!is_pseudo_version("v1.2.3-pre.20191109021931-daa7c04131f5"));
        assert!(!is_pseudo_version("v1.2.3-1.20191109021931-daa7c04131f5"));
        assert!(!is_pseudo_version("v1.1.0-20191109021931-daa7c04131f5"));
        // the vX.0.0 form exists for every major
        assert!(is_pseudo_version("v1.0.0-20191109021931-daa7c04131f5"));
    }
}
