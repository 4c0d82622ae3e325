//! Module paths and versions as golang.org/x/mod/module checks them: CheckPath,
//! CheckImportPath, CheckFilePath, SplitPathVersion, CheckPathMajor, escaping for the
//! module cache (`!x`), MatchPrefixPatterns.

use crate::semver;
use serde::Serialize;

/// A module path at a version (`module.Version`). Version is "" for a local replacement target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ModuleVersion {
    pub path: String,
    pub version: String,
}

impl ModuleVersion {
    pub fn new(path: impl Into<String>, version: impl Into<String>) -> Self {
        ModuleVersion {
            path: path.into(),
            version: version.into(),
        }
    }
}

impl std::fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.version.is_empty() {
            f.write_str(&self.path)
        } else {
            write!(f, "{}@{}", self.path, self.version)
        }
    }
}

/// Errors worded as x/mod/module's InvalidPathError, InvalidVersionError and ModuleError.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModuleError {
    /// `malformed module path "x": missing dot in first path element`
    #[error("malformed {kind} path {path:?}: {reason}")]
    InvalidPath {
        kind: &'static str,
        path: String,
        reason: String,
    },
    /// `example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2`
    #[error("{path}@{version}: invalid version: {reason}")]
    InvalidVersion {
        path: String,
        version: String,
        reason: String,
    },
    #[error("invalid escaped module path {escaped:?}: {reason}")]
    BadEscapedPath { escaped: String, reason: String },
    #[error("invalid escaped version {escaped:?}: {reason}")]
    BadEscapedVersion { escaped: String, reason: String },
    #[error("disallowed version string {0:?}")]
    DisallowedVersion(String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Module,
    Import,
    File,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Module => "module",
            Kind::Import => "import",
            Kind::File => "file",
        }
    }
}

fn mod_path_ok(r: char) -> bool {
    r.is_ascii_alphanumeric() || matches!(r, '-' | '.' | '_' | '~')
}

fn import_path_ok(r: char) -> bool {
    mod_path_ok(r) || r == '+'
}

fn file_name_ok(r: char) -> bool {
    if r.is_ascii() {
        r.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(r)
    } else {
        r.is_alphabetic()
    }
}

const BAD_WINDOWS_NAMES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn check_elem(elem: &str, kind: Kind) -> Result<(), String> {
    if elem.is_empty() {
        return Err("empty path element".into());
    }
    if elem.bytes().all(|c| c == b'.') {
        return Err(format!("invalid path element {elem:?}"));
    }
    if elem.starts_with('.') && kind == Kind::Module {
        return Err("leading dot in path element".into());
    }
    if elem.ends_with('.') {
        return Err("trailing dot in path element".into());
    }
    for r in elem.chars() {
        let ok = match kind {
            Kind::Module => mod_path_ok(r),
            Kind::Import => import_path_ok(r),
            Kind::File => file_name_ok(r),
        };
        if !ok {
            return Err(format!("invalid char {}", go_quote_rune(r)));
        }
    }
    // Windows reserves some names whatever their extension.
    let short = elem.split('.').next().unwrap_or(elem);
    if BAD_WINDOWS_NAMES
        .iter()
        .any(|b| b.eq_ignore_ascii_case(short))
    {
        return Err(format!(
            "{short:?} disallowed as path element component on Windows"
        ));
    }
    // Names that look like Windows 8.3 short names (`PROGRA~1`) alias other files.
    if kind != Kind::File {
        if let Some(t) = short.rfind('~') {
            let suffix = &short[t + 1..];
            if !suffix.is_empty() && suffix.bytes().all(|c| c.is_ascii_digit()) {
                return Err("trailing tilde and digits in path element".into());
            }
        }
    }
    Ok(())
}

/// Go's `%q` for a rune: printable ASCII in single quotes, others escaped.
fn go_quote_rune(r: char) -> String {
    match r {
        '\'' => "'\\''".into(),
        '\\' => "'\\\\'".into(),
        '\n' => "'\\n'".into(),
        '\t' => "'\\t'".into(),
        '\r' => "'\\r'".into(),
        '\0' => "'\\x00'".into(),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
    }
}

fn check_path_kind(path: &str, kind: Kind) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty string".into());
    }
    if path.starts_with('-') && kind != Kind::File {
        return Err("leading dash".into());
    }
    if path.contains("//") {
        return Err("double slash".into());
    }
    if path.ends_with('/') {
        return Err("trailing slash".into());
    }
    for elem in path.split('/') {
        check_elem(elem, kind)?;
    }
    Ok(())
}

fn invalid_path(kind: Kind, path: &str, reason: String) -> ModuleError {
    ModuleError::InvalidPath {
        kind: kind.name(),
        path: path.to_string(),
        reason,
    }
}

/// module.CheckPath: a valid module path (first element a domain-like name with a dot).
pub fn check_path(path: &str) -> Result<(), ModuleError> {
    let err = |r: String| invalid_path(Kind::Module, path, r);
    check_path_kind(path, Kind::Module).map_err(err)?;
    let first = path.split('/').next().unwrap_or("");
    if first.is_empty() {
        return Err(err("leading slash".into()));
    }
    if !first.contains('.') {
        return Err(err("missing dot in first path element".into()));
    }
    if first.starts_with('-') {
        return Err(err("leading dash in first path element".into()));
    }
    if let Some(r) = first
        .chars()
        .find(|&r| !(r == '-' || r == '.' || r.is_ascii_digit() || r.is_ascii_lowercase()))
    {
        return Err(err(format!(
            "invalid char {} in first path element",
            go_quote_rune(r)
        )));
    }
    if split_path_version(path).is_none() {
        return Err(err("invalid version".into()));
    }
    Ok(())
}

/// module.CheckImportPath: a valid package import path.
pub fn check_import_path(path: &str) -> Result<(), ModuleError> {
    check_path_kind(path, Kind::Import).map_err(|r| invalid_path(Kind::Import, path, r))
}

/// module.CheckFilePath: a valid slash-separated file path inside a module.
pub fn check_file_path(path: &str) -> Result<(), ModuleError> {
    check_path_kind(path, Kind::File).map_err(|r| invalid_path(Kind::File, path, r))
}

/// Splits `path` into prefix and major-version suffix (`/v2`, or `.v1` for gopkg.in).
/// None when the suffix is malformed (`/v1`, `/v0`, `/v2.0`).
pub fn split_path_version(path: &str) -> Option<(&str, &str)> {
    if path.starts_with("gopkg.in/") {
        return split_gopkg_in(path);
    }
    let b = path.as_bytes();
    let mut i = b.len();
    let mut dot = false;
    while i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.') {
        dot |= b[i - 1] == b'.';
        i -= 1;
    }
    if i <= 1 || i == b.len() || b[i - 1] != b'v' || b[i - 2] != b'/' {
        return Some((path, ""));
    }
    let (prefix, major) = path.split_at(i - 2);
    if dot || major.len() <= 2 || major.as_bytes()[2] == b'0' || major == "/v1" {
        return None;
    }
    Some((prefix, major))
}

fn split_gopkg_in(path: &str) -> Option<(&str, &str)> {
    let b = path.as_bytes();
    let mut i = b.len();
    if path.ends_with("-unstable") {
        i -= "-unstable".len();
    }
    while i > 0 && b[i - 1].is_ascii_digit() {
        i -= 1;
    }
    if i <= 1 || b[i - 1] != b'v' || b[i - 2] != b'.' {
        return None;
    }
    let (prefix, major) = path.split_at(i - 2);
    if major.len() <= 2 || (major.as_bytes()[2] == b'0' && major != ".v0") {
        return None;
    }
    Some((prefix, major))
}

/// module.CheckPathMajor: whether version `v` fits the path's major suffix. The error text
/// is Go's (`should be v0 or v1, not v2`).
pub fn check_path_major(v: &str, path_major: &str) -> Result<(), String> {
    let mut pm = path_major;
    if pm.starts_with(".v") {
        pm = pm.strip_suffix("-unstable").unwrap_or(pm);
    }
    // gopkg.in .v1 paths once got v0.0.0- pseudo-versions; Go still accepts them.
    if v.starts_with("v0.0.0-") && pm == ".v1" {
        return Ok(());
    }
    let m = semver::major(v);
    let want = if pm.is_empty() {
        if m == "v0" || m == "v1" || semver::is_incompatible(v) {
            return Ok(());
        }
        "v0 or v1"
    } else {
        let want = &pm[1..];
        if m == want {
            return Ok(());
        }
        want
    };
    Err(format!("should be {want}, not {m}"))
}

/// module.MatchPathMajor.
pub fn match_path_major(v: &str, path_major: &str) -> bool {
    check_path_major(v, path_major).is_ok()
}

/// module.Check: a valid path and a semantic version that fits its major suffix.
pub fn check(path: &str, version: &str) -> Result<(), ModuleError> {
    check_path(path)?;
    let bad = |reason: String| ModuleError::InvalidVersion {
        path: path.to_string(),
        version: version.to_string(),
        reason,
    };
    if !semver::is_valid(version) {
        return Err(bad("not a semantic version".into()));
    }
    let major = split_path_version(path).map_or("", |(_, m)| m);
    check_path_major(version, major).map_err(bad)
}

fn escape_string(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c == '!' || !c.is_ascii() {
            return None;
        }
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn unescape_string(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut bang = false;
    for c in s.chars() {
        if !c.is_ascii() {
            return None;
        }
        if bang {
            bang = false;
            if !c.is_ascii_lowercase() {
                return None;
            }
            out.push(c.to_ascii_uppercase());
            continue;
        }
        if c == '!' {
            bang = true;
            continue;
        }
        if c.is_ascii_uppercase() {
            return None;
        }
        out.push(c);
    }
    (!bang).then_some(out)
}

/// module.EscapePath: the module cache's case-safe form (`Azure` -> `!azure`).
pub fn escape_path(path: &str) -> Result<String, ModuleError> {
    check_path(path)?;
    escape_string(path).ok_or_else(|| invalid_path(Kind::Module, path, "internal error".into()))
}

/// module.UnescapePath.
pub fn unescape_path(escaped: &str) -> Result<String, ModuleError> {
    let path = unescape_string(escaped).ok_or_else(|| ModuleError::BadEscapedPath {
        escaped: escaped.to_string(),
        reason: "invalid escaping".into(),
    })?;
    check_path(&path).map_err(|e| ModuleError::BadEscapedPath {
        escaped: escaped.to_string(),
        reason: e.to_string(),
    })?;
    Ok(path)
}

/// module.EscapeVersion.
pub fn escape_version(v: &str) -> Result<String, ModuleError> {
    if check_elem(v, Kind::File).is_err() || v.contains('!') {
        return Err(ModuleError::DisallowedVersion(v.to_string()));
    }
    escape_string(v).ok_or_else(|| ModuleError::DisallowedVersion(v.to_string()))
}

/// module.UnescapeVersion.
pub fn unescape_version(escaped: &str) -> Result<String, ModuleError> {
    let bad = |reason: &str| ModuleError::BadEscapedVersion {
        escaped: escaped.to_string(),
        reason: reason.to_string(),
    };
    let v = unescape_string(escaped).ok_or_else(|| bad("invalid escaping"))?;
    check_elem(&v, Kind::File).map_err(|r| bad(&r))?;
    Ok(v)
}

/// module.MatchPrefixPatterns: whether any comma-separated glob (path.Match syntax) matches
/// a prefix of `target` with as many path elements as the glob (GOPRIVATE semantics).
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    for glob in globs.split(',') {
        let glob = glob.strip_suffix('/').unwrap_or(glob);
        if glob.is_empty() {
            continue;
        }
        let mut n = glob.matches('/').count();
        let mut prefix = target;
        for (i, c) in target.bytes().enumerate() {
            if c == b'/' {
                if n == 0 {
                    prefix = &target[..i];
                    break;
                }
                n -= 1;
            }
        }
        if n > 0 {
            continue;
        }
        if path_match(glob, prefix) == Some(true) {
            return true;
        }
    }
    false
}

/// Go's `path.Match`: `*` (not across `/`), `?`, `[...]` classes with ranges and `^`
/// negation, `\` escapes. None for a malformed pattern.
pub fn path_match(pattern: &str, name: &str) -> Option<bool> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> Option<bool> {
    if p.is_empty() {
        return Some(n.is_empty());
    }
    match p[0] {
        '*' => {
            // Validate the rest of the pattern even when a shorter match succeeds.
            let rest = &p[1..];
            let mut result = false;
            for k in 0..=n.len() {
                if k > 0 && n[k - 1] == '/' {
                    break;
                }
                if match_from(rest, &n[k..])? {
                    result = true;
                    break;
                }
            }
            if !result {
                check_pattern(rest)?;
            }
            Some(result)
        }
        '?' => {
            if n.is_empty() || n[0] == '/' {
                check_pattern(&p[1..])?;
                return Some(false);
            }
            match_from(&p[1..], &n[1..])
        }
        '[' => {
            let (matched, used) = match_class(&p[1..], n.first().copied())?;
            if n.is_empty() || n[0] == '/' || !matched {
                check_pattern(&p[1 + used..])?;
                return Some(false);
            }
            match_from(&p[1 + used..], &n[1..])
        }
        '\\' => {
            let c = *p.get(1)?;
            if n.first() != Some(&c) {
                check_pattern(&p[2..])?;
                return Some(false);
            }
            match_from(&p[2..], &n[1..])
        }
        c => {
            if n.first() != Some(&c) {
                check_pattern(&p[1..])?;
                return Some(false);
            }
            match_from(&p[1..], &n[1..])
        }
    }
}

/// Parses a class body after `[`; returns whether `c` matches and how many pattern chars
/// were consumed (including the closing `]`).
fn match_class(p: &[char], c: Option<char>) -> Option<(bool, usize)> {
    let mut i = 0;
    let negated = p.first() == Some(&'^');
    if negated {
        i += 1;
    }
    let mut matched = false;
    let mut nrange = 0;
    loop {
        if i < p.len() && p[i] == ']' && nrange > 0 {
            i += 1;
            break;
        }
        let (lo, k) = class_char(&p[i..])?;
        i += k;
        let mut hi = lo;
        if p.get(i) == Some(&'-') {
            let (h, k) = class_char(&p[i + 1..])?;
            hi = h;
            i += 1 + k;
        }
        if let Some(c) = c {
            if lo <= c && c <= hi {
                matched = true;
            }
        }
        nrange += 1;
    }
    Some((matched != negated, i))
}

fn class_char(p: &[char]) -> Option<(char, usize)> {
    match p.first()? {
        '-' | ']' => None,
        '\\' => Some((*p.get(1)?, 2)),
        &c => Some((c, 1)),
    }
}

/// Reports whether the rest of a pattern is well formed (Go returns ErrBadPattern for a
/// malformed pattern even when the name already failed to match).
fn check_pattern(p: &[char]) -> Option<()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                p.get(i + 1)?;
                i += 2;
            }
            '[' => {
                let (_, used) = match_class(&p[i + 1..], None)?;
                i += 1 + used;
            }
            _ => i += 1,
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_escaping() {
        assert_eq!(
            check_path("rsc/quote").unwrap_err().to_string(),
            "malformed module path \"rsc/quote\": missing dot in first path element"
        );
        assert!(check_path("gopkg.in/yaml.v3").is_ok());
        assert_eq!(
            split_path_version("example.com/m/v2"),
            Some(("example.com/m", "/v2"))
        );
        assert_eq!(split_path_version("example.com/m/v1"), None);
        assert_eq!(
            escape_path("github.com/Azure/azure-sdk").unwrap(),
            "github.com/!azure/azure-sdk"
        );
        assert_eq!(
            check("example.com/m", "v2.0.0").unwrap_err().to_string(),
            "example.com/m@v2.0.0: invalid version: should be v0 or v1, not v2"
        );
        assert!(check("example.com/m", "v2.0.0+incompatible").is_ok());
        assert!(match_prefix_patterns(
            "*.corp.com,rsc.io/private",
            "rsc.io/private/x"
        ));
        assert!(!match_prefix_patterns(
            "rsc.io/private/x/y",
            "rsc.io/private/x"
        ));
    }
}
