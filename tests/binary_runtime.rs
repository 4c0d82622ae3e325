//! Binary mode against real Go builds: hosts and plugins are built at test time with the `go`
//! on PATH, the host really calls plugin.Open, and godrift's verdicts must agree with it.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn go(dir: &Path, root: &Path, args: &[&str], extra_env: &[(&str, &str)]) {
    let gopath = root.join("gopath");
    let mut cmd = Command::new("go");
    cmd.args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("GOPATH", &gopath)
        .env("GOMODCACHE", gopath.join("pkg/mod"))
        .env("CGO_ENABLED", "1");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "go {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

const DEP_V1: &str = "package dep\n\nfunc Hello() string { return \"hi\" }\n\nfunc Twice(x int) int { return 2 * x }\n";
// Same API, one line inserted: positions shift, so the export-data hash changes.
const DEP_EDITED: &str = "package dep\n\n// Inserted line.\nfunc Hello() string { return \"hi\" }\n\nfunc Twice(x int) int { return 2 * x }\n";

/// Writes a module requiring `deps` (module path, sibling directory) through `replace`.
fn module(root: &Path, dir: &str, path: &str, deps: &[(&str, &str)], main_go: &str) {
    let mut gomod = format!("module {path}\n\ngo 1.21\n");
    for (m, d) in deps {
        gomod.push_str(&format!("\nrequire {m} v1.0.0\n\nreplace {m} => ../{d}\n"));
    }
    write(&root.join(dir).join("go.mod"), &gomod);
    write(&root.join(dir).join("main.go"), main_go);
}

const HOST_GO: &str = r#"package main

import (
	"fmt"
	"os"
	"plugin"

	"example.com/dep"
)

func main() {
	_ = dep.Hello()
	for _, p := range os.Args[1:] {
		if _, err := plugin.Open(p); err != nil {
			fmt.Println("ERR", err)
		} else {
			fmt.Println("OK", p)
		}
	}
}
"#;
const PLUG_DEP_GO: &str =
    "package main\n\nimport \"example.com/dep\"\n\nfunc F() string { return dep.Hello() }\n";
const PLUG_STD_GO: &str =
    "package main\n\nimport \"strings\"\n\nfunc F() string { return strings.ToUpper(\"x\") }\n";
const PLUG_EXTRA_GO: &str =
    "package main\n\nimport \"example.com/extra\"\n\nfunc F() int { return extra.Twice(2) }\n";
const EXTRA_V1: &str = "package extra\n\nfunc Twice(x int) int { return 2 * x }\n";
const EXTRA_EDITED: &str =
    "package extra\n\n// Inserted.\nfunc Twice(x int) int { return 2 * x }\n";

/// One run of the real host: the plugins it opened in order, and what it printed.
struct Run {
    host: &'static str,
    plugins: Vec<&'static str>,
    stdout: Vec<String>,
    stderr: String,
}

/// The built fixture, shared by all tests (each go build costs seconds).
struct Fixture {
    root: PathBuf,
    runs: Vec<Run>,
    race: bool,
    old_go: bool,
}

/// An older toolchain for the version-mismatch case: `GODRIFT_OLD_GO`, or one that
/// `.ci/go-toolchain` already unpacked (tests never download).
fn old_go() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GODRIFT_OLD_GO") {
        return Some(PathBuf::from(p));
    }
    let cache = std::env::var_os("GODRIFT_TOOLCHAINS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/godrift/toolchains"))
        })?;
    ["go1.25.5", "go1.24.11"]
        .iter()
        .map(|v| cache.join(v).join("go/bin/go"))
        .find(|p| p.exists())
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        support::require_go("binary_runtime fixture")?;
        // Under target/ (not /tmp): a static fixture is never dropped, so it would leak there.
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("binary-runtime-fixture");
        let _ = std::fs::remove_dir_all(&tmp);
        let root = tmp.as_path();
        for (dir, module_path, file, text) in [
            ("dep1", "example.com/dep", "dep.go", DEP_V1),
            ("dep2", "example.com/dep", "dep.go", DEP_EDITED),
            ("extra1", "example.com/extra", "extra.go", EXTRA_V1),
            ("extra2", "example.com/extra", "extra.go", EXTRA_EDITED),
        ] {
            write(
                &root.join(dir).join("go.mod"),
                &format!("module {module_path}\n\ngo 1.21\n"),
            );
            write(&root.join(dir).join(file), text);
        }
        let dep1 = [("example.com/dep", "dep1")];
        module(root, "host", "example.com/host", &dep1, HOST_GO);
        module(root, "plugsame", "example.com/plugsame", &dep1, PLUG_DEP_GO);
        module(
            root,
            "plugedit",
            "example.com/plugedit",
            &[("example.com/dep", "dep2")],
            PLUG_DEP_GO,
        );
        module(root, "plugstd", "example.com/plugstd", &[], PLUG_STD_GO);
        module(
            root,
            "plugxa",
            "example.com/plugxa",
            &[("example.com/extra", "extra1")],
            PLUG_EXTRA_GO,
        );
        module(
            root,
            "plugxb",
            "example.com/plugxb",
            &[("example.com/extra", "extra2")],
            PLUG_EXTRA_GO,
        );
        let r = |d: &str| root.join(d);
        let plugin = |dir: &str, flags: &[&str], out: &str| {
            let mut args = vec!["build", "-buildmode=plugin"];
            args.extend_from_slice(flags);
            let out = format!("../{out}");
            args.extend_from_slice(&["-o", &out, "."]);
            go(&r(dir), root, &args, &[]);
        };
        go(&r("host"), root, &["build", "-o", "../host.bin", "."], &[]);
        // -s -w: the hashes live in .dynsym and survive stripping; -ldflags need not match.
        plugin("plugsame", &["-ldflags=-s -w"], "same.so");
        plugin("plugedit", &[], "edit.so");
        plugin("plugstd", &["-trimpath"], "trim.so");
        plugin("plugxa", &[], "xa.so");
        plugin("plugxb", &[], "xb.so");
        let race = std::env::var_os("GODRIFT_SKIP_RACE").is_none();
        let mut main_run = vec!["same.so", "edit.so", "trim.so"];
        if race {
            plugin("plugstd", &["-race"], "race.so");
            main_run.push("race.so");
        }
        // A C shared library: dlopen works, but no Go module registers.
        write(&root.join("c/lib.c"), "int answer(void) { return 42; }\n");
        let gcc = Command::new("gcc")
            .args(["-shared", "-fPIC", "-o", "c.so", "c/lib.c"])
            .current_dir(root)
            .status();
        assert!(gcc.is_ok_and(|s| s.success()), "gcc failed");
        // Built from a file: plugin path `plugin/unnamed-<hash>`; a copy has the same one.
        go(
            &r("plugsame"),
            root,
            &[
                "build",
                "-buildmode=plugin",
                "-o",
                "../unnamed.so",
                "main.go",
            ],
            &[],
        );
        std::fs::copy(root.join("unnamed.so"), root.join("unnamed-copy.so")).unwrap();
        let mut runs = vec![
            main_run,
            vec!["xa.so", "xb.so"],
            vec!["c.so"],
            vec!["unnamed.so", "unnamed-copy.so", "unnamed.so"],
            // Cached failure: the name keeps its `.so` in this message.
            vec!["edit.so", "edit.so", "./edit.so", "same.so"],
        ];
        let old = old_go();
        if let Some(old) = &old {
            let status = Command::new(old)
                .args(["build", "-buildmode=plugin", "-o", "../old.so", "."])
                .current_dir(r("plugstd"))
                .env("GOTOOLCHAIN", "local")
                .env("GOPROXY", "off")
                .env("GOFLAGS", "-mod=mod")
                .env("GOWORK", "off")
                .env("GOPATH", root.join("gopath"))
                .status()
                .unwrap();
            assert!(status.success());
            runs.push(vec!["old.so"]);
            runs.push(vec!["same.so", "old.so"]);
            runs.push(vec!["same.so", "edit.so", "old.so"]);
        } else {
            assert!(
                !support::in_ci(),
                "CI must provide the older Go (GODRIFT_OLD_GO) for the Go-version-mismatch cases"
            );
            eprintln!(
                "skipping the Go-version-mismatch cases: no older toolchain (set GODRIFT_OLD_GO)"
            );
        }
        // A host linked internally: no Go symbols exported for plugins to bind to.
        go(
            &r("host"),
            root,
            &[
                "build",
                "-ldflags=-linkmode=internal",
                "-o",
                "../host-internal.bin",
                ".",
            ],
            &[],
        );
        // A host without cgo: its plugin package is a stub.
        go(
            &r("host"),
            root,
            &["build", "-o", "../host-nocgo.bin", "."],
            &[("CGO_ENABLED", "0")],
        );
        let runs = runs
            .into_iter()
            .map(|plugins| ("host.bin", plugins))
            .chain([
                ("host-nocgo.bin", vec!["same.so", "same.so"]),
                ("host-internal.bin", vec!["same.so"]),
                // An executable as plugin: dlopen refuses it.
                ("host.bin", vec!["host.bin", "same.so"]),
            ])
            .map(|(host, plugins)| {
                let out = Command::new(root.join(host))
                    .args(&plugins)
                    .current_dir(root)
                    .output()
                    .unwrap();
                Run {
                    host,
                    plugins,
                    stdout: String::from_utf8_lossy(&out.stdout)
                        .lines()
                        .map(str::to_string)
                        .collect(),
                    stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                }
            })
            .collect();
        Some(Fixture {
            root: tmp,
            runs,
            race,
            old_go: old.is_some(),
        })
    })
    .as_ref()
}

fn godrift(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check_json(f: &Fixture, plugins: &[&str]) -> (i32, Value) {
    check_json_with(f, "host.bin", plugins)
}

fn check_json_with(f: &Fixture, host: &str, plugins: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--host", host, "--format", "json"];
    args.extend_from_slice(plugins);
    let (code, out, err) = godrift(&f.root, &args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

/// Every run of the real host agrees with godrift: each plugin's verdict, the exact error
/// plugin.Open returned, and the fatal error of a crash.
#[test]
fn verdicts_agree_with_plugin_open() {
    let Some(f) = fixture() else { return };
    for run in &f.runs {
        if run.plugins.contains(&"c.so") || run.plugins.contains(&"host.bin") {
            // Not a Go plugin: the CLI refuses it as bad input (exit 2); the runtime crashes
            // on the C library and refuses the executable (see the tests below, and
            // `library_verdicts_for_files_the_cli_refuses` for the library's verdict).
            let mut args = vec!["check", "--host", run.host];
            args.extend_from_slice(&run.plugins);
            let (code, _, err) = godrift(&f.root, &args);
            assert_eq!(code, 2, "{err}");
            let why = if run.plugins[0] == "c.so" {
                "not a Go plugin"
            } else {
                "is an executable, not a plugin"
            };
            assert!(err.contains(run.plugins[0]) && err.contains(why), "{err}");
            continue;
        }
        let (code, v) = check_json_with(f, run.host, &run.plugins);
        eprintln!("{:?}: {:#?}", run.plugins, run.stdout);
        for (i, plugin) in run.plugins.iter().enumerate() {
            let p = &v["plugins"][i];
            match run.stdout.get(i) {
                Some(line) if line.starts_with("ERR ") => {
                    // The measured no-cgo text: `plugin: not implemented`, with no prefix.
                    assert_eq!(p["verdict"], "fails", "{plugin} in {:?}", run.plugins);
                    assert_eq!(p["error"], line["ERR ".len()..], "{plugin}");
                }
                Some(line) => {
                    assert_eq!(line, &format!("OK {plugin}"));
                    assert_eq!(p["verdict"], "loads", "{plugin} in {:?}", run.plugins);
                    assert_eq!(p["error"], Value::Null);
                }
                None => {
                    // The process died on this plugin.
                    assert_eq!(
                        i,
                        run.stdout.len(),
                        "only the first unprinted plugin crashed"
                    );
                    assert_eq!(p["verdict"], "crashes", "{plugin}: {}", run.stderr);
                    let msg = p["error"].as_str().unwrap();
                    assert!(
                        run.stderr.contains(&format!("fatal error: {msg}")),
                        "{}",
                        run.stderr
                    );
                    break;
                }
            }
        }
        let all_load = run.stdout.len() == run.plugins.len()
            && run.stdout.iter().all(|l| l.starts_with("OK "));
        assert_eq!(code, if all_load { 0 } else { 1 }, "{:?}", run.plugins);
    }
}

#[test]
fn the_runtime_results_are_the_documented_ones() {
    let Some(f) = fixture() else { return };
    let main = &f.runs[0];
    assert!(main.stdout[0].starts_with("OK "), "{:?}", main.stdout);
    assert!(
        main.stdout[1..].iter().all(|l| l.starts_with("ERR ")),
        "{:?}",
        main.stdout
    );
    // A dependency only plugins use: the second plugin binds to the first one's copy.
    assert_eq!(f.runs[1].stdout[0], "OK xa.so");
    assert!(
        f.runs[1].stdout[1].ends_with("package example.com/extra"),
        "{:?}",
        f.runs[1].stdout
    );
    // A C library as the first plugin kills the process.
    assert!(f.runs[2].stdout.is_empty() && f.runs[2].stderr.contains("no plugin module data"));
    let nocgo = &f.runs[f.runs.len() - 3];
    assert_eq!(nocgo.host, "host-nocgo.bin");
    assert_eq!(
        nocgo.stdout,
        ["ERR plugin: not implemented", "ERR plugin: not implemented"]
    );
    let internal = &f.runs[f.runs.len() - 2];
    assert_eq!(internal.host, "host-internal.bin");
    assert!(internal
        .stderr
        .contains("fatal error: runtime: no plugin module data"));
    // A file-built plugin and its copy share the plugin path; reopening a file is cached.
    assert_eq!(
        f.runs[3].stdout,
        [
            "OK unnamed.so",
            "ERR plugin.Open(\"unnamed-copy\"): plugin already loaded",
            "OK unnamed.so"
        ]
    );
    assert_eq!(
        f.runs[4].stdout[1],
        "ERR plugin.Open(\"edit.so\"): plugin was built with a different version of package example.com/dep (previous failure)"
    );
    if f.old_go {
        assert!(f.runs[5]
            .stderr
            .contains("fatal error: runtime: no plugin module data"));
        assert_eq!(
            f.runs[6].stdout[1],
            "ERR plugin.Open(\"old\"): plugin already loaded"
        );
        assert!(f.runs[7]
            .stderr
            .contains("fatal error: runtime: no plugin module data"));
    }
}

#[test]
fn plugin_only_dependency_is_diagnosed_against_the_earlier_plugin() {
    let Some(f) = fixture() else { return };
    let (_, v) = check_json(f, &["xa.so", "xb.so"]);
    let p = &v["plugins"][1];
    assert_eq!(p["mismatched_packages"][0]["bound_to"], "xa.so");
    let rc = p["root_cause"].as_str().unwrap();
    assert!(
        rc.contains("earlier plugin xa.so") && rc.contains("../extra1") && rc.contains("../extra2"),
        "{rc}"
    );
}

#[test]
fn go_version_mismatch_is_named() {
    let Some(f) = fixture() else { return };
    if !f.old_go {
        return;
    }
    let (_, v) = check_json(f, &["old.so"]);
    assert_eq!(v["findings"][0]["code"], "GD023");
    let rc = v["plugins"][0]["root_cause"].as_str().unwrap();
    assert!(
        rc.contains(v["host"]["go_version"].as_str().unwrap()),
        "{rc}"
    );
}

#[test]
fn identical_build_loads_and_exits_zero() {
    let Some(f) = fixture() else { return };
    let (code, v) = check_json(f, &["same.so"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["plugins"][0]["verdict"], "loads");
    assert_eq!(v["plugins"][0]["plugin_path"], "example.com/plugsame");
    assert_eq!(v["host"]["main_module"], "example.com/host");
    assert_eq!(v["host"]["build_settings"]["CGO_ENABLED"], "1");
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    let (code, out, _) = godrift(&f.root, &["check", "--host", "host.bin", "same.so"]);
    assert_eq!(code, 0);
    assert!(out.contains("loads"), "{out}");
}

#[test]
fn edited_dependency_names_the_package_and_the_replacement() {
    let Some(f) = fixture() else { return };
    let (code, v) = check_json(f, &["edit.so"]);
    assert_eq!(code, 1);
    let p = &v["plugins"][0];
    assert_eq!(
        p["error"],
        "plugin.Open(\"edit\"): plugin was built with a different version of package example.com/dep"
    );
    let names: Vec<&str> = p["mismatched_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["package"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["example.com/dep"],
        "only the edited package differs"
    );
    let rc = p["root_cause"].as_str().unwrap();
    assert!(
        rc.contains("example.com/dep") && rc.contains("../dep2") && rc.contains("../dep1"),
        "{rc}"
    );
    assert_eq!(v["findings"][0]["code"], "GD002");
}

#[test]
fn trimpath_on_one_side_names_a_std_package_and_the_real_cause() {
    let Some(f) = fixture() else { return };
    let (_, v) = check_json(f, &["trim.so"]);
    let p = &v["plugins"][0];
    assert_eq!(p["verdict"], "fails");
    let first = p["mismatched_packages"][0]["package"].as_str().unwrap();
    assert!(
        !first.contains('.'),
        "runtime names a std package, got {first}"
    );
    assert!(p["error"]
        .as_str()
        .unwrap()
        .ends_with(&format!("package {first}")));
    let rc = p["root_cause"].as_str().unwrap();
    assert!(rc.contains("-trimpath"), "{rc}");
    assert_eq!(v["findings"][0]["code"], "GD005");
}

#[test]
fn race_on_one_side_is_the_root_cause() {
    let Some(f) = fixture() else { return };
    if !f.race {
        return;
    }
    let (_, v) = check_json(f, &["race.so"]);
    let p = &v["plugins"][0];
    assert_eq!(p["verdict"], "fails");
    let rc = p["root_cause"].as_str().unwrap();
    assert!(rc.contains("-race"), "{rc}");
}

#[test]
fn bad_input_exits_two_without_panicking() {
    let Some(f) = fixture() else { return };
    let root = &f.root;
    std::fs::write(root.join("text.so"), "not an elf").unwrap();
    let plugin = std::fs::read(root.join("same.so")).unwrap();
    std::fs::write(root.join("trunc.so"), &plugin[..plugin.len() / 3]).unwrap();
    std::fs::write(root.join("hdr.so"), &plugin[..100]).unwrap();
    for bad in ["text.so", "missing.so", "trunc.so", "hdr.so"] {
        let (code, _, err) = godrift(root, &["check", "--host", "host.bin", bad]);
        assert_eq!(code, 2, "{bad}: {err}");
        assert!(err.contains(bad), "{bad}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// Inputs the CLI refuses as bad input still get the runtime's verdict from the library.
#[test]
fn library_verdicts_for_files_the_cli_refuses() {
    let Some(f) = fixture() else { return };
    let run = f.runs.last().unwrap();
    assert_eq!(run.plugins, ["host.bin", "same.so"]);
    let host = godrift::binary::read(&f.root.join("host.bin")).unwrap();
    let plugins: Vec<_> = run
        .plugins
        .iter()
        .map(|p| godrift::binary::read(&f.root.join(p)).unwrap())
        .collect();
    let names: Vec<String> = run.plugins.iter().map(|p| p.to_string()).collect();
    let report = godrift::rules::binary::check(&host, &plugins, &names);
    let expect: Vec<Option<String>> = run
        .stdout
        .iter()
        .map(|l| l.strip_prefix("ERR ").map(str::to_string))
        .collect();
    let got: Vec<Option<String>> = report.plugins.iter().map(|p| p.error.clone()).collect();
    assert_eq!(got, expect, "{:?}", run.stdout);
    assert!(expect[0]
        .as_deref()
        .unwrap()
        .ends_with("cannot dynamically load executable"));
}
