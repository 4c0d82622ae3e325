//! Build constraint expressions: `//go:build` lines and the older `// +build` lines, parsed
//! and evaluated as go/build/constraint does (Parse, parseExpr, parsePlusBuildExpr), with
//! its error messages.

use std::fmt;

/// Go's maxSize: the most `!`-level terms one `//go:build` expression may hold.
const MAX_SIZE: usize = 1000;
/// Go's maxOldSize for `// +build` lines.
const MAX_OLD_SIZE: usize = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Tag(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Evaluates the expression, asking `ok` about each tag. Both sides of `&&` and `||` are
    /// evaluated, as Go's AndExpr.Eval/OrExpr.Eval do, so `ok` sees every tag.
    pub fn eval(&self, ok: &mut dyn FnMut(&str) -> bool) -> bool {
        match self {
            Expr::Tag(t) => ok(t),
            Expr::Not(x) => !x.eval(ok),
            Expr::And(x, y) => {
                let a = x.eval(ok);
                let b = y.eval(ok);
                a && b
            }
            Expr::Or(x, y) => {
                let a = x.eval(ok);
                let b = y.eval(ok);
                a || b
            }
        }
    }
}

impl fmt::Display for Expr {
    /// The `//go:build` form (Go's String methods).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Tag(t) => f.write_str(t),
            Expr::Not(x) => match **x {
                Expr::And(..) | Expr::Or(..) => write!(f, "!({x})"),
                _ => write!(f, "!{x}"),
            },
            Expr::And(x, y) => {
                let arg = |e: &Expr| match e {
                    Expr::Or(..) => format!("({e})"),
                    _ => e.to_string(),
                };
                write!(f, "{} && {}", arg(x), arg(y))
            }
            Expr::Or(x, y) => {
                let arg = |e: &Expr| match e {
                    Expr::And(..) => format!("({e})"),
                    _ => e.to_string(),
                };
                write!(f, "{} || {}", arg(x), arg(y))
            }
        }
    }
}

/// A syntax error in a `//go:build` expression: Go's SyntaxError (offset into the
/// expression text and message).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

fn syntax(offset: usize, message: impl Into<String>) -> SyntaxError {
    SyntaxError {
        offset,
        message: message.into(),
    }
}

/// Parses one `//go:build` or `// +build` line (constraint.Parse). `Ok(None)` when the
/// line is neither.
pub fn parse(line: &str) -> Result<Option<Expr>, SyntaxError> {
    if let Some(text) = split_go_build(line) {
        return parse_expr(text).map(Some);
    }
    if let Some(text) = split_plus_build(line) {
        return parse_plus_build_expr(text).map(Some);
    }
    Ok(None)
}

/// Whether `line` is a `//go:build` line (constraint.IsGoBuild).
pub fn is_go_build(line: &str) -> bool {
    split_go_build(line).is_some()
}

/// Whether `line` is a `// +build` line (constraint.IsPlusBuild).
pub fn is_plus_build(line: &str) -> bool {
    split_plus_build(line).is_some()
}

/// constraint.splitGoBuild: the expression after `//go:build`, which must be followed by
/// space or nothing.
fn split_go_build(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    if line.contains('\n') || !line.starts_with("//go:build") {
        return None;
    }
    let line = go_trim_space(line);
    let rest = &line["//go:build".len()..];
    let trim = go_trim_space(rest);
    if rest.len() == trim.len() && !rest.is_empty() {
        return None;
    }
    Some(trim)
}

/// constraint.splitPlusBuild: the text after `// +build`.
fn split_plus_build(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\n').unwrap_or(line);
    if line.contains('\n') {
        return None;
    }
    let line = go_trim_space(line.strip_prefix("//")?);
    let rest = line.strip_prefix("+build")?;
    let trim = go_trim_space(rest);
    if rest.len() == trim.len() && !rest.is_empty() {
        return None;
    }
    Some(trim)
}

/// strings.TrimSpace (Unicode white space).
pub(crate) fn go_trim_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace())
}

/// Tag characters: unicode.IsLetter, unicode.IsDigit, `_` and `.`.
fn is_tag_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_' || c == '.';
    }
    crate::module::is_unicode_letter(c) || is_unicode_digit(c)
}

/// unicode.IsDigit (category Nd), approximated for non-ASCII as numeric identifier
/// continuation characters that cannot start one.
fn is_unicode_digit(c: char) -> bool {
    c.is_numeric() && unicode_ident::is_xid_continue(c) && !unicode_ident::is_xid_start(c)
}

struct ExprParser<'a> {
    s: &'a str,
    i: usize,
    tok: &'a str,
    is_tag: bool,
    pos: usize,
    size: usize,
}

/// constraint.parseExpr.
fn parse_expr(text: &str) -> Result<Expr, SyntaxError> {
    let mut p = ExprParser {
        s: text,
        i: 0,
        tok: "",
        is_tag: false,
        pos: 0,
        size: 0,
    };
    let x = p.or()?;
    if !p.tok.is_empty() {
        return Err(syntax(p.pos, format!("unexpected token {}", p.tok)));
    }
    Ok(x)
}

impl<'a> ExprParser<'a> {
    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut x = self.and()?;
        while self.tok == "||" {
            x = Expr::Or(Box::new(x), Box::new(self.and()?));
        }
        Ok(x)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut x = self.not()?;
        while self.tok == "&&" {
            x = Expr::And(Box::new(x), Box::new(self.not()?));
        }
        Ok(x)
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        self.size += 1;
        if self.size > MAX_SIZE {
            return Err(syntax(self.pos, "build expression too large"));
        }
        self.lex()?;
        if self.tok == "!" {
            self.lex()?;
            if self.tok == "!" {
                return Err(syntax(self.pos, "double negation not allowed"));
            }
            return Ok(Expr::Not(Box::new(self.atom()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, SyntaxError> {
        if self.tok == "(" {
            let pos = self.pos;
            let x = self.or().map_err(|mut e| {
                if e.message == "unexpected end of expression" {
                    e.message = "missing close paren".into();
                }
                e
            })?;
            if self.tok != ")" {
                return Err(syntax(pos, "missing close paren"));
            }
            self.lex()?;
            return Ok(x);
        }
        if !self.is_tag {
            if self.tok.is_empty() {
                return Err(syntax(self.pos, "unexpected end of expression"));
            }
            return Err(syntax(self.pos, format!("unexpected token {}", self.tok)));
        }
        let tok = self.tok.to_string();
        self.lex()?;
        Ok(Expr::Tag(tok))
    }

    fn lex(&mut self) -> Result<(), SyntaxError> {
        self.is_tag = false;
        let b = self.s.as_bytes();
        while self.i < b.len() && (b[self.i] == b' ' || b[self.i] == b'\t') {
            self.i += 1;
        }
        if self.i >= b.len() {
            self.tok = "";
            self.pos = self.i;
            return Ok(());
        }
        match b[self.i] {
            b'(' | b')' | b'!' => {
                self.pos = self.i;
                self.i += 1;
                self.tok = &self.s[self.pos..self.i];
                return Ok(());
            }
            b'&' | b'|' => {
                if self.i + 1 >= b.len() || b[self.i + 1] != b[self.i] {
                    return Err(syntax(
                        self.i,
                        format!("invalid syntax at {}", b[self.i] as char),
                    ));
                }
                self.pos = self.i;
                self.i += 2;
                self.tok = &self.s[self.pos..self.i];
                return Ok(());
            }
            _ => {}
        }
        let rest = &self.s[self.i..];
        let len = rest
            .char_indices()
            .find(|&(_, c)| !is_tag_char(c))
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 {
            let c = rest.chars().next().unwrap_or('\u{fffd}');
            return Err(syntax(self.i, format!("invalid syntax at {c}")));
        }
        self.pos = self.i;
        self.i += len;
        self.tok = &self.s[self.pos..self.i];
        self.is_tag = true;
        Ok(())
    }
}

/// constraint.parsePlusBuildExpr: space-separated OR of comma-separated AND of literals;
/// invalid literals become the never-set tag `ignore`.
fn parse_plus_build_expr(text: &str) -> Result<Expr, SyntaxError> {
    let mut size = 0;
    let mut x: Option<Expr> = None;
    for clause in text.split_whitespace() {
        let mut y: Option<Expr> = None;
        for lit in clause.split(',') {
            let z = if lit.starts_with("!!") || lit == "!" {
                Expr::Tag("ignore".into())
            } else {
                let (neg, name) = match lit.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, lit),
                };
                let t = if !name.is_empty() && name.chars().all(is_tag_char) {
                    Expr::Tag(name.into())
                } else {
                    Expr::Tag("ignore".into())
                };
                if neg {
                    Expr::Not(Box::new(t))
                } else {
                    t
                }
            };
            y = Some(match y {
                None => z,
                Some(y) => {
                    size += 1;
                    if size > MAX_OLD_SIZE {
                        return Err(syntax(0, "expression too complex for // +build lines"));
                    }
                    Expr::And(Box::new(y), Box::new(z))
                }
            });
        }
        let Some(y) = y else { continue };
        x = Some(match x {
            None => y,
            Some(x) => {
                size += 1;
                if size > MAX_OLD_SIZE {
                    return Err(syntax(0, "expression too complex for // +build lines"));
                }
                Expr::Or(Box::new(x), Box::new(y))
            }
        });
    }
    Ok(x.unwrap_or_else(|| Expr::Tag("ignore".into())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(line: &str, tags: &[&str]) -> bool {
        parse(line)
            .unwrap()
            .unwrap()
            .eval(&mut |t| tags.contains(&t))
    }

    #[test]
    fn go_build_expressions() {
        assert!(eval("//go:build linux && amd64", &["linux", "amd64"]));
        assert!(!eval("//go:build linux && !amd64", &["linux", "amd64"]));
        assert!(eval(
            "//go:build (linux || darwin) && !cgo",
            &["darwin", "amd64"]
        ));
        assert!(eval("//go:build go1.21", &["go1.21"]));
        assert!(!eval("//go:build ignore", &["linux"]));
        // Precedence: && binds tighter than ||.
        assert!(eval("//go:build a || b && c", &["a"]));
        assert!(!eval("//go:build (a || b) && c", &["a"]));
        assert_eq!(
            parse("//go:build (a || b) && !(c && d)")
                .unwrap()
                .unwrap()
                .to_string(),
            "(a || b) && !(c && d)"
        );
    }

    #[test]
    fn go_build_errors_have_gos_wording() {
        let err = |l: &str| parse(l).unwrap_err().message;
        assert_eq!(err("//go:build linux &&"), "unexpected end of expression");
        assert_eq!(err("//go:build (linux"), "missing close paren");
        assert_eq!(err("//go:build !!linux"), "double negation not allowed");
        assert_eq!(err("//go:build linux & amd64"), "invalid syntax at &");
        assert_eq!(err("//go:build linux)"), "unexpected token )");
        assert_eq!(err("//go:build"), "unexpected end of expression");
        assert_eq!(err("//go:build a,b"), "invalid syntax at ,");
        let big = format!("//go:build {}", vec!["a"; 1001].join(" && "));
        assert_eq!(err(&big), "build expression too large");
    }

    #[test]
    fn not_constraints() {
        assert_eq!(parse("//go:buildx linux").unwrap(), None);
        assert_eq!(parse("// go:build linux").unwrap(), None);
        assert_eq!(parse("//+buildx linux").unwrap(), None);
        assert!(is_go_build("//go:build linux\n"));
        assert!(is_plus_build("//   +build linux"));
        assert!(!is_plus_build("/* +build linux */"));
    }

    #[test]
    fn plus_build_lines() {
        assert!(eval("// +build linux darwin", &["darwin"]));
        assert!(eval("// +build linux,amd64", &["linux", "amd64"]));
        assert!(!eval("// +build linux,amd64", &["linux"]));
        assert!(eval("// +build !windows", &["linux"]));
        // Invalid literals and `!!x` are the tag "ignore".
        assert!(!eval("// +build !!linux", &["linux"]));
        assert!(eval("// +build !a-b", &["linux"]));
        assert!(!eval("// +build", &["linux"]));
        let big = format!("// +build {}", vec!["a"; 102].join(" "));
        assert_eq!(
            parse(&big).unwrap_err().message,
            "expression too complex for // +build lines"
        );
    }
}
