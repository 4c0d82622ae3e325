//! Vendored-source integrity through `godrift report`: edits named against the module
//! cache's pristine copy, classified as the runtime will see them; a tampered module cache;
//! symlinks never followed.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn report(dir: &Path, modcache: &Path) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(dir)
        .args(["report", "--format", "json", "--quiet", "--no-cache"])
        .env("GOMODCACHE", modcache)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run");
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from)
        .expect("read_dir")
        .filter_map(Result::ok)
    {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

#[test]
fn edits_are_found_named_and_classified() {
    let dir = root().join("fixtures/report/vendor-edits");
    let (code, v) = report(&dir, &dir.join("modcache"));
    assert_eq!(code, 1);
    insta::assert_json_snapshot!("vendor_edits", v);
    let findings = v["findings"].as_array().expect("findings");
    let has = |code: &str, sev: &str, needle: &str| {
        findings.iter().any(|f| {
            f["code"] == code
                && f["severity"] == sev
                && f["message"].as_str().is_some_and(|m| m.contains(needle))
        })
    };
    assert!(has(
        "GD009",
        "error",
        "edited vendor/ has edited files of example.com/lib@v1.0.0: they differ from example.com/lib@v1.0.0 in the module cache: vendor/example.com/lib/lib.go (lines inserted"
    ));
    assert!(has(
        "GD009",
        "info",
        "host vendor/ has edited files of example.com/lib@v1.0.0: they differ from example.com/lib@v1.0.0 in the module cache: vendor/example.com/lib/more.go (only a comment"
    ));
    assert!(has(
        "GD010",
        "error",
        "vendor/example.com/lib/extra.go (only in edited)"
    ));
    let diff = findings
        .iter()
        .find(|f| f["code"] == "GD009" && f["severity"] == "error")
        .and_then(|f| f["diff"].as_str())
        .expect("diff");
    assert!(diff.contains("+\n") || diff.contains("+\r\n"), "{diff}");
}

#[test]
fn tampered_module_cache_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    // go.sum records the pristine hash; then the cache copy is modified.
    let m = godrift::module::ModuleVersion::new("example.com/lib", "v1.0.0");
    let cache = dir.join("modcache/example.com/lib@v1.0.0");
    let h1 = godrift::dirhash::hash_module_dir(&m, &cache).expect("hash");
    std::fs::write(
        dir.join("host/go.sum"),
        format!("example.com/lib v1.0.0 {h1}\n"),
    )
    .expect("go.sum");
    std::fs::write(
        cache.join("lib.go"),
        "package lib\n\nfunc V() int { return 42 }\n",
    )
    .expect("tamper");
    let (_, v) = report(&dir, &dir.join("modcache"));
    let f = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "GD011")
        .cloned()
        .expect("GD011");
    assert!(f["message"].as_str().unwrap_or("").contains(&h1), "{f}");
}

#[cfg(unix)]
#[test]
fn symlinks_in_vendor_are_reported_not_followed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    let outside = tmp.path().join("outside.go");
    std::fs::write(&outside, "package secret\n").expect("write");
    std::os::unix::fs::symlink(&outside, dir.join("host/vendor/example.com/lib/link.go"))
        .expect("symlink");
    let tree = godrift::integrity::scan(&dir.join("host/vendor"), None, None);
    assert!(tree
        .symlinks
        .contains(&"example.com/lib/link.go".to_string()));
    assert!(tree.get("example.com/lib/link.go").is_none());
    let (_, v) = report(&dir, &dir.join("modcache"));
    assert!(v["findings"]
        .as_array()
        .expect("f")
        .iter()
        .any(|f| f["message"]
            .as_str()
            .unwrap_or("")
            .contains("symbolic link")));
}

#[test]
fn crlf_only_difference_is_may_break() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    let f = dir.join("host/vendor/example.com/lib/lib.go");
    let text = std::fs::read_to_string(&f)
        .expect("read")
        .replace('\n', "\r\n");
    std::fs::write(&f, text).expect("write");
    let (_, v) = report(&dir, &dir.join("modcache"));
    assert!(v["findings"].as_array().expect("f").iter().any(|f| {
        f["code"] == "GD009"
            && f["severity"] == "warning"
            && f["message"].as_str().unwrap_or("").contains("line endings")
    }));
}

#[test]
fn content_cache_reuses_unchanged_files_only() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let vendor = tmp.path().join("vendor");
    let cache = tmp.path().join("cache");
    std::fs::create_dir_all(vendor.join("example.com/x")).expect("mkdir");
    let (a, b) = (
        vendor.join("example.com/x/a.go"),
        vendor.join("example.com/x/b.go"),
    );
    std::fs::write(&a, "package x\n").expect("write");
    std::fs::write(&b, "package x // b\n").expect("write");
    let first = godrift::integrity::scan(&vendor, Some(&cache), None);
    let plain = godrift::integrity::scan(&vendor, None, None);
    assert_eq!(first.dirs, plain.dirs);
    // Served from the cache where it holds the files (the unit tests in integrity::tree
    // poison it to prove hits), the same answer...
    let second = godrift::integrity::scan(&vendor, Some(&cache), None);
    assert_eq!(second.dirs, plain.dirs);
    assert!(std::fs::read_dir(&cache).expect("cache dir").count() > 0);
    // ...and a changed file is re-hashed.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&a, "package x\n\n").expect("rewrite");
    let third = godrift::integrity::scan(&vendor, Some(&cache), None);
    assert_eq!(
        third.digest("example.com/x/a.go").copied(),
        godrift::integrity::hash::hash_file(&a, Default::default())
            .expect("hash")
            .digest
    );
}

/// A pristine vendored package (every copied file identical to the module cache's) with one
/// file more: the one-pass check for untouched modules must not hide it.
#[test]
fn a_file_added_to_an_otherwise_pristine_package_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    // The host's copy made pristine (the fixture appends a comment to more.go).
    std::fs::copy(
        dir.join("modcache/example.com/lib@v1.0.0/more.go"),
        dir.join("host/vendor/example.com/lib/more.go"),
    )
    .expect("copy");
    let (_, v) = report(&dir, &dir.join("modcache"));
    let about_host = |v: &serde_json::Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| format!("{} {}", f["code"], f["message"]))
            .filter(|m| m.contains("host vendor/"))
            .collect()
    };
    assert_eq!(
        about_host(&v),
        Vec::<String>::new(),
        "the host's copy is pristine"
    );
    std::fs::write(
        dir.join("host/vendor/example.com/lib/added.go"),
        "package lib\n",
    )
    .expect("write");
    let (_, v) = report(&dir, &dir.join("modcache"));
    let msgs = about_host(&v);
    assert!(
        msgs.iter().any(|m| m.starts_with("\"GD010\"")
            && m.contains("vendor/example.com/lib/added.go (not in the source: added by hand?)")),
        "{msgs:#?}"
    );
}

#[test]
fn deleted_files_and_licences_are_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    // The module cache has a LICENSE that the host's vendor tree lacks, and the host lost
    // more.go.
    std::fs::write(dir.join("modcache/example.com/lib@v1.0.0/LICENSE"), "BSD\n").expect("licence");
    std::fs::remove_file(dir.join("host/vendor/example.com/lib/more.go")).expect("rm");
    let (_, v) = report(&dir, &dir.join("modcache"));
    let msgs: Vec<String> = v["findings"]
        .as_array()
        .expect("f")
        .iter()
        .map(|f| format!("{} {} {}", f["code"], f["severity"], f["message"]))
        .collect();
    // One finding for the module, listing both files: the missing Go file makes it a
    // warning; the licence alone would be info.
    assert!(
        msgs.iter().any(|m| m.starts_with("\"GD010\" \"warning\"")
            && m.contains("host vendor/ differs from the files `go mod vendor` copies")
            && m.contains("vendor/example.com/lib/more.go (missing)")
            && m.contains("vendor/example.com/lib/LICENSE (missing)")),
        "{msgs:#?}"
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_reported_and_the_rest_compared() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let vendor = tmp.path().join("vendor/example.com/x");
    std::fs::create_dir_all(&vendor).expect("mkdir");
    std::fs::write(vendor.join("ok.go"), "package x\n").expect("write");
    let locked = vendor.join("locked.go");
    std::fs::write(&locked, "package x\n").expect("write");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_ok() {
        println!("skipped: running as root, permissions do not block reads");
        return;
    }
    let tree = godrift::integrity::scan(&tmp.path().join("vendor"), None, None);
    assert!(tree.digest("example.com/x/ok.go").is_some());
    assert!(matches!(
        tree.get("example.com/x/locked.go"),
        Some(Err(godrift::integrity::Unhashed::Unreadable(_)))
    ));
}

/// godrift as a user that permissions apply to: as root (CI runs as root), dropped to
/// `nobody` with setpriv; the tree is made world-readable first, except what the test locks.
fn report_unprivileged(dir: &Path, modcache: &Path) -> serde_json::Value {
    use std::os::unix::fs::PermissionsExt;
    let bin = env!("CARGO_BIN_EXE_godrift");
    let args = ["report", "--format", "json", "--quiet", "--no-cache"];
    let root = support::is_root();
    let mut cmd = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c.args(args);
        c
    } else {
        let mut c = Command::new(bin);
        c.args(args);
        c
    };
    // Every ancestor must be traversable by `nobody`.
    let mut p = dir.to_path_buf();
    while let Some(parent) = p.parent() {
        if parent.as_os_str().is_empty() || parent == Path::new("/") {
            break;
        }
        if let Ok(m) = std::fs::metadata(parent) {
            let mode = m.permissions().mode();
            if mode & 0o005 != 0o005 && parent.starts_with(std::env::temp_dir()) {
                let _ =
                    std::fs::set_permissions(parent, std::fs::Permissions::from_mode(mode | 0o755));
            }
        }
        p = parent.to_path_buf();
    }
    let out = cmd
        .current_dir(dir)
        .env("GOMODCACHE", modcache)
        .env("HOME", dir)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run godrift");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn chmod_tree(p: &Path, dirs: u32, files: u32) {
    use std::os::unix::fs::PermissionsExt;
    for e in std::fs::read_dir(p)
        .expect("read_dir")
        .filter_map(Result::ok)
    {
        let path = e.path();
        if e.file_type().expect("type").is_dir() {
            chmod_tree(&path, dirs, files);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(dirs)).expect("chmod");
        } else {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(files)).expect("chmod");
        }
    }
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(dirs)).expect("chmod");
}

fn messages(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| format!("{} {} {}", f["code"], f["severity"], f["message"]))
        .collect()
}

#[test]
fn unreadable_vendor_directory_is_named_not_missing() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    chmod_tree(&dir, 0o755, 0o644);
    let locked = dir.join("host/vendor/example.com/lib");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let v = report_unprivileged(&dir, &dir.join("modcache"));
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let msgs = messages(&v);
    assert!(
        msgs.iter().any(|m| m.starts_with("\"GD090\"")
            && m.contains("host: 1 vendor/ path(s) were not compared")
            && m.contains("vendor/example.com/lib could not be read")),
        "{msgs:#?}"
    );
    assert!(
        !msgs
            .iter()
            .any(|m| m.contains("(missing)") || m.contains("only in edited")),
        "files of an unreadable directory reported as missing: {msgs:#?}"
    );
}

#[test]
fn unreadable_module_cache_file_is_named_not_an_edit() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    chmod_tree(&dir, 0o755, 0o644);
    let locked = dir.join("modcache/example.com/lib@v1.0.0/lib.go");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let v = report_unprivileged(&dir, &dir.join("modcache"));
    let msgs = messages(&v);
    // The host's lib.go is pristine: it must not be called edited.
    assert!(
        !msgs
            .iter()
            .any(|m| m.contains("host vendor/ has edited files") && m.contains("lib.go")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter().any(|m| m.starts_with("\"GD090\"")
            && m.contains(
                "host: files of example.com/lib@v1.0.0 in the module cache could not be read"
            )
            && m.contains("example.com/lib@v1.0.0/lib.go could not be read")),
        "{msgs:#?}"
    );
}

#[test]
fn sparse_huge_vendored_file_is_capped_and_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    let huge = dir.join("host/vendor/example.com/lib/huge.bin");
    std::fs::File::create(&huge)
        .expect("create")
        .set_len(8 << 30)
        .expect("sparse 8 GiB");
    let t = std::time::Instant::now();
    let (_, v) = report(&dir, &dir.join("modcache"));
    let msgs = messages(&v);
    assert!(
        msgs.iter().any(|m| m.starts_with("\"GD090\"")
            && m.contains("huge.bin is 8589934592 bytes, over the 64 MiB per-file limit")),
        "{msgs:#?}"
    );
    assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
}

#[test]
fn cache_is_never_written_to_the_current_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    let listing = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("read_dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = listing(&dir);
    for (home, xdg) in [("", None), ("", Some("rel-cache")), ("rel-home", Some(""))] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_godrift"));
        cmd.current_dir(&dir)
            .args(["report", "--format", "json", "--quiet"])
            .env("GOMODCACHE", dir.join("modcache"))
            .env("HOME", home)
            .env_remove("GODRIFT_CACHE_DIR")
            .env_remove("GITHUB_STEP_SUMMARY");
        match xdg {
            Some(x) => cmd.env("XDG_CACHE_HOME", x),
            None => cmd.env_remove("XDG_CACHE_HOME"),
        };
        let out = cmd.output().expect("run");
        assert!(out.status.code().is_some(), "{out:?}");
        assert_eq!(
            listing(&dir),
            before,
            "HOME={home:?} XDG_CACHE_HOME={xdg:?}"
        );
    }
}

/// A vendored file of 256 KiB or more truncated while godrift hashes it: godrift used to
/// memory-map such files and died of SIGBUS. Many large files, truncated and restored in a
/// loop while reports run.
#[test]
fn truncating_large_vendored_files_during_a_run_does_not_kill_godrift() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    let big: Vec<PathBuf> = (0..64)
        .map(|i| dir.join(format!("host/vendor/example.com/lib/big{i}.dat")))
        .collect();
    let body = vec![b'x'; 1 << 20];
    for p in &big {
        std::fs::write(p, &body).expect("write");
    }
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let churn = {
        let (stop, big) = (stop.clone(), big.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for p in &big {
                    if let Ok(f) = std::fs::OpenOptions::new().write(true).open(p) {
                        let _ = f.set_len(0);
                        let _ = f.set_len(1 << 20);
                    }
                }
            }
        })
    };
    let mut signals = Vec::new();
    for _ in 0..15 {
        let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
            .current_dir(&dir)
            .args(["report", "--format", "json", "--quiet", "--no-cache"])
            .env("GOMODCACHE", dir.join("modcache"))
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .expect("run");
        if let Some(sig) = out.status.signal() {
            signals.push(sig);
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    churn.join().expect("churn");
    assert!(signals.is_empty(), "godrift killed by signals {signals:?}");
}

/// The cache files of the format before this one (a text file per tree) are removed from
/// the cache directory by the next report that uses the cache; nothing else there is
/// touched: current cache files, look-alike names, directories and symbolic links.
#[test]
fn a_report_removes_the_cache_files_of_the_earlier_format_and_nothing_else() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("p");
    copy_dir(&root().join("fixtures/report/vendor-edits"), &dir);
    let cache = tmp.path().join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let legacy = ["vendor-0123456789abcdef.tsv", "src-fedcba9876543210.json"];
    let kept = [
        "vendor-0123456789abcdeg.tsv",
        "src-0123456789abcdef.json.bak",
        "vendor-0123.tsv",
        "notes.txt",
    ];
    for name in legacy.iter().chain(&kept) {
        std::fs::write(cache.join(name), "x").unwrap();
    }
    std::fs::create_dir(cache.join("src-00000000000000aa.json")).unwrap();
    std::os::unix::fs::symlink(
        cache.join("notes.txt"),
        cache.join("vendor-00000000000000bb.tsv"),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(&dir)
        .args(["report", "--format", "json", "--quiet"])
        .env("GOMODCACHE", dir.join("modcache"))
        .env("GODRIFT_CACHE_DIR", &cache)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    for name in legacy {
        assert!(!cache.join(name).exists(), "{name} should be gone");
    }
    for name in kept {
        assert!(cache.join(name).is_file(), "{name} should stay");
    }
    assert!(cache.join("src-00000000000000aa.json").is_dir());
    assert!(cache
        .join("vendor-00000000000000bb.tsv")
        .symlink_metadata()
        .unwrap()
        .file_type()
        .is_symlink());
    // The report wrote its own cache files there (the current format).
    let bins = std::fs::read_dir(&cache)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".bin"))
        .count();
    assert!(bins > 0, "no cache file written");
    // With --no-cache, the directory is not touched.
    std::fs::write(cache.join(legacy[0]), "x").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(&dir)
        .args(["report", "--format", "json", "--quiet", "--no-cache"])
        .env("GOMODCACHE", dir.join("modcache"))
        .env("GODRIFT_CACHE_DIR", &cache)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert!(cache.join(legacy[0]).is_file());
}
