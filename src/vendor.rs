//! vendor/modules.txt (`## workspace`, `# path version [=> new [v]]`, `## explicit; go 1.21`,
//! package lines, trailing replacement lines). (Contract stub: the sum/vendor helper implements it.)

use crate::module::ModuleVersion;
use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ModulesTxt {
    /// `## workspace` at the top (vendored from a go.work workspace).
    pub workspace: bool,
    pub modules: Vec<VendoredModule>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VendoredModule {
    /// Path and version from the `# path version` line; version "" when the line has none
    /// (a replacement-only line such as `# a => ./a`).
    pub module: ModuleVersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<ModuleVersion>,
    /// `## explicit` annotation (the module is required in go.mod).
    pub explicit: bool,
    /// `## explicit; go 1.21` annotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_version: Option<String>,
    /// Package import paths listed under the module.
    pub packages: Vec<String>,
    pub span: Span,
}
