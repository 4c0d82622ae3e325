//! godrift's build list against `go list -m all` on generated module graphs served by a
//! file:// proxy (hermetic: private GOPATH/GOMODCACHE, GOSUMDB=off, no network).

use godrift::graph::{self, LoadOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A module version served by the proxy: its go line, requirements, and a package that
/// imports the root package of each requirement.
pub struct Mod {
    pub path: &'static str,
    pub version: &'static str,
    pub go: &'static str,
    pub requires: &'static [(&'static str, &'static str)],
}

fn go_mod_text(m: &Mod) -> String {
    let mut s = format!("module {}\n\ngo {}\n", m.path, m.go);
    for (p, v) in m.requires {
        s.push_str(&format!("\nrequire {p} {v}\n"));
    }
    s
}

fn pkg_name(path: &str) -> String {
    path.rsplit('/')
        .next()
        .unwrap_or("p")
        .replace(['.', '-'], "")
}

fn source(m: &Mod) -> String {
    let mut s = format!("package {}\n\n", pkg_name(m.path));
    for (p, _) in m.requires {
        s.push_str(&format!("import _ {p:?}\n"));
    }
    s.push_str("\nfunc Hello() {}\n");
    s
}

fn write_proxy(root: &Path, mods: &[Mod]) {
    for m in mods {
        let dir = root.join(m.path).join("@v");
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut list = std::fs::read_to_string(dir.join("list")).unwrap_or_default();
        list.push_str(&format!("{}\n", m.version));
        std::fs::write(dir.join("list"), list).expect("list");
        std::fs::write(
            dir.join(format!("{}.info", m.version)),
            format!(
                "{{\"Version\":\"{}\",\"Time\":\"2024-01-01T00:00:00Z\"}}\n",
                m.version
            ),
        )
        .expect("info");
        std::fs::write(dir.join(format!("{}.mod", m.version)), go_mod_text(m)).expect("mod");
        let f = std::fs::File::create(dir.join(format!("{}.zip", m.version))).expect("zip");
        let mut z = zip::ZipWriter::new(f);
        let opt = zip::write::SimpleFileOptions::default();
        let prefix = format!("{}@{}/", m.path, m.version);
        z.start_file(format!("{prefix}go.mod"), opt).expect("entry");
        z.write_all(go_mod_text(m).as_bytes()).expect("write");
        z.start_file(format!("{prefix}p.go"), opt).expect("entry");
        z.write_all(source(m).as_bytes()).expect("write");
        z.finish().expect("finish");
    }
}

struct Env {
    tmp: tempfile::TempDir,
}

impl Env {
    fn gopath(&self) -> PathBuf {
        self.tmp.path().join("gopath")
    }
    fn modcache(&self) -> PathBuf {
        self.gopath().join("pkg/mod")
    }
    fn go(&self, dir: &Path, args: &[&str]) -> String {
        let out = Command::new("go")
            .current_dir(dir)
            .args(args)
            .env("GOTOOLCHAIN", "local")
            .env(
                "GOPROXY",
                format!("file://{}", self.tmp.path().join("proxy").display()),
            )
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-mod=mod")
            .env("GOWORK", "off")
            .env("GOPATH", self.gopath())
            .env("GOMODCACHE", self.modcache())
            .output()
            .expect("go");
        assert!(
            out.status.success(),
            "go {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Writes a main module, lets Go tidy it, and compares `go list -m all` with godrift.
fn compare(mods: &[Mod], main_go: &str, requires: &[(&str, &str)], extra: &str) {
    if Command::new("go").arg("version").output().is_err() {
        println!("skipped: no `go` on PATH");
        return;
    }
    let env = Env {
        tmp: tempfile::tempdir().expect("tempdir"),
    };
    write_proxy(&env.tmp.path().join("proxy"), mods);
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

const MODS: &[Mod] = &[
    Mod {
        path: "example.com/a",
        version: "v1.0.0",
        go: "1.16",
        requires: &[("example.com/c", "v1.1.0")],
    },
    Mod {
        path: "example.com/b",
        version: "v1.0.0",
        go: "1.17",
        requires: &[("example.com/c", "v1.2.0"), ("example.com/d", "v1.0.0")],
    },
    Mod {
        path: "example.com/c",
        version: "v1.1.0",
        go: "1.16",
        requires: &[],
    },
    Mod {
        path: "example.com/c",
        version: "v1.2.0",
        go: "1.17",
        requires: &[("example.com/e", "v1.1.0")],
    },
    Mod {
        path: "example.com/d",
        version: "v1.0.0",
        go: "1.17",
        requires: &[("example.com/e", "v1.0.0")],
    },
    Mod {
        path: "example.com/e",
        version: "v1.0.0",
        go: "1.16",
        requires: &[],
    },
    Mod {
        path: "example.com/e",
        version: "v1.1.0",
        go: "1.16",
        requires: &[("example.com/f", "v1.0.0")],
    },
    Mod {
        path: "example.com/f",
        version: "v1.0.0",
        go: "1.16",
        requires: &[],
    },
];

#[test]
fn diamond_unpruned_go116() {
    compare(
        MODS,
        "1.16",
        &[("example.com/a", "v1.0.0"), ("example.com/b", "v1.0.0")],
        "",
    );
}

#[test]
fn diamond_pruned_go121() {
    compare(
        MODS,
        "1.21",
        &[("example.com/a", "v1.0.0"), ("example.com/b", "v1.0.0")],
        "",
    );
}

#[test]
fn replace_and_exclude() {
    // c v1.1.0 is replaced by c v1.2.0's content (whose go.mod then counts).
    compare(
        MODS,
        "1.21",
        &[("example.com/a", "v1.0.0"), ("example.com/d", "v1.0.0")],
        "\nreplace example.com/c v1.1.0 => example.com/c v1.2.0\n",
    );
}

#[test]
fn exclude_skips_to_the_next_version() {
    compare(
        MODS,
        "1.21",
        &[("example.com/d", "v1.0.0")],
        "\nexclude example.com/e v1.0.0\n",
    );
}

/// Like `compare`, on a go.mod Go has not tidied: Go's `go list -m all -mod=mod` repairs the
/// roots (raising a root another module requires at a higher version); godrift reads the
/// original go.mod and must reach the same build list.
fn compare_untidy(mods: &[Mod], go_mod: &str) {
    if Command::new("go").arg("version").output().is_err() {
        println!("skipped: no `go` on PATH");
        return;
    }
    let env = Env {
        tmp: tempfile::tempdir().expect("tempdir"),
    };
    write_proxy(&env.tmp.path().join("proxy"), mods);
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

const UNTIDY: &[Mod] = &[
    Mod {
        path: "example.com/a",
        version: "v1.0.0",
        go: "1.21",
        requires: &[],
    },
    Mod {
        path: "example.com/a",
        version: "v1.1.0",
        go: "1.21",
        requires: &[("example.com/x", "v1.0.0")],
    },
    Mod {
        path: "example.com/b",
        version: "v1.0.0",
        go: "1.21",
        requires: &[("example.com/a", "v1.1.0")],
    },
    Mod {
        path: "example.com/x",
        version: "v1.0.0",
        go: "1.21",
        requires: &[],
    },
    Mod {
        path: "example.com/u",
        version: "v1.0.0",
        go: "1.16",
        requires: &[("example.com/p", "v1.0.0")],
    },
    Mod {
        path: "example.com/p",
        version: "v1.0.0",
        go: "1.21",
        requires: &[("example.com/q", "v1.0.0")],
    },
    Mod {
        path: "example.com/q",
        version: "v1.0.0",
        go: "1.21",
        requires: &[("example.com/r", "v1.0.0")],
    },
    Mod {
        path: "example.com/r",
        version: "v1.0.0",
        go: "1.21",
        requires: &[],
    },
];

#[test]
fn pruned_root_raised_by_another_root() {
    compare_untidy(
        UNTIDY,
        "module example.com/main\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n",
    );
}

#[test]
fn unpruned_dependency_of_a_pruned_main_loads_its_closure() {
    compare_untidy(
        UNTIDY,
        "module example.com/main\n\ngo 1.21\n\nrequire example.com/u v1.0.0\n",
    );
}

/// A go.work workspace of two modules: Go's `go list -m all` (workspace mode) against
/// godrift's `load` with `use_workspace`.
#[test]
fn workspace_with_work_replace_overriding_module_replace() {
    if Command::new("go").arg("version").output().is_err() {
        println!("skipped: no `go` on PATH");
        return;
    }
    let env = Env {
        tmp: tempfile::tempdir().expect("tempdir"),
    };
    write_proxy(&env.tmp.path().join("proxy"), MODS);
    let ws = env.tmp.path().join("ws");
    for (dir, gm) in [
        (
            "m1",
            "module example.com/m1\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n",
        ),
        (
            "m2",
            "module example.com/m2\n\ngo 1.21\n\nrequire (\n\texample.com/d v1.0.0\n\texample.com/e v1.0.0\n)\n\nreplace example.com/e v1.0.0 => ./missing\n",
        ),
    ] {
        std::fs::create_dir_all(ws.join(dir)).expect("mkdir");
        std::fs::write(ws.join(dir).join("go.mod"), gm).expect("go.mod");
    }
    std::fs::write(
        ws.join("go.work"),
        "go 1.21\n\nuse (\n\t./m1\n\t./m2\n)\n\nreplace example.com/e v1.0.0 => example.com/e v1.1.0\n",
    )
    .expect("go.work");
    // Workspace mode refuses -mod=mod, so go.work.sum is filled by `go mod download`.
    let run = |args: &[&str]| {
        let out = Command::new("go")
            .current_dir(&ws)
            .args(args)
            .env("GOTOOLCHAIN", "local")
            .env(
                "GOPROXY",
                format!("file://{}", env.tmp.path().join("proxy").display()),
            )
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "")
            .env("GOWORK", ws.join("go.work"))
            .env("GOPATH", env.gopath())
            .env("GOMODCACHE", env.modcache())
            .output()
            .expect("go");
        assert!(
            out.status.success(),
            "go {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let want: Vec<String> = run(&["list", "-m", "all"])
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 2).then(|| format!("{} {}", f[0], f[1]))
        })
        .collect();
    // f is only reached through go.work's replacement of e (m2's own one would fail).
    assert!(want.iter().any(|l| l == "example.com/f v1.0.0"), "{want:?}");
    let opts = LoadOptions {
        gomodcache: env.modcache(),
        ..LoadOptions::default()
    };
    let cache = graph::ModCache::new();
    let list = graph::Loader::new(&opts, &cache)
        .load_workspace(&ws.join("go.work"))
        .expect("load");
    let got: Vec<String> = list
        .modules
        .iter()
        .map(|m| format!("{} {}", m.module.path, m.module.version))
        .collect();
    assert_eq!(got, want);
    assert_eq!(list.main, ["example.com/m1", "example.com/m2"]);
    assert!(list.missing.is_empty(), "missing: {:?}", list.missing);
}

/// cmd/go's own workspace scripts (all modules local), replayed with the real `go` and
/// compared line by line with `load_workspace`.
#[test]
fn workspace_scripts_match_real_go() {
    if Command::new("go").arg("version").output().is_err() {
        println!("skipped: no `go` on PATH");
        return;
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar-tests/data/cmdgo-scripts");
    for name in ["work_prune.txt", "work_prune_all.txt", "work_replace.txt"] {
        let text = std::fs::read_to_string(data.join(name)).expect("script");
        let tmp = tempfile::tempdir().expect("tempdir");
        let ws = tmp.path();
        // Minimal txtar: `-- name --` lines start files.
        let mut cur: Option<(String, String)> = None;
        let mut files = Vec::new();
        for line in text.lines() {
            if let Some(n) = line.strip_prefix("-- ").and_then(|l| l.strip_suffix(" --")) {
                files.extend(cur.take());
                cur = Some((n.to_string(), String::new()));
            } else if let Some((_, body)) = cur.as_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
        files.extend(cur);
        for (n, body) in files {
            let p = ws.join(n);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, body).expect("write");
        }
        let out = Command::new("go")
            .current_dir(ws)
            .args(["list", "-m", "all"])
            .env("GOTOOLCHAIN", "local")
            .env("GOPROXY", "off")
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "")
            .env("GOWORK", ws.join("go.work"))
            .env("GOPATH", ws.join("gopath"))
            .env("GOMODCACHE", ws.join("gopath/pkg/mod"))
            .output()
            .expect("go");
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect();
        let opts = LoadOptions {
            gomodcache: ws.join("gopath/pkg/mod"),
            ..LoadOptions::default()
        };
        let cache = graph::ModCache::new();
        let list = graph::Loader::new(&opts, &cache)
            .load_workspace(&ws.join("go.work"))
            .expect("load");
        let mut got = list.main.clone();
        for m in &list.modules {
            let mut l = format!("{} {}", m.module.path, m.module.version);
            match &m.replace {
                Some(graph::Replacement::Dir { path, .. }) => l.push_str(&format!(" => {path}")),
                Some(graph::Replacement::Module { module }) => {
                    l.push_str(&format!(" => {} {}", module.path, module.version))
                }
                None => {}
            }
            got.push(l);
        }
        assert_eq!(got, want, "{name}");
    }
}
