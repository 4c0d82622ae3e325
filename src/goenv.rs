//! Go's environment as the `go` command sees it: read once from `go env -json` when `go` is
//! on PATH (so `go env -w` settings count), else computed with Go's own defaults from the
//! process environment and the go env file (cmd/go/internal/cfg). The result is a plain
//! value that later stages take as an option; nothing here is global.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The variables godrift reads (what `go env -json NAME...` is asked for).
pub const VARS: &[&str] = &[
    "GOMODCACHE",
    "GOPATH",
    "GOFLAGS",
    "GOWORK",
    "GOTOOLCHAIN",
    "GOEXPERIMENT",
    "GOOS",
    "GOARCH",
    "CGO_ENABLED",
    "GOROOT",
    "GOVERSION",
    "GOENV",
];

/// The GOWORK setting (cmd/go's FindGoWork): not the go.work found for one directory, which
/// depends on where `go` runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum GoWork {
    /// Unset or `auto`: the first go.work in the module's directory or a parent.
    #[default]
    Auto,
    /// `off`: workspaces disabled.
    Off,
    /// An absolute path to a go.work file.
    File(PathBuf),
    /// A relative path, which cmd/go refuses ("go: invalid GOWORK: not an absolute path").
    Invalid(String),
}

impl GoWork {
    /// Reads a GOWORK value as cmd/go's FindGoWork does.
    pub fn parse(v: &str) -> GoWork {
        match v {
            "" | "auto" => GoWork::Auto,
            "off" => GoWork::Off,
            p if Path::new(p).is_absolute() => GoWork::File(PathBuf::from(p)),
            p => GoWork::Invalid(p.to_string()),
        }
    }
}

/// The GOFLAGS settings that change what godrift models; `raw` keeps the whole value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoFlags {
    pub raw: String,
    pub trimpath: bool,
    /// `-tags`, as the tags flag splits it (commas, or the older space-separated form).
    pub tags: Vec<String>,
    /// `-mod=mod|readonly|vendor` when set.
    pub mod_mode: Option<String>,
    /// Go's own complaint about the value (`go: parsing $GOFLAGS: ...`); every command but
    /// `go env` stops on it.
    pub error: Option<String>,
}

impl GoFlags {
    /// Parses GOFLAGS as cmd/go's InitGOFLAGS and SetFromGOFLAGS: words split as
    /// cmd/internal/quoted.Split, each `-flag` or `-flag=value` (one or two dashes), the last
    /// setting of a flag winning.
    pub fn parse(raw: &str) -> GoFlags {
        let mut out = GoFlags {
            raw: raw.to_string(),
            ..GoFlags::default()
        };
        let words = match quoted_split(raw) {
            Ok(w) => w,
            Err(e) => {
                out.error = Some(format!("go: parsing $GOFLAGS: {e}"));
                return out;
            }
        };
        for w in words {
            let bad = !w.starts_with('-')
                || w == "-"
                || w == "--"
                || w.starts_with("---")
                || w.starts_with("-=")
                || w.starts_with("--=");
            if bad {
                out.error
                    .get_or_insert_with(|| format!("go: parsing $GOFLAGS: non-flag {w:?}"));
                continue;
            }
            let name_value = w.strip_prefix("--").unwrap_or(&w[1..]);
            let (name, value) = match name_value.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (name_value, None),
            };
            match name {
                "trimpath" => match value.map(parse_bool).unwrap_or(Some(true)) {
                    Some(b) => out.trimpath = b,
                    None => {
                        out.error.get_or_insert_with(|| {
                            format!(
                                "go: invalid boolean value {:?} for flag -trimpath (from $GOFLAGS)",
                                value.unwrap_or_default()
                            )
                        });
                    }
                },
                "tags" => match value {
                    Some(v) => out.tags = split_tags(v),
                    None => {
                        out.error.get_or_insert_with(|| {
                            "go: flag needs an argument: -tags (from $GOFLAGS)".to_string()
                        });
                    }
                },
                "mod" => match value {
                    Some(v) => out.mod_mode = Some(v.to_string()),
                    None => {
                        out.error.get_or_insert_with(|| {
                            "go: flag needs an argument: -mod (from $GOFLAGS)".to_string()
                        });
                    }
                },
                _ => {}
            }
        }
        out
    }
}

/// strconv.ParseBool.
fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// cmd/go's tagsFlag.Set: the Go 1.12 space-separated (or quoted) form, else commas.
fn split_tags(v: &str) -> Vec<String> {
    if v.contains(' ') || v.contains('\'') {
        return quoted_split(v).unwrap_or_default();
    }
    v.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// cmd/internal/quoted.Split: fields separated by spaces, a field may be wrapped in '' or ""
/// (no escapes inside).
fn quoted_split(s: &str) -> Result<Vec<String>, String> {
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i == b.len() {
            break;
        }
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            let start = i + 1;
            let Some(len) = b[start..].iter().position(|&c| c == q) else {
                return Err(format!("unterminated {} string", q as char));
            };
            out.push(s[start..start + len].to_string());
            i = start + len + 1;
            continue;
        }
        let start = i;
        while i < b.len() && !is_space(b[i]) {
            i += 1;
        }
        out.push(s[start..i].to_string());
    }
    Ok(out)
}

/// Where a `GoEnv` came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EnvSource {
    /// `go env -json` of this `go` binary.
    GoCommand(PathBuf),
    /// Go's defaults, computed without a `go` binary.
    Defaults,
}

/// Go's environment, as `go env` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoEnv {
    /// GOMODCACHE; empty when neither it nor GOPATH (nor $HOME) is known.
    pub gomodcache: PathBuf,
    /// GOPATH, a list in the OS's separator form.
    pub gopath: String,
    pub goflags: GoFlags,
    pub gowork: GoWork,
    pub gotoolchain: String,
    pub goexperiment: String,
    pub goos: String,
    pub goarch: String,
    pub cgo_enabled: bool,
    pub goroot: Option<PathBuf>,
    /// `go1.22.3`; None when no Go installation was found.
    pub goversion: Option<String>,
    /// The go env file consulted (GOENV), if any.
    pub env_file: Option<PathBuf>,
    pub source: EnvSource,
}

/// The inputs of Go's default computation, gathered by the caller (`GoEnv::detect` reads
/// them from the process and the file system); `GoEnv::from_defaults` is pure over them.
#[derive(Clone, Debug, Default)]
pub struct EnvInputs {
    /// The process environment (only non-empty values count, as in cfg.Getenv).
    pub vars: HashMap<String, String>,
    /// Contents of the go env file (`$GOENV`, else `os.UserConfigDir()/go/env`).
    pub env_file: Option<Vec<u8>>,
    /// Contents of `$GOROOT/go.env` and `$GOROOT/VERSION`, when GOROOT is known.
    pub goroot_go_env: Option<Vec<u8>>,
    pub goroot_version: Option<Vec<u8>>,
    /// Whether the default C compiler for the target (gcc, or clang on darwin/BSDs) is on PATH.
    pub cc_on_path: bool,
}

/// Parses a go env file as cmd/go's readEnvFile: `KEY=value` lines whose key starts with an
/// upper-case letter; anything else is ignored.
fn read_env_file(data: &[u8], into: &mut HashMap<String, String>, keep_existing: bool) {
    for line in data.split(|&b| b == b'\n') {
        let Some(eq) = line.iter().position(|&b| b == b'=') else {
            continue;
        };
        if !line[0].is_ascii_uppercase() {
            continue;
        }
        let key = String::from_utf8_lossy(&line[..eq]).into_owned();
        let val = String::from_utf8_lossy(&line[eq + 1..]).into_owned();
        if keep_existing && into.contains_key(&key) {
            continue;
        }
        into.insert(key, val);
    }
}

/// The GOOS and GOARCH this binary runs on, in Go's names (runtime.GOOS/GOARCH).
pub fn host_os_arch() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "x86" => "386",
        "aarch64" => "arm64",
        "powerpc64" => "ppc64",
        "loongarch64" => "loong64",
        "mips64" => "mips64",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        "arm" => "arm",
        other => other,
    };
    (os, arch)
}

/// internal/platform's CgoSupported table (Go 1.26).
fn cgo_supported(goos: &str, goarch: &str) -> bool {
    const PORTS: &[&str] = &[
        "aix/ppc64",
        "android/386",
        "android/amd64",
        "android/arm",
        "android/arm64",
        "darwin/amd64",
        "darwin/arm64",
        "dragonfly/amd64",
        "freebsd/386",
        "freebsd/amd64",
        "freebsd/arm",
        "freebsd/arm64",
        "freebsd/riscv64",
        "illumos/amd64",
        "ios/amd64",
        "ios/arm64",
        "linux/386",
        "linux/amd64",
        "linux/arm",
        "linux/arm64",
        "linux/loong64",
        "linux/mips",
        "linux/mips64",
        "linux/mips64le",
        "linux/mipsle",
        "linux/ppc64le",
        "linux/riscv64",
        "linux/s390x",
        "linux/sparc64",
        "netbsd/386",
        "netbsd/amd64",
        "netbsd/arm",
        "netbsd/arm64",
        "openbsd/386",
        "openbsd/amd64",
        "openbsd/arm",
        "openbsd/arm64",
        "openbsd/mips64",
        "openbsd/riscv64",
        "solaris/amd64",
        "windows/386",
        "windows/amd64",
        "windows/arm64",
    ];
    PORTS.contains(&format!("{goos}/{goarch}").as_str())
}

/// cfg.DefaultCC.
pub fn default_cc(goos: &str) -> &'static str {
    match goos {
        "darwin" | "ios" | "freebsd" | "openbsd" => "clang",
        _ => "gcc",
    }
}

/// os.UserConfigDir on Unix: `$XDG_CONFIG_HOME` (absolute), else `$HOME/.config`
/// (`$HOME/Library/Application Support` on macOS).
pub fn user_config_dir(vars: &HashMap<String, String>) -> Option<PathBuf> {
    let get = |k: &str| vars.get(k).filter(|v| !v.is_empty());
    if cfg!(target_os = "macos") {
        return get("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"));
    }
    match get("XDG_CONFIG_HOME") {
        Some(d) if Path::new(d).is_absolute() => Some(PathBuf::from(d)),
        Some(_) => None,
        None => get("HOME").map(|h| PathBuf::from(h).join(".config")),
    }
}

/// cfg.EnvFile: `$GOENV` (`off` disables it), else `os.UserConfigDir()/go/env`.
pub fn env_file_path(vars: &HashMap<String, String>) -> Option<PathBuf> {
    match vars.get("GOENV").filter(|v| !v.is_empty()) {
        Some(v) if v == "off" => None,
        Some(v) => Some(PathBuf::from(v)),
        None => user_config_dir(vars).map(|d| d.join("go/env")),
    }
}

impl GoEnv {
    /// Go's defaults over `inputs` (cfg.Getenv: the process environment first, then the
    /// user's go env file, then `$GOROOT/go.env`; empty values count as unset).
    pub fn from_defaults(inputs: &EnvInputs) -> GoEnv {
        let mut file: HashMap<String, String> = HashMap::new();
        if let Some(data) = &inputs.env_file {
            read_env_file(data, &mut file, false);
        }
        if let Some(data) = &inputs.goroot_go_env {
            // GOROOT/go.env never overrides the user's file.
            read_env_file(data, &mut file, true);
        }
        let getenv = |k: &str| -> String {
            inputs
                .vars
                .get(k)
                .filter(|v| !v.is_empty())
                .or_else(|| file.get(k))
                .cloned()
                .unwrap_or_default()
        };
        let or = |k: &str, def: &str| {
            let v = getenv(k);
            if v.is_empty() {
                def.to_string()
            } else {
                v
            }
        };
        let goroot = Some(getenv("GOROOT"))
            .filter(|g| !g.is_empty())
            .map(PathBuf::from);
        // go/build's defaultGOPATH: $HOME/go, unless that is GOROOT.
        let default_gopath = inputs
            .vars
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join("go"))
            .filter(|p| Some(p) != goroot.as_ref())
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let gopath = or("GOPATH", &default_gopath);
        // cfg.gopathDir("pkg/mod"): the first GOPATH entry.
        let first = gopath.split(':').next().unwrap_or("");
        let default_modcache = if first.is_empty() {
            PathBuf::new()
        } else {
            Path::new(first).join("pkg/mod")
        };
        let gomodcache = match getenv("GOMODCACHE") {
            v if v.is_empty() => default_modcache,
            v => PathBuf::from(v),
        };
        let (host_os, host_arch) = host_os_arch();
        let goos = or("GOOS", host_os);
        let goarch = or("GOARCH", host_arch);
        // cfg.defaultContext: native builds use the port's default, turned off when CC is
        // unset and the default compiler is not on PATH; cross builds default to off.
        let mut default_cgo =
            goos == host_os && goarch == host_arch && cgo_supported(&goos, &goarch);
        if default_cgo && inputs.vars.get("CC").is_none_or(|v| v.is_empty()) {
            default_cgo = inputs.cc_on_path;
        }
        let cgo_enabled = match getenv("CGO_ENABLED").as_str() {
            "0" => false,
            "1" => true,
            _ => default_cgo,
        };
        let goversion = inputs.goroot_version.as_ref().and_then(|v| {
            let first = String::from_utf8_lossy(v)
                .lines()
                .next()?
                .trim()
                .to_string();
            (!first.is_empty()).then_some(first)
        });
        GoEnv {
            gomodcache,
            gopath,
            goflags: GoFlags::parse(&getenv("GOFLAGS")),
            gowork: GoWork::parse(&getenv("GOWORK")),
            gotoolchain: getenv("GOTOOLCHAIN"),
            goexperiment: getenv("GOEXPERIMENT"),
            goos,
            goarch,
            cgo_enabled,
            goroot,
            goversion,
            env_file: env_file_path(&inputs.vars),
            source: EnvSource::Defaults,
        }
    }

    /// The environment from `go env -json` output. GOWORK there is the go.work found from
    /// the directory `go` ran in, so the setting is taken from `gowork_setting` (the process
    /// environment's GOWORK, which `go env -w` cannot set).
    pub fn from_go_env_json(
        json: &[u8],
        gowork_setting: &str,
        go: PathBuf,
    ) -> Result<GoEnv, serde_json::Error> {
        let m: HashMap<String, String> = serde_json::from_slice(json)?;
        let get = |k: &str| m.get(k).cloned().unwrap_or_default();
        let nonempty = |k: &str| Some(get(k)).filter(|v| !v.is_empty());
        Ok(GoEnv {
            gomodcache: PathBuf::from(get("GOMODCACHE")),
            gopath: get("GOPATH"),
            goflags: GoFlags::parse(&get("GOFLAGS")),
            gowork: GoWork::parse(gowork_setting),
            gotoolchain: get("GOTOOLCHAIN"),
            goexperiment: get("GOEXPERIMENT"),
            goos: get("GOOS"),
            goarch: get("GOARCH"),
            cgo_enabled: get("CGO_ENABLED") == "1",
            goroot: nonempty("GOROOT").map(PathBuf::from),
            goversion: nonempty("GOVERSION"),
            env_file: nonempty("GOENV").map(PathBuf::from),
            source: EnvSource::GoCommand(go),
        })
    }

    /// Reads the environment once: `go env -json` when a `go` on PATH runs, else Go's
    /// defaults over the process environment and the go env file.
    pub fn detect() -> GoEnv {
        let vars: HashMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let gowork = vars.get("GOWORK").cloned().unwrap_or_default();
        if let Some(go) = find_on_path(&vars, "go") {
            // Run where no go.mod asks for another toolchain.
            let out = std::process::Command::new(&go)
                .arg("env")
                .arg("-json")
                .args(VARS)
                .current_dir(std::env::temp_dir())
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .output();
            if let Ok(out) = out {
                if out.status.success() {
                    if let Ok(env) = GoEnv::from_go_env_json(&out.stdout, &gowork, go) {
                        return env;
                    }
                }
            }
        }
        GoEnv::from_defaults(&gather_inputs(vars))
    }

    /// The `-trimpath`, `-tags` and `-mod` GOFLAGS settings.
    pub fn flags(&self) -> &GoFlags {
        &self.goflags
    }
}

/// Reads what `from_defaults` needs from the file system (the go env file, GOROOT's
/// go.env and VERSION, the C compiler on PATH).
pub fn gather_inputs(vars: HashMap<String, String>) -> EnvInputs {
    let read = |p: &Path| crate::fsio::read_optional(p).ok().flatten();
    let env_file = env_file_path(&vars).and_then(|p| read(&p));
    let mut file = HashMap::new();
    if let Some(d) = &env_file {
        read_env_file(d, &mut file, false);
    }
    // findGOROOT without a go binary: GOROOT from the environment or the env file.
    let goroot = vars
        .get("GOROOT")
        .filter(|v| !v.is_empty())
        .or_else(|| file.get("GOROOT").filter(|v| !v.is_empty()))
        .map(PathBuf::from);
    let goroot_go_env = goroot.as_ref().and_then(|g| read(&g.join("go.env")));
    let goroot_version = goroot.as_ref().and_then(|g| read(&g.join("VERSION")));
    let goos = vars
        .get("GOOS")
        .filter(|v| !v.is_empty())
        .or_else(|| file.get("GOOS"))
        .cloned()
        .unwrap_or_else(|| host_os_arch().0.to_string());
    let cc_on_path = find_on_path(&vars, default_cc(&goos)).is_some();
    EnvInputs {
        vars,
        env_file,
        goroot_go_env,
        goroot_version,
        cc_on_path,
    }
}

/// The first executable `name` in `$PATH` (exec.LookPath).
pub fn find_on_path(vars: &HashMap<String, String>, name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = vars.get("PATH")?;
    std::env::split_paths(path)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goflags_as_cmd_go_reads_them() {
        let f = GoFlags::parse("-trimpath --tags=a,b,,c -mod=vendor");
        assert!(f.trimpath);
        assert_eq!(f.tags, ["a", "b", "c"]);
        assert_eq!(f.mod_mode.as_deref(), Some("vendor"));
        assert!(f.error.is_none());
        let f = GoFlags::parse("-trimpath=false '-tags=x y' -tags=z");
        assert!(!f.trimpath);
        assert_eq!(f.tags, ["z"], "the last -tags wins");
        // The Go 1.12 form: a quoted word whose value holds spaces.
        let f = GoFlags::parse("'-tags=x y'");
        assert_eq!(f.tags, ["x", "y"]);
        let f = GoFlags::parse("-tags='x y'");
        assert!(f.error.is_some(), "`y'` is not a flag");
        let f = GoFlags::parse("trimpath");
        assert_eq!(
            f.error.as_deref(),
            Some("go: parsing $GOFLAGS: non-flag \"trimpath\"")
        );
        let f = GoFlags::parse("'-tags=x");
        assert_eq!(
            f.error.as_deref(),
            Some("go: parsing $GOFLAGS: unterminated ' string")
        );
    }

    #[test]
    fn defaults_follow_env_then_file_then_goroot() {
        let vars: HashMap<String, String> = [
            ("HOME", "/home/u"),
            ("GOMODCACHE", ""),
            ("GOFLAGS", "-trimpath"),
            ("GOWORK", "off"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let env = GoEnv::from_defaults(&EnvInputs {
            vars,
            env_file: Some(b"GOPATH=/gp:/other\nGOFLAGS=-mod=mod\n# comment\nbad\n".to_vec()),
            goroot_go_env: Some(b"GOTOOLCHAIN=auto\nGOPATH=/ignored\n".to_vec()),
            goroot_version: None,
            cc_on_path: false,
        });
        // GOMODCACHE= (empty) is unset: the first GOPATH entry's pkg/mod.
        assert_eq!(env.gomodcache, PathBuf::from("/gp/pkg/mod"));
        assert_eq!(env.gopath, "/gp:/other");
        assert!(env.goflags.trimpath, "the environment wins over the file");
        assert_eq!(env.goflags.mod_mode, None);
        assert_eq!(env.gowork, GoWork::Off);
        assert_eq!(env.gotoolchain, "auto");
        assert_eq!(env.env_file, Some(PathBuf::from("/home/u/.config/go/env")));
        assert!(!env.cgo_enabled, "no C compiler on PATH");
        let bare = GoEnv::from_defaults(&EnvInputs {
            vars: [("HOME".to_string(), "/h".to_string())].into(),
            ..EnvInputs::default()
        });
        assert_eq!(bare.gomodcache, PathBuf::from("/h/go/pkg/mod"));
        assert_eq!(
            GoWork::parse("rel/go.work"),
            GoWork::Invalid("rel/go.work".into())
        );
    }
}
