//! Differential test against the real `go` on PATH: for each case in
//! grammar-tests/data/go-diff/mod_error_cases.txt (one go.mod per line, printf escapes),
//! `go mod edit -fmt` (modfile.Parse with a nil fixer, then modfile.Format) and godrift's strict
//! parse + format_mod must agree: same error lines, or the same formatted file.
//! Skipped, with a printed reason, when `go` is not installed.

use godrift::gomod::{format_mod, parse_mod, Strictness};
use std::process::Command;

/// Expands the printf escapes used in the case file: \n \t \\ \xHH.
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            match b[i + 1] {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'\\' => out.push(b'\\'),
                b'x' if i + 3 < b.len() => {
                    let h = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(h, 16).unwrap());
                    i += 4;
                    continue;
                }
                c => {
                    out.push(b'\\');
                    out.push(c);
                }
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn strict_parse_matches_go_mod_edit() {
    if Command::new("go").arg("version").output().is_err() {
        println!("SKIP: no `go` on PATH");
        return;
    }
    let cases = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("grammar-tests/data/go-diff/mod_error_cases.txt"),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for (i, line) in cases.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        n += 1;
        let data = unescape(line);
        let dir = tmp.path().join(format!("c{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let gomod = dir.join("go.mod");
        std::fs::write(&gomod, &data).unwrap();
        let out = Command::new("go")
            .args(["mod", "edit", "-fmt"])
            .current_dir(&dir)
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOPATH", tmp.path().join("gopath"))
            .env("GOMODCACHE", tmp.path().join("gopath/pkg/mod"))
            .output()
            .unwrap();
        let abs = gomod.display().to_string();
        let go_errs: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter(|l| !l.starts_with("go: errors parsing"))
            .map(|l| l.trim_start_matches("go: ").replace(&abs, "go.mod"))
            .collect();
        let ours = parse_mod("go.mod", &data, Strictness::Strict);
        let ok = match (&ours, out.status.success()) {
            (Ok(f), true) => {
                // Tokens are text: invalid UTF-8 is read as U+FFFD, where Go keeps the bytes.
                let want = String::from_utf8_lossy(&std::fs::read(&gomod).unwrap()).into_owned();
                let ours = String::from_utf8_lossy(&format_mod(f)).into_owned();
                ours == want || format!("{ours}\n") == want
            }
            (Err(e), false) => {
                let ours: Vec<String> = e.to_string().lines().map(str::to_string).collect();
                ours == go_errs
            }
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "case {line}\n  go:   {go_errs:?}\n  ours: {ours:?}"
            ));
        }
    }
    println!("go mod edit differential: {}/{n} agree", n - failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
