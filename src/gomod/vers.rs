//! The few semver / module-path rules the go.mod parser needs (semver.Canonical, Major, Build;
//! module.CanonicalVersion, SplitPathVersion, CheckPathMajor). Kept private and small so they can
//! be switched to `crate::semver` / `crate::module` once those land.

struct Parsed<'a> {
    major: &'a str,
    minor: &'a str,
    patch: &'a str,
    short: &'static str,
    prerelease: &'a str,
    build: &'a str,
}

fn num(v: &str) -> Option<(&str, &str)> {
    let n = v.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && v.as_bytes()[0] == b'0') {
        return None;
    }
    Some((&v[..n], &v[n..]))
}

fn ident_list(v: &str, numeric_check: bool) -> Option<(&str, &str)> {
    // v starts with '-' or '+'; idents are [0-9A-Za-z-]+ separated by '.'.
    let b = v.as_bytes();
    let mut i = 1;
    let mut start = 1;
    loop {
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
            i += 1;
        }
        let id = &v[start..i];
        if id.is_empty() {
            return None;
        }
        if numeric_check
            && id.len() > 1
            && id.bytes().all(|c| c.is_ascii_digit())
            && b[start] == b'0'
        {
            return None;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            start = i;
            continue;
        }
        return Some((&v[..i], &v[i..]));
    }
}

fn parse(v: &str) -> Option<Parsed<'_>> {
    let rest = v.strip_prefix('v')?;
    let (major, mut rest) = num(rest)?;
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
    rest = rest.strip_prefix('.')?;
    let (minor, r) = num(rest)?;
    p.minor = minor;
    rest = r;
    if rest.is_empty() {
        p.short = ".0";
        return Some(p);
    }
    rest = rest.strip_prefix('.')?;
    let (patch, r) = num(rest)?;
    p.patch = patch;
    rest = r;
    if rest.starts_with('-') {
        let (pre, r) = ident_list(rest, true)?;
        p.prerelease = pre;
        rest = r;
    }
    if rest.starts_with('+') {
        let (build, r) = ident_list(rest, false)?;
        p.build = build;
        rest = r;
    }
    if !rest.is_empty() {
        return None;
    }
    Some(p)
}

/// semver.Major: "v2" for "v2.1.0", "" when invalid.
pub(crate) fn major(v: &str) -> String {
    parse(v)
        .map(|p| format!("v{}", p.major))
        .unwrap_or_default()
}

fn build(v: &str) -> &str {
    parse(v).map(|p| p.build).unwrap_or("")
}

/// module.CanonicalVersion: semver.Canonical, keeping `+incompatible`. "" when invalid.
pub(crate) fn canonical_version(v: &str) -> String {
    let Some(p) = parse(v) else {
        return String::new();
    };
    let mut cv = format!("v{}.{}.{}{}", p.major, p.minor, p.patch, p.prerelease);
    let _ = p.short;
    if p.build == "+incompatible" {
        cv.push_str("+incompatible");
    }
    cv
}

/// module.SplitPathVersion: (prefix, pathMajor, ok).
pub(crate) fn split_path_version(path: &str) -> (&str, &str, bool) {
    if path.starts_with("gopkg.in/") {
        return split_gopkg_in(path);
    }
    let b = path.as_bytes();
    let mut i = b.len();
    let mut dot = false;
    while i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.') {
        if b[i - 1] == b'.' {
            dot = true;
        }
        i -= 1;
    }
    if i <= 1 || i == b.len() || b[i - 1] != b'v' || b[i - 2] != b'/' {
        return (path, "", true);
    }
    let (prefix, pm) = (&path[..i - 2], &path[i - 2..]);
    if dot || pm.len() <= 2 || pm.as_bytes()[2] == b'0' || pm == "/v1" {
        return (path, "", false);
    }
    (prefix, pm, true)
}

fn split_gopkg_in(path: &str) -> (&str, &str, bool) {
    let b = path.as_bytes();
    let mut i = b.len();
    if path.ends_with("-unstable") {
        i -= "-unstable".len();
    }
    while i > 0 && b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i <= 1 || b[i - 1] != b'v' || b[i - 2] != b'.' {
        return (path, "", false);
    }
    let (prefix, pm) = (&path[..i - 2], &path[i - 2..]);
    if pm.len() <= 2 || (pm.as_bytes()[2] == b'0' && pm != ".v0") {
        return (path, "", false);
    }
    (prefix, pm, true)
}

/// module.CheckPathMajor; the error is the InvalidVersionError message.
pub(crate) fn check_path_major(v: &str, path_major: &str) -> Result<(), String> {
    let mut pm = path_major;
    if pm.starts_with(".v") && pm.ends_with("-unstable") {
        pm = &pm[..pm.len() - "-unstable".len()];
    }
    if v.starts_with("v0.0.0-") && pm == ".v1" {
        return Ok(());
    }
    let m = major(v);
    let want: String;
    if pm.is_empty() {
        if m == "v0" || m == "v1" || build(v) == "+incompatible" {
            return Ok(());
        }
        want = "v0 or v1".into();
    } else if pm.starts_with('/') || pm.starts_with('.') {
        if m == pm[1..] {
            return Ok(());
        }
        want = pm[1..].into();
    } else {
        want = pm.into();
    }
    Err(invalid_version(v, &format!("should be {want}, not {m}")))
}

/// module.InvalidVersionError text (`pseudo-version` noun omitted: not produced here).
pub(crate) fn invalid_version(v: &str, msg: &str) -> String {
    format!("version {} invalid: {msg}", super::quote::quote(v))
}

/// modfile's checkCanonicalVersion (used by AddExclude/AddRetract): the error text.
pub fn check_canonical_version(path: &str, vers: &str) -> Result<(), String> {
    let (_, pm, pm_ok) = split_path_version(path);
    if vers.is_empty() || vers != canonical_version(vers) {
        if pm.is_empty() {
            return Err(invalid_version(vers, "must be of the form v1.2.3"));
        }
        let prefix = pm.trim_start_matches(['/', '.']);
        let prefix = prefix.trim_end_matches("-unstable");
        return Err(invalid_version(
            vers,
            &format!("must be of the form {prefix}.2.3"),
        ));
    }
    if pm_ok {
        if let Err(e) = check_path_major(vers, pm) {
            if pm.is_empty() {
                return Err(invalid_version(
                    vers,
                    &format!(
                        "should be {vers}+incompatible (or module {path}/{})",
                        major(vers)
                    ),
                ));
            }
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical() {
        assert_eq!(canonical_version("v1.2"), "v1.2.0");
        assert_eq!(canonical_version("v1"), "v1.0.0");
        assert_eq!(canonical_version("v1.2.3-pre+meta"), "v1.2.3-pre");
        assert_eq!(
            canonical_version("v2.0.0+incompatible"),
            "v2.0.0+incompatible"
        );
        assert_eq!(canonical_version("1.2.3"), "");
        assert_eq!(canonical_version("v1.2-pre"), "");
        assert_eq!(canonical_version("v01.2.3"), "");
        assert_eq!(canonical_version("v1.2.3-01"), "");
    }

    #[test]
    fn split() {
        assert_eq!(split_path_version("a.com/x/v2"), ("a.com/x", "/v2", true));
        assert_eq!(split_path_version("a.com/x/v1"), ("a.com/x/v1", "", false));
        assert_eq!(
            split_path_version("gopkg.in/yaml.v2"),
            ("gopkg.in/yaml", ".v2", true)
        );
        assert_eq!(
            split_path_version("gopkg.in/yaml"),
            ("gopkg.in/yaml", "", false)
        );
    }
}
