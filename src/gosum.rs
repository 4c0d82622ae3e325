//! go.sum: `<module> <version>[/go.mod] h1:<base64>` lines. (Contract stub: the
//! sum/vendor helper implements parsing, duplicate and conflict detection.)

use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GoSum {
    pub lines: Vec<SumLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SumLine {
    pub path: String,
    pub version: String,
    /// The `/go.mod` form: the hash of the module's go.mod only.
    pub go_mod: bool,
    /// The full hash text, e.g. `h1:abc...=`.
    pub hash: String,
    pub span: Span,
}
