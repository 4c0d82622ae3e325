//! What `go mod vendor` needs to know about one Go source file: whether it is tagged
//! `ignore` (then it is not copied), and its `//go:embed` patterns (the files they match are
//! copied too). Ported from cmd/go/internal/imports (ReadImports, ShouldBuild with
//! AnyTags), go/build/constraint (Parse), go/build (readGoInfo's embed scan) and
//! go/ast (ParseDirective, Directive.ParseArgs).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoFacts {
    /// `ShouldBuild(content, AnyTags())` is false: the file can never be built, and
    /// matchPotentialSourceFile leaves it out.
    pub ignored: bool,
    /// `//go:embed` patterns, when the file imports "embed" (readGoInfo looks no further
    /// otherwise).
    pub embeds: Vec<String>,
}

/// The facts of one `.go` file's content.
pub fn facts(data: &[u8]) -> GoFacts {
    let read = read_imports(data);
    // ReadImports errors only on NUL bytes (syntax errors are swallowed): the file is
    // then kept (matchPotentialSourceFile).
    let ignored = !read.nul && !should_build_any_tags(read.header);
    let embeds = if read.imports_embed && !read.nul && !read.syntax_error {
        embed_patterns(strip_bom(data))
    } else {
        Vec::new()
    };
    GoFacts { ignored, embeds }
}

fn strip_bom(data: &[u8]) -> &[u8] {
    data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data)
}

struct ReadImports<'a> {
    /// What ReadImports returns: the file up to the end of its imports (all of it after
    /// a syntax error).
    header: &'a [u8],
    nul: bool,
    syntax_error: bool,
    imports_embed: bool,
}

/// imports.importReader over a byte slice.
struct Reader<'a> {
    data: &'a [u8],
    /// Bytes consumed (r.buf's length).
    pos: usize,
    peek: Option<u8>,
    eof: bool,
    nul: bool,
    syntax: bool,
    imports: Vec<&'a [u8]>,
}

impl<'a> Reader<'a> {
    fn failed(&self) -> bool {
        self.nul || self.syntax
    }

    fn read_byte(&mut self) -> u8 {
        match self.data.get(self.pos) {
            Some(&c) => {
                self.pos += 1;
                if c == 0 {
                    self.nul = true;
                }
                c
            }
            None => {
                self.eof = true;
                0
            }
        }
    }

    fn syntax_error(&mut self) {
        if !self.nul {
            self.syntax = true;
        }
    }

    fn peek_byte(&mut self, skip_space: bool) -> u8 {
        if self.failed() {
            return 0;
        }
        let mut c = match self.peek {
            Some(c) if c != 0 => c,
            _ => self.read_byte(),
        };
        while !self.failed() && !self.eof {
            if skip_space {
                match c {
                    b' ' | b'\x0c' | b'\t' | b'\r' | b'\n' | b';' => {
                        c = self.read_byte();
                        continue;
                    }
                    b'/' => {
                        c = self.read_byte();
                        if c == b'/' {
                            while c != b'\n' && !self.failed() && !self.eof {
                                c = self.read_byte();
                            }
                        } else if c == b'*' {
                            let mut c1 = 0u8;
                            while (c != b'*' || c1 != b'/') && !self.failed() {
                                if self.eof {
                                    self.syntax_error();
                                }
                                c = c1;
                                c1 = self.read_byte();
                            }
                        } else {
                            self.syntax_error();
                        }
                        c = self.read_byte();
                        continue;
                    }
                    _ => {}
                }
            }
            break;
        }
        self.peek = Some(c);
        c
    }

    fn next_byte(&mut self, skip_space: bool) -> u8 {
        let c = self.peek_byte(skip_space);
        self.peek = None;
        c
    }

    fn read_keyword(&mut self, kw: &[u8]) {
        self.peek_byte(true);
        for &k in kw {
            if self.next_byte(false) != k {
                self.syntax_error();
                return;
            }
        }
        if is_ident(self.peek_byte(false)) {
            self.syntax_error();
        }
    }

    fn read_ident(&mut self) {
        let c = self.peek_byte(true);
        if !is_ident(c) {
            self.syntax_error();
            return;
        }
        while is_ident(self.peek_byte(false)) {
            self.peek = None;
        }
    }

    fn read_string(&mut self) {
        match self.next_byte(true) {
            b'`' => {
                let start = self.pos - 1;
                while !self.failed() {
                    if self.next_byte(false) == b'`' {
                        self.imports.push(&self.data[start..self.pos]);
                        break;
                    }
                    if self.eof {
                        self.syntax_error();
                    }
                }
            }
            b'"' => {
                let start = self.pos - 1;
                while !self.failed() {
                    let c = self.next_byte(false);
                    if c == b'"' {
                        self.imports.push(&self.data[start..self.pos]);
                        break;
                    }
                    if self.eof || c == b'\n' {
                        self.syntax_error();
                    }
                    if c == b'\\' {
                        self.next_byte(false);
                    }
                }
            }
            _ => self.syntax_error(),
        }
    }

    fn read_import(&mut self) {
        let c = self.peek_byte(true);
        if c == b'.' {
            self.peek = None;
        } else if is_ident(c) {
            self.read_ident();
        }
        self.read_string();
    }
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// imports.ReadImports(f, false, &imports).
fn read_imports(data: &[u8]) -> ReadImports<'_> {
    let data = strip_bom(data);
    let mut r = Reader {
        data,
        pos: 0,
        peek: None,
        eof: false,
        nul: false,
        syntax: false,
        imports: Vec::new(),
    };
    r.read_keyword(b"package");
    r.read_ident();
    while r.peek_byte(true) == b'i' {
        r.read_keyword(b"import");
        if r.peek_byte(true) == b'(' {
            r.next_byte(false);
            while r.peek_byte(true) != b')' && !r.failed() {
                r.read_import();
            }
            r.next_byte(false);
        } else {
            r.read_import();
        }
    }
    let imports_embed = r
        .imports
        .iter()
        .any(|q| *q == b"\"embed\"" || *q == b"`embed`");
    if !r.failed() && !r.eof {
        return ReadImports {
            header: &data[..r.pos.saturating_sub(1)],
            nul: false,
            syntax_error: false,
            imports_embed,
        };
    }
    let syntax_error = r.syntax;
    if r.syntax {
        // Consume the rest, as ReadImports does: a NUL there is still an error.
        r.syntax = false;
        while !r.failed() && !r.eof {
            r.read_byte();
        }
    }
    ReadImports {
        header: &data[..r.pos],
        nul: r.nul,
        syntax_error,
        imports_embed,
    }
}

/// imports.ShouldBuild(content, AnyTags()): every tag but `ignore` counts as both true and
/// false, so only `ignore` (or a malformed constraint) excludes a file. Expressions are
/// parsed by go/build/constraint's port (`crate::packages::constraint`).
fn should_build_any_tags(content: &[u8]) -> bool {
    use crate::packages::constraint;
    use crate::packages::header::{parse_file_header, trim_space};
    let Ok((plus_block, go_build)) = parse_file_header(content) else {
        return false; // multiple //go:build lines
    };
    if let Some(line) = go_build {
        return match std::str::from_utf8(line).map(constraint::parse) {
            Ok(Ok(Some(x))) => eval(&x, true),
            _ => false,
        };
    }
    for line in plus_block.split(|&c| c == b'\n') {
        let line = trim_space(line);
        if !line.starts_with(b"//") || !contains(line, b"+build") {
            continue;
        }
        let Ok(text) = std::str::from_utf8(line) else {
            continue;
        };
        if !constraint::is_plus_build(text) {
            continue;
        }
        if let Ok(Some(x)) = constraint::parse(text) {
            if !eval(&x, true) {
                return false;
            }
        }
    }
    true
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// imports.eval with tags["*"]: `prefer` for every valid tag but `ignore`.
fn eval(x: &crate::packages::constraint::Expr, prefer: bool) -> bool {
    use crate::packages::constraint::Expr;
    match x {
        Expr::Tag(t) => t != "ignore" && prefer,
        Expr::Not(x) => !eval(x, !prefer),
        Expr::And(a, b) => eval(a, prefer) && eval(b, prefer),
        Expr::Or(a, b) => eval(a, prefer) || eval(b, prefer),
    }
}

/// The `//go:embed` patterns of a file (readGoInfo scans every comment token of the file
/// with go/scanner; comments inside string and rune literals are not comments).
fn embed_patterns(data: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = data.len();
    while i < n {
        match data[i] {
            b'/' if data.get(i + 1) == Some(&b'/') => {
                let end = data[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(n, |k| i + k);
                let text: Vec<u8> = data[i..end]
                    .iter()
                    .copied()
                    .filter(|&c| c != b'\r')
                    .collect();
                if let Ok(s) = std::str::from_utf8(&text) {
                    if let Some(args) = go_embed_args(s) {
                        out.extend(args);
                    }
                }
                i = end;
            }
            b'/' if data.get(i + 1) == Some(&b'*') => {
                i = data[i + 2..]
                    .windows(2)
                    .position(|w| w == b"*/")
                    .map_or(n, |k| i + 2 + k + 2);
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < n && data[i] != q && data[i] != b'\n' {
                    if data[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'`' => {
                i = data[i + 1..]
                    .iter()
                    .position(|&c| c == b'`')
                    .map_or(n, |k| i + 1 + k + 1);
            }
            _ => i += 1,
        }
    }
    out
}

/// ast.ParseDirective + Directive.ParseArgs for `//go:embed`; None when the comment is
/// not that directive or its arguments do not parse (go/build then skips it).
fn go_embed_args(comment: &str) -> Option<Vec<String>> {
    let rest = comment.strip_prefix("//go:embed")?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None; // another directive (the name runs to the first space)
    }
    let mut s = rest.trim();
    let mut out = Vec::new();
    while !s.is_empty() {
        if s.starts_with('"') || s.starts_with('`') {
            let (arg, len) = unquote_prefix(s)?;
            s = &s[len..];
            if !s.is_empty() && !s.starts_with(char::is_whitespace) {
                return None;
            }
            out.push(arg);
        } else {
            let end = s.find(char::is_whitespace).unwrap_or(s.len());
            out.push(s[..end].to_string());
            s = &s[end..];
        }
        s = s.trim_start();
    }
    Some(out)
}

/// strconv.QuotedPrefix + Unquote for the string forms patterns use.
fn unquote_prefix(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    let (_, q) = chars.next()?;
    if q == '`' {
        let end = s[1..].find('`')?;
        return Some((s[1..1 + end].replace('\r', ""), end + 2));
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\n' => return None,
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'v' => out.push('\x0b'),
                    '\\' | '"' => out.push(e),
                    'x' | 'u' | 'U' => {
                        let len = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v = 0u32;
                        for _ in 0..len {
                            v = v * 16 + chars.next()?.1.to_digit(16)?;
                        }
                        out.push(char::from_u32(v)?);
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.1.to_digit(8)?;
                        }
                        out.push(char::from_u32(v)?);
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignored(src: &str) -> bool {
        facts(src.as_bytes()).ignored
    }

    #[test]
    fn ignore_tags() {
        assert!(ignored("//go:build ignore\n\npackage main\n"));
        assert!(ignored("// +build ignore\n\npackage main\n"));
        assert!(ignored("//go:build ignore && linux\n\npackage main\n"));
        assert!(!ignored("//go:build !ignore\n\npackage p\n"));
        assert!(!ignored("//go:build linux && !linux\n\npackage p\n"));
        assert!(!ignored("//go:build windows\n\npackage p\n"));
        assert!(!ignored("package p // +build ignore\n"));
        // +build needs a blank line before the package clause.
        assert!(!ignored("// +build ignore\npackage main\n"));
        // Malformed //go:build and two //go:build lines exclude the file.
        assert!(ignored("//go:build (\n\npackage p\n"));
        assert!(ignored("//go:build a\n//go:build b\n\npackage p\n"));
        // A NUL byte makes ReadImports fail: the file is kept.
        assert!(!ignored("//go:build ignore\n\npackage p\x00\n"));
        // Syntax errors are swallowed; the header still counts.
        assert!(ignored("//go:build ignore\n\npackage\n"));
        assert!(ignored("\u{feff}//go:build ignore\n\npackage main\n"));
        assert!(ignored("/* x */\n//go:build ignore\n\npackage main\n"));
    }

    #[test]
    fn embeds() {
        let src = "package p\n\nimport (\n\t_ \"embed\"\n\t\"fmt\"\n)\n\n//go:embed a.txt \"b c.txt\" `d/*`\nvar s string\n\nvar t = \"//go:embed nope\"\n/* //go:embed nope2 */\n//go:embedded x\n//go:embed\tall:static\n";
        assert_eq!(
            facts(src.as_bytes()).embeds,
            ["a.txt", "b c.txt", "d/*", "all:static"]
        );
        // Without importing "embed", readGoInfo does not look.
        assert!(facts(b"package p\n//go:embed a.txt\nvar s string\n")
            .embeds
            .is_empty());
        // A malformed quoted argument drops the directive.
        assert!(facts(b"package p\nimport \"embed\"\n//go:embed \"a\n")
            .embeds
            .is_empty());
    }
}
