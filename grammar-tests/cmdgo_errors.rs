//! go.mod/go.work parse errors that cmd/go's script tests expect, extracted from
//! ../shared/corpus/cmdgo-scripts into `data/cmdgo-errors/` (one case per file, with its
//! source script and line). Each `# want:` regex must match a line of our rendered errors;
//! `# want-ok` cases must parse. Modes: main (cmd/go's main-module parse), strict, lax, work.
//! Prints `cmdgo-errors: N/M passed`.

use godrift::gomod::{self, parse_mod, parse_work, Strictness};
use std::path::{Path, PathBuf};

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("cmdgo-errors dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

fn group(name: &str, cases: Vec<(String, Result<(), String>)>) {
    let total = cases.len();
    let failed: Vec<String> = cases
        .into_iter()
        .filter_map(|(id, r)| r.err().map(|e| format!("  {id}: {e}")))
        .collect();
    println!("{name}: {}/{total} passed", total - failed.len());
    assert!(total > 0, "{name}: no cases found");
    assert!(failed.is_empty(), "{name} failures:\n{}", failed.join("\n"));
}

#[test]
fn cmdgo_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests/data/cmdgo-errors");
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
