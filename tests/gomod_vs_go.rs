//! Differential test against the real `go` on PATH: for each case in
//! grammar-tests/data/go-diff/mod_error_cases.txt (one go.mod per line, printf escapes),
//! `go mod edit -fmt` (modfile.Parse with a nil fixer, then modfile.Format) and godrift's strict
//! parse + format_mod must agree: same error lines, or the same formatted file.
//! Skipped, with a printed reason, when `go` is not installed.

mod support;

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

/// Runs `go mod edit -fmt` (or `go work edit -fmt`) on `data` in `dir`; compares with ours.
fn compare(
    tmp: &std::path::Path,
    dir: &std::path::Path,
    data: &[u8],
    work: bool,
) -> Result<(), String> {
    std::fs::create_dir_all(dir).unwrap();
    let name = if work { "go.work" } else { "go.mod" };
    let file = dir.join(name);
    std::fs::write(&file, data).unwrap();
    let out = Command::new("go")
        .args([if work { "work" } else { "mod" }, "edit", "-fmt"])
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", if work { file.to_str().unwrap() } else { "off" })
        .env("GOPATH", tmp.join("gopath"))
        .env("GOMODCACHE", tmp.join("gopath/pkg/mod"))
        .output()
        .unwrap();
    let abs = file.display().to_string();
    let go_errs: Vec<String> = String::from_utf8_lossy(&out.stderr)
        .lines()
        .map(|l| l.trim_start_matches("go: ").replace(&abs, name))
        .filter(|l| !l.starts_with("errors parsing "))
        .collect();
    let ours = if work {
        godrift::gomod::parse_work(name, data).map(|f| godrift::gomod::format_work(&f))
    } else {
        parse_mod(name, data, Strictness::Strict).map(|f| format_mod(&f))
    };
    let ok = match (&ours, out.status.success()) {
        (Ok(f), true) => {
            // Tokens are text: invalid UTF-8 is read as U+FFFD, where Go keeps the bytes.
            let want = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
            let ours = String::from_utf8_lossy(f).into_owned();
            // `go mod edit` also runs Cleanup and SortBlocks (collapsing one-line blocks,
            // dropping empty ones, sorting), which are edits, not formatting: with blocks,
            // only acceptance is compared.
            data.contains(&b'(') || ours == want || format!("{ours}\n") == want
        }
        (Err(e), false) => {
            let ours: Vec<String> = e.to_string().lines().map(str::to_string).collect();
            ours == go_errs
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "input {:?}\n  go:   {go_errs:?} (exit ok: {})\n  ours: {:?}",
            String::from_utf8_lossy(data),
            out.status.success(),
            ours.map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|e| e.to_string())
        ))
    }
}

/// Random go.mod/go.work texts from a token soup, compared with `go mod edit -fmt`. Opt-in
/// (slow: one go process per case): `GODRIFT_DIFF_CASES=2000 cargo test --test gomod_vs_go -- --ignored`.
#[test]
#[ignore]
fn random_soup_matches_go() {
    if support::require_go("random_soup_matches_go").is_none() {
        return;
    }
    let n: usize = std::env::var("GODRIFT_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let toks = [
        "module",
        "require",
        "replace",
        "retract",
        "exclude",
        "go",
        "toolchain",
        "godebug",
        "tool",
        "ignore",
        "use",
        "(",
        ")",
        "[",
        "]",
        ",",
        "=>",
        "\n",
        "\n",
        "\n",
        " ",
        " ",
        "\t",
        "// c",
        "// indirect",
        "// Deprecated: x",
        "\"a.com/q\"",
        "`x`",
        "v1.0.0",
        "v1.2",
        "v2.0.0",
        "v2.0.0+incompatible",
        "a.com/b",
        "a.com/b/v2",
        "./d",
        "../e",
        "1.21",
        "1.21.0",
        "go1.22",
        "k=v",
        "\r\n",
        "latest",
        "x",
        "'q'",
        "\"a\\tb\"",
        "/*",
        "{",
        "}",
    ];
    let tmp = tempfile::tempdir().unwrap();
    let mut seed: u64 = 0x9E3779B97F4A7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut failures = Vec::new();
    for i in 0..n {
        let mut s = String::new();
        if i % 2 == 0 {
            // Token soup.
            for _ in 0..(next() % 24) {
                s.push_str(toks[(next() % toks.len() as u64) as usize]);
                if next() % 3 == 0 {
                    s.push(' ');
                }
            }
        } else {
            // Line-shaped: a verb, a few arguments, sometimes inside a block.
            let verbs = &toks[..11];
            let args = &toks[22..];
            for _ in 0..(next() % 6) {
                let verb = verbs[(next() % verbs.len() as u64) as usize];
                let block = next() % 3 == 0;
                s.push_str(verb);
                s.push_str(if block { " (\n\t" } else { " " });
                for _ in 0..(next() % 4) {
                    s.push_str(args[(next() % args.len() as u64) as usize]);
                    s.push(' ');
                }
                s.push_str(if block { "\n)\n" } else { "\n" });
            }
        }
        let work = i % 4 == 3;
        if let Err(e) = compare(
            tmp.path(),
            &tmp.path().join(format!("r{i}")),
            s.as_bytes(),
            work,
        ) {
            failures.push(e);
        }
    }
    println!("random differential: {}/{n} agree", n - failures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn strict_parse_matches_go_mod_edit() {
    if support::require_go("strict_parse_matches_go_mod_edit").is_none() {
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
