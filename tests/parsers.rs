//! Parser robustness: arbitrary bytes never panic; formatting round-trips; malformed input
//! through the CLI gives Go's error text and exit code 2.

use godrift::gomod::{self, ModFile, Strictness};
use proptest::prelude::*;
use std::process::Command;

/// The AST without positions and syntax tree, for round-trip comparison.
fn semantic(f: &ModFile) -> String {
    let mut v = serde_json::to_value(f).expect("json");
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                o.remove("span");
                o.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    v.to_string()
}

fn module_path() -> impl Strategy<Value = String> {
    ("[a-z]{1,6}", "[a-z]{1,6}", prop::option::of("[a-z]{1,5}")).prop_map(|(a, b, c)| match c {
        Some(c) => format!("{a}.com/{b}/{c}"),
        None => format!("{a}.com/{b}"),
    })
}

fn version() -> impl Strategy<Value = String> {
    (0..2u8, 0..20u8, 0..20u8, prop::option::of("[a-z]{1,4}")).prop_map(
        |(a, b, c, pre)| match pre {
            Some(p) => format!("v{a}.{b}.{c}-{p}"),
            None => format!("v{a}.{b}.{c}"),
        },
    )
}

fn go_mod() -> impl Strategy<Value = String> {
    let req = (module_path(), version(), any::<bool>(), any::<bool>());
    let rep = (module_path(), prop::option::of(version()), "[a-z]{1,6}");
    (
        module_path(),
        prop::collection::vec(req, 0..6),
        prop::collection::vec(rep, 0..3),
        any::<bool>(),
        prop::option::of("[a-z ]{0,20}"),
    )
        .prop_map(|(m, reqs, reps, block, comment)| {
            let mut s = String::new();
            if let Some(c) = comment {
                s.push_str(&format!("// {c}\n"));
            }
            s.push_str(&format!("module {m}\n\ngo 1.22\n\n"));
            let line = |(p, v, indirect, quoted): &(String, String, bool, bool)| {
                let p = if *quoted { format!("{p:?}") } else { p.clone() };
                format!("{p} {v}{}", if *indirect { " // indirect" } else { "" })
            };
            if block && !reqs.is_empty() {
                s.push_str("require (\n");
                for r in &reqs {
                    s.push_str(&format!("\t{}\n", line(r)));
                }
                s.push_str(")\n");
            } else {
                for r in &reqs {
                    s.push_str(&format!("require {}\n", line(r)));
                }
            }
            for (old, v, dir) in &reps {
                match v {
                    Some(v) => s.push_str(&format!("replace {old} {v} => ../{dir}\n")),
                    None => s.push_str(&format!("replace {old} => ./{dir}\n")),
                }
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = gomod::parse_mod("go.mod", &data, Strictness::Strict);
        let _ = gomod::parse_mod("go.mod", &data, Strictness::Lax);
        let _ = gomod::parse_work("go.work", &data);
        let _ = godrift::gosum::parse("go.sum", &data);
        let _ = godrift::vendor::parse_modules_txt("modules.txt", &data);
        let _ = godrift::binary::read_bytes(std::path::Path::new("x.so"), &data);
    }

    #[test]
    fn gomod_like_text_never_panics(s in "(module|require|replace|retract|go|toolchain|exclude|\\(|\\)|\\[|\\]|,|=>|\"|`|//|v1\\.2\\.3|x\\.y/z|\n|\t| ){0,40}") {
        let _ = gomod::parse_mod("go.mod", s.as_bytes(), Strictness::Strict);
        let _ = gomod::parse_mod("go.mod", s.as_bytes(), Strictness::Lax);
        let _ = gomod::parse_work("go.work", s.as_bytes());
    }

    #[test]
    fn format_round_trips(text in go_mod()) {
        let f = gomod::parse_mod("go.mod", text.as_bytes(), Strictness::Strict)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let out = gomod::format_mod(&f);
        let g = gomod::parse_mod("go.mod", &out, Strictness::Strict)
            .map_err(|e| TestCaseError::fail(format!("reparse: {e}\n{}", String::from_utf8_lossy(&out))))?;
        prop_assert_eq!(semantic(&f), semantic(&g));
        // Formatting is idempotent.
        prop_assert_eq!(gomod::format_mod(&g), out);
    }
}

fn parse_cli(name: &str, data: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join(name);
    std::fs::write(&p, data).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(dir.path())
        .args(["parse", name])
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn malformed_inputs_exit_two_with_go_wording() {
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "go.mod",
            b"module m\nrequire (\n\tx.y/z v1.0.0\n",
            "go.mod:4: syntax error (unterminated block started at go.mod:2:1)",
        ),
        (
            "go.mod",
            b"module m\nrequire x.y/z 1.0\n",
            "go.mod:2: require x.y/z: version \"1.0\" invalid: must be of the form v1.2.3",
        ),
        (
            "go.mod",
            b"module \"m\n",
            "go.mod:1:10: unexpected newline in string",
        ),
        (
            "go.mod",
            b"\xef\xbb\xbfmodule m\n",
            "go.mod:1: unexpected input character '\\ufeff'",
        ),
        (
            "go.mod",
            b"module m\x00\n",
            "go.mod:1:9: unexpected input character '\\x00'",
        ),
        (
            "go.mod",
            b"module m\ngo 1.x\n",
            "go.mod:2: invalid go version '1.x': must match format 1.23.0",
        ),
        (
            "go.work",
            b"go 1.22\nuse\n",
            "go.work:2: usage: use local/dir",
        ),
        (
            "go.sum",
            b"x.y/z v1.0.0 h1:abc=\nx.y/z v1.0.0\n",
            "malformed go.sum:\ngo.sum:2: wrong number of fields 2",
        ),
    ];
    for (name, data, want) in cases {
        let (code, out, err) = parse_cli(name, data);
        assert_eq!(code, 2, "{name} {data:?}: {err}");
        assert!(out.is_empty());
        assert_eq!(err.trim_end(), *want, "{data:?}");
    }
}

#[test]
fn huge_and_missing_files_are_refused() {
    let big = vec![b'a'; 50 << 20];
    let (code, _, err) = parse_cli("go.mod", &big);
    assert_eq!(code, 2);
    assert!(err.contains("file too large"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .args(["parse", "/nonexistent/go.mod"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn valid_files_print_json() {
    let (code, out, _) = parse_cli(
        "go.mod",
        b"module example.com/m\n\ngo 1.22\n\nrequire example.com/x v1.2 // indirect\n",
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["module"]["path"], "example.com/m");
    assert_eq!(v["require"][0]["module"]["version"], "v1.2.0");
    assert_eq!(v["require"][0]["indirect"], true);
    let (code, out, _) = parse_cli(
        "modules.txt",
        b"# example.com/x v1.0.0\n## explicit; go 1.21\nexample.com/x\n",
    );
    assert_eq!(code, 0);
    // One-line JSON by default (`--pretty` indents).
    assert!(out.contains("\"explicit\":true"), "{out}");
}
