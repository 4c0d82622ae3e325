//! Conformance with golang.org/x/mod/modfile: the testdata `.in`/`.golden` format round trips
//! (TestPrintGolden, TestPrintParse, TestWorkPrintParse) and the modfile_* vector tables.
//! Each group prints `GROUP: N/M passed` and must pass every case.

use godrift::gomod::{
    self, check_canonical_version, format_syntax, parse_mod, parse_syntax, parse_work,
    syntax::{Comments, Stmt},
    Strictness,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests/data")
}

/// Runs a group: each case returns Err(reason) on failure. Prints the tally, then asserts.
fn group(name: &str, cases: Vec<(String, Result<(), String>)>) {
    let total = cases.len();
    let mut failed = Vec::new();
    for (id, r) in cases {
        if let Err(e) = r {
            failed.push(format!("  {id}: {e}"));
        }
    }
    println!("{name}: {}/{total} passed", total - failed.len());
    assert!(total > 0, "{name}: no cases found");
    assert!(failed.is_empty(), "{name} failures:\n{}", failed.join("\n"));
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("testdata dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn diff(want: &str, got: &str) -> String {
    format!("formatted incorrectly\n--- want\n{want}\n--- got\n{got}")
}

/// TestPrintGolden: every .golden formats to itself.
#[test]
fn golden_print() {
    let mut cases = Vec::new();
    for dir in ["modfile-testdata", "modfile-testdata/work"] {
        for p in files(&data_dir().join(dir), "golden") {
            let data = std::fs::read(&p).unwrap();
            let r = parse_syntax("go.mod", &data)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    let out = format_syntax(&f);
                    let want = String::from_utf8_lossy(&data);
                    if out == want {
                        Ok(())
                    } else {
                        Err(diff(&want, &out))
                    }
                });
            cases.push((p.display().to_string(), r));
        }
    }
    group("modfile golden (print)", cases);
}

/// TestPrintParse / TestWorkPrintParse: each .in and .golden parses (syntax and typed, except
/// the files modfile's test also exempts), parse/format/parse is stable, and each .in formats
/// (after the typed parse's token rewriting, when it succeeds) to its .golden.
#[test]
fn golden_print_parse() {
    // modfile's TestPrintParse expects these not to pass the strict Parse.
    let typed_exempt = [
        "block.golden",
        "block.in",
        "comment.golden",
        "comment.in",
        "rule1.golden",
    ];
    let mut cases = Vec::new();
    for (dir, work) in [("modfile-testdata", false), ("modfile-testdata/work", true)] {
        let mut all = files(&data_dir().join(dir), "in");
        all.extend(files(&data_dir().join(dir), "golden"));
        for p in all {
            let base = p.file_name().unwrap().to_string_lossy().to_string();
            let data = std::fs::read(&p).unwrap();
            let r = (|| -> Result<(), String> {
                let f = parse_syntax("go.mod", &data).map_err(|e| e.to_string())?;
                let mut ndata = format_syntax(&f);
                let f2 = parse_syntax("go.mod", ndata.as_bytes()).map_err(|e| e.to_string())?;
                if format_syntax(&f2) != ndata {
                    return Err("parse/Format/parse not stable".into());
                }
                let typed = if work {
                    parse_work("go.work", &data).map(|w| gomod::format_work(&w))
                } else {
                    parse_mod("go.mod", &data, Strictness::Strict).map(|m| gomod::format_mod(&m))
                };
                match typed {
                    Ok(out) => {
                        let again = if work {
                            parse_work("go.work", out.as_bytes()).map(|w| gomod::format_work(&w))
                        } else {
                            parse_mod("go.mod", out.as_bytes(), Strictness::Strict)
                                .map(|m| gomod::format_mod(&m))
                        };
                        if again.as_deref() != Ok(out.as_str()) {
                            return Err(format!("Parse/Format/Parse not stable: {again:?}"));
                        }
                        ndata = out;
                    }
                    Err(e) => {
                        if work || !typed_exempt.contains(&base.as_str()) {
                            return Err(format!("should parse: {e}"));
                        }
                    }
                }
                if let Some(stem) = base.strip_suffix(".in") {
                    let golden =
                        std::fs::read_to_string(p.with_file_name(format!("{stem}.golden")))
                            .map_err(|e| e.to_string())?;
                    if ndata != golden {
                        return Err(diff(&golden, &ndata));
                    }
                }
                Ok(())
            })();
            cases.push((format!("{dir}/{base}"), r));
        }
    }
    group("modfile print-parse", cases);
}

fn table(name: &str) -> Vec<Value> {
    let p = data_dir().join("xmod-vectors").join(name);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    v["cases"].as_array().cloned().unwrap_or_default()
}

/// A string field; non-UTF-8 values are stored as {"hex": "..."}.
fn bytes(v: &Value) -> Vec<u8> {
    if let Some(s) = v.as_str() {
        return s.as_bytes().to_vec();
    }
    let h = v["hex"].as_str().unwrap_or_default();
    (0..h.len() / 2)
        .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn s(v: &Value) -> String {
    String::from_utf8_lossy(&bytes(v)).into_owned()
}

fn id(c: &Value, i: usize) -> String {
    c.get("desc")
        .and_then(Value::as_str)
        .map_or_else(|| format!("#{i}"), |d| format!("#{i} {d}"))
}

fn check_eq(got: String, want: String) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("got {got:?}, want {want:?}"))
    }
}

#[test]
fn vectors_modulepath() {
    let cases = table("modfile_modulepath.json")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                id(c, i),
                check_eq(gomod::module_path(&bytes(&c["input"])), s(&c["expected"])),
            )
        })
        .collect();
    group("modfile_modulepath", cases);
}

#[test]
fn vectors_parseversions() {
    let cases = table("modfile_parseversions.json")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let input = bytes(&c["input"]);
            let ok = c["ok"].as_bool().unwrap_or(false);
            let strict = parse_mod("go.mod", &input, Strictness::Strict);
            let lax = parse_mod("go.mod", &input, Strictness::Lax);
            let r = if strict.is_ok() != ok {
                Err(format!(
                    "strict parse ok={}, want {ok}: {strict:?}",
                    strict.is_ok()
                ))
            } else if ok && lax.is_err() {
                Err(format!("lax parse failed: {lax:?}"))
            } else {
                Ok(())
            };
            (id(c, i), r)
        })
        .collect();
    group("modfile_parseversions", cases);
}

#[test]
fn vectors_punctuation() {
    let cases = table("modfile_punctuation.json")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let r = parse_syntax("go.mod", &bytes(&c["src"]))
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    let mut toks: Vec<String> = Vec::new();
                    for st in &f.stmt {
                        match st {
                            Stmt::Line(l) => toks.extend(l.token.iter().cloned()),
                            Stmt::Block(b) => {
                                toks.extend(b.token.iter().cloned());
                                toks.push("(".into());
                                for l in &b.line {
                                    toks.extend(l.token.iter().cloned());
                                }
                                toks.push(")".into());
                            }
                            Stmt::Comments(_) => {}
                        }
                    }
                    check_eq(toks.join(" "), s(&c["want"]))
                });
            (id(c, i), r)
        })
        .collect();
    group("modfile_punctuation", cases);
}

fn dump(buf: &mut String, prefix: &str, cs: &Comments) {
    for (kind, list) in [
        ("before", &cs.before),
        ("suffix", &cs.suffix),
        ("after", &cs.after),
    ] {
        for c in list {
            buf.push_str(&format!("{prefix} {kind} {}\n", go_quote(&c.token)));
        }
    }
}

/// Go's %q for the ASCII/escape cases these vectors use.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn vectors_comments() {
    let cases = table("modfile_comments.json")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let r = parse_mod("go.mod", &bytes(&c["input"]), Strictness::Lax)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    let mut buf = String::new();
                    dump(&mut buf, "file", &f.syntax.comments);
                    for st in &f.syntax.stmt {
                        match st {
                            Stmt::Comments(cb) => dump(&mut buf, "comments", &cb.comments),
                            Stmt::Line(l) => dump(&mut buf, "line", &l.comments),
                            Stmt::Block(b) => {
                                dump(&mut buf, "block", &b.comments);
                                dump(&mut buf, "lparen", &b.lparen.comments);
                                for l in &b.line {
                                    dump(&mut buf, "blockline", &l.comments);
                                }
                                dump(&mut buf, "rparen", &b.rparen.comments);
                            }
                        }
                    }
                    check_eq(buf.trim().to_string(), s(&c["want"]).trim().to_string())
                });
            (id(c, i), r)
        })
        .collect();
    group("modfile_comments", cases);
}

#[test]
fn vectors_deprecated() {
    let cases = table("modfile_deprecated.json")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let r = parse_mod("go.mod", &bytes(&c["in"]), Strictness::Strict)
                .map_err(|e| e.to_string())
                .and_then(|f| {
                    let got = f.module.and_then(|m| m.deprecated).unwrap_or_default();
                    check_eq(got, s(&c["want"]))
                });
            (id(c, i), r)
        })
        .collect();
    group("modfile_deprecated", cases);
}

#[test]
fn vectors_retract_rationale() {
    let cases = table("modfile_retract_rationale.json")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let r = parse_mod("go.mod", &bytes(&c["in"]), Strictness::Strict)
                .map_err(|e| e.to_string())
                .and_then(|f| match f.retract.first() {
                    Some(r) => check_eq(r.rationale.clone(), s(&c["want"])),
                    None => Err("no retract parsed".into()),
                });
            (id(c, i), r)
        })
        .collect();
    group("modfile_retract_rationale", cases);
}

#[test]
fn vectors_addexclude_validate() {
    let cases = table("modfile_addexclude_validate.json")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let got = check_canonical_version(&s(&c["path"]), &s(&c["version"]));
            (
                id(c, i),
                check_eq(got.err().unwrap_or_default(), s(&c["wantErr"])),
            )
        })
        .collect();
    group("modfile_addexclude_validate", cases);
}

#[test]
fn vectors_addretract_validate() {
    let cases = table("modfile_addretract_validate.json")
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (path, low, high) = (s(&c["path"]), s(&c["low"]), s(&c["high"]));
            // AddRetract checks Low, then High when it differs.
            let got = check_canonical_version(&path, &low).and_then(|()| {
                if high != low {
                    check_canonical_version(&path, &high)
                } else {
                    Ok(())
                }
            });
            (
                id(c, i),
                check_eq(got.err().unwrap_or_default(), s(&c["wantErr"])),
            )
        })
        .collect();
    group("modfile_addretract_validate", cases);
}

/// go.mod/go.work parse errors that cmd/go's script tests expect (extracted into
/// `data/cmdgo-errors/`): each `# want:` regex must match a line of our rendered errors,
/// `# want-ok` cases must parse. Modes: main (cmd/go's main-module parse), strict, lax, work.
#[test]
fn cmdgo_errors() {
    let dir = data_dir().join("cmdgo-errors");
    let mut cases = Vec::new();
    for p in files(&dir, "txt") {
        let text = std::fs::read_to_string(&p).unwrap();
        let (head, body) = text.split_once("\n-- ").expect("case has a file section");
        let (fname, content) = body.split_once(" --\n").expect("file header");
        let mut mode = "";
        let mut wants = Vec::new();
        let mut want_ok = false;
        for l in head.lines() {
            if let Some(m) = l.strip_prefix("# mode: ") {
                mode = m.trim();
            } else if let Some(w) = l.strip_prefix("# want: ") {
                wants.push(w.to_string());
            } else if l.trim() == "# want-ok" {
                want_ok = true;
            }
        }
        let data = content.as_bytes();
        let result: Result<(), String> = match mode {
            "main" => gomod::parse_main_mod(fname, data).map(|_| ()),
            "strict" => parse_mod(fname, data, Strictness::Strict).map(|_| ()),
            "lax" => parse_mod(fname, data, Strictness::Lax).map(|_| ()),
            "work" => parse_work(fname, data).map(|_| ()),
            other => panic!("{}: unknown mode {other:?}", p.display()),
        }
        .map_err(|e| e.to_string());
        let r = match (&result, want_ok) {
            (Ok(()), true) => Ok(()),
            (Err(e), true) => Err(format!("should parse, got: {e}")),
            (Ok(()), false) => Err("parsed, want an error".into()),
            (Err(e), false) => {
                let missing: Vec<&String> = wants
                    .iter()
                    .filter(|w| {
                        let re = regex_lite::Regex::new(w).expect("want regex");
                        !e.lines().any(|l| re.is_match(l))
                    })
                    .collect();
                if missing.is_empty() && !wants.is_empty() {
                    Ok(())
                } else {
                    Err(format!("errors {e:?} do not match {missing:?}"))
                }
            }
        };
        cases.push((p.file_name().unwrap().to_string_lossy().to_string(), r));
    }
    group("cmdgo-errors", cases);
}
