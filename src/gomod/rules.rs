//! From syntax to the typed AST: the directive rules of modfile.parseToFile / ParseWork,
//! with Go's error wording. As modfile.Parse(file, data, nil): versions must be canonical,
//! retract versions are kept as written.

use super::ast::*;
use super::quote::{auto_quote, quote, unquote};
use super::syntax::{parse_syntax, Comments, Line, Position, Stmt};
use super::vers::{canonical_version, check_path_major, invalid_version, split_path_version};
use super::{ParseError, ParseErrors};
use crate::module::ModuleVersion;
use crate::span::Span;

pub(crate) fn error_at(
    file: &str,
    pos: Position,
    context: Option<String>,
    message: String,
) -> ParseError {
    ParseError {
        file: file.to_string(),
        span: Span::new(pos.byte, pos.byte),
        line: pos.line,
        col: pos.col,
        context,
        message,
    }
}

/// An error inside a directive: optional `verb path` context plus message.
struct DirErr {
    context: Option<String>,
    message: String,
}

impl DirErr {
    fn msg(m: impl Into<String>) -> Self {
        DirErr {
            context: None,
            message: m.into(),
        }
    }
    fn with(verb: &str, path: &str, m: impl Into<String>) -> Self {
        let context = if !path.is_empty() {
            Some(format!("{verb} {path}"))
        } else if !verb.is_empty() {
            Some(verb.to_string())
        } else {
            None
        };
        DirErr {
            context,
            message: m.into(),
        }
    }
}

fn span(line: &Line) -> Span {
    Span::new(line.start.byte, line.end.byte)
}

/// modfile parseString: unquotes `"..."`, rejects other quotes, rewrites the token AutoQuoted.
fn parse_string(tok: &mut String) -> Result<String, String> {
    let t = if tok.starts_with('"') {
        unquote(tok).map_err(|_| "invalid syntax".to_string())?
    } else if tok.contains(['"', '\'', '`']) {
        return Err("unquoted string cannot contain quote".into());
    } else {
        tok.clone()
    };
    *tok = auto_quote(&t);
    Ok(t)
}

/// modfile parseVersion with a nil fixer (canonical versions only), or with `keep` (retract's
/// dontFixRetract: any string).
fn parse_version(verb: &str, path: &str, tok: &mut String, keep: bool) -> Result<String, DirErr> {
    let raw = tok.clone();
    let t = parse_string(tok).map_err(|e| DirErr::with(verb, path, invalid_version(&raw, &e)))?;
    let t = if keep {
        t
    } else {
        let cv = canonical_version(&t);
        if cv.is_empty() {
            return Err(DirErr::with(
                verb,
                path,
                invalid_version(&t, "must be of the form v1.2.3"),
            ));
        }
        cv
    };
    *tok = t.clone();
    Ok(t)
}

fn module_path_major(path: &str) -> Result<String, String> {
    let (_, major, ok) = split_path_version(path);
    if ok {
        Ok(major.to_string())
    } else {
        Err("invalid module path".into())
    }
}

/// GoVersionRE: `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`.
pub(crate) fn go_version_ok(s: &str) -> bool {
    fn number(s: &str) -> Option<&str> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || (n > 1 && s.starts_with('0')) {
            None
        } else {
            Some(&s[n..])
        }
    }
    fn suffix_ok(s: &str) -> bool {
        let l = s.bytes().take_while(u8::is_ascii_lowercase).count();
        let rest = &s[l..];
        s.is_empty() || (l > 0 && !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
    }
    if s.starts_with('0') {
        return false;
    }
    let Some(r) = number(s) else { return false };
    let Some(r) = r.strip_prefix('.') else {
        return false;
    };
    let Some(r) = number(r) else { return false };
    if let Some(p) = r.strip_prefix('.') {
        if let Some(r2) = number(p) {
            if suffix_ok(r2) {
                return true;
            }
        }
    }
    suffix_ok(r)
}

/// laxGoVersionRE `^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$`: the `X.Y` it keeps.
fn lax_go_version(s: &str) -> Option<String> {
    let t = s.strip_prefix('v').unwrap_or(s);
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || t.starts_with('0') {
        return None;
    }
    let r = t[n..].strip_prefix('.')?;
    let m = r.bytes().take_while(u8::is_ascii_digit).count();
    if m == 0 || (m > 1 && r.starts_with('0')) {
        // "0" then more digits: the `0` alternative is followed by a digit, no match.
        return None;
    }
    let next = r[m..].chars().next()?;
    if next.is_ascii_digit() {
        return None;
    }
    Some(t[..n + 1 + m].to_string())
}

/// ToolchainRE: `^default$|^go1($|\.)`.
fn toolchain_ok(s: &str) -> bool {
    s == "default" || s == "go1" || s.starts_with("go1.")
}

/// modfile.IsDirectoryPath.
pub fn is_directory_path(ns: &str) -> bool {
    let b = ns.as_bytes();
    ns == "."
        || ns.starts_with("./")
        || ns.starts_with(".\\")
        || ns == ".."
        || ns.starts_with("../")
        || ns.starts_with("..\\")
        || ns.starts_with('/')
        || ns.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

/// modfile isIndirect: the first suffix comment is `// indirect` or `// indirect; ...`.
fn is_indirect(line: &Line) -> bool {
    let Some(c) = line.comments.suffix.first() else {
        return false;
    };
    let t = c.token.strip_prefix("//").unwrap_or(&c.token);
    let f: Vec<&str> = t.split_whitespace().collect();
    (f.len() == 1 && f[0] == "indirect") || (f.len() > 1 && f[0] == "indirect;")
}

/// modfile parseDirectiveComment.
fn directive_comment(block: Option<&Comments>, line: &Line) -> String {
    let mut c = &line.comments;
    if let Some(b) = block {
        if c.before.is_empty() && c.suffix.is_empty() {
            c = b;
        }
    }
    let lines: Vec<&str> = c
        .before
        .iter()
        .chain(c.suffix.iter())
        .filter_map(|c| c.token.strip_prefix("//"))
        .map(str::trim)
        .collect();
    lines.join("\n")
}

/// deprecatedRE `(?s)(?:^|\n\n)Deprecated: *(.*?)(?:$|\n\n)`, first match.
fn deprecation(text: &str) -> Option<String> {
    let mut starts = vec![0usize];
    starts.extend(text.match_indices("\n\n").map(|(i, _)| i + 2));
    for s in starts {
        if let Some(rest) = text[s..].strip_prefix("Deprecated:") {
            let rest = rest.trim_start_matches(' ');
            let end = rest.find("\n\n").unwrap_or(rest.len());
            return Some(rest[..end].to_string());
        }
    }
    None
}

/// modfile parseVersionInterval; consumes the interval from `args`.
fn version_interval(
    verb: &str,
    args: &mut [String],
    idx: &mut usize,
) -> Result<(String, String), DirErr> {
    let n = args.len();
    let i = *idx;
    if i >= n || args[i] == "(" {
        return Err(DirErr::msg("expected '[' or version"));
    }
    if args[i] != "[" {
        let v = parse_version(verb, "", &mut args[i], true)?;
        *idx = i + 1;
        return Ok((v.clone(), v));
    }
    let mut i = i + 1;
    if i >= n {
        return Err(DirErr::msg("expected version after '['"));
    }
    let low = parse_version(verb, "", &mut args[i], true)?;
    i += 1;
    if i >= n || args[i] != "," {
        return Err(DirErr::msg("expected ',' after version"));
    }
    i += 1;
    if i >= n {
        return Err(DirErr::msg("expected version after ','"));
    }
    let high = parse_version(verb, "", &mut args[i], true)?;
    i += 1;
    if i >= n || args[i] != "]" {
        return Err(DirErr::msg("expected ']' after version"));
    }
    *idx = i + 1;
    Ok((low, high))
}

/// modfile parseReplace.
fn parse_replace(
    verb: &str,
    args: &mut [String],
) -> Result<(ModuleVersion, ModuleVersion), DirErr> {
    let arrow = if args.len() >= 2 && args[1] == "=>" {
        1
    } else {
        2
    };
    if args.len() < arrow + 2 || args.len() > arrow + 3 || args[arrow] != "=>" {
        return Err(DirErr::msg(format!(
            "usage: {verb} module/path [v1.2.3] => other/module v1.4\n\t or {verb} module/path [v1.2.3] => ../local/directory"
        )));
    }
    let s = parse_string(&mut args[0])
        .map_err(|e| DirErr::msg(format!("invalid quoted string: {e}")))?;
    let path_major = module_path_major(&s).map_err(|e| DirErr::with(verb, &s, e))?;
    let mut v = String::new();
    if arrow == 2 {
        v = parse_version(verb, &s, &mut args[1], false)?;
        check_path_major(&v, &path_major).map_err(|e| DirErr::with(verb, &s, e))?;
    }
    let ns = parse_string(&mut args[arrow + 1])
        .map_err(|e| DirErr::msg(format!("invalid quoted string: {e}")))?;
    let mut nv = String::new();
    if args.len() == arrow + 2 {
        if !is_directory_path(&ns) {
            if ns.contains('@') {
                return Err(DirErr::msg(
                    "replacement module must match format 'path version', not 'path@version'",
                ));
            }
            return Err(DirErr::msg(
                "replacement module without version must be directory path (rooted or starting with . or ..)",
            ));
        }
        if ns.contains('\\') {
            return Err(DirErr::msg(
                "replacement directory appears to be Windows path (on a non-windows system)",
            ));
        }
    }
    if args.len() == arrow + 3 {
        nv = parse_version(verb, &ns, &mut args[arrow + 2], false)?;
        if is_directory_path(&ns) {
            return Err(DirErr::msg(format!(
                "replacement module directory path {} cannot have version",
                quote(&ns)
            )));
        }
    }
    Ok((ModuleVersion::new(s, v), ModuleVersion::new(ns, nv)))
}

fn godebug(args: &[String]) -> Result<(String, String), DirErr> {
    let usage = || DirErr::msg("usage: godebug key=value");
    if args.len() != 1 || args[0].contains(['"', '`', '\'', ',']) {
        return Err(usage());
    }
    let (k, v) = args[0].split_once('=').ok_or_else(usage)?;
    Ok((k.to_string(), v.to_string()))
}

fn go_directive(args: &mut [String], strict: bool, work: bool) -> Result<String, DirErr> {
    if args.len() != 1 {
        return Err(DirErr::msg("go directive expects exactly one argument"));
    }
    if !go_version_ok(&args[0]) {
        let fixed = if !strict && !work {
            lax_go_version(&args[0])
        } else {
            None
        };
        match fixed {
            Some(v) => args[0] = v,
            None => {
                return Err(DirErr::msg(format!(
                    "invalid go version '{}': must match format 1.23.0",
                    args[0]
                )))
            }
        }
    }
    Ok(args[0].clone())
}

fn toolchain_directive(args: &[String]) -> Result<String, DirErr> {
    if args.len() != 1 {
        return Err(DirErr::msg(
            "toolchain directive expects exactly one argument",
        ));
    }
    if !toolchain_ok(&args[0]) {
        return Err(DirErr::msg(format!(
            "invalid toolchain version '{}': must match format go1.23.0 or default",
            args[0]
        )));
    }
    Ok(args[0].clone())
}

fn one_string(args: &mut [String], usage: &str) -> Result<String, DirErr> {
    if args.len() != 1 {
        return Err(DirErr::msg(usage));
    }
    parse_string(&mut args[0]).map_err(|e| DirErr::msg(format!("invalid quoted string: {e}")))
}

struct Ctx<'a> {
    file: &'a str,
    errs: Vec<ParseError>,
    /// Each accepted retract line's start and arguments, for `fix_retract`.
    retract_args: Vec<(Position, Vec<String>)>,
}

impl Ctx<'_> {
    fn push(&mut self, line: &Line, e: DirErr) {
        self.errs
            .push(error_at(self.file, line.start, e.context, e.message));
    }
    fn block_err(&mut self, start: Position, token: &[String]) {
        self.errs.push(error_at(
            self.file,
            start,
            None,
            format!("unknown block type: {}", token.join(" ")),
        ));
    }
}

fn add_mod(
    f: &mut ModFile,
    cx: &mut Ctx<'_>,
    block: Option<&Comments>,
    line: &mut Line,
    verb: &str,
    off: usize,
    strict: bool,
) {
    if !strict && !matches!(verb, "go" | "module" | "retract" | "require" | "ignore") {
        return;
    }
    let sp = span(line);
    let indirect = is_indirect(line);
    let rationale = directive_comment(block, line);
    let args = &mut line.token[off..];
    let mut retract_args = None;
    let r: Result<(), DirErr> = (|| {
        match verb {
            "go" => {
                if f.go.is_some() {
                    return Err(DirErr::msg("repeated go statement"));
                }
                let version = go_directive(args, strict, false)?;
                f.go = Some(GoDirective { version, span: sp });
            }
            "toolchain" => {
                if f.toolchain.is_some() {
                    return Err(DirErr::msg("repeated toolchain statement"));
                }
                let name = toolchain_directive(args)?;
                f.toolchain = Some(ToolchainDirective { name, span: sp });
            }
            "module" => {
                if f.module.is_some() {
                    return Err(DirErr::msg("repeated module statement"));
                }
                let deprecated = deprecation(&rationale);
                f.module = Some(ModuleDirective {
                    path: String::new(),
                    deprecated,
                    span: sp,
                });
                if args.len() != 1 {
                    return Err(DirErr::msg("usage: module module/path"));
                }
                let s = parse_string(&mut args[0])
                    .map_err(|e| DirErr::msg(format!("invalid quoted string: {e}")))?;
                if let Some(m) = f.module.as_mut() {
                    m.path = s;
                }
            }
            "godebug" => {
                let (key, value) = godebug(args)?;
                f.godebug.push(Godebug {
                    key,
                    value,
                    span: sp,
                });
            }
            "require" | "exclude" => {
                if args.len() != 2 {
                    return Err(DirErr::msg(format!("usage: {verb} module/path v1.2.3")));
                }
                let s = parse_string(&mut args[0])
                    .map_err(|e| DirErr::msg(format!("invalid quoted string: {e}")))?;
                let v = parse_version(verb, &s, &mut args[1], false)?;
                let pm = module_path_major(&s).map_err(DirErr::msg)?;
                check_path_major(&v, &pm).map_err(|e| DirErr::with(verb, &s, e))?;
                let module = ModuleVersion::new(s, v);
                if verb == "require" {
                    f.require.push(Require {
                        module,
                        indirect,
                        span: sp,
                    });
                } else {
                    f.exclude.push(Exclude { module, span: sp });
                }
            }
            "replace" => {
                let (old, new) = parse_replace(verb, args)?;
                f.replace.push(Replace { old, new, span: sp });
            }
            "retract" => {
                let mut i = 0;
                let (low, high) = match version_interval(verb, args, &mut i) {
                    Ok(x) => x,
                    Err(e) if strict => return Err(e),
                    Err(_) => return Ok(()),
                };
                if i < args.len() && strict {
                    return Err(DirErr::msg(format!(
                        "unexpected token after version: {}",
                        quote(&args[i])
                    )));
                }
                f.retract.push(Retract {
                    low,
                    high,
                    rationale,
                    span: sp,
                });
                retract_args = Some(args.to_vec());
            }
            "tool" => {
                let path = one_string(args, "tool directive expects exactly one argument")?;
                f.tool.push(Tool { path, span: sp });
            }
            "ignore" => {
                let path = one_string(args, "ignore directive expects exactly one argument")?;
                f.ignore.push(Ignore { path, span: sp });
            }
            _ => return Err(DirErr::msg(format!("unknown directive: {verb}"))),
        }
        Ok(())
    })();
    if let Some(a) = retract_args {
        cx.retract_args.push((line.start, a));
    }
    if let Err(e) = r {
        cx.push(line, e);
    }
}

/// cmd/go parses the main module's go.mod with a version fixer, which checks retract versions
/// against the module path once it is known (modfile fixRetract). The fixer is emulated
/// offline: canonical versions must match the path's major version; non-canonical ones are
/// canonicalized as with a nil fixer (cmd/go would ask the module proxy).
fn fix_retract(f: &mut ModFile, cx: &mut Ctx<'_>) {
    let path = f
        .module
        .as_ref()
        .map(|m| m.path.clone())
        .unwrap_or_default();
    let lines = std::mem::take(&mut cx.retract_args);
    for (i, (start, mut args)) in lines.into_iter().enumerate() {
        if path.is_empty() {
            cx.errs.push(error_at(
                cx.file,
                start,
                None,
                "no module directive found, so retract cannot be used".into(),
            ));
            return;
        }
        let mut idx = 0;
        let r = version_interval("retract", &mut args, &mut idx).and_then(|(low, high)| {
            let (_, pm, ok) = split_path_version(&path);
            for v in [&low, &high] {
                if !ok {
                    return Err(DirErr::with(
                        "retract",
                        &path,
                        invalid_version(v, &format!("malformed module path {}", quote(&path))),
                    ));
                }
                let cv = canonical_version(v);
                if cv.is_empty() {
                    return Err(DirErr::with(
                        "retract",
                        &path,
                        invalid_version(v, "must be of the form v1.2.3"),
                    ));
                }
                check_path_major(&cv, pm).map_err(|e| DirErr::with("retract", &path, e))?;
            }
            Ok((canonical_version(&low), canonical_version(&high)))
        });
        match r {
            Ok((low, high)) => {
                if let Some(rt) = f.retract.get_mut(i) {
                    rt.low = low;
                    rt.high = high;
                }
            }
            Err(e) => cx.errs.push(error_at(cx.file, start, e.context, e.message)),
        }
    }
}

fn syntax_or_err(file: &str, data: &[u8]) -> Result<super::syntax::FileSyntax, ParseErrors> {
    parse_syntax(file, data).map_err(|e| ParseErrors(vec![error_at(file, e.pos, None, e.message)]))
}

pub(crate) fn parse_mod(
    file: &str,
    data: &[u8],
    strict: bool,
    cmd_go_fixer: bool,
) -> Result<ModFile, ParseErrors> {
    let mut syntax = syntax_or_err(file, data)?;
    let mut f = ModFile::default();
    let mut cx = Ctx {
        file,
        errs: Vec::new(),
        retract_args: Vec::new(),
    };
    for st in syntax.stmt.iter_mut() {
        match st {
            Stmt::Comments(_) => {}
            Stmt::Line(l) => {
                let verb = l.token[0].clone();
                add_mod(&mut f, &mut cx, None, l, &verb, 1, strict);
            }
            Stmt::Block(b) => {
                let known = matches!(
                    b.token[0].as_str(),
                    "module"
                        | "godebug"
                        | "require"
                        | "exclude"
                        | "replace"
                        | "retract"
                        | "tool"
                        | "ignore"
                );
                if b.token.len() > 1 || !known {
                    if strict {
                        cx.block_err(b.start, &b.token);
                    }
                    continue;
                }
                let verb = b.token[0].clone();
                for l in b.line.iter_mut() {
                    add_mod(&mut f, &mut cx, Some(&b.comments), l, &verb, 0, strict);
                }
            }
        }
    }
    if strict && cmd_go_fixer {
        fix_retract(&mut f, &mut cx);
    }
    if !cx.errs.is_empty() {
        return Err(ParseErrors(cx.errs));
    }
    f.syntax = syntax;
    Ok(f)
}

fn add_work(f: &mut WorkFile, cx: &mut Ctx<'_>, line: &mut Line, verb: &str, off: usize) {
    let sp = span(line);
    let args = &mut line.token[off..];
    let r: Result<(), DirErr> = (|| {
        match verb {
            "go" => {
                if f.go.is_some() {
                    return Err(DirErr::msg("repeated go statement"));
                }
                let version = go_directive(args, true, true)?;
                f.go = Some(GoDirective { version, span: sp });
            }
            "toolchain" => {
                if f.toolchain.is_some() {
                    return Err(DirErr::msg("repeated toolchain statement"));
                }
                let name = toolchain_directive(args)?;
                f.toolchain = Some(ToolchainDirective { name, span: sp });
            }
            "godebug" => {
                let (key, value) = godebug(args)?;
                f.godebug.push(Godebug {
                    key,
                    value,
                    span: sp,
                });
            }
            "use" => {
                let path = one_string(args, "usage: use local/dir")?;
                f.use_.push(Use {
                    path,
                    module_path: None,
                    span: sp,
                });
            }
            "replace" => {
                let (old, new) = parse_replace(verb, args)?;
                f.replace.push(Replace { old, new, span: sp });
            }
            _ => return Err(DirErr::msg(format!("unknown directive: {verb}"))),
        }
        Ok(())
    })();
    if let Err(e) = r {
        cx.push(line, e);
    }
}

pub(crate) fn parse_work(file: &str, data: &[u8]) -> Result<WorkFile, ParseErrors> {
    let mut syntax = syntax_or_err(file, data)?;
    let mut f = WorkFile::default();
    let mut cx = Ctx {
        file,
        errs: Vec::new(),
        retract_args: Vec::new(),
    };
    for st in syntax.stmt.iter_mut() {
        match st {
            Stmt::Comments(_) => {}
            Stmt::Line(l) => {
                let verb = l.token[0].clone();
                add_work(&mut f, &mut cx, l, &verb, 1);
            }
            Stmt::Block(b) => {
                let known = matches!(b.token[0].as_str(), "godebug" | "use" | "replace");
                if b.token.len() > 1 || !known {
                    cx.block_err(b.start, &b.token);
                    continue;
                }
                let verb = b.token[0].clone();
                for l in b.line.iter_mut() {
                    add_work(&mut f, &mut cx, l, &verb, 0);
                }
            }
        }
    }
    if !cx.errs.is_empty() {
        return Err(ParseErrors(cx.errs));
    }
    f.syntax = syntax;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_versions() {
        for ok in ["1.22", "1.22.333", "1.2rc1", "1.2.3", "1.2beta1", "1.21.0"] {
            assert!(go_version_ok(ok), "{ok}");
        }
        for bad in [
            "",
            "1",
            "v1.2",
            "1.2 3.4",
            "1.2.beta1",
            "01.2",
            "1.02",
            "1.2rc",
        ] {
            assert!(!go_version_ok(bad), "{bad}");
        }
        assert_eq!(lax_go_version("1.2.beta1").as_deref(), Some("1.2"));
        assert_eq!(lax_go_version("v1.2.3").as_deref(), Some("1.2"));
        assert_eq!(lax_go_version("1.2"), None);
    }

    #[test]
    fn deprecated_paragraphs() {
        assert_eq!(
            deprecation("Deprecated: a\nb\n\nc").as_deref(),
            Some("a\nb")
        );
        assert_eq!(deprecation("x\n\nDeprecated:  y").as_deref(), Some("y"));
        assert_eq!(deprecation("x Deprecated: y"), None);
    }
}
