//! The fix-it commands converge (issues 12 and 11 item 3): after one `godrift align` on a
//! generated project with many conflicts per plugin (direct, indirect, replaced on either
//! side), `report` has no finding align claims to fix (except those the plugin's own
//! requirements force, which align names), a second `align` changes nothing, the dry-run diff
//! applies with `git apply`, and with `go` the plugins build with `-mod=readonly` and load into
//! the host (plugin.Open). `new-plugin` followed by `go mod tidy` loads too; the hooks check
//! what is staged, from subprojects, with core.hooksPath and in worktrees.
//!
//! Modules come from a generated universe: `example.com/m0`..`m5`, four versions each, whose
//! packages import their requirements and export a constant naming their version (so another
//! version has another package hash). Without go, its module cache is written directly;
//! with go, a file:// proxy serves it to a test-private module cache.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{godrift_command, require_go, GoEnv, Run};

const N: usize = 6;
const VERSIONS: [&str; 4] = ["v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0"];

/// xorshift64*: deterministic draws for generated projects.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn mpath(i: usize) -> String {
    format!("example.com/m{i}")
}

/// The requirements of m`i` at version index `j`: a fixed DAG (edges to higher indices).
fn requires(i: usize, j: usize) -> Vec<(usize, usize)> {
    let mut r = Rng::new((i * 31 + j * 7 + 3) as u64);
    let mut out = Vec::new();
    for k in i + 1..N {
        if r.below(2) == 0 {
            out.push((k, r.below(VERSIONS.len())));
        }
    }
    out
}

/// m2's two oldest versions predate graph pruning (`go 1.16`): below them Go loads the
/// whole requirement graph.
fn mod_go_version(i: usize, j: usize) -> &'static str {
    if i == 2 && j < 2 {
        "1.16"
    } else {
        "1.21"
    }
}

fn mod_go_mod(i: usize, j: usize) -> String {
    let mut s = format!("module {}\n\ngo {}\n", mpath(i), mod_go_version(i, j));
    let reqs = requires(i, j);
    if !reqs.is_empty() {
        s.push_str("\nrequire (\n");
        for (k, v) in reqs {
            s.push_str(&format!("\t{} {}\n", mpath(k), VERSIONS[v]));
        }
        s.push_str(")\n");
    }
    s
}

fn imports(mods: impl IntoIterator<Item = usize>) -> String {
    let lines: Vec<String> = mods
        .into_iter()
        .map(|k| format!("\t{:?}\n", mpath(k)))
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!("import (\n{})\n\n", lines.concat())
    }
}

fn calls(mods: impl IntoIterator<Item = usize>) -> String {
    mods.into_iter().map(|k| format!(" + m{k}.V()")).collect()
}

fn mod_source(i: usize, j: usize) -> String {
    let deps: Vec<usize> = requires(i, j).into_iter().map(|(k, _)| k).collect();
    format!(
        "package m{i}\n\n{}// Version is in the export data: each version has its own package hash.\nconst Version = \"m{i} {}\"\n\nfunc V() string {{ return Version{} }}\n",
        imports(deps.clone()),
        VERSIONS[j],
        calls(deps)
    )
}

/// The universe as a module cache written directly: the go.mod files godrift's graphs read
/// and the extracted sources its package walks read, but no zips (so go.sum content lines
/// cannot be computed from it).
fn write_modcache(root: &Path) {
    for i in 0..N {
        let dir = root.join("cache/download").join(mpath(i)).join("@v");
        std::fs::create_dir_all(&dir).expect("mkdir");
        for (j, v) in VERSIONS.iter().enumerate() {
            std::fs::write(dir.join(format!("{v}.mod")), mod_go_mod(i, j)).expect("mod");
            let src = root.join(format!("{}@{v}", mpath(i)));
            std::fs::create_dir_all(&src).expect("mkdir");
            std::fs::write(src.join("go.mod"), mod_go_mod(i, j)).expect("go.mod");
            std::fs::write(src.join("m.go"), mod_source(i, j)).expect("source");
        }
    }
}

/// The universe as a file:// module proxy.
fn write_proxy(root: &Path) {
    for i in 0..N {
        let dir = root.join(mpath(i)).join("@v");
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("list"), VERSIONS.join("\n") + "\n").expect("list");
        for (j, v) in VERSIONS.iter().enumerate() {
            std::fs::write(
                dir.join(format!("{v}.info")),
                format!("{{\"Version\":\"{v}\",\"Time\":\"2024-01-01T00:00:00Z\"}}\n"),
            )
            .expect("info");
            std::fs::write(dir.join(format!("{v}.mod")), mod_go_mod(i, j)).expect("mod");
            let f = std::fs::File::create(dir.join(format!("{v}.zip"))).expect("zip");
            let mut z = zip::ZipWriter::new(f);
            let opt = zip::write::SimpleFileOptions::default();
            let prefix = format!("{}@{v}/", mpath(i));
            for (name, text) in [("go.mod", mod_go_mod(i, j)), ("m.go", mod_source(i, j))] {
                z.start_file(format!("{prefix}{name}"), opt).expect("entry");
                z.write_all(text.as_bytes()).expect("write");
            }
            z.finish().expect("finish");
        }
    }
}

/// A `replace` of module `m{0}` in a generated go.mod.
#[derive(Clone, Copy, Debug)]
enum Repl {
    /// `=> m v` (another version of the same module).
    Version(usize, usize),
    /// `=> ../deps/mK-vJ` (a directory holding version J's files).
    Dir(usize, usize),
}

#[derive(Clone, Debug)]
struct GenSide {
    /// Relative to the project root.
    dir: String,
    module: String,
    requires: Vec<(usize, usize)>,
    replaces: Vec<Repl>,
    plugin: bool,
}

fn pick_requires(r: &mut Rng, n: usize) -> Vec<(usize, usize)> {
    let mut mods: Vec<usize> = (0..N).collect();
    let mut out = Vec::new();
    for _ in 0..n {
        let k = mods.remove(r.below(mods.len()));
        out.push((k, r.below(VERSIONS.len())));
    }
    out.sort();
    out
}

/// A host and three plugins drawn from `seed`: each requires 2-4 modules at random versions;
/// the host replaces one of its modules by another version and one by a directory; plugin 0
/// replaces one of its modules by another version, plugin 1 one by a directory.
fn generate(seed: u64) -> Vec<GenSide> {
    let mut r = Rng::new(seed);
    let mut sides = Vec::new();
    for s in 0..4 {
        let n = 2 + r.below(3);
        let requires = pick_requires(&mut r, n);
        let mut replaces = Vec::new();
        let pick = |r: &mut Rng| requires[r.below(requires.len())].0;
        if s == 0 || s == 1 {
            let k = pick(&mut r);
            replaces.push(Repl::Version(k, r.below(VERSIONS.len())));
        }
        if s == 0 || s == 2 {
            let k = pick(&mut r);
            if !replaces
                .iter()
                .any(|x| matches!(x, Repl::Version(m, _) if *m == k))
            {
                replaces.push(Repl::Dir(k, r.below(VERSIONS.len())));
            }
        }
        sides.push(GenSide {
            dir: if s == 0 {
                "host".into()
            } else {
                format!("plugins/p{}", s - 1)
            },
            module: if s == 0 {
                "example.com/host".into()
            } else {
                format!("example.com/plugins/p{}", s - 1)
            },
            requires,
            replaces,
            plugin: s > 0,
        });
    }
    sides
}

fn side_go_mod(s: &GenSide) -> String {
    let up = if s.plugin { "../.." } else { ".." };
    let mut t = format!("module {}\n\ngo 1.21\n\nrequire (\n", s.module);
    for (k, v) in &s.requires {
        t.push_str(&format!("\t{} {}\n", mpath(*k), VERSIONS[*v]));
    }
    t.push_str(")\n");
    for r in &s.replaces {
        t.push_str(&match r {
            Repl::Version(k, v) => format!(
                "\nreplace {} => {} {}\n",
                mpath(*k),
                mpath(*k),
                VERSIONS[*v]
            ),
            Repl::Dir(k, v) => format!(
                "\nreplace {} => {up}/deps/m{k}-{}\n",
                mpath(*k),
                VERSIONS[*v]
            ),
        });
    }
    t
}

fn side_main(s: &GenSide) -> String {
    let mods: Vec<usize> = s.requires.iter().map(|(k, _)| *k).collect();
    if s.plugin {
        format!(
            "package main\n\n{}func Name() string {{ return \"{}\"{} }}\n",
            imports(mods.clone()),
            s.dir,
            calls(mods)
        )
    } else {
        let mut all = vec![];
        all.extend(mods.iter().copied());
        format!(
            "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n{}\n)\n\nfunc main() {{\n\tfmt.Println(\"host\"{})\n\tfor _, p := range os.Args[1:] {{\n\t\tif _, err := plugin.Open(p); err != nil {{\n\t\t\tfmt.Println(\"ERR\", p, err)\n\t\t\tcontinue\n\t\t}}\n\t\tfmt.Println(\"OK\", p)\n\t}}\n}}\n",
            all.iter()
                .map(|k| format!("\t{:?}\n", mpath(*k)))
                .collect::<String>(),
            calls(all)
        )
    }
}

fn write_project(root: &Path, sides: &[GenSide]) {
    std::fs::write(
        root.join("godrift.toml"),
        "[host]\npath = \"host\"\n\n[[plugins]]\npath = \"plugins/*\"\n",
    )
    .expect("config");
    for s in sides {
        let dir = root.join(&s.dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("go.mod"), side_go_mod(s)).expect("go.mod");
        std::fs::write(dir.join("main.go"), side_main(s)).expect("main.go");
        for r in &s.replaces {
            if let Repl::Dir(k, v) = r {
                let d = root.join(format!("deps/m{k}-{}", VERSIONS[*v]));
                std::fs::create_dir_all(&d).expect("mkdir");
                std::fs::write(d.join("go.mod"), mod_go_mod(*k, *v)).expect("dep go.mod");
                std::fs::write(d.join("m.go"), mod_source(*k, *v)).expect("dep source");
            }
        }
    }
}

fn run_godrift(dir: &Path, modcache: &Path, args: &[&str]) -> Run {
    let mut cmd = godrift_command(dir, args);
    cmd.env("GOMODCACHE", modcache);
    Run::of(cmd.output().expect("run godrift"))
}

/// Every go.mod and go.sum under `root`, with its text.
fn snapshot(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("go.mod" | "go.sum")
            ) {
                out.push((p.clone(), std::fs::read_to_string(&p).expect("read")));
            }
        }
    }
    out.sort();
    out
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// Findings `align` claims to fix (GD001/GD002/GD007 at warning or error), as (code, module,
/// artifacts).
fn fixable(report: &serde_json::Value) -> Vec<(String, String, Vec<String>)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| matches!(f["code"].as_str(), Some("GD001" | "GD002" | "GD007")))
        .filter(|f| f["severity"] != "info")
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_string(),
                f["module"].as_str().unwrap_or("").to_string(),
                f["artifacts"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// What `align` says it cannot fix: (plugin, module) pairs whose version the plugin's own
/// requirements force above the host's, and the host upgrades it offers instead (module,
/// forcing plugins, whether it lists the plugins to align again).
struct Unfixable {
    forced: Vec<(String, String)>,
    upgrades: Vec<(String, String, bool)>,
}

fn unfixable(stderr: &str) -> Unfixable {
    let mut forced = Vec::new();
    let mut upgrades = Vec::new();
    for l in stderr.lines() {
        if l.contains(" stays at ") && l.contains("force it above the host's") {
            if let Some((plugin, rest)) = l.split_once(": ") {
                let module = rest.split_whitespace().next().unwrap_or("");
                forced.push((plugin.to_string(), module.to_string()));
            }
        }
        if let Some(rest) = l.strip_prefix("or rebuild the host with ") {
            let module = rest.split('@').next().unwrap_or("").to_string();
            let by = rest
                .split_once("(forced by ")
                .and_then(|(_, r)| r.split_once(')'))
                .map(|(b, _)| b.to_string())
                .unwrap_or_default();
            upgrades.push((
                module,
                by,
                rest.contains("plugins to align again after that:"),
            ));
        }
    }
    Unfixable { forced, upgrades }
}

/// Checks one aligned project: nothing align fixes is left unless align says the plugin's
/// own requirements force it (offering the host upgrade), and a second align is a no-op.
/// Returns the plugins with forced modules.
fn check_converged(root: &Path, modcache: &Path, seed: u64) -> Vec<String> {
    let after = json(&run_godrift(
        root,
        modcache,
        &["report", "--format", "json"],
    ));
    let dry = run_godrift(root, modcache, &["align", "--dry-run"]);
    assert!(
        dry.stdout.is_empty(),
        "seed {seed}: more to do:\n{}",
        dry.stdout
    );
    let said = unfixable(&dry.stderr);
    let host_strategy = std::fs::read_to_string(root.join("godrift.toml"))
        .map(|t| !t.contains("strategy = \"max\""))
        .unwrap_or(true);
    let mut forced_plugins = Vec::new();
    for (code, module, artifacts) in fixable(&after) {
        let plugins: Vec<&String> = artifacts.iter().filter(|a| *a != "host").collect();
        let named: Vec<&String> = plugins
            .iter()
            .copied()
            .filter(|p| said.forced.iter().any(|(fp, fm)| fp == *p && *fm == module))
            .collect();
        assert!(
            !named.is_empty(),
            "seed {seed}: {code} on {module} ({artifacts:?}) left after align and not explained as forced\n{}",
            dry.stderr
        );
        // With the host as baseline, the way out is offered: rebuild the host, listing the
        // plugins that would need aligning again.
        if host_strategy {
            assert!(
                said.upgrades.iter().any(|(m, by, lists)| *m == module
                    && named.iter().any(|p| by.contains(p.as_str()))
                    && *lists),
                "seed {seed}: no host upgrade offered for {module}\n{}",
                dry.stderr
            );
        }
        forced_plugins.extend(named.into_iter().cloned());
    }
    let before = snapshot(root);
    let again = run_godrift(root, modcache, &["align"]);
    assert!(
        again
            .stderr
            .contains("updated 0 go.mod file(s) and 0 go.sum file(s)"),
        "seed {seed}: second align: {}",
        again.stderr
    );
    assert_eq!(
        before,
        snapshot(root),
        "seed {seed}: second align changed files"
    );
    forced_plugins.sort();
    forced_plugins.dedup();
    forced_plugins
}

/// A test's scratch directory; `GODRIFT_TEST_KEEP=1` keeps it (and prints where).
struct Scratch(#[allow(dead_code)] Option<tempfile::TempDir>, PathBuf);

impl Scratch {
    fn new() -> Scratch {
        let t = tempfile::tempdir().expect("tempdir");
        if std::env::var_os("GODRIFT_TEST_KEEP").is_some() {
            let p = t.keep();
            eprintln!("keeping {}", p.display());
            return Scratch(None, p);
        }
        let p = t.path().to_path_buf();
        Scratch(Some(t), p)
    }
    fn path(&self) -> &Path {
        &self.1
    }
}

fn git_available() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}

/// Applies a dry-run diff with `git apply` in `root`.
fn git_apply(root: &Path, diff: &str) {
    let mut child = Command::new("git")
        .current_dir(root)
        .args(["apply", "--unsafe-paths", "-p1", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("git apply");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(diff.as_bytes())
        .expect("write diff");
    let out = child.wait_with_output().expect("git apply");
    assert!(
        out.status.success(),
        "git apply: {}\n{diff}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn align_converges_on_generated_projects() {
    let tmp = Scratch::new();
    let modcache = tmp.path().join("modcache");
    write_modcache(&modcache);
    let mut conflicts = 0;
    let mut with_changes = 0;
    let mut missing_sums_named = 0;
    let mut forced = 0;
    for seed in 0..20u64 {
        let root = tmp.path().join(format!("p{seed}"));
        std::fs::create_dir_all(&root).expect("mkdir");
        let sides = generate(seed);
        write_project(&root, &sides);
        let before = json(&run_godrift(
            &root,
            &modcache,
            &["report", "--format", "json"],
        ));
        conflicts += fixable(&before).len();
        // The dry run's diff, applied to a copy, gives what align writes.
        let copy = tmp.path().join(format!("c{seed}"));
        support::copy_tree(&root, &copy);
        let dry = run_godrift(&root, &modcache, &["align", "--dry-run"]);
        assert_eq!(dry.code, 0, "seed {seed}: {}", dry.stderr);
        let run = run_godrift(&root, &modcache, &["align"]);
        assert!(
            run.code == 0 || run.code == 1,
            "seed {seed}: {}",
            run.stderr
        );
        if !dry.stdout.is_empty() {
            with_changes += 1;
            if git_available() {
                git_apply(&copy, &dry.stdout);
                let strip = |v: Vec<(PathBuf, String)>, base: &Path| -> Vec<(PathBuf, String)> {
                    v.into_iter()
                        .map(|(p, t)| (p.strip_prefix(base).unwrap_or(&p).to_path_buf(), t))
                        .collect()
                };
                assert_eq!(
                    strip(snapshot(&copy), &copy),
                    strip(snapshot(&root), &root),
                    "seed {seed}: the dry-run diff differs from what align wrote"
                );
            }
        }
        // Counts are true: the files the dry run shows are the files align writes.
        let count = |suffix: &str| {
            dry.stdout
                .lines()
                .filter(|l| l.starts_with("+++ b/") && l.ends_with(suffix))
                .count()
        };
        let want = format!(
            "updated {} go.mod file(s) and {} go.sum file(s)",
            count("/go.mod"),
            count("/go.sum")
        );
        assert!(
            run.stderr.contains(&want),
            "seed {seed}: {want}\n{}",
            run.stderr
        );
        // The cache holds go.mod files only: go.sum content lines cannot be computed, so
        // align names the command, exits 1, and report says may-fail until it is run.
        if run.stderr.contains("updated 0 go.mod") {
            forced += check_converged(&root, &modcache, seed).len();
            continue;
        }
        assert_eq!(run.code, 1, "seed {seed}: {}", run.stderr);
        assert!(
            run.stderr.contains("go mod download example.com/m"),
            "seed {seed}: {}",
            run.stderr
        );
        let after = json(&run_godrift(
            &root,
            &modcache,
            &["report", "--format", "json"],
        ));
        let sums: Vec<&serde_json::Value> = after["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| {
                f["code"] == "GD090"
                    && f["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("go.sum lacks"))
            })
            .collect();
        assert!(
            !sums.is_empty() && sums.iter().all(|f| f["severity"] == "warning"),
            "seed {seed}: {sums:?}"
        );
        assert_ne!(after["verdict"], "loads");
        missing_sums_named += 1;
        forced += check_converged(&root, &modcache, seed).len();
    }
    assert!(forced >= 3, "the generator draws forced versions: {forced}");
    assert!(missing_sums_named >= 14, "{missing_sums_named}");
    assert!(
        conflicts >= 20,
        "the generator draws conflicts: {conflicts}"
    );
    assert!(with_changes >= 14, "align changed {with_changes} projects");
}

/// Builds `dir` as a plugin (`-mod=readonly`: go.mod and go.sum must be complete).
fn build_plugin(env: &GoEnv, dir: &Path, out: &Path) -> Result<(), String> {
    let o = env.go_output(
        dir,
        &[
            "build",
            "-buildmode=plugin",
            "-o",
            &out.display().to_string(),
            ".",
        ],
    );
    if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

fn open_all(host: &Path, plugins: &[PathBuf]) -> String {
    let o = Command::new(host).args(plugins).output().expect("run host");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A Go environment over the generated proxy, and the proxy-less one builds must pass with.
fn go_envs(root: &Path) -> (GoEnv, GoEnv) {
    let proxy = root.join("proxy");
    write_proxy(&proxy);
    let mut tidy = GoEnv::new(root);
    tidy.goproxy = format!("file://{}", proxy.display());
    let mut build = tidy.clone();
    build.goproxy = "off".into();
    build.goflags = "-mod=readonly".into();
    (tidy, build)
}

#[test]
fn aligned_plugins_build_and_load() {
    let Some(_go) = require_go("aligned_plugins_build_and_load") else {
        return;
    };
    let tmp = Scratch::new();
    let (tidy, build) = go_envs(tmp.path());
    let mut opened = 0;
    let mut failed_before = 0;
    for seed in [3u64, 11] {
        let root = tmp.path().join(format!("p{seed}"));
        std::fs::create_dir_all(&root).expect("mkdir");
        let sides = generate(seed);
        write_project(&root, &sides);
        for s in &sides {
            tidy.go(&root.join(&s.dir), &["mod", "tidy"]);
        }
        let host_bin = root.join("host.bin");
        build.go(
            &root.join("host"),
            &["build", "-o", &host_bin.display().to_string(), "."],
        );
        let sos: Vec<PathBuf> = sides[1..]
            .iter()
            .map(|s| root.join(format!("{}.so", s.dir.replace('/', "-"))))
            .collect();
        for (s, so) in sides[1..].iter().zip(&sos) {
            build_plugin(&build, &root.join(&s.dir), so).expect("builds before align");
        }
        // Go's tidy go.sum files are complete: godrift must not call any line missing.
        let no_missing_sums = |when: &str| {
            let r = json(&build.godrift(&root, &["report", "--format", "json"]));
            let bad: Vec<_> = r["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| f["code"] == "GD090")
                .cloned()
                .collect();
            assert!(bad.is_empty(), "seed {seed}, {when}: {bad:?}");
        };
        no_missing_sums("go mod tidy");
        let before = open_all(&host_bin, &sos);
        failed_before += before.matches("ERR").count();
        // One seed lets Go write go.sum (`--tidy`), the other has godrift compute it.
        let run = if seed == 11 {
            tidy.godrift(&root, &["align", "--tidy"])
        } else {
            build.godrift(&root, &["align"])
        };
        assert!(
            run.code == 0 || run.code == 1,
            "seed {seed}: {}",
            run.stderr
        );
        eprintln!("seed {seed}: before: {before}\nalign: {}", run.stderr);
        let forced = check_converged(&root, &build.gomodcache, seed);
        no_missing_sums("align");
        for (s, so) in sides[1..].iter().zip(&sos) {
            let name = s.dir.rsplit('/').next().unwrap_or("").to_string();
            if forced.contains(&name) {
                continue;
            }
            if let Err(e) = build_plugin(&build, &root.join(&s.dir), so) {
                panic!(
                    "seed {seed}: {} does not build after align: {e}\n{}",
                    s.dir, run.stderr
                );
            }
            let out = open_all(&host_bin, std::slice::from_ref(so));
            assert!(
                out.contains("OK "),
                "seed {seed}: {} does not load after align: {out}\nalign said: {}",
                s.dir,
                run.stderr
            );
            opened += 1;
        }
    }
    assert!(
        failed_before >= 2,
        "the generated plugins fail before align"
    );
    assert!(opened >= 4, "{opened} aligned plugins opened");
}

/// The plugin's verdict in `report --format json`.
fn verdict_of(report: &serde_json::Value, plugin: &str) -> String {
    report["plugins"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == plugin)
        .and_then(|p| p["verdict"].as_str())
        .unwrap_or("(not listed)")
        .to_string()
}

#[test]
fn new_plugin_survives_go_mod_tidy_and_loads() {
    let Some(_go) = require_go("new_plugin_survives_go_mod_tidy_and_loads") else {
        return;
    };
    let tmp = Scratch::new();
    let (tidy, build) = go_envs(tmp.path());
    let root = tmp.path().join("project");
    std::fs::create_dir_all(&root).expect("mkdir");
    // A host with a module replacement, a directory replacement and indirect requirements.
    let host = (5..)
        .map(|seed| generate(seed).remove(0))
        .find(|h| {
            h.replaces.iter().any(|r| matches!(r, Repl::Version(..)))
                && h.replaces.iter().any(|r| matches!(r, Repl::Dir(..)))
        })
        .expect("a host with both kinds of replacement");
    write_project(&root, std::slice::from_ref(&host));
    tidy.go(&root.join("host"), &["mod", "tidy"]);
    let host_mod = std::fs::read_to_string(root.join("host/go.mod")).expect("host go.mod");
    assert!(host_mod.contains("// indirect"), "{host_mod}");
    let host_bin = root.join("host.bin");
    build.go(
        &root.join("host"),
        &["build", "-o", &host_bin.display().to_string(), "."],
    );

    let run = build.godrift(&root, &["new-plugin", "extra"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = root.join("plugins/extra");
    let gm = std::fs::read_to_string(dir.join("go.mod")).expect("go.mod");
    let report = json(&build.godrift(&root, &["report", "--format", "json"]));
    assert_eq!(verdict_of(&report, "extra"), "loads", "{gm}");
    // A module the host requires below the newest version and does not replace: the
    // control plugin below gets the newest and fails.
    let pick = *host
        .requires
        .iter()
        .rev()
        .find(|(k, v)| {
            *v + 1 < VERSIONS.len()
                && !host
                    .replaces
                    .iter()
                    .any(|r| matches!(r, Repl::Version(m, _) | Repl::Dir(m, _) if m == k))
        })
        .expect("a module below the newest version");
    // The plugin imports part of what the host imports, then lets Go tidy it: tidy drops
    // the pins of the rest, which must not matter.
    let code = side_main(&GenSide {
        dir: "plugins/extra".into(),
        module: "example.com/host/plugins/extra".into(),
        requires: vec![pick],
        replaces: Vec::new(),
        plugin: true,
    });
    std::fs::write(dir.join("main.go"), &code).expect("main.go");
    tidy.go(&dir, &["mod", "tidy"]);
    let tidied = std::fs::read_to_string(dir.join("go.mod")).expect("go.mod");
    let count = |t: &str| {
        t.lines()
            .filter(|l| l.starts_with("\texample.com/m"))
            .count()
    };
    assert!(
        count(&tidied) < count(&gm),
        "tidy dropped no pin:\n{tidied}"
    );
    let report = json(&build.godrift(&root, &["report", "--format", "json"]));
    assert_eq!(verdict_of(&report, "extra"), "loads");
    let so = root.join("extra.so");
    build_plugin(&build, &dir, &so).unwrap_or_else(|e| panic!("{e}\n{gm}"));
    let out = open_all(&host_bin, std::slice::from_ref(&so));
    assert!(out.contains("OK "), "{out}\n{gm}");

    // `recipe --from-binary`: the deployed host's build info pins a plugin just as well.
    let recipe = build.godrift(
        &root,
        &["recipe", "--from-binary", &host_bin.display().to_string()],
    );
    assert_eq!(recipe.code, 0, "{}", recipe.stderr);
    let flags: Vec<String> = recipe
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("go mod edit"))
        .skip(1)
        .take_while(|l| l.starts_with('\t'))
        .map(|l| {
            l.trim()
                .trim_end_matches('\\')
                .trim()
                .trim_matches('\'')
                .to_string()
        })
        .collect();
    assert!(
        flags.iter().filter(|f| f.starts_with("-replace=")).count() >= 2,
        "{}",
        recipe.stdout
    );
    assert!(
        recipe.stdout.contains("-buildmode=plugin"),
        "{}",
        recipe.stdout
    );
    let rp = root.join("rplugin");
    std::fs::create_dir_all(&rp).expect("mkdir");
    std::fs::write(rp.join("go.mod"), "module example.com/rplugin\n\ngo 1.21\n").expect("go.mod");
    std::fs::write(rp.join("main.go"), &code).expect("main.go");
    let mut edit = vec!["mod", "edit"];
    edit.extend(flags.iter().map(String::as_str));
    tidy.go(&rp, &edit);
    tidy.go(&rp, &["mod", "tidy"]);
    let so = root.join("rplugin.so");
    build_plugin(&build, &rp, &so).expect("recipe plugin builds");
    let out = open_all(&host_bin, std::slice::from_ref(&so));
    assert!(out.contains("OK "), "{out}\n{}", recipe.stdout);

    // Issue 11 item 3: the host builds `replace M => M vX` (another version); a plugin that
    // requires M vX without any replace compiles the same code: no finding, and it loads.
    let (k, v) = host
        .replaces
        .iter()
        .find_map(|r| match r {
            Repl::Version(k, v) => Some((*k, *v)),
            Repl::Dir(..) => None,
        })
        .expect("a module replacement");
    let run = build.godrift(&root, &["new-plugin", "samecode"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sc = root.join("plugins/samecode");
    let text = std::fs::read_to_string(sc.join("go.mod")).expect("go.mod");
    let text = godrift::gomod::edit::drop_replaces(&text, &mpath(k)).expect("edit");
    let text =
        godrift::gomod::edit::set_require(&text, &mpath(k), VERSIONS[v], false).expect("edit");
    std::fs::write(sc.join("go.mod"), &text).expect("go.mod");
    let same = side_main(&GenSide {
        dir: "plugins/samecode".into(),
        module: "example.com/host/plugins/samecode".into(),
        requires: vec![(k, v)],
        replaces: Vec::new(),
        plugin: true,
    });
    std::fs::write(sc.join("main.go"), same).expect("main.go");
    tidy.go(&sc, &["mod", "tidy"]);
    let report = json(&build.godrift(&root, &["report", "--format", "json"]));
    assert_eq!(verdict_of(&report, "samecode"), "loads", "{report}");
    let so = root.join("samecode.so");
    build_plugin(&build, &sc, &so).expect("samecode builds");
    let out = open_all(&host_bin, std::slice::from_ref(&so));
    assert!(out.contains("OK "), "{out}");

    // The same plugin without the pins (Go picks the newest versions) fails: the test can fail.
    let control = root.join("plugins/control");
    std::fs::create_dir_all(&control).expect("mkdir");
    std::fs::write(
        control.join("go.mod"),
        "module example.com/host/plugins/control\n\ngo 1.21\n",
    )
    .expect("go.mod");
    std::fs::write(control.join("main.go"), &code).expect("main.go");
    tidy.go(&control, &["mod", "tidy"]);
    let so = root.join("control.so");
    build_plugin(&build, &control, &so).expect("control builds");
    let out = open_all(&host_bin, std::slice::from_ref(&so));
    assert!(
        out.contains("ERR "),
        "the unpinned plugin loads, so this test proves nothing: {out}"
    );
}

#[test]
fn new_plugin_validates_its_inputs() {
    let tmp = Scratch::new();
    let modcache = tmp.path().join("modcache");
    write_modcache(&modcache);
    let root = tmp.path().join("project");
    std::fs::create_dir_all(&root).expect("mkdir");
    write_project(&root, &generate(1)[..1]);
    for (args, want) in [
        (vec!["new-plugin", "a/b"], "path separator"),
        (vec!["new-plugin", ".."], "'..'"),
        (vec!["new-plugin", "x\ny"], "control character"),
        (
            vec!["new-plugin", "ok", "--module", "example.com/a\nb"],
            "invalid --module",
        ),
        (
            vec!["new-plugin", "ok", "--module", "example.com/../x"],
            "invalid --module",
        ),
        (vec!["new-plugin", "ok", "--module=-x"], "invalid --module"),
    ] {
        let run = run_godrift(&root, &modcache, &args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
    }
    assert!(
        !root.join("plugins").exists(),
        "nothing written for bad input"
    );
    // Written through the formatter: `go mod edit -fmt` would leave it as is.
    let run = run_godrift(&root, &modcache, &["new-plugin", "fmt"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read(root.join("plugins/fmt/go.mod")).expect("go.mod");
    let parsed = godrift::gomod::parse_mod("go.mod", &text, godrift::gomod::Strictness::Strict)
        .expect("parses");
    assert_eq!(godrift::gomod::format_mod(&parsed), text);
}

/// git with a fixed identity and no user or system configuration.
fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GOMODCACHE", dir.join("no-modcache"))
        .env("GODRIFT_CACHE_DIR", dir.join(".godrift-test-cache"))
        .env("GOWORK", "off")
        .output()
        .expect("git")
}

fn git_ok(dir: &Path, args: &[&str]) -> String {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `git commit`, with what the hook printed.
fn commit(dir: &Path, msg: &str) -> (bool, String) {
    let o = git(dir, &["commit", "-q", "-m", msg]);
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// A repository holding the bundled example at `sub` ("" for the top level), committed.
fn example_repo(root: &Path, sub: &str) -> PathBuf {
    let project = root.join(sub);
    support::copy_tree(&support::fixtures().join("example"), &project);
    // Aligned: the example's metrics plugin starts at the host's version.
    set_metrics(&project, "v1.2.0");
    git_ok(root, &["init", "-q"]);
    git_ok(root, &["add", "-A"]);
    git_ok(root, &["commit", "-q", "-m", "init"]);
    project
}

/// Points the example's metrics plugin at greeter `version` (v1.3.0: fails to load).
fn set_metrics(project: &Path, version: &str) {
    let path = project.join("plugins/metrics/go.mod");
    let text = std::fs::read_to_string(&path).expect("read");
    let text = regex_lite::Regex::new(r"v1\.[23]\.0")
        .expect("regex")
        .replace_all(&text, version)
        .into_owned();
    std::fs::write(&path, text).expect("write");
}

fn install_hook(dir: &Path) -> Run {
    let mut cmd = godrift_command(dir, &["hook", "install"]);
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1");
    Run::of(cmd.output().expect("godrift"))
}

#[test]
fn hook_checks_what_is_staged() {
    if !git_available() {
        assert!(!support::in_ci(), "git is needed in CI");
        return;
    }
    let tmp = Scratch::new();
    let root = tmp.path().join("repo");
    let project = example_repo(&root, "");
    let run = install_hook(&project);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Staged drift, undone in the working tree only: the commit is still blocked.
    set_metrics(&project, "v1.3.0");
    git_ok(&root, &["add", "plugins/metrics/go.mod"]);
    set_metrics(&project, "v1.2.0");
    let (ok, out) = commit(&root, "staged drift");
    assert!(!ok, "staged drift committed: {out}");
    assert!(
        out.contains("GD001") && out.contains("commit blocked"),
        "{out}"
    );
    // Staged fix, drift left in the working tree only: the commit goes through.
    git_ok(&root, &["add", "plugins/metrics/go.mod"]);
    let main_go = project.join("plugins/metrics/main.go");
    let code = std::fs::read_to_string(&main_go).expect("read");
    std::fs::write(&main_go, code + "\n// edited\n").expect("write");
    git_ok(&root, &["add", "plugins/metrics/main.go"]);
    set_metrics(&project, "v1.3.0");
    let run_touch = std::fs::read_to_string(project.join("plugins/audit/go.mod")).expect("read");
    std::fs::write(project.join("plugins/audit/go.mod"), run_touch + "\n").expect("write");
    git_ok(&root, &["add", "plugins/audit/go.mod"]);
    let (ok, out) = commit(&root, "clean staged state");
    assert!(
        ok,
        "a clean staged state was blocked by the working tree: {out}"
    );
    // Committed drift accepted by a staged baseline: godrift.toml-style triggers use it.
    git_ok(&root, &["add", "plugins/metrics/go.mod"]);
    git_ok(&root, &["commit", "-q", "--no-verify", "-m", "drift"]);
    let unrelated = project.join("README.txt");
    std::fs::write(&unrelated, "x\n").expect("write");
    git_ok(&root, &["add", "README.txt"]);
    let (ok, out) = commit(&root, "unrelated file: not checked");
    assert!(ok, "{out}");
    let cfg = std::fs::read_to_string(project.join("godrift.toml")).expect("read");
    std::fs::write(project.join("godrift.toml"), cfg + "\n").expect("write");
    git_ok(&root, &["add", "godrift.toml"]);
    let (ok, out) = commit(&root, "godrift.toml triggers the check");
    assert!(!ok, "{out}");
    let b = godrift_command(
        &project,
        &["report", "--write-baseline", ".godrift-baseline.json"],
    )
    .output()
    .expect("baseline");
    assert!(b.status.success());
    git_ok(&root, &["add", "godrift.toml", ".godrift-baseline.json"]);
    let (ok, out) = commit(&root, "baseline accepts it");
    assert!(ok, "{out}");
    assert!(out.contains("with .godrift-baseline.json"), "{out}");
    // vendor/ changes trigger it too.
    std::fs::create_dir_all(project.join("host/vendor")).expect("mkdir");
    std::fs::remove_file(project.join(".godrift-baseline.json")).expect("rm");
    git_ok(&root, &["rm", "-q", "--cached", ".godrift-baseline.json"]);
    std::fs::write(project.join("host/vendor/note.txt"), "x\n").expect("write");
    git_ok(&root, &["add", "host/vendor/note.txt"]);
    let (ok, out) = commit(&root, "vendor change");
    assert!(!ok, "{out}");
    // The pre-commit framework's entry checks the staged files, with a staged baseline.
    let entry = |dir: &Path| {
        godrift_command(dir, &["hook", "run", "--always"])
            .output()
            .expect("hook run")
            .status
            .code()
    };
    assert_eq!(entry(&project), Some(1));
    let b = godrift_command(
        &project,
        &["report", "--write-baseline", ".godrift-baseline.json"],
    )
    .output()
    .expect("baseline");
    assert!(b.status.success());
    assert_eq!(
        entry(&project),
        Some(1),
        "an unstaged baseline does not count"
    );
    git_ok(&root, &["add", ".godrift-baseline.json"]);
    assert_eq!(entry(&project), Some(0));
}

#[test]
fn hook_from_a_subproject_with_hooks_path_and_worktrees() {
    if !git_available() {
        assert!(!support::in_ci(), "git is needed in CI");
        return;
    }
    let tmp = Scratch::new();
    let root = tmp.path().join("repo");
    let project = example_repo(&root, "services/gw");
    git_ok(&root, &["config", "core.hooksPath", ".githooks"]);
    let run = install_hook(&project);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        root.join(".githooks/pre-commit").is_file(),
        "{}",
        run.stdout
    );
    assert!(!root.join(".git/hooks/pre-commit").exists());
    // Committing from the subproject's directory with staged drift: blocked, with the report.
    set_metrics(&project, "v1.3.0");
    git_ok(&project, &["add", "plugins/metrics/go.mod"]);
    let (ok, out) = commit(&project, "drift from a subdirectory");
    assert!(!ok && out.contains("GD001"), "{out}");
    assert!(!out.contains("No such file"), "{out}");
    set_metrics(&project, "v1.2.0");
    git_ok(&project, &["add", "plugins/metrics/go.mod"]);

    // A worktree uses the same hooks; its own index is what is checked.
    git_ok(&root, &["config", "--unset", "core.hooksPath"]);
    let run = install_hook(&project);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(root.join(".git/hooks/pre-commit").is_file());
    let wt = tmp.path().join("wt");
    git_ok(&root, &["worktree", "add", "-q", &wt.display().to_string()]);
    let wt_project = wt.join("services/gw");
    set_metrics(&wt_project, "v1.3.0");
    git_ok(&wt, &["add", "services/gw/plugins/metrics/go.mod"]);
    let (ok, out) = commit(&wt, "drift in a worktree");
    assert!(!ok && out.contains("GD001"), "{out}");
    set_metrics(&wt_project, "v1.2.0");
    std::fs::write(
        wt_project.join("godrift.toml"),
        std::fs::read_to_string(wt_project.join("godrift.toml")).expect("read") + "\n",
    )
    .expect("write");
    git_ok(&wt, &["add", "-A"]);
    let (ok, out) = commit(&wt, "clean worktree commit");
    assert!(ok, "{out}");
}

#[test]
fn hook_says_when_godrift_is_gone() {
    if !git_available() {
        assert!(!support::in_ci(), "git is needed in CI");
        return;
    }
    let tmp = Scratch::new();
    let root = tmp.path().join("repo");
    let project = example_repo(&root, "");
    let bin = tmp.path().join("bin/godrift");
    std::fs::create_dir_all(bin.parent().expect("parent")).expect("mkdir");
    std::fs::copy(env!("CARGO_BIN_EXE_godrift"), &bin).expect("copy");
    let o = Command::new(&bin)
        .current_dir(&project)
        .args(["hook", "install"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("install");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_file(&bin).expect("rm");
    set_metrics(&project, "v1.3.0");
    git_ok(&root, &["add", "-A"]);
    let o = Command::new("git")
        .current_dir(&root)
        .args(["commit", "-q", "-m", "x"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("git commit");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("the godrift binary is gone") && err.contains("--no-verify"),
        "{err}"
    );
}

#[test]
fn align_writes_nothing_when_a_file_is_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = Scratch::new();
    let modcache = tmp.path().join("modcache");
    write_modcache(&modcache);
    let root = tmp.path().join("project");
    std::fs::create_dir_all(&root).expect("mkdir");
    write_project(&root, &generate(3));
    let dry = run_godrift(&root, &modcache, &["align", "--dry-run"]);
    let targets: Vec<&str> = dry
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("+++ b/"))
        .filter(|p| p.ends_with("go.mod"))
        .collect();
    assert!(targets.len() >= 2, "{}", dry.stdout);
    let locked = root.join(targets[targets.len() - 1]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = snapshot(&root);
    let run = run_godrift(&root, &modcache, &["align"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("read-only"), "{}", run.stderr);
    assert_eq!(before, snapshot(&root), "a plan was half-applied");
    // Once writable, the mode it had is kept.
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let run = run_godrift(&root, &modcache, &["align"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let mode = std::fs::metadata(&locked)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn align_max_strategy_moves_the_host_and_converges() {
    let tmp = Scratch::new();
    let modcache = tmp.path().join("modcache");
    write_modcache(&modcache);
    let mut host_moved = 0;
    for seed in 0..10u64 {
        let root = tmp.path().join(format!("p{seed}"));
        std::fs::create_dir_all(&root).expect("mkdir");
        write_project(&root, &generate(seed));
        let cfg = root.join("godrift.toml");
        let text = std::fs::read_to_string(&cfg).expect("config");
        std::fs::write(&cfg, text + "\n[align]\nstrategy = \"max\"\n").expect("config");
        let host_before = std::fs::read_to_string(root.join("host/go.mod")).expect("read");
        let run = run_godrift(&root, &modcache, &["align", "--allow-host"]);
        assert!(run.code <= 1, "seed {seed}: {}", run.stderr);
        if std::fs::read_to_string(root.join("host/go.mod")).expect("read") != host_before {
            host_moved += 1;
        }
        check_converged(&root, &modcache, seed);
    }
    assert!(host_moved >= 5, "{host_moved}");
}

mod edit_props {
    //! `gomod::edit` on random formatted go.mod files: every edit parses, stays formatted
    //! (`go mod edit -fmt` would change nothing), does what it says and touches nothing else.

    use godrift::gomod::{self, edit, ModFile, Strictness};
    use godrift::module::ModuleVersion;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const PATHS: [&str; 6] = [
        "a.com/a", "b.com/b", "c.com/c", "d.com/d", "e.com/e", "f.com/f",
    ];
    const VERS: [&str; 3] = ["v1.0.0", "v1.2.0", "v1.10.0"];

    #[derive(Clone, Debug)]
    enum Op {
        Require(usize, usize, bool),
        /// `set_requires`: several at once (distinct modules).
        Requires(BTreeMap<usize, (usize, bool)>),
        Replace(usize, Option<usize>),
        Drop(usize),
    }

    fn parse(t: &str) -> ModFile {
        gomod::parse_mod("go.mod", t.as_bytes(), Strictness::Strict).expect("parses")
    }

    fn formatted(t: &str) -> bool {
        String::from_utf8(gomod::format_mod(&parse(t))).expect("utf8") == t
    }

    type Directives = BTreeMap<String, (Vec<String>, Vec<String>)>;

    fn directives(f: &ModFile) -> Directives {
        let mut d: Directives = BTreeMap::new();
        for r in &f.require {
            d.entry(r.module.path.clone())
                .or_default()
                .0
                .push(r.module.version.clone());
        }
        for r in &f.replace {
            d.entry(r.old.path.clone())
                .or_default()
                .1
                .push(format!("{} => {}", r.old, r.new));
        }
        d
    }

    prop_compose! {
        fn go_mod()(
            reqs in proptest::collection::btree_map(0..6usize, (0..3usize, any::<bool>()), 0..6),
            reps in proptest::collection::btree_map(0..6usize, proptest::option::of(0..3usize), 0..4),
            layout in 0..3usize,
            comment in any::<bool>(),
        ) -> String {
            let mut t = "module example.com/m\n\ngo 1.21\n".to_string();
            if comment {
                // A commented statement: modfile does not add to it.
                t.push_str("\n// Pinned on purpose.\nrequire z.com/z v0.1.0 // keep\n");
            }
            let line = |k: &usize, (v, ind): &(usize, bool)| {
                format!("{} {}{}", PATHS[*k], VERS[*v], if *ind { " // indirect" } else { "" })
            };
            match layout {
                0 => {
                    if !reqs.is_empty() {
                        t.push_str("\nrequire (\n");
                        for (k, x) in &reqs {
                            t.push_str(&format!("\t{}\n", line(k, x)));
                        }
                        t.push_str(")\n");
                    }
                }
                1 => {
                    for ind in [false, true] {
                        let part: Vec<_> = reqs.iter().filter(|(_, x)| x.1 == ind).collect();
                        if !part.is_empty() {
                            t.push_str("\nrequire (\n");
                            for (k, x) in part {
                                t.push_str(&format!("\t{}\n", line(k, x)));
                            }
                            t.push_str(")\n");
                        }
                    }
                }
                _ => {
                    for (k, x) in &reqs {
                        t.push_str(&format!("\nrequire {}\n", line(k, x)));
                    }
                }
            }
            for (k, to) in &reps {
                match to {
                    Some(v) => t.push_str(&format!("\nreplace {} => {} {}\n", PATHS[*k], PATHS[*k], VERS[*v])),
                    None => t.push_str(&format!("\nreplace {} => ../{}\n", PATHS[*k], k)),
                }
            }
            String::from_utf8(gomod::format_mod(&parse(&t))).expect("utf8")
        }
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..6usize, 0..3usize, any::<bool>()).prop_map(|(k, v, i)| Op::Require(k, v, i)),
            (0..6usize, proptest::option::of(0..3usize)).prop_map(|(k, v)| Op::Replace(k, v)),
            (0..6usize).prop_map(Op::Drop),
            proptest::collection::btree_map(0..6usize, (0..3usize, any::<bool>()), 1..5)
                .prop_map(Op::Requires),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn edits_are_exact_and_format_preserving(
            text in go_mod(),
            ops in proptest::collection::vec(op(), 1..6),
        ) {
            prop_assert!(formatted(&text), "{text}");
            let mut t = text;
            for op in ops {
                let before = directives(&parse(&t));
                if let Op::Requires(many) = &op {
                    let reqs: Vec<(String, String, bool)> = many
                        .iter()
                        .map(|(k, (v, i))| (PATHS[*k].to_string(), VERS[*v].to_string(), *i))
                        .collect();
                    let next = edit::set_requires(&t, &reqs).expect("the edit parses");
                    prop_assert!(formatted(&next), "{op:?}\n{t}\n---\n{next}");
                    let after = directives(&parse(&next));
                    for (k, d) in &before {
                        let i = PATHS.iter().position(|p| p == k);
                        match i.and_then(|i| many.get(&i)) {
                            Some((v, _)) => {
                                let a = &after[k];
                                prop_assert!(a.0.iter().all(|x| x == VERS[*v]) && a.1 == d.1);
                            }
                            None => prop_assert_eq!(&after[k], d),
                        }
                    }
                    for (k, (v, _)) in many {
                        prop_assert!(after[PATHS[*k]].0.contains(&VERS[*v].to_string()));
                    }
                    t = next;
                    continue;
                }
                let (next, path) = match &op {
                    Op::Require(k, v, i) => (edit::set_require(&t, PATHS[*k], VERS[*v], *i), PATHS[*k]),
                    Op::Replace(k, v) => {
                        let to = match v {
                            Some(v) => ModuleVersion::new(PATHS[*k], VERS[*v]),
                            None => ModuleVersion::new(format!("../x{k}"), ""),
                        };
                        (edit::set_replace(&t, PATHS[*k], &to), PATHS[*k])
                    }
                    Op::Drop(k) => (edit::drop_replaces(&t, PATHS[*k]), PATHS[*k]),
                    Op::Requires(_) => unreachable!("handled above"),
                };
                let next = next.expect("the edit parses");
                prop_assert!(formatted(&next), "{op:?}\n{t}\n---\n{next}");
                let mut after = directives(&parse(&next));
                let mine = after.remove(path).unwrap_or_default();
                let mut rest = before.clone();
                let old = rest.remove(path).unwrap_or_default();
                prop_assert_eq!(&after, &rest, "{:?} touched other modules", op);
                match &op {
                    Op::Require(_, v, _) => {
                        prop_assert!(!mine.0.is_empty() && mine.0.iter().all(|x| x == VERS[*v]));
                        prop_assert_eq!(&mine.1, &old.1);
                    }
                    Op::Replace(k, v) => {
                        let want = match v {
                            Some(v) => format!("{} => {}@{}", PATHS[*k], PATHS[*k], VERS[*v]),
                            None => format!("{} => ../x{k}", PATHS[*k]),
                        };
                        prop_assert_eq!(&mine.1, &vec![want]);
                        prop_assert_eq!(&mine.0, &old.0);
                    }
                    Op::Drop(_) => {
                        prop_assert!(mine.1.is_empty());
                        prop_assert_eq!(&mine.0, &old.0);
                    }
                    Op::Requires(_) => {}
                }
                // Only the affected lines change: a handful, whatever the file's size.
                let changed = similar::TextDiff::from_lines(&t, &next)
                    .iter_all_changes()
                    .filter(|c| c.tag() != similar::ChangeTag::Equal)
                    .count();
                prop_assert!(changed <= 8, "{op:?}: {changed} lines\n{t}\n---\n{next}");
                t = next;
            }
        }
    }
}

#[test]
fn align_converges_with_trimpath() {
    // With -trimpath on both sides the required version is part of the compiled file names,
    // so `replace M => M v2` against a plain `M v2` still differs: align must match it too.
    let tmp = Scratch::new();
    let modcache = tmp.path().join("modcache");
    write_modcache(&modcache);
    for seed in 0..8u64 {
        let root = tmp.path().join(format!("p{seed}"));
        std::fs::create_dir_all(&root).expect("mkdir");
        write_project(&root, &generate(seed));
        std::fs::write(
            root.join("godrift.toml"),
            "[host]\npath = \"host\"\nbuild = { trimpath = true }\n\n[[plugins]]\npath = \"plugins/*\"\nbuild = { trimpath = true }\n",
        )
        .expect("config");
        let run = run_godrift(&root, &modcache, &["align"]);
        assert!(run.code <= 1, "seed {seed}: {}", run.stderr);
        check_converged(&root, &modcache, seed);
    }
}
