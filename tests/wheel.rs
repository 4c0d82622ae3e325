//! The Python wheel (pyproject.toml: maturin, `bindings = "bin"`) installs godrift without a
//! Rust toolchain: this builds it with maturin (installed from PyPI into a venv under
//! target/), installs it into a fresh venv with `--no-index`, and runs `godrift --version`
//! from the venv. A full cargo build in its own target directory (a nested cargo cannot use
//! the one `cargo test` holds), so it runs only with GODRIFT_TEST_WHEEL=1; `.ci/run` sets
//! it when the time budget allows.

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn venv(python: &str, dir: &Path) -> PathBuf {
    run(Command::new(python).args(["-m", "venv"]).arg(dir));
    dir.join("bin")
}

#[test]
fn the_wheel_installs_and_runs_without_rust() {
    if std::env::var_os("GODRIFT_TEST_WHEEL").is_none() {
        eprintln!("wheel test skipped: set GODRIFT_TEST_WHEEL=1 (a full cargo build, minutes)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = root.join("target/wheel-test");
    let dist = work.join("dist");
    let _ = std::fs::remove_dir_all(&dist);
    std::fs::create_dir_all(&work).expect("mkdir");
    // maturin comes from PyPI as a wheel; the build venv is kept between runs.
    let build_bin = work.join("build-venv/bin");
    if !build_bin.join("maturin").exists() {
        let _ = std::fs::remove_dir_all(work.join("build-venv"));
        let bin = venv("python3", &work.join("build-venv"));
        run(Command::new(bin.join("pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "maturin>=1.5,<2",
        ]));
    }
    run(Command::new(build_bin.join("maturin"))
        .current_dir(root)
        .args(["build", "--profile", "dev", "--quiet", "--out"])
        .arg(&dist)
        .env("CARGO_TARGET_DIR", work.join("cargo")));
    let wheels: Vec<PathBuf> = std::fs::read_dir(&dist)
        .expect("dist")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    let name = wheels[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with(&format!("godrift-{}-py3-none-", env!("CARGO_PKG_VERSION"))),
        "{name}"
    );
    // A fresh venv, nothing from an index: the wheel alone must be enough.
    let fresh = work.join("venv");
    let _ = std::fs::remove_dir_all(&fresh);
    let bin = venv("python3", &fresh);
    run(Command::new(bin.join("pip"))
        .args([
            "install",
            "--quiet",
            "--no-index",
            "--disable-pip-version-check",
        ])
        .arg(&wheels[0]));
    let version = run(Command::new(bin.join("godrift"))
        .arg("--version")
        .env("PATH", "/usr/bin:/bin"));
    assert_eq!(
        version.trim(),
        format!("godrift {}", env!("CARGO_PKG_VERSION"))
    );
    // And it does the job: the bundled example fails to load (exit 1).
    let status = Command::new(bin.join("godrift"))
        .current_dir(root)
        .args(["report", "fixtures/example", "--quiet"])
        .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run");
    assert_eq!(status.status.code(), Some(1));
    // The GitHub Action's install path: `version` given as this wheel, no godrift on PATH.
    let runner = work.join("runner");
    let _ = std::fs::remove_dir_all(&runner);
    std::fs::create_dir_all(&runner).expect("mkdir");
    let out = Command::new("bash")
        .arg(root.join("scripts/action.sh"))
        .current_dir(root)
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("GITHUB_ACTIONS", "true")
        .env("RUNNER_TEMP", &runner)
        .env("GITHUB_OUTPUT", runner.join("output"))
        .env("GITHUB_STEP_SUMMARY", runner.join("summary.md"))
        .env("GITHUB_PATH", runner.join("path"))
        .env("INPUT_DIRECTORY", "fixtures/example")
        .env("INPUT_SARIF_FILE", runner.join("godrift.sarif"))
        .env("INPUT_VERSION", &wheels[0])
        .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
        .output()
        .expect("action.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let outputs = std::fs::read_to_string(runner.join("output")).unwrap_or_default();
    assert!(outputs.contains("exit-code=1"), "{outputs}");
    assert!(std::fs::read_to_string(runner.join("path"))
        .unwrap_or_default()
        .contains("godrift-venv/bin"));
    let _ = std::fs::remove_dir_all(&runner);
    // The build directory is a full target dir: not kept (disk), unless asked.
    let _ = std::fs::remove_dir_all(&fresh);
    let _ = std::fs::remove_dir_all(&dist);
    if std::env::var_os("GODRIFT_KEEP_WHEEL_BUILD").is_none() {
        let _ = std::fs::remove_dir_all(work.join("cargo"));
    }
}
