//! Oracle: real `go build -buildmode=plugin` + `plugin.Open` against godrift's verdicts.
//!
//! One host and a set of plugin variants are built in a temp dir (hermetic: local modules
//! via `replace`, GOPROXY=off, private GOPATH). Each scenario runs the real host on its
//! plugins, then `godrift check` (binary mode) and `godrift report` (source mode) on the
//! same setup. `check` must agree with the runtime exactly (verdict and message);
//! `report` must never say "loads" where the runtime fails (except where the cause is
//! invisible in source, said per scenario). The agreement table is printed and written to
//! target/oracle-agreement.md.
//!
//! Needs `go` on PATH (skips with a reason otherwise). The Go-version-mismatch scenario
//! uses an older toolchain from $GODRIFT_OLD_GO or `.ci/go-toolchain 1.25.5`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const OLD_GO: &str = "1.25.5";

struct Lab {
    root: PathBuf,
    gopath: PathBuf,
    /// Private to this suite (not the user's), kept across runs under target/ for speed.
    gocache: PathBuf,
}

fn write(p: &Path, s: &str) {
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, s).expect("write");
}

impl Lab {
    fn go(&self, go: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) {
        let mut c = Command::new(go);
        c.current_dir(dir)
            .args(args)
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOWORK", "off")
            .env("GOPATH", &self.gopath)
            .env("GOMODCACHE", self.gopath.join("pkg/mod"))
            .env("GOCACHE", &self.gocache)
            .env("CGO_ENABLED", "1")
            .env_remove("GOAMD64");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().expect("run go");
        assert!(
            out.status.success(),
            "go {args:?} in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn module(
        &self,
        dir: &str,
        path: &str,
        requires: &[(&str, &str, &str)],
        files: &[(&str, &str)],
    ) {
        let mut m = format!("module {path}\n\ngo 1.22\n");
        for (p, v, target) in requires {
            m.push_str(&format!("\nrequire {p} {v}\n\nreplace {p} => {target}\n"));
        }
        write(&self.root.join(dir).join("go.mod"), &m);
        for (name, body) in files {
            write(&self.root.join(dir).join(name), body);
        }
    }

    fn plugin(&self, name: &str, requires: &[(&str, &str, &str)]) -> PathBuf {
        let imports: String = requires
            .iter()
            .map(|(p, _, _)| format!("\t{p:?}\n"))
            .collect();
        let uses: String = requires
            .iter()
            .map(|(p, _, _)| format!("\t_ = {}.Hello()\n", p.rsplit('/').next().unwrap_or("x")))
            .collect();
        let main = format!(
            "package main\n\nimport (\n{imports})\n\n// Version is set with -ldflags in one scenario.\nvar Version = \"dev\"\n\nfunc Hello() string {{\n{uses}\treturn Version\n}}\n"
        );
        let dir = format!("plugins/{name}");
        let reqs: Vec<(&str, &str, &str)> = requires.to_vec();
        self.module(
            &dir,
            &format!("example.com/plugins/{name}"),
            &reqs,
            &[("main.go", &main)],
        );
        self.root.join(dir)
    }
}

fn dep_source(extra: &str) -> String {
    format!("package dep\n\n// Hello is shared by host and plugins.\nfunc Hello() string {{ return \"hello\" }}\n{extra}")
}

fn only_source(v: &str) -> String {
    format!("package only\n\nfunc Hello() string {{ return {v:?} }}\n")
}

#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Loads,
    Fails(String),
    Crashes(String),
}

impl Outcome {
    fn verdict(&self) -> &'static str {
        match self {
            Outcome::Loads => "loads",
            Outcome::Fails(_) => "fails",
            Outcome::Crashes(_) => "crashes",
        }
    }
}

/// Runs the host on `plugins`; one outcome per plugin (a crash ends the run).
fn run_host(host: &Path, dir: &Path, plugins: &[String]) -> Vec<Outcome> {
    let out = Command::new(host)
        .current_dir(dir)
        .args(plugins)
        .output()
        .expect("run host");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut res: Vec<Outcome> = stdout
        .lines()
        .filter_map(|l| {
            if l.starts_with("OK ") {
                Some(Outcome::Loads)
            } else {
                l.strip_prefix("ERR ")
                    .map(|e| Outcome::Fails(e.to_string()))
            }
        })
        .collect();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_start_matches("fatal error: ")
            .to_string();
        res.push(Outcome::Crashes(first));
    }
    res
}

fn godrift(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(dir)
        .args(args)
        .env("GOMODCACHE", dir.join("no-modcache"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run godrift");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "godrift {args:?}: {e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

const MAIN_HOST: (&str, &str, &str) = ("host.bin", "host", "{}");

struct Scenario {
    name: &'static str,
    /// (host binary, host module dir, host build table for godrift.toml).
    host: (&'static str, &'static str, &'static str),
    /// Plugin files (relative to the lab), in load order.
    plugins: Vec<String>,
    /// godrift.toml `[[plugins]]` entries for source mode: (dir, build table).
    report_plugins: Vec<(String, String)>,
    /// Why source mode cannot see this cause (then its column is informational).
    source_blind: Option<&'static str>,
}

fn old_go(root: &Path) -> Option<String> {
    if let Ok(p) = std::env::var("GODRIFT_OLD_GO") {
        return Some(p);
    }
    let out = Command::new("bash")
        .arg(root.join(".ci/go-toolchain"))
        .arg(OLD_GO)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn runtime_and_godrift_agree() {
    if std::env::var("GODRIFT_ORACLE").as_deref() == Ok("skip") {
        println!("skipped: GODRIFT_ORACLE=skip");
        return;
    }
    if Command::new("go").arg("version").output().is_err() {
        println!("skipped: no `go` on PATH");
        return;
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tempdir");
    let lab = Lab {
        root: tmp.path().join("lab"),
        gopath: tmp.path().join("gopath"),
        gocache: repo.join("target/oracle-gocache"),
    };
    let go = "go";
    // Shared modules.
    lab.module(
        "dep",
        "example.com/dep",
        &[],
        &[
            ("dep.go", &dep_source("")),
            (
                "extra.go",
                "//go:build extra\n\npackage dep\n\n// Extra exists only with -tags extra.\nfunc Extra() int { return 1 }\n",
            ),
        ],
    );
    lab.module(
        "dep-v1.1.0",
        "example.com/dep",
        &[],
        &[(
            "dep.go",
            &dep_source("\n// Bye is new in v1.1.0.\nfunc Bye() string { return \"bye\" }\n"),
        )],
    );
    lab.module(
        "depcopy",
        "example.com/dep",
        &[],
        &[("dep.go", &dep_source(""))],
    );
    lab.module(
        "only-v1.0.0",
        "example.com/only",
        &[],
        &[("only.go", &only_source("1.0"))],
    );
    lab.module(
        "only-v1.1.0",
        "example.com/only",
        &[],
        &[("only.go", &only_source("1.1"))],
    );
    // The host.
    let host_main = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n\n\t\"example.com/dep\"\n)\n\nfunc main() {\n\t_ = dep.Hello()\n\tfor _, p := range os.Args[1:] {\n\t\tif _, err := plugin.Open(p); err != nil {\n\t\t\tfmt.Println(\"ERR\", err)\n\t\t\tcontinue\n\t\t}\n\t\tfmt.Println(\"OK\", p)\n\t}\n}\n";
    lab.module(
        "host",
        "example.com/host",
        &[("example.com/dep", "v1.0.0", "../dep")],
        &[("main.go", host_main)],
    );
    lab.go(
        go,
        &lab.root.join("host"),
        &["build", "-o", "../host.bin", "."],
        &[],
    );

    let dep = ("example.com/dep", "v1.0.0", "../../dep");
    let build = |name: &str,
                 reqs: &[(&str, &str, &str)],
                 flags: &[&str],
                 env: &[(&str, &str)],
                 gobin: &str|
     -> String {
        let dir = lab.plugin(name, reqs);
        let out = format!("../../{name}.so");
        let mut args = vec!["build", "-buildmode=plugin", "-o", out.as_str()];
        args.extend_from_slice(flags);
        args.push(".");
        lab.go(gobin, &dir, &args, env);
        format!("./{name}.so")
    };
    let cfg = |dir: &str, table: &str| (dir.to_string(), table.to_string());
    let mut scenarios: Vec<Scenario> = Vec::new();

    let identical = build("identical", &[dep], &[], &[], go);
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "identical builds",
        plugins: vec![identical.clone()],
        report_plugins: vec![cfg("plugins/identical", "{}")],
        source_blind: None,
    });
    let v11 = build(
        "newer",
        &[("example.com/dep", "v1.1.0", "../../dep-v1.1.0")],
        &[],
        &[],
        go,
    );
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "dependency at another version",
        plugins: vec![v11],
        report_plugins: vec![cfg("plugins/newer", "{}")],
        source_blind: None,
    });
    let copy = build(
        "copydir",
        &[("example.com/dep", "v1.0.0", "../../depcopy")],
        &[],
        &[],
        go,
    );
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "same code, other directory",
        plugins: vec![copy],
        report_plugins: vec![cfg("plugins/copydir", "{}")],
        source_blind: None,
    });
    let copy_trim = build(
        "copydir-trim",
        &[("example.com/dep", "v1.0.0", "../../depcopy")],
        &["-trimpath"],
        &[],
        go,
    );
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "other directory, -trimpath on plugin only",
        plugins: vec![copy_trim],
        report_plugins: vec![cfg("plugins/copydir-trim", "{ trimpath = true }")],
        source_blind: None,
    });
    // Edits to the shared source between the host's build and the plugin's.
    let dep_go = lab.root.join("dep/dep.go");
    std::fs::write(&dep_go, format!("\n{}", dep_source(""))).expect("edit");
    let shifted = build("shifted", &[dep], &[], &[], go);
    std::fs::write(
        &dep_go,
        format!("{}// a comment appended at the end\n", dep_source("")),
    )
    .expect("edit");
    let appended = build("appended", &[dep], &[], &[], go);
    std::fs::write(&dep_go, dep_source("")).expect("restore");
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "edit shifting lines",
        plugins: vec![shifted],
        report_plugins: vec![cfg("plugins/shifted", "{}")],
        source_blind: Some("the edit happened between the two builds"),
    });
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "comment appended at file end",
        plugins: vec![appended],
        report_plugins: vec![cfg("plugins/appended", "{}")],
        source_blind: None,
    });
    let trim = build("trimpath", &[dep], &["-trimpath"], &[], go);
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "-trimpath on plugin only",
        plugins: vec![trim],
        report_plugins: vec![cfg("plugins/trimpath", "{ trimpath = true }")],
        source_blind: None,
    });
    let gcflags = build("gcflags", &[dep], &["-gcflags=all=-N -l"], &[], go);
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "-gcflags=all=-N -l on plugin only",
        plugins: vec![gcflags],
        report_plugins: vec![cfg("plugins/gcflags", "{ gcflags = \"all=-N -l\" }")],
        source_blind: None,
    });
    let race = build("race", &[dep], &["-race"], &[], go);
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "-race on plugin only",
        plugins: vec![race],
        report_plugins: vec![cfg("plugins/race", "{ race = true }")],
        source_blind: None,
    });
    let ldflags = build("ldflags", &[dep], &["-ldflags=-X main.Version=2"], &[], go);
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "-ldflags -X on plugin only",
        plugins: vec![ldflags],
        report_plugins: vec![cfg("plugins/ldflags", "{}")],
        source_blind: None,
    });
    let amd64 = build("goamd64", &[dep], &[], &[("GOAMD64", "v2")], go);
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "GOAMD64=v2 on plugin only",
        plugins: vec![amd64],
        report_plugins: vec![cfg("plugins/goamd64", "{}")],
        source_blind: None,
    });
    let vcs = build("buildvcs", &[dep], &["-buildvcs=false"], &[], go);
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "-buildvcs=false on plugin only",
        plugins: vec![vcs],
        report_plugins: vec![cfg("plugins/buildvcs", "{}")],
        source_blind: None,
    });
    // Same plugin path twice: a copy of a good plugin under another file name.
    std::fs::copy(
        lab.root.join("identical.so"),
        lab.root.join("identical-copy.so"),
    )
    .expect("copy");
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "two plugins, one plugin path",
        plugins: vec![identical.clone(), "./identical-copy.so".into()],
        report_plugins: vec![
            cfg("plugins/identical", "{}"),
            cfg("plugins/identical", "{}"),
        ],
        source_blind: Some("both files come from one module"),
    });
    // A module the host does not have, at different versions in two plugins: the first
    // plugin loaded provides it to the second.
    let a = build(
        "only-a",
        &[dep, ("example.com/only", "v1.0.0", "../../only-v1.0.0")],
        &[],
        &[],
        go,
    );
    let b = build(
        "only-b",
        &[dep, ("example.com/only", "v1.1.0", "../../only-v1.1.0")],
        &[],
        &[],
        go,
    );
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "plugin-only module, versions differ, load order",
        plugins: vec![a, b],
        report_plugins: vec![cfg("plugins/only-a", "{}"), cfg("plugins/only-b", "{}")],
        source_blind: None,
    });
    // A shared package changed by build tags.
    let tags = build("tags", &[dep], &["-tags=extra"], &[], go);
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "-tags that change a shared package",
        plugins: vec![tags],
        report_plugins: vec![cfg("plugins/tags", "{ tags = \"extra\" }")],
        source_blind: None,
    });
    // A dependency only the plugin uses.
    let own = build(
        "own-dep",
        &[dep, ("example.com/only", "v1.0.0", "../../only-v1.0.0")],
        &[],
        &[],
        go,
    );
    scenarios.push(Scenario {
        host: MAIN_HOST,
        name: "a dependency only the plugin uses",
        plugins: vec![own],
        report_plugins: vec![cfg("plugins/own-dep", "{}")],
        source_blind: None,
    });
    // Vendored host and vendored plugins: vendor/ trees in different directories.
    let vendor_tree = |dir: &str, dep_go: &str| {
        let d = lab.root.join(dir);
        write(
            &d.join("vendor/modules.txt"),
            "# example.com/dep v1.0.0\n## explicit; go 1.22\nexample.com/dep\n",
        );
        write(&d.join("vendor/example.com/dep/dep.go"), dep_go);
    };
    let vendored_module = |dir: &str, path: &str, main: &str| {
        write(
            &lab.root.join(dir).join("go.mod"),
            &format!("module {path}\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n"),
        );
        write(&lab.root.join(dir).join("main.go"), main);
    };
    let host_main_v = host_main.to_string();
    vendored_module("hostv", "example.com/hostv", &host_main_v);
    vendor_tree("hostv", &dep_source(""));
    let vend_env = [("GOFLAGS", "-mod=vendor")];
    lab.go(
        go,
        &lab.root.join("hostv"),
        &["build", "-o", "../hostv.bin", "."],
        &vend_env,
    );
    lab.go(
        go,
        &lab.root.join("hostv"),
        &["build", "-trimpath", "-o", "../hostv-trim.bin", "."],
        &vend_env,
    );
    let plugin_main = "package main\n\nimport \"example.com/dep\"\n\nfunc Hello() string { return dep.Hello() }\n";
    let vplugin = |name: &str, dep_go: &str, trim: bool| -> String {
        let dir = format!("plugins/{name}");
        vendored_module(&dir, &format!("example.com/plugins/{name}"), plugin_main);
        vendor_tree(&dir, dep_go);
        let out = format!("../../{name}.so");
        let mut args = vec!["build", "-buildmode=plugin"];
        if trim {
            args.push("-trimpath");
        }
        args.extend(["-o", out.as_str(), "."]);
        lab.go(go, &lab.root.join(&dir), &args, &vend_env);
        format!("./{name}.so")
    };
    const HOSTV: (&str, &str, &str) = ("hostv.bin", "hostv", "{}");
    const HOSTV_TRIM: (&str, &str, &str) = ("hostv-trim.bin", "hostv", "{ trimpath = true }");
    let v_plain = vplugin("vend", &dep_source(""), false);
    scenarios.push(Scenario {
        host: HOSTV,
        name: "vendored copies in different directories",
        plugins: vec![v_plain],
        report_plugins: vec![cfg("plugins/vend", "{}")],
        source_blind: None,
    });
    let v_trim = vplugin("vend-trim", &dep_source(""), true);
    scenarios.push(Scenario {
        host: HOSTV_TRIM,
        name: "vendored copies, -trimpath on both",
        plugins: vec![v_trim],
        report_plugins: vec![cfg("plugins/vend-trim", "{ trimpath = true }")],
        source_blind: None,
    });
    let v_shift = vplugin("vend-shift", &format!("\n{}", dep_source("")), true);
    scenarios.push(Scenario {
        host: HOSTV_TRIM,
        name: "vendored file edited, lines shifted (-trimpath both)",
        plugins: vec![v_shift],
        report_plugins: vec![cfg("plugins/vend-shift", "{ trimpath = true }")],
        source_blind: None,
    });
    let v_comment = vplugin(
        "vend-comment",
        &format!("{}// appended\n", dep_source("")),
        true,
    );
    scenarios.push(Scenario {
        host: HOSTV_TRIM,
        name: "vendored file, comment appended at end (-trimpath both)",
        plugins: vec![v_comment],
        report_plugins: vec![cfg("plugins/vend-comment", "{ trimpath = true }")],
        source_blind: None,
    });
    // The same module from two module caches (a file:// proxy serves it).
    let proxy = lab.root.join("proxy/example.com/cached/@v");
    std::fs::create_dir_all(&proxy).expect("proxy");
    std::fs::write(proxy.join("list"), "v1.0.0\n").expect("list");
    std::fs::write(
        proxy.join("v1.0.0.info"),
        "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-01T00:00:00Z\"}\n",
    )
    .expect("info");
    let cached_mod = "module example.com/cached\n\ngo 1.22\n";
    std::fs::write(proxy.join("v1.0.0.mod"), cached_mod).expect("mod");
    {
        let f = std::fs::File::create(proxy.join("v1.0.0.zip")).expect("zip");
        let mut z = zip::ZipWriter::new(f);
        let opt = zip::write::SimpleFileOptions::default();
        for (name, body) in [
            ("go.mod", cached_mod),
            (
                "cached.go",
                "package cached\n\nfunc Hello() string { return \"cached\" }\n",
            ),
        ] {
            z.start_file(format!("example.com/cached@v1.0.0/{name}"), opt)
                .expect("entry");
            std::io::Write::write_all(&mut z, body.as_bytes()).expect("write");
        }
        z.finish().expect("finish");
    }
    let proxy_url = format!("file://{}", lab.root.join("proxy").display());
    let cache_env = |mc: &str| -> Vec<(String, String)> {
        vec![
            ("GOPROXY".into(), proxy_url.clone()),
            ("GOSUMDB".into(), "off".into()),
            ("GOMODCACHE".into(), lab.root.join(mc).display().to_string()),
        ]
    };
    let cached_main = host_main
        .replace("example.com/dep", "example.com/cached")
        .replace("dep.Hello()", "cached.Hello()");
    write(
        &lab.root.join("hostc/go.mod"),
        "module example.com/hostc\n\ngo 1.22\n\nrequire example.com/cached v1.0.0\n",
    );
    write(&lab.root.join("hostc/main.go"), &cached_main);
    let env_a = cache_env("modcache-a");
    let env_a: Vec<(&str, &str)> = env_a
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    lab.go(
        go,
        &lab.root.join("hostc"),
        &["build", "-o", "../hostc.bin", "."],
        &env_a,
    );
    write(
        &lab.root.join("plugins/othercache/go.mod"),
        "module example.com/plugins/othercache\n\ngo 1.22\n\nrequire example.com/cached v1.0.0\n",
    );
    write(&lab.root.join("plugins/othercache/main.go"), "package main\n\nimport \"example.com/cached\"\n\nfunc Hello() string { return cached.Hello() }\n");
    let env_b = cache_env("modcache-b");
    let env_b: Vec<(&str, &str)> = env_b
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    lab.go(
        go,
        &lab.root.join("plugins/othercache"),
        &[
            "build",
            "-buildmode=plugin",
            "-o",
            "../../othercache.so",
            ".",
        ],
        &env_b,
    );
    const HOSTC: (&str, &str, &str) = ("hostc.bin", "hostc", "{ modcache = \"modcache-a\" }");
    scenarios.push(Scenario {
        host: HOSTC,
        name: "module cache at another path (no -trimpath)",
        plugins: vec!["./othercache.so".into()],
        report_plugins: vec![cfg("plugins/othercache", "{ modcache = \"modcache-b\" }")],
        source_blind: None,
    });
    match old_go(&repo) {
        Some(old) => {
            let p = build("oldgo", &[dep], &[], &[], &old);
            scenarios.push(Scenario {
        host: MAIN_HOST, name: "plugin built with an older Go", plugins: vec![p], report_plugins: vec![cfg("plugins/oldgo", &format!("{{ toolchain = \"go{OLD_GO}\" }}"))], source_blind: None });
        }
        None => println!("note: no Go {OLD_GO} toolchain (GODRIFT_OLD_GO unset, .ci/go-toolchain failed): version-mismatch scenario not run"),
    }

    let host_go = String::from_utf8_lossy(
        &Command::new(go)
            .arg("env")
            .arg("GOVERSION")
            .output()
            .expect("go env")
            .stdout,
    )
    .trim()
    .to_string();
    // The finding source mode must name when the runtime fails (the real cause).
    let causes: BTreeMap<&str, &str> = BTreeMap::from([
        ("dependency at another version", "GD001"),
        ("same code, other directory", "GD007"),
        ("other directory, -trimpath on plugin only", "GD005"),
        ("-trimpath on plugin only", "GD005"),
        ("-gcflags=all=-N -l on plugin only", "GD005"),
        ("-race on plugin only", "GD005"),
        ("plugin-only module, versions differ, load order", "GD001"),
        ("-tags that change a shared package", "GD005"),
        ("vendored copies in different directories", "GD007"),
        (
            "vendored file edited, lines shifted (-trimpath both)",
            "GD009",
        ),
        ("module cache at another path (no -trimpath)", "GD007"),
        ("plugin built with an older Go", "GD004"),
    ]);
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for s in &scenarios {
        let runtime = run_host(&lab.root.join(s.host.0), &lab.root, &s.plugins);
        // Binary mode.
        let mut args = vec![
            "check".to_string(),
            "--format".into(),
            "json".into(),
            "--host".into(),
            format!("./{}", s.host.0),
        ];
        args.extend(s.plugins.iter().cloned());
        let args_ref: Vec<&str> = args.iter().map(String::as_str).collect();
        let check = godrift(&lab.root, &args_ref);
        // Source mode: a godrift.toml for this scenario.
        let with_toolchain = |table: &str| {
            if table.contains("toolchain") {
                table.to_string()
            } else if table == "{}" {
                format!("{{ toolchain = \"{host_go}\" }}")
            } else {
                table.replace(" }", &format!(", toolchain = \"{host_go}\" }}"))
            }
        };
        let mut toml = format!(
            "[host]\npath = \"{}\"\nbuild = {}\n",
            s.host.1,
            with_toolchain(s.host.2)
        );
        let mut seen = BTreeMap::new();
        for (dir, table) in &s.report_plugins {
            let table = if table.contains("toolchain") {
                table.clone()
            } else if table == "{}" {
                format!("{{ toolchain = \"{host_go}\" }}")
            } else {
                table.replace(" }", &format!(", toolchain = \"{host_go}\" }}"))
            };
            if seen.insert(dir.clone(), ()).is_none() {
                toml.push_str(&format!(
                    "\n[[plugins]]\npath = \"{dir}\"\nbuild = {table}\n"
                ));
            }
        }
        let cfg_path = lab.root.join("godrift.toml");
        std::fs::write(&cfg_path, &toml).expect("write config");
        let report = godrift(&lab.root, &["report", "--format", "json", "."]);
        for (i, p) in s.plugins.iter().enumerate() {
            let rt = runtime.get(i).cloned();
            let c = &check["plugins"][i];
            let c_verdict = c["verdict"].as_str().unwrap_or("-").to_string();
            let c_error = c["error"].as_str().unwrap_or("").to_string();
            let (rt_verdict, rt_msg) = match &rt {
                Some(o @ Outcome::Fails(m)) | Some(o @ Outcome::Crashes(m)) => {
                    (o.verdict(), m.clone())
                }
                Some(Outcome::Loads) => ("loads", String::new()),
                None => ("not reached", String::new()),
            };
            // The crash ends the process; plugins after it are never opened.
            let check_ok = match &rt {
                None => c.is_null(),
                Some(Outcome::Crashes(m)) => c_verdict == "crashes" && m.contains(&c_error),
                Some(_) => c_verdict == rt_verdict && c_error == rt_msg,
            };
            let r_verdict = report["plugins"]
                .as_array()
                .and_then(|ps| {
                    ps.iter().find(|x| {
                        s.report_plugins
                            .get(i)
                            .is_some_and(|(d, _)| x["dir"] == d.as_str())
                    })
                })
                .and_then(|x| x["verdict"].as_str())
                .unwrap_or("-")
                .to_string();
            let report_ok = match (rt_verdict, r_verdict.as_str()) {
                ("loads", _) => true,
                (_, "loads") => s.source_blind.is_some(),
                _ => true,
            };
            let named = causes.get(s.name).is_none_or(|code| {
                rt_verdict == "loads"
                    || report["findings"]
                        .as_array()
                        .is_some_and(|fs| fs.iter().any(|f| f["code"] == *code))
            });
            if !named {
                failures.push(format!(
                    "{} / {p}: report does not name the cause {}",
                    s.name,
                    causes.get(s.name).unwrap_or(&"")
                ));
            }
            let report_ok = report_ok && named;
            if !check_ok {
                failures.push(format!(
                    "{} / {p}: runtime {rt_verdict} {rt_msg:?}, check {c_verdict} {c_error:?}",
                    s.name
                ));
            }
            if !report_ok {
                failures.push(format!(
                    "{} / {p}: runtime {rt_verdict} but report says {r_verdict}",
                    s.name
                ));
            }
            rows.push(format!(
                "| {} | `{p}` | {rt_verdict}{} | {c_verdict} | {r_verdict}{} | {} |",
                s.name,
                if rt_msg.is_empty() {
                    String::new()
                } else {
                    format!(": `{rt_msg}`")
                },
                s.source_blind
                    .map(|w| format!(" (blind: {w})"))
                    .unwrap_or_default(),
                if check_ok && report_ok { "yes" } else { "NO" },
            ));
        }
    }
    let table = format!(
        "| scenario | plugin | runtime (plugin.Open) | godrift check | godrift report | agree |\n|---|---|---|---|---|---|\n{}\n",
        rows.join("\n")
    );
    println!("{table}");
    let _ = std::fs::write(repo.join("target/oracle-agreement.md"), &table);
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
    assert!(scenarios.len() >= 20, "scenarios missing");
}
