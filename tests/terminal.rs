//! The terminal: tables wrap to the width, colors follow --color, NO_COLOR and
//! CLICOLOR_FORCE, completions and the man page, a closed pipe ends quietly, and errors name
//! the file and what to do.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

fn godrift(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_godrift"));
    cmd.current_dir(root)
        .args(args)
        .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env_remove("COLUMNS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Display width (box-drawing characters are one column each).
fn width(line: &str) -> usize {
    line.chars().count()
}

#[test]
fn tables_wrap_to_the_terminal_width() {
    for cols in [60, 80, 120] {
        let (code, out, _) = godrift(
            &["report", "fixtures/example", "--quiet"],
            &[("COLUMNS", &cols.to_string())],
        );
        assert_eq!(code, 1);
        let table_lines: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with(['│', '┌', '└', '╞', '├']))
            .collect();
        assert!(table_lines.len() > 4);
        for l in table_lines {
            assert!(width(l) <= cols, "{cols}: {l}");
        }
        // The lines around the tables too, except a command (kept whole for copy-paste).
        for l in out.lines().filter(|l| !l.contains("(cd ")) {
            assert!(width(l) <= cols, "{cols}: {l}");
        }
        // Nothing is lost by wrapping: every word of the finding is still there (at 60
        // columns a long path is cut inside its cell, so from 80 on).
        if cols < 80 {
            continue;
        }
        let text: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
        for w in [
            "example.com/greeter",
            "../../deps/greeter-v1.3.0",
            "plugins/metrics/go.mod:6",
        ] {
            assert!(text.contains(w), "{cols}: {w}");
        }
    }
    // Without a terminal or COLUMNS: one row per line, as the snapshots show.
    let (_, out, _) = godrift(&["report", "fixtures/example", "--quiet"], &[]);
    assert!(out.lines().any(|l| width(l) > 200));
}

#[test]
fn colors_follow_the_flag_and_the_conventions() {
    let has_color = |args: &[&str], env: &[(&str, &str)]| {
        let mut a = vec!["report", "fixtures/example", "--quiet"];
        a.extend_from_slice(args);
        godrift(&a, env).1.contains("\x1b[")
    };
    // Not a terminal: no color unless asked.
    assert!(!has_color(&[], &[]));
    assert!(has_color(&["--color", "always"], &[]));
    assert!(!has_color(
        &["--color", "never"],
        &[("CLICOLOR_FORCE", "1")]
    ));
    assert!(has_color(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(!has_color(&[], &[("CLICOLOR_FORCE", "0")]));
    assert!(!has_color(
        &[],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]
    ));
    assert!(has_color(&["--color", "always"], &[("NO_COLOR", "1")]));
    // Machine formats never carry color.
    for f in ["json", "sarif", "markdown"] {
        assert!(
            !has_color(&["--format", f, "--color", "always"], &[]),
            "{f}"
        );
    }
    // The flag is global: before the subcommand too.
    let (_, out, _) = godrift(
        &["--color", "always", "report", "fixtures/example", "-q"],
        &[],
    );
    assert!(out.contains("\x1b[1;31mfails\x1b[0m"));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let (code, out, err) = godrift(&["completions", shell], &[]);
        assert_eq!(code, 0, "{shell}: {err}");
        for word in ["report", "check", "format", "completions"] {
            assert!(out.contains(word), "{shell}: {word}");
        }
    }
    // The bash script is valid bash.
    let (_, bash, _) = godrift(&["completions", "bash"], &[]);
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("c.bash"), &bash).unwrap();
    let ok = Command::new("bash")
        .arg("-n")
        .arg(tmp.path().join("c.bash"))
        .status()
        .expect("bash");
    assert!(ok.success());
    let (code, man, _) = godrift(&["man"], &[]);
    assert_eq!(code, 0);
    assert!(
        man.contains(".TH godrift 1"),
        "{}",
        &man[..200.min(man.len())]
    );
    for word in ["report", "check", "explain", "\\-\\-color"] {
        assert!(man.contains(word), "man page lacks {word}");
    }
    // When man is installed, it renders the page without warnings.
    std::fs::write(tmp.path().join("godrift.1"), &man).unwrap();
    if let Ok(out) = Command::new("man")
        .arg("-l")
        .arg(tmp.path().join("godrift.1"))
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .output()
    {
        if out.status.success() {
            assert!(String::from_utf8_lossy(&out.stdout).contains("report"));
        }
    }
}

/// `godrift ... | head`: the reader goes away, godrift ends quietly.
#[test]
fn a_closed_pipe_ends_quietly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for args in [
        vec!["report", "fixtures/example", "--format", "json", "--quiet"],
        vec!["completions", "zsh"],
        vec!["man"],
        vec!["explain", "GD001"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_godrift"))
            .current_dir(root)
            .args(&args)
            .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("GITHUB_ACTIONS")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut first = [0u8; 1];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .as_mut()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
        assert!(status.code().is_some_and(|c| c <= 1), "{args:?}: {status}");
    }
}

#[test]
fn errors_name_the_file_and_what_to_do() {
    let cases: &[&[&str]] = &[
        &["check", "--host", "/nonexistent/host", "p.so"],
        &[
            "report",
            "fixtures/example",
            "--built-host",
            "/nonexistent/h",
            "--built-plugin",
            "p.so",
        ],
        &[
            "report",
            "fixtures/example",
            "--baseline",
            "/nonexistent/b.json",
        ],
        &[
            "report",
            "fixtures/example",
            "--config",
            "/nonexistent/godrift.toml",
        ],
        &[
            "report",
            "fixtures/example",
            "--output",
            "/nonexistent/dir/out.json",
        ],
        &["parse", "/nonexistent/go.mod"],
        &["report", "fixtures/example", "--sarif-root", "/nonexistent"],
    ];
    for args in cases {
        let (code, _, err) = godrift(args, &[]);
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.contains("/nonexistent"),
            "{args:?}: names no file: {err}"
        );
        assert!(!err.contains("os error"), "{args:?}: bare os error: {err}");
        assert!(!err.contains("entity not found"), "{args:?}: {err}");
        assert!(
            err.contains(" (") && err.trim_end().ends_with(')'),
            "{args:?}: says nothing to do: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}
