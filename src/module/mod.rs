//! Module paths and versions as golang.org/x/mod/module checks them: CheckPath,
//! CheckImportPath, CheckFilePath, SplitPathVersion, MatchPathMajor, escaping for the
//! module cache (`!x`), MatchPrefixPatterns. Error texts are Go's.
//!
//! Paths are `&str`. Go also sees non-UTF-8 byte strings; the `*_bytes` variants
//! take `&[u8]` and reject invalid UTF-8 with Go's `invalid UTF-8` error, so callers
//! holding raw bytes (a go.mod read from disk) get Go's verdict.

mod glob;

pub use crate::semver::pseudo::{
    is_pseudo_version, pseudo_version, pseudo_version_base, pseudo_version_rev,
    pseudo_version_time, PseudoTime,
};
pub use glob::{path_match, BadPattern};

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

/// Go's `strconv.Quote` of a string: printable characters kept, the rest escaped.
pub fn go_quote(s: &str) -> String {
    go_quote_bytes(s.as_bytes())
}

/// Go's `strconv.Quote` of a byte string: invalid UTF-8 bytes become `\xNN`.
pub fn go_quote_bytes(b: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in b.utf8_chunks() {
        for c in chunk.valid().chars() {
            push_escaped(&mut out, c, '"');
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.QuoteRune` (what `%q` prints for a rune).
pub fn go_quote_rune(c: char) -> String {
    let mut out = String::from("'");
    push_escaped(&mut out, c, '\'');
    out.push('\'');
    out
}

/// Approximates Go's unicode.IsPrint (letters, marks, numbers, punctuation,
/// symbols and ASCII space) with what std offers: controls, non-ASCII spaces and
/// the common format characters are not printable.
fn is_go_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'))
}

fn push_escaped(out: &mut String, c: char, quote: char) {
    match c {
        _ if c == quote || c == '\\' => {
            out.push('\\');
            out.push(c);
        }
        _ if is_go_print(c) => out.push(c),
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
        _ if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        _ => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Which rule set a path is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    Module,
    Import,
    File,
}

impl std::fmt::Display for PathKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PathKind::Module => "module",
            PathKind::Import => "import",
            PathKind::File => "file",
        })
    }
}

/// module.InvalidPathError: `malformed module path "x": missing dot in first path element`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed {kind} path {}: {reason}", go_quote_bytes(path))]
pub struct InvalidPathError {
    pub kind: PathKind,
    /// The path as given (bytes: it may be invalid UTF-8).
    pub path: Vec<u8>,
    pub reason: String,
}

/// module.InvalidVersionError: `version "x" invalid: not a semantic version`,
/// or `pseudo-version "x" invalid: ...`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} {} invalid: {reason}", self.noun(), go_quote(version))]
pub struct InvalidVersionError {
    pub version: String,
    pub pseudo: bool,
    pub reason: String,
}

impl InvalidVersionError {
    pub fn new(version: &str, reason: impl Into<String>) -> Self {
        InvalidVersionError {
            version: version.to_string(),
            pseudo: false,
            reason: reason.into(),
        }
    }

    pub fn pseudo(version: &str, reason: impl Into<String>) -> Self {
        InvalidVersionError {
            version: version.to_string(),
            pseudo: true,
            reason: reason.into(),
        }
    }

    fn noun(&self) -> &'static str {
        if self.pseudo {
            "pseudo-version"
        } else {
            "version"
        }
    }
}

/// Errors of module path/version checks, each printing as Go's does.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModuleError {
    #[error(transparent)]
    Path(#[from] InvalidPathError),
    #[error(transparent)]
    Version(#[from] InvalidVersionError),
    /// module.ModuleError wrapping a version error for a module path.
    #[error("{}", module_error_text(path, version, source))]
    Module {
        path: String,
        version: String,
        source: Box<ModuleError>,
    },
    /// Errors Go builds with fmt.Errorf (escaping, unescaping).
    #[error("{0}")]
    Other(String),
}

fn module_error_text(path: &str, version: &str, err: &ModuleError) -> String {
    match err {
        ModuleError::Version(v) => {
            format!("{path}@{}: invalid {}: {}", v.version, v.noun(), v.reason)
        }
        _ if !version.is_empty() => format!("{path}@{version}: {err}"),
        _ => format!("module {path}: {err}"),
    }
}

/// module.Check: `path` is a valid module path, `version` a valid semantic version,
/// and the version's major matches the path's `/vN` (or gopkg.in `.vN`) suffix.
pub fn check(path: &str, version: &str) -> Result<(), ModuleError> {
    check_path(path)?;
    let wrap = |e: InvalidVersionError| ModuleError::Module {
        path: path.to_string(),
        version: String::new(),
        source: Box::new(ModuleError::Version(e)),
    };
    if !crate::semver::is_valid(version) {
        return Err(wrap(InvalidVersionError::new(
            version,
            "not a semantic version",
        )));
    }
    let (_, path_major, _) = split_path_version(path);
    check_path_major(version, path_major).map_err(wrap)
}

/// A character of the first path element (a lower-case LDH domain name).
fn first_path_ok(c: char) -> bool {
    c == '-' || c == '.' || c.is_ascii_digit() || c.is_ascii_lowercase()
}

/// A character of a module path element: ASCII letters, digits and `- . _ ~`.
fn mod_path_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')
}

/// Import paths also allow `+` (`c++` style binary names).
fn import_path_ok(c: char) -> bool {
    mod_path_ok(c) || c == '+'
}

/// File names allow more ASCII punctuation and space, and Unicode letters.
/// Go uses unicode.IsLetter (category L); std has no category table, so this
/// uses `is_alphabetic() && !is_numeric()`, which also admits the few
/// Other_Alphabetic marks and symbols (e.g. combining U+0345, circled Ⓐ).
fn file_name_ok(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || "!#$%&()+,-.=@[]^_{}~ ".contains(c);
    }
    c.is_alphabetic() && !c.is_numeric()
}

const BAD_WINDOWS_NAMES: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

fn check_elem(elem: &str, kind: PathKind) -> Result<(), String> {
    if elem.is_empty() {
        return Err("empty path element".into());
    }
    if elem.bytes().all(|c| c == b'.') {
        return Err(format!("invalid path element {}", go_quote(elem)));
    }
    if elem.starts_with('.') && kind == PathKind::Module {
        return Err("leading dot in path element".into());
    }
    if elem.ends_with('.') {
        return Err("trailing dot in path element".into());
    }
    for c in elem.chars() {
        let ok = match kind {
            PathKind::Module => mod_path_ok(c),
            PathKind::Import => import_path_ok(c),
            PathKind::File => file_name_ok(c),
        };
        if !ok {
            return Err(format!("invalid char {}", go_quote_rune(c)));
        }
    }
    // Windows reserves these names whatever the extension; they are ASCII, so an
    // ASCII case fold is Go's strings.EqualFold here.
    let short = elem.split('.').next().unwrap_or(elem);
    if BAD_WINDOWS_NAMES
        .iter()
        .any(|b| b.eq_ignore_ascii_case(short))
    {
        return Err(format!(
            "{} disallowed as path element component on Windows",
            go_quote(short)
        ));
    }
    if kind == PathKind::File {
        return Ok(());
    }
    // `NAME~1` looks like a Windows short name.
    if let Some(t) = short.rfind('~') {
        if t < short.len() - 1 && short[t + 1..].bytes().all(|c| c.is_ascii_digit()) {
            return Err("trailing tilde and digits in path element".into());
        }
    }
    Ok(())
}

fn check_general(path: &str, kind: PathKind) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty string".into());
    }
    if path.starts_with('-') && kind != PathKind::File {
        return Err("leading dash".into());
    }
    if path.contains("//") {
        return Err("double slash".into());
    }
    if path.ends_with('/') {
        return Err("trailing slash".into());
    }
    path.split('/').try_for_each(|e| check_elem(e, kind))
}

fn module_path_rules(path: &str) -> Result<(), String> {
    check_general(path, PathKind::Module)?;
    let first = path.split('/').next().unwrap_or("");
    if first.is_empty() {
        return Err("leading slash".into());
    }
    if !first.contains('.') {
        return Err("missing dot in first path element".into());
    }
    if path.starts_with('-') {
        return Err("leading dash in first path element".into());
    }
    if let Some(c) = first.chars().find(|&c| !first_path_ok(c)) {
        return Err(format!(
            "invalid char {} in first path element",
            go_quote_rune(c)
        ));
    }
    if !split_path_version(path).2 {
        return Err("invalid version".into());
    }
    Ok(())
}

fn check_bytes(path: &[u8], kind: PathKind) -> Result<(), InvalidPathError> {
    let err = |reason: String| InvalidPathError {
        kind,
        path: path.to_vec(),
        reason,
    };
    let s = std::str::from_utf8(path).map_err(|_| err("invalid UTF-8".into()))?;
    match kind {
        PathKind::Module => module_path_rules(s),
        _ => check_general(s, kind),
    }
    .map_err(err)
}

/// module.CheckPath: a valid import path whose first element is a lower-case
/// domain with a dot, no element starting with a dot, and a well-formed `/vN`.
pub fn check_path(path: &str) -> Result<(), InvalidPathError> {
    check_bytes(path.as_bytes(), PathKind::Module)
}

/// module.CheckImportPath.
pub fn check_import_path(path: &str) -> Result<(), InvalidPathError> {
    check_bytes(path.as_bytes(), PathKind::Import)
}

/// module.CheckFilePath (slash-separated; more punctuation and Unicode letters).
pub fn check_file_path(path: &str) -> Result<(), InvalidPathError> {
    check_bytes(path.as_bytes(), PathKind::File)
}

/// `check_path` for raw bytes: invalid UTF-8 is `malformed module path "...": invalid UTF-8`.
pub fn check_path_bytes(path: &[u8]) -> Result<(), InvalidPathError> {
    check_bytes(path, PathKind::Module)
}

/// `check_import_path` for raw bytes.
pub fn check_import_path_bytes(path: &[u8]) -> Result<(), InvalidPathError> {
    check_bytes(path, PathKind::Import)
}

/// `check_file_path` for raw bytes.
pub fn check_file_path_bytes(path: &[u8]) -> Result<(), InvalidPathError> {
    check_bytes(path, PathKind::File)
}

/// module.SplitPathVersion: (prefix, pathMajor, ok) with prefix + pathMajor == path,
/// pathMajor "" or `/vN` (N >= 2, no leading zero, no dots); gopkg.in paths use
/// `.vN` (any N, `-unstable` allowed). ok is false for `/v1`, `/v0`, `/v2.0` and the like.
pub fn split_path_version(path: &str) -> (&str, &str, bool) {
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
        return (path, "", true);
    }
    let (prefix, major) = path.split_at(i - 2);
    let mb = major.as_bytes();
    if dot || mb.len() <= 2 || mb[2] == b'0' || major == "/v1" {
        return (path, "", false);
    }
    (prefix, major, true)
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
        // Every gopkg.in path ends in .vN.
        return (path, "", false);
    }
    let (prefix, major) = path.split_at(i - 2);
    let mb = major.as_bytes();
    if mb.len() <= 2 || (mb[2] == b'0' && major != ".v0") {
        return (path, "", false);
    }
    (prefix, major, true)
}

/// module.MatchPathMajor: `check_path_major(v, path_major).is_ok()`.
pub fn match_path_major(v: &str, path_major: &str) -> bool {
    check_path_major(v, path_major).is_ok()
}

/// module.CheckPathMajor: whether version `v` may be used with a path whose major
/// suffix is `path_major` ("", `/v2`, `.v1`, `.v1-unstable`).
pub fn check_path_major(v: &str, path_major: &str) -> Result<(), InvalidVersionError> {
    let mut pm = path_major;
    if pm.starts_with(".v") {
        pm = pm.strip_suffix("-unstable").unwrap_or(pm);
    }
    // Old go versions made v0.0.0- pseudo-versions for gopkg.in .v1 paths; still accepted.
    if v.starts_with("v0.0.0-") && pm == ".v1" {
        return Ok(());
    }
    let m = crate::semver::major(v);
    let want = if pm.is_empty() {
        if m == "v0" || m == "v1" || crate::semver::build(v) == "+incompatible" {
            return Ok(());
        }
        "v0 or v1"
    } else if pm.starts_with(['/', '.']) {
        if m == pm[1..] {
            return Ok(());
        }
        &pm[1..]
    } else {
        pm
    };
    Err(InvalidVersionError::new(
        v,
        format!("should be {want}, not {m}"),
    ))
}

/// module.PathMajorPrefix: `v2` of `/v2`, `v1` of `.v1-unstable`, "" of "".
/// None for a malformed suffix (Go panics there).
pub fn path_major_prefix(path_major: &str) -> Option<String> {
    if path_major.is_empty() {
        return Some(String::new());
    }
    if !path_major.starts_with(['/', '.']) {
        return None;
    }
    let mut pm = path_major;
    if pm.starts_with(".v") {
        pm = pm.strip_suffix("-unstable").unwrap_or(pm);
    }
    let m = &pm[1..];
    (crate::semver::major(m) == m).then(|| m.to_string())
}

/// module.CanonicalVersion: semver canonical form, keeping `+incompatible`.
pub fn canonical_version(v: &str) -> String {
    let mut cv = crate::semver::canonical(v);
    if crate::semver::build(v) == "+incompatible" {
        cv.push_str("+incompatible");
    }
    cv
}

fn escape_string(s: &str) -> Result<String, ModuleError> {
    if s.chars().any(|c| c == '!' || !c.is_ascii()) {
        return Err(ModuleError::Other(
            "internal error: inconsistency in EscapePath".into(),
        ));
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('!');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

/// module.EscapePath: the module cache / proxy form, each upper-case letter `X`
/// written `!x` (`github.com/Azure/x` -> `github.com/!azure/x`). The path must be valid.
pub fn escape_path(path: &str) -> Result<String, ModuleError> {
    check_path(path)?;
    escape_string(path)
}

/// module.EscapeVersion: versions need only be valid file names without `!`.
pub fn escape_version(v: &str) -> Result<String, ModuleError> {
    if check_elem(v, PathKind::File).is_err() || v.contains('!') {
        return Err(InvalidVersionError::new(v, "disallowed version string").into());
    }
    escape_string(v)
}

fn unescape_string(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut bang = false;
    for c in escaped.chars() {
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

/// module.UnescapePath: inverse of `escape_path`; fails on a malformed escape
/// (upper case, `!` not before a lower-case letter) or an invalid result.
pub fn unescape_path(escaped: &str) -> Result<String, ModuleError> {
    let q = go_quote(escaped);
    let path = unescape_string(escaped)
        .ok_or_else(|| ModuleError::Other(format!("invalid escaped module path {q}")))?;
    check_path(&path)
        .map_err(|e| ModuleError::Other(format!("invalid escaped module path {q}: {e}")))?;
    Ok(path)
}

/// module.UnescapeVersion.
pub fn unescape_version(escaped: &str) -> Result<String, ModuleError> {
    let v = unescape_string(escaped).ok_or_else(|| {
        ModuleError::Other(format!("invalid escaped version {}", go_quote(escaped)))
    })?;
    check_elem(&v, PathKind::File).map_err(|e| {
        ModuleError::Other(format!("invalid escaped version {}: {e}", go_quote(&v)))
    })?;
    Ok(v)
}

/// module.MatchPrefixPatterns: whether some path prefix of `target` matches one
/// of the comma-separated `path.Match` globs (GOPRIVATE, GONOSUMDB, ...). Empty
/// and malformed patterns are ignored; a trailing slash on a pattern is ignored.
pub fn match_prefix_patterns(globs: &str, target: &str) -> bool {
    for glob in globs.split(',') {
        let glob = glob.strip_suffix('/').unwrap_or(glob);
        if glob.is_empty() {
            continue;
        }
        // A glob of N+1 elements is matched against the first N+1 elements of target.
        let mut n = glob.matches('/').count();
        let mut prefix = target;
        for (i, b) in target.bytes().enumerate() {
            if b == b'/' {
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
        if path_match(glob, prefix) == Ok(true) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_error_wording() {
        let e = |p: &str| check_path(p).unwrap_err().to_string();
        assert_eq!(
            e("x"),
            r#"malformed module path "x": missing dot in first path element"#
        );
        assert_eq!(
            e("/x.y"),
            r#"malformed module path "/x.y": empty path element"#
        );
        assert_eq!(
            e("X.y/z"),
            r#"malformed module path "X.y/z": invalid char 'X' in first path element"#
        );
        assert_eq!(
            e("x.y/z/v1"),
            r#"malformed module path "x.y/z/v1": invalid version"#
        );
        assert_eq!(
            e("x.y/.z"),
            r#"malformed module path "x.y/.z": leading dot in path element"#
        );
        assert_eq!(
            e("x.y/com1"),
            r#"malformed module path "x.y/com1": "com1" disallowed as path element component on Windows"#
        );
        assert_eq!(
            e("x.y/z~1"),
            r#"malformed module path "x.y/z~1": trailing tilde and digits in path element"#
        );
        assert_eq!(
            e("x.y/.."),
            r#"malformed module path "x.y/..": invalid path element "..""#
        );
        assert_eq!(
            check_path_bytes(b"x.y/\xffz").unwrap_err().to_string(),
            r#"malformed module path "x.y/\xffz": invalid UTF-8"#
        );
        assert_eq!(
            check_import_path("x.y/a b").unwrap_err().to_string(),
            r#"malformed import path "x.y/a b": invalid char ' '"#
        );
        assert_eq!(
            check_file_path("a/\u{1}").unwrap_err().to_string(),
            r#"malformed file path "a/\x01": invalid char '\x01'"#
        );
        assert_eq!(
            check("rsc.io/quote", "v2.0.0").unwrap_err().to_string(),
            "rsc.io/quote@v2.0.0: invalid version: should be v0 or v1, not v2"
        );
        assert_eq!(
            check("rsc.io/quote/v2", "v1.0.0").unwrap_err().to_string(),
            "rsc.io/quote/v2@v1.0.0: invalid version: should be v2, not v1"
        );
        assert_eq!(
            check("rsc.io/quote", "1.0.0").unwrap_err().to_string(),
            "rsc.io/quote@1.0.0: invalid version: not a semantic version"
        );
        assert_eq!(
            escape_version("v1!").unwrap_err().to_string(),
            r#"version "v1!" invalid: disallowed version string"#
        );
        assert_eq!(
            unescape_path("github.com/!!x").unwrap_err().to_string(),
            r#"invalid escaped module path "github.com/!!x""#
        );
        assert_eq!(
            unescape_path("x").unwrap_err().to_string(),
            r#"invalid escaped module path "x": malformed module path "x": missing dot in first path element"#
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(
            go_quote("a\"b\\c\n\u{7f}é\u{a0}\u{1F600}"),
            r#""a\"b\\c\n\x7fé\u00a0😀""#
        );
        assert_eq!(go_quote_rune('\''), r"'\''");
        assert_eq!(go_quote_rune('"'), "'\"'");
        assert_eq!(go_quote_bytes(b"a\xff"), r#""a\xff""#);
    }

    #[test]
    fn versions_escape() {
        assert_eq!(escape_version("v1.0.0-RC1").unwrap(), "v1.0.0-!r!c1");
        assert_eq!(unescape_version("v1.0.0-!r!c1").unwrap(), "v1.0.0-RC1");
        assert!(unescape_version("v1.0.0-RC1").is_err());
        assert_eq!(canonical_version("v2.0+incompatible"), "");
        assert_eq!(
            canonical_version("v2.0.0+incompatible"),
            "v2.0.0+incompatible"
        );
        assert_eq!(path_major_prefix(".v1-unstable").as_deref(), Some("v1"));
        assert_eq!(path_major_prefix("/v2").as_deref(), Some("v2"));
        assert_eq!(path_major_prefix("v2"), None);
    }
}
