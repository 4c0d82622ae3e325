//! go.sum: `<module> <version>[/go.mod] h1:<base64>` lines, read as cmd/go's readGoSum does
//! (blank lines skipped, any other line must have exactly three fields), plus the
//! duplicate and conflicting lines Go silently tolerates but a reviewer wants to see.

use crate::gomod::{ParseError, ParseErrors};
use crate::span::Span;
use serde::Serialize;

/// The `h1:` hash of an empty go.mod: an old Go bug wrote it; cmd/go drops such lines.
pub const EMPTY_GO_MOD_HASH: &str = "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=";

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GoSum {
    pub lines: Vec<SumLine>,
    /// Same module, version, kind and hash listed more than once.
    pub duplicates: Vec<SumLine>,
    /// Same module, version and kind listed with different hashes.
    pub conflicts: Vec<SumConflict>,
    /// Each module's lines, for `hash`: a go.sum of a 100,000-module build has 200,000
    /// lines, and a report looks up every module in it.
    #[serde(skip)]
    index: SumIndex,
}

/// `GoSum::index`: built by `parse`, for the lines as parsed.
#[derive(Clone, Debug, Default)]
struct SumIndex {
    /// Per module path, its lines (positions, in file order).
    by_path: foldhash::HashMap<String, Vec<u32>>,
    /// How many lines it covers (`hash` searches lines it does not cover).
    lines: usize,
}

/// The index is derived from the lines: two go.sum files are equal when their lines are.
impl PartialEq for SumIndex {
    fn eq(&self, _: &SumIndex) -> bool {
        true
    }
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
    // Per module path, its lines so far (positions): a repeated (path, version, kind) is
    // found among the few lines of its path.
    let mut by_path: foldhash::HashMap<String, Vec<u32>> = Default::default();
    let mut errors = Vec::new();
    let mut offset = 0;
    for (i, raw) in data.split(|&c| c == b'\n').enumerate() {
        let lineno = i + 1;
        let start = offset;
        offset += raw.len() + 1;
        let text = String::from_utf8_lossy(raw);
        let mut fields = text.split_whitespace();
        let f: [Option<&str>; 3] = [fields.next(), fields.next(), fields.next()];
        let [Some(f0), Some(f1), Some(f2)] = f else {
            let n = f.iter().flatten().count();
            if n > 0 {
                errors.push(wrong_fields(file_name, start, raw.len(), lineno, n));
            }
            continue;
        };
        let extra = fields.count();
        if extra > 0 {
            errors.push(wrong_fields(file_name, start, raw.len(), lineno, 3 + extra));
            continue;
        }
        if f2 == EMPTY_GO_MOD_HASH {
            continue;
        }
        let (version, go_mod) = match f1.strip_suffix("/go.mod") {
            Some(v) => (v, true),
            None => (f1, false),
        };
        let line = SumLine {
            path: f0.to_string(),
            version: version.to_string(),
            go_mod,
            hash: f2.to_string(),
            span: Span::new(start, start + raw.len()),
            line: lineno,
        };
        let at = sum.lines.len() as u32;
        match by_path.get_mut(f0) {
            Some(seen) => {
                let first = seen
                    .iter()
                    .map(|&j| &sum.lines[j as usize])
                    .find(|l| l.version == line.version && l.go_mod == line.go_mod);
                match first {
                    Some(first) if first.hash == line.hash => sum.duplicates.push(line.clone()),
                    Some(first) => sum.conflicts.push(SumConflict {
                        first: first.clone(),
                        second: line.clone(),
                    }),
                    None => {}
                }
                seen.push(at);
            }
            None => {
                by_path.insert(line.path.clone(), vec![at]);
            }
        }
        sum.lines.push(line);
    }
    if !errors.is_empty() {
        return Err(ParseErrors(errors));
    }
    sum.index = SumIndex {
        by_path,
        lines: sum.lines.len(),
    };
    Ok(sum)
}

/// cmd/go's `wrong number of fields N`.
fn wrong_fields(file_name: &str, start: usize, len: usize, line: usize, n: usize) -> ParseError {
    ParseError {
        file: file_name.to_string(),
        span: Span::new(start, start + len),
        line,
        col: 1,
        context: None,
        message: format!("wrong number of fields {n}"),
    }
}

impl GoSum {
    /// The hash recorded for a module's content (`go_mod == false`) or its go.mod.
    pub fn hash(&self, path: &str, version: &str, go_mod: bool) -> Option<&str> {
        let matches = |l: &&SumLine| l.path == path && l.version == version && l.go_mod == go_mod;
        let ix = &self.index;
        if ix.lines == self.lines.len() && !self.lines.is_empty() {
            // The first of the module's lines that matches, as the search below finds it.
            return ix
                .by_path
                .get(path)?
                .iter()
                .filter_map(|&i| self.lines.get(i as usize))
                .find(matches)
                .map(|l| l.hash.as_str());
        }
        self.lines.iter().find(matches).map(|l| l.hash.as_str())
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
