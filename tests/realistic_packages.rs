//! A project shaped like a real gateway: hundreds of modules in every build list, about half
//! of them at another version in each plugin, and few linked by both sides. godrift must
//! report errors for exactly the modules whose packages both the host and the plugin link
//! (and latent info for the rest), as `go list -deps` and `go list -m all` say. This is the
//! case where whole-module judgement cried wolf on most findings.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use support::{godrift_command, write_files, GoEnv, Run};

const MODULES: usize = 240;
const PACKAGES: usize = 3;

/// A tiny deterministic generator (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn pkg(m: usize, p: usize) -> String {
    format!("example.com/m{m}/p{p}")
}

/// Writes module `m` at `version` into the module cache as Go leaves it (extracted tree and
/// cache/download metadata), importing `imports[p]` from package `p`.
fn write_module(
    cache: &Path,
    m: usize,
    version: &str,
    imports: &[Vec<String>],
    requires: &BTreeSet<usize>,
) {
    let path = format!("example.com/m{m}");
    let dir = cache.join(format!("{path}@{version}"));
    let mut gm = format!("module {path}\n\ngo 1.21\n");
    if !requires.is_empty() {
        gm.push_str("\nrequire (\n");
        for d in requires {
            gm.push_str(&format!("\texample.com/m{d} v1.0.0\n"));
        }
        gm.push_str(")\n");
    }
    let mut files: Vec<(String, String)> = vec![("go.mod".into(), gm.clone())];
    for (p, imps) in imports.iter().enumerate() {
        let mut src = format!("package p{p}\n\n");
        for i in imps {
            src.push_str(&format!("import _ {i:?}\n"));
        }
        src.push_str(&format!(
            "\n// Version differs between v1.0.0 and v1.1.0, so does the export data.\nconst Version = {version:?}\n"
        ));
        files.push((format!("p{p}/p.go"), src));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write_files(&dir, &refs);
    let dl = cache.join("cache/download").join(&path).join("@v");
    write_files(
        &dl,
        &[
            (&format!("{version}.mod"), &gm),
            (
                &format!("{version}.info"),
                &format!("{{\"Version\":{version:?},\"Time\":\"2024-01-01T00:00:00Z\"}}\n"),
            ),
            (
                &format!("{version}.ziphash"),
                "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            ),
        ],
    );
}

/// The requirement closure of `roots` over the modules' own requirements.
fn closure(roots: &BTreeSet<usize>, requires: &[BTreeSet<usize>]) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = roots.iter().copied().collect();
    while let Some(m) = stack.pop() {
        if seen.insert(m) {
            stack.extend(requires[m].iter().copied());
        }
    }
    seen
}

/// A main module requiring every module of `needed` (at v1.1.0 where `newer`), whose main
/// package imports `imports`.
fn write_main(
    dir: &Path,
    module: &str,
    needed: &BTreeSet<usize>,
    newer: &BTreeSet<usize>,
    imports: &[String],
    host: bool,
) {
    let mut gm = format!("module {module}\n\ngo 1.22\n\nrequire (\n");
    for m in needed {
        let v = if newer.contains(m) {
            "v1.1.0"
        } else {
            "v1.0.0"
        };
        gm.push_str(&format!("\texample.com/m{m} {v}\n"));
    }
    gm.push_str(")\n");
    let mut src = String::from("package main\n\n");
    if host {
        src.push_str("import _ \"plugin\"\n");
    }
    for i in imports {
        src.push_str(&format!("import _ {i:?}\n"));
    }
    src.push_str("\nfunc main() {}\n");
    write_files(dir, &[("go.mod", &gm), ("main.go", &src)]);
}

/// `go list -deps` of the main package: import path -> (module, version).
fn linked(env: &GoEnv, dir: &Path) -> BTreeMap<String, (String, String)> {
    let out = env.go(
        dir,
        &[
            "list",
            "-deps",
            "-f",
            "{{if not .Standard}}{{.ImportPath}} {{with .Module}}{{.Path}} {{.Version}}{{end}}{{end}}",
            ".",
        ],
    );
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() == 3).then(|| (f[0].to_string(), (f[1].to_string(), f[2].to_string())))
        })
        .collect()
}

/// `go list -m all`: module -> version (main module excluded).
fn build_list(env: &GoEnv, dir: &Path) -> BTreeMap<String, String> {
    env.go(dir, &["list", "-m", "all"])
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

#[test]
fn errors_only_for_modules_whose_packages_both_sides_link() {
    let Some(_) = support::require_go("errors_only_for_modules_whose_packages_both_sides_link")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();

    let env = GoEnv::new(root);
    let cache = env.gomodcache.clone();
    let mut r = Lcg(42);
    // Three domains, as in a gateway: the host's own libraries (A), the plugin's (B) and a
    // few common ones (C). A package imports up to two packages of lower-numbered modules
    // of its domain, and A and B packages sometimes a C package: long chains, so a few
    // roots pull in a hundred modules, but the two sides meet only in C.
    let c_start = MODULES - 20;
    let half = c_start / 2;
    let domain = |m: usize| {
        if m >= c_start {
            2
        } else if m >= half {
            1
        } else {
            0
        }
    };
    let mut imports: Vec<Vec<Vec<String>>> = Vec::new();
    let mut requires: Vec<BTreeSet<usize>> = Vec::new();
    for m in 0..MODULES {
        let mut req = BTreeSet::new();
        let mut per = Vec::new();
        let start = [0, half, c_start][domain(m)];
        for p in 0..PACKAGES {
            let mut imps = Vec::new();
            if p > 0 {
                imps.push(pkg(m, p - 1));
            }
            if m > start {
                for _ in 0..1 + r.below(2) {
                    let lo = m.saturating_sub(8).max(start);
                    let dm = lo + r.below(m - lo);
                    imps.push(pkg(dm, r.below(PACKAGES)));
                    req.insert(dm);
                }
            }
            if domain(m) < 2 && r.below(25) == 0 {
                let dm = c_start + r.below(MODULES - c_start);
                imps.push(pkg(dm, r.below(PACKAGES)));
                req.insert(dm);
            }
            imps.sort();
            imps.dedup();
            per.push(imps);
        }
        for v in ["v1.0.0", "v1.1.0"] {
            write_module(&cache, m, v, &per, &req);
        }
        imports.push(per);
        requires.push(req);
    }
    // The host links packages of its domain (and through them a few of C); the plugin links
    // its own domain and C, requires everything the host requires too, and half of its
    // modules at v1.1.0.
    let host_roots: Vec<(usize, usize)> = vec![(half - 1, 2), (half - 20, 1)];
    let plugin_roots: Vec<(usize, usize)> =
        vec![(c_start - 1, 2), (c_start - 30, 2), (c_start + 10, 1)];
    let to_set = |v: &[(usize, usize)]| v.iter().map(|(m, _)| *m).collect::<BTreeSet<usize>>();
    let host_needed = closure(&to_set(&host_roots), &requires);
    // The plugin requires everything the host does too (a gateway plugin's go.mod is often
    // a copy of the host's), plus its own.
    let plugin_needed: BTreeSet<usize> = closure(&to_set(&plugin_roots), &requires)
        .union(&host_needed)
        .copied()
        .collect();
    let newer: BTreeSet<usize> = plugin_needed
        .iter()
        .copied()
        .filter(|_| r.below(2) == 0)
        .collect();
    let paths = |v: &[(usize, usize)]| v.iter().map(|(m, p)| pkg(*m, *p)).collect::<Vec<_>>();
    write_main(
        &root.join("host"),
        "example.com/gateway",
        &host_needed,
        &BTreeSet::new(),
        &paths(&host_roots),
        true,
    );
    write_main(
        &root.join("host/plugins/auth"),
        "example.com/gateway/plugins/auth",
        &plugin_needed,
        &newer,
        &paths(&plugin_roots),
        false,
    );

    // Ground truth from Go.
    let (hl, pl) = (
        linked(&env, &root.join("host")),
        linked(&env, &root.join("host/plugins/auth")),
    );
    let (hb, pb) = (
        build_list(&env, &root.join("host")),
        build_list(&env, &root.join("host/plugins/auth")),
    );
    let differing: BTreeSet<&String> = hb
        .iter()
        .filter(|(m, v)| pb.get(*m).is_some_and(|pv| pv != *v))
        .map(|(m, _)| m)
        .collect();
    let shared_modules: BTreeSet<&String> = hl
        .iter()
        .filter(|(p, _)| pl.contains_key(*p))
        .map(|(_, (m, _))| m)
        .collect();
    let want_errors: BTreeSet<String> = differing
        .iter()
        .filter(|m| shared_modules.contains(*m))
        .map(|m| m.to_string())
        .collect();
    let want_latent: BTreeSet<String> = differing
        .iter()
        .filter(|m| !shared_modules.contains(*m))
        .map(|m| m.to_string())
        .collect();
    assert!(
        hb.len() >= 100,
        "the host's build list has {} modules",
        hb.len()
    );
    assert!(
        !want_errors.is_empty() && want_latent.len() > 3 * want_errors.len(),
        "the generated project must be shaped like the real ones: errors {want_errors:?}, latent {}",
        want_latent.len()
    );

    println!(
        "build lists: host {} modules, plugin {}; {} differ; {} with a package both link",
        hb.len(),
        pb.len(),
        differing.len(),
        want_errors.len()
    );
    let mut cmd = godrift_command(
        &root.join("host"),
        &["report", "--format", "json", "--quiet"],
    );
    env.apply(&mut cmd);
    let run = Run::of(cmd.output().unwrap());
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let gd001 = |sev: &str| -> BTreeSet<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] == "GD001" && f["severity"] == sev)
            .map(|f| f["module"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        gd001("error"),
        want_errors,
        "errors: exactly the modules both link"
    );
    assert_eq!(
        gd001("info"),
        want_latent,
        "latent: the modules no package of which both link"
    );
    // Every error lists packages both link, as go list says.
    for f in v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
    {
        for p in f["packages"].as_array().unwrap() {
            let p = p.as_str().unwrap();
            assert!(
                hl.contains_key(p) && pl.contains_key(p),
                "{p} is not linked by both"
            );
        }
    }
    // The linked package sets in the JSON are go list's.
    let art = |name: &str| -> BTreeSet<String> {
        v["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap()["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["path"].as_str().unwrap().to_string())
            .collect()
    };
    let own = |m: &BTreeMap<String, (String, String)>, skip: &str| -> BTreeSet<String> {
        m.keys().filter(|k| !k.starts_with(skip)).cloned().collect()
    };
    assert_eq!(
        art("host")
            .into_iter()
            .filter(|p| p.starts_with("example.com/m"))
            .collect::<BTreeSet<_>>(),
        own(&hl, "example.com/gateway")
    );
    assert_eq!(
        art("auth")
            .into_iter()
            .filter(|p| p.starts_with("example.com/m"))
            .collect::<BTreeSet<_>>(),
        own(&pl, "example.com/gateway")
    );
    // Proposals only for what breaks loading.
    let proposed: BTreeSet<String> = v["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["module"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(proposed, want_errors);
}
