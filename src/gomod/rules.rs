//! From the syntax tree to the typed go.mod/go.work AST, with modfile's checks and error
//! texts. Versions are checked as modfile.Parse does with no version fixer (`go mod edit`):
//! `v1.2` is accepted and canonicalised to `v1.2.0`; `1.2` is an error.

use super::ast::*;
use super::syntax::{Comments, FileSyntax, Line, LineBlock, Stmt};
use super::{ParseError, ParseErrors, Strictness};
use crate::module::{self, ModuleVersion};
use crate::semver;
use crate::span::Span;

/// modfile.GoVersionRE: `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`
pub fn is_go_version(v: &str) -> bool {
    fn num(s: &str, allow_zero: bool) -> Option<&str> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let d = &s[..n];
        if d.starts_with('0') && !(allow_zero && d == "0") {
            return None;
        }
        Some(&s[n..])
    }
    let Some(rest) = num(v, false) else {
        return false;
    };
    let Some(rest) = rest.strip_prefix('.').and_then(|r| num(r, true)) else {
        return false;
    };
    let rest = match rest.strip_prefix('.') {
        Some(r) => match num(r, true) {
            Some(r) => r,
            None => return false,
        },
        None => rest,
    };
    if rest.is_empty() {
        return true;
    }
    let letters = rest.bytes().take_while(u8::is_ascii_lowercase).count();
    let digits = &rest[letters..];
    letters > 0 && !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())
}

/// modfile's laxGoVersionRE `^v?(([1-9][0-9]*)\.(0|[1-9][0-9]*))([^0-9].*)$`: the
/// `major.minor` prefix a dependency's malformed `go` line is read as.
fn lax_go_version(v: &str) -> Option<&str> {
    let s = v.strip_prefix('v').unwrap_or(v);
    let a = s.bytes().take_while(u8::is_ascii_digit).count();
    if a == 0 || s.starts_with('0') || s.as_bytes().get(a) != Some(&b'.') {
        return None;
    }
    let rest = &s[a + 1..];
    let b = rest.bytes().take_while(u8::is_ascii_digit).count();
    if b == 0 || (b > 1 && rest.starts_with('0')) {
        return None;
    }
    let tail = &rest[b..];
    (!tail.is_empty() && !tail.as_bytes()[0].is_ascii_digit()).then(|| &s[..a + 1 + b])
}

/// modfile.ToolchainRE: `^default$|^go1($|\.)`
pub fn is_toolchain_name(v: &str) -> bool {
    v == "default" || v == "go1" || v.starts_with("go1.")
}

/// modfile.IsDirectoryPath: a local path rather than a module path.
pub fn is_directory_path(ns: &str) -> bool {
    ns == "."
        || ns.starts_with("./")
        || ns.starts_with(".\\")
        || ns == ".."
        || ns.starts_with("../")
        || ns.starts_with("..\\")
        || ns.starts_with('/')
        || ns.starts_with('\\')
        || (ns.len() >= 2 && ns.as_bytes()[1] == b':' && ns.as_bytes()[0].is_ascii_alphabetic())
}

/// Go's strconv.Unquote for a double-quoted string.
fn unquote(t: &str) -> Option<String> {
    let inner = t.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => {
                let e = chars.next()?;
                match e {
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\x0b'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex: String = (0..n).filter_map(|_| chars.next()).collect();
                        if hex.len() != n {
                            return None;
                        }
                        let v = u32::from_str_radix(&hex, 16).ok()?;
                        if e == 'x' {
                            // \xHH is a byte; only ASCII keeps the result valid UTF-8.
                            if v >= 0x80 {
                                return None;
                            }
                        }
                        out.push(char::from_u32(v)?);
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.to_digit(8)?;
                        }
                        if v >= 0x80 {
                            return None;
                        }
                        out.push(char::from_u32(v)?);
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// modfile's parseString: a quoted string is unquoted; an unquoted one may not hold quotes.
fn parse_string(t: &str) -> Result<String, String> {
    if t.starts_with('"') {
        return unquote(t).ok_or_else(|| "invalid syntax".to_string());
    }
    if t.contains(['"', '\'', '`']) {
        return Err("unquoted string cannot contain quote".into());
    }
    Ok(t.to_string())
}

/// modfile.MustQuote: whether a string needs quoting to survive a round trip.
pub fn must_quote(s: &str) -> bool {
    // Nearly every token is ASCII: decided per byte, without decoding characters.
    if s.is_ascii() {
        let special = s.bytes().any(|b| match b {
            b' ' | b'"' | b'\'' | b'`' => true,
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' => s.len() > 1,
            // Not strconv.IsPrint: control characters and DEL.
            0..=0x1f | 0x7f => true,
            _ => false,
        });
        return special || s.is_empty() || s.contains("//") || s.contains("/*");
    }
    must_quote_chars(s)
}

/// `must_quote` character by character (what the ASCII path must agree with).
fn must_quote_chars(s: &str) -> bool {
    for r in s.chars() {
        match r {
            ' ' | '"' | '\'' | '`' => return true,
            '(' | ')' | '[' | ']' | '{' | '}' | ',' if s.len() > 1 => return true,
            c if !super::syntax::is_print(c) => return true,
            _ => {}
        }
    }
    s.is_empty() || s.contains("//") || s.contains("/*")
}

/// Go's strconv.Quote.
pub use crate::module::go_quote;

/// modfile.AutoQuote.
pub fn auto_quote(s: &str) -> String {
    if must_quote(s) {
        go_quote(s)
    } else {
        s.to_string()
    }
}

/// parse_string that also normalises the token in the syntax tree, as modfile does.
fn take_string(tok: &mut String) -> Result<String, String> {
    let s = parse_string(tok)?;
    // As `*tok = auto_quote(&s)`, without a new string when the token is already that.
    if must_quote(&s) {
        *tok = go_quote(&s);
    } else if *tok != s {
        tok.clone_from(&s);
    }
    Ok(s)
}

/// module.CanonicalVersion: canonical semver, keeping `+incompatible`.
fn canonical_version(v: &str) -> String {
    let cv = semver::canonical(v);
    if cv.is_empty() || !semver::is_incompatible(v) {
        cv
    } else {
        format!("{cv}+incompatible")
    }
}

struct Ctx<'a> {
    file: &'a str,
    errs: Vec<ParseError>,
}

/// An error without its position yet: (context, message).
type Bare = (Option<String>, String);

/// Where a directive's line starts: errors point there, as modfile's do.
#[derive(Clone, Copy)]
struct Loc {
    span: Span,
    line: usize,
    col: usize,
}

impl Loc {
    fn of(l: &Line) -> Loc {
        Loc {
            span: l.span(),
            line: l.start.line,
            col: l.start.col,
        }
    }
}

impl Ctx<'_> {
    fn push(&mut self, loc: Loc, bare: Bare) {
        self.errs.push(ParseError {
            file: self.file.to_string(),
            span: loc.span,
            line: loc.line,
            col: loc.col,
            context: bare.0,
            message: bare.1,
        });
    }

    fn errorf(&mut self, loc: Loc, msg: String) {
        self.push(loc, (None, msg));
    }

    fn block_error(&mut self, b: &LineBlock) {
        self.errs.push(ParseError {
            file: self.file.to_string(),
            span: Span::new(b.start.byte, b.rparen.0.byte + 1),
            line: b.start.line,
            col: b.start.col,
            context: None,
            message: format!("unknown block type: {}", b.tokens.join(" ")),
        });
    }
}

fn ctx_of(verb: &str, path: &str) -> Option<String> {
    if path.is_empty() {
        Some(verb.to_string())
    } else {
        Some(format!("{verb} {path}"))
    }
}

fn parse_version(verb: &str, path: &str, s: &mut String) -> Result<String, Bare> {
    let t = parse_string(s).map_err(|e| {
        (
            ctx_of(verb, path),
            format!("version {} invalid: {e}", go_quote(s)),
        )
    })?;
    let cv = canonical_version(&t);
    if cv.is_empty() {
        return Err((
            ctx_of(verb, path),
            format!(
                "version {} invalid: must be of the form v1.2.3",
                go_quote(&t)
            ),
        ));
    }
    s.clone_from(&cv);
    Ok(cv)
}

fn path_major(path: &str) -> Result<&str, String> {
    module::split_path_version(path)
        .map(|(_, m)| m)
        .ok_or_else(|| "invalid module path".to_string())
}

fn check_major(verb: &str, path: &str, v: &str) -> Result<(), Bare> {
    let major = path_major(path).map_err(|e| (None, e))?;
    module::check_path_major(v, major).map_err(|e| {
        (
            ctx_of(verb, path),
            format!("version {} invalid: {e}", go_quote(v)),
        )
    })
}

fn parse_replace(verb: &str, args: &mut [String]) -> Result<(ModuleVersion, ModuleVersion), Bare> {
    let arrow = if args.len() >= 2 && args[1] == "=>" {
        1
    } else {
        2
    };
    if args.len() < arrow + 2 || args.len() > arrow + 3 || args[arrow] != "=>" {
        return Err((None, format!("usage: {verb} module/path [v1.2.3] => other/module v1.4\n\t or {verb} module/path [v1.2.3] => ../local/directory")));
    }
    let s = take_string(&mut args[0]).map_err(|e| (None, format!("invalid quoted string: {e}")))?;
    let pm = path_major(&s).map_err(|e| (ctx_of(verb, &s), e))?;
    let mut v = String::new();
    if arrow == 2 {
        v = parse_version(verb, &s, &mut args[1])?;
        module::check_path_major(&v, pm).map_err(|e| {
            (
                ctx_of(verb, &s),
                format!("version {} invalid: {e}", go_quote(&v)),
            )
        })?;
    }
    let ns = take_string(&mut args[arrow + 1])
        .map_err(|e| (None, format!("invalid quoted string: {e}")))?;
    let mut nv = String::new();
    if args.len() == arrow + 2 {
        if !is_directory_path(&ns) {
            if ns.contains('@') {
                return Err((
                    None,
                    "replacement module must match format 'path version', not 'path@version'"
                        .into(),
                ));
            }
            return Err((None, "replacement module without version must be directory path (rooted or starting with . or ..)".into()));
        }
        if ns.contains('\\') {
            return Err((
                None,
                "replacement directory appears to be Windows path (on a non-windows system)".into(),
            ));
        }
    }
    if args.len() == arrow + 3 {
        nv = parse_version(verb, &ns, &mut args[arrow + 2])?;
        if is_directory_path(&ns) {
            return Err((
                None,
                format!(
                    "replacement module directory path {} cannot have version",
                    go_quote(&ns)
                ),
            ));
        }
    }
    Ok((ModuleVersion::new(s, v), ModuleVersion::new(ns, nv)))
}

/// Parses `v` or `[low, high]` at the front of `toks`; returns the interval and how many
/// tokens it used.
fn parse_version_interval(
    verb: &str,
    toks: &mut [String],
) -> Result<(String, String, usize), Bare> {
    let plain = |m: &str| (None, m.to_string());
    if toks.is_empty() || toks[0] == "(" {
        return Err(plain("expected '[' or version"));
    }
    // Retractions are read as written (modfile's dontFixRetract): only a bad quoted string
    // is an error here. cmd/go checks them against the module path afterwards (fix_retract).
    let version = |t: &mut String| -> Result<String, Bare> {
        let s = take_string(t).map_err(|e| {
            (
                ctx_of(verb, ""),
                format!("version {} invalid: {e}", go_quote(t)),
            )
        })?;
        *t = s.clone();
        Ok(s)
    };
    if toks[0] != "[" {
        let v = version(&mut toks[0])?;
        return Ok((v.clone(), v, 1));
    }
    let low = version(
        toks.get_mut(1)
            .ok_or_else(|| plain("expected version after '['"))?,
    )?;
    if toks.get(2).map(String::as_str) != Some(",") {
        return Err(plain("expected ',' after version"));
    }
    let high = version(
        toks.get_mut(3)
            .ok_or_else(|| plain("expected version after ','"))?,
    )?;
    if toks.get(4).map(String::as_str) != Some("]") {
        return Err(plain("expected ']' after version"));
    }
    Ok((low, high, 5))
}

/// modfile's parseDirectiveComment: the line's comments, or the block's when the line has none.
fn directive_comment(block: Option<&Comments>, line: &Comments) -> String {
    let mut c: &Comments = line;
    if let Some(b) = block {
        if c.before.is_empty() && c.suffix.is_empty() {
            c = b;
        }
    }
    c.before
        .iter()
        .chain(c.suffix.iter())
        .filter_map(|com| com.token.strip_prefix("//"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
}

/// modfile's deprecatedRE `(?s)(?:^|\n\n)Deprecated: *(.*?)(?:$|\n\n)`.
fn deprecation(text: &str) -> Option<String> {
    let mut from = 0;
    loop {
        let idx = text[from..].find("Deprecated:")? + from;
        if idx == 0 || text[..idx].ends_with("\n\n") {
            let body = text[idx + "Deprecated:".len()..].trim_start_matches(' ');
            let end = body.find("\n\n").unwrap_or(body.len());
            return Some(body[..end].to_string());
        }
        from = idx + 1;
    }
}

fn is_indirect(comments: &Comments) -> bool {
    let Some(c) = comments.suffix.first() else {
        return false;
    };
    let f: Vec<&str> = c
        .token
        .trim_start_matches("//")
        .split_whitespace()
        .collect();
    (f.len() == 1 && f[0] == "indirect") || (f.len() > 1 && f[0] == "indirect;")
}

fn one_path(ctx: &mut Ctx, line: Loc, args: &mut [String], usage: &str) -> Option<String> {
    if args.len() != 1 {
        ctx.errorf(line, usage.to_string());
        return None;
    }
    match take_string(&mut args[0]) {
        Ok(s) => Some(s),
        Err(e) => {
            ctx.errorf(line, format!("invalid quoted string: {e}"));
            None
        }
    }
}

fn go_line(ctx: &mut Ctx, line: Loc, args: &[String], lax: bool) -> Option<GoDirective> {
    if args.len() != 1 {
        ctx.errorf(line, "go directive expects exactly one argument".into());
        return None;
    }
    let mut v = args[0].clone();
    if !is_go_version(&v) {
        match lax.then(|| lax_go_version(&v)).flatten() {
            Some(fixed) => v = fixed.to_string(),
            None => {
                ctx.errorf(
                    line,
                    format!("invalid go version '{v}': must match format 1.23.0"),
                );
                return None;
            }
        }
    }
    Some(GoDirective {
        version: v,
        span: line.span,
    })
}

fn toolchain_line(ctx: &mut Ctx, line: Loc, args: &[String]) -> Option<ToolchainDirective> {
    if args.len() != 1 {
        ctx.errorf(
            line,
            "toolchain directive expects exactly one argument".into(),
        );
        return None;
    }
    if !is_toolchain_name(&args[0]) {
        ctx.errorf(
            line,
            format!(
                "invalid toolchain version '{}': must match format go1.23.0 or default",
                args[0]
            ),
        );
        return None;
    }
    Some(ToolchainDirective {
        name: args[0].clone(),
        span: line.span,
    })
}

fn godebug_line(ctx: &mut Ctx, line: Loc, args: &[String]) -> Option<Godebug> {
    let usage = "usage: godebug key=value";
    if args.len() != 1 || args[0].contains(['"', '`', '\'', ',']) {
        ctx.errorf(line, usage.into());
        return None;
    }
    let Some((k, v)) = args[0].split_once('=') else {
        ctx.errorf(line, usage.into());
        return None;
    };
    Some(Godebug {
        key: k.to_string(),
        value: v.to_string(),
        span: line.span,
    })
}

/// The directives go.mod and go.work share (`go`, `toolchain`, `godebug`, `replace`).
/// Returns false when `verb` is not one of them.
struct Shared<'a> {
    go: &'a mut Option<GoDirective>,
    toolchain: &'a mut Option<ToolchainDirective>,
    godebug: &'a mut Vec<Godebug>,
    replace: &'a mut Vec<Replace>,
}

fn add_shared(
    d: Shared,
    ctx: &mut Ctx,
    line: Loc,
    verb: &str,
    args: &mut [String],
    lax: bool,
) -> bool {
    match verb {
        "go" => {
            if d.go.is_some() {
                ctx.errorf(line, "repeated go statement".into());
            } else {
                *d.go = go_line(ctx, line, args, lax);
            }
        }
        "toolchain" => {
            if d.toolchain.is_some() {
                ctx.errorf(line, "repeated toolchain statement".into());
            } else {
                *d.toolchain = toolchain_line(ctx, line, args);
            }
        }
        "godebug" => d.godebug.extend(godebug_line(ctx, line, args)),
        "replace" => match parse_replace(verb, args) {
            Ok((old, new)) => d.replace.push(Replace {
                old,
                new,
                span: line.span,
            }),
            Err(e) => ctx.push(line, e),
        },
        _ => return false,
    }
    true
}

#[allow(clippy::too_many_lines)]
fn add_mod(
    f: &mut ModFile,
    ctx: &mut Ctx,
    block: Option<&Comments>,
    (line, comments): (Loc, &Comments),
    verb: &str,
    args: &mut [String],
    strict: bool,
) {
    // Dependencies' go.mod files keep only what matters when they are not the main
    // module; anything else (including unknown directives) is ignored.
    if !strict && !matches!(verb, "go" | "module" | "retract" | "require" | "ignore") {
        return;
    }
    let shared = Shared {
        go: &mut f.go,
        toolchain: &mut f.toolchain,
        godebug: &mut f.godebug,
        replace: &mut f.replace,
    };
    if add_shared(shared, ctx, line, verb, args, !strict) {
        return;
    }
    match verb {
        "module" => {
            if f.module.is_some() {
                ctx.errorf(line, "repeated module statement".into());
                return;
            }
            let deprecated = deprecation(&directive_comment(block, comments));
            let mut m = ModuleDirective {
                path: String::new(),
                deprecated,
                span: line.span,
            };
            if let Some(p) = one_path(ctx, line, args, "usage: module module/path") {
                m.path = p;
            }
            f.module = Some(m);
        }
        "require" | "exclude" => {
            if args.len() != 2 {
                ctx.errorf(line, format!("usage: {verb} module/path v1.2.3"));
                return;
            }
            let s = match take_string(&mut args[0]) {
                Ok(s) => s,
                Err(e) => return ctx.errorf(line, format!("invalid quoted string: {e}")),
            };
            let v = match parse_version(verb, &s, &mut args[1]) {
                Ok(v) => v,
                Err(e) => return ctx.push(line, e),
            };
            if let Err(e) = check_major(verb, &s, &v) {
                return ctx.push(line, e);
            }
            let module = ModuleVersion::new(s, v);
            if verb == "require" {
                f.require.push(Require {
                    module,
                    indirect: is_indirect(comments),
                    span: line.span,
                });
            } else {
                f.exclude.push(Exclude {
                    module,
                    span: line.span,
                });
            }
        }
        "retract" => {
            let rationale = directive_comment(block, comments);
            let (low, high, used) = match parse_version_interval(verb, args) {
                Ok(vi) => vi,
                Err(e) => {
                    // Only the main module's retractions are checked: newer syntax in a
                    // dependency must not break the build.
                    if strict {
                        ctx.push(line, e);
                    }
                    return;
                }
            };
            if let (Some(t), true) = (args.get(used), strict) {
                ctx.errorf(
                    line,
                    format!("unexpected token after version: {}", go_quote(t)),
                );
                return;
            }
            f.retract.push(Retract {
                low,
                high,
                rationale,
                span: line.span,
            });
        }
        "tool" => {
            if let Some(p) = one_path(
                ctx,
                line,
                args,
                "tool directive expects exactly one argument",
            ) {
                f.tool.push(Tool {
                    path: p,
                    span: line.span,
                });
            }
        }
        "ignore" => {
            if let Some(p) = one_path(
                ctx,
                line,
                args,
                "ignore directive expects exactly one argument",
            ) {
                f.ignore.push(Ignore {
                    path: p,
                    span: line.span,
                });
            }
        }
        _ => ctx.errorf(line, format!("unknown directive: {verb}")),
    }
}

pub(super) fn build_mod(
    mut syntax: FileSyntax,
    strictness: Strictness,
    cmd_go_fixer: bool,
) -> Result<ModFile, ParseErrors> {
    let strict = strictness == Strictness::Strict;
    let name = syntax.name.clone();
    let mut ctx = Ctx {
        file: &name,
        errs: Vec::new(),
    };
    let mut f = ModFile::default();
    for stmt in &mut syntax.stmts {
        match stmt {
            Stmt::Comments { .. } => {}
            Stmt::Line(l) => {
                let (loc, comments) = (Loc::of(l), l.comments.clone());
                let Some((verb, args)) = l.tokens.split_first_mut() else {
                    continue;
                };
                let verb = verb.clone();
                add_mod(
                    &mut f,
                    &mut ctx,
                    None,
                    (loc, &comments),
                    &verb,
                    args,
                    strict,
                )
            }
            Stmt::Block(b) => {
                let known = b.tokens.len() == 1
                    && matches!(
                        b.tokens[0].as_str(),
                        "module"
                            | "godebug"
                            | "require"
                            | "exclude"
                            | "replace"
                            | "retract"
                            | "tool"
                            | "ignore"
                    );
                if !known {
                    if strict {
                        ctx.block_error(b);
                    }
                    continue;
                }
                let (verb, block_comments) = (b.tokens[0].clone(), b.comments.clone());
                for l in &mut b.lines {
                    let (loc, comments) = (Loc::of(l), l.comments.clone());
                    let args = &mut l.tokens[..];
                    add_mod(
                        &mut f,
                        &mut ctx,
                        Some(&block_comments),
                        (loc, &comments),
                        &verb,
                        args,
                        strict,
                    );
                }
            }
        }
    }
    if strict && cmd_go_fixer {
        fix_retract(&mut f, &syntax, &mut ctx);
    }
    if !ctx.errs.is_empty() {
        return Err(ParseErrors(ctx.errs));
    }
    f.syntax = syntax;
    Ok(f)
}

/// cmd/go reads the main module's go.mod with a version fixer, so modfile's fixRetract
/// checks each retraction against the module path once it is known. Emulated offline:
/// the versions must be valid and match the path's major version (cmd/go would ask the
/// proxy to resolve a non-canonical one; it is canonicalised here).
fn fix_retract(f: &mut ModFile, syntax: &FileSyntax, ctx: &mut Ctx) {
    let path = f
        .module
        .as_ref()
        .map(|m| m.path.clone())
        .unwrap_or_default();
    let mut lines: Vec<&Line> = Vec::new();
    for st in &syntax.stmts {
        match st {
            Stmt::Line(l) => lines.push(l),
            Stmt::Block(b) => lines.extend(b.lines.iter()),
            Stmt::Comments { .. } => {}
        }
    }
    for r in f.retract.iter_mut() {
        let Some(line) = lines.iter().find(|l| l.span() == r.span) else {
            continue;
        };
        let loc = Loc::of(line);
        if path.is_empty() {
            ctx.errorf(
                loc,
                "no module directive found, so retract cannot be used".into(),
            );
            return;
        }
        let mut args = line.tokens.clone();
        if !line.in_block && args.first().map(String::as_str) == Some("retract") {
            args.remove(0);
        }
        let checked = parse_version_interval("retract", &mut args).and_then(|(low, high, _)| {
            let mut out = Vec::new();
            for v in [low, high] {
                let Some((_, pm)) = crate::module::split_path_version(&path) else {
                    return Err((
                        ctx_of("retract", &path),
                        format!(
                            "version {} invalid: malformed module path {}",
                            go_quote(&v),
                            go_quote(&path)
                        ),
                    ));
                };
                let cv = canonical_version(&v);
                let invalid = |e: &str| {
                    (
                        ctx_of("retract", &path),
                        format!("version {} invalid: {e}", go_quote(&v)),
                    )
                };
                if cv.is_empty() {
                    return Err(invalid("must be of the form v1.2.3"));
                }
                crate::module::check_path_major(&cv, pm).map_err(|e| invalid(&e))?;
                out.push(cv);
            }
            Ok(out)
        });
        match checked {
            Ok(v) if v.len() == 2 => {
                r.low = v[0].clone();
                r.high = v[1].clone();
            }
            Ok(_) => {}
            Err(bare) => ctx.push(loc, bare),
        }
    }
}

fn add_work(f: &mut WorkFile, ctx: &mut Ctx, line: Loc, verb: &str, args: &mut [String]) {
    let shared = Shared {
        go: &mut f.go,
        toolchain: &mut f.toolchain,
        godebug: &mut f.godebug,
        replace: &mut f.replace,
    };
    if add_shared(shared, ctx, line, verb, args, false) {
        return;
    }
    match verb {
        "use" => {
            if let Some(p) = one_path(ctx, line, args, "usage: use local/dir") {
                f.use_.push(Use {
                    path: p,
                    module_path: None,
                    span: line.span,
                });
            }
        }
        _ => ctx.errorf(line, format!("unknown directive: {verb}")),
    }
}

pub(super) fn build_work(mut syntax: FileSyntax) -> Result<WorkFile, ParseErrors> {
    let name = syntax.name.clone();
    let mut ctx = Ctx {
        file: &name,
        errs: Vec::new(),
    };
    let mut f = WorkFile::default();
    for stmt in &mut syntax.stmts {
        match stmt {
            Stmt::Comments { .. } => {}
            Stmt::Line(l) => {
                let loc = Loc::of(l);
                if let Some((verb, args)) = l.tokens.split_first_mut() {
                    let verb = verb.clone();
                    add_work(&mut f, &mut ctx, loc, &verb, args);
                }
            }
            Stmt::Block(b) => {
                let known = b.tokens.len() == 1
                    && matches!(b.tokens[0].as_str(), "use" | "replace" | "godebug");
                if !known {
                    ctx.block_error(b);
                    continue;
                }
                let verb = b.tokens[0].clone();
                for l in &mut b.lines {
                    let loc = Loc::of(l);
                    add_work(&mut f, &mut ctx, loc, &verb, &mut l.tokens[..]);
                }
            }
        }
    }
    if !ctx.errs.is_empty() {
        return Err(ParseErrors(ctx.errs));
    }
    f.syntax = syntax;
    Ok(f)
}

/// modfile.ModulePath: the module path from go.mod text, tolerant of everything else.
pub fn module_path(data: &[u8]) -> String {
    for raw in data.split(|&c| c == b'\n') {
        let line = match raw.windows(2).position(|w| w == b"//") {
            Some(i) => &raw[..i],
            None => raw,
        };
        let line = line.trim_ascii();
        let Some(rest) = line.strip_prefix(b"module") else {
            continue;
        };
        let trimmed = rest.trim_ascii();
        if trimmed.len() == rest.len() || trimmed.is_empty() {
            continue;
        }
        let text = String::from_utf8_lossy(trimmed);
        if trimmed[0] == b'"' {
            return unquote(&text).unwrap_or_default();
        }
        if trimmed[0] == b'`' {
            let inner = text.strip_prefix('`').and_then(|t| t.strip_suffix('`'));
            return match inner {
                Some(s) if !s.contains('`') => s.to_string(),
                _ => String::new(),
            };
        }
        return text.into_owned();
    }
    String::new()
}

/// modfile's checkCanonicalVersion (used when godrift writes versions into go.mod): `vers`
/// must be canonical and fit the major version of `path`. Errors in Go's wording.
pub fn check_canonical_version(path: &str, vers: &str) -> Result<(), String> {
    let split = module::split_path_version(path);
    let path_major = split.map_or("", |(_, m)| m);
    let invalid = |why: String| format!("version {} invalid: {why}", go_quote(vers));
    if vers.is_empty() || vers != canonical_version(vers) {
        if path_major.is_empty() {
            return Err(invalid("must be of the form v1.2.3".into()));
        }
        let m = path_major[1..].trim_end_matches("-unstable");
        return Err(invalid(format!("must be of the form {m}.2.3")));
    }
    if split.is_some() {
        if let Err(e) = module::check_path_major(vers, path_major) {
            if path_major.is_empty() {
                return Err(invalid(format!(
                    "should be {vers}+incompatible (or module {path}/{})",
                    semver::major(vers)
                )));
            }
            return Err(invalid(e));
        }
    }
    Ok(())
}

#[cfg(test)]
mod must_quote_tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_ascii_path_decides_as_the_character_path(s in "[\\x00-\\x7f]{0,6}") {
            prop_assert_eq!(super::must_quote(&s), super::must_quote_chars(&s));
        }
    }

    #[test]
    fn every_ascii_byte_alone_and_in_a_word() {
        for b in 0u8..0x80 {
            let c = char::from(b);
            for s in [c.to_string(), format!("a{c}b")] {
                assert_eq!(super::must_quote(&s), super::must_quote_chars(&s), "{s:?}");
            }
        }
    }
}
