//! `report --base REV` against the real thing: a host repository whose working tree moves a
//! shared dependency to another directory (as a dependency bump moves its version), with two
//! plugins. The host built at REV and the host built from the working tree open both; the
//! plugins godrift lists as broken by the change are exactly those that loaded before and
//! fail after.

mod support;

#[path = "support/schema.rs"]
mod schema;

use std::path::Path;

const PLUG_DEP: &str =
    "package main\n\nimport \"example.com/dep\"\n\nfunc F() string { return dep.Hello() }\n";
const PLUG_STD: &str =
    "package main\n\nimport \"strings\"\n\nfunc F() string { return strings.ToUpper(\"x\") }\n";
const DEP_V1: &str = "package dep\n\nfunc Hello() string { return \"hi\" }\n";
const DEP_V2: &str = "package dep\n\nfunc Hello() string { return \"hi\" }\n\nfunc Bye() string { return \"bye\" }\n";

fn host_mod(dep_dir: &str) -> String {
    format!("module example.com/host\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => {dep_dir}\n")
}

#[test]
fn plugins_broken_by_the_host_change_are_listed() {
    if support::require_go("report_base").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let dep_mod = "module example.com/dep\n\ngo 1.21\n";
    let plug_mod = |p: &str, dep: bool| {
        let mut m = format!("module example.com/{p}\n\ngo 1.21\n");
        if dep {
            m.push_str(
                "\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ../../dep1\n",
            );
        }
        m
    };
    let base_mod = host_mod("./dep1");
    let (pdep, pstd) = (plug_mod("pdep", true), plug_mod("pstd", false));
    support::write_files(
        root,
        &[
            ("go.mod", &base_mod),
            ("main.go", support::OK_ERR_HOST),
            ("dep1/go.mod", dep_mod),
            ("dep1/dep.go", DEP_V1),
            ("dep2/go.mod", dep_mod),
            ("dep2/dep.go", DEP_V2),
            ("plugins/pdep/go.mod", &pdep),
            ("plugins/pdep/main.go", PLUG_DEP),
            ("plugins/pstd/go.mod", &pstd),
            ("plugins/pstd/main.go", PLUG_STD),
        ],
    );
    support::git(root, &["init", "-q"]);
    support::git(root, &["add", "."]);
    support::git(root, &["commit", "-q", "-m", "base"]);
    let env = support::GoEnv::new(root);
    env.go(root, &["build", "-o", "host-base", "."]);
    for p in ["pdep", "pstd"] {
        env.go(
            &root.join("plugins").join(p),
            &[
                "build",
                "-buildmode=plugin",
                "-o",
                &format!("../../{p}.so"),
                ".",
            ],
        );
    }
    // The change under review: the host moves to the other copy of dep.
    std::fs::write(root.join("go.mod"), host_mod("./dep2")).unwrap();
    env.go(root, &["build", "-o", "host-now", "."]);
    let plugins = ["./pdep.so", "./pstd.so"];
    let before = support::open_plugins(&root.join("host-base"), root, &plugins)
        .iter()
        .map(Result::is_ok)
        .collect::<Vec<_>>();
    let after = support::open_plugins(&root.join("host-now"), root, &plugins)
        .iter()
        .map(Result::is_ok)
        .collect::<Vec<_>>();
    assert_eq!(before, vec![true, true]);
    assert_eq!(after, vec![false, true]);

    let r = env.godrift(
        root,
        &[
            "report", "--quiet", "--base", "HEAD", "--format", "markdown",
        ],
    );
    assert_eq!(r.code, 1, "a plugin is broken by the change: {r:?}");
    let md = &r.stdout;
    assert!(md.len() <= 60_000);
    assert!(
        md.contains("**1 plugin(s) loaded with the host at `HEAD` and fail with this change.**"),
        "{md}"
    );
    for (name, broken) in [
        ("pdep", before[0] && !after[0]),
        ("pstd", before[1] && !after[1]),
    ] {
        let row = md
            .lines()
            .find(|l| l.starts_with(&format!("| `{name}`")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{md}"));
        assert_eq!(row.contains("broken by this change"), broken, "{row}");
    }
    // The alignment is in the report below it.
    assert!(md.contains("dep2") || md.contains("dep1"), "{md}");
    // The same in JSON (validated against its schema) and in the terminal.
    let r = env.godrift(
        root,
        &["report", "--quiet", "--base", "HEAD", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{r:?}");
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let mut schemas = schema::Schemas::new(&Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"));
    let errs = schemas.validate("base.schema.json", &doc);
    assert!(errs.is_empty(), "{errs:#?}");
    assert_eq!(doc["base"]["rev"], "HEAD");
    assert_eq!(doc["broken"], 1);
    for (i, name) in ["pdep", "pstd"].iter().enumerate() {
        let row = doc["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == *name)
            .unwrap_or_else(|| panic!("{name}: {doc}"));
        assert_eq!(row["broken"], before[i] && !after[i], "{row}");
        assert_eq!(row["before"] == "loads", before[i], "{row}");
        assert_eq!(row["after"] == "loads", after[i], "{row}");
    }
    let r = env.godrift(root, &["report", "--quiet", "--base", "HEAD"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout
            .contains("1 plugin(s) loaded and fail with this change"),
        "{}",
        r.stdout
    );
    // Against the working tree itself: nothing broken.
    support::git(root, &["commit", "-q", "-am", "move dep"]);
    let r = env.godrift(
        root,
        &[
            "report", "--quiet", "--base", "HEAD", "--format", "markdown",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .contains("No plugin that loaded with the base host stops loading"),
        "{}",
        r.stdout
    );
    // A revision that does not exist is bad input.
    let r = env.godrift(root, &["report", "--quiet", "--base", "no-such-rev"]);
    assert_eq!(r.code, 2, "{r:?}");
}
