//! Loader checks against the real thing: a host and a plugin built with the `go` on PATH,
//! and copies of the plugin patched the way other builds differ (another `e_machine`, a
//! GLIBC symbol version this system lacks, a libc soname glibc does not ship). The real host
//! opens each; `godrift check` must give the same verdict and dlopen's message. What godrift
//! reads from each file (class, machine, interpreter, NEEDED, needed versions) is compared
//! with `readelf` on the built files and the system's own libraries.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const HOST_GO: &str = r#"package main

import (
	"fmt"
	"os"
	"plugin"
)

func main() {
	for _, p := range os.Args[1:] {
		if _, err := plugin.Open(p); err != nil {
			fmt.Println("ERR", err)
		} else {
			fmt.Println("OK", p)
		}
	}
}
"#;
const PLUG_GO: &str = "package main\n\nimport \"fmt\"\n\nfunc F() { fmt.Println(\"hi\") }\n";

struct Built {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn build() -> Option<Built> {
    support::require_go("loader")?;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    support::write_files(
        &dir,
        &[
            ("hostsrc/go.mod", "module example.com/host\n\ngo 1.21\n"),
            ("hostsrc/main.go", HOST_GO),
            ("plugsrc/go.mod", "module example.com/plug\n\ngo 1.21\n"),
            ("plugsrc/main.go", PLUG_GO),
        ],
    );
    let env = support::GoEnv::new(&dir);
    env.go(&dir.join("hostsrc"), &["build", "-o", "../host", "."]);
    env.go(
        &dir.join("plugsrc"),
        &["build", "-buildmode=plugin", "-o", "../plug.so", "."],
    );
    Some(Built { _tmp: tmp, dir })
}

/// Replaces the one occurrence of `from` in `data` (a NUL-delimited string of .dynstr).
fn patch_string(data: &[u8], from: &[u8], to: &[u8]) -> Option<Vec<u8>> {
    assert_eq!(from.len(), to.len());
    let i = data.windows(from.len()).position(|w| w == from)?;
    let mut out = data.to_vec();
    out[i..i + to.len()].copy_from_slice(to);
    Some(out)
}

/// What the real host printed for each plugin: Ok(()) or the error.
fn run_host(dir: &Path, plugins: &[&str]) -> Vec<Result<(), String>> {
    support::open_plugins(&dir.join("host"), dir, plugins)
}

fn check(dir: &Path, extra: &[&str], plugins: &[&str]) -> Value {
    let mut args = vec!["check", "--format", "json", "--host", "./host"];
    args.extend_from_slice(extra);
    args.extend_from_slice(plugins);
    let r = support::godrift(dir, &args);
    assert!(r.code == 0 || r.code == 1, "{r:?}");
    serde_json::from_str(&r.stdout).unwrap()
}

fn codes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f["code"].as_str().unwrap(),
                f["severity"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn patched_plugins_fail_as_dlopen_says() {
    let Some(b) = build() else { return };
    let dir = &b.dir;
    let plug = std::fs::read(dir.join("plug.so")).unwrap();
    // e_machine (offset 18) = AArch64.
    let mut arm = plug.clone();
    arm[18..20].copy_from_slice(&183u16.to_le_bytes());
    std::fs::write(dir.join("arm.so"), &arm).unwrap();
    // A libc soname glibc does not ship.
    let libc9 = patch_string(&plug, b"\0libc.so.6\0", b"\0libc.so.9\0").expect("NEEDED libc.so.6");
    std::fs::write(dir.join("libc9.so"), libc9).unwrap();
    // The highest GLIBC version the plugin needs, renamed to one no glibc has.
    let needs = godrift::binary::loader::read(&dir.join("plug.so")).unwrap();
    let max = needs
        .glibc_max()
        .expect("a cgo plugin needs GLIBC versions")
        .to_string();
    let future = format!("GLIBC_9.{}", "9".repeat(max.len() - "GLIBC_9.".len()));
    let glibc = patch_string(
        &plug,
        format!("\0{max}\0").as_bytes(),
        format!("\0{future}\0").as_bytes(),
    )
    .unwrap();
    std::fs::write(dir.join("glibc.so"), glibc).unwrap();

    let names = ["./plug.so", "./arm.so", "./libc9.so", "./glibc.so"];
    let runtime = run_host(dir, &names);
    assert_eq!(runtime.len(), names.len(), "{runtime:?}");
    assert!(runtime[0].is_ok(), "{runtime:?}");
    for r in &runtime[1..] {
        assert!(
            r.is_err(),
            "the runtime loaded a patched plugin: {runtime:?}"
        );
    }
    // This system's glibc release is the ceiling: the patched version is above it.
    let ceiling = String::from_utf8(
        Command::new("getconf")
            .arg("GNU_LIBC_VERSION")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let ceiling = ceiling.trim().trim_start_matches("glibc ").to_string();
    let v = check(dir, &["--glibc-ceiling", &ceiling], &names);
    let plugins = v["plugins"].as_array().unwrap();
    assert_eq!(plugins[0]["verdict"], "loads", "{v:#}");
    for (i, r) in runtime.iter().enumerate().skip(1) {
        assert_eq!(plugins[i]["verdict"], "fails", "{}: {v:#}", names[i]);
        let got = plugins[i]["error"].as_str().unwrap();
        let want = r.as_ref().unwrap_err();
        if names[i] == "./glibc.so" {
            // dlopen names libc by the path it found it at on this machine; godrift, which
            // does not know the target's layout, by its soname.
            let tail = |s: &str| s.split_once("version `").map(|(_, t)| t.to_string());
            assert_eq!(tail(got), tail(want), "{got} vs {want}");
            assert!(
                got.starts_with("plugin.Open(\"./glibc.so\"): libc.so.6: "),
                "{got}"
            );
        } else {
            assert_eq!(got, want, "dlopen's message word for word");
        }
    }
    let c = codes(&v);
    for code in ["GD025 error", "GD026 error", "GD027 error"] {
        assert!(c.iter().any(|x| x == code), "{code} missing in {c:?}");
    }
    // A plugin with the plugin path of an earlier one that failed: loads now, and fails
    // with "plugin already loaded" once the earlier one loads (the runtime, with a copy).
    let v = check(dir, &[], &["./arm.so", "./plug.so"]);
    assert_eq!(v["plugins"][1]["verdict"], "loads", "{v:#}");
    assert!(codes(&v).contains(&"GD008 warning".to_string()), "{v:#}");
    std::fs::copy(dir.join("plug.so"), dir.join("plug-copy.so")).unwrap();
    let r = run_host(dir, &["./plug-copy.so", "./plug.so"]);
    assert_eq!(
        r[1].as_ref().unwrap_err(),
        "plugin.Open(\"./plug\"): plugin already loaded"
    );
    // Without a ceiling, a version above what the host needs is undecided, never "loads".
    let v = check(dir, &[], &["./glibc.so"]);
    assert_eq!(v["plugins"][0]["verdict"], "unknown", "{v:#}");
    assert!(codes(&v).contains(&"GD026 warning".to_string()));
    // The unpatched plugin: no loader finding at all.
    let v = check(dir, &[], &["./plug.so"]);
    assert_eq!(v["plugins"][0]["verdict"], "loads");
    assert!(codes(&v).is_empty(), "{v:#}");
    // From the host's contract: the same verdicts and messages.
    let r = support::godrift(
        dir,
        &[
            "contract", "export", "--host", "./host", "--glibc", &ceiling, "--output", "c.json",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let mut args = vec!["check", "--format", "json", "--contract", "c.json"];
    args.extend_from_slice(&names);
    let k: Value = serde_json::from_str(&support::godrift(dir, &args).stdout).unwrap();
    let v = check(dir, &["--glibc-ceiling", &ceiling], &names);
    assert_eq!(k["plugins"], v["plugins"]);
    assert_eq!(k["findings"], v["findings"]);
    // A C symbol no library defines (malloc renamed): explain reads dlopen's real message.
    // (check cannot see this one: it would need the target's libraries; README, known limits.)
    let sym = patch_string(&plug, b"\0malloc\0", b"\0mallox\0").expect("malloc in .dynstr");
    std::fs::write(dir.join("sym.so"), sym).unwrap();
    let msg = run_host(dir, &["./sym.so"]).remove(0).unwrap_err();
    assert!(msg.contains("undefined symbol: mallox"), "{msg}");
    let e = support::godrift(dir, &["explain", "--json", &msg]);
    assert_eq!(e.code, 0, "{e:?}");
    let e: Value = serde_json::from_str(&e.stdout).unwrap();
    assert_eq!(e["kind"], "undefined-symbol");
    assert!(e["meaning"].as_str().unwrap().contains("mallox"), "{e:#}");
    // The loader messages of the other patched plugins are recognized too.
    for (r, kind) in runtime[1..]
        .iter()
        .zip(["cannot-open", "cannot-open", "glibc-version"])
    {
        let e = support::godrift(dir, &["explain", "--json", r.as_ref().unwrap_err()]);
        let e: Value = serde_json::from_str(&e.stdout).unwrap();
        assert_eq!(e["kind"], kind, "{r:?}");
    }
    // A contract from sources has no hashes: check refuses it (exit 2) rather than guess.
    let mut c: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("c.json")).unwrap()).unwrap();
    c["hashes"] = false.into();
    c["source"] = "sources".into();
    for p in c["packages"].as_array_mut().unwrap() {
        p.as_object_mut().unwrap().remove("hash");
    }
    std::fs::write(dir.join("src.json"), c.to_string()).unwrap();
    let r = support::godrift(dir, &["check", "--contract", "src.json", "./plug.so"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("no package hashes"), "{r:?}");
}

/// `readelf`'s view of a file: class, machine number, interpreter, NEEDED, needed versions.
type ReadElf = (u8, u16, Option<String>, Vec<String>, Vec<(String, String)>);

fn readelf(path: &Path) -> Option<ReadElf> {
    let out = Command::new("readelf")
        .args(["-W", "-h", "-l", "-d", "-V"])
        .arg(path)
        .env("LC_ALL", "C")
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let class = if text.contains("Class:                             ELF64") {
        64
    } else {
        32
    };
    let machine = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Machine:"))
        .map(|m| m.trim().to_string())?;
    let machine = match machine.as_str() {
        "Advanced Micro Devices X86-64" => 62,
        "AArch64" => 183,
        "Intel 80386" => 3,
        _ => return None,
    };
    let interp = text
        .lines()
        .find_map(|l| l.split_once("[Requesting program interpreter: "))
        .map(|(_, r)| r.trim_end_matches(']').to_string());
    let needed = text
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| {
            l.split_once("Shared library: [")
                .map(|(_, r)| r.trim_end_matches(']').to_string())
        })
        .collect();
    let mut versions = Vec::new();
    let mut file = String::new();
    let mut in_needs = false;
    for l in text.lines() {
        if l.starts_with("Version needs section") {
            in_needs = true;
            continue;
        }
        if in_needs && l.trim().is_empty() {
            in_needs = false;
        }
        if !in_needs {
            continue;
        }
        if let Some((_, f)) = l.split_once("File: ") {
            file = f.split_whitespace().next().unwrap_or("").to_string();
        } else if let Some((_, n)) = l.split_once("Name: ") {
            let name = n.split_whitespace().next().unwrap_or("").to_string();
            if !l.contains("WEAK") {
                versions.push((file.clone(), name));
            }
        }
    }
    Some((class, machine, interp, needed, versions))
}

#[test]
fn loader_data_equals_readelf() {
    if Command::new("readelf").arg("--version").output().is_err() {
        assert!(!support::in_ci(), "CI needs readelf (binutils)");
        eprintln!("loader_data_equals_readelf: skipped, no readelf");
        return;
    }
    let built = build();
    let mut files: Vec<PathBuf> = vec![std::env::current_exe().unwrap()];
    if let Some(b) = &built {
        files.push(b.dir.join("host"));
        files.push(b.dir.join("plug.so"));
    }
    for lib in [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/bin/ls",
    ] {
        if Path::new(lib).exists() {
            files.push(lib.into());
        }
    }
    let mut compared = 0;
    for f in &files {
        let Some((class, machine, interp, needed, versions)) = readelf(f) else {
            continue;
        };
        let got = godrift::binary::loader::read(f).unwrap();
        assert_eq!(got.class, class, "{}", f.display());
        assert_eq!(got.machine, machine, "{}", f.display());
        assert_eq!(got.interpreter, interp, "{}", f.display());
        assert_eq!(got.needed, needed, "{}", f.display());
        let mut ours: Vec<(String, String)> = got
            .versions
            .iter()
            .flat_map(|(lib, vs)| vs.iter().map(move |v| (lib.clone(), v.clone())))
            .collect();
        let mut theirs = versions;
        ours.sort();
        theirs.sort();
        theirs.dedup();
        assert_eq!(ours, theirs, "{}", f.display());
        compared += 1;
    }
    assert!(compared >= 2, "nothing compared");
}
