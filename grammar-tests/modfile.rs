//! Conformance with golang.org/x/mod/modfile: the `.in` → `.golden` formatting pairs of
//! modfile/testdata (go.mod and go.work), and modfile's own test tables.

mod common;

use common::{bool_field, data_dir, load_json, str_field, Tally};
use godrift::gomod::syntax::{self, Comments, Stmt};
use godrift::gomod::{self, Strictness};

fn cases(name: &str) -> Vec<serde_json::Value> {
    load_json(&format!("xmod-vectors/{name}.json"))["cases"]
        .as_array()
        .expect("cases array")
        .clone()
}

/// Files upstream expects strict Parse to reject (they exercise syntax only).
const SYNTAX_ONLY: &[&str] = &[
    "block.golden",
    "block.in",
    "comment.golden",
    "comment.in",
    "rule1.golden",
];

fn golden_group(group: &str, sub: &str, work: bool) {
    let dir = data_dir(sub);
    let mut t = Tally::new(group);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".golden"))
        .collect();
    names.sort();
    for name in names {
        let stem = name.trim_end_matches(".golden");
        let golden = std::fs::read(dir.join(&name)).expect("golden");
        let mut inputs = vec![name.clone()];
        if dir.join(format!("{stem}.in")).exists() {
            inputs.push(format!("{stem}.in"));
        }
        for input in inputs {
            let data = std::fs::read(dir.join(&input)).expect("input");
            let base = format!("testdata/{input}");
            // Like modfile's tests: format what typed parsing normalised (quotes, versions)
            // when the file parses, else the raw syntax tree.
            let typed = if work {
                gomod::parse_work(&base, &data).map(|f| gomod::format_work(&f))
            } else {
                gomod::parse_mod(&base, &data, Strictness::Strict).map(|f| gomod::format_mod(&f))
            };
            let formatted = match typed {
                Ok(out) => Ok(out),
                Err(_) => syntax::parse_syntax(&base, &data).map(|f| syntax::format(&f)),
            };
            match formatted {
                Err(e) => t.check(false, || format!("{input}: syntax error: {e}")),
                Ok(out) => {
                    t.check(out == golden, || {
                        format!(
                            "{input}: formatted output differs from {name}:\n--- golden\n{}\n--- ours\n{}",
                            String::from_utf8_lossy(&golden),
                            String::from_utf8_lossy(&out)
                        )
                    });
                }
            }
            // Strict parsing of the typed file, as TestPrintParse does.
            let parsed = if work {
                gomod::parse_work(&base, &data).map(|_| ())
            } else {
                gomod::parse_mod(&base, &data, Strictness::Strict).map(|_| ())
            };
            let expect_ok = work || !SYNTAX_ONLY.contains(&input.as_str());
            t.check(parsed.is_ok() == expect_ok, || {
                format!("{input}: strict parse gave {parsed:?}, want ok={expect_ok}")
            });
        }
    }
    t.finish();
}

#[test]
fn modfile_golden() {
    golden_group("modfile_golden", "modfile-testdata", false);
}

#[test]
fn modfile_work_golden() {
    golden_group("modfile_work_golden", "modfile-testdata/work", true);
}

#[test]
fn modfile_parseversions() {
    let mut t = Tally::new("modfile_parseversions");
    for c in cases("modfile_parseversions") {
        let (desc, input, ok) = (
            str_field(&c, "desc"),
            str_field(&c, "input"),
            bool_field(&c, "ok"),
        );
        let strict = gomod::parse_mod("go.mod", input.as_bytes(), Strictness::Strict);
        t.check(strict.is_ok() == ok, || {
            format!("{desc}: Parse({input:?}) = {strict:?}, want ok={ok}")
        });
        if ok {
            let lax = gomod::parse_mod("go.mod", input.as_bytes(), Strictness::Lax);
            t.check(lax.is_ok(), || {
                format!("{desc}: ParseLax({input:?}) = {lax:?}")
            });
        }
    }
    t.finish();
}

#[test]
fn modfile_punctuation() {
    let mut t = Tally::new("modfile_punctuation");
    for c in cases("modfile_punctuation") {
        let (src, want) = (str_field(&c, "src"), str_field(&c, "want"));
        let f = syntax::parse_syntax("go.mod", src.as_bytes());
        let got = f.map(|f| {
            let mut toks: Vec<String> = Vec::new();
            for s in &f.stmts {
                match s {
                    Stmt::Line(l) => toks.extend(l.tokens.iter().cloned()),
                    Stmt::Block(b) => {
                        toks.extend(b.tokens.iter().cloned());
                        toks.push("(".into());
                        for l in &b.lines {
                            toks.extend(l.tokens.iter().cloned());
                        }
                        toks.push(")".into());
                    }
                    Stmt::Comments { .. } => {}
                }
            }
            toks.join(" ")
        });
        t.check(got.as_deref() == Ok(want), || {
            format!("{src:?}: got {got:?}, want {want:?}")
        });
    }
    t.finish();
}

#[test]
fn modfile_comments() {
    let mut t = Tally::new("modfile_comments");
    for c in cases("modfile_comments") {
        let (desc, input, want) = (
            str_field(&c, "desc"),
            str_field(&c, "input"),
            str_field(&c, "want"),
        );
        let Ok(f) = gomod::parse_mod("go.mod", input.as_bytes(), Strictness::Lax) else {
            t.check(false, || format!("{desc}: ParseLax failed"));
            continue;
        };
        let mut out = String::new();
        let mut dump = |prefix: &str, cs: &Comments| {
            for (kind, list) in [
                ("before", &cs.before),
                ("suffix", &cs.suffix),
                ("after", &cs.after),
            ] {
                for com in list.iter() {
                    out.push_str(&format!("{prefix} {kind} {:?}\n", com.token));
                }
            }
        };
        dump("file", &f.syntax.comments);
        for s in &f.syntax.stmts {
            match s {
                Stmt::Comments { comments, .. } => dump("comments", comments),
                Stmt::Line(l) => dump("line", &l.comments),
                Stmt::Block(b) => {
                    dump("block", &b.comments);
                    dump("lparen", &b.lparen.1);
                    for l in &b.lines {
                        dump("blockline", &l.comments);
                    }
                    dump("rparen", &b.rparen.1);
                }
            }
        }
        // Go's %q and Rust's {:?} agree for the ASCII text these cases use, except
        // that Go writes \r where Rust writes \r too: compare trimmed dumps.
        t.check(out.trim() == want.trim(), || {
            format!("{desc}: got\n{out}\nwant\n{want}")
        });
    }
    t.finish();
}

#[test]
fn modfile_deprecated() {
    let mut t = Tally::new("modfile_deprecated");
    for c in cases("modfile_deprecated") {
        let (desc, input, want) = (
            str_field(&c, "desc"),
            str_field(&c, "in"),
            str_field(&c, "want"),
        );
        let got = gomod::parse_mod("go.mod", input.as_bytes(), Strictness::Strict)
            .map(|f| f.module.and_then(|m| m.deprecated).unwrap_or_default());
        t.check(got.as_deref() == Ok(want), || {
            format!("{desc}: got {got:?}, want {want:?}")
        });
    }
    t.finish();
}

#[test]
fn modfile_retract_rationale() {
    let mut t = Tally::new("modfile_retract_rationale");
    for c in cases("modfile_retract_rationale") {
        let (desc, input, want) = (
            str_field(&c, "desc"),
            str_field(&c, "in"),
            str_field(&c, "want"),
        );
        let got = gomod::parse_mod("go.mod", input.as_bytes(), Strictness::Strict).map(|f| {
            f.retract
                .first()
                .map(|r| r.rationale.clone())
                .unwrap_or_default()
        });
        t.check(got.as_deref() == Ok(want), || {
            format!("{desc}: got {got:?}, want {want:?}")
        });
    }
    t.finish();
}

#[test]
fn modfile_modulepath() {
    let mut t = Tally::new("modfile_modulepath");
    for c in cases("modfile_modulepath") {
        let (input, want) = (str_field(&c, "input"), str_field(&c, "expected"));
        let got = gomod::module_path(input.as_bytes());
        t.check(got == want, || {
            format!("ModulePath({input:?}) = {got:?}, want {want:?}")
        });
    }
    t.finish();
}

#[test]
fn modfile_add_validate() {
    let mut t = Tally::new("modfile_add_validate");
    for c in cases("modfile_addexclude_validate") {
        let (path, v, want) = (
            str_field(&c, "path"),
            str_field(&c, "version"),
            str_field(&c, "wantErr"),
        );
        let got = gomod::check_canonical_version(path, v);
        t.check(got.as_ref().err().map(String::as_str) == Some(want), || {
            format!("AddExclude({path}, {v}): got {got:?}, want {want:?}")
        });
    }
    for c in cases("modfile_addretract_validate") {
        let (path, low, high, want) = (
            str_field(&c, "path"),
            str_field(&c, "low"),
            str_field(&c, "high"),
            str_field(&c, "wantErr"),
        );
        let got = gomod::check_canonical_version(path, low)
            .and_then(|_| gomod::check_canonical_version(path, high));
        t.check(got.as_ref().err().map(String::as_str) == Some(want), || {
            format!("AddRetract({path}, {low}, {high}): got {got:?}, want {want:?}")
        });
    }
    t.finish();
}
