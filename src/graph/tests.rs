//! Unit tests of the build-list stage on in-memory module sources.

use super::*;
use std::collections::{BTreeMap, HashMap};

struct Mem(HashMap<String, &'static str>);
impl ModSource for Mem {
    fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GoModProblem> {
        self.0
            .get(&m.to_string())
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| GoModProblem::NotInCache {
                file: self.location(m),
                download: format!("go mod download {m}"),
            })
    }
}

/// The build list of `main` over `src`, and the modules whose go.mod was missing.
fn build_list(main: &ModFile, dir: &Path, src: &Mem) -> (Vec<SelectedModule>, Vec<MissingGoMod>) {
    let opts = LoadOptions::default();
    let cache = ModCache::new();
    let list = Loader::with_source(&opts, &cache, src)
        .load_main(main.clone(), dir)
        .unwrap();
    (list.modules, list.missing)
}

fn parse(s: &str) -> ModFile {
    gomod::parse_mod("go.mod", s.as_bytes(), Strictness::Strict).unwrap()
}

#[test]
fn mvs_picks_the_highest_required_version() {
    // main -> a v1.0.0 -> c v1.1.0 ; main -> b v1.0.0 -> c v1.2.0 (unpruned, go 1.16).
    let src = Mem(HashMap::from([
        (
            "a.com/a@v1.0.0".to_string(),
            "module a.com/a\nrequire c.com/c v1.1.0\n",
        ),
        (
            "b.com/b@v1.0.0".to_string(),
            "module b.com/b\nrequire c.com/c v1.2.0\n",
        ),
        ("c.com/c@v1.1.0".to_string(), "module c.com/c\n"),
        (
            "c.com/c@v1.2.0".to_string(),
            "module c.com/c\nrequire d.com/d v1.0.0\n",
        ),
        ("d.com/d@v1.0.0".to_string(), "module d.com/d\n"),
    ]));
    let main = parse("module m\ngo 1.16\nrequire (\n\ta.com/a v1.0.0\n\tb.com/b v1.0.0\n)\n");
    let (list, missing) = build_list(&main, Path::new("/"), &src);
    let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
    assert_eq!(
        got,
        [
            "a.com/a@v1.0.0",
            "b.com/b@v1.0.0",
            "c.com/c@v1.2.0",
            "d.com/d@v1.0.0"
        ]
    );
    assert!(missing.is_empty());
}

#[test]
fn pruning_stops_below_go117_dependencies() {
    // With a go 1.17 main module and go 1.17 dependencies, c's requirement on d is
    // not loaded (c is only reached through b's go.mod, not expanded).
    let src = Mem(HashMap::from([
        (
            "b.com/b@v1.0.0".to_string(),
            "module b.com/b\ngo 1.17\nrequire c.com/c v1.2.0\n",
        ),
        (
            "c.com/c@v1.2.0".to_string(),
            "module c.com/c\ngo 1.17\nrequire d.com/d v1.0.0\n",
        ),
    ]));
    let main = parse("module m\ngo 1.17\nrequire b.com/b v1.0.0\n");
    let (list, _) = build_list(&main, Path::new("/"), &src);
    let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
    assert_eq!(got, ["b.com/b@v1.0.0", "c.com/c@v1.2.0"]);
}

#[test]
fn below_an_unpruned_dependency_everything_is_loaded() {
    // main (go 1.17) -> a (go 1.16, unpruned) -> b (go 1.17) -> c (go 1.17) -> d:
    // Go loads a's full transitive closure, pruned modules inside it included.
    let src = Mem(HashMap::from([
        (
            "a.com/a@v1.0.0".to_string(),
            "module a.com/a\ngo 1.16\nrequire b.com/b v1.0.0\n",
        ),
        (
            "b.com/b@v1.0.0".to_string(),
            "module b.com/b\ngo 1.17\nrequire c.com/c v1.0.0\n",
        ),
        (
            "c.com/c@v1.0.0".to_string(),
            "module c.com/c\ngo 1.17\nrequire d.com/d v1.0.0\n",
        ),
        ("d.com/d@v1.0.0".to_string(), "module d.com/d\ngo 1.17\n"),
    ]));
    let main = parse("module m\ngo 1.17\nrequire a.com/a v1.0.0\n");
    let (list, missing) = build_list(&main, Path::new("/"), &src);
    let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
    assert_eq!(
        got,
        [
            "a.com/a@v1.0.0",
            "b.com/b@v1.0.0",
            "c.com/c@v1.0.0",
            "d.com/d@v1.0.0"
        ]
    );
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn a_raised_root_has_its_requirements_loaded() {
    // main (go 1.21) requires a v1.0.0 and b; b raises a to v1.1.0, whose go.mod
    // requires x: Go makes a v1.1.0 the root, so x is in the build list.
    let src = Mem(HashMap::from([
        ("a.com/a@v1.0.0".to_string(), "module a.com/a\ngo 1.21\n"),
        (
            "a.com/a@v1.1.0".to_string(),
            "module a.com/a\ngo 1.21\nrequire x.com/x v1.0.0\n",
        ),
        (
            "b.com/b@v1.0.0".to_string(),
            "module b.com/b\ngo 1.21\nrequire a.com/a v1.1.0\n",
        ),
        ("x.com/x@v1.0.0".to_string(), "module x.com/x\ngo 1.21\n"),
    ]));
    let main = parse("module m\ngo 1.21\nrequire (\n\ta.com/a v1.0.0\n\tb.com/b v1.0.0\n)\n");
    let (list, _) = build_list(&main, Path::new("/"), &src);
    let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
    assert_eq!(got, ["a.com/a@v1.1.0", "b.com/b@v1.0.0", "x.com/x@v1.0.0"]);
}

#[test]
fn excluded_requirements_of_dependencies_are_dropped() {
    let src = Mem(HashMap::from([
        (
            "a.com/a@v1.0.0".to_string(),
            "module a.com/a\ngo 1.16\nrequire c.com/c v1.2.0\n",
        ),
        ("c.com/c@v1.2.0".to_string(), "module c.com/c\n"),
    ]));
    let main = parse("module m\ngo 1.16\nrequire a.com/a v1.0.0\nexclude c.com/c v1.2.0\n");
    let (list, _) = build_list(&main, Path::new("/"), &src);
    let got: Vec<String> = list.iter().map(|m| m.module.to_string()).collect();
    assert_eq!(got, ["a.com/a@v1.0.0"]);
}

#[test]
fn workspace_conflicting_replacements_are_gos_error() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path();
    for (dir, to) in [("m1", "./x"), ("m2", "./y")] {
        std::fs::create_dir_all(ws.join(dir)).unwrap();
        std::fs::write(
            ws.join(dir).join("go.mod"),
            format!("module example.com/{dir}\ngo 1.21\nreplace example.com/dep v1.0.0 => {to}\n"),
        )
        .unwrap();
    }
    std::fs::write(ws.join("go.work"), "go 1.21\nuse (\n\t./m1\n\t./m2\n)\n").unwrap();
    let opts = LoadOptions {
        gomodcache: ws.join("modcache"),
        ..LoadOptions::default()
    };
    let cache = ModCache::new();
    let loader = Loader::new(&opts, &cache);
    let err = loader
        .load_workspace(&ws.join("go.work"))
        .unwrap_err()
        .to_string();
    let x = ws.join("m1/x").display().to_string();
    let y = ws.join("m2/y").display().to_string();
    assert_eq!(
        err,
        format!(
            "go: conflicting replacements for example.com/dep@v1.0.0:\n\t{x}\n\t{y}\nuse \"go work edit -replace example.com/dep@v1.0.0=[override]\" to resolve"
        )
    );
    // A go.work replacement of the path settles it.
    std::fs::write(
        ws.join("go.work"),
        "go 1.21\nuse (\n\t./m1\n\t./m2\n)\nreplace example.com/dep => ./z\n",
    )
    .unwrap();
    let list = loader.load_workspace(&ws.join("go.work")).unwrap();
    assert_eq!(list.main, ["example.com/m1", "example.com/m2"]);
    assert!(list.modules.is_empty());
}

/// A deterministic generator for random module graphs.
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

/// An in-memory universe of `n` modules × 4 versions, some unpruned, requiring
/// lower-numbered modules.
fn random_universe(seed: u64, n: usize) -> HashMap<String, String> {
    let mut r = Lcg(seed);
    let mut out = HashMap::new();
    for i in 0..n {
        for j in 0..4 {
            let go = if r.below(5) == 0 { "1.16" } else { "1.21" };
            let mut gm = format!("module m.com/m{i}\ngo {go}\n");
            if i > 0 {
                for _ in 0..r.below(4) {
                    gm.push_str(&format!(
                        "require m.com/m{} v1.{}.0\n",
                        r.below(i),
                        r.below(4)
                    ));
                }
            }
            out.insert(format!("m.com/m{i}@v1.{j}.0"), gm);
        }
    }
    out
}

struct Owned(HashMap<String, String>);
impl ModSource for Owned {
    fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GoModProblem> {
        self.0
            .get(&m.to_string())
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| GoModProblem::NotInCache {
                file: self.location(m),
                download: format!("go mod download {m}"),
            })
    }
}

/// What-if answers computed incrementally equal a full reload of the changed go.mod, on
/// random graphs (pruned and unpruned dependencies), for every module at every version.
#[test]
fn what_if_incremental_equals_reload() {
    what_if_parity("1.21");
}

/// The same for an unpruned main module (go 1.16: the graph is the full closure).
#[test]
fn what_if_unpruned_equals_reload() {
    what_if_parity("1.16");
}

fn what_if_parity(go: &str) {
    let (mut incremental, mut moved) = (0, 0);
    for seed in 0..12u64 {
        let src = Owned(random_universe(seed, 24));
        let opts = LoadOptions::default();
        let cache = ModCache::new();
        let loader = Loader::with_source(&opts, &cache, &src);
        let mut r = Lcg(seed + 1000);
        // A tidy main module: its roots raised until Go would not move them.
        let mut reqs: BTreeMap<String, String> = BTreeMap::new();
        for _ in 0..6 {
            reqs.insert(
                format!("m.com/m{}", r.below(24)),
                format!("v1.{}.0", r.below(4)),
            );
        }
        let main = loop {
            let text: String = reqs
                .iter()
                .map(|(p, v)| format!("require {p} {v}\n"))
                .collect();
            let main = parse(&format!("module main.com/x\ngo {go}\n{text}"));
            let list = loader.load_main(main.clone(), Path::new("/")).unwrap();
            // The go line's own update (a dependency's newer go line) is not a root.
            let updates: Vec<_> = list
                .root_updates
                .iter()
                .filter(|u| u.module.path != "go" && u.module.path != "toolchain")
                .collect();
            if updates.is_empty() {
                break main;
            }
            for u in updates {
                reqs.insert(u.module.path.clone(), u.selected.clone());
            }
        };
        let mut what_if = loader.what_if(&main, Path::new("/"), None).unwrap();
        for i in 0..24 {
            for j in 0..4 {
                let m = ModuleVersion::new(format!("m.com/m{i}"), format!("v1.{j}.0"));
                let want = what_if.reload(&m).unwrap();
                if let Some(got) = what_if.incremental(&m) {
                    incremental += 1;
                    moved += usize::from(!got.is_empty());
                    assert_eq!(got, want, "seed {seed}, require {m}");
                }
            }
        }
    }
    assert!(
        incremental > 500,
        "the incremental path answered {incremental} questions"
    );
    assert!(moved > 200, "{moved} answers move something");
}
