//! Properties of the go.mod parser/formatter: parse(format(parse(x))) == parse(x) for generated
//! valid files (ASTs compared without spans), and no input makes any parser panic.

use godrift::gomod::{self, format_mod, parse_mod, parse_work, ModFile, Strictness};
use proptest::prelude::*;

/// The AST without spans or syntax: what a file means.
fn meaning(f: &ModFile) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(m) = &f.module {
        v.push(format!("module {} {:?}", m.path, m.deprecated));
    }
    if let Some(g) = &f.go {
        v.push(format!("go {}", g.version));
    }
    if let Some(t) = &f.toolchain {
        v.push(format!("toolchain {}", t.name));
    }
    v.extend(
        f.godebug
            .iter()
            .map(|g| format!("godebug {}={}", g.key, g.value)),
    );
    v.extend(
        f.require
            .iter()
            .map(|r| format!("require {} {}", r.module, r.indirect)),
    );
    v.extend(f.exclude.iter().map(|r| format!("exclude {}", r.module)));
    v.extend(
        f.replace
            .iter()
            .map(|r| format!("replace {} => {}", r.old, r.new)),
    );
    v.extend(
        f.retract
            .iter()
            .map(|r| format!("retract {} {} {:?}", r.low, r.high, r.rationale)),
    );
    v.extend(f.tool.iter().map(|t| format!("tool {}", t.path)));
    v.extend(f.ignore.iter().map(|t| format!("ignore {}", t.path)));
    v
}

fn path() -> impl Strategy<Value = String> {
    ("[a-z]{1,6}\\.(com|org)", "[a-u][a-z0-9_-]{0,6}").prop_map(|(h, p)| format!("{h}/{p}"))
}

fn version() -> impl Strategy<Value = String> {
    (
        0u8..2,
        0u8..20,
        0u8..20,
        prop::option::of("[a-z]{1,4}\\.[1-9]"),
    )
        .prop_map(|(a, b, c, pre)| match pre {
            Some(p) => format!("v{a}.{b}.{c}-{p}"),
            None => format!("v{a}.{b}.{c}"),
        })
}

fn comment() -> impl Strategy<Value = String> {
    prop::option::of("[ a-zA-Z:;]{0,12}")
        .prop_map(|c| c.map(|c| format!(" //{c}")).unwrap_or_default())
}

fn directive() -> impl Strategy<Value = String> {
    prop_oneof![
        (path(), version(), comment()).prop_map(|(p, v, c)| format!("require {p} {v}{c}")),
        (path(), version()).prop_map(|(p, v)| format!("require {p} {v} // indirect")),
        (path(), version()).prop_map(|(p, v)| format!("exclude {p} {v}")),
        (path(), "[a-z]{1,5}").prop_map(|(p, d)| format!("replace {p} => ../{d}")),
        (path(), version(), path(), version())
            .prop_map(|(p, v, q, w)| format!("replace {p} {v} => {q} {w}")),
        (version(), comment()).prop_map(|(v, c)| format!("retract {v}{c}")),
        (version(), version()).prop_map(|(a, b)| format!("retract [{a}, {b}]")),
        "[a-z]{1,6}=[a-z0-9]{1,3}".prop_map(|k| format!("godebug {k}")),
        path().prop_map(|p| format!("tool {p}")),
        "// [a-z ]{0,10}".prop_map(|c| c.to_string()),
        Just(String::new()),
    ]
}

/// A valid go.mod: module, go line, then directives, some grouped into blocks.
fn go_mod() -> impl Strategy<Value = String> {
    (
        path(),
        prop::option::of("Deprecated: [a-z ]{1,10}"),
        (1u8..30, prop::option::of(0u8..9)),
        prop::collection::vec((directive(), any::<bool>()), 0..12),
    )
        .prop_map(|(m, dep, (minor, patch), dirs)| {
            let mut s = String::new();
            if let Some(d) = dep {
                s.push_str(&format!("// {d}\n"));
            }
            s.push_str(&format!("module {m}\n\n"));
            match patch {
                Some(p) => s.push_str(&format!("go 1.{minor}.{p}\n")),
                None => s.push_str(&format!("go 1.{minor}\n")),
            }
            for (d, block) in dirs {
                let verb = d.split(' ').next().unwrap_or("");
                if block && !d.is_empty() && !d.starts_with("//") {
                    let rest = &d[verb.len()..].trim_start();
                    s.push_str(&format!("{verb} (\n\t{rest}\n)\n"));
                } else {
                    s.push_str(&d);
                    s.push('\n');
                }
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn format_round_trips(src in go_mod()) {
        let f = parse_mod("go.mod", src.as_bytes(), Strictness::Strict)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        let out = format_mod(&f);
        let g = parse_mod("go.mod", &out, Strictness::Strict)
            .map_err(|e| TestCaseError::fail(format!("{e}\n{}", String::from_utf8_lossy(&out))))?;
        prop_assert_eq!(meaning(&f), meaning(&g));
        // Formatting is idempotent.
        prop_assert_eq!(format_mod(&g), out);
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_mod("go.mod", &data, Strictness::Strict);
        let _ = parse_mod("go.mod", &data, Strictness::Lax);
        let _ = parse_work("go.work", &data);
        if let Ok(f) = gomod::syntax::parse_syntax("go.mod", &data) {
            let _ = gomod::syntax::format(&f);
        }
    }

    #[test]
    fn token_soup_never_panics(toks in prop::collection::vec(
        prop::sample::select(vec!["module", "require", "replace", "retract", "go", "(", ")", "[", "]",
            ",", "=>", "\n", " ", "\t", "// c", "\"x\\\"", "`", "v1.0.0", "a.com/b", "./d", "\r\n", "/*"]),
        0..40)) {
        let data = toks.concat();
        for s in [Strictness::Strict, Strictness::Lax] {
            if let Ok(f) = parse_mod("go.mod", data.as_bytes(), s) {
                let _ = format_mod(&f);
            }
        }
        let _ = parse_work("go.work", data.as_bytes());
    }
}

/// Every prefix of every corpus file parses or fails cleanly.
#[test]
fn truncated_corpus_files_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("grammar-tests/data/modfile-testdata");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let Ok(data) = std::fs::read(e.path()) else {
            continue;
        };
        for cut in 0..=data.len() {
            let _ = parse_mod("go.mod", &data[..cut], Strictness::Strict);
            let _ = parse_mod("go.mod", &data[..cut], Strictness::Lax);
            n += 1;
        }
    }
    assert!(n > 1000, "only {n} prefixes tried");
}
