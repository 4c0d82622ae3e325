//! Verdicts never claim more than godrift saw (issue 11 item 6): a report about no plugin, a
//! plugin that is the host, a go.mod without a module line, an unreadable module graph, a
//! baseline, and built files given with the sources.

mod support;

use std::path::PathBuf;
use support::{copy_tree, fixtures, godrift, write_files, GoEnv};

fn example() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("example");
    copy_tree(&fixtures().join("example"), &dir);
    (tmp, dir)
}

/// The first finding with `code` in a JSON report.
fn finding<'a>(v: &'a serde_json::Value, code: &str) -> Option<&'a serde_json::Value> {
    v["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == code))
}

/// A Go environment whose file:// proxy (under `root`) serves `example.com/dep` at
/// `versions`: package dep, whose `Hello` returns the version.
/// The verdict the JSON report gives the plugin named `name`.
fn plugin_verdict<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["plugins"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == name))
        .map(|p| &p["verdict"])
        .unwrap_or_else(|| panic!("{name} in {v}"))
}

fn dep_env(root: &std::path::Path, versions: &[&str]) -> GoEnv {
    let proxy = root.join("proxy");
    for v in versions {
        support::write_proxy_module(
            &proxy,
            "example.com/dep",
            v,
            &[
                ("go.mod", "module example.com/dep\n\ngo 1.21\n"),
                (
                    "dep.go",
                    &format!("package dep\n\nfunc Hello() string {{ return {v:?} }}\n"),
                ),
            ],
        );
    }
    let mut env = GoEnv::new(root);
    env.goproxy = format!("file://{}", proxy.display());
    env
}

/// go.mod of `example.com/NAME` requiring example.com/dep at `version`.
fn dep_module(name: &str, version: &str) -> String {
    format!("module example.com/{name}\n\ngo 1.22\n\nrequire example.com/dep {version}\n")
}

/// A plugin main package calling example.com/dep.
const DEP_PLUGIN: &str =
    "package main\n\nimport \"example.com/dep\"\n\nfunc F() string { return dep.Hello() }\n";

/// `godrift report --format json ARGS` in `dir` under `env`, parsed.
fn report_json(
    env: &GoEnv,
    dir: &std::path::Path,
    args: &[&str],
) -> (support::Run, serde_json::Value) {
    let mut all = vec!["report", "--format", "json"];
    all.extend_from_slice(args);
    let r = env.godrift(dir, &all);
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|_| panic!("{r:?}"));
    (r, v)
}

#[test]
fn a_report_that_finds_no_plugin_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        &[("go.mod", "module example.com/host\n\ngo 1.22\n")],
    );
    let r = godrift(tmp.path(), &["report", "."]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(
        r.stderr.contains("no plugin module found") && r.stderr.contains("\"plugins/*\""),
        "{}",
        r.stderr
    );
}

#[test]
fn a_plugin_that_is_the_host_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        &[
            ("host/go.mod", "module example.com/host\n\ngo 1.22\n"),
            (
                "godrift.toml",
                "[host]\npath = \"host\"\n\n[[plugins]]\npath = \"./host\"\n",
            ),
        ],
    );
    let r = godrift(tmp.path(), &["report"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr.contains("is the host module itself"),
        "{}",
        r.stderr
    );
    let r = godrift(
        tmp.path(),
        &["report", "--host", "host", "--plugin", "host/."],
    );
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn a_go_mod_without_module_line_is_gos_error() {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        &[
            ("go.mod", ""),
            ("plugins/p/go.mod", "module example.com/p\n"),
        ],
    );
    let r = godrift(tmp.path(), &["report"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("go.mod: missing module declaration. To specify the module path:\n\tgo mod edit -module=example.com/mod"),
        "{}",
        r.stderr
    );
}

/// A host with a plugin under plugins/, both requiring example.com/dep v1.0.0, with no
/// module cache.
fn host_and_plugin_requiring_dep() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write_files(
        tmp.path(),
        &[
            ("go.mod", &dep_module("host", "v1.0.0")),
            ("plugins/p/go.mod", &dep_module("p", "v1.0.0")),
        ],
    );
    tmp
}

#[test]
fn a_graph_godrift_could_not_read_is_never_loads() {
    // Host and plugin agree on everything godrift can see, but a dependency's go.mod is
    // not in the module cache: what it requires is unknown.
    let tmp = host_and_plugin_requiring_dep();
    let r = godrift(tmp.path(), &["report", "--format", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["verdict"], "may-fail", "{v}");
    let f = finding(&v, "GD090").expect("GD090");
    assert_eq!(f["severity"], "warning");
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("go mod download example.com/dep@v1.0.0"),
        "{f}"
    );
}

#[test]
fn an_unreadable_go_mod_in_the_cache_is_named_and_never_loads() {
    // The dependency's go.mod is there but cannot be read (here: a directory where the
    // file should be, which even root cannot read as a file).
    let tmp = host_and_plugin_requiring_dep();
    let bad = tmp
        .path()
        .join("no-modcache/cache/download/example.com/dep/@v/v1.0.0.mod");
    std::fs::create_dir_all(&bad).unwrap();
    let r = godrift(tmp.path(), &["report", "--format", "json"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["verdict"], "may-fail", "{v}");
    let f: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "GD090")
        .collect();
    assert_eq!(f.len(), 2, "one per side: {v}");
    let msg = f[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("cannot read") && msg.contains("example.com/dep/@v/v1.0.0.mod"),
        "{msg}"
    );
    assert!(!msg.contains("not found in the module cache"), "{msg}");
    assert!(
        !f[0]["fix"].as_str().unwrap().contains("go mod download"),
        "{f:?}"
    );
}

#[test]
fn a_baseline_accepts_but_never_hides_a_failure_whatever_the_dir_spelling() {
    let (tmp, dir) = example();
    let r = godrift(
        tmp.path(),
        &["report", "example", "--write-baseline", "b.json"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    // Applied with the directory spelled another way.
    let spelled = format!("{}/./", dir.display());
    let r = godrift(
        tmp.path(),
        &[
            "report",
            &spelled,
            "--baseline",
            "b.json",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "accepted drift must not fail: {r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["verdict"], "fails", "{v}");
    assert_eq!(v["after_baseline"], "loads", "{v}");
    assert_eq!(plugin_verdict(&v, "metrics"), "fails");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "GD001" && f["accepted"] == true));
    let r = godrift(tmp.path(), &["report", &spelled, "--baseline", "b.json"]);
    assert!(
        r.stdout.contains("fails (accepted by baseline)"),
        "{}",
        r.stdout
    );
}

/// With built files, their verdict is the headline and the exit code, whatever source mode
/// concluded: here source mode sees metrics' conflict, but only audit.so is built and given.
#[test]
fn built_files_decide_the_headline() {
    let Some(_) = support::require_go("built_files_decide_the_headline") else {
        return;
    };
    let (tmp, dir) = example();
    let env = GoEnv::new(tmp.path()).with("GOFLAGS", "-mod=mod");
    env.go(&dir.join("host"), &["build", "-o", "../host.bin", "."]);
    env.go(
        &dir.join("plugins/audit"),
        &["build", "-buildmode=plugin", "-o", "../../audit.so", "."],
    );
    let out = std::process::Command::new(dir.join("host.bin"))
        .current_dir(&dir)
        .arg("./audit.so")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("OK"),
        "the runtime loads audit: {out:?}"
    );
    let r = godrift(
        &dir,
        &[
            "report",
            "--format",
            "json",
            "--built-host",
            "host.bin",
            "--built-plugin",
            "./audit.so",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["verdict"], "loads", "{v}");
    assert!(
        v["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("source mode alone says fails")),
        "{v}"
    );
}

/// Modules the host lacks: the first plugin that links a package provides it to the later
/// ones; a later plugin linking it at another version fails, one that does not link it loads.
#[test]
fn plugin_only_modules_fail_only_for_later_plugins_that_link_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dep = |v: &str| format!("package dep\n\nconst V = {v:?}\n");
    let plugin = |name: &str, version: &str, links: bool| -> Vec<(String, String)> {
        let main = if links {
            "package main\n\nimport \"example.com/dep\"\n\nvar V = dep.V\n\nfunc main() {}\n"
        } else {
            "package main\n\nfunc main() {}\n"
        };
        vec![
            (
                format!("plugins/{name}/go.mod"),
                format!(
                    "module example.com/{name}\n\ngo 1.22\n\nrequire example.com/dep {version}\n\nreplace example.com/dep => ../../deps/{version}\n"
                ),
            ),
            (format!("plugins/{name}/main.go"), main.to_string()),
        ]
    };
    let mut files: Vec<(String, String)> = vec![
        (
            "go.mod".into(),
            "module example.com/host\n\ngo 1.22\n".into(),
        ),
        (
            "main.go".into(),
            "package main\n\nimport _ \"plugin\"\n\nfunc main() {}\n".into(),
        ),
        (
            "deps/v1.0.0/go.mod".into(),
            "module example.com/dep\n".into(),
        ),
        ("deps/v1.0.0/dep.go".into(), dep("v1.0.0")),
        (
            "deps/v1.1.0/go.mod".into(),
            "module example.com/dep\n".into(),
        ),
        ("deps/v1.1.0/dep.go".into(), dep("v1.1.0")),
    ];
    files.extend(plugin("a", "v1.0.0", true));
    files.extend(plugin("b", "v1.1.0", true));
    files.extend(plugin("c", "v1.1.0", false));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(tmp.path(), &refs);
    let r = godrift(tmp.path(), &["report", "--format", "json"]);
    assert_eq!(r.code, 1, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let verdict = |n: &str| plugin_verdict(&v, n);
    assert_eq!(verdict("a"), "loads", "{v}");
    assert_eq!(verdict("b"), "fails", "{v}");
    assert_eq!(verdict("c"), "loads", "{v}");
    let gd001: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "GD001")
        .collect();
    assert_eq!(gd001.len(), 1, "one finding per module: {gd001:?}");
    assert_eq!(gd001[0]["artifacts"], serde_json::json!(["b"]));
    assert!(
        gd001[0]["message"]
            .as_str()
            .unwrap()
            .contains("b fails if opened after a, which provides example.com/dep"),
        "{}",
        gd001[0]["message"]
    );
}

/// Issue 11 item 7: Go's environment counts as `go` sees it. The same dependency code compiled
/// from two directories (host and plugin each `replace` it to their own copy) loads when both
/// are built with `-trimpath`, here given by `go env -w GOFLAGS=-trimpath` and not by
/// godrift.toml; godrift must read it from `go env` and say "loads", and "fails" (GD007)
/// without it. Both verdicts are checked against plugin.Open on the real builds.
#[test]
fn goflags_from_go_env_w_count_as_build_settings() {
    let Some(go) = support::require_go("goflags_from_go_env_w_count_as_build_settings") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let lib = "package lib\n\n// F is inlined into its callers: its body and position are in the hash.\nfunc F() int { return 42 }\n";
    write_files(
        root,
        &[
            ("godrift.toml", "[host]\npath = \"host\"\n\n[[plugins]]\npath = \"plug\"\n"),
            ("lib/go.mod", "module example.com/lib\n\ngo 1.21\n"),
            ("lib/lib.go", lib),
            ("libcopy/go.mod", "module example.com/lib\n\ngo 1.21\n"),
            ("libcopy/lib.go", lib),
            (
                "host/go.mod",
                "module example.com/host\n\ngo 1.21\n\nrequire example.com/lib v1.0.0\n\nreplace example.com/lib => ../lib\n",
            ),
            (
                "host/main.go",
                "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n\n\t\"example.com/lib\"\n)\n\nfunc main() {\n\tif _, err := plugin.Open(os.Args[1]); err != nil {\n\t\tfmt.Println(\"ERR\", err)\n\t\tos.Exit(3)\n\t}\n\tfmt.Println(\"OK\", lib.F())\n}\n",
            ),
            (
                "plug/go.mod",
                "module example.com/plug\n\ngo 1.21\n\nrequire example.com/lib v1.0.0\n\nreplace example.com/lib => ../libcopy\n",
            ),
            (
                "plug/main.go",
                "package main\n\nimport \"example.com/lib\"\n\nfunc G() int { return lib.F() }\n\nfunc main() {}\n",
            ),
        ],
    );
    // A GOENV file as `go env -w GOFLAGS=-trimpath` writes it (the command itself writes it).
    let goenv_file = root.join("goenv");
    let env = GoEnv::new(root).with("GOENV", goenv_file.display().to_string());
    let mut w = std::process::Command::new(&go);
    env.apply(&mut w);
    w.env("GOENV", &goenv_file)
        .args(["env", "-w", "GOFLAGS=-trimpath"])
        .current_dir(root);
    let out = w.output().expect("go env -w");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Build both and open the plugin, with and without the GOENV file.
    let runtime = |with_file: bool, tag: &str| -> String {
        let goenv = if with_file {
            goenv_file.display().to_string()
        } else {
            "off".to_string()
        };
        let build = |dir: &str, args: &[&str]| {
            let mut c = std::process::Command::new(&go);
            env.apply(&mut c);
            // GoEnv's default GOFLAGS (-mod=mod) would hide the file's GOFLAGS.
            c.env("GOENV", &goenv)
                .env_remove("GOFLAGS")
                .args(args)
                .current_dir(root.join(dir));
            let out = c.output().expect("go build");
            assert!(
                out.status.success(),
                "go {args:?} in {dir}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let host = root.join(format!("host-{tag}"));
        let so = root.join(format!("plug-{tag}.so"));
        build("host", &["build", "-o", host.to_str().unwrap(), "."]);
        build(
            "plug",
            &[
                "build",
                "-buildmode=plugin",
                "-o",
                so.to_str().unwrap(),
                ".",
            ],
        );
        let out = std::process::Command::new(&host)
            .arg(&so)
            .output()
            .expect("run host");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let report = |with_file: bool| -> serde_json::Value {
        let mut c = support::godrift_command(root, &["report", "--format", "json"]);
        if with_file {
            c.env("GOENV", &goenv_file);
        }
        // go must be found for `go env -json` to read the file.
        let r = support::Run::of(c.output().expect("godrift"));
        assert!(r.code <= 1, "{r:?}");
        serde_json::from_str(&r.stdout).unwrap()
    };
    let with = runtime(true, "trimpath");
    assert!(
        with.starts_with("OK 42"),
        "runtime with GOFLAGS=-trimpath: {with}"
    );
    let without = runtime(false, "plain");
    assert!(without.starts_with("ERR"), "runtime without it: {without}");

    let v = report(true);
    assert_eq!(v["plugins"][0]["verdict"], "loads", "{v}");
    let v = report(false);
    assert_eq!(v["plugins"][0]["verdict"], "fails", "{v}");
    assert!(finding(&v, "GD007").is_some(), "{v}");
}

/// GD013 against go itself: a plugin whose go.mod requires a module below what its graph
/// selects does not build with the default -mod=readonly ("updates to go.mod needed"), and
/// godrift says so (a warning, so the plugin is not "loads"); after `go mod tidy`, go builds
/// it, the host opens it, and godrift says "loads" without the warning.
#[test]
fn a_plugin_whose_go_mod_needs_updates_is_not_loads_until_tidied() {
    if support::require_go("a_plugin_whose_go_mod_needs_updates_is_not_loads_until_tidied")
        .is_none()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let proxy = root.join("proxy");
    for v in ["v1.0.0", "v1.1.0"] {
        support::write_proxy_module(
            &proxy,
            "example.com/b",
            v,
            &[
                ("go.mod", "module example.com/b\n\ngo 1.21\n"),
                ("b.go", &format!("package b\n\nconst V = {v:?}\n")),
            ],
        );
    }
    support::write_proxy_module(
        &proxy,
        "example.com/a",
        "v1.0.0",
        &[
            (
                "go.mod",
                "module example.com/a\n\ngo 1.21\n\nrequire example.com/b v1.1.0\n",
            ),
            (
                "a.go",
                "package a\n\nimport \"example.com/b\"\n\nfunc V() string { return b.V }\n",
            ),
        ],
    );
    let requires = |b: &str| {
        format!(
            "go 1.21\n\nrequire example.com/a v1.0.0\n\nrequire example.com/b {b} // indirect\n"
        )
    };
    write_files(
        root,
        &[
            ("go.mod", &format!("module example.com/host\n\n{}", requires("v1.1.0"))),
            (
                "main.go",
                "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n\n\t\"example.com/a\"\n)\n\nfunc main() {\n\t_ = a.V()\n\tif _, err := plugin.Open(os.Args[1]); err != nil {\n\t\tfmt.Println(\"ERR\", err)\n\t\treturn\n\t}\n\tfmt.Println(\"OK\")\n}\n",
            ),
            (
                "plugins/p/go.mod",
                &format!("module example.com/p\n\n{}", requires("v1.1.0")),
            ),
            (
                "plugins/p/main.go",
                "package main\n\nimport \"example.com/a\"\n\nfunc F() string { return a.V() }\n",
            ),
        ],
    );
    let mut env = GoEnv::new(root);
    env.goproxy = format!("file://{}", proxy.display());
    let plugin = root.join("plugins/p");
    env.go(root, &["mod", "tidy"]);
    env.go(&plugin, &["mod", "tidy"]);
    // The stale requirement: b below what a requires. go.sum gets b v1.0.0's go.mod line,
    // so the one thing go refuses is the update.
    let sum = env.go(
        &plugin,
        &["mod", "download", "-json", "example.com/b@v1.0.0"],
    );
    let v: serde_json::Value = serde_json::from_str(&sum).unwrap();
    let mut go_sum = std::fs::read_to_string(plugin.join("go.sum")).unwrap();
    go_sum.push_str(&format!(
        "example.com/b v1.0.0/go.mod {}\n",
        v["GoModSum"].as_str().unwrap()
    ));
    write_files(
        &plugin,
        &[
            (
                "go.mod",
                &format!("module example.com/p\n\n{}", requires("v1.0.0")),
            ),
            ("go.sum", &go_sum),
        ],
    );
    let mut readonly = env.clone();
    readonly.goflags = String::new();
    readonly.goproxy = "off".into();
    let out = readonly.go_output(
        &plugin,
        &["build", "-buildmode=plugin", "-o", "../p.so", "."],
    );
    assert!(!out.status.success(), "go built the stale plugin");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("updates to go.mod needed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = || {
        let r = readonly.godrift(root, &["report", "--format", "json"]);
        assert!(r.code <= 1, "{r:?}");
        serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap()
    };
    let v = report();
    assert_eq!(v["plugins"][0]["verdict"], "may-fail", "{v}");
    let gd013: Vec<&serde_json::Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "GD013")
        .collect();
    assert_eq!(gd013.len(), 1, "{v}");
    assert_eq!(gd013[0]["artifacts"][0], "p");
    assert!(
        gd013[0]["message"]
            .as_str()
            .unwrap()
            .contains("example.com/b@v1.0.0 (selected v1.1.0)"),
        "{}",
        gd013[0]["message"]
    );
    assert!(gd013[0]["fix"].as_str().unwrap().ends_with("go mod tidy)"));
    // The fix: tidy, then the plugin builds and loads, and godrift agrees.
    env.go(&plugin, &["mod", "tidy"]);
    readonly.go(
        &plugin,
        &["build", "-buildmode=plugin", "-o", "../p.so", "."],
    );
    readonly.go(root, &["build", "-o", "host", "."]);
    let run = std::process::Command::new(root.join("host"))
        .arg(root.join("plugins/p.so"))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&run.stdout).starts_with("OK"),
        "{run:?}"
    );
    let v = report();
    assert_eq!(v["plugins"][0]["verdict"], "loads", "{v}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["code"] != "GD013"),
        "{v}"
    );
}

/// `go work vendor`: a workspace's builds compile vendor/ next to go.work (vendor mode from
/// the go.work go line and modules.txt's `## workspace` marker). A plugin built in the
/// workspace loads; one built outside it from the module cache does not.
#[test]
fn a_workspace_vendor_dir_is_where_workspace_builds_compile_from() {
    if support::require_go("a_workspace_vendor_dir_is_where_workspace_builds_compile_from")
        .is_none()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let env = dep_env(root, &["v1.0.0"]);
    write_files(
        root,
        &[
            ("ws/go.work", "go 1.22\n\nuse (\n\t./host\n\t./inside\n)\n"),
            ("ws/host/go.mod", &dep_module("host", "v1.0.0")),
            ("ws/host/main.go", support::OK_ERR_HOST),
            ("ws/inside/go.mod", &dep_module("inside", "v1.0.0")),
            ("ws/inside/main.go", DEP_PLUGIN),
            ("outside/go.mod", &dep_module("outside", "v1.0.0")),
            ("outside/main.go", DEP_PLUGIN),
        ],
    );
    for d in ["ws/host", "ws/inside", "outside"] {
        env.go(&root.join(d), &["mod", "tidy"]);
    }
    let mut ws = env.clone();
    ws.gowork = String::new();
    ws.goflags = String::new();
    ws.go(&root.join("ws"), &["work", "vendor"]);
    ws.go(&root.join("ws/host"), &["build", "-o", "../../h", "."]);
    ws.go(
        &root.join("ws/inside"),
        &["build", "-buildmode=plugin", "-o", "../../inside.so", "."],
    );
    ws.go(
        &root.join("outside"),
        &["build", "-buildmode=plugin", "-o", "../outside.so", "."],
    );
    let opened = support::open_plugins(&root.join("h"), root, &["./inside.so", "./outside.so"]);
    assert!(opened[0].is_ok(), "{opened:?}");
    assert!(
        opened[1]
            .as_ref()
            .is_err_and(|e| e.contains("different version of package example.com/dep")),
        "{opened:?}"
    );
    let both = ["--host", "ws/host", "--plugin", "ws/inside"];
    let (r, v) = report_json(&ws, root, &[&both[..], &["--plugin", "outside"]].concat());
    assert_eq!(r.code, 1, "{r:?}");
    let verdict = |name: &str| plugin_verdict(&v, name);
    assert_eq!(verdict("inside"), "loads", "{v}");
    assert_eq!(verdict("outside"), "fails", "{v}");
    let gd007 = finding(&v, "GD007").unwrap_or_else(|| panic!("{v}"));
    let vendor = format!("ws{}vendor", std::path::MAIN_SEPARATOR);
    assert!(
        gd007["message"].as_str().unwrap().contains(&vendor),
        "{gd007}"
    );
    // An edited vendored file is the workspace's, checked against the module cache.
    let vendored = root.join("ws/vendor/example.com/dep/dep.go");
    let text = std::fs::read_to_string(&vendored).unwrap();
    std::fs::write(&vendored, text.replace("v1.0.0", "v1.0.1")).unwrap();
    let (_, v) = report_json(&ws, root, &[&both[..], &["--no-cache"]].concat());
    assert!(finding(&v, "GD009").is_some(), "{v}");
    // modules.txt out of sync with a workspace go.mod: Go's inconsistent vendoring.
    let go_mod = root.join("ws/inside/go.mod");
    let text = std::fs::read_to_string(&go_mod).unwrap().replace(
        "require example.com/dep v1.0.0",
        "require (\n\texample.com/dep v1.0.0\n\texample.com/extra v1.0.0\n)",
    );
    std::fs::write(&go_mod, text).unwrap();
    let built = ws.go_output(&root.join("ws/host"), &["build", "-o", "/dev/null", "."]);
    let go_err = String::from_utf8_lossy(&built.stderr).into_owned();
    assert!(go_err.contains("inconsistent vendoring"), "{go_err}");
    let (_, v) = report_json(&ws, root, &both);
    let gd006 = finding(&v, "GD006").unwrap_or_else(|| panic!("{v}"));
    let line = "example.com/extra@v1.0.0: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt";
    assert!(go_err.contains(line), "{go_err}");
    assert!(gd006["message"].as_str().unwrap().contains(line), "{gd006}");
    let fix = gd006["fix"].as_str().unwrap();
    assert!(fix.contains("go work vendor"), "{gd006}");
}

/// Build tags select standard-library files too: `-tags netgo` on the host only changes
/// net, which both link (plugin.Open fails naming net); `-tags osusergo` changes os/user,
/// which neither links (it loads). godrift compares the std files both sides compile.
#[test]
fn tags_matter_only_where_a_shared_std_package_compiles_other_files() {
    if support::require_go("tags_matter_only_where_a_shared_std_package_compiles_other_files")
        .is_none()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write_files(
        root,
        &[
            ("host/go.mod", "module example.com/host\n\ngo 1.22\n"),
            (
                "host/main.go",
                "package main\n\nimport (\n\t\"fmt\"\n\t\"net\"\n\t\"os\"\n\t\"plugin\"\n)\n\nfunc main() {\n\t_, _ = net.LookupHost(\"localhost\")\n\tfor _, p := range os.Args[1:] {\n\t\tif _, err := plugin.Open(p); err != nil {\n\t\t\tfmt.Println(\"ERR\", err)\n\t\t} else {\n\t\t\tfmt.Println(\"OK\", p)\n\t\t}\n\t}\n}\n",
            ),
            ("plug/go.mod", "module example.com/plug\n\ngo 1.22\n"),
            (
                "plug/main.go",
                "package main\n\nimport \"net\"\n\nfunc F() { _, _ = net.LookupHost(\"x\") }\n",
            ),
        ],
    );
    let mut env = GoEnv::new(root);
    env.goflags = String::new();
    env.go(
        &root.join("plug"),
        &["build", "-buildmode=plugin", "-o", "../p.so", "."],
    );
    for (tags, loads) in [("netgo", false), ("osusergo", true)] {
        env.go(
            &root.join("host"),
            &["build", "-tags", tags, "-o", &format!("../h-{tags}"), "."],
        );
        let opened = support::open_plugins(&root.join(format!("h-{tags}")), root, &["./p.so"]);
        assert_eq!(opened[0].is_ok(), loads, "{tags}: {opened:?}");
        if !loads {
            assert!(
                opened[0]
                    .as_ref()
                    .unwrap_err()
                    .ends_with("different version of package net"),
                "{opened:?}"
            );
        }
        write_files(
            root,
            &[(
                "godrift.toml",
                &format!(
                    "[host]\npath = \"host\"\nbuild = {{ tags = \"{tags}\" }}\n\n[[plugins]]\npath = \"plug\"\n"
                ),
            )],
        );
        let (r, v) = report_json(&env, root, &[]);
        let want = if loads { "loads" } else { "fails" };
        assert_eq!(v["plugins"][0]["verdict"], want, "{tags}: {v}");
        assert_eq!(r.code, if loads { 0 } else { 1 }, "{r:?}");
        if !loads {
            let msg = finding(&v, "GD005").unwrap()["message"].as_str().unwrap();
            assert!(
                msg.contains("standard-library package(s) both link: net "),
                "{msg}"
            );
        }
    }
}

/// `align --tidy` on a vendored plugin: its go.mod is aligned with the host, tidied, and its
/// vendor/ rewritten (`go mod vendor`; a stale vendor/ stops `go build` with "inconsistent
/// vendoring"). Both sides use -trimpath, so the vendored copy compiles like the host's
/// module cache copy: after align the plugin builds, loads, and godrift agrees.
#[test]
fn align_tidy_revendors_a_vendored_plugin() {
    if support::require_go("align_tidy_revendors_a_vendored_plugin").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let env = dep_env(root, &["v1.0.0", "v1.1.0"]);
    write_files(
        root,
        &[
            ("host/go.mod", &dep_module("host", "v1.1.0")),
            ("host/main.go", support::OK_ERR_HOST),
            ("plug/go.mod", &dep_module("plug", "v1.0.0")),
            ("plug/main.go", DEP_PLUGIN),
            (
                "godrift.toml",
                "[host]\npath = \"host\"\nbuild = { trimpath = true }\n\n[[plugins]]\npath = \"plug\"\nbuild = { trimpath = true }\n",
            ),
        ],
    );
    for d in ["host", "plug"] {
        env.go(&root.join(d), &["mod", "tidy"]);
    }
    let mut build = env.clone();
    build.goflags = String::new();
    build.go(&root.join("plug"), &["mod", "vendor"]);
    let verdict = || report_json(&build, root, &["--no-cache"]).1["plugins"][0]["verdict"].clone();
    assert_eq!(verdict(), "fails");
    let r = build.godrift(root, &["align", "--tidy", "."]);
    assert_eq!(r.code, 0, "{r:?}");
    let txt = std::fs::read_to_string(root.join("plug/vendor/modules.txt")).unwrap();
    assert!(txt.contains("# example.com/dep v1.1.0"), "{txt}");
    assert_eq!(verdict(), "loads");
    build.go(
        &root.join("host"),
        &["build", "-trimpath", "-o", "../h", "."],
    );
    build.go(
        &root.join("plug"),
        &[
            "build",
            "-trimpath",
            "-buildmode=plugin",
            "-o",
            "../p.so",
            ".",
        ],
    );
    let opened = support::open_plugins(&root.join("h"), root, &["./p.so"]);
    assert!(opened[0].is_ok(), "{opened:?}");
}

/// A host with a vendor/ directory built with `go build -mod=mod` compiles the module cache
/// like its plugins (it loads); built by default it compiles vendor/ (it fails). The
/// per-artifact `mod` setting says which, and a bad value is godrift.toml's error.
#[test]
fn a_configured_mod_flag_decides_whether_vendor_is_compiled() {
    if support::require_go("a_configured_mod_flag_decides_whether_vendor_is_compiled").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let env = dep_env(root, &["v1.0.0"]);
    write_files(
        root,
        &[
            ("host/go.mod", &dep_module("host", "v1.0.0")),
            ("host/main.go", support::OK_ERR_HOST),
            ("plug/go.mod", &dep_module("plug", "v1.0.0")),
            ("plug/main.go", DEP_PLUGIN),
        ],
    );
    for d in ["host", "plug"] {
        env.go(&root.join(d), &["mod", "tidy"]);
    }
    let mut build = env.clone();
    build.goflags = String::new();
    build.go(&root.join("host"), &["mod", "vendor"]);
    build.go(&root.join("host"), &["build", "-o", "../h-vendor", "."]);
    build.go(
        &root.join("host"),
        &["build", "-mod=mod", "-o", "../h-mod", "."],
    );
    build.go(
        &root.join("plug"),
        &["build", "-buildmode=plugin", "-o", "../p.so", "."],
    );
    let config = |setting: &str| {
        write_files(
            root,
            &[(
                "godrift.toml",
                &format!("[host]\npath = \"host\"\n{setting}\n[[plugins]]\npath = \"plug\"\n"),
            )],
        )
    };
    for (mode, loads) in [("", false), ("vendor", false), ("mod", true)] {
        let host = if loads { "h-mod" } else { "h-vendor" };
        let opened = support::open_plugins(&root.join(host), root, &["./p.so"]);
        assert_eq!(opened[0].is_ok(), loads, "{host}: {opened:?}");
        config(&if mode.is_empty() {
            String::new()
        } else {
            format!("build = {{ mod = \"{mode}\" }}\n")
        });
        let (_, v) = report_json(&build, root, &["--no-cache"]);
        let want = if loads { "loads" } else { "fails" };
        assert_eq!(v["plugins"][0]["verdict"], want, "mod={mode}: {v}");
    }
    config("build = { mod = \"vendr\" }\n");
    let r = build.godrift(root, &["report"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("godrift.toml:3:"), "{r:?}");
    assert!(r.stderr.contains("vendr"), "{r:?}");
}
