//! Conformance with golang.org/x/mod's own test tables (semver, module paths, escaping,
//! pseudo-versions), copied into grammar-tests/data/xmod-vectors.

mod common;

use common::{bool_field, bytes_field, load_json, str_field, Tally};
use godrift::module;
use godrift::semver::{self, pseudo};
use std::cmp::Ordering;

fn cases(name: &str) -> Vec<serde_json::Value> {
    load_json(&format!("xmod-vectors/{name}.json"))["cases"]
        .as_array()
        .expect("cases array")
        .clone()
}

#[test]
fn semver_canonical() {
    let cases = cases("semver_canonical");
    let mut t = Tally::new("semver_canonical");
    for (i, c) in cases.iter().enumerate() {
        let (input, out) = (str_field(c, "in"), str_field(c, "out"));
        let got = semver::canonical(input);
        t.check(got == out, || {
            format!("Canonical({input}) = {got:?}, want {out:?}")
        });
        t.check(semver::is_valid(input) != out.is_empty(), || {
            format!("IsValid({input}) wrong")
        });
        // The table is in ascending precedence: equal `out` means Compare == 0.
        for (j, d) in cases.iter().enumerate() {
            let (w, wout) = (str_field(d, "in"), str_field(d, "out"));
            let want = if out == wout {
                Ordering::Equal
            } else {
                i.cmp(&j)
            };
            let got = semver::compare(input, w);
            t.check(got == want, || {
                format!("Compare({input}, {w}) = {got:?}, want {want:?}")
            });
        }
        if !out.is_empty() {
            let want_major = out.split('.').next().unwrap_or("");
            t.check(semver::major(input) == want_major, || {
                format!("Major({input})")
            });
            let pre = out.find('-').map_or("", |k| &out[k..]);
            t.check(semver::prerelease(input) == pre, || {
                format!("Prerelease({input})")
            });
            let build = input.find('+').map_or("", |k| &input[k..]);
            t.check(semver::build(input) == build, || format!("Build({input})"));
        }
    }
    t.finish();
}

#[test]
fn semver_sort_golden() {
    let golden: Vec<String> = cases("semver_sort_golden")
        .iter()
        .map(|v| v.as_str().expect("string").to_string())
        .collect();
    let mut t = Tally::new("semver_sort_golden");
    let mut shuffled = golden.clone();
    shuffled.reverse();
    shuffled.rotate_left(golden.len() / 3);
    semver::sort(&mut shuffled);
    t.check(shuffled == golden, || format!("Sort gave {shuffled:?}"));
    t.finish();
}

#[test]
fn module_check() {
    let mut t = Tally::new("module_check");
    for c in cases("module_check") {
        let (p, v, ok) = (
            str_field(&c, "path"),
            str_field(&c, "version"),
            bool_field(&c, "ok"),
        );
        let got = module::check(p, v);
        t.check(got.is_ok() == ok, || {
            format!("Check({p}, {v}) = {got:?}, want ok={ok}")
        });
    }
    t.finish();
}

#[test]
fn module_checkpath() {
    let mut t = Tally::new("module_checkpath");
    for c in cases("module_checkpath") {
        let raw = bytes_field(&c["path"]);
        let (ok, import_ok, file_ok) = (
            bool_field(&c, "ok"),
            bool_field(&c, "importOK"),
            bool_field(&c, "fileOK"),
        );
        let Ok(p) = std::str::from_utf8(&raw) else {
            // Our paths are &str: invalid UTF-8 is rejected where bytes become text, which is
            // what Go's "invalid UTF-8" check amounts to.
            t.check(!ok && !import_ok && !file_ok, || {
                format!("{raw:x?} must be invalid")
            });
            continue;
        };
        let r = module::check_path(p);
        t.check(r.is_ok() == ok, || {
            format!("CheckPath({p:?}) = {r:?}, want ok={ok}")
        });
        let r = module::check_import_path(p);
        t.check(r.is_ok() == import_ok, || {
            format!("CheckImportPath({p:?}) = {r:?}, want ok={import_ok}")
        });
        let r = module::check_file_path(p);
        t.check(r.is_ok() == file_ok, || {
            format!("CheckFilePath({p:?}) = {r:?}, want ok={file_ok}")
        });
        if ok {
            let esc = module::escape_path(p);
            t.check(
                esc.as_ref()
                    .is_ok_and(|e| module::unescape_path(e).as_deref() == Ok(p)),
                || format!("Escape/Unescape round trip of {p:?}: {esc:?}"),
            );
            let split = module::split_path_version(p);
            t.check(
                split.is_some_and(|(prefix, major)| format!("{prefix}{major}") == p),
                || format!("SplitPathVersion({p:?}) = {split:?}"),
            );
        } else {
            t.check(module::escape_path(p).is_err(), || {
                format!("EscapePath({p:?}) must fail")
            });
        }
    }
    t.finish();
}

#[test]
fn module_escape() {
    let mut t = Tally::new("module_escape");
    for c in cases("module_escape") {
        let p = str_field(&c, "path");
        let esc = c.get("esc").and_then(|e| e.as_str()).unwrap_or(p);
        let got = module::escape_path(p);
        t.check(got.as_deref() == Ok(esc), || {
            format!("EscapePath({p}) = {got:?}, want {esc}")
        });
        let back = module::unescape_path(esc);
        t.check(back.as_deref() == Ok(p), || {
            format!("UnescapePath({esc}) = {back:?}")
        });
    }
    t.finish();
}

#[test]
fn module_bad_unescape() {
    let mut t = Tally::new("module_bad_unescape");
    for c in cases("module_bad_unescape") {
        let esc = c.as_str().expect("string");
        let got = module::unescape_path(esc);
        t.check(got.is_err(), || {
            format!("UnescapePath({esc}) = {got:?}, want error")
        });
    }
    t.finish();
}

#[test]
fn module_splitpathversion() {
    let mut t = Tally::new("module_splitpathversion");
    for c in cases("module_splitpathversion") {
        let (prefix, major) = (str_field(&c, "pathPrefix"), str_field(&c, "version"));
        let path = format!("{prefix}{major}");
        let got = module::split_path_version(&path);
        t.check(got == Some((prefix, major)), || {
            format!("SplitPathVersion({path}) = {got:?}")
        });
    }
    t.finish();
}

#[test]
fn module_matchpathmajor() {
    let mut t = Tally::new("module_matchpathmajor");
    for c in cases("module_matchpathmajor") {
        let (v, pm, want) = (
            str_field(&c, "v"),
            str_field(&c, "pathMajor"),
            bool_field(&c, "want"),
        );
        let got = module::match_path_major(v, pm);
        t.check(got == want, || {
            format!("MatchPathMajor({v}, {pm}) = {got}, want {want}")
        });
    }
    t.finish();
}

#[test]
fn module_matchprefixpatterns() {
    let mut t = Tally::new("module_matchprefixpatterns");
    for c in cases("module_matchprefixpatterns") {
        let (g, target, want) = (
            str_field(&c, "globs"),
            str_field(&c, "target"),
            bool_field(&c, "want"),
        );
        let got = module::match_prefix_patterns(g, target);
        t.check(got == want, || {
            format!("MatchPrefixPatterns({g:?}, {target:?}) = {got}, want {want}")
        });
    }
    t.finish();
}

#[test]
fn pseudo_versions() {
    let mut t = Tally::new("pseudo_versions");
    for c in cases("pseudo_versions") {
        let (major, older, v) = (
            str_field(&c, "major"),
            str_field(&c, "older"),
            str_field(&c, "version"),
        );
        let got = pseudo::pseudo_version(major, older, "20060102150405", "hash");
        t.check(got == v, || {
            format!("PseudoVersion({major}, {older}) = {got}, want {v}")
        });
        t.check(pseudo::is_pseudo_version(v), || {
            format!("IsPseudoVersion({v})")
        });
        t.check(!pseudo::is_pseudo_version(older), || {
            format!("IsPseudoVersion({older})")
        });
        let base = pseudo::pseudo_version_base(v);
        t.check(base.as_deref() == Ok(older), || {
            format!("PseudoVersionBase({v}) = {base:?}, want {older}")
        });
        let rev = pseudo::pseudo_version_rev(v);
        t.check(rev.as_deref() == Ok("hash"), || {
            format!("PseudoVersionRev({v}) = {rev:?}")
        });
        let time = pseudo::pseudo_version_time(v);
        t.check(time.as_deref() == Ok("20060102150405"), || {
            format!("PseudoVersionTime({v}) = {time:?}")
        });
    }
    t.finish();
}

#[test]
fn pseudo_invalid_base() {
    let mut t = Tally::new("pseudo_invalid_base");
    for c in cases("pseudo_invalid_base") {
        let v = c.as_str().expect("string");
        let got = pseudo::pseudo_version_base(v);
        t.check(got.is_err(), || {
            format!("PseudoVersionBase({v}) = {got:?}, want error")
        });
    }
    t.finish();
}
