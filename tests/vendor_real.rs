//! Vendored trees exactly as `go mod vendor` makes them, on real modules from the Go
//! module proxy (downloaded once into a test-private module cache under target/):
//! - the files godrift expects for each vendored module are exactly the files
//!   `go mod vendor` wrote (dotfiles kept, `//go:build ignore` files and tests dropped,
//!   licences from parent directories, embedded files);
//! - a fresh vendor on both sides gives no GD009/GD010/GD011;
//! - an edited vendored file is still found, on the side that edited it.

mod support;

use godrift::integrity::{self, select};
use std::collections::BTreeSet;
use std::path::Path;
use support::GoEnv;

const REQUIRES: &str = "require (
\tgithub.com/spf13/cobra v1.8.1
\tgolang.org/x/net v0.27.0
\tgolang.org/x/sys v0.22.0
\tgolang.org/x/text v0.16.0
\tgopkg.in/yaml.v3 v3.0.1
)
";

const IMPORTS: &str = "import (
\t\"github.com/spf13/cobra\"
\t\"golang.org/x/net/publicsuffix\"
\t\"golang.org/x/sys/unix\"
\t\"golang.org/x/text/language\"
\t\"gopkg.in/yaml.v3\"
)

func use() {
\t_ = cobra.Command{}
\t_, _ = publicsuffix.PublicSuffix(\"example.com\")
\t_ = unix.Getpid()
\t_ = language.English
\t_, _ = yaml.Marshal(1)
}
";

/// A host (go 1.22) and a plugin (go 1.21: test files' embeds count there) vendoring the
/// same modules, made by `go mod tidy` and `go mod vendor`.
fn project(env: &GoEnv, root: &Path) {
    for (dir, module, go, pkg) in [
        ("host", "example.com/host", "1.22", "main"),
        ("plugins/p1", "example.com/p1", "1.21", "main"),
    ] {
        let d = root.join(dir);
        support::write_files(
            &d,
            &[
                (
                    "go.mod",
                    &format!("module {module}\n\ngo {go}\n\n{REQUIRES}"),
                ),
                (
                    "main.go",
                    &format!("package {pkg}\n\n{IMPORTS}\nfunc main() {{ use() }}\n"),
                ),
            ],
        );
        env.go(&d, &["mod", "tidy"]);
        env.go(&d, &["mod", "vendor"]);
    }
    std::fs::write(
        root.join("godrift.toml"),
        "[host]\npath = \"host\"\nbuild = { trimpath = true }\n\n[[plugins]]\npath = \"plugins/*\"\nbuild = { trimpath = true }\n",
    )
    .expect("godrift.toml");
}

fn env() -> GoEnv {
    // Reused across runs: the proxy is asked once per machine.
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("vendor-real");
    GoEnv::new(&cache).with_real_proxy()
}

fn vendor_codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            matches!(f["code"].as_str(), Some("GD009" | "GD010" | "GD011"))
                || f["message"].as_str().unwrap_or("").contains("vendor/")
        })
        .map(|f| format!("{} {} {}", f["code"], f["severity"], f["message"]))
        .collect()
}

fn report(env: &GoEnv, dir: &Path) -> serde_json::Value {
    let run = env.godrift(
        dir,
        &["report", "--format", "json", "--quiet", "--no-cache"],
    );
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: exit {} {}", run.code, run.stderr))
}

/// Every file under vendor/ that belongs to module `path` (not to a nested module that
/// modules.txt lists separately).
fn vendored_files_of(vendor: &Path, path: &str, all: &[String]) -> BTreeSet<String> {
    let nested: Vec<&String> = all
        .iter()
        .filter(|o| o.len() > path.len() && o.starts_with(path) && o.as_bytes()[path.len()] == b'/')
        .collect();
    let mut out = BTreeSet::new();
    let mut stack = vec![vendor.join(path)];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            let rel = p
                .strip_prefix(vendor)
                .expect("under vendor")
                .to_string_lossy()
                .into_owned();
            if nested
                .iter()
                .any(|n| rel == **n || rel.starts_with(&format!("{n}/")))
            {
                continue;
            }
            if e.file_type().expect("type").is_dir() {
                stack.push(p);
            } else {
                out.insert(rel);
            }
        }
    }
    out
}

#[test]
fn selection_equals_what_go_mod_vendor_wrote() {
    let Some(_) = support::require_go("selection_equals_what_go_mod_vendor_wrote") else {
        return;
    };
    let env = env();
    let tmp = tempfile::tempdir().expect("tempdir");
    project(&env, tmp.path());
    let mut checked = 0;
    for (side, go) in [("host", "1.22"), ("plugins/p1", "1.21")] {
        let vendor = tmp.path().join(side).join("vendor");
        let txt = std::fs::read(vendor.join("modules.txt")).expect("modules.txt");
        let txt = godrift::vendor::parse_modules_txt("modules.txt", &txt).expect("parse");
        let paths: Vec<String> = txt.build_list().map(|m| m.module.path.clone()).collect();
        for m in txt.build_list() {
            let dir = integrity::pristine_dir(&env.gomodcache, &m.module.path, &m.module.version)
                .expect("module cache copy");
            let src = integrity::source::index(&dir, None, None);
            let want: BTreeSet<String> = select::vendor_files(
                &src,
                &m.module.path,
                &m.packages,
                select::VendorRules::for_go(go),
            )
            .into_keys()
            .collect();
            let got = vendored_files_of(&vendor, &m.module.path, &paths);
            assert_eq!(
                want.difference(&got).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{side}: godrift expects files go mod vendor did not write for {}",
                m.module
            );
            assert_eq!(
                got.difference(&want).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{side}: go mod vendor wrote files godrift does not expect for {}",
                m.module
            );
            checked += got.len();
        }
    }
    // The cases this is about occur in these modules: make sure they were exercised.
    assert!(checked > 500, "only {checked} files compared");
}

#[test]
fn fresh_vendor_has_no_findings_and_an_edit_is_found() {
    let Some(_) = support::require_go("fresh_vendor_has_no_findings_and_an_edit_is_found") else {
        return;
    };
    let env = env();
    let tmp = tempfile::tempdir().expect("tempdir");
    project(&env, tmp.path());
    let host_vendor = tmp.path().join("host/vendor");
    // What this test relies on is really there.
    assert!(host_vendor
        .join("github.com/spf13/cobra/.gitignore")
        .is_file());
    assert!(!host_vendor
        .join("golang.org/x/text/language/gen.go")
        .exists());
    assert!(env
        .gomodcache
        .join("golang.org/x/text@v0.16.0/language/gen.go")
        .is_file());
    assert!(host_vendor
        .join("golang.org/x/net/publicsuffix/data/text")
        .is_file());

    let v = report(&env, tmp.path());
    assert_eq!(vendor_codes(&v), Vec::<String>::new(), "{v:#}");

    // One line inserted in a vendored Go file of the host: found, on the host, as an edit
    // that shifts lines; one finding per module (against the cache, and between sides).
    let f = host_vendor.join("golang.org/x/text/language/language.go");
    let text = std::fs::read_to_string(&f).expect("read");
    std::fs::write(
        &f,
        text.replacen("package language", "package language\n", 1),
    )
    .expect("edit");
    let v = report(&env, tmp.path());
    let found = vendor_codes(&v);
    let edited: Vec<&String> = found
        .iter()
        .filter(|m| m.starts_with("\"GD009\" \"error\""))
        .collect();
    assert_eq!(edited.len(), 2, "{found:#?}");
    assert!(
        edited.iter().any(|m| m
            .contains("host vendor/ has edited files of golang.org/x/text@v0.16.0")
            && m.contains("vendor/golang.org/x/text/language/language.go (lines inserted")),
        "{found:#?}"
    );
    assert!(
        edited
            .iter()
            .any(|m| m.contains("differ between host and p1")),
        "{found:#?}"
    );
    assert_eq!(found.len(), 2, "{found:#?}");
}
