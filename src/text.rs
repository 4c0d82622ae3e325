//! Text from an untrusted tree (file names, go.mod comments, paths) reaches terminals and
//! Markdown viewers: every human-readable output escapes control characters with this one
//! function, so an escape sequence cannot drive the terminal and a newline cannot fake a
//! table row or a `godrift: loads` line. JSON and SARIF are escaped by their encoders.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal raw: C0/C1 controls and DEL, Unicode line and
/// paragraph separators, and the bidirectional formatting characters that reorder what a
/// reader sees ("Trojan Source"). Newlines and tabs only when `keep_lines` is false.
fn must_escape(c: char, keep_lines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_lines,
        '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

/// Escapes control characters as Go's `%q` does (`\n`, `\x1b`, `\u202e`). With
/// `keep_lines`, newlines and tabs are kept (multi-line text such as diffs and Go's
/// multi-line errors); without, the result is one line.
pub fn escape_controls(s: &str, keep_lines: bool) -> Cow<'_, str> {
    // Printable ASCII (nearly all text) has nothing to escape.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b))
        || !s.chars().any(|c| must_escape(c, keep_lines))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !must_escape(c, keep_lines) {
            out.push(c);
            continue;
        }
        let _ = match c {
            '\n' => out.write_str("\\n"),
            '\r' => out.write_str("\\r"),
            '\t' => out.write_str("\\t"),
            c if (c as u32) < 0x80 => write!(out, "\\x{:02x}", c as u32),
            c => write!(out, "\\u{:04x}", c as u32),
        };
    }
    Cow::Owned(out)
}

/// One line of terminal-safe text.
pub fn line(s: &str) -> Cow<'_, str> {
    escape_controls(s, false)
}

/// Terminal-safe text that keeps its lines.
pub fn block(s: &str) -> Cow<'_, str> {
    escape_controls(s, true)
}

/// Markdown text (a table cell, a list item): one line, and every character that could
/// start markup (emphasis, code, links, HTML, entities, a cell boundary) backslash-escaped,
/// so it renders as the text itself.
pub fn md_cell(s: &str) -> String {
    let l = line(s);
    let mut out = String::with_capacity(l.len() + 8);
    for c in l.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `|` escaped for a GFM table, inside a code span: a pipe needs an odd number of
/// backslashes before it (the cell splitter reads `\\` as one escaped backslash), so a run
/// of backslashes before a pipe is doubled and one more added.
fn escape_pipes_in_code(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut run = 0;
    for c in s.chars() {
        match c {
            '\\' => run += 1,
            '|' => {
                out.push_str(&"\\".repeat(2 * run + 1));
                out.push('|');
                run = 0;
            }
            c => {
                out.push_str(&"\\".repeat(run));
                out.push(c);
                run = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(run));
    out
}

/// A Markdown code span for any text: a fence longer than any backtick run inside, and
/// padding when the text starts or ends with a backtick (CommonMark's rule). In a table.
pub fn md_code(s: &str) -> String {
    let body = escape_pipes_in_code(&line(s));
    let fence = "`".repeat(longest_run(&body, '`') + 1);
    if body.starts_with('`') || body.ends_with('`') {
        format!("{fence} {body} {fence}")
    } else {
        format!("{fence}{body}{fence}")
    }
}

/// A fenced Markdown code block whose fence no line of `body` can close.
pub fn md_fence(lang: &str, body: &str) -> String {
    let body = block(body);
    let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
    let nl = if body.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{lang}\n{body}{nl}{fence}\n")
}

/// A Mermaid label (inside `"..."`): one line; quotes and the characters Mermaid reads as
/// markup or entity starts become entities.
pub fn mermaid_label(s: &str) -> String {
    let mut out = String::new();
    for c in line(s).chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out
}

/// A directory or argument from the tree in a shell command godrift prints for copy-paste:
/// as is when it is only safe characters, else single-quoted, so a name like `x;rm -rf ~`
/// stays one word. Control characters are escaped (such a name cannot be typed anyway).
pub fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./+=:,@%".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        return s.to_string();
    }
    format!("'{}'", line(s).replace('\'', "'\\''"))
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_as_go_quotes_them() {
        assert_eq!(line("a\x1b[31mb\nc\td\r"), "a\\x1b[31mb\\nc\\td\\r");
        assert_eq!(line("x\u{202e}y\u{9b}z\x7f"), "x\\u202ey\\u009bz\\x7f");
        assert_eq!(block("a\nb\tc\x07"), "a\nb\tc\\x07");
        assert!(matches!(line("plain é ✅"), Cow::Borrowed(_)));
    }

    proptest::proptest! {
        /// Whatever the input, one-line output has no control character left, and a
        /// Markdown cell has no line break and no unescaped pipe.
        #[test]
        fn escaped_text_is_inert(s in "(\\PC|\\p{Cc}|[\u{2028}\u{202e}\u{2066}|`\\\\])*") {
            let l = line(&s);
            proptest::prop_assert!(!l.chars().any(|c| must_escape(c, false)), "{l:?}");
            let b = block(&s);
            proptest::prop_assert!(!b.chars().any(|c| must_escape(c, true)), "{b:?}");
            for cell in [md_cell(&s), md_code(&s)] {
                proptest::prop_assert!(!cell.contains('\n'));
                proptest::prop_assert!(!splits_a_row(&cell), "{s:?} -> {cell:?}");
            }
        }

        #[test]
        fn backslashes_and_pipes_never_split_a_row(s in "[a\\\\|`*_]{0,12}") {
            for cell in [md_cell(&s), md_code(&s)] {
                proptest::prop_assert!(!splits_a_row(&cell), "{s:?} -> {cell:?}");
            }
        }
    }

    /// Whether GFM's cell scanner (cmark-gfm table.c: `\\` escapes the next character)
    /// finds an unescaped `|`.
    fn splits_a_row(cell: &str) -> bool {
        let mut chars = cell.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '|' => return true,
                _ => {}
            }
        }
        false
    }

    #[test]
    fn shell_words_stay_one_word() {
        assert_eq!(shell_word("plugins/one"), "plugins/one");
        assert_eq!(shell_word("x;rm -rf ~"), "'x;rm -rf ~'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn markdown_helpers_cannot_be_broken_out_of() {
        assert_eq!(md_cell("a|b\nc"), "a\\|b\\\\nc");
        assert_eq!(md_cell("a\\|b <img> *x*"), "a\\\\\\|b \\<img\\> \\*x\\*");
        assert_eq!(md_code("a\\|b"), "`a\\\\\\|b`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_fence("diff", "```\n+x\n"), "````diff\n```\n+x\n````\n");
        assert_eq!(mermaid_label("a\"b\nc"), "a#quot;b\\nc");
    }
}
