//! Differential test against the real golang.org/x/mod: the copy vendored in the
//! local Go toolchain (`$GOROOT/src/cmd/vendor/golang.org/x/mod`) is built into a
//! small program, via a `replace` to a temp copy (no network), and fed a corpus of
//! edge-case and generated strings. Every result (validity, canonical forms, parts,
//! pseudo-version fields, path checks with their exact error texts, escaping,
//! comparisons of all pairs) must equal ours. Skipped, with a printed reason, when
//! `go` or the vendored x/mod is absent.

mod support;

use godrift::module;
use godrift::semver::{self, pseudo};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PROGRAM: &str = r#"package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"os"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func main() {
	var vs []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		b, err := hex.DecodeString(sc.Text())
		if err != nil {
			panic(err)
		}
		vs = append(vs, string(b))
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	for _, v := range vs {
		base, baseErr := module.PseudoVersionBase(v)
		rev, revErr := module.PseudoVersionRev(v)
		tm, tmErr := module.PseudoVersionTime(v)
		ts := ""
		if tmErr == nil {
			ts = tm.Format(time.RFC3339)
		}
		esc, escErr := module.EscapePath(v)
		unesc, unescErr := module.UnescapePath(v)
		escV, escVErr := module.EscapeVersion(v)
		unescV, unescVErr := module.UnescapeVersion(v)
		prefix, major, ok := module.SplitPathVersion(v)
		enc.Encode([]any{
			semver.IsValid(v), semver.Canonical(v), semver.Major(v), semver.MajorMinor(v),
			semver.Prerelease(v), semver.Build(v),
			module.IsPseudoVersion(v), base, errText(baseErr), rev, errText(revErr), ts, errText(tmErr),
			errText(module.CheckPath(v)), errText(module.CheckImportPath(v)), errText(module.CheckFilePath(v)),
			esc, errText(escErr), unesc, errText(unescErr), escV, errText(escVErr), unescV, errText(unescVErr),
			prefix, major, ok, module.MatchPathMajor(v, major), errText(module.Check(v, "v1.0.0")),
		})
	}
	cmp := []byte{}
	for _, x := range vs {
		for _, y := range vs {
			cmp = append(cmp, byte('1'+semver.Compare(x, y)))
		}
		cmp = append(cmp, '\n')
	}
	w.Write(cmp)
}
"#;

fn s(v: String) -> Value {
    Value::String(v)
}

fn err_text<T, E: std::fmt::Display>(r: &Result<T, E>) -> String {
    r.as_ref().err().map(|e| e.to_string()).unwrap_or_default()
}

/// Our answers, in the program's field order.
fn ours(v: &str) -> Value {
    let base = pseudo::pseudo_version_base(v);
    let rev = pseudo::pseudo_version_rev(v);
    // Ours returns the 14-digit stamp; Go a time, printed here as RFC 3339.
    let tm = pseudo::pseudo_version_time(v).map(|t| {
        format!(
            "{}-{}-{}T{}:{}:{}Z",
            &t[0..4],
            &t[4..6],
            &t[6..8],
            &t[8..10],
            &t[10..12],
            &t[12..14]
        )
    });
    let esc = module::escape_path(v);
    let unesc = module::unescape_path(v);
    let esc_v = module::escape_version(v);
    let unesc_v = module::unescape_version(v);
    let (prefix, major, ok) = match module::split_path_version(v) {
        Some((p, m)) => (p, m, true),
        None => (v, "", false),
    };
    json!([
        semver::is_valid(v),
        s(semver::canonical(v)),
        s(semver::major(v)),
        s(semver::major_minor(v)),
        s(semver::prerelease(v)),
        s(semver::build(v)),
        pseudo::is_pseudo_version(v),
        s(base.clone().unwrap_or_default()),
        s(err_text(&base)),
        s(rev.clone().unwrap_or_default()),
        s(err_text(&rev)),
        s(tm.clone().unwrap_or_default()),
        s(err_text(&tm)),
        s(err_text(&module::check_path(v))),
        s(err_text(&module::check_import_path(v))),
        s(err_text(&module::check_file_path(v))),
        s(esc.clone().unwrap_or_default()),
        s(err_text(&esc)),
        s(unesc.clone().unwrap_or_default()),
        s(err_text(&unesc)),
        s(esc_v.clone().unwrap_or_default()),
        s(err_text(&esc_v)),
        s(unesc_v.clone().unwrap_or_default()),
        s(err_text(&unesc_v)),
        s(prefix.to_string()),
        s(major.to_string()),
        ok,
        module::match_path_major(v, major),
        s(err_text(&module::check(v, "v1.0.0"))),
    ])
}

const FIELDS: [&str; 29] = [
    "IsValid",
    "Canonical",
    "Major",
    "MajorMinor",
    "Prerelease",
    "Build",
    "IsPseudoVersion",
    "PseudoVersionBase",
    "PseudoVersionBase err",
    "PseudoVersionRev",
    "PseudoVersionRev err",
    "PseudoVersionTime",
    "PseudoVersionTime err",
    "CheckPath",
    "CheckImportPath",
    "CheckFilePath",
    "EscapePath",
    "EscapePath err",
    "UnescapePath",
    "UnescapePath err",
    "EscapeVersion",
    "EscapeVersion err",
    "UnescapeVersion",
    "UnescapeVersion err",
    "SplitPathVersion prefix",
    "SplitPathVersion major",
    "SplitPathVersion ok",
    "MatchPathMajor",
    "Check(v, v1.0.0)",
];

/// Edge cases plus deterministic pseudo-random strings over an alphabet that hits
/// every rule (digits, dots, dashes, plus, bang, slashes, case, punctuation, Unicode).
fn corpus() -> Vec<String> {
    let mut v: Vec<String> = [
        "",
        "v",
        "v0",
        "v1",
        "v01",
        "v1.0",
        "v1.00",
        "v1.2.3",
        "v1.2.3-",
        "v1.2.3-0",
        "v1.2.3-00",
        "v1.2.3-0a",
        "v1.2.3+",
        "v1.2.3+0",
        "v1.2.3-a..b",
        "v1.2.3-a.b+c.d",
        "v2.0.0+incompatible",
        "v2.0+incompatible",
        "v1.2.3-pre+incompatible",
        "v0.0.0-20060102150405-hash",
        "v0.0.0-20061302150405-hash",
        "v0.0.0-20060230150405-hash",
        "v0.0.0-20060102150465-hash",
        "v1.2.4-0.20060102150405-hash",
        "v1.2.3-pre.0.20060102150405-hash",
        "v1.0.0-0.20060102150405-hash",
        "v1.2.3-pre.0.20060102150405-hash+incompatible",
        "v0.0.0-20060102150405-hash+incompatible",
        "v1.2.10-0.20060102150405-abcdef123456",
        "v1.2.100-0.20060102150405-abcdef123456",
        "v0.0.0-00010101000000-000000000000",
        "v1.0.0-20060102150405-hash",
        "v1.0.0-x.20060102150405-hash",
        "v1.2.3-0.200601021504-h",
        "---",
        "rsc.io/quote",
        "rsc.io/quote/v2",
        "rsc.io/quote/v1",
        "rsc.io/quote/v0",
        "rsc.io/quote/v2.0",
        "rsc.io/quote/v02",
        "gopkg.in/yaml.v2",
        "gopkg.in/yaml.v0",
        "gopkg.in/yaml.v00",
        "gopkg.in/yaml.v1-unstable",
        "gopkg.in/yaml",
        "gopkg.in/v2",
        "gopkg.in/yaml.v",
        "github.com/Azure/azure-sdk",
        "github.com/!azure/azure-sdk",
        "github.com/!azure!/x",
        "Github.com/x",
        "x.y/z~1",
        "x.y/z~a",
        "x.y/CON.txt",
        "x.y/Lpt9",
        "x.y/a b",
        "x.y/a+b",
        "x.y/é",
        "x.y/☺",
        "x.y/Ⅳ",
        "x.y/\u{345}",
        "x.y/Ⓐ",
        "x.y/中",
        "x.y/क\u{93f}",
        "x.y/\u{2e2f}",
        "x.y/\u{1885}",
        "x.y/\u{1}",
        "x.y/\u{a0}",
        "x.y/\u{feff}",
        "x.y/\"q\"",
        "x.y/a\\b",
        ".x/y",
        "x./y",
        "-x.y",
        "x.y/-z",
        "x.y/.",
        "x.y/..",
        "x.y/...",
        "v1.2.3-!r!c",
        "v1.2.3-RC",
        "v1!",
        "CON",
        "a/../b",
        "/abs",
        "x.y/",
        "x.y//z",
        "example.com/v2",
        "example.com/v3/v2",
        "example.com/pkg/v10",
        "example.com/pkg/v1.2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let alphabet: Vec<char> = "v0123456789.-+!/~_abcxyzXYZ0190.-v v/ é@:"
        .chars()
        .collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let prefixes = [
        "",
        "v",
        "v1.",
        "v1.2.",
        "v1.2.3-",
        "x.y/",
        "gopkg.in/x.",
        "a.b/c/v",
    ];
    for _ in 0..900 {
        let mut t = prefixes[next(prefixes.len())].to_string();
        for _ in 0..next(10) {
            t.push(alphabet[next(alphabet.len())]);
        }
        v.push(t);
    }
    v.sort();
    v.dedup();
    v
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let p = e.path();
        if p.is_file() && p.extension().is_some_and(|x| x == "go") {
            std::fs::copy(&p, to.join(e.file_name()))?;
        }
    }
    Ok(())
}

const MATCH_PROGRAM: &str = r#"package main

import (
	"bufio"
	"encoding/hex"
	"os"
	"path"
)

func main() {
	var pats, names []string
	sc := bufio.NewScanner(os.Stdin)
	dst := &pats
	for sc.Scan() {
		if sc.Text() == "--" {
			dst = &names
			continue
		}
		b, err := hex.DecodeString(sc.Text())
		if err != nil {
			panic(err)
		}
		*dst = append(*dst, string(b))
	}
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, p := range pats {
		for _, n := range names {
			ok, err := path.Match(p, n)
			switch {
			case err != nil:
				w.WriteByte('E')
			case ok:
				w.WriteByte('1')
			default:
				w.WriteByte('0')
			}
		}
		w.WriteByte('\n')
	}
}
"#;

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Go's path.Match (behind GOPRIVATE matching) against ours on every pattern x name pair.
#[test]
fn path_match_matches_go() {
    if support::require_go("path_match_matches_go").is_none() {
        return;
    }
    let mut pats: Vec<String> = [
        "", "*", "a*", "*c", "a*/b", "*/*", "*[/a]*b", "a?b", "a\\*b", "ab[b-d]", "ab[^b-d]",
        "[\\]a]", "[]a]", "[-]", "[x-]", "[a-b-c]", "[", "a[", "\\", "[^", "[a-ζ]*", "*x", "a*b*c",
        "*/quote", "rsc.io", "*.io", "[/]", "a[/]b", "*?", "?*?", "**", "*\\",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut names: Vec<String> = [
        "",
        "a",
        "abc",
        "a/b",
        "aa/b",
        "a*b",
        "a☺b",
        "]",
        "-",
        "x",
        "xxx",
        "α",
        "/",
        "ab/c",
        "rsc.io",
        "rsc.io/quote",
        "a/",
        "/b",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let pat_chars: Vec<char> = "*?[]^-\\ab/☺".chars().collect();
    let name_chars: Vec<char> = "ab/-]☺*".chars().collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    for _ in 0..200 {
        let len = next(7);
        pats.push((0..len).map(|_| pat_chars[next(pat_chars.len())]).collect());
    }
    for _ in 0..60 {
        let len = next(6);
        names.push(
            (0..len)
                .map(|_| name_chars[next(name_chars.len())])
                .collect(),
        );
    }
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("main.go"), MATCH_PROGRAM).unwrap();
    let mut child = Command::new("go")
        .args(["run", "main.go"])
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
        for p in &pats {
            writeln!(stdin, "{}", hex(p)).unwrap();
        }
        writeln!(stdin, "--").unwrap();
        for n in &names {
            writeln!(stdin, "{}", hex(n)).unwrap();
        }
    }
    let out = child.wait_with_output().expect("go run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut failures = Vec::new();
    let mut checks = 0;
    for (p, row) in pats.iter().zip(text.lines()) {
        for (n, c) in names.iter().zip(row.chars()) {
            let want = match c {
                'E' => None,
                '1' => Some(true),
                _ => Some(false),
            };
            checks += 1;
            let got = module::path_match(p, n);
            if got != want {
                failures.push(format!("Match({p:?}, {n:?}) = {got:?}, go {want:?}"));
            }
        }
    }
    println!(
        "path.Match vs go: {}/{checks} passed",
        checks - failures.len()
    );
    failures.truncate(40);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn semver_and_module_match_vendored_xmod() {
    if support::require_go("semver_and_module_match_vendored_xmod").is_none() {
        return;
    }
    let out = Command::new("go")
        .args(["env", "GOROOT"])
        .output()
        .expect("go env");
    let goroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let xmod = goroot.join("src/cmd/vendor/golang.org/x/mod");
    assert!(
        xmod.join("module/module.go").is_file(),
        "the Go toolchain vendors x/mod under {}",
        xmod.display()
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    for sub in ["semver", "module", "internal/lazyregexp"] {
        copy_dir(&xmod.join(sub), &root.join("xmod").join(sub)).expect("copy x/mod");
    }
    std::fs::write(
        root.join("xmod/go.mod"),
        "module golang.org/x/mod\n\ngo 1.22\n",
    )
    .unwrap();
    std::fs::write(
        root.join("go.mod"),
        "module xmoddiff\n\ngo 1.22\n\nrequire golang.org/x/mod v0.0.0\n\nreplace golang.org/x/mod => ./xmod\n",
    )
    .unwrap();
    std::fs::write(root.join("main.go"), PROGRAM).unwrap();

    let vs = corpus();
    let mut child = Command::new("go")
        .args(["run", "."])
        .current_dir(root)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GONOSUMDB", "*")
        .env("GOPATH", root.join("gopath"))
        .env("GOMODCACHE", root.join("gopath/pkg/mod"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn go run");
    {
        let mut stdin = child.stdin.take().expect("stdin");
        for v in &vs {
            let hex: String = v.bytes().map(|b| format!("{b:02x}")).collect();
            writeln!(stdin, "{hex}").expect("write corpus");
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
    let mut checks = 0usize;
    for v in &vs {
        let go: Value = serde_json::from_str(lines.next().expect("a line per input")).unwrap();
        let us = ours(v);
        for (k, name) in FIELDS.iter().enumerate() {
            checks += 1;
            if go[k] != us[k] {
                failures.push(format!("{name}({v:?}): go {} ours {}", go[k], us[k]));
            }
        }
    }
    for x in &vs {
        let row = lines.next().expect("a compare row").as_bytes();
        for (y, c) in vs.iter().zip(row) {
            checks += 1;
            let want = (*c as i32 - b'1' as i32).cmp(&0);
            if semver::compare(x, y) != want {
                failures.push(format!("Compare({x:?}, {y:?}): go {want:?}"));
            }
        }
    }
    println!(
        "semver/module vs vendored x/mod ({} inputs): {}/{checks} checks passed",
        vs.len(),
        checks - failures.len()
    );
    // Per-field counts first, then the first failures of each field.
    let mut by_field: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in &failures {
        let field = f.split('(').next().unwrap_or("").to_string();
        by_field.entry(field).or_default().push(f.clone());
    }
    let failures: Vec<String> = by_field
        .iter()
        .flat_map(|(field, fs)| {
            std::iter::once(format!("{field}: {} mismatches", fs.len()))
                .chain(fs.iter().take(4).cloned())
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
