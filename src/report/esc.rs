//! Escaping for human-readable output, in one place. The project's shared escaper
//! (`crate::text`, control characters as Go's `%q` writes them) is being added on another
//! branch with these same function names: when it lands, this module becomes
//! `pub use crate::text::{...}`.

use std::borrow::Cow;
use std::fmt::Write;

/// C0/C1 controls, DEL, line/paragraph separators and bidi overrides ("Trojan Source").
fn must_escape(c: char, keep_lines: bool) -> bool {
    match c {
        '\n' | '\t' => !keep_lines,
        '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}' => true,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

fn escape_controls(s: &str, keep_lines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| must_escape(c, keep_lines)) {
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

/// Markdown text (a table cell, a list item, a summary): one line, every character that
/// could start markup backslash-escaped.
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

/// A code span for any text (fence longer than any backtick run inside; a pipe keeps an
/// odd number of backslashes before it so a GFM table cell does not split).
pub fn md_code(s: &str) -> String {
    let l = line(s);
    let mut body = String::with_capacity(l.len() + 4);
    let mut run = 0;
    for c in l.chars() {
        match c {
            '\\' => run += 1,
            '|' => {
                body.push_str(&"\\".repeat(2 * run + 1));
                body.push('|');
                run = 0;
            }
            c => {
                body.push_str(&"\\".repeat(run));
                body.push(c);
                run = 0;
            }
        }
    }
    body.push_str(&"\\".repeat(run));
    let fence = "`".repeat(longest_run(&body, '`') + 1);
    if body.starts_with('`') || body.ends_with('`') {
        format!("{fence} {body} {fence}")
    } else {
        format!("{fence}{body}{fence}")
    }
}

/// A fenced code block no line of `body` can close.
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
    fn controls_are_escaped() {
        assert_eq!(line("a\x1b[31mb\nc"), "a\\x1b[31mb\\nc");
        assert_eq!(block("a\nb\x07"), "a\nb\\x07");
        assert_eq!(md_cell("a|b <i>"), "a\\|b \\<i\\>");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_fence("diff", "```\n+x\n"), "````diff\n```\n+x\n````\n");
        assert_eq!(mermaid_label("a\"b#c"), "a#quot;b#35;c");
    }
}
