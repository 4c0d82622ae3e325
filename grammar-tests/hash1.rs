//! Conformance of Hash1 (the go.sum `h1:` algorithm) and the module-zip file rules:
//! dirhash test values, the `create*` cases of golang.org/x/mod/zip's testdata, and every
//! go.sum line in cmd/go's script tests recomputed from cmd/go's fake module proxy.

mod common;

use common::{data_dir, load_json, Tally};
use godrift::dirhash;
use godrift::module::ModuleVersion;
use godrift::{gosum, txtar};
use std::collections::HashMap;

#[test]
fn dirhash_hash1() {
    let mut t = Tally::new("dirhash_hash1");
    for c in load_json("xmod-vectors/dirhash_hash1.json")["cases"]
        .as_array()
        .expect("cases")
    {
        let desc = c["desc"].as_str().unwrap_or("");
        let files: Vec<(String, String)> = c["files"]
            .as_object()
            .expect("files")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
            .collect();
        let want = c["want"].as_str().unwrap_or("");
        let got = dirhash::hash1(files.iter().map(|(n, d)| (n.as_str(), d.as_bytes())));
        let ok = match (&got, want) {
            (Err(_), "error") => true,
            (Ok(h), w) => h == w,
            _ => false,
        };
        t.check(ok, || format!("{desc}: got {got:?}, want {want}"));
    }
    t.finish();
}

/// A zip test case: `path=`, `version=`, then `hash=` or `wantErr=` in the comment.
struct ZipCase {
    name: String,
    module: ModuleVersion,
    hash: Option<String>,
    want_err: Option<String>,
    files: Vec<(String, Vec<u8>)>,
}

fn zip_cases(sub: &str) -> Vec<ZipCase> {
    let dir = data_dir(sub);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|p| {
            let a = txtar::parse(&std::fs::read(&p).expect("read case"));
            let mut kv: HashMap<String, String> = HashMap::new();
            for line in String::from_utf8_lossy(&a.comment).lines() {
                if let Some((k, v)) = line.split_once('=') {
                    // Values may carry a trailing `  # note`.
                    let v = v.split("  #").next().unwrap_or(v).trim_end();
                    kv.insert(k.trim().to_string(), v.to_string());
                }
            }
            ZipCase {
                name: p
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                module: ModuleVersion::new(
                    kv.get("path").cloned().unwrap_or_default(),
                    kv.get("version").cloned().unwrap_or_default(),
                ),
                hash: kv.get("hash").cloned(),
                want_err: kv.get("wantErr").cloned(),
                files: a.files,
            }
        })
        .collect()
}

fn check_case(t: &mut Tally, c: &ZipCase, got: Result<String, dirhash::HashError>) {
    match (&c.hash, &c.want_err, got) {
        (Some(h), _, Ok(g)) => t.check(&g == h, || format!("{}: hash {g}, want {h}", c.name)),
        (_, Some(w), Err(e)) => {
            let msg = e.to_string();
            t.check(msg.contains(w.as_str()), || {
                format!("{}: error {msg:?} lacks {w:?}", c.name)
            })
        }
        (_, _, got) => t.check(false, || {
            format!(
                "{}: got {got:?}, want hash {:?} / error {:?}",
                c.name, c.hash, c.want_err
            )
        }),
    }
}

#[test]
fn zip_create() {
    let mut t = Tally::new("zip_create");
    for c in zip_cases("xmod-zip-testdata/create") {
        if c.name == "invalid_utf8_mod_path.txt" {
            // The module path is the byte 0xFF, which our &str paths cannot hold: it is
            // rejected where bytes become text (see the module_checkpath group).
            t.check(String::from_utf8(vec![0xff]).is_err(), || c.name.clone());
            continue;
        }
        let got = dirhash::hash_module_files(&c.module, &c.files);
        check_case(&mut t, &c, got);
    }
    t.finish();
}

#[test]
fn zip_create_from_dir() {
    let mut t = Tally::new("zip_create_from_dir");
    for c in zip_cases("xmod-zip-testdata/create_from_dir") {
        if c.name == "invalid_utf8_mod_path.txt" {
            t.check(String::from_utf8(vec![0xff]).is_err(), || c.name.clone());
            continue;
        }
        let tmp = tempfile::tempdir().expect("tempdir");
        for (name, data) in &c.files {
            let p = tmp.path().join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, data).expect("write");
        }
        let got = dirhash::hash_module_dir(&c.module, tmp.path());
        check_case(&mut t, &c, got);
    }
    t.finish();
}

/// Scripts whose go.sum is corrupted on purpose (per the corpus README).
const CORRUPTED: &[&str] = &["mod_verify.txt", "mod_overlay.txt", "work_sum_mismatch.txt"];

#[test]
fn gosum_scripts() {
    let proxy = common::fake_proxy();
    let mut t = Tally::new("gosum_scripts");
    let dir = data_dir("cmdgo-scripts");
    let mut scripts: Vec<_> = std::fs::read_dir(dir)
        .expect("scripts")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    scripts.sort();
    let mut mismatched_scripts = std::collections::BTreeSet::new();
    for s in scripts {
        let name = s
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let a = txtar::parse(&std::fs::read(&s).expect("read script"));
        for (fname, data) in &a.files {
            // go.sum, go.work.sum, and variants such as go.sum.bad that scripts copy in.
            let base = fname.rsplit('/').next().unwrap_or(fname);
            if !(base.starts_with("go.sum") || base.starts_with("go.work.sum")) {
                continue;
            }
            let parsed = gosum::parse(fname, data);
            let Ok(sum) = parsed else {
                // Only the malformed-go.sum script holds a line Go rejects.
                t.check(name == "malformed_gosum_issue62345.txt", || {
                    format!("{name}/{fname}: {parsed:?}")
                });
                continue;
            };
            for line in &sum.lines {
                // Only h1: is defined; Go ignores lines of other (future) algorithms.
                if !line.hash.starts_with("h1:") {
                    continue;
                }
                let key = format!("{}@{}", line.path, line.version);
                let Some(arch) = proxy.get(&key) else {
                    continue;
                };
                let computed = if line.go_mod {
                    arch.get(".mod").map(dirhash::hash_go_mod)
                } else {
                    let files: Vec<(String, &[u8])> = arch
                        .files
                        .iter()
                        .filter(|(n, _)| n != ".mod" && n != ".info")
                        .map(|(n, d)| (format!("{key}/{n}"), d.as_slice()))
                        .collect();
                    dirhash::hash1(files.iter().map(|(n, d)| (n.as_str(), *d))).ok()
                };
                let Some(computed) = computed else { continue };
                if computed == line.hash {
                    t.check(true, String::new);
                } else {
                    mismatched_scripts.insert(name.clone());
                    println!(
                        "  {name}/{fname}:{}: recorded {} but content hashes to {computed}",
                        line.line, line.hash
                    );
                }
            }
        }
    }
    // Every deliberately corrupted script in the corpus must be caught.
    for c in CORRUPTED {
        if data_dir("cmdgo-scripts").join(c).exists() {
            t.check(mismatched_scripts.contains(*c), || {
                format!("{c}: corrupted sums not detected")
            });
        }
    }
    for s in &mismatched_scripts {
        t.check(CORRUPTED.contains(&s.as_str()), || {
            format!("{s}: a go.sum line differs from the hash recomputed from the fake proxy")
        });
    }
    println!("gosum_scripts: scripts with deliberately corrupted sums: {mismatched_scripts:?}");
    t.finish();
}
