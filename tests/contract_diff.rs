//! `contract diff` against the real thing: two releases of a host (its shared dependency
//! changed), two plugins built for the first (one links the dependency, one does not). The
//! real hosts open both; the plugins `contract diff` says must be rebuilt are exactly those
//! that loaded into the old host and fail with the new one.

mod support;

use serde_json::Value;

const PLUG_DEP: &str =
    "package main\n\nimport \"example.com/dep\"\n\nfunc F() string { return dep.Hello() }\n";
const PLUG_STD: &str =
    "package main\n\nimport \"strings\"\n\nfunc F() string { return strings.ToUpper(\"x\") }\n";
const DEP_V1: &str = "package dep\n\nfunc Hello() string { return \"hi\" }\n";
const DEP_V2: &str = "package dep\n\nfunc Hello() string { return \"hi\" }\n\nfunc Bye() string { return \"bye\" }\n";

fn module(path: &str, dep_dir: Option<&str>) -> String {
    let mut m = format!("module {path}\n\ngo 1.21\n");
    if let Some(d) = dep_dir {
        m.push_str(&format!(
            "\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ../{d}\n"
        ));
    }
    m
}

#[test]
fn plugins_to_rebuild_are_those_the_new_host_refuses() {
    if support::require_go("contract_diff").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (m1, m2, mp) = (
        module("example.com/host", Some("dep1")),
        module("example.com/host", Some("dep2")),
        module("example.com/pdep", Some("dep1")),
    );
    let ms = module("example.com/pstd", None);
    let dep_mod = module("example.com/dep", None);
    support::write_files(
        root,
        &[
            ("dep1/go.mod", &dep_mod),
            ("dep1/dep.go", DEP_V1),
            ("dep2/go.mod", &dep_mod),
            ("dep2/dep.go", DEP_V2),
            ("host1/go.mod", &m1),
            ("host1/main.go", support::OK_ERR_HOST),
            ("host2/go.mod", &m2),
            ("host2/main.go", support::OK_ERR_HOST),
            ("pdep/go.mod", &mp),
            ("pdep/main.go", PLUG_DEP),
            ("pstd/go.mod", &ms),
            ("pstd/main.go", PLUG_STD),
        ],
    );
    let env = support::GoEnv::new(root);
    for (dir, out, plugin) in [
        ("host1", "../v1", false),
        ("host2", "../v2", false),
        ("pdep", "../pdep.so", true),
        ("pstd", "../pstd.so", true),
    ] {
        let mut args = vec!["build"];
        if plugin {
            args.push("-buildmode=plugin");
        }
        args.extend(["-o", out, "."]);
        env.go(&root.join(dir), &args);
    }
    let plugins = ["./pdep.so", "./pstd.so"];
    let before: Vec<bool> = support::open_plugins(&root.join("v1"), root, &plugins)
        .iter()
        .map(Result::is_ok)
        .collect();
    let after: Vec<bool> = support::open_plugins(&root.join("v2"), root, &plugins)
        .iter()
        .map(Result::is_ok)
        .collect();
    assert_eq!(before, vec![true, true], "both load into the old host");
    assert_eq!(
        after,
        vec![false, true],
        "the new host refuses the plugin linking dep"
    );
    for (bin, c) in [("./v1", "v1.json"), ("./v2", "v2.json")] {
        let r = env.godrift(root, &["contract", "export", "--host", bin, "--output", c]);
        assert_eq!(r.code, 0, "{r:?}");
    }
    let r = env.godrift(
        root,
        &[
            "contract",
            "diff",
            "v1.json",
            "v2.json",
            "./pdep.so",
            "./pstd.so",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "a plugin must be rebuilt: {r:?}");
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    for (i, p) in d["plugins"].as_array().unwrap().iter().enumerate() {
        assert_eq!(p["must_rebuild"], before[i] && !after[i], "{p:#}");
    }
    assert_eq!(
        d["plugins"][0]["changed_packages"],
        serde_json::json!(["example.com/dep"])
    );
    assert!(d["packages"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "example.com/dep"));
    assert_eq!(d["modules"][0]["name"], "example.com/dep", "{d:#}");
    let md = env.godrift(
        root,
        &[
            "contract",
            "diff",
            "v1.json",
            "v2.json",
            "./pdep.so",
            "./pstd.so",
        ],
    );
    assert!(
        md.stdout.contains("1 of 2 plugin(s) must be rebuilt"),
        "{}",
        md.stdout
    );
    assert!(md.stdout.contains("`example.com/dep`"), "{}", md.stdout);
    // report --contract: the plugins' sources against each deployed host's contract agree
    // with the real hosts (directory replacements resolved from --host-dir).
    for (c, dir, runtime) in [("v1.json", "host1", &before), ("v2.json", "host2", &after)] {
        let r = env.godrift(
            root,
            &[
                "report",
                "--format",
                "json",
                "--quiet",
                "--contract",
                c,
                "--host-dir",
                dir,
                "--plugin",
                "pdep",
                "--plugin",
                "pstd",
            ],
        );
        assert!(r.code == 0 || r.code == 1, "{r:?}");
        let v: Value = serde_json::from_str(&r.stdout).unwrap();
        let verdicts: Vec<bool> = v["plugins"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["verdict"] == "loads")
            .collect();
        assert_eq!(&verdicts, runtime, "{c}: {:#}", v["plugins"]);
    }
    // Exported from sources (no hashes), the old host's contract has the modules,
    // replacements, Go release and hash-relevant settings of the one exported from its
    // binary: diffing the two finds none of those changed.
    let r = env.godrift(
        root,
        &[
            "contract", "export", "--dir", "host1", "--output", "src.json",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let src: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("src.json")).unwrap()).unwrap();
    assert_eq!(
        (&src["source"], &src["hashes"]),
        (&"sources".into(), &false.into())
    );
    let bin: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("v1.json")).unwrap()).unwrap();
    assert_eq!(src["modules"], bin["modules"]);
    assert_eq!(src["go_version"], bin["go_version"]);
    let r = env.godrift(
        root,
        &[
            "contract", "diff", "v1.json", "src.json", "--format", "json",
        ],
    );
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(d["modules"], serde_json::json!([]), "{d:#}");
    assert_eq!(d["settings"], serde_json::json!([]), "{d:#}");
    assert!(d["go_version"].is_null(), "{d:#}");
    assert_eq!(d["packages"]["changed"], serde_json::json!([]), "{d:#}");
    // Two contracts from sources: nothing to replay, but a plugin linking a package whose
    // module changed must be rebuilt, as the real new host says.
    let r = env.godrift(
        root,
        &[
            "contract",
            "export",
            "--dir",
            "host2",
            "--output",
            "src2.json",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = env.godrift(
        root,
        &[
            "contract",
            "diff",
            "src.json",
            "src2.json",
            "./pdep.so",
            "./pstd.so",
            "--format",
            "json",
        ],
    );
    let d: Value = serde_json::from_str(&r.stdout).unwrap();
    for (i, p) in d["plugins"].as_array().unwrap().iter().enumerate() {
        assert_eq!(p["must_rebuild"], before[i] && !after[i], "{p:#}");
        assert_eq!(p["after"], "unknown", "{p:#}");
    }
    // A release against itself: nothing changed, nothing to rebuild.
    let same = env.godrift(
        root,
        &["contract", "diff", "v1.json", "v1.json", "./pdep.so"],
    );
    assert_eq!(same.code, 0, "{same:?}");
    assert!(
        same.stdout.contains("No change a plugin can see"),
        "{}",
        same.stdout
    );
}
