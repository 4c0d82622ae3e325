//! Which files `go mod vendor` copies for a module's vendored packages, ported from
//! cmd/go/internal/modcmd/vendor.go (vendorPkg, copyDir, matchPotentialSourceFile,
//! copyMetadata/matchMetadata) and the embed rules of go/build (ImportDir with
//! UseAllFiles) and cmd/go/internal/load (resolveEmbed). It works on an indexed source
//! directory, so it reads nothing itself.

use super::source::ModuleSource;
use super::tree::join;
use crate::semver::gover;
use std::collections::{BTreeMap, BTreeSet};

/// What the vendoring side's main module says about its Go version (MainModules.GoVersion).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VendorRules {
    /// go ≥ 1.17: go.mod and go.sum are stripped from vendored packages.
    pub strip_go_mod: bool,
    /// go ≥ 1.22: only the non-test files' embed patterns count (golang/go#63473).
    pub non_test_embeds_only: bool,
}

impl Default for VendorRules {
    fn default() -> Self {
        VendorRules::for_go("")
    }
}

impl VendorRules {
    /// From the main module's `go` line ("" when there is none: Go then assumes 1.16).
    pub fn for_go(version: &str) -> VendorRules {
        let v = if version.is_empty() { "1.16" } else { version };
        let at_least = |w: &str| gover::compare(v, w) != std::cmp::Ordering::Less;
        VendorRules {
            strip_go_mod: at_least("1.17"),
            non_test_embeds_only: at_least("1.22"),
        }
    }
}

/// The files `go mod vendor` would write under vendor/ for `packages` of the module rooted
/// at `src` (module path `module`): vendor-relative path → path relative to `src`.
pub fn vendor_files(
    src: &ModuleSource,
    module: &str,
    packages: &[String],
    rules: VendorRules,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let pkg_dirs: BTreeSet<&str> = packages
        .iter()
        .filter_map(|p| rel_in_module(module, p))
        .collect();
    let mut meta_done: BTreeSet<&str> = BTreeSet::new();
    for &dir in &pkg_dirs {
        let vdir = join_mod(module, dir);
        // copyDir(dst, src, matchPotentialSourceFile)
        if let Some(files) = src.dir(dir) {
            for (name, f) in files {
                if name.ends_with("_test.go") {
                    continue;
                }
                if rules.strip_go_mod && (name == "go.mod" || name == "go.sum") {
                    continue;
                }
                if name.ends_with(".go") && f.go.as_ref().is_some_and(|g| g.ignored) {
                    continue; // tagged `ignore`: it cannot affect the build
                }
                out.insert(join(&vdir, name), join(dir, name));
            }
        }
        // copyMetadata: licence-like files of each directory up to the module root, unless
        // that directory was already done (as a package, or for an earlier package).
        let mut cur = dir;
        while !cur.is_empty() {
            cur = cur.rfind('/').map_or("", |i| &cur[..i]);
            if pkg_dirs.contains(cur) || !meta_done.insert(cur) {
                break;
            }
            if let Some(files) = src.dir(cur) {
                for name in files.keys().filter(|n| is_meta(n)) {
                    out.insert(join(&join_mod(module, cur), name), join(cur, name));
                }
            }
        }
        // Embedded files (vendorPkg's ResolveEmbed over ImportDir's patterns).
        for rel in embedded(src, dir, rules) {
            out.insert(join(&vdir, &rel), join(dir, &rel));
        }
    }
    out
}

/// A package's directory relative to its module root ("" for the root).
pub fn rel_in_module<'a>(module: &str, pkg: &'a str) -> Option<&'a str> {
    if pkg == module {
        return Some("");
    }
    pkg.strip_prefix(module)?.strip_prefix('/')
}

fn join_mod(module: &str, dir: &str) -> String {
    if dir.is_empty() {
        module.to_string()
    } else {
        join(module, dir)
    }
}

/// metaPrefixes (case-sensitive, as matchMetadata compares).
const META_PREFIXES: &[&str] = &[
    "AUTHORS",
    "CONTRIBUTORS",
    "COPYLEFT",
    "COPYING",
    "COPYRIGHT",
    "LEGAL",
    "LICENSE",
    "NOTICE",
    "PATENTS",
];

fn is_meta(name: &str) -> bool {
    META_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Files embedded by the package in `dir`, relative to it. go/build reads every `.go` file
/// not starting with `_` or `.`, whatever its build constraints (UseAllFiles).
fn embedded(src: &ModuleSource, dir: &str, rules: VendorRules) -> Vec<String> {
    let Some(files) = src.dir(dir) else {
        return Vec::new();
    };
    let mut patterns: BTreeSet<&str> = BTreeSet::new();
    for (name, f) in files {
        if !name.ends_with(".go") || name.starts_with(['_', '.']) {
            continue;
        }
        if rules.non_test_embeds_only && name.ends_with("_test.go") {
            continue;
        }
        if let Some(g) = &f.go {
            patterns.extend(g.embeds.iter().map(String::as_str));
        }
    }
    let mut out = BTreeSet::new();
    for p in patterns {
        let (glob, all) = match p.strip_prefix("all:") {
            Some(g) => (g, true),
            None => (p, false),
        };
        if !valid_embed_pattern(glob) || match_pattern(glob, "").is_err() {
            continue; // go mod vendor fails on these
        }
        for m in glob_in(src, dir, glob) {
            let abs = join(dir, &m);
            if src.file(&abs).is_some() {
                out.insert(m);
            } else {
                walk_embed_dir(src, &abs, &m, all, &mut out);
            }
        }
    }
    out.into_iter().collect()
}

/// fs.ValidPath and not ".".
fn valid_embed_pattern(p: &str) -> bool {
    p != "." && !p.is_empty() && p.split('/').all(|e| !e.is_empty() && e != "." && e != "..")
}

fn is_bad_embed_name(name: &str) -> bool {
    crate::module::check_file_path(name).is_err()
        || matches!(name, "" | ".bzr" | ".hg" | ".git" | ".svn")
}

/// resolveEmbed's walk of a matched directory: hidden (`.`, `_`) entries skipped unless
/// `all:`, nested modules skipped.
fn walk_embed_dir(src: &ModuleSource, abs: &str, rel: &str, all: bool, out: &mut BTreeSet<String>) {
    if let Some(files) = src.dir(abs) {
        for name in files.keys() {
            if is_bad_embed_name(name) || (!all && name.starts_with(['.', '_'])) {
                continue;
            }
            out.insert(join(rel, name));
        }
    }
    for sub in src.subdirs(abs) {
        if is_bad_embed_name(&sub) || (!all && sub.starts_with(['.', '_'])) {
            continue;
        }
        let sub_abs = join(abs, &sub);
        if src.file(&join(&sub_abs, "go.mod")).is_some() {
            continue;
        }
        walk_embed_dir(src, &sub_abs, &join(rel, &sub), all, out);
    }
}

/// filepath.Glob of `pattern` under `dir` (both slash paths in the index): matched paths
/// relative to `dir`.
fn glob_in(src: &ModuleSource, dir: &str, pattern: &str) -> Vec<String> {
    let mut cur: Vec<String> = vec![String::new()];
    let parts: Vec<&str> = pattern.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let mut next = Vec::new();
        for c in &cur {
            let base = join(dir, c);
            if i > 0 && !src.is_dir(&base) {
                continue;
            }
            if !has_meta(part) {
                let p = join(&base, part);
                if src.file(&p).is_some() || src.is_dir(&p) {
                    next.push(join(c, part));
                }
                continue;
            }
            let mut names: Vec<String> = src
                .dir(&base)
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            names.extend(src.subdirs(&base));
            names.sort();
            for n in names {
                if match_pattern(part, &n) == Ok(true) {
                    next.push(join(c, &n));
                }
            }
        }
        if !last {
            next.retain(|p| src.is_dir(&join(dir, p)));
        }
        cur = next;
    }
    cur
}

fn has_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '\\'])
}

/// path.ErrBadPattern.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPattern;

/// path.Match for one path element (no `/` in `name`); Err for a malformed pattern.
pub fn match_pattern(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let p: Vec<char> = pattern.chars().collect();
    check_pattern(&p).map_err(|_| BadPattern)?;
    let n: Vec<char> = name.chars().collect();
    Ok(match_from(&p, &n))
}

fn check_pattern(p: &[char]) -> Result<(), ()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(());
                }
                i += 2;
            }
            '[' => i = class_end(p, i)?,
            _ => i += 1,
        }
    }
    Ok(())
}

/// The index after the `]` closing the class opened at `start`.
fn class_end(p: &[char], start: usize) -> Result<usize, ()> {
    let mut i = start + 1;
    if p.get(i) == Some(&'^') {
        i += 1;
    }
    let mut n = 0;
    loop {
        match p.get(i) {
            Some(']') if n > 0 => return Ok(i + 1),
            None | Some('-') | Some(']') => return Err(()),
            _ => {}
        }
        i = esc_end(p, i)?;
        if p.get(i) == Some(&'-') {
            match p.get(i + 1) {
                None | Some('-') | Some(']') => return Err(()),
                _ => i = esc_end(p, i + 1)?,
            }
        }
        n += 1;
    }
}

fn esc_end(p: &[char], i: usize) -> Result<usize, ()> {
    let j = if p[i] == '\\' { i + 1 } else { i };
    if j >= p.len() || j + 1 >= p.len() {
        return Err(()); // getEsc: nothing may end the pattern inside a class
    }
    Ok(j + 1)
}

fn esc_char(p: &[char], i: usize) -> (char, usize) {
    if p[i] == '\\' {
        (p[i + 1], i + 2)
    } else {
        (p[i], i + 1)
    }
}

fn match_from(p: &[char], n: &[char]) -> bool {
    match p.first() {
        None => n.is_empty(),
        Some('*') => (0..=n.len()).any(|k| match_from(&p[1..], &n[k..])),
        Some('?') => !n.is_empty() && match_from(&p[1..], &n[1..]),
        Some('[') => {
            let Some(&c) = n.first() else {
                return false;
            };
            let mut i = 1;
            let negated = p.get(1) == Some(&'^');
            if negated {
                i += 1;
            }
            let mut matched = false;
            let mut count = 0;
            while !(p[i] == ']' && count > 0) {
                let (lo, j) = esc_char(p, i);
                let (hi, j) = if p[j] == '-' {
                    esc_char(p, j + 1)
                } else {
                    (lo, j)
                };
                matched |= lo <= c && c <= hi;
                i = j;
                count += 1;
            }
            matched != negated && match_from(&p[i + 1..], &n[1..])
        }
        Some('\\') => n.first() == p.get(1) && match_from(&p[2..], &n[1..]),
        Some(&c) => n.first() == Some(&c) && match_from(&p[1..], &n[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_match() {
        let m = |p, n| match_pattern(p, n);
        assert_eq!(m("*.txt", "a.txt"), Ok(true));
        assert_eq!(m("*.txt", ".a.txt"), Ok(true));
        assert_eq!(m("a?c", "abc"), Ok(true));
        assert_eq!(m("[a-c]x", "bx"), Ok(true));
        assert_eq!(m("[^a-c]x", "bx"), Ok(false));
        assert_eq!(m("\\*", "*"), Ok(true));
        assert_eq!(m("[", "a"), Err(BadPattern));
        assert_eq!(m("a\\", "a"), Err(BadPattern));
        assert_eq!(m("[]", "a"), Err(BadPattern));
        assert_eq!(m("[a-]", "a"), Err(BadPattern));
    }

    #[test]
    fn rules_follow_the_go_line() {
        assert!(!VendorRules::for_go("").strip_go_mod);
        assert!(VendorRules::for_go("1.17").strip_go_mod);
        assert!(!VendorRules::for_go("1.21").non_test_embeds_only);
        assert!(VendorRules::for_go("1.22.3").non_test_embeds_only);
    }
}
