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
