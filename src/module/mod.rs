//! Module paths and versions as golang.org/x/mod/module checks them: CheckPath,
//! CheckImportPath, CheckFilePath, SplitPathVersion, CheckPathMajor, escaping for the
//! module cache (`!x`), MatchPrefixPatterns.

use crate::semver;

mod glob;
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
    #[error("malformed {kind} path {}: {reason}", go_quote(path))]
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
    /// `invalid escaped module path "x"` (bad escaping: reason "") or
    /// `invalid escaped module path "x": <why the unescaped path is invalid>`.
    #[error("{}", escaped_error("module path", escaped, reason))]
    BadEscapedPath { escaped: String, reason: String },
    /// As BadEscapedPath; like Go, a check failure names the unescaped version.
    #[error("{}", escaped_error("version", escaped, reason))]
    BadEscapedVersion { escaped: String, reason: String },
    /// `version "v1!" invalid: disallowed version string`
    #[error("version {} invalid: disallowed version string", go_quote(.0))]
    DisallowedVersion(String),
    /// `internal error: inconsistency in EscapePath` (non-ASCII that passed the checks).
    #[error("internal error: inconsistency in EscapePath")]
    EscapeInconsistency,
}

fn escaped_error(what: &str, escaped: &str, reason: &str) -> String {
    if reason.is_empty() {
        format!("invalid escaped {what} {}", go_quote(escaped))
    } else {
        format!("invalid escaped {what} {}: {reason}", go_quote(escaped))
    }
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
        is_unicode_letter(r)
    }
}

/// Go's unicode.IsLetter (general category L), derived from XID_Start, which is
/// L + Nl + Other_ID_Start minus the few letters NFKC closure and Pattern_Syntax
/// drop: take out the numbers (Nl) and Other_ID_Start, add back those letters.
/// Swept against Go 1.26 over all code points: equal except letters assigned after
/// Unicode 15.0 (Go's tables), which unicode-ident (Unicode 18) knows.
pub(crate) fn is_unicode_letter(c: char) -> bool {
    const NFKC_DROPPED_LETTERS: &[char] = &[
        '\u{37a}', '\u{e33}', '\u{eb3}', '\u{fc5e}', '\u{fc5f}', '\u{fc60}', '\u{fc61}',
        '\u{fc62}', '\u{fc63}', '\u{fdfa}', '\u{fdfb}', '\u{fe70}', '\u{fe72}', '\u{fe74}',
        '\u{fe76}', '\u{fe78}', '\u{fe7a}', '\u{fe7c}', '\u{fe7e}', '\u{ff9e}', '\u{ff9f}',
        // Lm but Pattern_Syntax, so not XID_Start.
        '\u{2e2f}',
    ];
    const OTHER_ID_START: &[char] = &[
        '\u{1885}', '\u{1886}', '\u{2118}', '\u{212e}', '\u{309b}', '\u{309c}',
    ];
    if NFKC_DROPPED_LETTERS.contains(&c) {
        return true;
    }
    unicode_ident::is_xid_start(c) && !c.is_numeric() && !OTHER_ID_START.contains(&c)
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
        return Err(format!("invalid path element {}", go_quote(elem)));
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
            "{} disallowed as path element component on Windows",
            go_quote(short)
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

/// Go's unicode.IsPrint (letters, marks, numbers, punctuation, symbols and ASCII space),
/// with what std offers: controls and non-ASCII spaces are not printable, nor are format
/// characters (Cf), private-use code points and noncharacters.
pub(crate) fn is_go_print(r: char) -> bool {
    if r == ' ' {
        return true;
    }
    if r.is_control() || r.is_whitespace() {
        return false;
    }
    let c = r as u32;
    let format = matches!(c, 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x1D173..=0x1D17A | 0xE0001..=0xE007F);
    let private = matches!(c, 0xE000..=0xF8FF | 0xF0000..=0x10FFFF);
    let nonchar = (c & 0xFFFE) == 0xFFFE || (0xFDD0..=0xFDEF).contains(&c);
    !(format || private || nonchar)
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
    } else if let Some(want) = pm.strip_prefix(['/', '.']) {
        if m == want {
            return Ok(());
        }
        want
    } else {
        // Not a path-major suffix at all: Go names it as given.
        pm
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
    escape_string(path).ok_or(ModuleError::EscapeInconsistency)
}

/// module.UnescapePath.
pub fn unescape_path(escaped: &str) -> Result<String, ModuleError> {
    let path = unescape_string(escaped).ok_or_else(|| ModuleError::BadEscapedPath {
        escaped: escaped.to_string(),
        reason: String::new(),
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
    escape_string(v).ok_or(ModuleError::EscapeInconsistency)
}

/// module.UnescapeVersion.
pub fn unescape_version(escaped: &str) -> Result<String, ModuleError> {
    let v = unescape_string(escaped).ok_or_else(|| ModuleError::BadEscapedVersion {
        escaped: escaped.to_string(),
        reason: String::new(),
    })?;
    check_elem(&v, Kind::File).map_err(|r| ModuleError::BadEscapedVersion {
        escaped: v.clone(),
        reason: r,
    })?;
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
    glob::path_match(pattern, name).ok()
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

    #[test]
    fn go_quoting_in_errors() {
        let e = |r: Result<(), ModuleError>| r.unwrap_err().to_string();
        assert_eq!(
            e(check_file_path("a/\u{1}")),
            r#"malformed file path "a/\x01": invalid char '\x01'"#
        );
        assert_eq!(
            e(check_file_path("a/\u{a0}")),
            r#"malformed file path "a/\u00a0": invalid char '\u00a0'"#
        );
        assert_eq!(
            e(check_path("x.y/é")),
            r#"malformed module path "x.y/é": invalid char 'é'"#
        );
        assert_eq!(
            go_quote("a\"b\\\n\u{7f}😀\u{feff}"),
            r#""a\"b\\\n\x7f😀\ufeff""#
        );
        assert_eq!(go_quote_rune('\''), r"'\''");
        assert_eq!(go_quote_rune('"'), "'\"'");
    }

    #[test]
    fn escaping_error_wording() {
        let e = |r: Result<String, ModuleError>| r.unwrap_err().to_string();
        assert_eq!(
            check_path_major("v1.0.0", "ዂ").unwrap_err(),
            "should be ዂ, not v1"
        );
        assert_eq!(
            e(escape_version("v1!")),
            r#"version "v1!" invalid: disallowed version string"#
        );
        assert_eq!(
            e(escape_version("vé")),
            "internal error: inconsistency in EscapePath"
        );
        assert_eq!(
            e(unescape_path("github.com/!!x")),
            r#"invalid escaped module path "github.com/!!x""#
        );
        assert_eq!(
            e(unescape_path("x")),
            r#"invalid escaped module path "x": malformed module path "x": missing dot in first path element"#
        );
        // Go names the unescaped version when it fails the file-name check.
        assert_eq!(
            e(unescape_version("!c!o!n")),
            r#"invalid escaped version "CON": "CON" disallowed as path element component on Windows"#
        );
    }

    #[test]
    fn file_names_take_unicode_letters_only() {
        for c in ['é', 'Ω', '中', 'ǅ', 'ʰ', '\u{2e2f}', '\u{e33}'] {
            assert!(file_name_ok(c), "{c:?} is a letter");
        }
        // combining mark, spacing mark, circled letter (So), letter number (Nl), Other_ID_Start
        for c in [
            '\u{345}', '\u{93f}', 'Ⓐ', 'Ⅳ', '\u{1885}', '℘', '☺', '\u{a0}',
        ] {
            assert!(!file_name_ok(c), "{c:?} is not a letter");
        }
    }
}
