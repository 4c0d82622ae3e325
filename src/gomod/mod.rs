//! go.mod and go.work: lexer, parser (strict for main modules, lax for dependencies, as
//! golang.org/x/mod/modfile), an AST with byte spans on every node, and a formatter.
//! (Contract: the types here and in `ast` are shared; the gomod helper implements parsing.)

pub mod ast;
mod quote;
mod rules;
pub mod syntax;
mod vers;

pub use ast::*;
pub use quote::{auto_quote, must_quote};
pub use syntax::{format_syntax, FileSyntax};
pub use vers::check_canonical_version;

use crate::span::Span;

/// Strict for a main module's go.mod (unknown directives and bad versions are errors); lax for a
/// dependency's go.mod, where Go ignores what it does not need (as `modfile.ParseLax`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    Strict,
    Lax,
}

/// One parse error. `Display` renders Go's format: `file:LINE[:COL]: [verb path: ]message`
/// (column only when > 1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ParseError {
    pub file: String,
    pub span: Span,
    /// 1-based line and column of `span.start` (computed when the error is made).
    pub line: usize,
    pub col: usize,
    /// `verb path` prefix as Go prints it (e.g. `require example.com/x`), when Go has one.
    pub context: Option<String>,
    pub message: String,
}

impl ParseError {
    pub fn render(&self) -> String {
        let mut s = format!("{}:{}", self.file, self.line);
        if self.col > 1 {
            s.push_str(&format!(":{}", self.col));
        }
        s.push_str(": ");
        if let Some(c) = &self.context {
            s.push_str(c);
            s.push_str(": ");
        }
        s.push_str(&self.message);
        s
    }
}

/// All errors of one file, in source order (Go reports several at once).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.0.iter().map(|e| e.render()).collect::<Vec<_>>().join("\n"))]
pub struct ParseErrors(pub Vec<ParseError>);

/// Parses a go.mod file. `file_name` is used in error messages only.
pub fn parse_mod(
    file_name: &str,
    data: &[u8],
    strictness: Strictness,
) -> Result<ModFile, ParseErrors> {
    rules::parse_mod(file_name, data, strictness == Strictness::Strict, false)
}

/// Parses a main module's go.mod as cmd/go does: strict, plus the checks cmd/go's version
/// fixer adds (retract needs a module directive; retracted versions must match the module
/// path's major version). `parse_mod(.., Strict)` is exactly modfile.Parse with a nil fixer.
pub fn parse_main_mod(file_name: &str, data: &[u8]) -> Result<ModFile, ParseErrors> {
    rules::parse_mod(file_name, data, true, true)
}

/// Parses a go.work file.
pub fn parse_work(file_name: &str, data: &[u8]) -> Result<WorkFile, ParseErrors> {
    rules::parse_work(file_name, data)
}

/// Parses only the syntax (lines, blocks, comments) of a go.mod or go.work file.
pub fn parse_syntax(file_name: &str, data: &[u8]) -> Result<FileSyntax, ParseErrors> {
    syntax::parse_syntax(file_name, data)
        .map_err(|e| ParseErrors(vec![rules::error_at(file_name, e.pos, None, e.message)]))
}

/// Formats a parsed go.mod as `go mod edit -fmt` (modfile.Format) does.
pub fn format_mod(f: &ModFile) -> String {
    format_syntax(&f.syntax)
}

/// Formats a parsed go.work as `go work edit -fmt` does.
pub fn format_work(f: &WorkFile) -> String {
    format_syntax(&f.syntax)
}

/// modfile.ModulePath: the module path from go.mod text, tolerant of unrelated problems;
/// "" when there is none.
pub fn module_path(data: &[u8]) -> String {
    for line in data.split(|&b| b == b'\n') {
        let line = match line.windows(2).position(|w| w == b"//") {
            Some(i) => &line[..i],
            None => line,
        };
        let line = String::from_utf8_lossy(line);
        let line = line.trim();
        let Some(rest) = line.strip_prefix("module") else {
            continue;
        };
        let t = rest.trim();
        if t.len() == rest.len() || t.is_empty() {
            continue;
        }
        if t.starts_with('"') {
            return quote::unquote(t).unwrap_or_default();
        }
        if let Some(raw) = t.strip_prefix('`') {
            return match raw.strip_suffix('`') {
                Some(r) if !r.contains('`') => r.replace('\r', ""),
                _ => String::new(),
            };
        }
        return t.to_string();
    }
    String::new()
}
