//! `godrift parse` end to end: JSON on success, Go-format errors and exit code 2 on bad input.

use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_godrift"))
        .args(args)
        .output()
        .expect("run godrift")
}

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, data).unwrap();
    p.display().to_string()
}

#[test]
fn go_mod_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "go.mod",
        b"// Deprecated: use n\nmodule m\n\ngo 1.22\n\nrequire (\n\tx.com/a v1.2 // indirect\n)\n\nreplace x.com/a => ../a\n",
    );
    let out = run(&["parse", &p]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["module"]["path"], "m");
    assert_eq!(v["module"]["deprecated"], "use n");
    assert_eq!(v["go"]["version"], "1.22");
    // modfile canonicalizes v1.2 to v1.2.0.
    assert_eq!(v["require"][0]["module"]["version"], "v1.2.0");
    assert_eq!(v["require"][0]["indirect"], true);
    assert_eq!(v["replace"][0]["new"]["path"], "../a");
}

#[test]
fn go_work_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "go.work",
        b"go 1.23\n\nuse (\n\t./a\n\t./b\n)\n",
    );
    let out = run(&["parse", "--pretty", &p]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["use"][1]["path"], "./b");
}

#[test]
fn strictness_lax_drops_what_go_drops() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "go.mod",
        b"module m\nfuture x\nreplace a.com/b => ./b\n",
    );
    let strict = run(&["parse", &p]);
    assert_eq!(strict.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&strict.stderr).trim(),
        format!("{p}:2: unknown directive: future")
    );
    let lax = run(&["parse", "--strictness", "lax", &p]);
    assert_eq!(lax.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&lax.stdout).unwrap();
    assert_eq!(v["replace"].as_array().map(Vec::len), Some(0));
}

#[test]
fn errors_are_go_format_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "go.mod",
        b"module m\ngo 1.x\nrequire x.com/a/v2 v1.0.0\n",
    );
    let out = run(&["parse", &p]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "{p}:2: invalid go version '1.x': must match format 1.23.0\n\
             {p}:3: require x.com/a/v2: version \"v1.0.0\" invalid: should be v2, not v1\n"
        )
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_file_exit_2() {
    let out = run(&["parse", "/nonexistent/dir/go.mod"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("godrift: /nonexistent/dir/go.mod: "),
        "{err}"
    );
}

#[test]
fn binary_garbage_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "go.mod",
        b"\x7fELF\x02\x01\x01\x00\x00\x00garbage",
    );
    let out = run(&["parse", &p]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!("{p}:1: unexpected input character '\\x7f'")
    );
}

#[test]
fn huge_file_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"module m\n".to_vec();
    data.resize(50 << 20, b'\n');
    let p = write(dir.path(), "go.mod", &data);
    let out = run(&["parse", &p]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("file too large"));
}

#[test]
fn other_names_are_read_as_go_mod_and_lax_flag_is_an_alias() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "dep.mod", b"module m\nfuture x\n");
    let out = run(&["parse", &p]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!("{p}:2: unknown directive: future")
    );
    let out = run(&["parse", "--lax", &p]);
    assert_eq!(out.status.code(), Some(0));
    // Compact JSON by default: one line.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim().lines().count(),
        1
    );
}

#[test]
fn strict_is_cmd_go_main_module_parse() {
    // cmd/go rejects retract without a module directive; modfile.Parse(nil) alone would not.
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "go.mod", b"go 1.16\n\nretract v1.0.0\n");
    let out = run(&["parse", &p]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        format!("{p}:3: no module directive found, so retract cannot be used")
    );
}
