//! go.sum: `<module> <version>[/go.mod] h1:<base64>` lines, read as cmd/go's readGoSum does
//! (blank lines skipped, any other line must have exactly three fields), plus the
//! duplicate and conflicting lines Go silently tolerates but a reviewer wants to see.

use crate::gomod::{ParseError, ParseErrors};
use crate::span::Span;
use serde::Serialize;
use std::collections::HashMap;

/// The `h1:` hash of an empty go.mod: an old Go bug wrote it; cmd/go drops such lines.
pub const EMPTY_GO_MOD_HASH: &str = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GoSum {
    pub lines: Vec<SumLine>,
    /// Same module, version, kind and hash listed more than once.
    pub duplicates: Vec<SumLine>,
    /// Same module, version and kind listed with different hashes.
    pub conflicts: Vec<SumConflict>,
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
    /// 1-based line number.
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SumConflict {
    pub first: SumLine,
    pub second: SumLine,
}

/// Parses go.sum. The only error, as in Go, is a line without exactly three fields:
/// `go.sum:3: wrong number of fields 5` (cmd/go prefixes it with `malformed go.sum:`).
pub fn parse(file_name: &str, data: &[u8]) -> Result<GoSum, ParseErrors> {
    let mut sum = GoSum::default();
    let mut seen: HashMap<(String, String, bool), usize> = HashMap::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    for (i, raw) in data.split(|&c| c == b'\n').enumerate() {
        let lineno = i + 1;
        let start = offset;
        offset += raw.len() + 1;
        let text = String::from_utf8_lossy(raw);
        let f: Vec<&str> = text.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        if f.len() != 3 {
            errors.push(ParseError {
                file: file_name.to_string(),
                span: Span::new(start, start + raw.len()),
                line: lineno,
                col: 1,
                context: None,
                message: format!("wrong number of fields {}", f.len()),
            });
            continue;
        }
        if f[2] == EMPTY_GO_MOD_HASH {
            continue;
        }
        let (version, go_mod) = match f[1].strip_suffix("/go.mod") {
            Some(v) => (v.to_string(), true),
            None => (f[1].to_string(), false),
        };
        let line = SumLine {
            path: f[0].to_string(),
            version,
            go_mod,
            hash: f[2].to_string(),
            span: Span::new(start, start + raw.len()),
            line: lineno,
        };
        let key = (line.path.clone(), line.version.clone(), line.go_mod);
        if let Some(&prev) = seen.get(&key) {
            let first = &sum.lines[prev];
            if first.hash == line.hash {
                sum.duplicates.push(line.clone());
            } else {
                sum.conflicts.push(SumConflict {
                    first: first.clone(),
                    second: line.clone(),
                });
            }
        } else {
            seen.insert(key, sum.lines.len());
        }
        sum.lines.push(line);
    }
    if !errors.is_empty() {
        return Err(ParseErrors(errors));
    }
    Ok(sum)
}

impl GoSum {
    /// The hash recorded for a module's content (`go_mod == false`) or its go.mod.
    pub fn hash(&self, path: &str, version: &str, go_mod: bool) -> Option<&str> {
        self.lines
            .iter()
            .find(|l| l.path == path && l.version == version && l.go_mod == go_mod)
            .map(|l| l.hash.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_wording_and_conflicts() {
        let data = b"a.com/x v1.0.0 h1:AAA=\na.com/x v1.0.0/go.mod h1:BBB=\n\nbad line\na.com/x v1.0.0 h1:CCC=\n";
        let err = parse("go.sum", data).unwrap_err();
        assert_eq!(err.to_string(), "go.sum:4: wrong number of fields 2");
        let ok = parse("go.sum", &data[..52]).unwrap();
        assert_eq!(ok.hash("a.com/x", "v1.0.0", true), Some("h1:BBB="));
        let c = parse(
            "go.sum",
            b"a.com/x v1.0.0 h1:AAA=\na.com/x v1.0.0 h1:CCC=\n",
        )
        .unwrap();
        assert_eq!(c.conflicts.len(), 1);
        assert_eq!(c.conflicts[0].second.line, 2);
    }
}
