//! Hostile trees and bad input through the CLI (issue 14, issue 12's writer cases): every
//! input is read through one bounded reader (devices, FIFOs and huge files refused with
//! exit 2, naming the file, never a hang); writers never replace a device, FIFO, symlink or
//! read-only file; symlink loops in plugin globs stay fast and never turn the host into a
//! plugin; unreadable inputs are errors, not "loads"; text from the tree cannot drive the
//! terminal; a closed pipe ends output quietly.
//!
//! Each test runs the binary with a time limit and a 4 GiB address-space cap
//! (`support::run_limited`), so a regression hangs or runs out of memory inside the test,
//! not on the machine. `GODRIFT_TEST_BIN=/path/to/old/godrift` runs these against another
//! build.

mod support;

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::{copy_tree, fixtures, godrift_command, run_limited, Limited};

const LIMIT: Duration = Duration::from_secs(20);

/// A copy of a fixture project in a fresh temporary directory.
fn project(fixture: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_tree(&fixtures().join(fixture), &dir);
    (tmp, dir)
}

fn run(dir: &Path, args: &[&str]) -> Limited {
    run_limited(godrift_command(dir, args), LIMIT)
}

fn replace_with_symlink(path: &Path, target: &str) {
    let _ = std::fs::remove_file(path);
    std::os::unix::fs::symlink(target, path).expect("symlink");
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).expect("cstring");
    // SAFETY: a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

/// Exit 2, promptly, with one message naming `file` and containing `what`.
#[track_caller]
fn assert_refused(r: &Limited, file: &str, what: &str) {
    assert!(
        !r.timed_out,
        "still running after {:?} (hang or unbounded read)",
        r.elapsed
    );
    assert_eq!(
        r.run.code, 2,
        "stdout: {}\nstderr: {}",
        r.run.stdout, r.run.stderr
    );
    let err = &r.run.stderr;
    assert!(err.contains(file), "message does not name {file}: {err}");
    assert!(err.contains(what), "message does not say {what:?}: {err}");
    assert!(!err.contains("os error"), "raw OS error: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

// ---- 1. one bounded reader -------------------------------------------------------------

#[test]
fn committed_symlinks_to_dev_zero_are_refused_naming_the_file() {
    // go.mod, go.sum, godrift.toml of a plain project; modules.txt of a vendored one.
    for (fixture, rel) in [
        ("report/clean", "go.mod"),
        ("report/clean", "go.sum"),
        ("report/clean", "plugins/one/go.mod"),
        ("report/clean", "godrift.toml"),
        ("report/inconsistent-vendoring", "vendor/modules.txt"),
    ] {
        let (_tmp, dir) = project(fixture);
        replace_with_symlink(&dir.join(rel), "/dev/zero");
        let r = run(&dir, &["report", "--quiet"]);
        let name = Path::new(rel).file_name().unwrap().to_str().unwrap();
        assert_refused(&r, name, "not a regular file (a character device)");
    }
}

#[test]
fn a_go_work_symlinked_to_dev_zero_is_refused() {
    // Found by walking up from the module, as cmd/go's findWorkspaceFile (GOWORK unset).
    let (_tmp, dir) = project("report/clean");
    replace_with_symlink(&dir.join("go.work"), "/dev/zero");
    let mut cmd = godrift_command(&dir, &["report", "--quiet"]);
    cmd.env_remove("GOWORK");
    let r = run_limited(cmd, LIMIT);
    assert_refused(&r, "go.work", "character device");
}

#[test]
fn a_baseline_symlinked_to_dev_zero_is_refused() {
    let (_tmp, dir) = project("report/clean");
    replace_with_symlink(&dir.join("base.json"), "/dev/zero");
    let r = run(&dir, &["report", "--quiet", "--baseline", "base.json"]);
    assert_refused(&r, "base.json", "character device");
}

#[test]
fn a_fifo_as_gowork_or_as_a_check_argument_does_not_hang() {
    let (tmp, dir) = project("report/clean");
    let fifo = tmp.path().join("fifo");
    mkfifo(&fifo);
    let mut cmd = godrift_command(&dir, &["report", "--quiet"]);
    cmd.env("GOWORK", &fifo);
    assert_refused(&run_limited(cmd, LIMIT), "fifo", "a FIFO");

    let f = fifo.to_str().unwrap();
    let r = run(&dir, &["check", "--host", f, f]);
    assert_refused(&r, "fifo", "a FIFO");
    let r = run(&dir, &["check", "--host", "/dev/zero", "/dev/zero"]);
    assert_refused(&r, "/dev/zero", "character device");
    let r = run(
        &dir,
        &["report", "--quiet", "--built-host", f, "--built-plugin", f],
    );
    assert_refused(&r, "fifo", "a FIFO");
    let r = run(&dir, &["recipe", "--from-binary", "/dev/zero"]);
    assert_refused(&r, "/dev/zero", "character device");
}

#[test]
fn parse_refuses_devices_and_fifos() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let r = run(tmp.path(), &["parse", "/dev/zero"]);
    assert_refused(&r, "/dev/zero", "character device");
    let fifo = tmp.path().join("go.mod");
    mkfifo(&fifo);
    let r = run(tmp.path(), &["parse", "go.mod"]);
    assert_refused(&r, "go.mod", "a FIFO");
}

#[test]
fn a_100_mb_go_mod_is_refused_by_report() {
    // The README's promise: files over 16 MiB are refused (sparse: no disk used).
    for rel in ["go.mod", "go.sum", "plugins/one/go.mod"] {
        let (_tmp, dir) = project("report/clean");
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(dir.join(rel))
            .expect("open");
        f.set_len(100 << 20).expect("set_len");
        let r = run(&dir, &["report", "--quiet"]);
        assert_refused(&r, rel, "file too large (over 16 MiB)");
    }
}

// ---- 2. writers keep what they write to ------------------------------------------------

fn is_fifo(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_fifo())
}

#[test]
fn report_output_to_a_fifo_writes_into_it() {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let (tmp, dir) = project("report/clean");
    let fifo = tmp.path().join("out.fifo");
    mkfifo(&fifo);
    // A reader that is already there (non-blocking open), so the writer's open succeeds.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .expect("open fifo");
    let r = run(
        &dir,
        &[
            "report",
            "--quiet",
            "--format",
            "json",
            "--output",
            fifo.to_str().unwrap(),
        ],
    );
    assert_eq!(r.run.code, 0, "{}", r.run.stderr);
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    let mut got = String::new();
    let _ = reader.read_to_string(&mut got);
    assert!(got.contains("\"verdict\": \"loads\""), "{got}");
}

#[test]
fn report_output_to_a_character_device_keeps_the_device() {
    // As root, a private device node (replacing the real /dev/null would break the machine
    // if this regressed); as another user, /dev/null itself (which we could not replace).
    let tmp = tempfile::tempdir().expect("tempdir");
    let dev = if support::is_root() {
        let node = tmp.path().join("null");
        let c = std::ffi::CString::new(node.as_os_str().as_encoded_bytes()).expect("cstring");
        // SAFETY: a valid path; makedev(1, 3) is /dev/null's device number.
        let rc = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
        assert_eq!(rc, 0, "mknod: {}", std::io::Error::last_os_error());
        node
    } else {
        PathBuf::from("/dev/null")
    };
    let (_t, dir) = project("report/clean");
    for args in [
        vec!["report", "--quiet", "--output"],
        vec!["report", "--quiet", "--write-baseline"],
    ] {
        let mut args = args;
        args.push(dev.to_str().unwrap());
        let r = run(&dir, &args);
        assert_eq!(r.run.code, 0, "{args:?}: {}", r.run.stderr);
        let m = std::fs::symlink_metadata(&dev).expect("stat");
        assert!(
            m.file_type().is_char_device(),
            "{args:?} replaced the device"
        );
    }
}

#[test]
fn report_output_to_dev_stdout_goes_to_stdout() {
    let (tmp, dir) = project("report/clean");
    let link = tmp.path().join("stdout");
    std::os::unix::fs::symlink("/proc/self/fd/1", &link).unwrap();
    let mut outs = vec!["/proc/self/fd/1", link.to_str().unwrap()];
    // /dev/stdout itself only when not root: a build that replaces what it writes to (as
    // the one this test was written against did) would replace the machine's /dev/stdout.
    if !support::is_root() {
        outs.push("/dev/stdout");
    }
    for out in outs {
        let r = run(
            &dir,
            &["report", "--quiet", "--format", "json", "--output", out],
        );
        assert_eq!(r.run.code, 0, "{out}: {}", r.run.stderr);
        assert!(
            r.run.stdout.contains("\"verdict\": \"loads\""),
            "{out}: {}",
            r.run.stdout
        );
    }
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

#[test]
fn output_to_a_directory_is_refused_once_naming_it() {
    let (_tmp, dir) = project("report/clean");
    let r = run(&dir, &["report", "--quiet", "--output", "plugins"]);
    assert_refused(&r, "plugins", "a directory");
    assert_eq!(
        r.run.stderr.matches("directory").count(),
        1,
        "{}",
        r.run.stderr
    );
}

#[test]
fn read_only_files_are_refused_and_kept() {
    let (_tmp, dir) = project("report/clean");
    let base = dir.join("base.json");
    std::fs::write(&base, "{}").expect("write");
    std::fs::set_permissions(&base, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let r = run(
        &dir,
        &["report", "--quiet", "--write-baseline", "base.json"],
    );
    assert_refused(&r, "base.json", "read-only");
    assert_eq!(std::fs::read_to_string(&base).unwrap(), "{}");
}

#[test]
fn symlinked_outputs_are_written_through() {
    let (tmp, dir) = project("report/clean");
    let real = tmp.path().join("real.json");
    std::fs::write(&real, "old").expect("write");
    std::os::unix::fs::symlink(&real, dir.join("base.json")).expect("symlink");
    let r = run(
        &dir,
        &["report", "--quiet", "--write-baseline", "base.json"],
    );
    assert_eq!(r.run.code, 0, "{}", r.run.stderr);
    assert!(std::fs::symlink_metadata(dir.join("base.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().contains("accepted"));
}

/// `align` on the example: plugins/metrics/go.mod is the file it edits.
fn align_case(prepare: impl FnOnce(&Path, &Path)) -> (tempfile::TempDir, PathBuf, Limited) {
    let (tmp, dir) = project("example");
    prepare(tmp.path(), &dir.join("plugins/metrics/go.mod"));
    let r = run(&dir, &["align"]);
    (tmp, dir, r)
}

#[test]
fn align_keeps_mode_hard_links_and_symlinks_and_respects_read_only_files() {
    // Mode kept (0644 stays 0644, 0664 stays 0664).
    let (_t, dir, r) = align_case(|_, gm| {
        std::fs::set_permissions(gm, std::fs::Permissions::from_mode(0o664)).unwrap();
    });
    assert_eq!(r.run.code, 0, "{}", r.run.stderr);
    let gm = dir.join("plugins/metrics/go.mod");
    assert!(std::fs::read_to_string(&gm)
        .unwrap()
        .contains("greeter v1.2.0"));
    assert_eq!(std::fs::metadata(&gm).unwrap().mode() & 0o777, 0o664);

    // A hard-linked go.mod stays linked: both names see the edit.
    let (tmp, dir, r) = align_case(|tmp, gm| {
        std::fs::hard_link(gm, tmp.join("other-name.mod")).unwrap();
    });
    assert_eq!(r.run.code, 0, "{}", r.run.stderr);
    let other = std::fs::read_to_string(tmp.path().join("other-name.mod")).unwrap();
    assert!(other.contains("greeter v1.2.0"), "{other}");
    assert_eq!(
        std::fs::metadata(dir.join("plugins/metrics/go.mod"))
            .unwrap()
            .nlink(),
        2
    );

    // A symlinked go.mod: the link stays and its target changes.
    let (tmp, dir, r) = align_case(|tmp, gm| {
        let real = tmp.join("shared.mod");
        std::fs::rename(gm, &real).unwrap();
        std::os::unix::fs::symlink(&real, gm).unwrap();
    });
    assert_eq!(r.run.code, 0, "{}", r.run.stderr);
    let gm = dir.join("plugins/metrics/go.mod");
    assert!(std::fs::symlink_metadata(&gm)
        .unwrap()
        .file_type()
        .is_symlink());
    let real = std::fs::read_to_string(tmp.path().join("shared.mod")).unwrap();
    assert!(real.contains("greeter v1.2.0"), "{real}");

    // A read-only go.mod is refused, unchanged.
    let (_t, dir, r) = align_case(|_, gm| {
        std::fs::set_permissions(gm, std::fs::Permissions::from_mode(0o444)).unwrap();
    });
    assert_refused(&r, "go.mod", "read-only");
    let gm = std::fs::read_to_string(dir.join("plugins/metrics/go.mod")).unwrap();
    assert!(gm.contains("greeter v1.3.0"), "{gm}");
}

fn with_umask(mut cmd: Command, mask: libc::mode_t) -> Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: umask is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            libc::umask(mask);
            Ok(())
        });
    }
    cmd
}

#[test]
fn new_files_get_the_umask_default() {
    let (_tmp, dir) = project("report/clean");
    for (args, files) in [
        (vec!["init", "--force"], vec!["godrift.toml"]),
        (
            vec!["report", "--quiet", "--write-baseline", "b.json"],
            vec!["b.json"],
        ),
        (
            vec!["new-plugin", "two"],
            vec!["plugins/two/go.mod", "plugins/two/main.go"],
        ),
    ] {
        let cmd = with_umask(godrift_command(&dir, &args), 0o022);
        let r = run_limited(cmd, LIMIT);
        assert_eq!(r.run.code, 0, "{args:?}: {}", r.run.stderr);
        for f in files {
            let mode = std::fs::metadata(dir.join(f)).unwrap().mode() & 0o777;
            assert_eq!(mode, 0o644, "{f} after {args:?}");
        }
    }
}

// ---- 3. symlink loops in plugin globs --------------------------------------------------

#[test]
fn symlink_loops_in_plugin_globs_are_fast_and_list_each_plugin_once() {
    let (_tmp, dir) = project("report/clean");
    // Two links back to plugins/ at every level: 2^12 paths to the same directories.
    std::os::unix::fs::symlink(".", dir.join("plugins/l1")).unwrap();
    std::os::unix::fs::symlink(".", dir.join("plugins/l2")).unwrap();
    std::fs::write(
        dir.join("godrift.toml"),
        "[host]\npath = \".\"\n[[plugins]]\npath = \"plugins/*/*/*/*/*/*/*/*/*/*/*/*\"\n[[plugins]]\npath = \"plugins/*\"\n",
    )
    .unwrap();
    let r = run(&dir, &["report", "--quiet", "--format", "json"]);
    assert!(
        !r.timed_out,
        "glob expansion still running after {:?}",
        r.elapsed
    );
    assert!(r.elapsed < Duration::from_secs(10), "took {:?}", r.elapsed);
    assert_eq!(r.run.code, 0, "{}", r.run.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.run.stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    assert!(
        findings.iter().all(|f| f["code"] != "GD008"),
        "false duplicate-plugin finding: {findings:?}"
    );
    let names: Vec<&str> = v["plugins"]
        .as_array()
        .expect("plugins")
        .iter()
        .map(|p| p["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["one"], "each directory is one plugin");
    // The shortest path is the one read (relative replaces resolve from it, as go's do).
    assert!(
        v["notes"]
            .to_string()
            .contains("reaches ./plugins/one also at"),
        "{}",
        v["notes"]
    );
    assert_eq!(v["plugins"][0]["dir"], "plugins/one", "{}", v["plugins"]);
}

#[test]
fn a_glob_that_reaches_the_host_is_refused_not_a_plugin() {
    let (_tmp, dir) = project("report/clean");
    std::os::unix::fs::symlink("..", dir.join("plugins/up")).unwrap();
    let r = run(&dir, &["report", "--quiet"]);
    assert_refused(&r, "plugins/up", "is the host module itself");
}

// ---- 4. permission errors are errors ---------------------------------------------------

fn run_without_dac_override(dir: &Path, args: &[&str]) -> Limited {
    let reference = godrift_command(dir, args);
    let mut cmd = support::without_dac_override(&support::godrift_bin());
    cmd.args(args).current_dir(dir);
    for (k, v) in reference.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    run_limited(cmd, LIMIT)
}

#[test]
fn an_unreadable_plugins_directory_is_an_error_naming_it() {
    let (_tmp, dir) = project("report/clean");
    let plugins = dir.join("plugins");
    std::fs::set_permissions(&plugins, std::fs::Permissions::from_mode(0o000)).unwrap();
    let r = run_without_dac_override(&dir, &["report", "--quiet"]);
    std::fs::set_permissions(&plugins, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_refused(&r, "plugins", "Permission denied");
    assert!(!r.run.stdout.contains("loads"), "{}", r.run.stdout);
}

#[test]
fn an_unreadable_go_sum_is_an_error_naming_it() {
    let (_tmp, dir) = project("report/clean");
    let sum = dir.join("go.sum");
    std::fs::write(&sum, "").unwrap();
    std::fs::set_permissions(&sum, std::fs::Permissions::from_mode(0o000)).unwrap();
    let r = run_without_dac_override(&dir, &["report", "--quiet"]);
    assert_refused(&r, "go.sum", "Permission denied");
}

// ---- 5. terminal injection -------------------------------------------------------------

const EVIL: &str = "x\x1b]0;owned\x07\x1b[2J\n| GD000 | fake | row |\u{202e}";

fn assert_inert(out: &str) {
    assert!(!out.contains('\x1b'), "raw ESC reached the output: {out:?}");
    assert!(!out.contains('\x07'), "raw BEL: {out:?}");
    assert!(!out.contains('\u{202e}'), "raw bidi override: {out:?}");
    assert!(
        !out.lines().any(|l| l.starts_with("| GD000")),
        "a newline in a name split a row: {out}"
    );
}

#[test]
fn names_from_the_tree_cannot_drive_the_terminal_or_split_rows() {
    // A vendored file name and a plugin directory name with escapes, a newline and a pipe.
    let (_tmp, dir) = project("report/vendor-edits");
    std::fs::write(
        dir.join(format!("plugins/edited/vendor/example.com/lib/{EVIL}.go")),
        "package lib\n",
    )
    .unwrap();
    std::fs::rename(
        dir.join("plugins/edited"),
        dir.join(format!("plugins/{EVIL}")),
    )
    .unwrap();
    for format in ["table", "markdown"] {
        let r = run(&dir, &["report", "--quiet", "--format", format]);
        assert_eq!(r.run.code, 1, "{format}: {}", r.run.stderr);
        assert!(
            r.run.stdout.contains("\\x1b]0;owned"),
            "{format}: {}",
            r.run.stdout
        );
        assert_inert(&r.run.stdout);
        assert_inert(&r.run.stderr);
    }
    // JSON keeps the real name (escaped by the encoder).
    let r = run(&dir, &["report", "--quiet", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&r.run.stdout).expect("json");
    assert!(v["plugins"].to_string().contains("\\u001b]0;owned"));
}

#[test]
fn error_messages_escape_names_from_the_tree() {
    let (_tmp, dir) = project("report/clean");
    let evil = dir.join(format!("plugins/{EVIL}"));
    std::fs::create_dir_all(&evil).unwrap();
    std::os::unix::fs::symlink("/dev/zero", evil.join("go.mod")).unwrap();
    let r = run(&dir, &["report", "--quiet"]);
    assert_eq!(r.run.code, 2, "{}", r.run.stderr);
    assert_inert(&r.run.stderr);
    assert_eq!(r.run.stderr.lines().count(), 1, "{}", r.run.stderr);
}

// ---- 6. small ones ---------------------------------------------------------------------

#[test]
fn a_closed_pipe_ends_output_quietly() {
    let (_tmp, dir) = project("example");
    for args in [
        &["report", "--quiet"][..],
        &["report", "--quiet", "--format", "markdown"],
        &["parse", "host/go.mod"],
        &["recipe"],
    ] {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let out = godrift_command(&dir, args)
            .stdout(writer)
            .output()
            .expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {err}");
        assert!(out.status.code().is_some_and(|c| c <= 1), "{args:?}: {err}");
    }
}

#[test]
fn errors_name_the_file_and_say_it_once() {
    let (_tmp, dir) = project("report/clean");
    let r = run(&dir, &["hook", "install", "no-such-dir"]);
    assert_refused(&r, "no-such-dir", "No such file or directory");
    let r = run(&dir, &["report", "--config", "missing.toml"]);
    assert_refused(&r, "missing.toml", "No such file or directory");
    let r = run(
        &dir,
        &["report", "--quiet", "--output", "no/such/dir/out.txt"],
    );
    assert_refused(&r, "no/such/dir", "No such file or directory");
    let r = run(&dir, &["new-plugin", "x", "--dir", "go.mod/x"]);
    assert_refused(&r, "go.mod", "Not a directory");
}

#[test]
fn printed_commands_quote_directory_names_from_the_tree() {
    let (_tmp, dir) = project("report/clean");
    std::fs::rename(dir.join("plugins/one"), dir.join("plugins/x;touch pwned")).unwrap();
    let r = run(&dir, &["recipe"]);
    assert_eq!(r.run.code, 0, "{}", r.run.stderr);
    assert!(
        r.run.stdout.contains("(cd 'plugins/x;touch pwned' && "),
        "{}",
        r.run.stdout
    );
    assert!(
        !r.run.stdout.contains("cd plugins/x;touch"),
        "{}",
        r.run.stdout
    );
}
