//! The header of a `.go` file: leading comments (build constraints), package clause and
//! import declarations, read as go/build's readGoInfo and go/parser (ImportsOnly) do, and
//! nothing after the imports. Files are read in chunks and reading stops at the first
//! declaration that is not an import.
//!
//! Go reads the header with a lenient byte reader, then parses it with go/parser; on a
//! syntax error it parses the whole file instead. Both give what one scan does here: the
//! package clause and the `import` declarations with go/scanner's tokens (semicolon
//! insertion, escapes) and go/parser's first error, stopping before the first token after
//! the imports that does not start with `i` (where Go's reader stops).

use super::constraint::{self, Expr};
use std::io::Read;

/// What build constraints a file's leading comments hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Constraint {
    None,
    /// The `//go:build` line (it controls when present).
    GoBuild(Expr),
    /// Each `// +build` line (all must match). Lines that do not parse are skipped, as
    /// go/build's shouldBuild skips them.
    PlusBuild(Vec<Expr>),
}

/// One file's header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHeader {
    /// The package name, when the package clause parsed.
    pub package: Option<String>,
    /// Import paths in source order ("C" included), empty when the header has a syntax
    /// error (go/build records no imports for such a file).
    pub imports: Vec<String>,
    /// Imports "C".
    pub cgo: bool,
    /// Build constraints, or go/build's error (`parsing //go:build line: …`,
    /// `multiple //go:build comments`).
    pub constraint: Result<Constraint, String>,
    /// An error reading the file: `read PATH: unexpected NUL in input`, or an I/O error.
    pub read_error: Option<String>,
    /// go/parser's first error in the header: `PATH:LINE:COL: message`.
    pub syntax_error: Option<String>,
}

impl FileHeader {
    pub(crate) fn read_failed(msg: String) -> FileHeader {
        FileHeader {
            package: None,
            imports: Vec::new(),
            cgo: false,
            constraint: Ok(Constraint::None),
            read_error: Some(msg),
            syntax_error: None,
        }
    }
}

/// Headers longer than this are refused (a file starting with megabytes of comments).
pub const MAX_HEADER: usize = 16 << 20;
const FIRST_CHUNK: usize = 4096;

/// Reads the header of the file `display` (the path shown in messages) from `r`, in
/// chunks, stopping as soon as the header is complete.
pub fn read_header(display: &str, r: &mut dyn Read) -> FileHeader {
    let mut buf: Vec<u8> = Vec::with_capacity(FIRST_CHUNK);
    let mut want = FIRST_CHUNK;
    loop {
        let mut eof = false;
        while buf.len() < want {
            let start = buf.len();
            buf.resize(want, 0);
            match r.read(&mut buf[start..]) {
                Ok(0) => {
                    buf.truncate(start);
                    eof = true;
                    break;
                }
                Ok(n) => buf.truncate(start + n),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(start),
                Err(e) => {
                    return FileHeader::read_failed(format!("read {display}: {e}"));
                }
            }
        }
        if let Some(h) = parse_header(display, &buf, eof) {
            return h;
        }
        if buf.len() >= MAX_HEADER {
            return FileHeader::read_failed(format!(
                "read {display}: header longer than {MAX_HEADER} bytes"
            ));
        }
        want = (buf.len() * 2).min(MAX_HEADER);
    }
}

/// Parses the header from the first bytes of a file. `complete` says `data` is the whole
/// file; when it is not and the header may continue past `data`, returns None (read more).
pub fn parse_header(display: &str, data: &[u8], complete: bool) -> Option<FileHeader> {
    // A leading UTF-8 byte order mark is ignored (readGoInfo, go/scanner).
    let src = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let mut p = Parser {
        s: Scanner {
            src,
            complete,
            off: 0,
            insert_semi: false,
        },
        tok: Tok::Eof,
        pos: 0,
        package: None,
        imports: Vec::new(),
    };
    let res = p.parse();
    let (package, imports) = (p.package.take(), std::mem::take(&mut p.imports));
    let mut h = FileHeader {
        package,
        imports: Vec::new(),
        cgo: false,
        constraint: Ok(Constraint::None),
        read_error: None,
        syntax_error: None,
    };
    match res {
        Err(Stop::More) => return None,
        Err(Stop::Nul) => {
            h.read_error = Some(format!("read {display}: unexpected NUL in input"));
            return Some(h);
        }
        Err(Stop::Syntax(off, msg)) => {
            let (line, col) = line_col(src, off);
            h.syntax_error = Some(format!("{display}:{line}:{col}: {msg}"));
        }
        Ok(()) => {
            // readGoInfo: an import path the spec does not allow is a parse error, and the
            // file then has no imports.
            if let Some((off, path)) = imports.iter().find(|(_, p)| !is_valid_import(p)) {
                let (line, col) = line_col(src, *off);
                h.syntax_error = Some(format!(
                    "{display}:{line}:{col}: invalid import path: {path}"
                ));
            } else {
                h.cgo = imports.iter().any(|(_, p)| p == "C");
                h.imports = imports.into_iter().map(|(_, p)| p).collect();
            }
        }
    }
    h.constraint = file_constraint(src);
    Some(h)
}

/// go/build's parseFileHeader (cmd/go/internal/imports has the same): the leading block of
/// `//` comments and blank lines that ends with a blank line (where `// +build` lines
/// count), and the `//go:build` line of the leading comments; two are an error.
pub(crate) fn parse_file_header(content: &[u8]) -> Result<(&[u8], Option<&[u8]>), String> {
    let mut end = 0;
    let mut p = content;
    let mut ended = false;
    let mut in_slash_star = false;
    let mut go_build: Option<&[u8]> = None;
    'lines: while !p.is_empty() {
        let line;
        match p.iter().position(|&b| b == b'\n') {
            Some(i) => {
                line = &p[..i];
                p = &p[i + 1..];
            }
            None => {
                line = p;
                p = &p[p.len()..];
            }
        }
        let mut line = trim_space(line);
        if line.is_empty() && !ended {
            // The latest place a +build line may end: before this blank line.
            end = content.len() - p.len();
            continue;
        }
        if !line.starts_with(b"//") {
            ended = true;
        }
        if !in_slash_star && is_go_build_comment(line) {
            if go_build.is_some() {
                return Err("multiple //go:build comments".into());
            }
            go_build = Some(line);
        }
        loop {
            if line.is_empty() {
                continue 'lines;
            }
            if in_slash_star {
                match find(line, b"*/") {
                    Some(i) => {
                        in_slash_star = false;
                        line = trim_space(&line[i + 2..]);
                        continue;
                    }
                    None => continue 'lines,
                }
            }
            if line.starts_with(b"//") {
                continue 'lines;
            }
            if line.starts_with(b"/*") {
                in_slash_star = true;
                line = trim_space(&line[2..]);
                continue;
            }
            break 'lines;
        }
    }
    Ok((&content[..end], go_build))
}

/// The constraint part of go/build's shouldBuild: the `//go:build` line of the leading
/// comments, else the `// +build` lines of the comment block before the first
/// non-comment text.
pub fn file_constraint(content: &[u8]) -> Result<Constraint, String> {
    let (plus_block, go_build) = parse_file_header(content)?;
    if let Some(line) = go_build {
        let text = String::from_utf8_lossy(line);
        return match constraint::parse(&text) {
            Ok(Some(x)) => Ok(Constraint::GoBuild(x)),
            Ok(None) => Ok(Constraint::None),
            Err(e) => Err(format!("parsing //go:build line: {e}")),
        };
    }
    let mut lines = Vec::new();
    for line in plus_block.split(|&b| b == b'\n') {
        let line = trim_space(line);
        if !line.starts_with(b"//") || find(line, b"+build").is_none() {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        if !constraint::is_plus_build(&text) {
            continue;
        }
        if let Ok(Some(x)) = constraint::parse(&text) {
            lines.push(x);
        }
    }
    if lines.is_empty() {
        Ok(Constraint::None)
    } else {
        Ok(Constraint::PlusBuild(lines))
    }
}

/// go/build's isGoBuildComment.
fn is_go_build_comment(line: &[u8]) -> bool {
    if !line.starts_with(b"//go:build") {
        return false;
    }
    let rest = &trim_space(line)["//go:build".len()..];
    rest.is_empty() || trim_space(rest).len() < rest.len()
}

/// bytes.TrimSpace for the ASCII white space that can appear in a line.
pub(crate) fn trim_space(b: &[u8]) -> &[u8] {
    let is_space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c');
    let start = b.iter().position(|c| !is_space(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !is_space(c))
        .map_or(start, |i| i + 1);
    &b[start..end.max(start)]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// 1-based line and byte column of `off`, as go/token reports positions (a newline that is
/// the file's last byte starts no line: token.File.AddLine ignores it).
fn line_col(src: &[u8], off: usize) -> (usize, usize) {
    let mut before = &src[..off.min(src.len())];
    if off >= src.len() && before.last() == Some(&b'\n') {
        before = &before[..before.len() - 1];
    }
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let col = match before.iter().rposition(|&b| b == b'\n') {
        Some(i) => off - i,
        None => off + 1,
    };
    (line, col)
}

/// readGoInfo's isValidImport: graphic, no spaces, none of the characters the spec rules
/// out, not empty.
pub fn is_valid_import(s: &str) -> bool {
    const ILLEGAL: &str = "!\"#$%&'()*,:;<=>?[\\]^{|}`\u{fffd}";
    !s.is_empty()
        && s.chars()
            .all(|c| is_graphic(c) && !c.is_whitespace() && !ILLEGAL.contains(c))
}

/// unicode.IsGraphic (letters, marks, numbers, punctuation, symbols, spaces), approximated
/// outside ASCII as: not a control or format character, not unassigned surrogate space.
fn is_graphic(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !c.is_control()
        && !matches!(c as u32,
            0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f
            | 0x2028..=0x202e | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb
            | 0xe000..=0xf8ff | 0xf0000..=0x10ffff)
}

enum Stop {
    /// The header may continue past the bytes read so far.
    More,
    /// A NUL byte (Go's reader refuses those).
    Nul,
    /// go/parser's or go/scanner's error at a byte offset.
    Syntax(usize, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Ident(String),
    /// A string literal: offset of its start and its value.
    Str(String),
    /// Another literal (number, rune): as written.
    Lit(String),
    Keyword(&'static str),
    Period,
    LParen,
    RParen,
    /// A semicolon; `auto` when inserted at a newline or the end of the file.
    Semi {
        auto: bool,
    },
    /// Any other operator, as written.
    Op(String),
    Eof,
}

impl Tok {
    /// How go/parser's errorExpected names the found token.
    fn describe(&self) -> String {
        match self {
            Tok::Ident(s) | Tok::Lit(s) => s.clone(),
            Tok::Str(s) => format!("{s:?}"),
            Tok::Keyword(k) => format!("'{k}'"),
            Tok::Period => "'.'".into(),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Semi { auto: true } => "newline".into(),
            Tok::Semi { auto: false } => "';'".into(),
            Tok::Op(s) => format!("'{s}'"),
            Tok::Eof => "'EOF'".into(),
        }
    }
}

const KEYWORDS: &[&str] = &[
    "break",
    "case",
    "chan",
    "const",
    "continue",
    "default",
    "defer",
    "else",
    "fallthrough",
    "for",
    "func",
    "go",
    "goto",
    "if",
    "import",
    "interface",
    "map",
    "package",
    "range",
    "return",
    "select",
    "struct",
    "switch",
    "type",
    "var",
];

struct Scanner<'a> {
    src: &'a [u8],
    complete: bool,
    off: usize,
    insert_semi: bool,
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

impl Scanner<'_> {
    /// The byte at `i`: None at the end of the file, Stop::More past the bytes read.
    fn at(&self, i: usize) -> Result<Option<u8>, Stop> {
        match self.src.get(i) {
            Some(0) => Err(Stop::Nul),
            Some(&c) => Ok(Some(c)),
            None if self.complete => Ok(None),
            None => Err(Stop::More),
        }
    }

    /// Skips white space and comments up to the next token; returns the semicolon (and its
    /// offset) go/scanner inserts when a newline or the end of the file ends a line that
    /// needs one.
    fn skip(&mut self) -> Result<Option<(Tok, usize)>, Stop> {
        let semi = Tok::Semi { auto: true };
        loop {
            match self.at(self.off)? {
                Some(b' ' | b'\t' | b'\r') => self.off += 1,
                Some(b'\n') => {
                    self.off += 1;
                    if self.insert_semi {
                        self.insert_semi = false;
                        return Ok(Some((semi, self.off - 1)));
                    }
                }
                Some(b'/') => match self.at(self.off + 1)? {
                    Some(b'/') => {
                        let start = self.off;
                        let mut i = self.off + 2;
                        while let Some(c) = self.at(i)? {
                            if c == b'\n' {
                                break;
                            }
                            i += 1;
                        }
                        self.off = i;
                        if self.insert_semi {
                            // The comment's newline ends the line: Go puts the semicolon
                            // at the comment.
                            self.insert_semi = false;
                            if self.at(i)?.is_some() {
                                self.off += 1;
                            }
                            return Ok(Some((semi, start)));
                        }
                    }
                    Some(b'*') => {
                        let start = self.off;
                        let mut i = self.off + 2;
                        let mut newline = false;
                        loop {
                            match self.at(i)? {
                                None => {
                                    return Err(Stop::Syntax(
                                        start,
                                        "comment not terminated".into(),
                                    ))
                                }
                                Some(b'*') if self.at(i + 1)? == Some(b'/') => {
                                    i += 2;
                                    break;
                                }
                                Some(b'\n') => {
                                    newline = true;
                                    i += 1;
                                }
                                Some(_) => i += 1,
                            }
                        }
                        self.off = i;
                        if newline && self.insert_semi {
                            self.insert_semi = false;
                            return Ok(Some((semi, start)));
                        }
                    }
                    _ => return Ok(None),
                },
                None => {
                    if self.insert_semi {
                        self.insert_semi = false;
                        return Ok(Some((semi, self.off)));
                    }
                    return Ok(None);
                }
                Some(_) => return Ok(None),
            }
        }
    }

    /// The next token and its offset.
    fn next(&mut self) -> Result<(Tok, usize), Stop> {
        if let Some(semi) = self.skip()? {
            return Ok(semi);
        }
        let start = self.off;
        let Some(c) = self.at(start)? else {
            return Ok((Tok::Eof, start));
        };
        self.insert_semi = false;
        let tok = match c {
            c if is_ident_byte(c) && !c.is_ascii_digit() => {
                let mut i = start + 1;
                while let Some(c) = self.at(i)? {
                    if !is_ident_byte(c) {
                        break;
                    }
                    i += 1;
                }
                self.off = i;
                let word = String::from_utf8_lossy(&self.src[start..i]).into_owned();
                match KEYWORDS.iter().find(|k| **k == word) {
                    Some(k) => {
                        self.insert_semi =
                            matches!(*k, "break" | "continue" | "fallthrough" | "return");
                        Tok::Keyword(k)
                    }
                    None => {
                        self.insert_semi = true;
                        Tok::Ident(word)
                    }
                }
            }
            b'0'..=b'9' => {
                let mut i = start + 1;
                while let Some(c) = self.at(i)? {
                    if !(is_ident_byte(c) || c == b'.') {
                        break;
                    }
                    i += 1;
                }
                self.off = i;
                self.insert_semi = true;
                Tok::Lit(String::from_utf8_lossy(&self.src[start..i]).into_owned())
            }
            b'"' => {
                self.insert_semi = true;
                Tok::Str(self.interpreted_string(start)?)
            }
            b'`' => {
                self.insert_semi = true;
                let mut i = start + 1;
                loop {
                    match self.at(i)? {
                        None => {
                            return Err(Stop::Syntax(
                                start,
                                "raw string literal not terminated".into(),
                            ))
                        }
                        Some(b'`') => break,
                        Some(_) => i += 1,
                    }
                }
                self.off = i + 1;
                // Carriage returns are dropped from raw strings (strconv.Unquote).
                let raw: Vec<u8> = self.src[start + 1..i]
                    .iter()
                    .copied()
                    .filter(|&b| b != b'\r')
                    .collect();
                Tok::Str(String::from_utf8_lossy(&raw).into_owned())
            }
            b'\'' => {
                // A rune literal: only its extent matters (it is never an import path).
                let mut i = start + 1;
                loop {
                    match self.at(i)? {
                        None | Some(b'\n') => {
                            return Err(Stop::Syntax(start, "rune literal not terminated".into()))
                        }
                        Some(b'\\') => i += 2,
                        Some(b'\'') => break,
                        Some(_) => i += 1,
                    }
                }
                self.off = i + 1;
                self.insert_semi = true;
                Tok::Lit(String::from_utf8_lossy(&self.src[start..self.off]).into_owned())
            }
            b'.' => {
                self.off += 1;
                Tok::Period
            }
            b'(' => {
                self.off += 1;
                Tok::LParen
            }
            b')' => {
                self.off += 1;
                self.insert_semi = true;
                Tok::RParen
            }
            b';' => {
                self.off += 1;
                Tok::Semi { auto: false }
            }
            c => {
                self.off += 1;
                if matches!(c, b']' | b'}') {
                    self.insert_semi = true;
                }
                Tok::Op((c as char).to_string())
            }
        };
        Ok((tok, start))
    }

    /// go/scanner's scanString and scanEscape, returning the string's value
    /// (strconv.Unquote).
    fn interpreted_string(&mut self, start: usize) -> Result<String, Stop> {
        let mut i = start + 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(c) = self.at(i)? else {
                return Err(Stop::Syntax(start, "string literal not terminated".into()));
            };
            if c == b'\n' {
                return Err(Stop::Syntax(start, "string literal not terminated".into()));
            }
            i += 1;
            if c == b'"' {
                break;
            }
            if c != b'\\' {
                out.push(c);
                continue;
            }
            // An escape: i is at the character after the backslash.
            let esc = i;
            let Some(e) = self.at(i)? else {
                return Err(Stop::Syntax(esc, "escape sequence not terminated".into()));
            };
            let simple = match e {
                b'a' => Some(7u8),
                b'b' => Some(8),
                b'f' => Some(12),
                b'n' => Some(b'\n'),
                b'r' => Some(b'\r'),
                b't' => Some(b'\t'),
                b'v' => Some(11),
                b'\\' => Some(b'\\'),
                b'"' => Some(b'"'),
                _ => None,
            };
            if let Some(b) = simple {
                out.push(b);
                i += 1;
                continue;
            }
            let (n, base, max, byte_value) = match e {
                b'0'..=b'7' => (3, 8, 255, true),
                b'x' => {
                    i += 1;
                    (2, 16, 255, true)
                }
                b'u' => {
                    i += 1;
                    (4, 16, 0x10ffff, false)
                }
                b'U' => {
                    i += 1;
                    (8, 16, 0x10ffff, false)
                }
                _ => return Err(Stop::Syntax(esc, "unknown escape sequence".into())),
            };
            let mut x: u32 = 0;
            for _ in 0..n {
                let c = self.at(i)?;
                let d = c.and_then(|c| (c as char).to_digit(16)).unwrap_or(99);
                if d >= base {
                    let msg = match c {
                        None => "escape sequence not terminated".to_string(),
                        Some(c) => {
                            let ch = self.char_at(i).unwrap_or(c as char);
                            format!("illegal character {} in escape sequence", go_sharp_u(ch))
                        }
                    };
                    return Err(Stop::Syntax(i, msg));
                }
                x = x * base + d;
                i += 1;
            }
            if x > max || (0xd800..0xe000).contains(&x) {
                return Err(Stop::Syntax(
                    esc,
                    "escape sequence is invalid Unicode code point".into(),
                ));
            }
            if byte_value {
                out.push(x as u8);
            } else if let Some(ch) = char::from_u32(x) {
                let mut b = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
            }
        }
        self.off = i;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn char_at(&self, i: usize) -> Option<char> {
        let rest = &self.src[i.min(self.src.len())..];
        let end = rest.len().min(4);
        (1..=end).find_map(|n| std::str::from_utf8(&rest[..n]).ok()?.chars().next())
    }
}

/// fmt's `%#U`: `U+0022 '"'` for printable characters, else `U+0007`.
fn go_sharp_u(c: char) -> String {
    if is_graphic(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

struct Parser<'a> {
    s: Scanner<'a>,
    tok: Tok,
    pos: usize,
    package: Option<String>,
    /// (offset of the spec, path)
    imports: Vec<(usize, String)>,
}

impl Parser<'_> {
    fn next(&mut self) -> Result<(), Stop> {
        let (t, p) = self.s.next()?;
        self.tok = t;
        self.pos = p;
        Ok(())
    }

    fn expected(&self, what: &str) -> Stop {
        Stop::Syntax(
            self.pos,
            format!("expected {what}, found {}", self.tok.describe()),
        )
    }

    /// go/parser's expectSemi, stopping at the first error.
    fn expect_semi(&mut self) -> Result<(), Stop> {
        match self.tok {
            Tok::RParen => Ok(()),
            Tok::Semi { .. } => self.next(),
            _ => Err(self.expected("';'")),
        }
    }

    /// go/parser's parseFile with ImportsOnly: the package clause, then import
    /// declarations while the next token is `import`.
    fn parse(&mut self) -> Result<(), Stop> {
        self.next()?;
        if self.tok != Tok::Keyword("package") {
            return Err(self.expected("'package'"));
        }
        self.next()?;
        let Tok::Ident(name) = self.tok.clone() else {
            return Err(self.expected("'IDENT'"));
        };
        // go/parser drops the name when the clause itself (or its semicolon) is bad.
        let more = self.end_clause()?;
        self.package = Some(name);
        if !more {
            return Ok(());
        }
        loop {
            self.import_decl()?;
            if !self.end_clause()? {
                return Ok(());
            }
        }
    }

    /// After a package clause or import declaration: Go's reader skips white space,
    /// comments and semicolons and stops unless the next byte is `i`; the header then ends
    /// there (go/parser sees the end of the file). Otherwise the next token is scanned and
    /// must follow a semicolon. Returns whether it is `import`.
    fn end_clause(&mut self) -> Result<bool, Stop> {
        let mut saw_semi = false;
        loop {
            if self.s.skip()?.is_some() {
                saw_semi = true;
                continue;
            }
            match self.s.at(self.s.off)? {
                Some(b';') => {
                    self.s.off += 1;
                    self.s.insert_semi = false;
                    saw_semi = true;
                }
                Some(b'i') => break,
                _ => return Ok(false),
            }
        }
        self.next()?;
        if !saw_semi {
            return Err(self.expected("';'"));
        }
        Ok(self.tok == Tok::Keyword("import"))
    }

    /// go/parser's parseGenDecl for `import`; the current token is `import`.
    fn import_decl(&mut self) -> Result<(), Stop> {
        self.next()?;
        if self.tok != Tok::LParen {
            let start = self.spec_head()?;
            return self.spec_path(start);
        }
        self.next()?;
        while self.tok != Tok::RParen && self.tok != Tok::Eof {
            let start = self.spec_head()?;
            self.spec_path(start)?;
            self.next()?;
            self.expect_semi()?;
        }
        if self.tok != Tok::RParen {
            return Err(self.expected("')'"));
        }
        Ok(())
    }

    /// go/parser's parseImportSpec: the optional name (`.`, `_`, identifier); returns the
    /// spec's offset.
    fn spec_head(&mut self) -> Result<usize, Stop> {
        let start = self.pos;
        match self.tok {
            Tok::Ident(_) | Tok::Period => self.next()?,
            _ => {}
        }
        Ok(start)
    }

    /// The spec's path, which must be a string literal.
    fn spec_path(&mut self, start: usize) -> Result<(), Stop> {
        match &self.tok {
            Tok::Str(path) => {
                self.imports.push((start, path.clone()));
                Ok(())
            }
            Tok::Lit(_) => Err(Stop::Syntax(
                self.pos,
                "import path must be a string".into(),
            )),
            _ => Err(Stop::Syntax(self.pos, "missing import path".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(src: &str) -> FileHeader {
        parse_header("x.go", src.as_bytes(), true).unwrap()
    }

    #[test]
    fn imports_and_package() {
        let f = h("// Copyright\n\n//go:build linux\n\n// Package p does.\npackage p // c\n\nimport \"fmt\"\nimport (\n\t\"os\"\n\tf \"path/filepath\"\n\t. \"strings\"\n\t_ \"embed\"\n\t`raw/path`\n)\nimport \"C\"\n\nfunc main() { \"unterminated\n");
        assert_eq!(f.package.as_deref(), Some("p"));
        assert_eq!(
            f.imports,
            [
                "fmt",
                "os",
                "path/filepath",
                "strings",
                "embed",
                "raw/path",
                "C"
            ]
        );
        assert!(f.cgo);
        assert_eq!(f.syntax_error, None);
        assert_eq!(
            f.constraint,
            Ok(Constraint::GoBuild(Expr::Tag("linux".into())))
        );
    }

    #[test]
    fn escapes_in_import_paths() {
        let f = h("package p\nimport \"a\\x2fb\"\nimport \"\\u0063/d\"\nimport \"e\\146\"\n");
        assert_eq!(f.imports, ["a/b", "c/d", "ef"]);
        assert_eq!(f.syntax_error, None);
    }

    #[test]
    fn stops_at_first_declaration() {
        // Everything after the imports is never scanned (an unterminated string there is
        // not an error, as in Go, whose reader stops before it).
        let f = h("package p\nimport \"a\"\nvar s = \"x\n");
        assert_eq!(f.imports, ["a"]);
        assert_eq!(f.syntax_error, None);
        let f = h("package p\n\"unterminated\n");
        assert_eq!(f.syntax_error, None);
        let f = h("package p\nimport \"a\"; import \"b\"; func f() {}");
        assert_eq!(f.imports, ["a", "b"]);
        let f = h("package p\nimport \"a\"\nif x");
        assert_eq!(f.imports, ["a"]);
        assert_eq!(f.syntax_error, None);
    }

    #[test]
    fn syntax_errors_have_gos_wording() {
        let e = |s: &str| h(s).syntax_error.unwrap();
        assert_eq!(
            e("package main\nimport \"fmt\n"),
            "x.go:2:8: string literal not terminated"
        );
        assert_eq!(
            e("package main\nimport fmt\n"),
            "x.go:2:11: missing import path"
        );
        assert_eq!(
            e("// c\nfunc main(){}\n"),
            "x.go:2:1: expected 'package', found 'func'"
        );
        assert_eq!(e(""), "x.go:1:1: expected 'package', found 'EOF'");
        assert_eq!(
            e("package main\n/* unterminated\n"),
            "x.go:2:1: comment not terminated"
        );
        assert_eq!(
            e("package main\nimport \"\\q\"\n"),
            "x.go:2:10: unknown escape sequence"
        );
        assert_eq!(
            e("package main\nimport \"a b\"\n"),
            "x.go:2:8: invalid import path: a b"
        );
        assert_eq!(e("package 1\n"), "x.go:1:9: expected 'IDENT', found 1");
        assert_eq!(
            e("package main import \"fmt\""),
            "x.go:1:14: expected ';', found 'import'"
        );
        assert_eq!(
            e("package main\nimport (\n\t\"a\"\n"),
            "x.go:3:6: expected ')', found 'EOF'"
        );
        assert_eq!(
            e("package main\nimport \"\\x4\"\n"),
            "x.go:2:12: illegal character U+0022 '\"' in escape sequence"
        );
        assert_eq!(
            e("package main\nimport \"\\U00110000\"\n"),
            "x.go:2:10: escape sequence is invalid Unicode code point"
        );
        assert_eq!(
            e("package main\nimport 42\n"),
            "x.go:2:8: import path must be a string"
        );
        // A bad package clause loses the name; Go's reader ends the header before `func`.
        assert_eq!(h("package main import \"fmt\"").package, None);
        let f = h("package p func main() {}\n");
        assert_eq!((f.package.as_deref(), f.syntax_error), (Some("p"), None));
        let f = h("package p\nimport \"a\" /* x\n */ import \"b\"\n");
        assert_eq!(
            (f.imports, f.syntax_error),
            (vec!["a".into(), "b".into()], None)
        );
        // A file with a syntax error keeps its package name, not its imports.
        let f = h("package main\nimport (\"a\"\n\"b");
        assert_eq!(f.package.as_deref(), Some("main"));
        assert!(f.imports.is_empty());
    }

    #[test]
    fn nul_is_a_read_error() {
        let f = h("package p\x00\n");
        assert_eq!(
            f.read_error.as_deref(),
            Some("read x.go: unexpected NUL in input")
        );
    }

    #[test]
    fn bom_is_skipped() {
        let f = h("\u{feff}package p\nimport \"a\"\n");
        assert_eq!(f.package.as_deref(), Some("p"));
        assert_eq!(f.imports, ["a"]);
    }

    #[test]
    fn needs_more_until_the_imports_end() {
        let src = b"package p\nimport (\n\t\"a\"\n\t\"b\"\n)\n\nfunc f() {}\n";
        for cut in 0..src.len() {
            let got = parse_header("x.go", &src[..cut], false);
            if let Some(h) = got {
                assert_eq!(h.imports, ["a", "b"], "cut at {cut}");
            }
        }
        // Read in small chunks through a reader.
        let mut r: &[u8] = src;
        let h = read_header("x.go", &mut r);
        assert_eq!(h.imports, ["a", "b"]);
    }

    #[test]
    fn reads_only_the_header_of_big_files() {
        let mut src = b"package p\nimport \"a\"\n".to_vec();
        src.extend(std::iter::repeat_n(b'x', 10 << 20));
        struct Counting<'a>(&'a [u8], usize);
        impl Read for Counting<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.read(buf)?;
                self.1 += n;
                Ok(n)
            }
        }
        let mut r = Counting(&src, 0);
        let h = read_header("x.go", &mut r);
        assert_eq!(h.imports, ["a"]);
        assert!(r.1 <= FIRST_CHUNK, "read {} bytes", r.1);
    }

    #[test]
    fn constraints() {
        let c = |s: &str| file_constraint(s.as_bytes());
        assert_eq!(c("package p\n"), Ok(Constraint::None));
        // +build lines must be followed by a blank line.
        assert_eq!(c("// +build linux\npackage p\n"), Ok(Constraint::None));
        assert_eq!(
            c("// +build linux\n\npackage p\n"),
            Ok(Constraint::PlusBuild(vec![Expr::Tag("linux".into())]))
        );
        // //go:build wins over +build.
        assert_eq!(
            c("//go:build a\n// +build b\n\npackage p\n"),
            Ok(Constraint::GoBuild(Expr::Tag("a".into())))
        );
        assert_eq!(
            c("//go:build a\n//go:build b\n\npackage p\n"),
            Err("multiple //go:build comments".into())
        );
        assert_eq!(
            c("//go:build a &&\n\npackage p\n"),
            Err("parsing //go:build line: unexpected end of expression".into())
        );
        // Inside /* */ it is not a directive; after the package clause it is not read.
        assert_eq!(c("/*\n//go:build a\n*/\npackage p\n"), Ok(Constraint::None));
        assert_eq!(c("package p\n//go:build a\n"), Ok(Constraint::None));
        // A //go:build line directly before the package clause still counts.
        assert_eq!(
            c("//go:build a\npackage p\n"),
            Ok(Constraint::GoBuild(Expr::Tag("a".into())))
        );
    }
}
