//! go.mod and go.work: lexer, parser (strict for main modules, lax for dependencies, as
//! golang.org/x/mod/modfile), an AST with byte spans on every node, and a formatter.
//! (Contract: the types in `ast` are shared; the gomod helper implements parsing.)

pub mod ast;

pub use ast::*;
