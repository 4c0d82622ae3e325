//! The lossless go.mod/go.work syntax tree (modfile.FileSyntax): lines, blocks and comments
//! with positions, the lexer (nom recognizers driven one token ahead, as modfile's reader) and
//! the comment attachment pass.

use super::quote::{is_print, is_space, quote_rune};
use nom::bytes::complete::{tag, take_till, take_while};
use nom::combinator::{opt, recognize};
use nom::sequence::pair;
use nom::{IResult, Parser};
use serde::Serialize;

/// A position: 1-based line, 1-based rune column (modfile's LineRune), 0-based byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub col: usize,
    pub byte: usize,
}

impl Position {
    /// Position after `s` when `s` starts here (modfile Position.add), for ASCII `s`.
    fn add_ascii(self, s: &str) -> Position {
        Position {
            line: self.line,
            col: self.col + s.len(),
            byte: self.byte + s.len(),
        }
    }
}

/// One `//` comment; `token` has no trailing newline. An empty token is a preserved blank line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub start: Position,
    pub token: String,
    pub suffix: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Comments {
    pub before: Vec<Comment>,
    pub suffix: Vec<Comment>,
    pub after: Vec<Comment>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Line {
    pub comments: Comments,
    pub start: Position,
    /// Raw token texts (quoted strings keep their quotes).
    pub token: Vec<String>,
    pub in_block: bool,
    pub end: Position,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Paren {
    pub comments: Comments,
    pub pos: Position,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LineBlock {
    pub comments: Comments,
    pub start: Position,
    pub lparen: Paren,
    pub token: Vec<String>,
    pub line: Vec<Line>,
    pub rparen: Paren,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommentBlock {
    pub comments: Comments,
    pub start: Position,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Stmt {
    Comments(CommentBlock),
    Line(Line),
    Block(LineBlock),
}

impl Stmt {
    pub fn comments_mut(&mut self) -> &mut Comments {
        match self {
            Stmt::Comments(c) => &mut c.comments,
            Stmt::Line(l) => &mut l.comments,
            Stmt::Block(b) => &mut b.comments,
        }
    }
    pub fn comments(&self) -> &Comments {
        match self {
            Stmt::Comments(c) => &c.comments,
            Stmt::Line(l) => &l.comments,
            Stmt::Block(b) => &b.comments,
        }
    }
}

/// A whole file's syntax.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileSyntax {
    pub name: String,
    pub comments: Comments,
    pub stmt: Vec<Stmt>,
}

/// A lexer/parser error: position and message (modfile stops at the first one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: Position,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Eof,
    EolComment,
    Ident,
    Str,
    Comment,
    Punct(u8),
}

impl Kind {
    fn is_eol(self) -> bool {
        matches!(self, Kind::Eof | Kind::EolComment | Kind::Punct(b'\n'))
    }
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    pos: Position,
    end: Position,
    text: String,
}

// nom recognizers for the simple token shapes; strings and identifiers need rune decoding
// and Go's exact error positions, so the driver scans those itself.
fn blanks(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(|b| b == b' ' || b == b'\t' || b == b'\r').parse(i)
}

fn line_comment(i: &[u8]) -> IResult<&[u8], &[u8]> {
    recognize(pair(
        pair(tag(&b"//"[..]), take_till(|b| b == b'\n')),
        opt(tag(&b"\n"[..])),
    ))
    .parse(i)
}

/// Decodes one rune as Go's utf8.DecodeRune: invalid bytes are U+FFFD of width 1.
fn decode(b: &[u8]) -> (char, usize) {
    let n = b.len().min(4);
    for w in 1..=n {
        if let Ok(s) = std::str::from_utf8(&b[..w]) {
            if let Some(c) = s.chars().next() {
                return (c, w);
            }
        }
    }
    ('\u{FFFD}', 1)
}

fn is_ident(c: char) -> bool {
    !matches!(c, ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',') && !is_space(c) && is_print(c)
}

struct Input<'a> {
    file: &'a str,
    data: &'a [u8],
    pos: Position,
    tok: Token,
    /// Suffix (end-of-line) comments, for attachment after parsing.
    comments: Vec<Comment>,
}

type PResult<T> = Result<T, SyntaxError>;

impl<'a> Input<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.data[self.pos.byte..]
    }

    fn err<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(SyntaxError {
            pos: self.pos,
            message: message.into(),
        })
    }

    /// Advances over ASCII blanks (no newline).
    fn advance(&mut self, n: usize) {
        self.pos.col += n;
        self.pos.byte += n;
    }

    fn read_rune(&mut self) -> char {
        let (c, w) = decode(self.rest());
        if c == '\n' {
            self.pos.line += 1;
            self.pos.col = 1;
        } else {
            self.pos.col += 1;
        }
        self.pos.byte += w;
        c
    }

    fn peek_rune(&self) -> Option<char> {
        if self.rest().is_empty() {
            None
        } else {
            Some(decode(self.rest()).0)
        }
    }

    fn text(&self, start: usize) -> String {
        String::from_utf8_lossy(&self.data[start..self.pos.byte]).into_owned()
    }

    fn read_token(&mut self) -> PResult<()> {
        if let Ok((_, sp)) = blanks(self.rest()) {
            self.advance(sp.len());
        }
        let rest = self.rest();
        if rest.starts_with(b"//") {
            let start = self.pos;
            let line_start = self.data[..start.byte]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let before = String::from_utf8_lossy(&self.data[line_start..start.byte]);
            let suffix = !before.trim().is_empty();
            let Ok((_, com)) = line_comment(rest) else {
                return self.err("internal lexer error");
            };
            // Rune-accurate advance over the comment.
            let n = com.len();
            while self.pos.byte < start.byte + n {
                self.read_rune();
            }
            let mut text = self.text(start.byte);
            if text.ends_with("\r\n") {
                text.truncate(text.len() - 2);
            } else if text.ends_with('\n') {
                text.pop();
            }
            let kind = if suffix {
                self.comments.push(Comment {
                    start,
                    token: text.clone(),
                    suffix: true,
                });
                Kind::EolComment
            } else {
                Kind::Comment
            };
            self.tok = Token {
                kind,
                pos: start,
                end: self.pos,
                text,
            };
            return Ok(());
        }
        if rest.starts_with(b"/*") {
            return self.err("mod files must use // comments (not /* */ comments)");
        }
        let start = self.pos;
        let Some(c) = self.peek_rune() else {
            self.tok = Token {
                kind: Kind::Eof,
                pos: start,
                end: start,
                text: String::new(),
            };
            return Ok(());
        };
        let kind = match c {
            '\n' | '(' | ')' | '[' | ']' | '{' | '}' | ',' => {
                self.read_rune();
                Kind::Punct(c as u8)
            }
            '"' | '`' => {
                self.read_rune();
                loop {
                    let Some(p) = self.peek_rune() else {
                        self.pos = start;
                        return self.err("unexpected EOF in string");
                    };
                    if p == '\n' {
                        return self.err("unexpected newline in string");
                    }
                    let r = self.read_rune();
                    if r == c {
                        break;
                    }
                    if r == '\\' && c != '`' {
                        if self.peek_rune().is_none() {
                            self.pos = start;
                            return self.err("unexpected EOF in string");
                        }
                        self.read_rune();
                    }
                }
                Kind::Str
            }
            c if !is_ident(c) => {
                return self.err(format!("unexpected input character {}", quote_rune(c)));
            }
            _ => {
                while let Some(p) = self.peek_rune() {
                    if !is_ident(p) {
                        break;
                    }
                    if self.rest().starts_with(b"//") {
                        break;
                    }
                    if self.rest().starts_with(b"/*") {
                        return self.err("mod files must use // comments (not /* */ comments)");
                    }
                    self.read_rune();
                }
                Kind::Ident
            }
        };
        self.tok = Token {
            kind,
            pos: start,
            end: self.pos,
            text: self.text(start.byte),
        };
        Ok(())
    }

    fn peek(&self) -> Kind {
        self.tok.kind
    }

    fn lex(&mut self) -> PResult<Token> {
        let t = self.tok.clone();
        self.read_token()?;
        Ok(t)
    }

    fn parse_file(&mut self) -> PResult<FileSyntax> {
        let mut file = FileSyntax {
            name: self.file.to_string(),
            ..Default::default()
        };
        let mut cb: Option<CommentBlock> = None;
        loop {
            match self.peek() {
                Kind::Punct(b'\n') => {
                    self.lex()?;
                    if let Some(c) = cb.take() {
                        file.stmt.push(Stmt::Comments(c));
                    }
                }
                Kind::Comment => {
                    let t = self.lex()?;
                    let c = cb.get_or_insert_with(|| CommentBlock {
                        comments: Comments::default(),
                        start: t.pos,
                    });
                    c.comments.before.push(Comment {
                        start: t.pos,
                        token: t.text,
                        suffix: false,
                    });
                }
                Kind::Eof => {
                    if let Some(c) = cb.take() {
                        file.stmt.push(Stmt::Comments(c));
                    }
                    return Ok(file);
                }
                _ => {
                    let mut st = self.parse_stmt()?;
                    if let Some(c) = cb.take() {
                        st.comments_mut().before = c.comments.before;
                    }
                    file.stmt.push(st);
                }
            }
        }
    }

    fn parse_stmt(&mut self) -> PResult<Stmt> {
        let t = self.lex()?;
        let start = t.pos;
        let mut end = t.end;
        let mut tokens = vec![t.text];
        loop {
            let t = self.lex()?;
            if t.kind.is_eol() {
                return Ok(Stmt::Line(Line {
                    start,
                    token: tokens,
                    end,
                    ..Default::default()
                }));
            }
            if t.kind == Kind::Punct(b'(') {
                let next = self.peek();
                if next.is_eol() {
                    return Ok(Stmt::Block(self.parse_line_block(start, tokens, t)?));
                } else if next == Kind::Punct(b')') {
                    let rparen = self.lex()?;
                    if self.peek().is_eol() {
                        self.lex()?;
                        return Ok(Stmt::Block(LineBlock {
                            start,
                            token: tokens,
                            lparen: Paren {
                                pos: t.pos,
                                ..Default::default()
                            },
                            rparen: Paren {
                                pos: rparen.pos,
                                ..Default::default()
                            },
                            ..Default::default()
                        }));
                    }
                    tokens.push(t.text);
                    tokens.push(rparen.text);
                } else {
                    tokens.push(t.text);
                }
            } else {
                tokens.push(t.text);
                end = t.end;
            }
        }
    }

    fn parse_line_block(
        &mut self,
        start: Position,
        token: Vec<String>,
        lparen: Token,
    ) -> PResult<LineBlock> {
        let mut x = LineBlock {
            start,
            token,
            lparen: Paren {
                pos: lparen.pos,
                ..Default::default()
            },
            ..Default::default()
        };
        let mut comments: Vec<Comment> = Vec::new();
        loop {
            match self.peek() {
                Kind::EolComment => {
                    self.lex()?;
                }
                Kind::Punct(b'\n') => {
                    self.lex()?;
                    let last_nonblank = comments.last().is_some_and(|c| !c.token.is_empty());
                    if (comments.is_empty() && !x.line.is_empty()) || last_nonblank {
                        comments.push(Comment::default());
                    }
                }
                Kind::Comment => {
                    let t = self.lex()?;
                    comments.push(Comment {
                        start: t.pos,
                        token: t.text,
                        suffix: false,
                    });
                }
                Kind::Eof => {
                    return self.err(format!(
                        "syntax error (unterminated block started at {}:{}:{})",
                        self.file, x.start.line, x.start.col
                    ));
                }
                Kind::Punct(b')') => {
                    let rparen = self.lex()?;
                    // A lone preserved blank line at the end of a block is dropped.
                    if comments.len() == 1 && comments[0] == Comment::default() {
                        comments.clear();
                    }
                    x.rparen.comments.before = std::mem::take(&mut comments);
                    x.rparen.pos = rparen.pos;
                    if !self.peek().is_eol() {
                        return self.err("syntax error (expected newline after closing paren)");
                    }
                    self.lex()?;
                    return Ok(x);
                }
                _ => {
                    let mut l = self.parse_line()?;
                    l.comments.before = std::mem::take(&mut comments);
                    x.line.push(l);
                }
            }
        }
    }

    fn parse_line(&mut self) -> PResult<Line> {
        let t = self.lex()?;
        if t.kind.is_eol() {
            return self.err("internal parse error: parseLine at end of line");
        }
        let start = t.pos;
        let mut end = t.end;
        let mut tokens = vec![t.text];
        loop {
            let t = self.lex()?;
            if t.kind.is_eol() {
                return Ok(Line {
                    start,
                    token: tokens,
                    end,
                    in_block: true,
                    ..Default::default()
                });
            }
            tokens.push(t.text);
            end = t.end;
        }
    }
}

/// Parses the syntax of a go.mod or go.work file (modfile's `parse`).
pub(crate) fn parse_syntax(file: &str, data: &[u8]) -> Result<FileSyntax, SyntaxError> {
    let mut input = Input {
        file,
        data,
        pos: Position {
            line: 1,
            col: 1,
            byte: 0,
        },
        tok: Token {
            kind: Kind::Eof,
            pos: Position::default(),
            end: Position::default(),
            text: String::new(),
        },
        comments: Vec::new(),
    };
    input.read_token()?;
    let mut fs = input.parse_file()?;
    assign_comments(&mut fs, std::mem::take(&mut input.comments));
    Ok(fs)
}

/// Attaches each suffix comment to the last syntax node ending before it on one line
/// (modfile assignComments; whole-line comments were already attached by the parser).
fn assign_comments(fs: &mut FileSyntax, mut suffix: Vec<Comment>) {
    // Post-order walk, visited in reverse: block end, rparen, lines (reverse), lparen.
    for st in fs.stmt.iter_mut().rev() {
        match st {
            Stmt::Comments(c) => take_suffix(&mut c.comments, c.start, c.start, &mut suffix),
            Stmt::Line(l) => take_suffix(&mut l.comments, l.start, l.end, &mut suffix),
            Stmt::Block(b) => {
                let end = b.rparen.pos.add_ascii(")");
                take_suffix(&mut b.comments, b.start, end, &mut suffix);
                let rp = b.rparen.pos;
                take_suffix(&mut b.rparen.comments, rp, rp.add_ascii(")"), &mut suffix);
                for l in b.line.iter_mut().rev() {
                    take_suffix(&mut l.comments, l.start, l.end, &mut suffix);
                }
                let lp = b.lparen.pos;
                take_suffix(&mut b.lparen.comments, lp, lp.add_ascii(")"), &mut suffix);
            }
        }
    }
    fs.comments.before.extend(suffix);
}

fn take_suffix(c: &mut Comments, start: Position, end: Position, suffix: &mut Vec<Comment>) {
    if start.line != end.line {
        return;
    }
    let mut got = Vec::new();
    while let Some(last) = suffix.last() {
        if end.byte <= last.start.byte {
            got.extend(suffix.pop());
        } else {
            break;
        }
    }
    got.reverse();
    c.suffix.extend(got);
}

/// Formats a syntax tree as modfile.Format does.
pub fn format_syntax(f: &FileSyntax) -> String {
    let mut p = Printer::default();
    p.file(f);
    let mut b = p.out;
    while b.ends_with('\n') && (b.len() == 1 || b[..b.len() - 1].ends_with('\n')) {
        b.pop();
    }
    b
}

#[derive(Default)]
struct Printer {
    out: String,
    comment: Vec<Comment>,
    margin: usize,
}

enum Node<'a> {
    Comments(&'a CommentBlock),
    Line(&'a Line),
    Block(&'a LineBlock),
    LParen(&'a Paren),
    RParen(&'a Paren),
}

impl Printer {
    fn indent(&self) -> usize {
        self.out.bytes().rev().take_while(|&b| b != b'\n').count()
    }

    fn trim(&mut self) {
        let n = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(n);
    }

    fn tabs(&mut self) {
        for _ in 0..self.margin {
            self.out.push('\t');
        }
    }

    fn newline(&mut self) {
        if !self.comment.is_empty() {
            self.out.push(' ');
            let coms = std::mem::take(&mut self.comment);
            for (i, com) in coms.iter().enumerate() {
                if i > 0 {
                    self.trim();
                    self.out.push('\n');
                    self.tabs();
                }
                self.out.push_str(com.token.trim());
            }
        }
        self.trim();
        let b = self.out.as_bytes();
        let skip = b.is_empty() || (b.len() >= 2 && b.ends_with(b"\n\n"));
        if !skip {
            self.out.push('\n');
        }
        self.tabs();
    }

    fn file(&mut self, f: &FileSyntax) {
        for com in &f.comments.before {
            self.out.push_str(com.token.trim());
            self.newline();
        }
        for (i, st) in f.stmt.iter().enumerate() {
            match st {
                Stmt::Comments(c) => self.expr(Node::Comments(c)),
                Stmt::Line(l) => {
                    self.expr(Node::Line(l));
                    self.newline();
                }
                Stmt::Block(b) => {
                    self.expr(Node::Block(b));
                    self.newline();
                }
            }
            for com in &st.comments().after {
                self.out.push_str(com.token.trim());
                self.newline();
            }
            if i + 1 < f.stmt.len() {
                self.newline();
            }
        }
    }

    fn expr(&mut self, x: Node<'_>) {
        let comments = match &x {
            Node::Comments(c) => &c.comments,
            Node::Line(l) => &l.comments,
            Node::Block(b) => &b.comments,
            Node::LParen(p) | Node::RParen(p) => &p.comments,
        };
        if !comments.before.is_empty() {
            self.trim();
            if self.indent() > 0 {
                self.out.push('\n');
            }
            self.tabs();
            for com in &comments.before {
                self.out.push_str(com.token.trim());
                self.newline();
            }
        }
        match &x {
            Node::Comments(_) => {}
            Node::LParen(_) => self.out.push('('),
            Node::RParen(_) => self.out.push(')'),
            Node::Line(l) => self.tokens(&l.token),
            Node::Block(b) => {
                self.tokens(&b.token);
                self.out.push(' ');
                self.expr(Node::LParen(&b.lparen));
                self.margin += 1;
                for l in &b.line {
                    self.newline();
                    self.expr(Node::Line(l));
                }
                self.margin -= 1;
                self.newline();
                self.expr(Node::RParen(&b.rparen));
            }
        }
        self.comment.extend(comments.suffix.iter().cloned());
    }

    fn tokens(&mut self, tokens: &[String]) {
        let mut sep = "";
        for t in tokens {
            if matches!(t.as_str(), "," | ")" | "]" | "}") {
                sep = "";
            }
            self.out.push_str(sep);
            self.out.push_str(t);
            sep = " ";
            if matches!(t.as_str(), "(" | "[" | "{") {
                sep = "";
            }
        }
    }
}
