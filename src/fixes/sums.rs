//! go.sum after an edit: which lines a build needs, which are missing, and the missing ones
//! computed from the module cache (`cache/download/M/@v/V.mod` and `V.ziphash`, or the zip).

use super::source::effective;
use crate::gomod::ModFile;
use crate::gosum::GoSum;
use crate::graph::BuildList;
use crate::module::{self, ModuleVersion};
use crate::project::Side;
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One go.sum entry: a module's content (`M V h1:`) or its go.mod (`M V/go.mod h1:`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct SumEntry {
    pub module: ModuleVersion,
    pub go_mod: bool,
}

impl std::fmt::Display for SumEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let suffix = if self.go_mod { "/go.mod" } else { "" };
        write!(f, "{} {}{suffix}", self.module.path, self.module.version)
    }
}

/// Whether the go.mod `m` is read from (the module cache, or a replacement directory)
/// predates graph pruning (`go` < 1.17, or no `go` line): Go then loads everything below it.
fn unpruned(main: &ModFile, main_dir: &Path, m: &ModuleVersion, modcache: &Path) -> bool {
    let path = match effective(main, m) {
        Some(e) => download_file(modcache, &e, "mod"),
        None => main
            .replace
            .iter()
            .find(|r| r.old.path == m.path && r.is_local())
            .map(|r| main_dir.join(&r.new.path).join("go.mod")),
    };
    let Some(data) = path.and_then(|p| crate::fsio::read_input(&p).ok()) else {
        return false;
    };
    let Ok(f) = crate::gomod::parse_mod("go.mod", &data, crate::gomod::Strictness::Lax) else {
        return false;
    };
    !super::is_pruned(&f)
}

/// The modules whose go.mod Go reads to build `bl` (modload.readModGraph): the main module's
/// requirements, every module whose requirements the graph holds, and below a module without
/// graph pruning (an unpruned main module, or a dependency with `go` < 1.17) everything it
/// requires, transitively.
pub fn loaded_modules(bl: &BuildList, main: &ModFile, modcache: &Path) -> BTreeSet<ModuleVersion> {
    let mut children: foldhash::HashMap<&ModuleVersion, Vec<&ModuleVersion>> = Default::default();
    let mut out = BTreeSet::new();
    let mut queue: Vec<(&ModuleVersion, bool)> = Vec::new();
    let main_unpruned = !super::is_pruned(main);
    for (from, to) in bl.edges() {
        if from.version.is_empty() {
            if bl.main.contains(&from.path) && !to.version.is_empty() {
                queue.push((to, main_unpruned));
            }
        } else {
            out.insert(from.clone());
            children.entry(from).or_default().push(to);
        }
    }
    // Each node is visited at most twice: once pruned, once below an unpruned module.
    let mut seen: foldhash::HashMap<&ModuleVersion, bool> = Default::default();
    while let Some((m, below_unpruned)) = queue.pop() {
        match seen.get(m) {
            Some(true) => continue,
            Some(false) if !below_unpruned => continue,
            _ => {}
        }
        seen.insert(m, below_unpruned);
        out.insert(m.clone());
        let Some(kids) = children.get(m) else {
            continue;
        };
        if below_unpruned || unpruned(main, &bl.main_dir, m, modcache) {
            queue.extend(kids.iter().map(|k| (*k, true)));
        }
    }
    out
}

/// The go.sum entries Go checks when it builds `main` with build list `bl`:
/// - the go.mod of every module the graph loads (modfetch.checkGoMod);
/// - the content of every selected module that provides packages (modfetch.checkMod). Without
///   the package graph, a module provides packages when the main module requires it directly
///   (not `// indirect`: a tidy go.mod marks exactly the imported ones so) or when `sum`
///   records its content at some version: a version change then needs the new version's line
///   (the stale go.sum case).
pub fn needed_sums(
    main: &ModFile,
    bl: &BuildList,
    sum: Option<&GoSum>,
    modcache: &Path,
) -> BTreeSet<SumEntry> {
    let mut out = BTreeSet::new();
    if bl.vendored {
        return out; // -mod=vendor does not read go.sum.
    }
    for m in loaded_modules(bl, main, modcache) {
        if let Some(e) = effective(main, &m) {
            out.insert(SumEntry {
                module: e,
                go_mod: true,
            });
        }
    }
    let has_content: BTreeSet<&str> = sum
        .map(|s| {
            s.lines
                .iter()
                .filter(|l| !l.go_mod)
                .map(|l| l.path.as_str())
                .collect()
        })
        .unwrap_or_default();
    let direct: BTreeSet<&str> = main
        .require
        .iter()
        .filter(|r| !r.indirect)
        .map(|r| r.module.path.as_str())
        .collect();
    for m in &bl.modules {
        let Some(e) = effective(main, &m.module) else {
            continue;
        };
        if direct.contains(m.module.path.as_str())
            || has_content.contains(e.path.as_str())
            || has_content.contains(m.module.path.as_str())
        {
            out.insert(SumEntry {
                module: e,
                go_mod: false,
            });
        }
    }
    out
}

fn recorded(sum: Option<&GoSum>, e: &SumEntry) -> bool {
    sum.is_some_and(|s| {
        s.hash(&e.module.path, &e.module.version, e.go_mod)
            .is_some()
    })
}

/// The go.sum lines a side's build needs but its go.sum lacks (Go: `missing go.sum entry`).
/// Empty for vendored builds and workspaces (go.work.sum is not read here).
pub fn missing_sums(side: &Side, modcache: &Path) -> Vec<SumEntry> {
    if side.build_list.vendored || super::in_workspace(side) {
        return Vec::new();
    }
    needed_sums(
        &side.go_mod,
        &side.build_list,
        side.go_sum.as_ref(),
        modcache,
    )
    .into_iter()
    .filter(|e| !recorded(side.go_sum.as_ref(), e))
    .collect()
}

/// `$GOMODCACHE/cache/download/<escaped path>/@v/<escaped version>.<ext>`.
pub fn download_file(modcache: &Path, m: &ModuleVersion, ext: &str) -> Option<PathBuf> {
    let p = module::escape_path(&m.path).ok()?;
    let v = module::escape_version(&m.version).ok()?;
    Some(
        modcache
            .join("cache/download")
            .join(p)
            .join("@v")
            .join(format!("{v}.{ext}")),
    )
}

/// The `h1:` hash of an entry from the module cache: the go.mod file hashed, the `.ziphash`
/// Go wrote when it downloaded the zip, or the zip hashed. None when the cache lacks it.
pub fn hash_from_cache(modcache: &Path, e: &SumEntry) -> Option<String> {
    if e.go_mod {
        let data = crate::fsio::read_input(&download_file(modcache, &e.module, "mod")?).ok()?;
        return Some(crate::dirhash::hash_go_mod(&data));
    }
    if let Ok(h) = crate::fsio::read_input(&download_file(modcache, &e.module, "ziphash")?) {
        let h = String::from_utf8_lossy(&h).trim().to_string();
        if h.starts_with("h1:") {
            return Some(h);
        }
    }
    let zip = download_file(modcache, &e.module, "zip")?;
    crate::dirhash::hash_zip(&zip).ok()
}

/// cmd/go's go.sum order (modfetch.WriteGoSum): by path, then version, the content line
/// before the `/go.mod` line.
type SortKey = (String, String, bool);

fn sort_key(line: &str) -> Option<SortKey> {
    let mut f = line.split_whitespace();
    let (path, ver) = (f.next()?, f.next()?);
    let (ver, go_mod) = match ver.strip_suffix("/go.mod") {
        Some(v) => (v, true),
        None => (ver, false),
    };
    Some((path.to_string(), ver.to_string(), go_mod))
}

fn cmp_keys(a: &SortKey, b: &SortKey) -> std::cmp::Ordering {
    a.0.cmp(&b.0)
        .then_with(|| crate::semver::compare(&a.1, &b.1))
        .then_with(|| a.1.cmp(&b.1))
        .then_with(|| a.2.cmp(&b.2))
}

/// `old` go.sum text with `lines` added, each where Go's order puts it (merged in one pass,
/// before the first existing line that sorts after it), so only added lines show in a diff.
pub fn add_lines(old: &str, lines: &[String]) -> String {
    let existing: std::collections::HashSet<&str> = old.lines().collect();
    let mut new: Vec<(Option<SortKey>, &String)> = lines
        .iter()
        .filter(|l| !existing.contains(l.as_str()))
        .map(|l| (sort_key(l), l))
        .collect();
    new.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => cmp_keys(x, y),
        _ => a.1.cmp(b.1),
    });
    new.dedup_by(|a, b| a.1 == b.1);
    let mut out = String::with_capacity(old.len() + lines.len() * 80);
    let mut pending = new.into_iter().peekable();
    for row in old.lines() {
        if let Some(rk) = sort_key(row) {
            while let Some((Some(k), l)) = pending.peek() {
                if cmp_keys(k, &rk) != std::cmp::Ordering::Less {
                    break;
                }
                out.push_str(l);
                out.push('\n');
                pending.next();
            }
        }
        out.push_str(row);
        out.push('\n');
    }
    for (_, l) in pending {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Fills the entries `want` that `sum` lacks: the lines to add (hashes from the module cache,
/// else from `fallback`, another go.sum that records them), and the entries found nowhere.
pub fn fill(
    want: &BTreeSet<SumEntry>,
    sum: Option<&GoSum>,
    fallback: Option<&GoSum>,
    modcache: &Path,
) -> (Vec<String>, Vec<SumEntry>) {
    let mut lines = Vec::new();
    let mut unresolved = Vec::new();
    for e in want {
        if recorded(sum, e) {
            continue;
        }
        let hash = hash_from_cache(modcache, e).or_else(|| {
            fallback
                .and_then(|f| f.hash(&e.module.path, &e.module.version, e.go_mod))
                .map(str::to_string)
        });
        match hash {
            Some(h) => lines.push(format!("{e} {h}")),
            None => unresolved.push(e.clone()),
        }
    }
    (lines, unresolved)
}

/// The command that records `entries` in go.sum (downloading what the cache lacks).
pub fn download_command(dir: &Path, entries: &[SumEntry]) -> String {
    let mods: BTreeSet<String> = entries.iter().map(|e| e.module.to_string()).collect();
    format!(
        "(cd {} && go mod download {})",
        crate::text::shell_word(&dir.display().to_string()),
        mods.into_iter().collect::<Vec<_>>().join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_go_where_go_sorts_them() {
        let old =
            "a.com/x v1.0.0 h1:A=\na.com/x v1.0.0/go.mod h1:B=\nc.com/z v1.0.0/go.mod h1:C=\n";
        let out = add_lines(
            old,
            &[
                "b.com/y v1.2.0/go.mod h1:D=".into(),
                "a.com/x v1.10.0 h1:E=".into(),
                "a.com/x v1.2.0 h1:F=".into(),
                "b.com/y v1.2.0 h1:G=".into(),
                "a.com/x v1.0.0 h1:A=".into(),
            ],
        );
        assert_eq!(
            out,
            "a.com/x v1.0.0 h1:A=\na.com/x v1.0.0/go.mod h1:B=\na.com/x v1.2.0 h1:F=\na.com/x v1.10.0 h1:E=\nb.com/y v1.2.0 h1:G=\nb.com/y v1.2.0/go.mod h1:D=\nc.com/z v1.0.0/go.mod h1:C=\n"
        );
        assert_eq!(
            add_lines("", &["a.com/x v1.0.0 h1:A=".into()]),
            "a.com/x v1.0.0 h1:A=\n"
        );
    }
}
