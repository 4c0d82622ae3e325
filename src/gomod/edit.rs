//! Format-preserving go.mod edits: each function takes a go.mod's text and returns the new
//! text with only the affected lines changed, placing new lines where cmd/go's modfile would
//! (`SetRequireSeparateIndirect` for requirements, `addReplace`/`addLine` for replacements).
//! A formatted file (`go mod edit -fmt`) stays formatted. Every result is parsed again, so an
//! edit can never produce a go.mod Go would reject.

use super::rules::auto_quote;
use super::syntax::{Comments, Line, Stmt};
use super::{parse_mod, ModFile, ParseErrors, Strictness};
use crate::module::ModuleVersion;

fn parse(text: &str) -> Result<ModFile, ParseErrors> {
    parse_mod("go.mod", text.as_bytes(), Strictness::Strict)
}

/// Byte offset of the start of the line holding `off`.
fn line_start(text: &str, off: usize) -> usize {
    text[..off].rfind('\n').map_or(0, |i| i + 1)
}

/// Byte offset just past the newline ending the line holding `off` (or the text's end).
fn line_end(text: &str, off: usize) -> usize {
    text[off..].find('\n').map_or(text.len(), |i| off + i + 1)
}

/// modfile's isIndirect: a suffix comment `// indirect` or `// indirect; ...`.
fn is_indirect(c: &Comments) -> bool {
    let Some(first) = c.suffix.first() else {
        return false;
    };
    let f: Vec<&str> = first
        .token
        .trim_start_matches("//")
        .split_whitespace()
        .collect();
    (f.len() == 1 && f[0] == "indirect") || (f.len() > 1 && f[0] == "indirect;")
}

/// SetRequireSeparateIndirect's hasComments: comments other than `// indirect`.
fn has_comments(c: &Comments) -> bool {
    !c.before.is_empty()
        || !c.after.is_empty()
        || c.suffix.len() > 1
        || c.suffix.len() == 1 && c.suffix[0].token.trim_start_matches("//").trim() != "indirect"
}

fn splice(text: &str, start: usize, end: usize, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..start]);
    out.push_str(with);
    out.push_str(&text[end..]);
    out
}

/// Inserts `line_tokens` (without the verb) as a new line of `block`'s lines, before the first
/// line that sorts after it (modfile.SortBlocks' order), keeping the block's indentation.
fn insert_in_block(
    text: &str,
    lines: &[Line],
    rparen: usize,
    first_token: &str,
    body: &str,
) -> String {
    let indent = lines
        .first()
        .map(|l| {
            let s = line_start(text, l.start.byte);
            text[s..l.start.byte].to_string()
        })
        .unwrap_or_else(|| "\t".into());
    let at = lines
        .iter()
        .find(|l| l.tokens.first().is_some_and(|t| t.as_str() > first_token))
        .map_or_else(
            || line_start(text, rparen),
            |l| line_start(text, l.start.byte),
        );
    splice(text, at, at, &format!("{indent}{body}\n"))
}

/// Appends a new top-level statement after the statement ending at `after` (a byte offset on
/// its last line), or at the end of the file: separated by a blank line, as the formatter
/// separates statements.
fn insert_statement(text: &str, after: Option<usize>, stmt: &str) -> String {
    match after {
        Some(off) => {
            let at = line_end(text, off);
            let nl = if text[..at].ends_with('\n') { "" } else { "\n" };
            splice(text, at, at, &format!("{nl}\n{stmt}\n"))
        }
        None => {
            let mut out = text.to_string();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(stmt);
            out.push('\n');
            out
        }
    }
}

/// Removes the lines `[start, end)` (whole lines), and one blank line next to them when the
/// removed lines were a statement of their own, so statements stay one blank line apart.
fn remove_lines(text: &str, mut start: usize, mut end: usize, statement: bool) -> String {
    if statement {
        let blank_before = start >= 2 && &text[start - 2..start] == "\n\n";
        let blank_after = text[end..].starts_with('\n');
        if blank_before {
            start -= 1;
        } else if blank_after || end == text.len() {
            end = (end + usize::from(blank_after)).min(text.len());
        }
    }
    splice(text, start, end, "")
}

/// Where a new requirement goes (SetRequireSeparateIndirect): the last uncommented block
/// holding only indirect (or only direct) requirements; else a new statement after the last
/// require statement; else the end of the file.
enum Place<'a> {
    Block { lines: &'a [Line], rparen: usize },
    After(usize),
    End,
}

fn require_place(f: &ModFile, indirect: bool) -> Place<'_> {
    let mut last_require = None;
    let mut last_match = None;
    for s in &f.syntax.stmts {
        match s {
            Stmt::Line(l) if l.tokens.first().is_some_and(|t| t == "require") => {
                last_require = Some(s);
                if !has_comments(&l.comments) && is_indirect(&l.comments) == indirect {
                    last_match = Some(s);
                }
            }
            Stmt::Block(b) if b.tokens.first().is_some_and(|t| t == "require") => {
                last_require = Some(s);
                let uniform = !b.lines.is_empty()
                    && !has_comments(&b.comments)
                    && b.lines.iter().all(|l| {
                        !has_comments(&l.comments) && is_indirect(&l.comments) == indirect
                    });
                if uniform {
                    last_match = Some(s);
                }
            }
            _ => {}
        }
    }
    match last_match.or(last_require) {
        Some(Stmt::Block(b)) if last_match.is_some() => Place::Block {
            lines: &b.lines,
            rparen: b.rparen.0.byte,
        },
        Some(Stmt::Block(b)) => Place::After(b.rparen.0.byte),
        Some(Stmt::Line(l)) => Place::After(l.end.byte),
        _ => Place::End,
    }
}

/// Sets the required version of `path` on every require line naming it; when go.mod does not
/// require it, adds `path version` (marked `// indirect` when `indirect`) where cmd/go would.
pub fn set_require(
    text: &str,
    path: &str,
    version: &str,
    indirect: bool,
) -> Result<String, ParseErrors> {
    set_requires(text, &[(path.to_string(), version.to_string(), indirect)])
}

/// `set_require` for many modules at once, on one parse of the file. New requirements of one
/// kind (direct or indirect) that have no block to join go into one new statement: a line for
/// one, a block for several (as modfile's Cleanup leaves them).
pub fn set_requires(text: &str, reqs: &[(String, String, bool)]) -> Result<String, ParseErrors> {
    if reqs.is_empty() {
        return Ok(text.to_string());
    }
    let f = parse(text)?;
    set_requires_on(text, &f, reqs).map(|(out, _)| out)
}

/// `set_requires` on `f`, the parse of `text` the caller already has; returns the new text
/// with its parse (the check every edit gets).
pub fn set_requires_on(
    text: &str,
    f: &ModFile,
    reqs: &[(String, String, bool)],
) -> Result<(String, ModFile), ParseErrors> {
    let out = splice_requires(text, f, reqs);
    let parsed = parse(&out)?;
    Ok((out, parsed))
}

/// `set_requires` on `f`, the parse of `text`, without checking the result: for showing one
/// module's part of an edit whose whole was checked.
pub fn set_requires_unchecked(text: &str, f: &ModFile, reqs: &[(String, String, bool)]) -> String {
    splice_requires(text, f, reqs)
}

fn splice_requires(text: &str, f: &ModFile, reqs: &[(String, String, bool)]) -> String {
    // Where each asked module is required: indexed when many are asked (a plan's edit),
    // looked up by a scan when few are (each proposal's own diff asks one).
    let mut index: foldhash::HashMap<&str, Vec<crate::span::Span>> = Default::default();
    if reqs.len() > 8 {
        for r in &f.require {
            index
                .entry(r.module.path.as_str())
                .or_default()
                .push(r.span);
        }
    }
    let spans_of = |path: &str| -> Option<Vec<crate::span::Span>> {
        if reqs.len() > 8 {
            return index.get(path).cloned();
        }
        let found: Vec<_> = f
            .require
            .iter()
            .filter(|r| r.module.path == path)
            .map(|r| r.span)
            .collect();
        (!found.is_empty()).then_some(found)
    };
    // (start, end, replacement); insertions have start == end and keep their order.
    let mut splices: Vec<(usize, usize, String)> = Vec::new();
    let mut new: [Vec<(String, String)>; 2] = [Vec::new(), Vec::new()];
    for (path, version, indirect) in reqs {
        match spans_of(path) {
            Some(lines) => {
                // The version is the last token of each require line.
                for s in &lines {
                    let seg = &text[s.start..s.end];
                    let trimmed = seg.trim_end();
                    let at = trimmed.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                    splices.push((s.start + at, s.start + trimmed.len(), version.clone()));
                }
            }
            None => {
                let quoted = auto_quote(path);
                let comment = if *indirect { " // indirect" } else { "" };
                let body = format!("{quoted} {version}{comment}");
                new[usize::from(*indirect)].push((quoted, body));
            }
        }
    }
    for (kind, mut lines) in new.into_iter().enumerate() {
        if lines.is_empty() {
            continue;
        }
        lines.sort();
        lines.dedup_by(|a, b| a.0 == b.0);
        let stmt = || {
            if lines.len() == 1 {
                format!("require {}", lines[0].1)
            } else {
                let body: String = lines.iter().map(|(_, b)| format!("\t{b}\n")).collect();
                format!("require (\n{body})")
            }
        };
        match require_place(f, kind == 1) {
            Place::Block {
                lines: block,
                rparen,
            } => {
                let indent = block
                    .first()
                    .map(|l| text[line_start(text, l.start.byte)..l.start.byte].to_string())
                    .unwrap_or_else(|| "\t".into());
                for (quoted, body) in &lines {
                    let at = block
                        .iter()
                        .find(|l| l.tokens.first().is_some_and(|t| t > quoted))
                        .map_or_else(
                            || line_start(text, rparen),
                            |l| line_start(text, l.start.byte),
                        );
                    splices.push((at, at, format!("{indent}{body}\n")));
                }
            }
            Place::After(off) => {
                let at = line_end(text, off);
                let nl = if text[..at].ends_with('\n') { "" } else { "\n" };
                splices.push((at, at, format!("{nl}\n{}\n", stmt())));
            }
            Place::End => {
                let mut pre = String::new();
                if !text.is_empty() && !text.ends_with('\n') {
                    pre.push('\n');
                }
                if !text.is_empty() {
                    pre.push('\n');
                }
                splices.push((text.len(), text.len(), format!("{pre}{}\n", stmt())));
            }
        }
    }
    // Ascending, insertions at one position in the order they were made.
    let mut order: Vec<usize> = (0..splices.len()).collect();
    order.sort_by_key(|&i| (splices[i].0, i));
    let mut out = String::with_capacity(text.len() + 64 * reqs.len());
    let mut at = 0;
    for i in order {
        let (start, end, with) = &splices[i];
        out.push_str(&text[at..*start]);
        out.push_str(with);
        at = *end;
    }
    out.push_str(&text[at..]);
    out
}

/// The statement (a line or a block) holding the byte offset `off`, with whether it is a block.
fn statement_of(f: &ModFile, off: usize) -> Option<&Stmt> {
    f.syntax.stmts.iter().find(|s| match s {
        Stmt::Line(l) => l.start.byte <= off && off <= l.end.byte,
        Stmt::Block(b) => b.start.byte <= off && off <= b.rparen.0.byte,
        Stmt::Comments { .. } => false,
    })
}

/// Removes the replace directive(s) of `path` (any version): an emptied block goes too.
pub fn drop_replaces(text: &str, path: &str) -> Result<String, ParseErrors> {
    let mut out = text.to_string();
    loop {
        let f = parse(&out)?;
        let Some(r) = f.replace.iter().find(|r| r.old.path == path) else {
            break;
        };
        out = match statement_of(&f, r.span.start) {
            Some(Stmt::Block(b)) if b.lines.len() == 1 => {
                let (s, e) = (
                    line_start(&out, b.start.byte),
                    line_end(&out, b.rparen.0.byte),
                );
                remove_lines(&out, s, e, true)
            }
            Some(Stmt::Block(_)) => {
                let (s, e) = (line_start(&out, r.span.start), line_end(&out, r.span.end));
                remove_lines(&out, s, e, false)
            }
            _ => {
                let (s, e) = (line_start(&out, r.span.start), line_end(&out, r.span.end));
                remove_lines(&out, s, e, true)
            }
        };
    }
    parse(&out)?;
    Ok(out)
}

/// Replaces every version of `path` by `new` (a module version, or a directory when its
/// version is ""): the first existing replacement of `path` is rewritten in place and any
/// other dropped; else a new line goes after the last replace statement (modfile.addReplace).
pub fn set_replace(text: &str, path: &str, new: &ModuleVersion) -> Result<String, ParseErrors> {
    let mut body = format!("{} => {}", auto_quote(path), auto_quote(&new.path));
    if !new.version.is_empty() {
        body.push(' ');
        body.push_str(&new.version);
    }
    let f = parse(text)?;
    let existing: Vec<_> = f.replace.iter().filter(|r| r.old.path == path).collect();
    let out = if let Some(first) = existing.first() {
        let in_block = matches!(statement_of(&f, first.span.start), Some(Stmt::Block(_)));
        let line = if in_block {
            body
        } else {
            format!("replace {body}")
        };
        let rewritten = splice(text, first.span.start, first.span.end, &line);
        if existing.len() == 1 {
            rewritten
        } else {
            // Drop the others, then put the rewritten one back.
            let without = drop_replaces(&rewritten, path)?;
            return set_replace(&without, path, new);
        }
    } else {
        let last = f.syntax.stmts.iter().rev().find(|s| match s {
            Stmt::Line(l) => l.tokens.first().is_some_and(|t| t == "replace"),
            Stmt::Block(b) => b.tokens.first().is_some_and(|t| t == "replace"),
            Stmt::Comments { .. } => false,
        });
        match last {
            Some(Stmt::Block(b)) => {
                insert_in_block(text, &b.lines, b.rparen.0.byte, &auto_quote(path), &body)
            }
            Some(Stmt::Line(l)) => {
                insert_statement(text, Some(l.end.byte), &format!("replace {body}"))
            }
            _ => insert_statement(text, None, &format!("replace {body}")),
        }
    };
    parse(&out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formatted(text: &str) -> bool {
        let f = parse(text).unwrap();
        String::from_utf8(super::super::format_mod(&f)).unwrap() == text
    }

    const BASE: &str = "module example.com/p\n\ngo 1.22\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/c v1.0.0\n)\n\nrequire example.com/z v1.0.0 // indirect\n\nreplace example.com/a => ../a\n";

    #[test]
    fn sets_and_adds_requirements_in_place() {
        assert!(formatted(BASE));
        let t = set_require(BASE, "example.com/c", "v1.2.0", true).unwrap();
        assert_eq!(t, BASE.replace("c v1.0.0", "c v1.2.0"));
        // A new direct requirement goes into the direct block, sorted.
        let t = set_require(BASE, "example.com/b", "v0.1.0", false).unwrap();
        assert!(
            t.contains("\texample.com/a v1.0.0\n\texample.com/b v0.1.0\n\texample.com/c"),
            "{t}"
        );
        assert!(formatted(&t), "{t}");
        // A new indirect one goes next to the last indirect-only statement.
        let t = set_require(BASE, "example.com/y", "v0.1.0", true).unwrap();
        assert!(
            t.contains("require example.com/z v1.0.0 // indirect\n\nrequire example.com/y v0.1.0 // indirect\n\nreplace"),
            "{t}"
        );
        assert!(formatted(&t), "{t}");
        let changed = BASE.lines().zip(t.lines()).filter(|(a, b)| a != b).count();
        assert!(changed <= 3, "{t}");
    }

    #[test]
    fn indirect_block_and_empty_files() {
        let t = "module m\n\ngo 1.21\n\nrequire (\n\ta.com/a v1.0.0 // indirect\n\tc.com/c v1.0.0 // indirect\n)\n";
        let out = set_require(t, "b.com/b", "v1.1.0", true).unwrap();
        assert!(
            out.contains("a v1.0.0 // indirect\n\tb.com/b v1.1.0 // indirect\n\tc.com"),
            "{out}"
        );
        let bare = "module m\n\ngo 1.21\n";
        let out = set_require(bare, "b.com/b", "v1.1.0", true).unwrap();
        assert_eq!(
            out,
            "module m\n\ngo 1.21\n\nrequire b.com/b v1.1.0 // indirect\n"
        );
        assert!(formatted(&out));
    }

    #[test]
    fn replacements_are_rewritten_added_and_dropped() {
        let t = set_replace(BASE, "example.com/a", &ModuleVersion::new("../../a", "")).unwrap();
        assert!(t.ends_with("replace example.com/a => ../../a\n"), "{t}");
        let t = set_replace(
            BASE,
            "example.com/c",
            &ModuleVersion::new("example.com/fork", "v1.0.1"),
        )
        .unwrap();
        assert!(t.ends_with("replace example.com/a => ../a\n\nreplace example.com/c => example.com/fork v1.0.1\n"), "{t}");
        assert!(formatted(&t));
        let t = drop_replaces(&t, "example.com/a").unwrap();
        assert!(!t.contains("=> ../a"), "{t}");
        assert!(formatted(&t), "{t:?}");
        let t = drop_replaces(&t, "example.com/c").unwrap();
        assert!(formatted(&t), "{t:?}");
        assert!(!t.contains("replace"), "{t}");
        let block = "module m\n\ngo 1.21\n\nreplace (\n\ta.com/a v1.0.0 => ../a\n\ta.com/a => ../a2\n\tb.com/b => ../b\n)\n";
        let t = set_replace(block, "a.com/a", &ModuleVersion::new("a.com/a", "v1.2.0")).unwrap();
        assert_eq!(
            t,
            "module m\n\ngo 1.21\n\nreplace (\n\ta.com/a => a.com/a v1.2.0\n\tb.com/b => ../b\n)\n"
        );
        let t = drop_replaces(&t, "b.com/b").unwrap();
        assert!(formatted(&t), "{t:?}");
        let t = drop_replaces(&t, "a.com/a").unwrap();
        assert_eq!(t, "module m\n\ngo 1.21\n");
    }
}
