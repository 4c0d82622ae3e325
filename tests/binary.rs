//! Binary mode against real Go builds: hosts and plugins are built at test time with the `go`
//! on PATH, the host really calls plugin.Open, and godrift's verdicts must agree with it.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn have_go() -> bool {
    Command::new("go")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success())
}

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

fn module(root: &Path, dir: &str, path: &str, dep_dir: Option<&str>, main_go: &str) {
    let mut gomod = format!("module {path}\n\ngo 1.21\n");
    if let Some(d) = dep_dir {
        gomod.push_str(&format!(
            "\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ../{d}\n"
        ));
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

/// The built fixture, shared by all tests (each go build costs seconds).
struct Fixture {
    root: PathBuf,
    /// Plugins in the order the host opened them, and the lines the host printed.
    plugins: Vec<&'static str>,
    runtime: Vec<String>,
    race: bool,
}

fn fixture() -> Option<&'static Fixture> {
    static F: OnceLock<Option<Fixture>> = OnceLock::new();
    F.get_or_init(|| {
        if !have_go() {
            eprintln!("skipping: no `go` on PATH");
            return None;
        }
        // Under target/ (not /tmp): a static fixture is never dropped, so it would leak there.
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("binary-fixture");
        let _ = std::fs::remove_dir_all(&tmp);
        let root = tmp.as_path();
        write(
            &root.join("dep1/go.mod"),
            "module example.com/dep\n\ngo 1.21\n",
        );
        write(&root.join("dep1/dep.go"), DEP_V1);
        write(
            &root.join("dep2/go.mod"),
            "module example.com/dep\n\ngo 1.21\n",
        );
        write(&root.join("dep2/dep.go"), DEP_EDITED);
        module(root, "host", "example.com/host", Some("dep1"), HOST_GO);
        module(
            root,
            "plugsame",
            "example.com/plugsame",
            Some("dep1"),
            PLUG_DEP_GO,
        );
        module(
            root,
            "plugedit",
            "example.com/plugedit",
            Some("dep2"),
            PLUG_DEP_GO,
        );
        module(root, "plugstd", "example.com/plugstd", None, PLUG_STD_GO);
        let r = |d: &str| root.join(d);
        go(&r("host"), root, &["build", "-o", "../host.bin", "."], &[]);
        // -s -w: the hashes live in .dynsym and survive stripping; -ldflags need not match.
        go(
            &r("plugsame"),
            root,
            &[
                "build",
                "-buildmode=plugin",
                "-ldflags=-s -w",
                "-o",
                "../same.so",
                ".",
            ],
            &[],
        );
        go(
            &r("plugedit"),
            root,
            &["build", "-buildmode=plugin", "-o", "../edit.so", "."],
            &[],
        );
        go(
            &r("plugstd"),
            root,
            &[
                "build",
                "-buildmode=plugin",
                "-trimpath",
                "-o",
                "../trim.so",
                ".",
            ],
            &[],
        );
        let mut plugins = vec!["same.so", "edit.so", "trim.so"];
        let race = std::env::var_os("GODRIFT_SKIP_RACE").is_none();
        if race {
            go(
                &r("plugstd"),
                root,
                &[
                    "build",
                    "-buildmode=plugin",
                    "-race",
                    "-o",
                    "../race.so",
                    ".",
                ],
                &[],
            );
            plugins.push("race.so");
        }
        let out = Command::new(root.join("host.bin"))
            .args(&plugins)
            .current_dir(root)
            .output()
            .unwrap();
        let runtime = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        Some(Fixture {
            root: tmp,
            plugins,
            runtime,
            race,
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
    let mut args = vec!["check", "--host", "host.bin", "--format", "json"];
    args.extend_from_slice(plugins);
    let (code, out, err) = godrift(&f.root, &args);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, v)
}

#[test]
fn verdicts_agree_with_plugin_open() {
    let Some(f) = fixture() else { return };
    let (code, v) = check_json(f, &f.plugins);
    assert_eq!(code, 1);
    eprintln!("runtime: {:#?}", f.runtime);
    assert_eq!(
        f.runtime.len(),
        f.plugins.len(),
        "host output: {:?}",
        f.runtime
    );
    for (i, line) in f.runtime.iter().enumerate() {
        let p = &v["plugins"][i];
        if let Some(err) = line.strip_prefix("ERR ") {
            assert_eq!(p["verdict"], "fails", "{}", f.plugins[i]);
            assert_eq!(p["error"], err, "{}", f.plugins[i]);
        } else {
            assert_eq!(p["verdict"], "loads", "{}: {line}", f.plugins[i]);
            assert_eq!(p["error"], Value::Null);
        }
    }
    // The runtime's verdicts themselves, as measured: identical loads, the rest fail.
    assert!(f.runtime[0].starts_with("OK "), "{:?}", f.runtime);
    assert!(
        f.runtime[1..].iter().all(|l| l.starts_with("ERR ")),
        "{:?}",
        f.runtime
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
