//! The lossless layer under the go.mod/go.work AST: a lexer and a line/block parser that
//! keep every token and comment with its position, as golang.org/x/mod/modfile's
//! FileSyntax does, so files can be formatted back exactly as `go mod edit -fmt` would.
//!
//! Token scanning uses nom combinators; the statement grammar (lines, `verb (` blocks,
//! comment attachment) follows modfile's rules, including its error texts.

use super::{ParseError, ParseErrors};
use crate::span::Span;
use nom::bytes::complete::{take_till, take_while};
use nom::IResult;

/// A position as modfile counts it: 1-based line, 1-based rune column, byte offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
    pub byte: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comment {
    pub start: Pos,
    /// The comment text including `//`; "" for a preserved blank line inside a block.
    pub token: String,
    pub suffix: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comments {
    pub before: Vec<Comment>,
    pub suffix: Vec<Comment>,
    pub after: Vec<Comment>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub comments: Comments,
    pub start: Pos,
    pub tokens: Vec<String>,
    pub in_block: bool,
    pub end: Pos,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineBlock {
    pub comments: Comments,
    pub start: Pos,
    pub lparen: (Pos, Comments),
    pub tokens: Vec<String>,
    pub lines: Vec<Line>,
    pub rparen: (Pos, Comments),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    Comments { comments: Comments, start: Pos },
    Line(Line),
    Block(LineBlock),
}

impl Stmt {
    fn comments_mut(&mut self) -> &mut Comments {
        match self {
            Stmt::Comments { comments, .. } => comments,
            Stmt::Line(l) => &mut l.comments,
            Stmt::Block(b) => &mut b.comments,
        }
    }

    pub fn comments(&self) -> &Comments {
        match self {
            Stmt::Comments { comments, .. } => comments,
            Stmt::Line(l) => &l.comments,
            Stmt::Block(b) => &b.comments,
        }
    }
}

/// A whole file: statements plus comments that belong to no statement.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSyntax {
    pub name: String,
    pub stmts: Vec<Stmt>,
    pub comments: Comments,
}

impl Line {
    pub fn span(&self) -> Span {
        Span::new(self.start.byte, self.end.byte)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Eof,
    EolComment,
    Ident,
    Str,
    Comment,
    Newline,
    Punct(u8),
}

impl Kind {
    fn is_eol(self) -> bool {
        matches!(self, Kind::Eof | Kind::EolComment | Kind::Newline)
    }
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    pos: Pos,
    end: Pos,
    text: String,
}

/// The lexer fails fast, as modfile's does: the first error ends parsing.
struct Lexer<'a> {
    file: &'a str,
    data: &'a [u8],
    pos: Pos,
    token: Token,
    comments: Vec<Comment>,
}

fn spaces(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while(|c| c == b' ' || c == b'\t' || c == b'\r')(i)
}

fn to_eol(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_till(|c| c == b'\n')(i)
}

/// Decodes one rune as Go's utf8.DecodeRune: invalid bytes give U+FFFD of width 1.
fn decode_rune(b: &[u8]) -> (char, usize) {
    let n = match b.first() {
        None => return ('\0', 0),
        Some(&c) if c < 0x80 => return (c as char, 1),
        Some(&c) if c >= 0xF0 => 4,
        Some(&c) if c >= 0xE0 => 3,
        Some(_) => 2,
    };
    match b.get(..n).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (s.chars().next().unwrap_or('\u{FFFD}'), n),
        None => ('\u{FFFD}', 1),
    }
}
pub(crate) use crate::module::is_go_print as is_print;

fn is_ident(r: char) -> bool {
    match r {
        ' ' | '(' | ')' | '[' | ']' | '{' | '}' | ',' => false,
        _ => !r.is_whitespace() && is_print(r),
    }
}

/// Go's `%q` for a rune (strconv.QuoteRune).
pub(crate) use crate::module::go_quote_rune as quote_rune;

impl<'a> Lexer<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.data[self.pos.byte..]
    }

    fn error_at(&self, pos: Pos, msg: String) -> ParseErrors {
        ParseErrors(vec![ParseError {
            file: self.file.to_string(),
            span: Span::new(pos.byte, pos.byte),
            line: pos.line,
            col: pos.col,
            context: None,
            message: msg,
        }])
    }

    /// Advances over `n` bytes, keeping line and rune column.
    fn advance(&mut self, n: usize) {
        let end = (self.pos.byte + n).min(self.data.len());
        while self.pos.byte < end {
            let (r, size) = decode_rune(self.rest());
            self.pos.byte += size.max(1);
            if r == '\n' {
                self.pos.line += 1;
                self.pos.col = 1;
            } else {
                self.pos.col += 1;
            }
        }
    }

    fn text(&self, start: Pos) -> String {
        String::from_utf8_lossy(&self.data[start.byte..self.pos.byte]).into_owned()
    }

    fn lex(&mut self) -> Result<Token, ParseErrors> {
        let tok = self.token.clone();
        self.read_token()?;
        Ok(tok)
    }

    fn peek(&self) -> Kind {
        self.token.kind
    }

    fn finish(&mut self, kind: Kind, start: Pos) {
        let mut text = self.text(start);
        if matches!(kind, Kind::Comment | Kind::EolComment) {
            if text.ends_with("\r\n") {
                text.truncate(text.len() - 2);
            } else if text.ends_with('\n') {
                text.pop();
            }
        }
        self.token = Token {
            kind,
            pos: start,
            end: self.pos,
            text,
        };
    }

    fn read_token(&mut self) -> Result<(), ParseErrors> {
        if let Ok((_, ws)) = spaces(self.rest()) {
            self.advance(ws.len());
        }
        let rest = self.rest();
        if rest.starts_with(b"//") {
            let start = self.pos;
            // A comment is a suffix comment when something precedes it on its line.
            let line_start = self.data[..start.byte]
                .iter()
                .rposition(|&c| c == b'\n')
                .map_or(0, |i| i + 1);
            let suffix = self.data[line_start..start.byte]
                .iter()
                .any(|c| !c.is_ascii_whitespace());
            let body = to_eol(rest).map_or(rest.len(), |(_, b)| b.len());
            let with_newline = (body + 1).min(rest.len());
            self.advance(with_newline);
            if !suffix {
                self.finish(Kind::Comment, start);
                return Ok(());
            }
            self.finish(Kind::EolComment, start);
            self.comments.push(Comment {
                start,
                token: self.token.text.clone(),
                suffix: true,
            });
            return Ok(());
        }
        if rest.starts_with(b"/*") {
            return Err(self.error_at(
                self.pos,
                "mod files must use // comments (not /* */ comments)".into(),
            ));
        }
        let start = self.pos;
        let rest = self.rest();
        let Some(&c) = rest.first() else {
            self.finish(Kind::Eof, start);
            return Ok(());
        };
        match c {
            b'\n' => {
                self.advance(1);
                self.finish(Kind::Newline, start);
                return Ok(());
            }
            b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' => {
                self.advance(1);
                self.finish(Kind::Punct(c), start);
                return Ok(());
            }
            b'"' | b'`' => {
                self.advance(1);
                loop {
                    let Some(&d) = self.rest().first() else {
                        return Err(self.error_at(start, "unexpected EOF in string".into()));
                    };
                    if d == b'\n' {
                        return Err(self.error_at(self.pos, "unexpected newline in string".into()));
                    }
                    let (_, size) = decode_rune(self.rest());
                    self.advance(size);
                    if d == c {
                        break;
                    }
                    if d == b'\\' && c != b'`' {
                        if self.rest().is_empty() {
                            return Err(self.error_at(start, "unexpected EOF in string".into()));
                        }
                        let (_, size) = decode_rune(self.rest());
                        self.advance(size);
                    }
                }
                self.finish(Kind::Str, start);
                return Ok(());
            }
            _ => {}
        }
        let (r, _) = decode_rune(rest);
        if !is_ident(r) {
            return Err(self.error_at(
                self.pos,
                format!("unexpected input character {}", quote_rune(r)),
            ));
        }
        loop {
            let rest = self.rest();
            let (r, size) = decode_rune(rest);
            if size == 0 || !is_ident(r) || rest.starts_with(b"//") {
                break;
            }
            if rest.starts_with(b"/*") {
                return Err(self.error_at(
                    self.pos,
                    "mod files must use // comments (not /* */ comments)".into(),
                ));
            }
            self.advance(size);
        }
        self.finish(Kind::Ident, start);
        Ok(())
    }
}

/// Parses go.mod/go.work text into the lossless syntax tree.
pub fn parse_syntax(file: &str, data: &[u8]) -> Result<FileSyntax, ParseErrors> {
    let start = Pos {
        line: 1,
        col: 1,
        byte: 0,
    };
    let mut lx = Lexer {
        file,
        data,
        pos: start,
        token: Token {
            kind: Kind::Eof,
            pos: start,
            end: start,
            text: String::new(),
        },
        comments: Vec::new(),
    };
    lx.read_token()?;
    let mut f = FileSyntax {
        name: file.to_string(),
        ..FileSyntax::default()
    };
    parse_file(&mut lx, &mut f)?;
    let suffix = std::mem::take(&mut lx.comments);
    assign_comments(&mut f, suffix);
    Ok(f)
}

/// A run of whole-line comments not followed by a statement becomes its own statement.
fn flush_comment_block(f: &mut FileSyntax, cb: Option<(Pos, Vec<Comment>)>) {
    if let Some((start, before)) = cb {
        f.stmts.push(Stmt::Comments {
            comments: Comments {
                before,
                ..Comments::default()
            },
            start,
        });
    }
}

fn parse_file(lx: &mut Lexer, f: &mut FileSyntax) -> Result<(), ParseErrors> {
    let mut cb: Option<(Pos, Vec<Comment>)> = None;
    loop {
        match lx.peek() {
            Kind::Newline => {
                lx.lex()?;
                flush_comment_block(f, cb.take());
            }
            Kind::Comment => {
                let tok = lx.lex()?;
                let c = Comment {
                    start: tok.pos,
                    token: tok.text,
                    suffix: false,
                };
                match &mut cb {
                    Some((_, list)) => list.push(c),
                    None => cb = Some((tok.pos, vec![c])),
                }
            }
            Kind::Eof => {
                flush_comment_block(f, cb.take());
                return Ok(());
            }
            _ => {
                parse_stmt(lx, f)?;
                if let Some((_, before)) = cb.take() {
                    if let Some(last) = f.stmts.last_mut() {
                        last.comments_mut().before = before;
                    }
                }
            }
        }
    }
}

fn parse_stmt(lx: &mut Lexer, f: &mut FileSyntax) -> Result<(), ParseErrors> {
    let tok = lx.lex()?;
    let start = tok.pos;
    let mut end = tok.end;
    let mut tokens = vec![tok.text];
    loop {
        let tok = lx.lex()?;
        if tok.kind.is_eol() {
            f.stmts.push(Stmt::Line(Line {
                comments: Comments::default(),
                start,
                tokens,
                in_block: false,
                end,
            }));
            return Ok(());
        }
        if tok.kind == Kind::Punct(b'(') {
            let next = lx.peek();
            if next.is_eol() {
                let block = parse_line_block(lx, start, tokens, tok.pos)?;
                f.stmts.push(Stmt::Block(block));
                return Ok(());
            } else if next == Kind::Punct(b')') {
                let rparen = lx.lex()?;
                if lx.peek().is_eol() {
                    lx.lex()?;
                    f.stmts.push(Stmt::Block(LineBlock {
                        start,
                        tokens,
                        lparen: (tok.pos, Comments::default()),
                        rparen: (rparen.pos, Comments::default()),
                        ..LineBlock::default()
                    }));
                    return Ok(());
                }
                tokens.push(tok.text);
                tokens.push(rparen.text);
            } else {
                tokens.push(tok.text);
            }
        } else {
            tokens.push(tok.text);
            end = tok.end;
        }
    }
}

fn parse_line_block(
    lx: &mut Lexer,
    start: Pos,
    tokens: Vec<String>,
    lparen: Pos,
) -> Result<LineBlock, ParseErrors> {
    let mut x = LineBlock {
        start,
        tokens,
        lparen: (lparen, Comments::default()),
        ..LineBlock::default()
    };
    let mut comments: Vec<Comment> = Vec::new();
    loop {
        match lx.peek() {
            Kind::EolComment => {
                lx.lex()?;
            }
            Kind::Newline => {
                lx.lex()?;
                // Preserve a blank line as an empty comment (at most one in a row).
                let keep = (comments.is_empty() && !x.lines.is_empty())
                    || comments.last().is_some_and(|c| !c.token.is_empty());
                if keep {
                    comments.push(Comment::default());
                }
            }
            Kind::Comment => {
                let tok = lx.lex()?;
                comments.push(Comment {
                    start: tok.pos,
                    token: tok.text,
                    suffix: false,
                });
            }
            Kind::Eof => {
                let msg = format!(
                    "syntax error (unterminated block started at {}:{}:{})",
                    lx.file, x.start.line, x.start.col
                );
                return Err(lx.error_at(lx.pos, msg));
            }
            Kind::Punct(b')') => {
                let rparen = lx.lex()?;
                // A lone blank line just before `)` is not preserved.
                if comments.len() == 1 && comments[0] == Comment::default() {
                    comments.clear();
                }
                x.rparen = (
                    rparen.pos,
                    Comments {
                        before: comments,
                        ..Comments::default()
                    },
                );
                if !lx.peek().is_eol() {
                    return Err(lx.error_at(
                        lx.pos,
                        "syntax error (expected newline after closing paren)".into(),
                    ));
                }
                lx.lex()?;
                return Ok(x);
            }
            _ => {
                let mut l = parse_line(lx)?;
                l.comments.before = std::mem::take(&mut comments);
                x.lines.push(l);
            }
        }
    }
}

fn parse_line(lx: &mut Lexer) -> Result<Line, ParseErrors> {
    let tok = lx.lex()?;
    let start = tok.pos;
    let mut end = tok.end;
    let mut tokens = vec![tok.text];
    loop {
        let tok = lx.lex()?;
        if tok.kind.is_eol() {
            return Ok(Line {
                comments: Comments::default(),
                start,
                tokens,
                in_block: true,
                end,
            });
        }
        tokens.push(tok.text);
        end = tok.end;
    }
}

/// Where a suffix comment can attach, in modfile's postorder: (start, end, slot).
enum Slot {
    Stmt(usize),
    Lparen(usize),
    BlockLine(usize, usize),
    Rparen(usize),
}

/// Attaches each end-of-line comment to the syntax just before it on the same line
/// (modfile's assignComments; whole-line comments were attached while parsing).
fn assign_comments(f: &mut FileSyntax, mut suffix: Vec<Comment>) {
    let mut post: Vec<(Pos, Pos, Slot)> = Vec::new();
    for (i, s) in f.stmts.iter().enumerate() {
        match s {
            Stmt::Comments { start, .. } => post.push((*start, *start, Slot::Stmt(i))),
            Stmt::Line(l) => post.push((l.start, l.end, Slot::Stmt(i))),
            Stmt::Block(b) => {
                let paren_end = |p: Pos| Pos {
                    line: p.line,
                    col: p.col + 1,
                    byte: p.byte + 1,
                };
                post.push((b.lparen.0, paren_end(b.lparen.0), Slot::Lparen(i)));
                for (j, l) in b.lines.iter().enumerate() {
                    post.push((l.start, l.end, Slot::BlockLine(i, j)));
                }
                post.push((b.rparen.0, paren_end(b.rparen.0), Slot::Rparen(i)));
                post.push((b.start, paren_end(b.rparen.0), Slot::Stmt(i)));
            }
        }
    }
    for (start, end, slot) in post.iter().rev() {
        // Never attach to something spanning lines (a block): its last line gets it.
        if start.line != end.line {
            continue;
        }
        let target: &mut Comments = match *slot {
            Slot::Stmt(i) => f.stmts[i].comments_mut(),
            Slot::Lparen(i) => match &mut f.stmts[i] {
                Stmt::Block(b) => &mut b.lparen.1,
                _ => continue,
            },
            Slot::Rparen(i) => match &mut f.stmts[i] {
                Stmt::Block(b) => &mut b.rparen.1,
                _ => continue,
            },
            Slot::BlockLine(i, j) => match &mut f.stmts[i] {
                Stmt::Block(b) => &mut b.lines[j].comments,
                _ => continue,
            },
        };
        while suffix.last().is_some_and(|c| end.byte <= c.start.byte) {
            if let Some(c) = suffix.pop() {
                target.suffix.push(c);
            }
        }
        target.suffix.reverse();
    }
    f.comments.before.extend(suffix);
}

/// Formats the syntax tree as modfile.Format does (`go mod edit -fmt`).
pub fn format(f: &FileSyntax) -> Vec<u8> {
    let mut p = Printer::default();
    p.file(f);
    let mut b = p.out;
    while b.last() == Some(&b'\n') && (b.len() == 1 || b[b.len() - 2] == b'\n') {
        b.pop();
    }
    b
}

#[derive(Default)]
struct Printer {
    out: Vec<u8>,
    pending: Vec<Comment>,
    margin: usize,
}

impl Printer {
    fn print(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn indent(&self) -> usize {
        self.out.iter().rev().take_while(|&&c| c != b'\n').count()
    }

    fn trim(&mut self) {
        while matches!(self.out.last(), Some(b' ' | b'\t')) {
            self.out.pop();
        }
    }

    fn tabs(&mut self) {
        for _ in 0..self.margin {
            self.out.push(b'\t');
        }
    }

    fn newline(&mut self) {
        if !self.pending.is_empty() {
            self.print(" ");
            let pending = std::mem::take(&mut self.pending);
            for (i, c) in pending.iter().enumerate() {
                if i > 0 {
                    self.trim();
                    self.print("\n");
                    self.tabs();
                }
                self.print(c.token.trim());
            }
        }
        self.trim();
        let b = &self.out;
        let skip =
            b.is_empty() || (b.len() >= 2 && b[b.len() - 1] == b'\n' && b[b.len() - 2] == b'\n');
        if !skip {
            self.print("\n");
        }
        self.tabs();
    }

    fn file(&mut self, f: &FileSyntax) {
        for c in &f.comments.before {
            self.print(c.token.trim());
            self.newline();
        }
        for (i, s) in f.stmts.iter().enumerate() {
            match s {
                Stmt::Comments { comments, .. } => self.expr_comments(comments),
                Stmt::Line(l) => {
                    self.before(&l.comments);
                    self.tokens(&l.tokens);
                    self.pending.extend(l.comments.suffix.iter().cloned());
                    self.newline();
                }
                Stmt::Block(b) => {
                    self.block(b);
                    self.newline();
                }
            }
            for c in &s.comments().after {
                self.print(c.token.trim());
                self.newline();
            }
            if i + 1 < f.stmts.len() {
                self.newline();
            }
        }
    }

    fn before(&mut self, c: &Comments) {
        if c.before.is_empty() {
            return;
        }
        self.trim();
        if self.indent() > 0 {
            self.print("\n");
        }
        self.tabs();
        for com in &c.before {
            self.print(com.token.trim());
            self.newline();
        }
    }

    fn expr_comments(&mut self, c: &Comments) {
        self.before(c);
        self.pending.extend(c.suffix.iter().cloned());
    }

    fn block(&mut self, b: &LineBlock) {
        self.before(&b.comments);
        self.tokens(&b.tokens);
        self.print(" ");
        self.before(&b.lparen.1);
        self.print("(");
        self.pending.extend(b.lparen.1.suffix.iter().cloned());
        self.margin += 1;
        for l in &b.lines {
            self.newline();
            self.before(&l.comments);
            self.tokens(&l.tokens);
            self.pending.extend(l.comments.suffix.iter().cloned());
        }
        self.margin -= 1;
        self.newline();
        self.before(&b.rparen.1);
        self.print(")");
        self.pending.extend(b.rparen.1.suffix.iter().cloned());
        self.pending.extend(b.comments.suffix.iter().cloned());
    }

    fn tokens(&mut self, tokens: &[String]) {
        let mut sep = "";
        for t in tokens {
            if matches!(t.as_str(), "," | ")" | "]" | "}") {
                sep = "";
            }
            self.print(sep);
            self.print(t);
            sep = " ";
            if matches!(t.as_str(), "(" | "[" | "{") {
                sep = "";
            }
        }
    }
}
