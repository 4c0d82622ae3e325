//! go.mod and go.work: lexer, parser (strict for main modules, lax for dependencies, as
//! golang.org/x/mod/modfile), an AST with byte spans on every node, and a formatter.
//! (Contract: the types here and in `ast` are shared; the gomod helper implements parsing.)

pub mod ast;
pub mod edit;
mod rules;
pub mod syntax;

pub use rules::{
    auto_quote, check_canonical_version, is_directory_path, is_go_version, is_toolchain_name,
    module_path,
};

pub use ast::*;

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
    rules::build_mod(syntax::parse_syntax(file_name, data)?, strictness, false)
}

/// Parses a main module's go.mod as cmd/go does: strict, plus the checks cmd/go's version
/// fixer adds (a retract needs a module directive; retracted versions must match the module
/// path's major version). `parse_mod(.., Strict)` is modfile.Parse with no fixer (`go mod edit`).
pub fn parse_main_mod(file_name: &str, data: &[u8]) -> Result<ModFile, ParseErrors> {
    rules::build_mod(
        syntax::parse_syntax(file_name, data)?,
        Strictness::Strict,
        true,
    )
}

/// Parses a go.work file.
pub fn parse_work(file_name: &str, data: &[u8]) -> Result<WorkFile, ParseErrors> {
    rules::build_work(syntax::parse_syntax(file_name, data)?)
}

/// Formats a parsed go.mod as `go mod edit -fmt` would.
pub fn format_mod(f: &ModFile) -> Vec<u8> {
    syntax::format(&f.syntax)
}

/// Formats a parsed go.work as `go work edit -fmt` would.
pub fn format_work(f: &WorkFile) -> Vec<u8> {
    syntax::format(&f.syntax)
}
