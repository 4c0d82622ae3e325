//! `godrift.toml`: where the host and plugins are, how each is built, and policy.
//!
//! ```toml
//! [host]
//! path = "host"
//! build = { trimpath = true }
//!
//! [[plugins]]
//! path = "plugins/*"          # a glob of module directories
//! build = { trimpath = true }
//!
//! [policy]
//! ignore = ["GD004"]
//! fail_on = "error"
//!
//! [align]
//! strategy = "host"           # or "max"
//! ```

use crate::finding::{Code, Severity};
use crate::span::LineIndex;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "godrift.toml";

/// How an artifact is built: only settings that change package hashes matter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuildSettings {
    pub trimpath: bool,
    pub race: bool,
    pub gcflags: String,
    pub goexperiment: String,
    pub pgo: String,
    /// Build tags: they select files, so they matter only when they change a shared package.
    pub tags: String,
    pub cgo_enabled: Option<bool>,
    /// The Go toolchain (`go1.26.8`); default: what go.mod's go/toolchain lines imply.
    pub toolchain: String,
    /// GOMODCACHE this artifact is built with, when it differs per artifact (relative to
    /// the config file). Source paths are part of package hashes without -trimpath.
    pub modcache: String,
    /// GOOS and GOARCH the artifact is built for (they select files); default: this
    /// machine's (`go env`), else linux/amd64.
    pub goos: String,
    pub goarch: String,
    /// `-mod` this artifact is built with, when it is not GOFLAGS' (`go build -mod=mod`
    /// compiles the module cache even where a vendor/ directory exists; `vendor` reads
    /// vendor/ whatever the go line says).
    #[serde(rename = "mod", skip_serializing_if = "Option::is_none")]
    pub mod_mode: Option<ModMode>,
}

/// The values `go build -mod` accepts (cmd/go's work.BuildInit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ModMode {
    Mod,
    Readonly,
    Vendor,
}

impl ModMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ModMode::Mod => "mod",
            ModMode::Readonly => "readonly",
            ModMode::Vendor => "vendor",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HostConfig {
    pub path: PathBuf,
    #[serde(default)]
    pub build: BuildSettings,
    /// The host's main package directories (`["./cmd/gateway"]`), relative to its module;
    /// default: every `package main` of the module that imports "plugin".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub main: Vec<PathBuf>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PluginConfig {
    /// A directory or a glob of directories, relative to the config file.
    pub path: String,
    #[serde(default)]
    pub build: BuildSettings,
    /// The plugin main package directories, relative to each module; default: every
    /// `package main` of the module (a module with several gives one artifact each, named
    /// `module-dir/package-dir`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub main: Vec<PathBuf>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub ignore: Vec<Code>,
    /// Modules whose findings are not reported.
    pub ignore_modules: Vec<String>,
    pub fail_on: Severity,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            ignore: Vec::new(),
            ignore_modules: Vec::new(),
            fail_on: Severity::Error,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AlignStrategy {
    /// Align plugins on the host's version: a deployed host cannot change.
    #[default]
    Host,
    /// Align everyone on the highest version any side requires (rebuilds the host).
    Max,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Align {
    pub strategy: AlignStrategy,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub host: HostConfig,
    #[serde(default)]
    pub plugins: Vec<PluginConfig>,
    #[serde(default)]
    pub policy: Policy,
    #[serde(default)]
    pub align: Align,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `godrift.toml:3:1: unknown field ...`
    #[error("{file}:{line}:{col}: {message}")]
    Syntax {
        file: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{0}")]
    Fs(#[from] crate::fsio::FsError),
}

/// Parses config text; errors carry `file:line:col` from the TOML span.
pub fn parse(file: &str, text: &str) -> Result<Config, ConfigError> {
    toml::from_str::<Config>(text).map_err(|e| {
        let (line, col) = match e.span() {
            Some(span) => {
                let lc = LineIndex::new(text.as_bytes()).line_col(span.start);
                (lc.line, lc.col)
            }
            None => (1, 1),
        };
        ConfigError::Syntax {
            file: file.to_string(),
            line,
            col,
            message: e.message().to_string(),
        }
    })
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = crate::fsio::read_text(path)?;
    parse(&path.display().to_string(), &text)
}

/// The starter config `godrift init` writes for a project directory.
pub fn starter(host: &str, plugins: &[String]) -> String {
    let mut s = String::from(
        "# godrift: will these plugins load into this host?\n# Build settings must match how you really build; only hash-affecting ones are listed.\n\n",
    );
    s.push_str(&format!(
        "[host]\npath = {host:?}\nbuild = {{ trimpath = false, race = false, gcflags = \"\" }}\n\n"
    ));
    for p in plugins {
        s.push_str(&format!("[[plugins]]\npath = {p:?}\nbuild = {{ trimpath = false, race = false, gcflags = \"\" }}\n\n"));
    }
    s.push_str("[policy]\nignore = []\nfail_on = \"error\"\n\n[align]\nstrategy = \"host\"\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_point_at_their_line() {
        let err = parse("godrift.toml", "[host]\npath = \"h\"\ncolour = 1\n").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with("godrift.toml:3:1: unknown field `colour`"),
            "{msg}"
        );
        let c = parse("godrift.toml", &starter("host", &["plugins/*".into()])).unwrap();
        assert_eq!(c.plugins[0].path, "plugins/*");
        assert_eq!(c.policy.fail_on, Severity::Error);
    }
}
