//! How the Go runtime will see a difference between two copies of a source file. The
//! package hash covers exported API, inline bodies and source positions, so: an edit that
//! shifts lines breaks loading; a comment (or blank lines) appended at the very end of the
//! file does not. Anything else is "may break": never "safe" without proof.

use crate::finding::Severity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Only CRLF vs LF line endings differ.
    LineEndings,
    /// One copy is the other plus trailing comment or blank lines.
    TrailingComment,
    /// Lines were inserted or removed before the end: later positions shift.
    ShiftsLines,
    /// Same line count, different content: declarations or positions may change.
    EditsInPlace,
}

impl Change {
    pub fn severity(self) -> Severity {
        match self {
            Change::TrailingComment => Severity::Info,
            Change::ShiftsLines => Severity::Error,
            Change::LineEndings | Change::EditsInPlace => Severity::Warning,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Change::TrailingComment => "only a comment appended at the end: still loads",
            Change::ShiftsLines => "lines inserted or removed: positions shift, loading fails",
            Change::LineEndings => "line endings differ (CRLF): may break loading",
            Change::EditsInPlace => "edited in place: may break loading",
        }
    }
}

fn is_comment_or_blank(l: &str) -> bool {
    let t = l.trim();
    t.is_empty() || t.starts_with("//")
}

pub fn classify(a: &str, b: &str) -> Change {
    if a.replace("\r\n", "\n") == b.replace("\r\n", "\n") {
        return Change::LineEndings;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if let Some(tail) = long.strip_prefix(short) {
        // The shorter copy must end at a line boundary for the tail to be whole lines.
        if (short.is_empty() || short.ends_with('\n')) && tail.lines().all(is_comment_or_blank) {
            return Change::TrailingComment;
        }
    }
    if a.lines().count() != b.lines().count() {
        Change::ShiftsLines
    } else {
        Change::EditsInPlace
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        let base = "package p\n\nfunc F() {}\n";
        assert_eq!(
            classify(base, &format!("{base}// note\n")),
            Change::TrailingComment
        );
        assert_eq!(classify(base, &format!("\n{base}")), Change::ShiftsLines);
        assert_eq!(
            classify(base, "package p\n\nfunc G() {}\n"),
            Change::EditsInPlace
        );
        assert_eq!(
            classify(base, &base.replace('\n', "\r\n")),
            Change::LineEndings
        );
        assert_eq!(
            classify(base, &format!("{base}func H() {{}}\n")),
            Change::ShiftsLines
        );
    }
}
