//! Differential test: our Go-version rules (bare `1.21`, as internal/gover) against
//! the real toolchain's `go/version` package (`go1.21`; the `go` prefix is stripped
//! here as go/version does) (standard library, so no module download is needed).
//! Skipped, with a printed reason, when `go` is not on PATH.

mod support;

use godrift::semver::gover;
use std::cmp::Ordering;
use std::io::Write;
use std::process::{Command, Stdio};

const PROGRAM: &str = r#"package main

import (
	"bufio"
	"fmt"
	"go/version"
	"os"
)

func main() {
	var vs []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		vs = append(vs, sc.Text())
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, x := range vs {
		fmt.Fprintf(w, "V %t %s\n", version.IsValid(x), version.Lang(x))
	}
	for _, x := range vs {
		for _, y := range vs {
			fmt.Fprintf(w, "%d ", version.Compare(x, y))
		}
		fmt.Fprintln(w)
	}
}
"#;

/// go/version's stripGo: `go1.21rc1-custom` -> `1.21rc1`; "" (invalid) without `go`.
fn strip_go(v: &str) -> &str {
    let v = v.split('-').next().unwrap_or("");
    v.strip_prefix("go").unwrap_or("")
}

fn is_valid_go(v: &str) -> bool {
    gover::is_valid(strip_go(v))
}

fn lang_go(v: &str) -> String {
    let l = gover::lang(strip_go(v));
    if l.is_empty() {
        l
    } else {
        format!("go{l}")
    }
}

fn compare_go(x: &str, y: &str) -> Ordering {
    gover::compare(strip_go(x), strip_go(y))
}

fn versions() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        "go",
        "go1",
        "go1.0",
        "go1.0.1",
        "go1.2",
        "go1.2.3",
        "go1.2rc3",
        "go1.9",
        "go1.10",
        "go1.19",
        "go1.19.0",
        "go1.19rc1",
        "go1.19beta2",
        "go1.19alpha3",
        "go1.20",
        "go1.20.0",
        "go1.20rc1",
        "go1.21",
        "go1.21rc1",
        "go1.21rc2",
        "go1.21.0",
        "go1.21.1",
        "go1.21.0rc1",
        "go1.21rc",
        "go1.22",
        "go1.999testmod",
        "go1.600+auto",
        "go01.2",
        "go1.02",
        "go1.2.",
        "go1..2",
        "go1.21RC1",
        "go1.21rc01",
        "go1.21.0-bigcorp",
        "go1.21-x",
        "1.21",
        "go2",
        "go2.0",
        "go1.99999999999999998",
        "go1.99999999999999999",
        "go1.100",
        "go1.21.10",
        "go1.21.9",
        "gox",
        "go1.2.3.4",
        "go1.21 ",
        "go1.21rc1-x",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for minor in [0, 1, 9, 20, 21, 22, 30] {
        for suffix in ["", ".0", ".3", "rc1", "beta1", "alpha"] {
            v.push(format!("go1.{minor}{suffix}"));
        }
    }
    v.sort();
    v.dedup();
    v
}

#[test]
fn gover_matches_go_version_package() {
    if support::require_go("gover_matches_go_version_package").is_none() {
        return;
    }
    let out = Command::new("go")
        .arg("version")
        .output()
        .expect("go version");
    println!("using {}", String::from_utf8_lossy(&out.stdout).trim());
    let dir = tempfile::tempdir().expect("temp dir");
    let main = dir.path().join("main.go");
    std::fs::write(&main, PROGRAM).expect("write main.go");
    let vs = versions();
    let mut child = Command::new("go")
        .arg("run")
        .arg(&main)
        .current_dir(dir.path())
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPATH", dir.path().join("gopath"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn go run");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for v in &vs {
            writeln!(stdin, "{v}").expect("write versions");
        }
    }
    let out = child.wait_with_output().expect("go run");
    assert!(
        out.status.success(),
        "go run failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    let mut lines = text.lines();
    let mut failures = Vec::new();
    let mut checks = 0;
    for v in &vs {
        let line = lines.next().expect("a V line per version");
        let rest = line.strip_prefix("V ").expect("V line");
        let (valid, lang) = rest.split_once(' ').unwrap_or((rest, ""));
        checks += 1;
        if is_valid_go(v) != (valid == "true") {
            failures.push(format!("IsValid({v:?}): go says {valid}"));
        }
        checks += 1;
        if lang_go(v) != lang {
            failures.push(format!("Lang({v:?}) = {:?}, go says {lang:?}", lang_go(v)));
        }
    }
    for x in &vs {
        let row: Vec<&str> = lines
            .next()
            .expect("a compare row")
            .split_whitespace()
            .collect();
        for (y, want) in vs.iter().zip(row) {
            let want = match want {
                "-1" => Ordering::Less,
                "0" => Ordering::Equal,
                _ => Ordering::Greater,
            };
            checks += 1;
            if compare_go(x, y) != want {
                failures.push(format!("Compare({x:?}, {y:?}): go says {want:?}"));
            }
        }
    }
    println!(
        "gover vs go/version: {}/{checks} passed",
        checks - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
