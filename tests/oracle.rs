//! The oracle: real `go build` + `plugin.Open` scenarios; the runtime's outcome is the ground truth
//! that godrift's verdicts are compared with. One test process writes a hermetic workspace
//! (tests/oracle_support), builds every host and plugin once (two at a time, default GOCACHE
//! reused), runs each scenario's host, then `godrift check` (binary mode) and `godrift report`
//! (source mode, a godrift.toml per scenario from the artifacts' real build flags).
//!
//! Asserted per row: the runtime did what the scenario says (so the harness cannot quietly stop
//! reproducing a case); check equals the runtime (verdict, plugin.Open's error word for word,
//! the named package among its mismatches, a root cause naming the real cause); report never
//! says "loads" where the runtime fails and carries the finding code of the real cause. Blind
//! spots of source mode and known gaps are listed with their reason ("excused"), not dropped.
//!
//! The table is printed and written to `target/oracle-agreement.md`. Environment:
//! `GODRIFT_ORACLE=skip` skips with a printed reason; `GODRIFT_OLD_GO` (else the
//! `.ci/go-toolchain` cache) gives the older Go for the version-mismatch rows;
//! `GODRIFT_ORACLE_KEEP=1` keeps the workspace for debugging.

mod support;

mod oracle_support;

use oracle_support::{
    cached_toolchain, older_release, oracle_gocache, run_host, toolchain, Outcome, Workspace, DEP,
    OLD_GO_VERSION,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the runtime is expected to do for one plugin (from measured Go behaviour; asserted, so a
/// harness that stops reproducing a scenario fails instead of silently testing nothing).
#[derive(Debug, Clone, Copy)]
enum Expect {
    Loads,
    /// Fails and names the shared dependency.
    FailsDep,
    /// Fails and names a standard-library package (the misleading name of a flag mismatch).
    FailsStd,
    /// Fails, naming some package (which one is recorded, not assumed).
    Fails,
    /// Fails with exactly this error suffix.
    FailsWith(&'static str),
    /// The process dies, or plugin.Open fails: whatever really happens is recorded.
    CrashesOrFails,
}

struct Scenario {
    name: &'static str,
    host: &'static str,
    plugins: Vec<&'static str>,
    expect: Vec<Expect>,
}

fn scenarios(ws: &Workspace) -> Vec<Scenario> {
    use Expect::*;
    let one = |name, host, plugin, e| Scenario {
        name,
        host,
        plugins: vec![plugin],
        expect: vec![e],
    };
    let mut v = vec![
        one("identical builds", "host", "plug", Loads),
        one(
            "dep at v1.1.0 in the plugin",
            "host",
            "plug-v1.1.0",
            FailsDep,
        ),
        one(
            "same dep code from another dir (replace => copy), no -trimpath",
            "host",
            "plug-copy",
            FailsDep,
        ),
        one(
            "same dep code from another dir, -trimpath on both",
            "host-trimpath",
            "plug-copy-trimpath",
            Loads,
        ),
        one(
            "dep edit that shifts lines (-trimpath on both)",
            "host-trimpath",
            "plug-shift-trimpath",
            FailsDep,
        ),
        one(
            "dep edited in place between the builds: lines shifted",
            "host-inplace",
            "plug-inplace-shift",
            FailsDep,
        ),
        one(
            "dep edited in place between the builds: comment appended at the end",
            "host-inplace",
            "plug-inplace-comment",
            Loads,
        ),
        one(
            "dep with a comment appended at the end (-trimpath on both)",
            "host-trimpath",
            "plug-comment-trimpath",
            Loads,
        ),
        // Every package differs; the runtime names whichever it checks first (measured: the dep).
        one(
            "-trimpath on the plugin only",
            "host",
            "plug-trimpath",
            Fails,
        ),
        one("-race on the plugin only", "host", "plug-race", FailsStd),
        one(
            "-gcflags=all=-N -l on the plugin only",
            "host",
            "plug-noopt",
            Fails,
        ),
        one(
            "-ldflags=-X on the plugin only",
            "host",
            "plug-ldflags-x",
            Loads,
        ),
        one(
            "GOAMD64=v3 on the plugin only",
            "host",
            "plug-goamd64-v3",
            Loads,
        ),
        one(
            "GOEXPERIMENT=arenas on the plugin only",
            "host",
            "plug-goexperiment",
            Fails,
        ),
        one("-buildvcs differs", "host", "plug-buildvcs", Loads),
        one(
            "-tags changes the dep's API in the plugin",
            "host",
            "plug-tags",
            FailsDep,
        ),
        one(
            "host built with CGO_ENABLED=0",
            "host-nocgo",
            "plug",
            FailsWith("plugin: not implemented"),
        ),
        one(
            "host linked with -linkmode=internal",
            "host-internal-link",
            "plug",
            CrashesOrFails,
        ),
        one(
            "dep only the plugin links (host lacks it)",
            "hostbare",
            "plug",
            Loads,
        ),
        one(
            "dep from the plugin's vendor/, no -trimpath",
            "host",
            "plug-vendor",
            FailsDep,
        ),
        one(
            "dep from the plugin's vendor/, -trimpath on both",
            "host-trimpath",
            "plug-vendor-trimpath",
            Loads,
        ),
        one(
            "vendored on both sides, no -trimpath",
            "host-vendor",
            "plug-vendor",
            FailsDep,
        ),
        one(
            "vendored on both sides, -trimpath on both",
            "host-vendor-trimpath",
            "plug-vendor-trimpath",
            Loads,
        ),
        one(
            "vendored on both, plugin's copy edited: lines shifted (-trimpath on both)",
            "host-vendor-trimpath",
            "plug-vendor-shift-trimpath",
            FailsDep,
        ),
        one(
            "vendored on both, plugin's copy edited: comment at the end (-trimpath on both)",
            "host-vendor-trimpath",
            "plug-vendor-comment-trimpath",
            Loads,
        ),
        one(
            "plugin's vendored copy edited (lines shifted), host uses the replace dir (-trimpath on both)",
            "host-trimpath",
            "plug-vendor-shift-trimpath",
            FailsDep,
        ),
        one(
            "same dep version from another GOMODCACHE, no -trimpath",
            "host-modcache-a",
            "plug-modcache-b",
            FailsDep,
        ),
        one(
            "same dep from the same GOMODCACHE",
            "host-modcache-a",
            "plug-modcache-a",
            Loads,
        ),
        one(
            "same dep version from another GOMODCACHE, -trimpath on both",
            "host-modcache-a-trimpath",
            "plug-modcache-b-trimpath",
            Loads,
        ),
        one(
            "plugin compiles the host's own module from an identical copy (replace)",
            "host-lib",
            "plug-hostlib-copy",
            Fails,
        ),
        one(
            "plugin compiles the host's own module from an edited copy (replace)",
            "host-lib",
            "plug-hostlib-edited",
            Fails,
        ),
        one(
            "plugin replaces the host's module by the host's own directory, no -trimpath",
            "host-lib",
            "plug-hostlib-same",
            Loads,
        ),
        one(
            "plugin replaces the host's module by the host's own directory, -trimpath on both",
            "host-lib-trimpath",
            "plug-hostlib-same-trimpath",
            Fails,
        ),
        one(
            "plugin built in a go.work that uses the host's directory",
            "host-lib",
            "plug-hostlib-work",
            Loads,
        ),
        one(
            "plugin built in a go.work that uses the host's directory, -trimpath on both",
            "host-lib-trimpath",
            "plug-hostlib-work-trimpath",
            Loads,
        ),
        one(
            "plugin requires v1.1.0 replaced by the host's v1.0.0 directory, no -trimpath",
            "host",
            "plug-same-replace",
            Loads,
        ),
        one(
            "plugin requires v1.1.0 replaced by the host's v1.0.0 directory, -trimpath on both",
            "host-trimpath",
            "plug-same-replace-trimpath",
            FailsDep,
        ),
        one(
            "module at another version, but each side links a different package of it",
            "host-multi",
            "plug-multi-b",
            Loads,
        ),
        one(
            "module at another version, and both link its package a",
            "host-multi",
            "plug-multi-ab",
            Fails,
        ),
        Scenario {
            name: "two plugin main packages in one module",
            host: "host",
            plugins: vec!["plug-twin-one", "plug-twin-two"],
            expect: vec![Loads, Loads],
        },
        one(
            "dep at v1.1.0 imported only under a build tag the plugin is built without",
            "host",
            "plug-tagimport",
            Loads,
        ),
        one(
            "dep at v1.1.0 imported only under a build tag the plugin is built with",
            "host",
            "plug-tagimport-on",
            FailsDep,
        ),
        Scenario {
            name: "two plugins share a dep the host lacks, at v1.0.0 and v1.1.0",
            host: "hostbare",
            plugins: vec!["plug-a", "plug-b-v1.1.0"],
            expect: vec![Loads, FailsDep],
        },
        Scenario {
            name: "two plugins with the same plugin path",
            host: "host",
            plugins: vec!["plug", "plug-again"],
            expect: vec![Loads, FailsWith("plugin already loaded")],
        },
    ];
    if ws.old_go.is_some() {
        v.push(one(
            "plugin built by an older Go minor version",
            "host",
            "plug-old-go",
            CrashesOrFails,
        ));
        v.push(one(
            "host built by an older Go minor version",
            "host-old-go",
            "plug",
            CrashesOrFails,
        ));
        v.push(one(
            "both built by the older Go: identical",
            "host-old-go",
            "plug-old-go",
            Loads,
        ));
        v.push(one(
            "both built by the older Go: dep at v1.1.0 in the plugin",
            "host-old-go",
            "plug-v1.1.0-old-go",
            FailsDep,
        ));
    }
    v
}

/// Words check's root cause must contain one of, for this host and plugin: the real cause,
/// not the package the runtime happens to name. Alternatives where build info alone cannot
/// tell the exact story (a vendor/ tree is not recorded in build info).
fn expected_cause(host: &str, build: &str) -> Option<&'static [&'static str]> {
    if host == "host-old-go" && build == "plug" {
        return Some(&[OLD_GO_VERSION]);
    }
    Some(match build {
        "plug-v1.1.0" | "plug-b-v1.1.0" | "plug-v1.1.0-old-go" => &["v1.1.0"],
        "plug-copy" => &["copy-of-v1.0.0"],
        "plug-shift-trimpath" => &["v1.0.0-lines-shifted"],
        "plug-inplace-shift" => &["edited"],
        "plug-vendor-shift-trimpath" => &["edited", "vendor"],
        "plug-trimpath" => &["-trimpath"],
        "plug-vendor" => &["vendor", "-trimpath", "different paths"],
        "plug-modcache-b" => &["-trimpath", "GOPATH", "GOMODCACHE"],
        "plug-race" => &["-race"],
        "plug-goexperiment" => &["GOEXPERIMENT"],
        "plug-noopt" => &["-gcflags"],
        "plug-tags" => &["-tags"],
        "plug-old-go" if host != "host-old-go" => &[OLD_GO_VERSION],
        "plug-hostlib-copy" | "plug-hostlib-edited" | "plug-hostlib-same-trimpath" => {
            &["host's own module"]
        }
        "plug-multi-ab" | "plug-tagimport-on" | "plug-same-replace-trimpath" => &["v1.1.0"],
        _ => return None,
    })
}

/// Rows where check's verdict is right but its root cause is known to be wrong: listed in the
/// table with the reason instead of failing the run (verdict and package are still asserted).
/// (None listed: the -tags cause was fixed in diagnose.rs.)
fn known_cause_gap(build: &str) -> Option<&'static str> {
    let _ = build;
    None
}

/// Rows where check's verdict itself is known to be wrong: shown as WRONG with the reason
/// (the run does not fail on them; every other row must agree).
/// (None listed: GOEXPERIMENT version strings are now read as the same release.)
fn known_check_gap(build: &str) -> Option<&'static str> {
    let _ = build;
    None
}

fn is_std(pkg: &str) -> bool {
    !pkg.split('/').next().unwrap_or(pkg).contains('.')
}

fn expectation_holds(e: Expect, got: &Outcome) -> bool {
    match (e, got) {
        (Expect::Loads, Outcome::Loads) => true,
        (Expect::FailsDep, o @ Outcome::Fails(_)) => o.named_package() == Some(DEP),
        (Expect::FailsStd, o @ Outcome::Fails(_)) => o.named_package().is_some_and(is_std),
        (Expect::Fails, o @ Outcome::Fails(_)) => o.named_package().is_some(),
        (Expect::FailsWith(s), Outcome::Fails(err)) => err.ends_with(s),
        (Expect::CrashesOrFails, Outcome::Crashes(_) | Outcome::Fails(_)) => true,
        _ => false,
    }
}

struct Row {
    scenario: String,
    plugin: String,
    runtime: Outcome,
    expected_ok: bool,
    /// What check's root cause must mention (see `expected_cause`).
    cause_word: Option<Vec<&'static str>>,
    /// Finding codes in the scenario's report.
    report_codes: Vec<String>,
    /// The package report predicts plugin.Open will name.
    report_names: Option<String>,
    /// The finding code that names the real cause (see `report_cause`).
    report_code: Option<&'static str>,
    /// Why source mode cannot see this failure, if it cannot (see `source_blind`).
    source_blind: Option<&'static str>,
    /// Set when check's verdict is known to be wrong here (see `known_check_gap`).
    check_gap: Option<&'static str>,
    /// Set when check's cause is known to be wrong here (see `known_cause_gap`).
    cause_gap: Option<&'static str>,
    /// godrift check's verdict and mismatched packages; None when the column is skipped.
    check: Option<CheckVerdict>,
    /// godrift report's overall verdict; None when the column is skipped.
    report: Option<String>,
}

#[derive(Debug, Clone)]
struct CheckVerdict {
    verdict: String,
    error: Option<String>,
    mismatched: Vec<String>,
    root_cause: Option<String>,
}

impl Row {
    /// check agrees when the verdict matches and, where the runtime names a package, check's
    /// error names the same one (the runtime reports the first mismatch in its own order) and
    /// lists it among the mismatched packages. Errors must match the runtime's text.
    /// check agrees, or its disagreement is a listed known gap.
    fn check_ok(&self) -> Option<bool> {
        self.check_agrees().map(|a| a || self.check_gap.is_some())
    }

    fn check_agrees(&self) -> Option<bool> {
        let c = self.check.as_ref()?;
        if c.verdict != self.runtime.verdict() {
            return Some(false);
        }
        let named_ok = match self.runtime.named_package() {
            Some(p) => {
                c.error.as_deref().and_then(oracle_support::named_package) == Some(p)
                    && c.mismatched.iter().any(|m| m == p)
            }
            None => true,
        };
        let text_ok = match &self.runtime {
            Outcome::Loads => c.error.is_none(),
            // plugin.Open's error, word for word (the paths given to both are the same).
            Outcome::Fails(e) => c.error.as_deref() == Some(e.as_str()),
            // The runtime prints "fatal error: <message>"; check gives the message.
            Outcome::Crashes(e) => c
                .error
                .as_deref()
                .is_some_and(|ce| !ce.is_empty() && e.contains(ce)),
        };
        Some(
            named_ok && text_ok && (self.cause_agrees() != Some(false) || self.cause_gap.is_some()),
        )
    }

    /// Whether the row agrees only thanks to a listed blind spot or known gap.
    fn excused(&self) -> bool {
        let report_false_safe =
            self.report.as_deref() == Some("loads") && self.runtime != Outcome::Loads;
        (report_false_safe && self.source_blind.is_some())
            || (self.check_agrees() == Some(false) && self.check_gap.is_some())
            || (self.cause_agrees() == Some(false) && self.cause_gap.is_some())
    }

    /// Whether check's root cause names the real cause; None when there is nothing to compare.
    fn cause_agrees(&self) -> Option<bool> {
        let c = self.check.as_ref()?;
        let words = self.cause_word.as_ref()?;
        let rc = c.root_cause.as_deref().unwrap_or("");
        Some(words.iter().any(|w| rc.contains(w)))
    }

    /// report's verdict must be the runtime's: "loads" where plugin.Open loads, "fails"
    /// where it fails or crashes (never "loads" there, and not "may-fail" either: source mode
    /// must be as exact as the sources allow). Where the runtime fails and source mode can
    /// see why, a finding with the code of the real cause must be in the report.
    fn report_agrees(&self) -> Option<bool> {
        let r = self.report.as_deref()?;
        if self.source_blind.is_some() {
            return Some(true);
        }
        let code_ok = match self.report_code {
            Some(code) if self.runtime != Outcome::Loads => {
                self.report_codes.iter().any(|c| c == code)
            }
            _ => true,
        };
        let verdict_ok = match self.runtime {
            Outcome::Loads => r == "loads",
            Outcome::Fails(_) | Outcome::Crashes(_) => r == "fails",
        };
        Some(verdict_ok && code_ok)
    }
}

/// Failures source mode cannot see, or known report gaps, with the reason: listed in the table
/// (never dropped) instead of failing the run.
fn source_blind(host: &str, build: &str) -> Option<&'static str> {
    match build {
        "plug" if host == "host-internal-link" => {
            Some("-ldflags=-linkmode=internal is not recorded in build info or the config")
        }
        "plug-again" => Some("one module directory built into two files; the config lists it once"),
        "plug-inplace-shift" => {
            Some("the edit happened between the two builds; the sources on disk are the host's")
        }
        _ => None,
    }
}

/// `go env GOVERSION` of each toolchain used, for the config's `toolchain` settings.
fn toolchain_versions(ws: &Workspace) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    for b in ws.builds.values() {
        if out.contains_key(&b.go) {
            continue;
        }
        let o = Command::new(&b.go)
            .args(["env", "GOVERSION"])
            .env("GOTOOLCHAIN", "local")
            .output()
            .expect("go env GOVERSION");
        out.insert(
            b.go.clone(),
            String::from_utf8_lossy(&o.stdout).trim().to_string(),
        );
    }
    out
}

/// The godrift.toml `build = {...}` table that describes how `b` was built.
fn build_table(b: &oracle_support::Build, versions: &BTreeMap<PathBuf, String>) -> String {
    let flag_value = |prefix: &str| {
        b.flags
            .iter()
            .find_map(|f| f.strip_prefix(prefix))
            .unwrap_or("")
            .to_string()
    };
    // A per-artifact module cache (relative to the workspace, like the config's paths).
    let modcache = b
        .env
        .iter()
        .find(|(k, _)| k == "GOMODCACHE")
        .map(|(_, v)| v.rsplit('/').next().unwrap_or(v).to_string())
        .unwrap_or_default();
    let goexperiment = b
        .env
        .iter()
        .find(|(k, _)| k == "GOEXPERIMENT")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    // Every build runs with CGO_ENABLED=1 unless its own env says otherwise.
    let cgo = b
        .env
        .iter()
        .find(|(k, _)| k == "CGO_ENABLED")
        .is_none_or(|(_, v)| v == "1");
    format!(
        "{{ trimpath = {}, race = {}, gcflags = {:?}, tags = {:?}, toolchain = {:?}, modcache = {modcache:?}, cgo_enabled = {cgo}, goexperiment = {goexperiment:?} }}",
        b.flags.iter().any(|f| f == "-trimpath"),
        b.flags.iter().any(|f| f == "-race"),
        flag_value("-gcflags="),
        flag_value("-tags="),
        versions.get(&b.go).map(String::as_str).unwrap_or(""),
    )
}

/// Writes a godrift.toml describing this scenario's host and plugin modules and their build
/// settings, runs `godrift report --format json` on it and returns each plugin's verdict.
/// The finding code source mode must report when this plugin fails at runtime.
fn report_cause(host: &str, build: &str) -> Option<&'static str> {
    if host == "host-old-go" && build == "plug" {
        return Some("GD004");
    }
    Some(match build {
        "plug-v1.1.0" | "plug-b-v1.1.0" | "plug-v1.1.0-old-go" => "GD001",
        "plug-copy" | "plug-vendor" | "plug-modcache-b" => "GD007",
        "plug-vendor-shift-trimpath" => "GD009",
        "plug-trimpath" | "plug-race" | "plug-noopt" | "plug-tags" | "plug-goexperiment" => "GD005",
        "plug-old-go" => "GD004",
        "plug-hostlib-copy" | "plug-hostlib-edited" | "plug-hostlib-same-trimpath" => "GD012",
        "plug-multi-ab" | "plug-tagimport-on" | "plug-same-replace-trimpath" => "GD001",
        _ => return None,
    })
}

/// Each plugin's verdict, and the finding codes of the whole report.
fn run_report(
    ws: &Workspace,
    sc: &Scenario,
    versions: &BTreeMap<PathBuf, String>,
) -> (Vec<String>, Vec<String>, Vec<Option<String>>) {
    let rel = |p: &Path| p.strip_prefix(&ws.root).unwrap_or(p).display().to_string();
    let host = ws.build(sc.host);
    let mut toml = format!(
        "[host]\npath = {:?}\nbuild = {}\n",
        rel(&host.dir),
        build_table(host, versions)
    );
    let mut dirs = Vec::new();
    for p in &sc.plugins {
        let b = ws.build(if *p == "plug-again" { "plug" } else { p });
        let dir = rel(&b.dir);
        if !dirs.contains(&dir) {
            toml.push_str(&format!(
                "\n[[plugins]]\npath = {dir:?}\nbuild = {}\n",
                build_table(b, versions)
            ));
        }
        dirs.push(dir);
    }
    std::fs::write(ws.root.join("godrift.toml"), &toml).expect("write godrift.toml");
    let out = godrift()
        .current_dir(&ws.root)
        .args(["report", "--format", "json", "."])
        // Source mode must work from the trees alone: no module cache.
        .env("GOMODCACHE", ws.root.join("no-modcache"))
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run godrift report");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "godrift report exited {code:?} on\n{toml}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "godrift report printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let list = json["plugins"].as_array().cloned().unwrap_or_default();
    let mut codes: Vec<String> = json["findings"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .filter_map(|f| f["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    codes.sort();
    codes.dedup();
    // A module with several plugin main packages gives one artifact each, named
    // `dir-name/package-dir`.
    let entries: Vec<Option<&serde_json::Value>> = dirs
        .iter()
        .zip(&sc.plugins)
        .map(|(d, p)| {
            let b = ws.build(if *p == "plug-again" { "plug" } else { p });
            let name = (b.pkg != ".").then(|| {
                format!(
                    "{}/{}",
                    b.dir.file_name().unwrap_or_default().to_string_lossy(),
                    b.pkg.trim_start_matches("./")
                )
            });
            list.iter().find(|x| match &name {
                Some(n) => x["name"].as_str() == Some(n.as_str()),
                None => x["dir"].as_str() == Some(d.as_str()),
            })
        })
        .collect();
    let verdicts = entries
        .iter()
        .zip(&sc.plugins)
        .map(|(e, p)| {
            e.and_then(|x| x["verdict"].as_str())
                .map(str::to_string)
                .unwrap_or_else(|| format!("<no verdict for {p} in {list:?}>"))
        })
        .collect();
    let names = entries
        .iter()
        .map(|e| {
            e.and_then(|x| x["runtime_names"].as_str())
                .map(str::to_string)
        })
        .collect();
    (verdicts, codes, names)
}

fn godrift() -> Command {
    Command::new(env!("CARGO_BIN_EXE_godrift"))
}

/// Whether this build of godrift has the subcommand (clap's --help succeeds only for known ones).
fn has_subcommand(name: &str) -> bool {
    godrift()
        .args([name, "--help"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Runs `godrift check --format json --host H P...`; one verdict per plugin, in order.
fn run_check(host: &Path, plugins: &[&Path]) -> Vec<CheckVerdict> {
    run_check_with("--host", host, plugins)
}

/// Exports the host's contract into `dir` (once per host) and returns its path.
fn export_contract(host: &Path, dir: &Path) -> PathBuf {
    let file = dir.join(format!(
        "{}.json",
        host.file_name().expect("host file name").to_string_lossy()
    ));
    if !file.exists() {
        let out = godrift()
            .args(["contract", "export", "--host"])
            .arg(host)
            .arg("--output")
            .arg(&file)
            .output()
            .expect("run godrift contract export");
        assert!(
            out.status.success(),
            "godrift contract export --host {}: {}",
            host.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    file
}

/// Runs `godrift check --format json FLAG H P...` (`--host` or `--contract`).
fn run_check_with(flag: &str, host: &Path, plugins: &[&Path]) -> Vec<CheckVerdict> {
    let out = godrift()
        .args(["check", "--format", "json", flag])
        .arg(host)
        .args(plugins)
        .output()
        .expect("run godrift check");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "godrift check exited {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "godrift check printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    let list = json["plugins"]
        .as_array()
        .expect("check JSON has plugins[]");
    assert_eq!(
        list.len(),
        plugins.len(),
        "check reports one entry per plugin"
    );
    list.iter()
        .map(|p| CheckVerdict {
            verdict: p["verdict"].as_str().unwrap_or("<none>").to_string(),
            root_cause: p["root_cause"].as_str().map(str::to_string),
            error: p["error"].as_str().map(str::to_string),
            // Entries are package paths, or objects naming one in "package".
            mismatched: p["mismatched_packages"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().or_else(|| x["package"].as_str()))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

fn describe(o: &Outcome) -> String {
    match o {
        Outcome::Loads => "loads".into(),
        Outcome::Fails(e) => match o.named_package() {
            Some(p) => format!("fails: {p}"),
            None => format!("fails: {}", e.rsplit(": ").next().unwrap_or(e)),
        },
        Outcome::Crashes(e) => format!("crashes: {e}"),
    }
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "yes",
        Some(false) => "NO",
        None => "skipped",
    }
}

/// `root`: the workspace directory, shown as `$W` so the table does not depend on the temp dir.
fn render_table(rows: &[Row], skipped: &[String], root: &str) -> String {
    let mut s = String::new();
    s.push_str(
        "| scenario | plugin | runtime | check | check's root cause | report | agree? | runtime as expected? |\n",
    );
    s.push_str("|---|---|---|---|---|---|---|---|\n");
    for r in rows {
        let check = match &r.check {
            Some(c) if c.mismatched.is_empty() => c.verdict.clone(),
            // The first names what the runtime reports; the rest only as a count.
            Some(c) if c.mismatched.len() > 2 => format!(
                "{}: {}, {} (+{} more)",
                c.verdict,
                c.mismatched[0],
                c.mismatched[1],
                c.mismatched.len() - 2
            ),
            Some(c) => format!("{}: {}", c.verdict, c.mismatched.join(", ")),
            None => "skipped".into(),
        };
        let check = match (r.check_agrees(), r.check_gap) {
            (Some(false), Some(gap)) => format!("{check} (WRONG, known gap: {gap})"),
            _ => check,
        };
        let agree = match (r.check_ok(), r.report_agrees()) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(true) && b.unwrap_or(true)),
        };
        let cause = r
            .check
            .as_ref()
            .and_then(|c| c.root_cause.as_deref())
            .unwrap_or("")
            .replace(root, "$W");
        let cause = match (r.cause_agrees(), r.cause_gap) {
            (Some(false), Some(gap)) => format!("{cause} (WRONG, known gap: {gap})"),
            (Some(false), None) => format!("{cause} (WRONG)"),
            _ => cause,
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.scenario,
            r.plugin,
            describe(&r.runtime).replace('|', "\\|"),
            check.replace('|', "\\|"),
            cause.replace('|', "\\|"),
            match (&r.report, r.source_blind) {
                (None, _) => "skipped".to_string(),
                (Some(v), Some(why)) if r.runtime != Outcome::Loads =>
                    format!("{v} (blind: {why})"),
                (Some(v), _) if r.report_codes.is_empty() => v.clone(),
                (Some(v), _) => format!("{v} ({})", r.report_codes.join(", ")),
            },
            // "excused": a listed blind spot or known gap (reason in its column) decided it.
            match agree {
                Some(true) if r.excused() => "excused",
                other => yes_no(other),
            },
            if r.expected_ok { "yes" } else { "NO" }
        ));
    }
    let agree = rows
        .iter()
        .filter(|r| r.check_ok() != Some(false) && r.report_agrees() != Some(false))
        .count();
    let excused = rows.iter().filter(|r| r.excused()).count();
    s.push_str(&format!(
        "\n{} rows: {agree} agree ({excused} of them excused by a listed blind spot or known gap), {} disagree.\n",
        rows.len(),
        rows.len() - agree
    ));
    for sk in skipped {
        s.push_str(&format!("\nSkipped: {sk}\n"));
    }
    s
}

fn go_on_path() -> Option<PathBuf> {
    let out = Command::new("go").arg("env").arg("GOROOT").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let goroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let go = Path::new(&goroot).join("bin/go");
    go.is_file().then_some(go)
}

/// One Go release the table runs on: its `go`, the older release of the version-mismatch
/// rows, its own GOCACHE, and where its table is written.
struct Release {
    label: String,
    go: PathBuf,
    /// The older release's `go` (None: not installed) and version.
    old_go: Option<PathBuf>,
    old_version: &'static str,
    gocache: PathBuf,
    table: PathBuf,
}

/// The releases to run on: the `go` on PATH, or `GODRIFT_ORACLE_GO` (a comma-separated list
/// of versions from `.ci/go-toolchain`'s cache, e.g. `1.21.13,1.24.11`; `path` is the go on
/// PATH), each with its own GOCACHE under target/.
fn releases() -> Vec<Release> {
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let on_path = || {
        let go = go_on_path().expect("go on PATH");
        let old_go = cached_toolchain(OLD_GO_VERSION);
        Release {
            label: go_version(&go),
            go,
            old_go,
            old_version: OLD_GO_VERSION,
            gocache: oracle_gocache(),
            table: target.join("oracle-agreement.md"),
        }
    };
    let Ok(list) = std::env::var("GODRIFT_ORACLE_GO") else {
        return vec![on_path()];
    };
    list.split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            if v == "path" {
                return on_path();
            }
            let go = toolchain(v).unwrap_or_else(|| {
                panic!("GODRIFT_ORACLE_GO: go{v} is not installed; run `.ci/go-toolchain {v}` (tests never download)")
            });
            let old_version = older_release(v).unwrap_or_else(|| {
                panic!("GODRIFT_ORACLE_GO: no older release paired with {v} (oracle_support::RELEASES)")
            });
            Release {
                label: go_version(&go),
                old_go: toolchain(old_version),
                old_version,
                go,
                gocache: target.join(format!("oracle-gocache-go{v}")),
                table: target.join(format!("oracle-agreement-go{v}.md")),
            }
        })
        .collect()
}

fn go_version(go: &Path) -> String {
    let out = Command::new(go)
        .args(["env", "GOVERSION"])
        .env("GOTOOLCHAIN", "local")
        .env("GOENV", "off")
        .output()
        .expect("go env GOVERSION");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn oracle_agreement() {
    if std::env::var("GODRIFT_ORACLE").as_deref() == Ok("skip") {
        eprintln!("oracle: skipped because GODRIFT_ORACLE=skip");
        return;
    }
    if support::require_go("oracle_agreement").is_none() {
        return;
    }
    // Every release's table is written before anything is asserted.
    let mut failures = Vec::new();
    for rel in releases() {
        let started = std::time::Instant::now();
        if let Err(e) = run_release(&rel) {
            failures.push(format!("on {}:\n{e}", rel.label));
        }
        eprintln!("oracle: {} took {:?}", rel.label, started.elapsed());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The build behind a scenario's plugin name (`plug-again` is a copy of `plug`).
fn plugin_build(plugin: &str) -> &str {
    if plugin == "plug-again" {
        "plug"
    } else {
        plugin
    }
}

/// `godrift explain` on every message the runtime printed: recognized, naming the same
/// package, with the row's real cause (its finding code; GD004 and GD023 are both "another
/// Go release") among the ranked causes. Writes the messages (workspace as $W) to `out`, one
/// per line, for the unit tests of `godrift::explain`. Returns the rows where it is wrong.
fn explain_rows(rows: &[Row], root: &Path, out: &Path) -> Vec<String> {
    let mut wrong = Vec::new();
    let mut messages = std::collections::BTreeSet::new();
    for r in rows {
        let msg = match &r.runtime {
            Outcome::Loads => continue,
            Outcome::Fails(e) | Outcome::Crashes(e) => e,
        };
        messages.insert(msg.replace(&root.display().to_string(), "$W"));
        let o = godrift()
            .args(["explain", "--json", msg])
            .output()
            .expect("run godrift explain");
        let Ok(e) = serde_json::from_slice::<serde_json::Value>(&o.stdout) else {
            wrong.push(format!(
                "{} / {}: {msg:?} not recognized: {}",
                r.scenario,
                r.plugin,
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        };
        if e["package"].as_str() != r.runtime.named_package() {
            wrong.push(format!(
                "{} / {}: runtime names {:?}, explain {:?}",
                r.scenario,
                r.plugin,
                r.runtime.named_package(),
                e["package"]
            ));
        }
        let codes: Vec<&str> = e["causes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["code"].as_str())
            .map(|c| if c == "GD023" { "GD004" } else { c })
            .collect();
        if let Some(want) = r.report_code {
            if !codes.contains(&want) {
                wrong.push(format!(
                    "{} / {}: the real cause {want} is not among explain's causes {codes:?} for {msg:?}",
                    r.scenario, r.plugin
                ));
            }
        }
    }
    let text: String = messages.into_iter().map(|m| m + "\n").collect();
    let _ = std::fs::write(out, text);
    wrong
}

/// Builds and runs the whole table on one release; writes its table; returns what failed.
fn run_release(rel: &Release) -> Result<(), String> {
    let go = rel.go.clone();
    let mut skipped = Vec::new();
    let old_go = rel.old_go.clone();
    let old = rel.old_version;
    assert!(
        old_go.is_some() || !support::in_ci(),
        "CI must provide go{old} (GODRIFT_OLD_GO for {OLD_GO_VERSION}, else .ci/go-toolchain {old}) for the Go-version-mismatch rows"
    );
    if old_go.is_none() {
        skipped.push(format!(
            "Go minor-version mismatch: go{old} is not installed; run `.ci/go-toolchain {old}` (tests never download)"
        ));
    }

    let check_available = has_subcommand("check");
    if !check_available {
        skipped.push(
            "check column: this godrift has no `check` subcommand yet (binary mode, h/binary)"
                .into(),
        );
    }
    let report_available = has_subcommand("report");
    if !report_available {
        skipped.push(
            "report column: this godrift has no `report` subcommand yet (source mode, h/report)"
                .into(),
        );
    }

    let tmp = tempfile::Builder::new()
        .prefix("godrift-oracle-")
        .tempdir()
        .expect("temp dir");
    let ws = Workspace::generate(tmp.path(), go, old_go, rel.gocache.clone());
    if std::env::var_os("GODRIFT_ORACLE_KEEP").is_some() {
        // For debugging a scenario by hand: the workspace outlives the test.
        eprintln!("oracle: keeping {}", tmp.path().display());
        std::mem::forget(tmp);
    }
    let started = std::time::Instant::now();
    if let Err(e) = ws.build_all(2) {
        return Err(format!("building the scenarios failed:\n{e}"));
    }
    eprintln!(
        "oracle: {}: built {} artifacts in {:?}",
        rel.label,
        ws.builds.len(),
        started.elapsed()
    );
    // A byte-identical plugin under another file name: same plugin path, different file.
    let again = ws.root.join("out/plug-again.so");
    std::fs::copy(ws.artifact("plug"), &again).expect("copy plugin");

    let versions = toolchain_versions(&ws);
    let contract_available = check_available && has_subcommand("contract");
    let contracts = ws.root.join("contracts");
    std::fs::create_dir_all(&contracts).expect("contracts dir");
    let (mut contract_rows, mut contract_wrong) = (0usize, Vec::<String>::new());
    let mut rows = Vec::new();
    for sc in scenarios(&ws) {
        let host = ws.artifact(sc.host);
        let plugins: Vec<PathBuf> = sc
            .plugins
            .iter()
            .map(|p| {
                if *p == "plug-again" {
                    again.clone()
                } else {
                    ws.artifact(p).to_path_buf()
                }
            })
            .collect();
        let refs: Vec<&Path> = plugins.iter().map(PathBuf::as_path).collect();
        let outcomes = run_host(host, &refs).map_err(|e| format!("scenario {:?}: {e}", sc.name))?;
        // The root cause must name the cause in its own words: the artifacts' paths
        // (`plug-v1.1.0.so`) are shown as $A, not searched for the cause words.
        let checks = check_available.then(|| {
            let mut c = run_check(host, &refs);
            // The same replay from the host's exported contract: equal verdicts, errors,
            // packages and root causes (the contract names the host as it was given).
            if contract_available {
                let from_contract =
                    run_check_with("--contract", &export_contract(host, &contracts), &refs);
                for (i, (b, k)) in c.iter().zip(&from_contract).enumerate() {
                    contract_rows += 1;
                    if (&b.verdict, &b.error, &b.mismatched, &b.root_cause)
                        != (&k.verdict, &k.error, &k.mismatched, &k.root_cause)
                    {
                        contract_wrong.push(format!(
                            "{} / {}: check --host {b:?}, check --contract {k:?}",
                            sc.name, sc.plugins[i]
                        ));
                    }
                }
            }
            for v in &mut c {
                if let Some(rc) = v.root_cause.as_mut() {
                    for a in refs.iter().copied().chain([host]) {
                        *rc = rc.replace(&a.display().to_string(), "$A");
                    }
                }
            }
            c
        });
        let reports = report_available.then(|| run_report(&ws, &sc, &versions));
        for (i, plugin) in sc.plugins.iter().enumerate() {
            // After a crash the later plugins never ran: nothing to compare for them.
            let Some(got) = outcomes.get(i) else { break };
            // The older release of this run where the table says OLD_GO_VERSION.
            let cause_word = expected_cause(sc.host, plugin).map(|words| {
                words
                    .iter()
                    .map(|w| if *w == OLD_GO_VERSION { old } else { *w })
                    .collect()
            });
            rows.push(Row {
                scenario: sc.name.to_string(),
                plugin: plugin.to_string(),
                runtime: got.clone(),
                expected_ok: expectation_holds(sc.expect[i], got),
                cause_word,
                cause_gap: known_cause_gap(plugin).or_else(|| {
                    // Plugins built before Go 1.21 carry no build info: check names the
                    // package whose hash differs, not the module versions behind it.
                    let pre_121 = old.split('.').nth(1).and_then(|m| m.parse::<u32>().ok())
                        < Some(21);
                    let by_old = ws.old_go.as_ref() == Some(&ws.build(plugin_build(plugin)).go);
                    (pre_121 && by_old && *plugin != "plug-old-go").then_some(
                        "built by a release before Go 1.21: plugins carry no build info, so the module versions behind the hash difference cannot be read",
                    )
                }),
                check_gap: known_check_gap(plugin),
                check: checks.as_ref().map(|c| c[i].clone()),
                report: reports.as_ref().map(|r| r.0[i].clone()),
                report_codes: reports.as_ref().map(|r| r.1.clone()).unwrap_or_default(),
                report_names: reports.as_ref().and_then(|r| r.2[i].clone()),
                report_code: report_cause(sc.host, plugin),
                source_blind: source_blind(sc.host, plugin),
            });
        }
    }

    let explain_wrong = if has_subcommand("explain") {
        explain_rows(&rows, &ws.root, &rel.table.with_extension("messages.txt"))
    } else {
        Vec::new()
    };
    let mut table = render_table(&rows, &skipped, &ws.root.display().to_string());
    table.push_str("\n$W is the workspace; $A, in check's root cause, the artifact's path.\n");
    // How often source mode predicts the package plugin.Open names (not asserted: the
    // linker's order is approximated by the dependency order).
    let named: Vec<&Row> = rows
        .iter()
        .filter(|r| r.source_blind.is_none() && r.runtime.named_package().is_some())
        .collect();
    let right = named
        .iter()
        .filter(|r| r.report_names.as_deref() == r.runtime.named_package())
        .count();
    table.push_str(&format!(
        "\nreport predicted the package plugin.Open names on {right} of {} failing rows\n",
        named.len()
    ));
    for r in named
        .iter()
        .filter(|r| r.report_names.as_deref() != r.runtime.named_package())
    {
        table.push_str(&format!(
            "- {} / {}: runtime names {:?}, report predicted {:?}\n",
            r.scenario,
            r.plugin,
            r.runtime.named_package().unwrap_or(""),
            r.report_names
        ));
    }
    if contract_available {
        table.push_str(&format!(
            "\ncheck --contract (exported from each host) equals check --host on {} of {contract_rows} rows\n",
            contract_rows - contract_wrong.len()
        ));
    }
    println!("\n## {} (older release: go{old})\n\n{table}", rel.label);
    let _ = std::fs::create_dir_all(rel.table.parent().expect("parent"));
    std::fs::write(
        &rel.table,
        format!(
            "# godrift oracle agreement on {} (older release: go{old})\n\n{table}",
            rel.label
        ),
    )
    .expect("write table");

    let wrong: Vec<String> = rows
        .iter()
        .filter(|r| !r.expected_ok)
        .map(|r| format!("{} / {}: runtime {:?}", r.scenario, r.plugin, r.runtime))
        .collect();
    if !wrong.is_empty() {
        return Err(format!(
            "the runtime no longer behaves as the scenarios say:\n{}",
            wrong.join("\n")
        ));
    }
    if !explain_wrong.is_empty() {
        return Err(format!(
            "godrift explain does not rank the real cause of the runtime's message:\n{}",
            explain_wrong.join("\n")
        ));
    }
    if !contract_wrong.is_empty() {
        return Err(format!(
            "check --contract differs from check --host:\n{}",
            contract_wrong.join("\n")
        ));
    }
    let disagree: Vec<String> = rows
        .iter()
        .filter(|r| r.check_ok() == Some(false) || r.report_agrees() == Some(false))
        .map(|r| {
            format!(
                "{} / {}: runtime {:?}, check {:?}, report {:?}",
                r.scenario, r.plugin, r.runtime, r.check, r.report
            )
        })
        .collect();
    if !disagree.is_empty() {
        return Err(format!(
            "godrift disagrees with the runtime:\n{}",
            disagree.join("\n")
        ));
    }
    Ok(())
}

#[cfg(test)]
mod agreement_rules {
    use super::*;

    fn row(runtime: Outcome, check: Option<CheckVerdict>, report: Option<&str>) -> Row {
        Row {
            scenario: "s".into(),
            plugin: "p".into(),
            runtime,
            expected_ok: true,
            cause_word: None,
            cause_gap: None,
            check_gap: None,
            source_blind: None,
            report_codes: Vec::new(),
            report_names: None,
            report_code: None,
            check,
            report: report.map(str::to_string),
        }
    }

    fn cv(verdict: &str, error: Option<&str>, mismatched: &[&str]) -> Option<CheckVerdict> {
        Some(CheckVerdict {
            verdict: verdict.into(),
            error: error.map(str::to_string),
            mismatched: mismatched.iter().map(|s| s.to_string()).collect(),
            root_cause: None,
        })
    }

    const DEP_ERR: &str =
        "plugin.Open(\"p.so\"): plugin was built with a different version of package example.com/dep";

    #[test]
    fn check_must_name_the_package_the_runtime_names() {
        let fails = || Outcome::Fails(DEP_ERR.into());
        assert_eq!(
            row(fails(), cv("fails", Some(DEP_ERR), &[DEP]), None).check_agrees(),
            Some(true)
        );
        // Right verdict, but the wrong package named first.
        let other = DEP_ERR.replace(DEP, "sync/atomic");
        assert_eq!(
            row(
                fails(),
                cv("fails", Some(&other), &["sync/atomic", DEP]),
                None
            )
            .check_agrees(),
            Some(false)
        );
        assert_eq!(
            row(fails(), cv("loads", None, &[]), None).check_agrees(),
            Some(false)
        );
        assert_eq!(row(fails(), None, None).check_agrees(), None);
    }

    #[test]
    fn check_must_give_the_real_cause() {
        let race_err = DEP_ERR.replace(DEP, "sync/atomic");
        let mut r = row(
            Outcome::Fails(race_err.clone()),
            cv("fails", Some(&race_err), &["sync/atomic"]),
            None,
        );
        r.cause_word = Some(vec!["-race"]);
        assert_eq!(r.check_agrees(), Some(false), "no root cause given");
        if let Some(c) = r.check.as_mut() {
            c.root_cause = Some("build setting -race differs".into());
        }
        assert_eq!(r.check_agrees(), Some(true));
        // A listed gap keeps the row agreeing, but the cause column still says so.
        if let Some(c) = r.check.as_mut() {
            c.root_cause = Some("the directory differs".into());
        }
        r.cause_gap = Some("known");
        assert_eq!(r.check_agrees(), Some(true));
        assert_eq!(r.cause_agrees(), Some(false));
    }

    #[test]
    fn a_known_check_gap_is_excused_but_still_shown_wrong() {
        let mut r = row(
            Outcome::Fails(DEP_ERR.into()),
            cv("crashes", Some("runtime: no plugin module data"), &[]),
            None,
        );
        assert_eq!(r.check_ok(), Some(false));
        r.check_gap = Some("known");
        assert_eq!(r.check_ok(), Some(true));
        assert_eq!(r.check_agrees(), Some(false));
        assert!(r.excused());
    }

    #[test]
    fn errors_must_match_the_runtime_text() {
        let crash = Outcome::Crashes("fatal error: runtime: no plugin module data".into());
        assert_eq!(
            row(
                crash.clone(),
                cv("crashes", Some("runtime: no plugin module data"), &[]),
                None
            )
            .check_agrees(),
            Some(true)
        );
        assert_eq!(
            row(crash, cv("crashes", Some("boom"), &[]), None).check_agrees(),
            Some(false)
        );
        let dup = Outcome::Fails("plugin.Open(\"b.so\"): plugin already loaded".into());
        assert_eq!(
            row(
                dup.clone(),
                cv(
                    "fails",
                    Some("plugin.Open(\"b.so\"): plugin already loaded"),
                    &[]
                ),
                None
            )
            .check_agrees(),
            Some(true)
        );
        // Same reason, another file named: not word for word.
        assert_eq!(
            row(
                dup.clone(),
                cv(
                    "fails",
                    Some("plugin.Open(\"a.so\"): plugin already loaded"),
                    &[]
                ),
                None
            )
            .check_agrees(),
            Some(false)
        );
        assert_eq!(
            row(dup, cv("fails", Some(DEP_ERR), &[DEP]), None).check_agrees(),
            Some(false)
        );
    }

    #[test]
    fn report_must_give_the_runtimes_verdict() {
        let fails = Outcome::Fails(DEP_ERR.into());
        // Never falsely safe, and not vague either.
        assert_eq!(
            row(fails.clone(), None, Some("loads")).report_agrees(),
            Some(false)
        );
        assert_eq!(
            row(fails.clone(), None, Some("may-fail")).report_agrees(),
            Some(false)
        );
        assert_eq!(row(fails, None, Some("fails")).report_agrees(), Some(true));
        assert_eq!(
            row(Outcome::Loads, None, Some("fails")).report_agrees(),
            Some(false)
        );
        assert_eq!(
            row(Outcome::Crashes("x".into()), None, Some("fails")).report_agrees(),
            Some(true)
        );
        // A failing verdict must come with the finding that names the real cause.
        let mut r = row(Outcome::Fails(DEP_ERR.into()), None, Some("fails"));
        r.report_code = Some("GD001");
        r.report_codes = vec!["GD005".into()];
        assert_eq!(r.report_agrees(), Some(false));
        r.report_codes.push("GD001".into());
        assert_eq!(r.report_agrees(), Some(true));
    }

    #[test]
    fn named_package_parses_gos_wording() {
        assert_eq!(oracle_support::named_package(DEP_ERR), Some(DEP));
        assert_eq!(oracle_support::named_package("plugin already loaded"), None);
        assert!(is_std("internal/goarch") && !is_std(DEP));
    }
}
