//! The go.mod / go.work AST. Every node carries the byte span of its source line(s),
//! so findings can point at `go.mod:LINE` and `align --write` can edit in place.

use crate::module::ModuleVersion;
use crate::span::Span;
use serde::Serialize;

/// A parsed go.mod (modfile.File).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ModFile {
    pub module: Option<ModuleDirective>,
    pub go: Option<GoDirective>,
    pub toolchain: Option<ToolchainDirective>,
    pub godebug: Vec<Godebug>,
    pub require: Vec<Require>,
    pub exclude: Vec<Exclude>,
    pub replace: Vec<Replace>,
    pub retract: Vec<Retract>,
    pub tool: Vec<Tool>,
    pub ignore: Vec<Ignore>,
    /// The lossless syntax tree the AST was read from (for formatting and edits).
    #[serde(skip)]
    pub syntax: crate::gomod::syntax::FileSyntax,
}

impl ModFile {
    /// A copy of the directives without the syntax tree (what build lists need of a main
    /// module's go.mod; a 100,000-line go.mod's tree is most of its size).
    pub fn directives(&self) -> ModFile {
        ModFile {
            module: self.module.clone(),
            go: self.go.clone(),
            toolchain: self.toolchain.clone(),
            godebug: self.godebug.clone(),
            require: self.require.clone(),
            exclude: self.exclude.clone(),
            replace: self.replace.clone(),
            retract: self.retract.clone(),
            tool: self.tool.clone(),
            ignore: self.ignore.clone(),
            syntax: Default::default(),
        }
    }
}

/// A parsed go.work (modfile.WorkFile).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct WorkFile {
    pub go: Option<GoDirective>,
    pub toolchain: Option<ToolchainDirective>,
    pub godebug: Vec<Godebug>,
    #[serde(rename = "use")]
    pub use_: Vec<Use>,
    pub replace: Vec<Replace>,
    #[serde(skip)]
    pub syntax: crate::gomod::syntax::FileSyntax,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModuleDirective {
    pub path: String,
    /// Text of a `// Deprecated:` paragraph in the comments before or after `module`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GoDirective {
    pub version: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolchainDirective {
    /// e.g. `go1.21.3` or `default`.
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Godebug {
    pub key: String,
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Require {
    pub module: ModuleVersion,
    /// Marked `// indirect`.
    pub indirect: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exclude {
    pub module: ModuleVersion,
    pub span: Span,
}

/// `replace old [v] => new [v]`; `old.version` is "" when it replaces every version,
/// `new.version` is "" for a local directory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Replace {
    pub old: ModuleVersion,
    pub new: ModuleVersion,
    pub span: Span,
}

impl Replace {
    /// A filesystem path target (`./x`, `../x`, `/abs`), as modfile.IsDirectoryPath.
    pub fn is_local(&self) -> bool {
        self.new.version.is_empty()
    }
}

/// `retract v` or `retract [low, high]`; low == high for a single version.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Retract {
    pub low: String,
    pub high: String,
    /// The rationale comment, as modfile parseDirectiveComment / retract rationale.
    pub rationale: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Tool {
    pub path: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ignore {
    pub path: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Use {
    pub path: String,
    /// The module path from the used directory's go.mod, when the caller resolved it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_path: Option<String>,
    pub span: Span,
}
