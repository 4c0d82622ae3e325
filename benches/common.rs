//! Scale fixture generators shared by the benchmarks (deterministic: a fixed-seed LCG).
#![allow(dead_code)]

use std::path::Path;

pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// A module cache with `n` modules (two versions each) whose go.mod files require
/// lower-numbered modules, and a host plus `plugins` plugin modules requiring a spread of
/// them. Returns nothing; everything is written under `root`.
pub fn module_graph(root: &Path, n: usize, plugins: usize, seed: u64) {
    let mut r = Lcg::new(seed);
    let cache = root.join("modcache/cache/download");
    for i in 0..n {
        for v in ["v1.0.0", "v1.1.0"] {
            let path = format!("example.com/m{i}");
            let dir = cache.join(&path).join("@v");
            std::fs::create_dir_all(&dir).expect("mkdir");
            let mut gm = format!("module {path}\n\ngo 1.16\n");
            if i > 0 {
                for _ in 0..r.below(4) {
                    let j = r.below(i as u64);
                    let jv = if r.below(2) == 0 { "v1.0.0" } else { "v1.1.0" };
                    gm.push_str(&format!("\nrequire example.com/m{j} {jv}\n"));
                }
            }
            std::fs::write(dir.join(format!("{v}.mod")), &gm).expect("mod");
            std::fs::write(
                dir.join(format!("{v}.info")),
                format!("{{\"Version\":\"{v}\",\"Time\":\"2024-01-01T00:00:00Z\"}}\n"),
            )
            .expect("info");
        }
    }
    let mut write_main = |dir: &Path, path: &str, picks: usize| {
        std::fs::create_dir_all(dir).expect("mkdir");
        let mut gm = format!("module {path}\n\ngo 1.16\n\nrequire (\n");
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..picks {
            let j = n as u64 / 2 + r.below(n as u64 / 2);
            if seen.insert(j) {
                let v = if r.below(5) == 0 { "v1.0.0" } else { "v1.1.0" };
                gm.push_str(&format!("\texample.com/m{j} {v}\n"));
            }
        }
        gm.push_str(")\n");
        std::fs::write(dir.join("go.mod"), gm).expect("go.mod");
    };
    write_main(&root.join("host"), "example.com/host", 60);
    for p in 0..plugins {
        write_main(
            &root.join(format!("plugins/p{p}")),
            &format!("example.com/plugins/p{p}"),
            20,
        );
    }
    std::fs::write(
        root.join("godrift.toml"),
        "[host]\npath = \"host\"\n\n[[plugins]]\npath = \"plugins/*\"\n",
    )
    .expect("config");
}

/// A vendored project as `go mod vendor` leaves it: a host and `plugins` plugins (go 1.22,
/// -trimpath in godrift.toml) vendoring the same valid modules (`example.com/mod{m}`),
/// `files` vendored files in total across all sides (median ~1 KiB, 1% up to ~576 KiB),
/// and the module cache holding the pristine copies with go.sum hashes that match.
/// Returns the total bytes of vendored files.
pub fn vendor_project(root: &Path, files: usize, plugins: usize, seed: u64) -> u64 {
    let mut r = Lcg::new(seed);
    let sides: Vec<String> = std::iter::once("host".to_string())
        .chain((0..plugins).map(|p| format!("plugins/p{p}")))
        .collect();
    let per_side = files / sides.len();
    let modules = (per_side / 40).max(1);
    let mut content: Vec<(usize, String, Vec<u8>)> = Vec::with_capacity(per_side);
    for f in 0..per_side {
        let m = f % modules;
        let size = if r.below(100) == 0 {
            64 * 1024 + r.below(512 * 1024)
        } else {
            200 + r.below(1800)
        };
        let mut body = format!("package mod{m}\n\n// file {f}\n").into_bytes();
        body.extend((0..size).map(|k| b"abcdefghij\n"[((k + f as u64) % 11) as usize]));
        // Every fourth file in a subpackage, as real modules have.
        let rel = if f % 4 == 0 {
            format!("sub/f{f}.go")
        } else {
            format!("f{f}.go")
        };
        content.push((m, rel, body));
    }
    let modcache = root.join("modcache");
    for m in 0..modules {
        let dir = modcache.join(format!("example.com/mod{m}@v1.0.0"));
        std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
        std::fs::write(
            dir.join("go.mod"),
            format!("module example.com/mod{m}\n\ngo 1.21\n"),
        )
        .expect("go.mod");
        std::fs::write(dir.join("LICENSE"), "BSD\n").expect("licence");
    }
    for (m, rel, body) in &content {
        std::fs::write(
            modcache.join(format!("example.com/mod{m}@v1.0.0/{rel}")),
            body,
        )
        .expect("write");
    }
    let mut sum = String::new();
    for m in 0..modules {
        let mv = godrift::module::ModuleVersion::new(format!("example.com/mod{m}"), "v1.0.0");
        let dir = modcache.join(format!("example.com/mod{m}@v1.0.0"));
        let h1 = godrift::dirhash::hash_module_dir(&mv, &dir).expect("h1");
        let gm = std::fs::read(dir.join("go.mod")).expect("go.mod");
        sum.push_str(&format!(
            "example.com/mod{m} v1.0.0 {h1}\nexample.com/mod{m} v1.0.0/go.mod {}\n",
            godrift::dirhash::hash_go_mod(&gm)
        ));
    }
    let mut bytes = 0u64;
    for side in &sides {
        let base = root.join(side);
        let mut txt = String::new();
        for m in 0..modules {
            txt.push_str(&format!(
                "# example.com/mod{m} v1.0.0\n## explicit; go 1.21\nexample.com/mod{m}\nexample.com/mod{m}/sub\n"
            ));
        }
        std::fs::create_dir_all(base.join("vendor")).expect("mkdir");
        std::fs::write(base.join("vendor/modules.txt"), txt).expect("modules.txt");
        let mut gm = format!(
            "module example.com/{}\n\ngo 1.22\n\nrequire (\n",
            side.replace('/', "-")
        );
        for m in 0..modules {
            gm.push_str(&format!("\texample.com/mod{m} v1.0.0\n"));
        }
        gm.push_str(")\n");
        std::fs::write(base.join("go.mod"), gm).expect("go.mod");
        std::fs::write(base.join("go.sum"), &sum).expect("go.sum");
        for m in 0..modules {
            let d = base.join(format!("vendor/example.com/mod{m}"));
            std::fs::create_dir_all(d.join("sub")).expect("mkdir");
            std::fs::write(d.join("LICENSE"), "BSD\n").expect("licence");
        }
        for (m, rel, body) in &content {
            let p = base.join(format!("vendor/example.com/mod{m}/{rel}"));
            std::fs::write(&p, body).expect("write");
            bytes += body.len() as u64;
        }
    }
    std::fs::write(
        root.join("godrift.toml"),
        "[host]\npath = \"host\"\nbuild = { trimpath = true }\n\n[[plugins]]\npath = \"plugins/*\"\nbuild = { trimpath = true }\n",
    )
    .expect("config");
    bytes
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

pub fn time<F: FnMut()>(runs: usize, mut f: F) -> f64 {
    median(
        (0..runs)
            .map(|_| {
                let t = std::time::Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .collect(),
    )
}

/// A host whose go.mod requires `n` modules (each in the module cache, go 1.21, requiring
/// nothing) and one plugin requiring `plugin` of them, every third at a newer version: the
/// shape of `report` with a huge go.mod, each conflict with a proposal that asks what the
/// host's list would become. `go list -m all` reads the same `n` go.mod files (with `info`,
/// the .info files it also needs are written).
pub fn many_requires(root: &Path, n: usize, plugin: usize, info: bool) {
    let cache = root.join("modcache/cache/download");
    let mut host = String::from("module example.com/host\n\ngo 1.21\n\nrequire (\n");
    for i in 0..n {
        let path = format!("example.com/r{i}");
        let dir = cache.join(&path).join("@v");
        std::fs::create_dir_all(&dir).expect("mkdir");
        // v1.1.0 only where the plugin may ask for it (every third module).
        let versions: &[&str] = if i % 3 == 0 {
            &["v1.0.0", "v1.1.0"]
        } else {
            &["v1.0.0"]
        };
        for v in versions {
            std::fs::write(
                dir.join(format!("{v}.mod")),
                format!("module {path}\n\ngo 1.21\n"),
            )
            .expect("mod");
            if info {
                std::fs::write(
                    dir.join(format!("{v}.info")),
                    format!("{{\"Version\":\"{v}\",\"Time\":\"2024-01-01T00:00:00Z\"}}\n"),
                )
                .expect("info");
            }
        }
        host.push_str(&format!("\t{path} v1.0.0\n"));
    }
    host.push_str(")\n");
    std::fs::create_dir_all(root.join("host")).expect("mkdir");
    std::fs::write(root.join("host/go.mod"), host).expect("go.mod");
    let mut p = String::from("module example.com/plugins/p\n\ngo 1.21\n\nrequire (\n");
    for i in (0..n).step_by((n / plugin.max(1)).max(1)).take(plugin) {
        let v = if i % 3 == 0 { "v1.1.0" } else { "v1.0.0" };
        p.push_str(&format!("\texample.com/r{i} {v}\n"));
    }
    p.push_str(")\n");
    std::fs::create_dir_all(root.join("plugins/p")).expect("mkdir");
    std::fs::write(root.join("plugins/p/go.mod"), p).expect("go.mod");
    std::fs::write(
        root.join("godrift.toml"),
        "[host]\npath = \"host\"\n\n[[plugins]]\npath = \"plugins/*\"\n",
    )
    .expect("config");
}

/// The host go.sum `go list -m all` writes for `many_requires`'s tree: the `/go.mod` hash
/// of each required module (the hashes are real: go verifies them).
pub fn many_requires_go_sum(root: &Path, n: usize) {
    let mut lines: Vec<String> = (0..n)
        .map(|i| {
            let path = format!("example.com/r{i}");
            let go_mod = format!("module {path}\n\ngo 1.21\n");
            let h = godrift::dirhash::hash_go_mod(go_mod.as_bytes());
            format!("{path} v1.0.0/go.mod {h}\n")
        })
        .collect();
    // In go's order.
    lines.sort();
    std::fs::write(root.join("host/go.sum"), lines.concat()).expect("go.sum");
}

/// What `package_tree` generated.
pub struct PackageTree {
    pub packages: usize,
    pub go_files: usize,
    pub bytes: u64,
    /// Main-module directories: the host first, then the plugins.
    pub sides: Vec<std::path::PathBuf>,
}

const STD: &[&str] = &[
    "bytes",
    "context",
    "encoding/json",
    "errors",
    "fmt",
    "io",
    "net/http",
    "os",
    "sort",
    "strconv",
    "strings",
    "sync",
    "time",
];

/// A Go file as real code looks: a licence header, sometimes a build constraint, the
/// package clause, an import block, then a body several times the header's size.
fn go_file(r: &mut Lcg, pkg: &str, imports: &[String], constraint: Option<&str>) -> String {
    let mut s = String::from(
        "// Copyright 2024 The Example Authors. All rights reserved.\n\
         // Use of this source code is governed by a BSD-style\n\
         // license that can be found in the LICENSE file.\n\n",
    );
    if let Some(c) = constraint {
        s.push_str(&format!("//go:build {c}\n\n"));
    }
    s.push_str(&format!("// Package {pkg} does things.\npackage {pkg}\n\n"));
    if !imports.is_empty() {
        s.push_str("import (\n");
        for i in imports {
            s.push_str(&format!("\t_ {i:?}\n"));
        }
        s.push_str(")\n\n");
    }
    for f in 0..(5 + r.below(40)) {
        s.push_str(&format!(
            "// F{f} returns a value computed from its argument.\nfunc F{f}(x int) int {{\n\tif x > {f} {{\n\t\treturn x * {f}\n\t}}\n\treturn x + {f}\n}}\n\n"
        ));
    }
    s
}

/// Writes the files of one package (about six .go files: a few with `_linux`/`_windows`
/// suffixes or build constraints, one test) importing `deps` and some standard packages.
fn write_package(
    r: &mut Lcg,
    dir: &Path,
    name: &str,
    deps: &[String],
    files: &mut usize,
    bytes: &mut u64,
) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let n = 4 + r.below(4) as usize;
    for f in 0..n {
        let mut imports: Vec<String> = Vec::new();
        // Spread the imports over the files; std in each.
        for (k, d) in deps.iter().enumerate() {
            if k % n == f {
                imports.push(d.clone());
            }
        }
        imports.push(STD[r.below(STD.len() as u64) as usize].to_string());
        imports.sort();
        imports.dedup();
        let (file, constraint) = match f {
            1 => (format!("{name}_linux.go"), None),
            2 => (format!("{name}_windows.go"), None),
            3 => (format!("{name}_other.go"), Some("!linux && !windows")),
            _ => (format!("{name}{f}.go"), None),
        };
        let text = go_file(r, name, &imports, constraint);
        *bytes += text.len() as u64;
        std::fs::write(dir.join(file), text).expect("write");
        *files += 1;
    }
    let test = format!("package {name}\n\nimport \"testing\"\n\nfunc TestF(t *testing.T) {{}}\n");
    std::fs::write(dir.join(format!("{name}_test.go")), test).expect("write");
    *files += 1;
}

/// A host and `plugins` plugin modules over a shared module cache of `modules` modules with
/// `per_module` packages each (imports form a DAG: packages import packages of
/// lower-numbered modules and earlier packages of their own module). The cache is laid
/// out as Go leaves it (extracted tree, .mod, .info, .ziphash), so `go list` runs offline
/// with GOFLAGS=-mod=mod and GOSUMDB=off.
pub fn package_tree(
    root: &Path,
    modules: usize,
    per_module: usize,
    plugins: usize,
    seed: u64,
) -> PackageTree {
    let mut r = Lcg::new(seed);
    let cache = root.join("modcache");
    let mut files = 0usize;
    let mut bytes = 0u64;
    let mut packages = 0usize;
    // Module-level requirements (i -> lower modules) and package import paths.
    let mut mod_deps: Vec<std::collections::BTreeSet<usize>> = Vec::new();
    let pkg_path = |m: usize, p: usize| format!("example.com/m{m}/p{p}");
    for m in 0..modules {
        let path = format!("example.com/m{m}");
        let dir = cache.join(format!("{path}@v1.0.0"));
        let mut deps_here = std::collections::BTreeSet::new();
        for p in 0..per_module {
            let mut deps: Vec<String> = Vec::new();
            if p > 0 {
                deps.push(pkg_path(m, r.below(p as u64) as usize));
            }
            if m > 0 {
                for _ in 0..(1 + r.below(3)) {
                    // Mostly near neighbours, sometimes far: long import chains, wide fan-in.
                    let lo = if r.below(4) == 0 {
                        0
                    } else {
                        m.saturating_sub(25)
                    };
                    let dm = lo + r.below((m - lo) as u64) as usize;
                    deps.push(pkg_path(dm, r.below(per_module as u64) as usize));
                    deps_here.insert(dm);
                }
            }
            write_package(
                &mut r,
                &dir.join(format!("p{p}")),
                &format!("p{p}"),
                &deps,
                &mut files,
                &mut bytes,
            );
            packages += 1;
        }
        let mut gm = format!("module {path}\n\ngo 1.21\n");
        if !deps_here.is_empty() {
            gm.push_str("\nrequire (\n");
            for d in &deps_here {
                gm.push_str(&format!("\texample.com/m{d} v1.0.0\n"));
            }
            gm.push_str(")\n");
        }
        std::fs::write(dir.join("go.mod"), &gm).expect("go.mod");
        let dl = cache.join("cache/download").join(&path).join("@v");
        std::fs::create_dir_all(&dl).expect("mkdir");
        std::fs::write(dl.join("v1.0.0.mod"), &gm).expect("mod");
        std::fs::write(
            dl.join("v1.0.0.info"),
            "{\"Version\":\"v1.0.0\",\"Time\":\"2024-01-01T00:00:00Z\"}\n",
        )
        .expect("info");
        std::fs::write(
            dl.join("v1.0.0.ziphash"),
            "h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        )
        .expect("ziphash");
        mod_deps.push(deps_here);
    }
    // A main module importing `roots` cache packages from its own packages.
    let mut write_main =
        |dir: &Path, path: &str, roots: Vec<(usize, usize)>, own: usize, host: bool| {
            let mut needed = std::collections::BTreeSet::new();
            let mut stack: Vec<usize> = roots.iter().map(|(m, _)| *m).collect();
            while let Some(m) = stack.pop() {
                if needed.insert(m) {
                    stack.extend(mod_deps[m].iter().copied());
                }
            }
            let mut gm = format!("module {path}\n\ngo 1.22\n\nrequire (\n");
            for m in &needed {
                gm.push_str(&format!("\texample.com/m{m} v1.0.0\n"));
            }
            gm.push_str(")\n");
            std::fs::create_dir_all(dir).expect("mkdir");
            std::fs::write(dir.join("go.mod"), gm).expect("go.mod");
            // Own packages split the roots between them; the main package imports them all.
            let mut own_paths = Vec::new();
            for o in 0..own {
                let deps: Vec<String> = roots
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| k % own == o)
                    .map(|(_, (m, p))| pkg_path(*m, *p))
                    .collect();
                write_package(
                    &mut r,
                    &dir.join(format!("internal/o{o}")),
                    &format!("o{o}"),
                    &deps,
                    &mut files,
                    &mut bytes,
                );
                own_paths.push(format!("{path}/internal/o{o}"));
                packages += 1;
            }
            let main_dir = if host {
                dir.join("cmd/host")
            } else {
                dir.to_path_buf()
            };
            std::fs::create_dir_all(&main_dir).expect("mkdir");
            let mut imports = own_paths;
            if host {
                imports.push("plugin".into());
            }
            let mut text = go_file(&mut r, "main", &imports, None);
            text.push_str("func main() {}\n");
            bytes += text.len() as u64;
            std::fs::write(main_dir.join("main.go"), text).expect("main");
            files += 1;
            packages += 1;
        };
    let mut sides = vec![root.join("host")];
    let host_roots: Vec<(usize, usize)> = (0..modules.min(60))
        .map(|k| (modules - 1 - k, k % per_module))
        .collect();
    write_main(&root.join("host"), "example.com/host", host_roots, 20, true);
    for p in 0..plugins {
        let dir = root.join(format!("plugins/p{p}"));
        let proots: Vec<(usize, usize)> = (0..12)
            .map(|k| {
                let m = modules / 2 + (p * 37 + k * 11) % (modules / 2);
                (m, (p + k) % per_module)
            })
            .collect();
        write_main(&dir, &format!("example.com/plugins/p{p}"), proots, 3, false);
        sides.push(dir);
    }
    PackageTree {
        packages,
        go_files: files,
        bytes,
        sides,
    }
}

/// One run of a command: wall seconds, CPU seconds (user + system) and peak resident set
/// (KiB) of that process alone (from wait4), and its exit code.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub wall: f64,
    pub cpu: f64,
    pub rss_kib: u64,
    pub code: i32,
}

/// Runs `cmd` with its output read and dropped, measured by `Run`.
// The child is reaped by wait4 (for its own resource usage), not Child::wait.
#[allow(clippy::zombie_processes)]
pub fn measure(cmd: &mut std::process::Command) -> Run {
    use std::io::Read;
    let start = std::time::Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // Read the output as a user's pipe would (a full pipe would stall the child).
    let mut out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = out.read_to_end(&mut sink);
        sink.len()
    });
    let mut status = 0;
    // SAFETY: wait4 fills the zeroed rusage and status for the child it reaps (ours).
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    assert_eq!(r, pid, "wait4");
    let wall = start.elapsed().as_secs_f64();
    std::hint::black_box(reader.join().expect("reader"));
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    Run {
        wall,
        cpu: secs(ru.ru_utime) + secs(ru.ru_stime),
        rss_kib: ru.ru_maxrss as u64,
        code: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
    }
}

/// Medians of wall, CPU and peak RSS over runs.
pub fn medians(runs: &[Run]) -> Run {
    let m = |f: &dyn Fn(&Run) -> f64| median(runs.iter().map(f).collect());
    Run {
        wall: m(&|r| r.wall),
        cpu: m(&|r| r.cpu),
        rss_kib: m(&|r| r.rss_kib as f64) as u64,
        code: 0,
    }
}

/// `go list -m all` in the generated host (`root/host`), offline, over the generated module
/// cache (`root/modcache`): the baseline of the report benches.
pub fn go_list_all(root: &Path) -> std::process::Command {
    let mut c = std::process::Command::new("go");
    c.current_dir(root.join("host"))
        .args(["list", "-m", "all"])
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("GOMODCACHE", root.join("modcache"));
    c
}
