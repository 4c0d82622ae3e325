//! `goenv::GoEnv` computed without `go` (Go's defaults over the process environment and the
//! go env file) against what the real `go env -json` reports, with settings written by
//! `go env -w` into a test-private GOENV file.

mod support;

use godrift::goenv::{self, EnvSource, GoEnv};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `go args...` with exactly `vars` as its environment.
fn go(go_bin: &Path, vars: &HashMap<String, String>, args: &[&str]) -> Vec<u8> {
    let out = Command::new(go_bin)
        .args(args)
        .env_clear()
        .envs(vars)
        .current_dir(vars.get("HOME").expect("HOME"))
        .output()
        .expect("run go");
    assert!(
        out.status.success(),
        "go {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Both views of one environment: Go's own, and godrift's computed defaults.
fn both(go_bin: &Path, vars: &HashMap<String, String>) -> (GoEnv, GoEnv) {
    let mut args = vec!["env", "-json"];
    args.extend(goenv::VARS);
    let json = go(go_bin, vars, &args);
    let gowork = vars.get("GOWORK").cloned().unwrap_or_default();
    let real = GoEnv::from_go_env_json(&json, &gowork, go_bin.to_path_buf()).expect("json");
    let computed = GoEnv::from_defaults(&goenv::gather_inputs(vars.clone()));
    (real, computed)
}

fn same(real: &GoEnv, computed: &GoEnv, what: &str) {
    let mut c = computed.clone();
    assert_eq!(c.source, EnvSource::Defaults);
    c.source = real.source.clone();
    assert_eq!(&c, real, "{what}");
}

#[test]
fn defaults_match_go_env() {
    let Some(go_bin) = support::require_go("defaults_match_go_env") else {
        return;
    };
    let goroot = String::from_utf8_lossy(&go(
        &go_bin,
        &HashMap::from([
            (
                "HOME".to_string(),
                std::env::temp_dir().display().to_string(),
            ),
            ("GOTOOLCHAIN".to_string(), "local".to_string()),
        ]),
        &["env", "GOROOT"],
    ))
    .trim()
    .to_string();
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let env_file = tmp.path().join("goenv");
    // The environment a user's shell would give: no GO* settings but these.
    let base: HashMap<String, String> = [
        ("HOME", home.display().to_string()),
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("GOROOT", goroot.clone()),
        ("GOTOOLCHAIN", "local".to_string()),
        ("GOENV", env_file.display().to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();

    // 1. Nothing set: GOPATH=$HOME/go, its pkg/mod, cgo as the C compiler on PATH decides.
    let (real, computed) = both(&go_bin, &base);
    assert_eq!(real.gomodcache, home.join("go/pkg/mod"));
    same(&real, &computed, "defaults");

    // 2. `go env -w` settings count: GOFLAGS with -trimpath, -tags and -mod, a module
    //    cache, a cross-compiled target (cgo then defaults to off).
    go(
        &go_bin,
        &base,
        &[
            "env",
            "-w",
            "GOFLAGS=-trimpath -tags=netgo,osusergo -mod=vendor",
            &format!("GOMODCACHE={}", tmp.path().join("cache").display()),
            "GOARCH=arm64",
        ],
    );
    let (real, computed) = both(&go_bin, &base);
    assert!(real.goflags.trimpath);
    assert_eq!(real.goflags.tags, ["netgo", "osusergo"]);
    assert_eq!(real.goflags.mod_mode.as_deref(), Some("vendor"));
    assert_eq!(real.gomodcache, tmp.path().join("cache"));
    assert_eq!(real.goarch, "arm64");
    same(&real, &computed, "go env -w");

    // 3. The process environment wins over the file; an empty GOMODCACHE counts as unset
    //    (the file's value applies); GOWORK is the setting, not a found go.work.
    let mut over = base.clone();
    over.insert("GOFLAGS".into(), "-mod=mod".into());
    over.insert("GOMODCACHE".into(), String::new());
    over.insert("GOARCH".into(), "amd64".into());
    over.insert("CGO_ENABLED".into(), "0".into());
    over.insert("GOWORK".into(), "off".into());
    let (real, computed) = both(&go_bin, &over);
    assert!(!real.goflags.trimpath);
    assert_eq!(real.gomodcache, tmp.path().join("cache"));
    assert!(!real.cgo_enabled);
    same(&real, &computed, "environment over file");

    // 4. Without GOENV, the file is os.UserConfigDir()/go/env ($XDG_CONFIG_HOME first), and
    //    GOPATH from there sets the default module cache.
    let mut xdg = base.clone();
    xdg.remove("GOENV");
    let config = tmp.path().join("config");
    xdg.insert("XDG_CONFIG_HOME".into(), config.display().to_string());
    let gopath = tmp.path().join("gp");
    go(
        &go_bin,
        &xdg,
        &["env", "-w", &format!("GOPATH={}", gopath.display())],
    );
    assert!(config.join("go/env").is_file());
    let (real, computed) = both(&go_bin, &xdg);
    assert_eq!(real.gomodcache, gopath.join("pkg/mod"));
    assert_eq!(real.env_file, Some(config.join("go/env")));
    same(&real, &computed, "XDG_CONFIG_HOME");
}

/// With `go` on PATH, `detect` asks it.
#[test]
fn detect_asks_go_when_it_is_there() {
    let Some(go_bin) = support::require_go("detect_asks_go_when_it_is_there") else {
        return;
    };
    let env = GoEnv::detect();
    match &env.source {
        EnvSource::GoCommand(p) => {
            let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
            assert_eq!(canon(p), canon(&go_bin));
        }
        other => panic!("detect did not use go: {other:?}"),
    }
    assert!(env.goversion.is_some_and(|v| v.starts_with("go")));
    assert_ne!(env.gomodcache, PathBuf::new());
}
