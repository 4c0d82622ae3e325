//! Shared test support: one way to run godrift and go with a hermetic environment, copy
//! trees, and `require_go()` (which fails, not skips, when `CI` is set and `go` is missing).
//!
//! Each test crate includes it with `mod support;` and uses what it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Whether the run is in CI (`CI` set and not empty/false): missing tools are failures there.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The `go` on PATH. Without one: panics in CI (a test that needs go must not pass silently
/// there), else prints why the test is skipped and returns None.
pub fn require_go(test: &str) -> Option<PathBuf> {
    match go_on_path() {
        Some(go) => Some(go),
        None if in_ci() => panic!("{test}: `go` is not on PATH, and CI is set: this test needs it"),
        None => {
            eprintln!("{test}: skipped: no `go` on PATH (set CI=1 to make this a failure)");
            None
        }
    }
}

/// The first `go` on PATH that runs.
pub fn go_on_path() -> Option<PathBuf> {
    let out = Command::new("go").arg("env").arg("GOROOT").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let root = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Some(PathBuf::from(root).join("bin/go"))
}

/// A hermetic Go environment rooted in one directory: private GOPATH and GOMODCACHE, no
/// network unless a proxy is set, local toolchain, no workspace unless one is asked for.
#[derive(Clone, Debug)]
pub struct GoEnv {
    pub gopath: PathBuf,
    pub gomodcache: PathBuf,
    /// GOPROXY: `off` by default; `file://...` for a fake proxy, or the real one.
    pub goproxy: String,
    pub goflags: String,
    /// GOWORK: `off` by default.
    pub gowork: String,
    /// GOCACHE; None keeps the user's (fast, and build outputs do not depend on it).
    pub gocache: Option<PathBuf>,
    pub extra: Vec<(String, String)>,
}

impl GoEnv {
    /// A private GOPATH under `root`, GOPROXY=off, GOFLAGS=-mod=mod, GOWORK=off.
    pub fn new(root: &Path) -> GoEnv {
        let gopath = root.join("gopath");
        GoEnv {
            gomodcache: gopath.join("pkg/mod"),
            gopath,
            goproxy: "off".into(),
            goflags: "-mod=mod".into(),
            gowork: "off".into(),
            gocache: None,
            extra: Vec::new(),
        }
    }

    /// The real module proxy (proxy.golang.org, sum.golang.org), for tests on real modules.
    pub fn with_real_proxy(mut self) -> GoEnv {
        self.goproxy = std::env::var("GODRIFT_TEST_GOPROXY")
            .unwrap_or_else(|_| "https://proxy.golang.org,direct".into());
        self
    }

    pub fn with(mut self, key: &str, value: impl Into<String>) -> GoEnv {
        self.extra.push((key.into(), value.into()));
        self
    }

    /// Applies this environment to a command (go or godrift).
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("GOTOOLCHAIN", "local")
            .env("GOPATH", &self.gopath)
            .env("GOMODCACHE", &self.gomodcache)
            .env("GOPROXY", &self.goproxy)
            .env("GOFLAGS", &self.goflags)
            .env("GOWORK", &self.gowork)
            .env("CGO_ENABLED", "1")
            .env_remove("GOENV")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("GITHUB_ACTIONS");
        if self.goproxy == "off" || self.goproxy.starts_with("file://") {
            cmd.env("GOSUMDB", "off");
        }
        if let Some(c) = &self.gocache {
            cmd.env("GOCACHE", c);
        }
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
    }

    /// `go args...` in `dir`; panics with go's stderr when it fails.
    pub fn go(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.go_output(dir, args);
        assert!(
            out.status.success(),
            "go {args:?} in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `go args...` in `dir`, whatever its exit status.
    pub fn go_output(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new("go");
        cmd.current_dir(dir).args(args);
        self.apply(&mut cmd);
        cmd.output().expect("run go")
    }

    /// godrift in `dir` with this environment, but GOFLAGS unset: the `-mod=mod` the go
    /// commands need to resolve offline is not how the projects are built, and godrift
    /// honours GOFLAGS as `go build` does (`-mod=mod` would ignore vendor/).
    pub fn godrift(&self, dir: &Path, args: &[&str]) -> Run {
        let mut cmd = godrift_command(dir, args);
        self.apply(&mut cmd);
        cmd.env("GOFLAGS", "");
        Run::of(cmd.output().expect("run godrift"))
    }
}

/// What a command did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The godrift binary under test: the one built for these tests, or `GODRIFT_TEST_BIN` (to
/// show that a regression test fails on an older build).
pub fn godrift_bin() -> PathBuf {
    std::env::var_os("GODRIFT_TEST_BIN")
        .filter(|b| !b.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_godrift")))
}

/// The godrift binary under test, run in `dir`, with a module cache that does not exist
/// unless the caller sets one (so the user's cache never leaks into a test).
pub fn godrift_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(godrift_bin());
    cmd.current_dir(dir)
        .args(args)
        .env("GOMODCACHE", dir.join("no-modcache"))
        .env("GOWORK", "off")
        // godrift honours GOFLAGS (-mod, -trimpath, -tags, as go build does) and GOEXPERIMENT,
        // also from a `go env -w` file: none unless a test sets them.
        .env("GOFLAGS", "")
        .env("GOENV", "off")
        .env_remove("GOEXPERIMENT")
        .env("GODRIFT_CACHE_DIR", dir.join(".godrift-test-cache"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS");
    cmd
}

/// godrift in `dir` (see `godrift_command`).
pub fn godrift(dir: &Path, args: &[&str]) -> Run {
    Run::of(godrift_command(dir, args).output().expect("run godrift"))
}

/// Runs `cmd` (stdin closed, output captured) for at most `limit`, with its address space
/// capped at 4 GiB so a runaway read fails inside the child instead of exhausting the
/// machine. A command still running at the limit is killed: `code` -1, `timed_out` set.
pub fn run_limited(mut cmd: Command, limit: std::time::Duration) -> Limited {
    use std::io::Read;
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 4 << 30,
                rlim_max: 4 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = so.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = se.read_to_end(&mut v);
        v
    });
    let start = std::time::Instant::now();
    let (code, timed_out) = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break (st.code().unwrap_or(-1), false);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break (-1, true);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Limited {
        run: Run {
            code,
            stdout: String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned(),
            stderr: String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned(),
        },
        timed_out,
        elapsed: start.elapsed(),
    }
}

/// What `run_limited` saw.
#[derive(Debug)]
pub struct Limited {
    pub run: Run,
    pub timed_out: bool,
    pub elapsed: std::time::Duration,
}

/// Whether this process runs as root (which bypasses permission bits).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A command that runs `program` without the permission-bypassing capabilities when this
/// process is root (so mode 000 means unreadable, as for any user), else plainly. Panics
/// when root and `setpriv` is missing: a permission test must not pass by not testing.
pub fn without_dac_override(program: &Path) -> Command {
    if !is_root() {
        return Command::new(program);
    }
    let ok = Command::new("setpriv")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "running as root and `setpriv` (util-linux) is missing: cannot drop CAP_DAC_OVERRIDE to test permission errors"
    );
    let mut cmd = Command::new("setpriv");
    cmd.args([
        "--inh-caps=-dac_override,-dac_read_search",
        "--bounding-set=-dac_override,-dac_read_search",
        "--",
    ])
    .arg(program);
    cmd
}

/// Copies a directory tree (files, directories and symlinks as links).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let ty = e.file_type().expect("file type");
        let dst = to.join(e.file_name());
        if ty.is_dir() {
            copy_tree(&e.path(), &dst);
        } else if ty.is_symlink() {
            let target = std::fs::read_link(e.path()).expect("readlink");
            std::os::unix::fs::symlink(target, &dst).expect("symlink");
        } else {
            std::fs::copy(e.path(), &dst).expect("copy");
        }
    }
}

/// Writes `files` (relative path, contents) under `root`, creating directories.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
    }
}

/// The repository's fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Serves `path@version` from a file:// module proxy rooted at `proxy` (use
/// `GoEnv { goproxy: format!("file://{}", proxy.display()), .. }`): `files` are the module's
/// files relative to its root, `go.mod` included (also served as the `.mod` file).
pub fn write_proxy_module(proxy: &Path, path: &str, version: &str, files: &[(&str, &str)]) {
    use std::io::Write;
    let dir = proxy.join(path).join("@v");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut list = std::fs::read_to_string(dir.join("list")).unwrap_or_default();
    if !list.lines().any(|l| l == version) {
        list.push_str(&format!("{version}\n"));
    }
    std::fs::write(dir.join("list"), list).expect("list");
    std::fs::write(
        dir.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2024-01-01T00:00:00Z\"}}\n"),
    )
    .expect("info");
    let go_mod = files
        .iter()
        .find(|(n, _)| *n == "go.mod")
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| format!("module {path}\n"));
    std::fs::write(dir.join(format!("{version}.mod")), &go_mod).expect("mod");
    let f = std::fs::File::create(dir.join(format!("{version}.zip"))).expect("zip");
    let mut z = zip::ZipWriter::new(f);
    let opt = zip::write::SimpleFileOptions::default();
    let mut names: Vec<&(&str, &str)> = files.iter().collect();
    if !files.iter().any(|(n, _)| *n == "go.mod") {
        z.start_file(format!("{path}@{version}/go.mod"), opt)
            .expect("entry");
        z.write_all(go_mod.as_bytes()).expect("write");
    }
    names.sort();
    for (name, text) in names {
        z.start_file(format!("{path}@{version}/{name}"), opt)
            .expect("entry");
        z.write_all(text.as_bytes()).expect("write");
    }
    z.finish().expect("finish");
}

/// Makes a tree writable again (the module cache is read-only) and removes it.
pub fn remove_tree(dir: &Path) {
    if !dir.exists() {
        return;
    }
    fn chmod(d: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755));
        if let Ok(rd) = std::fs::read_dir(d) {
            for e in rd.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    chmod(&e.path());
                }
            }
        }
    }
    chmod(dir);
    std::fs::remove_dir_all(dir).expect("remove tree");
}

/// A host's main package that opens each plugin given as an argument and prints `OK` or
/// `FAIL\t<plugin.Open's error on one line>`; it imports `import` and keeps it linked
/// through `sink` (an expression of that package).
pub fn open_plugins_host(import: &str, sink: &str) -> String {
    format!(
        r#"package main

import (
	"fmt"
	"os"
	"plugin"
	"strings"

	"{import}"
)

// sink keeps the package linked into the host.
var sink = {sink}

func main() {{
	_ = sink
	for _, p := range os.Args[1:] {{
		if _, err := plugin.Open(p); err != nil {{
			fmt.Printf("FAIL\t%s\n", strings.ReplaceAll(err.Error(), "\n", `\n`))
		}} else {{
			fmt.Printf("OK\n")
		}}
	}}
}}
"#
    )
}

/// `open_plugins_host` linking example.com/dep (`dep.Hello`).
pub fn open_plugins_dep_host() -> String {
    open_plugins_host("example.com/dep", "dep.Hello()")
}

/// The report fixtures every output format is checked on (each with its own module cache).
pub const FIXTURE_REPORTS: &[&str] = &[
    "fixtures/example",
    "fixtures/report/flags",
    "fixtures/report/clean",
    "fixtures/report/duplicate",
    "fixtures/report/vendored",
    "fixtures/report/replace-module",
    "fixtures/report/sum-mismatch",
    "fixtures/report/inconsistent-vendoring",
    "fixtures/report/missing-modcache",
];

/// `godrift report CASE --format FORMAT --quiet EXTRA...` on a fixture of this repository,
/// run in `cwd`, with the fixture's module cache; outside GitHub Actions.
pub fn fixture_report(case: &str, format: &str, extra: &[&str], cwd: &Path) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new(godrift_bin())
        .current_dir(cwd)
        .args(["report", case, "--format", format, "--quiet"])
        .args(extra)
        .env("GOMODCACHE", root.join(case).join("modcache"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run godrift")
}

/// Runs a host built from a main package that prints `OK <plugin>` or `ERR <error>` per
/// plugin argument, in `dir`: what the runtime said of each, in order.
pub fn open_plugins(host: &Path, dir: &Path, plugins: &[&str]) -> Vec<Result<(), String>> {
    let out = Command::new(host)
        .args(plugins)
        .current_dir(dir)
        .output()
        .expect("run the host");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| match l.strip_prefix("ERR ") {
            Some(e) => Err(e.to_string()),
            None => Ok(()),
        })
        .collect()
}

/// `git args...` in `dir` with a fixed identity and no signing; panics with git's stderr.
pub fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A host's main package that links example.com/dep (`dep.Hello`) and prints, per plugin
/// argument, `OK <plugin>` or `ERR <plugin.Open's error>` (see `open_plugins`).
pub const OK_ERR_HOST: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n\n\t\"example.com/dep\"\n)\n\nfunc main() {\n\t_ = dep.Hello()\n\tfor _, p := range os.Args[1:] {\n\t\tif _, err := plugin.Open(p); err != nil {\n\t\t\tfmt.Println(\"ERR\", err)\n\t\t} else {\n\t\t\tfmt.Println(\"OK\", p)\n\t\t}\n\t}\n}\n";
