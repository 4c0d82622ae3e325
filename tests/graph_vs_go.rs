//! godrift's build list against `go list -m all` on generated module graphs served by a
//! file:// proxy (hermetic: private GOPATH/GOMODCACHE, GOSUMDB=off, no network).

mod support;

use godrift::graph::{self, LoadOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A module version served by the proxy: its go line, requirements, and a package that
/// imports the root package of each requirement.
#[derive(Clone, Debug)]
pub struct Mod<S: AsRef<str> = &'static str> {
    pub path: S,
    pub version: S,
    pub go: S,
    pub requires: Vec<(S, S)>,
    /// How many of the last requirements the package does not import (as a go.mod keeps
    /// requirements of tests or of removed imports): Go's pruning treats them differently.
    pub unused: usize,
}

fn go_mod_text<S: AsRef<str>>(m: &Mod<S>) -> String {
    let mut s = format!("module {}\n\ngo {}\n", m.path.as_ref(), m.go.as_ref());
    for (p, v) in &m.requires {
        s.push_str(&format!("\nrequire {} {}\n", p.as_ref(), v.as_ref()));
    }
    s
}

fn pkg_name(path: &str) -> String {
    path.rsplit('/')
        .next()
        .unwrap_or("p")
        .replace(['.', '-'], "")
}

fn source<S: AsRef<str>>(m: &Mod<S>) -> String {
    let mut s = format!("package {}\n\n", pkg_name(m.path.as_ref()));
    for (p, _) in &m.requires[..m.requires.len() - m.unused.min(m.requires.len())] {
        s.push_str(&format!("import _ {:?}\n", p.as_ref()));
    }
    s.push_str("\nfunc Hello() {}\n");
    s
}

fn write_proxy<S: AsRef<str>>(root: &Path, mods: &[Mod<S>]) {
    for m in mods {
        let (path, version) = (m.path.as_ref(), m.version.as_ref());
        let dir = root.join(path).join("@v");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut list = std::fs::read_to_string(dir.join("list")).unwrap_or_default();
        list.push_str(&format!("{version}\n"));
        std::fs::write(dir.join("list"), list).expect("list");
        std::fs::write(
            dir.join(format!("{version}.info")),
            format!("{{\"Version\":\"{version}\",\"Time\":\"2024-01-01T00:00:00Z\"}}\n"),
        )
        .expect("info");
        std::fs::write(dir.join(format!("{version}.mod")), go_mod_text(m)).expect("mod");
        let f = std::fs::File::create(dir.join(format!("{version}.zip"))).expect("zip");
        let mut z = zip::ZipWriter::new(f);
        let opt = zip::write::SimpleFileOptions::default();
        let prefix = format!("{path}@{version}/");
        z.start_file(format!("{prefix}go.mod"), opt).expect("entry");
        z.write_all(go_mod_text(m).as_bytes()).expect("write");
        z.start_file(format!("{prefix}p.go"), opt).expect("entry");
        z.write_all(source(m).as_bytes()).expect("write");
        z.finish().expect("finish");
    }
}

/// A hermetic Go environment (tests/support) over a file:// proxy in a private directory.
struct Env {
    tmp: tempfile::TempDir,
    go: support::GoEnv,
}

impl Env {
    /// None (the test is skipped) without `go`, except in CI where that fails.
    fn new(test: &str) -> Option<Env> {
        support::require_go(test)?;
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut go = support::GoEnv::new(tmp.path());
        go.goproxy = format!("file://{}", tmp.path().join("proxy").display());
        Some(Env { tmp, go })
    }
    fn proxy(&self) -> PathBuf {
        self.tmp.path().join("proxy")
    }
    fn modcache(&self) -> PathBuf {
        self.go.gomodcache.clone()
    }
    fn go(&self, dir: &Path, args: &[&str]) -> String {
        self.go.go(dir, args)
    }
    /// The same environment in workspace mode (GOWORK set, no -mod, as Go requires).
    fn workspace(&self, work: &Path) -> support::GoEnv {
        let mut g = self.go.clone();
        g.gowork = work.display().to_string();
        g.goflags = String::new();
        g
    }
}

/// `go mod download` of every module of `all` with `go`, in `dir`.
fn download_all<S: AsRef<str>>(go: &support::GoEnv, dir: &Path, all: &[Mod<S>]) {
    let args: Vec<String> = all
        .iter()
        .map(|m| format!("{}@{}", m.path.as_ref(), m.version.as_ref()))
        .collect();
    let mut cmd = vec!["mod", "download"];
    cmd.extend(args.iter().map(String::as_str));
    go.go(dir, &cmd);
}

/// Writes a main module, lets Go tidy it, and compares `go list -m all` with godrift.
fn compare(mods: &[Mod], main_go: &str, requires: &[(&str, &str)], extra: &str) {
    let Some(env) = Env::new("graph_vs_go") else {
        return;
    };
    write_proxy(&env.proxy(), mods);
    let main = env.tmp.path().join("main");
    std::fs::create_dir_all(&main).expect("mkdir");
    let mut gm = format!("module example.com/main\n\ngo {main_go}\n");
    for (p, v) in requires {
        gm.push_str(&format!("\nrequire {p} {v}\n"));
    }
    gm.push_str(extra);
    std::fs::write(main.join("go.mod"), gm).expect("go.mod");
    let imports: String = requires
        .iter()
        .map(|(p, _)| format!("import _ {p:?}\n"))
        .collect();
    std::fs::write(
        main.join("main.go"),
        format!("package main\n\n{imports}\nfunc main() {{}}\n"),
    )
    .expect("main.go");
    env.go(&main, &["mod", "tidy"]);
    let want: Vec<String> = env
        .go(&main, &["list", "-m", "all"])
        .lines()
        .skip(1) // the main module
        .map(|l| {
            // `path version` or `path version => replacement`
            let f: Vec<&str> = l.split_whitespace().collect();
            format!("{} {}", f[0], f.get(1).copied().unwrap_or(""))
        })
        .collect();
    let cache = graph::ModCache::new();
    let list = graph::Loader::new(&LoadOptions::module_mode(env.modcache()), &cache)
        .load(&main)
        .expect("load");
    let got: Vec<String> = list
        .modules
        .iter()
        .map(|m| format!("{} {}", m.module.path, m.module.version))
        .collect();
    assert_eq!(
        got,
        want,
        "go.mod after tidy:\n{}",
        std::fs::read_to_string(main.join("go.mod")).unwrap_or_default()
    );
    assert!(list.missing.is_empty(), "missing: {:?}", list.missing);
}

fn mods() -> Vec<Mod> {
    vec![
        Mod {
            path: "example.com/a",
            version: "v1.0.0",
            go: "1.16",
            unused: 0,
            requires: vec![("example.com/c", "v1.1.0")],
        },
        Mod {
            path: "example.com/b",
            version: "v1.0.0",
            go: "1.17",
            unused: 0,
            requires: vec![("example.com/c", "v1.2.0"), ("example.com/d", "v1.0.0")],
        },
        Mod {
            path: "example.com/c",
            version: "v1.1.0",
            go: "1.16",
            unused: 0,
            requires: vec![],
        },
        Mod {
            path: "example.com/c",
            version: "v1.2.0",
            go: "1.17",
            unused: 0,
            requires: vec![("example.com/e", "v1.1.0")],
        },
        Mod {
            path: "example.com/d",
            version: "v1.0.0",
            go: "1.17",
            unused: 0,
            requires: vec![("example.com/e", "v1.0.0")],
        },
        Mod {
            path: "example.com/e",
            version: "v1.0.0",
            go: "1.16",
            unused: 0,
            requires: vec![],
        },
        Mod {
            path: "example.com/e",
            version: "v1.1.0",
            go: "1.16",
            unused: 0,
            requires: vec![("example.com/f", "v1.0.0")],
        },
        Mod {
            path: "example.com/f",
            version: "v1.0.0",
            go: "1.16",
            unused: 0,
            requires: vec![],
        },
    ]
}

#[test]
fn diamond_unpruned_go116() {
    compare(
        &mods(),
        "1.16",
        &[("example.com/a", "v1.0.0"), ("example.com/b", "v1.0.0")],
        "",
    );
}

#[test]
fn diamond_pruned_go121() {
    compare(
        &mods(),
        "1.21",
        &[("example.com/a", "v1.0.0"), ("example.com/b", "v1.0.0")],
        "",
    );
}

#[test]
fn replace_and_exclude() {
    // c v1.1.0 is replaced by c v1.2.0's content (whose go.mod then counts).
    compare(
        &mods(),
        "1.21",
        &[("example.com/a", "v1.0.0"), ("example.com/d", "v1.0.0")],
        "\nreplace example.com/c v1.1.0 => example.com/c v1.2.0\n",
    );
}

#[test]
fn exclude_skips_to_the_next_version() {
    compare(
        &mods(),
        "1.21",
        &[("example.com/d", "v1.0.0")],
        "\nexclude example.com/e v1.0.0\n",
    );
}

/// Like `compare`, on a go.mod Go has not tidied: Go's `go list -m all -mod=mod` repairs the
/// roots (raising a root another module requires at a higher version); godrift reads the
/// original go.mod and must reach the same build list.
fn compare_untidy(mods: &[Mod], go_mod: &str) {
    let Some(env) = Env::new("graph_vs_go") else {
        return;
    };
    write_proxy(&env.proxy(), mods);
    let main = env.tmp.path().join("main");
    std::fs::create_dir_all(&main).expect("mkdir");
    std::fs::write(main.join("go.mod"), go_mod).expect("go.mod");
    let want: Vec<String> = env
        .go(&main, &["list", "-m", "all"])
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .collect();
    // Go may have rewritten go.mod: godrift reads what the user wrote.
    std::fs::write(main.join("go.mod"), go_mod).expect("go.mod");
    let cache = graph::ModCache::new();
    let list = graph::Loader::new(&LoadOptions::module_mode(env.modcache()), &cache)
        .load(&main)
        .expect("load");
    let got: Vec<String> = list
        .modules
        .iter()
        .map(|m| format!("{} {}", m.module.path, m.module.version))
        .collect();
    assert_eq!(got, want);
}

fn untidy() -> Vec<Mod> {
    vec![
        Mod {
            path: "example.com/a",
            version: "v1.0.0",
            go: "1.21",
            unused: 0,
            requires: vec![],
        },
        Mod {
            path: "example.com/a",
            version: "v1.1.0",
            go: "1.21",
            unused: 0,
            requires: vec![("example.com/x", "v1.0.0")],
        },
        Mod {
            path: "example.com/b",
            version: "v1.0.0",
            go: "1.21",
            unused: 0,
            requires: vec![("example.com/a", "v1.1.0")],
        },
        Mod {
            path: "example.com/x",
            version: "v1.0.0",
            go: "1.21",
            unused: 0,
            requires: vec![],
        },
        Mod {
            path: "example.com/u",
            version: "v1.0.0",
            go: "1.16",
            unused: 0,
            requires: vec![("example.com/p", "v1.0.0")],
        },
        Mod {
            path: "example.com/p",
            version: "v1.0.0",
            go: "1.21",
            unused: 0,
            requires: vec![("example.com/q", "v1.0.0")],
        },
        Mod {
            path: "example.com/q",
            version: "v1.0.0",
            go: "1.21",
            unused: 0,
            requires: vec![("example.com/r", "v1.0.0")],
        },
        Mod {
            path: "example.com/r",
            version: "v1.0.0",
            go: "1.21",
            unused: 0,
            requires: vec![],
        },
    ]
}

#[test]
fn pruned_root_raised_by_another_root() {
    compare_untidy(
        &untidy(),
        "module example.com/main\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n",
    );
}

#[test]
fn unpruned_dependency_of_a_pruned_main_loads_its_closure() {
    compare_untidy(
        &untidy(),
        "module example.com/main\n\ngo 1.21\n\nrequire example.com/u v1.0.0\n",
    );
}

/// `go list -m` lines of a build list: main modules, then `path version[ => replacement]`.
fn list_lines(list: &graph::BuildList) -> Vec<String> {
    let mut lines = list.main.clone();
    for m in &list.modules {
        let mut l = format!("{} {}", m.module.path, m.module.version);
        match &m.replace {
            Some(graph::Replacement::Dir { path, .. }) => l.push_str(&format!(" => {path}")),
            Some(graph::Replacement::Module { module }) => {
                l.push_str(&format!(" => {} {}", module.path, module.version))
            }
            None => {}
        }
        lines.push(l);
    }
    lines
}

/// godrift's build list of the workspace `work` over `modcache`, as `go list -m` lines.
fn workspace_lines(work: &Path, modcache: &Path) -> (Vec<String>, graph::BuildList) {
    let opts = LoadOptions {
        gomodcache: modcache.to_path_buf(),
        ..LoadOptions::default()
    };
    let cache = graph::ModCache::new();
    let list = graph::Loader::new(&opts, &cache)
        .load_workspace(work)
        .expect("load");
    (list_lines(&list), list)
}

/// A go.work workspace of two modules: Go's `go list -m all` (workspace mode) against
/// godrift's `load_workspace`.
#[test]
fn workspace_with_work_replace_overriding_module_replace() {
    let Some(env) = Env::new("workspace_with_work_replace_overriding_module_replace") else {
        return;
    };
    write_proxy(&env.proxy(), &mods());
    let ws = env.tmp.path().join("ws");
    support::write_files(
        &ws,
        &[
            (
                "m1/go.mod",
                "module example.com/m1\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n",
            ),
            (
                "m2/go.mod",
                "module example.com/m2\n\ngo 1.21\n\nrequire (\n\texample.com/d v1.0.0\n\texample.com/e v1.0.0\n)\n\nreplace example.com/e v1.0.0 => ./missing\n",
            ),
            (
                "go.work",
                "go 1.21\n\nuse (\n\t./m1\n\t./m2\n)\n\nreplace example.com/e v1.0.0 => example.com/e v1.1.0\n",
            ),
        ],
    );
    let want: Vec<String> = env
        .workspace(&ws.join("go.work"))
        .go(&ws, &["list", "-m", "all"])
        .lines()
        .map(str::to_string)
        .collect();
    // f is only reached through go.work's replacement of e (m2's own one would fail).
    assert!(want.iter().any(|l| l == "example.com/f v1.0.0"), "{want:?}");
    let (got, list) = workspace_lines(&ws.join("go.work"), &env.modcache());
    assert_eq!(got, want);
    assert_eq!(list.main, ["example.com/m1", "example.com/m2"]);
    assert_eq!(list.main_dirs, [ws.join("m1"), ws.join("m2")]);
    assert!(list.missing.is_empty(), "missing: {:?}", list.missing);
}

/// cmd/go's own workspace scripts (all modules local), replayed with the real `go` and
/// compared line by line with `load_workspace`.
#[test]
fn workspace_scripts_match_real_go() {
    if support::require_go("workspace_scripts_match_real_go").is_none() {
        return;
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests/data/cmdgo-scripts");
    for name in ["work_prune.txt", "work_prune_all.txt", "work_replace.txt"] {
        let a = godrift::txtar::parse(&std::fs::read(data.join(name)).expect("script"));
        let tmp = tempfile::tempdir().expect("tempdir");
        let ws = tmp.path();
        for (n, body) in &a.files {
            let p = ws.join(n);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, body).expect("write");
        }
        let mut go = support::GoEnv::new(ws);
        go.gowork = ws.join("go.work").display().to_string();
        go.goflags = String::new();
        let want: Vec<String> = go
            .go(ws, &["list", "-m", "all"])
            .lines()
            .map(str::to_string)
            .collect();
        let (got, _) = workspace_lines(&ws.join("go.work"), &go.gomodcache);
        assert_eq!(got, want, "{name}");
    }
}

/// A small deterministic generator (the same LCG as the benches).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const UNIVERSE: usize = 14;
const VERSIONS: usize = 4;

fn upath(i: usize) -> String {
    format!("example.com/u{i}")
}

fn uversion(j: usize) -> String {
    format!("v1.{j}.0")
}

/// A module universe: UNIVERSE modules with VERSIONS versions each, pruned (go 1.21) or
/// not (go 1.16), each version requiring a few lower-numbered modules at random versions.
/// The highest version of every module is required by nobody.
fn universe(seed: u64) -> Vec<Mod<String>> {
    let mut r = Lcg(seed);
    let mut out = Vec::new();
    for i in 0..UNIVERSE {
        for j in 0..VERSIONS {
            let go = match r.below(20) {
                0..=6 => "1.16",
                7..=16 => "1.21",
                _ => "1.22",
            };
            let mut requires = Vec::new();
            if i > 0 {
                for _ in 0..r.below(4) {
                    let k = r.below(i);
                    let v = uversion(r.below(VERSIONS - 1));
                    if !requires
                        .iter()
                        .any(|(p, _): &(String, String)| *p == upath(k))
                    {
                        requires.push((upath(k), v));
                    }
                }
            }
            let unused = r.below(requires.len() + 1);
            out.push(Mod {
                path: upath(i),
                version: uversion(j),
                go: go.to_string(),
                requires,
                unused,
            });
        }
    }
    out
}

/// A workspace over the universe: 1 to 3 used modules (pruned or not) requiring a few
/// universe modules, some replaced (by another version, or by a local directory with its
/// own requirements) in a used module's go.mod or in go.work.
fn workspace_files(seed: u64) -> Vec<(String, String)> {
    let mut r = Lcg(seed ^ 0x9e37_79b9_7f4a_7c15);
    let mut files = Vec::new();
    let used = 1 + r.below(3);
    let mut work = String::from("go 1.21\n\nuse (\n");
    let mut replaced: std::collections::BTreeSet<String> = Default::default();
    for w in 0..used {
        work.push_str(&format!("\t./w{w}\n"));
        let go = if r.chance(30) { "1.16" } else { "1.21" };
        let mut gm = format!("module example.com/w{w}\n\ngo {go}\n");
        let mut picked = std::collections::BTreeSet::new();
        for _ in 0..1 + r.below(4) {
            let i = r.below(UNIVERSE);
            if picked.insert(i) {
                gm.push_str(&format!(
                    "\nrequire {} {}\n",
                    upath(i),
                    uversion(r.below(VERSIONS - 1))
                ));
            }
        }
        if r.chance(50) {
            // A replacement in this module's go.mod (paths no other file replaces).
            let i = r.below(UNIVERSE);
            if replaced.insert(upath(i)) {
                if r.chance(50) {
                    let from = if r.chance(50) {
                        String::new()
                    } else {
                        format!(" {}", uversion(r.below(VERSIONS - 1)))
                    };
                    gm.push_str(&format!(
                        "\nreplace {}{from} => {} {}\n",
                        upath(i),
                        upath(i),
                        uversion(r.below(VERSIONS))
                    ));
                } else {
                    let k = r.below(UNIVERSE);
                    gm.push_str(&format!("\nreplace {} => ./local\n", upath(i)));
                    files.push((
                        format!("w{w}/local/go.mod"),
                        format!(
                            "module {}\n\ngo 1.21\n\nrequire {} {}\n",
                            upath(i),
                            upath(k),
                            uversion(r.below(VERSIONS))
                        ),
                    ));
                }
            }
        }
        files.push((format!("w{w}/go.mod"), gm));
    }
    work.push_str(")\n");
    if r.chance(40) {
        let i = r.below(UNIVERSE);
        if replaced.insert(upath(i)) {
            work.push_str(&format!(
                "\nreplace {} => {} {}\n",
                upath(i),
                upath(i),
                uversion(r.below(VERSIONS))
            ));
        }
    }
    files.push(("go.work".to_string(), work));
    files
}

/// Generated workspaces: pruned and unpruned modules, replacements in go.work and in used
/// modules. Each is compared with `go list -m all` twice: with the module cache Go itself
/// filled (godrift must need nothing more), then with every version of every module in the
/// cache, including higher versions nobody requires (the result must not change).
#[test]
fn generated_workspaces_match_go_whatever_the_cache_holds() {
    let Some(env) = Env::new("generated_workspaces_match_go_whatever_the_cache_holds") else {
        return;
    };
    let all = universe(7);
    write_proxy(&env.proxy(), &all);
    // A module cache holding everything the proxy serves.
    let mut full = env.go.clone();
    full.gomodcache = env.tmp.path().join("full-cache");
    download_all(&full, env.tmp.path(), &all);
    for seed in 0..16u64 {
        let ws = env.tmp.path().join(format!("ws{seed}"));
        for (rel, text) in workspace_files(seed) {
            support::write_files(&ws, &[(&rel, &text)]);
        }
        let work = ws.join("go.work");
        let mut minimal = env.workspace(&work);
        minimal.gomodcache = env.tmp.path().join(format!("cache{seed}"));
        let want: Vec<String> = minimal
            .go(&ws, &["list", "-m", "all"])
            .lines()
            .map(str::to_string)
            .collect();
        let files = std::fs::read_to_string(&work).unwrap_or_default();
        let (got, list) = workspace_lines(&work, &minimal.gomodcache);
        assert_eq!(got, want, "seed {seed}, go.work:\n{files}");
        assert!(list.missing.is_empty(), "seed {seed}: {:?}", list.missing);
        let mut with_all = env.workspace(&work);
        with_all.gomodcache = full.gomodcache.clone();
        let want_all: Vec<String> = with_all
            .go(&ws, &["list", "-m", "all"])
            .lines()
            .map(str::to_string)
            .collect();
        assert_eq!(want_all, want, "Go's answer does not depend on the cache");
        let (got_all, _) = workspace_lines(&work, &full.gomodcache);
        assert_eq!(got_all, want, "seed {seed}, full cache, go.work:\n{files}");
    }
}

/// A one-module workspace around an exact copy of a host: the same build list as the host
/// in module mode, and as Go computes it in the workspace, with a module cache holding
/// every version (the case that gave spurious conflicts when the workspace read go.mod
/// files Go's pruning never loads).
#[test]
fn one_module_workspace_around_a_host_copy() {
    let Some(env) = Env::new("one_module_workspace_around_a_host_copy") else {
        return;
    };
    let all = universe(11);
    write_proxy(&env.proxy(), &all);
    download_all(&env.go, env.tmp.path(), &all);
    for seed in 0..6u64 {
        let mut r = Lcg(seed + 100);
        let host = env.tmp.path().join(format!("host{seed}"));
        let mut gm = String::from("module example.com/host\n\ngo 1.21\n");
        let mut imports = String::new();
        let mut picked = std::collections::BTreeSet::new();
        for _ in 0..3 {
            let i = r.below(UNIVERSE);
            if picked.insert(i) {
                gm.push_str(&format!(
                    "\nrequire {} {}\n",
                    upath(i),
                    uversion(r.below(VERSIONS - 1))
                ));
                imports.push_str(&format!("import _ {:?}\n", upath(i)));
            }
        }
        if seed % 2 == 1 {
            let i = r.below(UNIVERSE);
            gm.push_str(&format!(
                "\nreplace {} => {} {}\n",
                upath(i),
                upath(i),
                uversion(VERSIONS - 1)
            ));
        }
        support::write_files(
            &host,
            &[
                ("go.mod", &gm),
                (
                    "main.go",
                    &format!("package main\n\n{imports}\nfunc main() {{}}\n"),
                ),
            ],
        );
        // The host as its team builds it: tidy, in module mode.
        env.go(&host, &["mod", "tidy"]);
        let module_mode: Vec<String> = env
            .go(&host, &["list", "-m", "all"])
            .lines()
            .map(str::to_string)
            .collect();
        // The plugin team's checkout: a copy of the host inside a one-module workspace.
        let ws = env.tmp.path().join(format!("ws{seed}"));
        support::copy_tree(&host, &ws.join("host"));
        support::write_files(&ws, &[("go.work", "go 1.21\n\nuse ./host\n")]);
        let go_out = env
            .workspace(&ws.join("go.work"))
            .go_output(&ws, &["list", "-m", "all"]);
        if !go_out.status.success() {
            // tidy raised the host's go line above the workspace's: Go's refusal, word for word.
            let opts = LoadOptions {
                gomodcache: env.modcache(),
                ..LoadOptions::default()
            };
            let cache = graph::ModCache::new();
            let err = graph::Loader::new(&opts, &cache)
                .load_workspace(&ws.join("go.work"))
                .expect_err("go.work too old");
            assert_eq!(
                format!("{err}\n"),
                String::from_utf8_lossy(&go_out.stderr),
                "seed {seed}"
            );
            let host_go = std::fs::read_to_string(host.join("go.mod"))
                .expect("go.mod")
                .lines()
                .find_map(|l| l.strip_prefix("go ").map(str::to_string))
                .expect("go line");
            support::write_files(
                &ws,
                &[("go.work", &format!("go {host_go}\n\nuse ./host\n"))],
            );
        }
        let in_workspace: Vec<String> = env
            .workspace(&ws.join("go.work"))
            .go(&ws, &["list", "-m", "all"])
            .lines()
            .map(str::to_string)
            .collect();
        let (got, list) = workspace_lines(&ws.join("go.work"), &env.modcache());
        assert_eq!(got, in_workspace, "seed {seed}");
        assert!(list.missing.is_empty(), "{:?}", list.missing);
        let cache = graph::ModCache::new();
        let single = graph::Loader::new(&LoadOptions::module_mode(env.modcache()), &cache)
            .load(&host)
            .expect("load");
        assert_eq!(list_lines(&single), module_mode, "seed {seed}, module mode");
        if module_mode == in_workspace {
            assert_eq!(list_lines(&single), got);
        }
    }
}

/// Generated main modules, not tidied: pruned or not, with replacements and exclusions,
/// over a module cache holding every version. godrift's list must be what `go list -m all`
/// gives with -mod=mod (which repairs the roots as updatePrunedRoots does), and godrift must
/// report root updates exactly when Go's default -mod=readonly refuses the go.mod.
#[test]
fn generated_untidy_modules_match_go() {
    let Some(env) = Env::new("generated_untidy_modules_match_go") else {
        return;
    };
    let all = universe(23);
    write_proxy(&env.proxy(), &all);
    download_all(&env.go, env.tmp.path(), &all);
    // Every go.mod hash, so -mod=readonly fails only for what it means to check.
    let go_sum: String = all
        .iter()
        .map(|m| {
            format!(
                "{} {}/go.mod {}\n",
                m.path,
                m.version,
                godrift::dirhash::hash_go_mod(go_mod_text(m).as_bytes())
            )
        })
        .collect();
    let mut readonly = env.go.clone();
    readonly.goflags = "-mod=readonly".into();
    let mut needing_updates = 0;
    for seed in 0..24u64 {
        let mut r = Lcg(seed * 31 + 5);
        let dir = env.tmp.path().join(format!("main{seed}"));
        let go = if r.chance(30) { "1.16" } else { "1.21" };
        let mut gm = format!("module example.com/main\n\ngo {go}\n");
        if go == "1.21" && r.chance(40) {
            gm.push_str("\ntoolchain go1.21.5\n");
        }
        let mut required = std::collections::BTreeSet::new();
        for _ in 0..1 + r.below(5) {
            let m = (upath(r.below(UNIVERSE)), uversion(r.below(VERSIONS - 1)));
            gm.push_str(&format!("\nrequire {} {}\n", m.0, m.1));
            required.insert(m);
        }
        if r.chance(40) {
            let i = r.below(UNIVERSE);
            gm.push_str(&format!(
                "\nreplace {} => {} {}\n",
                upath(i),
                upath(i),
                uversion(r.below(VERSIONS))
            ));
        }
        if r.chance(25) {
            let i = r.below(UNIVERSE);
            gm.push_str(&format!("\nreplace {} => ./local\n", upath(i)));
            let k = r.below(UNIVERSE);
            support::write_files(
                &dir,
                &[(
                    "local/go.mod",
                    &format!(
                        "module {}\n\ngo 1.21\n\nrequire {} {}\n",
                        upath(i),
                        upath(k),
                        uversion(r.below(VERSIONS))
                    ),
                )],
            );
        }
        if r.chance(40) {
            // Excluding a version the main module requires itself makes Go query for the
            // next one (GD090's case): exclude only versions required elsewhere.
            let m = (upath(r.below(UNIVERSE)), uversion(r.below(VERSIONS)));
            if !required.contains(&m) {
                gm.push_str(&format!("\nexclude {} {}\n", m.0, m.1));
            }
        }
        support::write_files(&dir, &[("go.mod", &gm), ("go.sum", &go_sum)]);
        let strict = readonly.go_output(&dir, &["list", "-m", "all"]);
        let refused = String::from_utf8_lossy(&strict.stderr).into_owned();
        assert!(
            strict.status.success() || refused.contains("updates to go.mod needed"),
            "seed {seed}: {refused}"
        );
        let want: Vec<String> = env
            .go(&dir, &["list", "-m", "all"])
            .lines()
            .map(str::to_string)
            .collect();
        // Go rewrote go.mod: godrift reads what the user wrote.
        support::write_files(&dir, &[("go.mod", &gm)]);
        let cache = graph::ModCache::new();
        let list = graph::Loader::new(&LoadOptions::module_mode(env.modcache()), &cache)
            .load(&dir)
            .expect("load");
        assert_eq!(list_lines(&list), want, "seed {seed}, go.mod:\n{gm}");
        assert!(list.missing.is_empty(), "{:?}", list.missing);
        assert_eq!(
            !list.root_updates.is_empty(),
            !strict.status.success(),
            "seed {seed}: root updates {:?}, go: {refused}\ngo.mod:\n{gm}",
            list.root_updates
        );
        needing_updates += usize::from(!strict.status.success());
    }
    assert!(
        needing_updates > 0,
        "some generated go.mod files need updates"
    );
}

/// A module cache that is missing, empty or unreadable where the graph needs it: each go.mod
/// godrift could not read is reported with why (not in the cache, with the exact download
/// command; unreadable, naming the file; a replacement directory without go.mod; invalid).
/// Running the reported commands fills the cache, and the list then equals Go's.
#[test]
fn unreadable_module_cache_is_reported_precisely() {
    let Some(env) = Env::new("unreadable_module_cache_is_reported_precisely") else {
        return;
    };
    write_proxy(&env.proxy(), &mods());
    let main = env.tmp.path().join("main");
    support::write_files(
        &main,
        &[
            (
                "go.mod",
                "module example.com/main\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n",
            ),
            (
                "main.go",
                "package main\n\nimport (\n\t_ \"example.com/a\"\n\t_ \"example.com/b\"\n)\n\nfunc main() {}\n",
            ),
        ],
    );
    let load = |cache_dir: &Path| {
        let cache = graph::ModCache::new();
        graph::Loader::new(&LoadOptions::module_mode(cache_dir), &cache)
            .load(&main)
            .expect("load")
    };
    let cache_dir = env.modcache();
    // Missing: the directory does not exist.
    assert!(!cache_dir.exists());
    let list = load(&cache_dir);
    let commands: Vec<String> = list
        .missing
        .iter()
        .map(|m| match &m.problem {
            graph::GoModProblem::NotInCache { download, file } => {
                assert!(file.starts_with(&cache_dir), "{}", file.display());
                download.clone()
            }
            other => panic!("{}: {other}", m.module),
        })
        .collect();
    assert_eq!(
        commands,
        [
            "go mod download example.com/a@v1.0.0",
            "go mod download example.com/b@v1.0.0"
        ]
    );
    // Empty: same answer.
    std::fs::create_dir_all(&cache_dir).expect("mkdir");
    assert_eq!(load(&cache_dir).missing, list.missing);
    // The commands as reported fill what the graph needs next, until nothing is missing.
    let mut list = list;
    for _ in 0..5 {
        if list.missing.is_empty() {
            break;
        }
        for m in &list.missing {
            let graph::GoModProblem::NotInCache { download, .. } = &m.problem else {
                panic!("{}: {}", m.module, m.problem);
            };
            let args: Vec<&str> = download.split(' ').skip(1).collect();
            env.go(&main, &args);
        }
        list = load(&cache_dir);
    }
    assert!(list.missing.is_empty(), "{:?}", list.missing);
    let want: Vec<String> = env
        .go(&main, &["list", "-m", "all"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(list_lines(&list), want);

    // Unreadable: a go.mod in the cache that is not a regular file.
    let b_mod = cache_dir.join("cache/download/example.com/b/@v/v1.0.0.mod");
    std::fs::remove_file(&b_mod).expect("rm");
    std::fs::create_dir(&b_mod).expect("mkdir");
    let list = load(&cache_dir);
    assert_eq!(list.missing.len(), 1, "{:?}", list.missing);
    match &list.missing[0].problem {
        graph::GoModProblem::Unreadable { file, error } => {
            assert_eq!(file, &b_mod);
            assert!(error.contains("directory"), "{error}");
        }
        other => panic!("{other}"),
    }
    std::fs::remove_dir(&b_mod).expect("rmdir");
    // Invalid: the file does not parse.
    std::fs::write(&b_mod, "module example.com/b\n\nrequire (\n").expect("write");
    match &load(&cache_dir).missing[0].problem {
        graph::GoModProblem::Invalid { file, .. } => assert_eq!(file, &b_mod),
        other => panic!("{other}"),
    }
    // Unreadable by permissions (not when running as root, who reads it anyway).
    std::fs::write(&b_mod, go_mod_text(&mods()[1])).expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&b_mod, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&b_mod).is_err() {
        match &load(&cache_dir).missing[0].problem {
            graph::GoModProblem::Unreadable { file, error } => {
                assert_eq!(file, &b_mod);
                assert!(error.contains("ermission"), "{error}");
            }
            other => panic!("{other}"),
        }
    } else {
        eprintln!("permission case skipped: this user reads mode-000 files (root)");
    }
    std::fs::set_permissions(&b_mod, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    // A replacement directory without go.mod.
    let gm = std::fs::read_to_string(main.join("go.mod")).expect("go.mod");
    std::fs::write(
        main.join("go.mod"),
        format!("{gm}\nreplace example.com/b => ./nowhere\n"),
    )
    .expect("go.mod");
    match &load(&cache_dir).missing[0].problem {
        graph::GoModProblem::NoLocalGoMod { file } => {
            assert_eq!(file, &main.join("nowhere/go.mod"))
        }
        other => panic!("{other}"),
    }
}

/// A module under a go.work that does not use it: Go refuses to build it there, and
/// godrift refuses to give it the workspace's build list.
#[test]
fn a_module_outside_its_workspace_is_gos_error() {
    let Some(env) = Env::new("a_module_outside_its_workspace_is_gos_error") else {
        return;
    };
    let ws = env.tmp.path().join("ws");
    support::write_files(
        &ws,
        &[
            ("go.work", "go 1.22\n\nuse ./host\n"),
            ("host/go.mod", "module example.com/host\n\ngo 1.22\n"),
            ("host/main.go", "package main\n\nfunc main() {}\n"),
            ("plugins/p/go.mod", "module example.com/p\n\ngo 1.22\n"),
            ("plugins/p/main.go", "package main\n\nfunc main() {}\n"),
        ],
    );
    let mut go = env.go.clone();
    go.gowork = String::new();
    go.goflags = String::new();
    let out = go.go_output(&ws.join("plugins/p"), &["build", "-o", "/dev/null", "."]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not one of the workspace modules listed in go.work"),
        "{stderr}"
    );
    let opts = LoadOptions {
        gomodcache: env.modcache(),
        ..LoadOptions::default()
    };
    let cache = graph::ModCache::new();
    let loader = graph::Loader::new(&opts, &cache);
    let err = loader
        .load(&ws.join("plugins/p"))
        .expect_err("outside the workspace");
    assert!(
        err.to_string().contains(
            "is contained in a module that is not one of the workspace modules listed in"
        ),
        "{err}"
    );
    let fix = format!("\n\tgo work use {}", ws.join("plugins/p").display());
    assert!(err.to_string().ends_with(&fix), "{err}");
    // The used module itself gets the workspace's list.
    let list = loader.load(&ws.join("host")).expect("host");
    assert_eq!(list.main, ["example.com/host"]);
}
