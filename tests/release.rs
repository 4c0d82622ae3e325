//! Release machinery (issue 16 item 1): the archive scripts/package.sh makes is the one
//! `cargo binstall` looks for (Cargo.toml's [package.metadata.binstall] templates, expanded
//! as binstall does), its binary runs; scripts/check-tag.sh refuses a tag that is not the
//! crate's version; the workflows parse and release what they say.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cargo_toml() -> toml::Table {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    text.parse().unwrap()
}

fn version() -> String {
    cargo_toml()["package"]["version"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A binstall template with binstall's variables for `target` (repo, name, version,
/// target, archive-suffix from pkg-fmt, bin, binary-ext).
fn expand(template: &str, target: &str) -> String {
    let t = cargo_toml();
    let pkg = &t["package"];
    let fmt = pkg["metadata"]["binstall"]["pkg-fmt"].as_str().unwrap();
    let suffix = match fmt {
        "tgz" => ".tgz",
        "txz" => ".txz",
        "zip" => ".zip",
        other => panic!("pkg-fmt {other} not handled by this test"),
    };
    template
        .replace("{ repo }", pkg["repository"].as_str().unwrap())
        .replace("{ name }", pkg["name"].as_str().unwrap())
        .replace("{ version }", pkg["version"].as_str().unwrap())
        .replace("{ target }", target)
        .replace("{ archive-suffix }", suffix)
        .replace("{ bin }", "godrift")
        .replace("{ binary-ext }", "")
}

#[test]
fn the_archive_is_where_binstall_looks_and_its_binary_runs() {
    let t = cargo_toml();
    let meta = &t["package"]["metadata"]["binstall"];
    let target = "x86_64-unknown-linux-gnu";
    let url = expand(meta["pkg-url"].as_str().unwrap(), target);
    let bin_dir = expand(meta["bin-dir"].as_str().unwrap(), target);
    let file = url.rsplit('/').next().unwrap().to_string();
    let tag = format!("v{}", version());
    assert!(
        url.contains(&format!("/releases/download/{tag}/")),
        "binstall must look in the release named by the tag: {url}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(root().join("scripts/package.sh"))
        .arg(env!("CARGO_BIN_EXE_godrift"))
        .arg(target)
        .arg(tmp.path().join("dist"))
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let archive = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert_eq!(
        archive.file_name().unwrap().to_str().unwrap(),
        file,
        "scripts/package.sh names the archive as binstall's pkg-url does"
    );
    // The checksum file is right.
    let sum = std::fs::read_to_string(format!("{}.sha256", archive.display())).unwrap();
    let check = Command::new("sha256sum")
        .arg("-c")
        .current_dir(archive.parent().unwrap())
        .stdin(std::fs::File::open(format!("{}.sha256", archive.display())).unwrap())
        .output()
        .unwrap();
    assert!(check.status.success(), "{sum}");

    let unpack = tmp.path().join("unpacked");
    std::fs::create_dir_all(&unpack).unwrap();
    let st = Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpack)
        .status()
        .unwrap();
    assert!(st.success());
    let bin = unpack.join(&bin_dir);
    assert!(
        bin.is_file(),
        "binstall's bin-dir {bin_dir} is not in the archive"
    );
    let v = Command::new(&bin).arg("--version").output().unwrap();
    assert!(v.status.success());
    assert_eq!(
        String::from_utf8_lossy(&v.stdout).trim(),
        format!("godrift {}", version())
    );

    // Reproducible: the same input gives the same bytes.
    let again = Command::new("bash")
        .arg(root().join("scripts/package.sh"))
        .arg(env!("CARGO_BIN_EXE_godrift"))
        .arg(target)
        .arg(tmp.path().join("dist2"))
        .output()
        .unwrap();
    assert!(again.status.success());
    let a = std::fs::read(&archive).unwrap();
    let b = std::fs::read(String::from_utf8_lossy(&again.stdout).trim()).unwrap();
    assert!(a == b, "package.sh is not reproducible");
}

#[test]
fn a_tag_that_is_not_the_crate_version_is_refused() {
    let run = |tag: &str| {
        Command::new("bash")
            .arg(root().join("scripts/check-tag.sh"))
            .arg(tag)
            .output()
            .unwrap()
    };
    let ok = run(&format!("v{}", version()));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    for bad in [
        version(),
        "v9.9.9".to_string(),
        format!("v{}-rc1", version()),
    ] {
        let r = run(&bad);
        assert!(!r.status.success(), "tag {bad} accepted");
        assert!(String::from_utf8_lossy(&r.stderr).contains("does not match"));
    }
}

fn workflow(name: &str) -> yaml_rust2::Yaml {
    let text = std::fs::read_to_string(root().join(".github/workflows").join(name)).unwrap();
    yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .remove(0)
}

fn steps_text(job: &yaml_rust2::Yaml) -> String {
    let mut s = String::new();
    for step in job["steps"].as_vec().expect("steps") {
        for key in ["run", "uses"] {
            if let Some(v) = step[key].as_str() {
                s.push_str(v);
                s.push('\n');
            }
        }
        if let Some(h) = step["with"].as_hash() {
            for (k, v) in h {
                s.push_str(&format!(
                    "{}={}\n",
                    k.as_str().unwrap_or(""),
                    v.as_str().unwrap_or("")
                ));
            }
        }
    }
    s
}

#[test]
fn the_release_workflow_builds_what_binstall_and_pip_install() {
    let w = workflow("release.yml");
    // A `v*` tag triggers it, and the tag is checked first.
    let tags = &w["on"]["push"]["tags"];
    assert_eq!(tags[0].as_str(), Some("v*"));
    let jobs = &w["jobs"];
    assert!(steps_text(&jobs["check-tag"]).contains("scripts/check-tag.sh"));
    for j in ["archives", "wheels", "sdist"] {
        assert_eq!(jobs[j]["needs"].as_str(), Some("check-tag"), "{j}");
    }
    // Archives: every target through scripts/package.sh, the Linux targets binstall users run.
    let targets: Vec<&str> = jobs["archives"]["strategy"]["matrix"]["target"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    for t in [
        "x86_64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-gnu",
    ] {
        assert!(targets.contains(&t), "no archive for {t}");
    }
    let archives = steps_text(&jobs["archives"]);
    assert!(archives.contains("--locked"));
    assert!(archives.contains("scripts/package.sh"));
    // Wheels with maturin (pyproject.toml's bin bindings), and PyPI gets only wheels/sdist.
    assert!(steps_text(&jobs["wheels"]).contains("PyO3/maturin-action"));
    let publish = steps_text(&jobs["publish"]);
    assert!(publish.contains("pypa/gh-action-pypi-publish"));
    assert!(publish.contains("packages-dir=pypi"));
    assert!(publish.contains("gh release create"));
    assert_eq!(
        jobs["publish"]["permissions"]["id-token"].as_str(),
        Some("write"),
        "trusted publishing"
    );
    // pyproject.toml builds the binary into the wheel.
    let py: toml::Table = std::fs::read_to_string(root().join("pyproject.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(py["tool"]["maturin"]["bindings"].as_str(), Some("bin"));
}

#[test]
fn ci_workflow_runs_the_ci_entry_point() {
    let w = workflow("ci.yml");
    let text = steps_text(&w["jobs"]["ci"]);
    assert!(text.contains("bash .ci/run"), "{text}");
    assert!(Path::new(&root().join(".ci/run")).is_file());
}
