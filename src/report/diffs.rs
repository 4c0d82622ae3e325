//! One diff per go.mod: each proposal's change carries the diff of its own module's edit
//! (against the file as it is); a reviewer wants the whole edit of a file at once. The
//! per-module diffs touch different lines, so their edits are replayed together on the
//! original text and diffed once.

use std::collections::BTreeMap;

/// What one unified diff does to the original, keyed by original line (0-based):
/// lines removed, and lines inserted before a line (`len` = at the end).
#[derive(Default)]
struct Edits {
    removed: BTreeMap<usize, ()>,
    inserted: BTreeMap<usize, Vec<String>>,
}

/// Reads the hunks of a unified diff into `edits`. None when it is not a diff of `old`
/// (a context or removed line that does not match the original).
fn read(diff: &str, old: &[&str], edits: &mut Edits) -> Option<()> {
    let mut at: Option<usize> = None;
    let mut added: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for l in diff.lines() {
        if l.starts_with("--- ") || l.starts_with("+++ ") || l.starts_with('\\') {
            continue;
        }
        if let Some(h) = l.strip_prefix("@@ -") {
            let start: usize = h.split([',', ' ']).next()?.parse().ok()?;
            // `-0,0` is an insertion into an empty file.
            at = Some(start.saturating_sub(1));
            if h.split(' ').next()?.ends_with(",0") {
                at = Some(start);
            }
            continue;
        }
        let i = at.as_mut()?;
        match l.chars().next() {
            Some('-') => {
                if old.get(*i)? != &&l[1..] {
                    return None;
                }
                edits.removed.insert(*i, ());
                *i += 1;
            }
            Some('+') => added.entry(*i).or_default().push(l[1..].to_string()),
            _ => {
                let text = l.strip_prefix(' ').unwrap_or("");
                if old.get(*i)? != &text {
                    return None;
                }
                *i += 1;
            }
        }
    }
    for (k, v) in added {
        edits.inserted.entry(k).or_default().extend(v);
    }
    Some(())
}

/// The diff of `path` with every edit of `diffs` applied to `original`; None when a diff
/// does not apply (the caller then shows the per-module diffs as they are).
pub fn merged(path: &str, original: &str, diffs: &[&str]) -> Option<String> {
    let old: Vec<&str> = original.lines().collect();
    let mut edits = Edits::default();
    for d in diffs {
        read(d, &old, &mut edits)?;
    }
    let mut new = String::with_capacity(original.len() + 64);
    for i in 0..=old.len() {
        for l in edits.inserted.get(&i).into_iter().flatten() {
            new.push_str(l);
            new.push('\n');
        }
        if i < old.len() && !edits.removed.contains_key(&i) {
            new.push_str(old[i]);
            new.push('\n');
        }
    }
    let original = if original.ends_with('\n') || original.is_empty() {
        original.to_string()
    } else {
        format!("{original}\n")
    };
    Some(
        similar::TextDiff::from_lines(&original, &new)
            .unified_diff()
            .context_radius(2)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(old: &str, new: &str) -> String {
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(2)
            .header("a/go.mod", "b/go.mod")
            .to_string()
    }

    #[test]
    fn two_edits_of_one_file_make_one_diff() {
        let old = "module m\n\nrequire (\n\ta v1.0.0\n\tb v1.0.0\n)\n\nreplace a => ../a\n";
        let one = diff(old, &old.replace("a v1.0.0", "a v1.1.0"));
        let two = diff(old, &old.replace("b v1.0.0", "b v2.0.0"));
        let three = diff(old, &format!("{old}replace c => ../c\n"));
        let got = merged("go.mod", old, &[&one, &two, &three]).unwrap();
        let want_new = old
            .replace("a v1.0.0", "a v1.1.0")
            .replace("b v1.0.0", "b v2.0.0")
            + "replace c => ../c\n";
        assert_eq!(got, diff(old, &want_new));
        // A diff of another text does not apply.
        assert!(merged("go.mod", "module x\n", &[&one]).is_none());
    }
}
