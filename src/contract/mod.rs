//! Host contracts: what a host program offers its plugins, as a versioned JSON document
//! (`schemas/contract.schema.json`, schema_version 1). Plugin authors check against it
//! without the host binary at hand, and host maintainers diff two releases' contracts.
//!
//! A contract holds the data `plugin.Open` compares: the Go release, the build settings that
//! change export data, GOOS/GOARCH and cgo, the modules with their sums and replacements,
//! and the export-data hash of every package the host provides. Exported from a built host
//! (`source: "binary"`, every hash present) or from sources plus godrift.toml (`source:
//! "sources"`, `hashes: false`: packages are listed without hashes).
//!
//! `to_artifact` turns a binary contract back into the `binary::Artifact` the runtime replay
//! reads, so `check --contract` and `check --host` run the same replay.

pub mod diff;
pub mod side;

use crate::binary::buildinfo::{BuildInfo, Dep};
use crate::binary::loader::LoaderInfo;
use crate::binary::Artifact;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const SCHEMA_VERSION: u32 = 1;
/// The `kind` every contract carries, so other JSON is told apart from a contract.
pub const KIND: &str = "godrift-host-contract";

/// Where a contract's data comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A built host executable: package hashes are the runtime's own.
    Binary,
    /// go.mod, go.sum and godrift.toml: what the host would be built from (no hashes).
    Sources,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Binary => "binary",
            Source::Sources => "sources",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    pub schema_version: u32,
    pub kind: String,
    pub source: Source,
    /// Every package has its hash (binary contracts). Without hashes, `check --contract`
    /// can prove a failure from versions and settings but never that a plugin loads.
    pub hashes: bool,
    /// `godrift <version>`.
    pub generator: String,
    pub host: Host,
    /// `go1.26.8` (as build info records it, experiments included).
    pub go_version: String,
    pub goos: String,
    pub goarch: String,
    pub cgo: bool,
    /// Build settings as build info records them (`-trimpath`, `-gcflags`, `GOEXPERIMENT`,
    /// `CGO_ENABLED`, ...); from sources, those godrift.toml sets.
    pub build_settings: BTreeMap<String, String>,
    pub main_module: Module,
    /// The modules the host is built with, sorted by path: from a binary, those providing
    /// a linked package (build info's `dep` lines); from sources, the whole build list.
    pub modules: Vec<Module>,
    /// Every package the host links, standard library included, sorted by path.
    pub packages: Vec<Package>,
    /// What the dynamic loader reads from the host (binary contracts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loader: Option<LoaderInfo>,
    /// What the machines the host runs on provide, as the exporter declared it.
    #[serde(default, skip_serializing_if = "Target::is_empty")]
    pub target: Target,
    /// What could not be known, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// The file the contract was exported from (as given), or `host` from sources.
    pub name: String,
    /// The main package's import path (build info's `path`).
    pub main_package: String,
    /// Has a dynamic section: needed to load plugins.
    pub dynamic: bool,
    /// Go <= 1.15 package-hash format (no verdict possible).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub legacy_hash_format: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    pub path: String,
    /// The version (`(devel)` for a main module built from its directory; empty for a
    /// directory replacement).
    pub version: String,
    /// `h1:` hash of the module's content, when known.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sum: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<Box<Module>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Package {
    pub path: String,
    /// The module providing it; absent for the standard library.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    /// The 8-byte export-data hash as 16 hex digits (binary contracts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The glibc release of the machines the host runs on (`2.31`): the highest GLIBC
    /// symbol version a plugin may need.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
}

impl Target {
    pub fn is_empty(&self) -> bool {
        self.glibc.is_none()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
}

impl Module {
    fn to_dep(&self) -> Dep {
        Dep {
            path: self.path.clone(),
            version: self.version.clone(),
            sum: self.sum.clone(),
            replace: self.replace.as_ref().map(|r| Box::new(r.to_dep())),
        }
    }

    fn of_dep(d: &Dep) -> Module {
        Module {
            path: d.path.clone(),
            version: d.version.clone(),
            sum: d.sum.clone(),
            replace: d.replace.as_ref().map(|r| Box::new(Module::of_dep(r))),
        }
    }

    /// `M@V`, `M@V => dir`, `M@V => M2@V2`.
    pub fn describe(&self) -> String {
        let v = |m: &Module| {
            if m.version.is_empty() {
                m.path.clone()
            } else {
                format!("{}@{}", m.path, m.version)
            }
        };
        match &self.replace {
            Some(r) => format!("{} => {}", v(self), v(r)),
            None => v(self),
        }
    }
}

/// Whether an import path is in the standard library (no dot in its first element).
pub fn is_standard(pkg: &str) -> bool {
    !pkg.split('/').next().unwrap_or(pkg).contains('.')
}

fn generator() -> String {
    format!("godrift {}", env!("CARGO_PKG_VERSION"))
}

fn hex8(h: &[u8; 8]) -> String {
    crate::dirhash::hex(h)
}

fn unhex8(s: &str) -> Option<[u8; 8]> {
    if s.len() != 16 {
        return None;
    }
    let mut out = [0u8; 8];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// serde_json's message without its " at line L column C" (the error leads with them).
fn without_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Why a built file cannot be a host contract's source (bad input, in words).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0}: not a Go executable (no Go build info)")]
    NotGo(String),
    #[error("{0}: a shared object, not an executable: pass the host program, not a plugin")]
    SharedObject(String),
}

impl Contract {
    /// The contract of a built host. `name` is how the host is named in messages (the path
    /// as given).
    pub fn from_artifact(
        host: &Artifact,
        loader: Option<LoaderInfo>,
        name: &str,
    ) -> Result<Contract, ExportError> {
        let Some(bi) = host.build_info.as_ref() else {
            return Err(ExportError::NotGo(name.to_string()));
        };
        // An executable has a program interpreter (dynamic) or is refused by dlopen (ET_EXEC,
        // PIE); a plugin has neither.
        let executable = host.dlopen_refusal.is_some()
            || loader.as_ref().is_some_and(|l| l.interpreter.is_some());
        if !executable && loader.is_some() && host.dynamic {
            return Err(ExportError::SharedObject(name.to_string()));
        }
        let mut modules: Vec<Module> = bi.deps.iter().map(Module::of_dep).collect();
        modules.sort_by(|a, b| a.path.cmp(&b.path));
        let packages = host
            .hashes
            .iter()
            .map(|(p, h)| Package {
                path: p.clone(),
                module: (!is_standard(p))
                    .then(|| bi.module_of(p).map(|d| d.path.clone()))
                    .flatten(),
                hash: Some(hex8(h)),
            })
            .collect();
        let setting = |k: &str| bi.setting(k).unwrap_or("").to_string();
        let mut notes = Vec::new();
        if host.hashes.is_empty() {
            notes.push("the host exports no package hashes: it does not import \"plugin\" or was linked internally, so no plugin can load into it".into());
        }
        Ok(Contract {
            schema_version: SCHEMA_VERSION,
            kind: KIND.into(),
            source: Source::Binary,
            hashes: !host.hashes.is_empty() && !host.legacy_hash_format,
            generator: generator(),
            host: Host {
                name: name.to_string(),
                main_package: bi.path.clone(),
                dynamic: host.dynamic,
                legacy_hash_format: host.legacy_hash_format,
            },
            go_version: host
                .go_version
                .clone()
                .unwrap_or_else(|| bi.go_version.clone()),
            goos: setting("GOOS"),
            goarch: setting("GOARCH"),
            cgo: bi.setting("CGO_ENABLED") != Some("0"),
            build_settings: bi.settings.clone(),
            main_module: bi.main.as_ref().map(Module::of_dep).unwrap_or_default(),
            modules,
            packages,
            loader,
            target: Target::default(),
            notes,
        })
    }

    /// The artifact the runtime replay reads: the host as the contract describes it.
    pub fn to_artifact(&self) -> Artifact {
        let hashes = self
            .packages
            .iter()
            .filter_map(|p| Some((p.path.clone(), unhex8(p.hash.as_deref()?)?)))
            .collect();
        let main = (!self.main_module.path.is_empty()).then(|| self.main_module.to_dep());
        Artifact {
            path: PathBuf::from(&self.host.name),
            dynamic: self.host.dynamic,
            hashes,
            check_order: Vec::new(),
            build_info: Some(BuildInfo {
                go_version: self.go_version.clone(),
                path: self.host.main_package.clone(),
                main,
                deps: self.modules.iter().map(Module::to_dep).collect(),
                settings: self.build_settings.clone(),
            }),
            legacy_hash_format: self.host.legacy_hash_format,
            go_version: Some(self.go_version.clone()).filter(|v| !v.is_empty()),
            ..Artifact::default()
        }
    }

    /// The build info the contract records (for diagnosing without hashes).
    pub fn build_info(&self) -> BuildInfo {
        self.to_artifact().build_info.unwrap_or_default()
    }

    /// The package entry for `path`.
    pub fn package(&self, path: &str) -> Option<&Package> {
        self.packages
            .binary_search_by(|p| p.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.packages[i])
    }

    /// The module entry for `path`.
    pub fn module(&self, path: &str) -> Option<&Module> {
        if self.main_module.path == path {
            return Some(&self.main_module);
        }
        self.modules
            .binary_search_by(|m| m.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.modules[i])
    }

    /// The glibc ceiling: the target's glibc release, as declared.
    pub fn glibc_ceiling(&self) -> Option<&str> {
        self.target.glibc.as_deref()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Parses and validates a contract; errors name the file (and line and column for JSON
    /// errors).
    pub fn parse(file: &str, data: &[u8]) -> Result<Contract, ContractError> {
        let invalid = |message: String| ContractError::Invalid {
            file: file.to_string(),
            message,
        };
        // The version first, so a newer document says so instead of failing on a field.
        let v: serde_json::Value =
            serde_json::from_slice(data).map_err(|e| ContractError::Syntax {
                file: file.to_string(),
                line: e.line(),
                column: e.column(),
                message: without_position(&e),
            })?;
        if v.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
            return Err(invalid(format!(
                "not a godrift host contract (no \"kind\": \"{KIND}\"); export one with `godrift contract export`"
            )));
        }
        match v.get("schema_version").and_then(|s| s.as_u64()) {
            Some(n) if n == u64::from(SCHEMA_VERSION) => {}
            Some(n) => {
                return Err(invalid(format!(
                    "schema_version {n} is not supported (this godrift reads {SCHEMA_VERSION})"
                )))
            }
            None => return Err(invalid("schema_version is missing".into())),
        }
        let mut c: Contract = serde_json::from_slice(data).map_err(|e| ContractError::Syntax {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: without_position(&e),
        })?;
        for p in &c.packages {
            if let Some(h) = &p.hash {
                if unhex8(h).is_none() {
                    return Err(invalid(format!(
                        "package {}: hash {h:?} is not 16 hexadecimal digits",
                        p.path
                    )));
                }
            }
        }
        if c.hashes && c.packages.iter().any(|p| p.hash.is_none()) {
            return Err(invalid(
                "\"hashes\" is true but some packages have no hash".into(),
            ));
        }
        if let Some(g) = &c.target.glibc {
            if crate::binary::loader::parse_version(g).is_none() {
                return Err(invalid(format!(
                    "target.glibc {g:?} is not a version such as \"2.31\""
                )));
            }
        }
        c.packages.sort_by(|a, b| a.path.cmp(&b.path));
        c.modules.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(c)
    }

    /// Reads a contract file (through the bounded reader).
    pub fn read(path: &Path) -> Result<Contract, ReadContractError> {
        let data = crate::fsio::read_input(path)?;
        Ok(Contract::parse(&path.display().to_string(), &data)?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReadContractError {
    #[error(transparent)]
    Fs(#[from] crate::fsio::FsError),
    #[error(transparent)]
    Contract(#[from] ContractError),
}

/// The contract of a host from sources: its go.mod/go.sum build list, godrift.toml's build
/// settings and, when the package walk ran, the packages it links (without hashes).
pub fn from_project(project: &crate::project::Project, opts: &crate::project::Options) -> Contract {
    side::contract_of(&project.host, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Contract {
        let a = Artifact {
            path: "host".into(),
            dynamic: true,
            hashes: [
                ("example.com/dep".to_string(), [1u8; 8]),
                ("runtime".to_string(), [2u8; 8]),
            ]
            .into_iter()
            .collect(),
            build_info: Some(BuildInfo {
                go_version: "go1.26.8".into(),
                path: "example.com/host".into(),
                main: Some(Dep {
                    path: "example.com/host".into(),
                    version: "(devel)".into(),
                    ..Dep::default()
                }),
                deps: vec![Dep {
                    path: "example.com/dep".into(),
                    version: "v1.0.0".into(),
                    sum: "h1:abc=".into(),
                    replace: Some(Box::new(Dep {
                        path: "../dep".into(),
                        version: "(devel)".into(),
                        ..Dep::default()
                    })),
                }],
                settings: [
                    ("GOOS", "linux"),
                    ("GOARCH", "amd64"),
                    ("-trimpath", "true"),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            }),
            dlopen_refusal: Some("cannot dynamically load executable"),
            ..Artifact::default()
        };
        Contract::from_artifact(&a, None, "host").unwrap()
    }

    #[test]
    fn round_trips_through_json_to_the_same_artifact() {
        let c = sample();
        let back = Contract::parse("c.json", c.to_json().as_bytes()).unwrap();
        assert_eq!(back, c);
        let a = back.to_artifact();
        assert_eq!(a.hashes["example.com/dep"], [1u8; 8]);
        assert_eq!(
            a.build_info.as_ref().unwrap().deps[0]
                .replace
                .as_ref()
                .unwrap()
                .path,
            "../dep"
        );
        assert_eq!(
            c.package("example.com/dep").unwrap().module.as_deref(),
            Some("example.com/dep")
        );
        assert_eq!(c.package("runtime").unwrap().module, None);
    }

    #[test]
    fn bad_documents_are_errors_naming_the_file() {
        let e = Contract::parse("c.json", b"{\"kind\": 1").unwrap_err();
        assert!(e.to_string().starts_with("c.json:1:"), "{e}");
        let e = Contract::parse("c.json", b"{}").unwrap_err();
        assert!(e.to_string().contains("not a godrift host contract"), "{e}");
        let mut v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        v["schema_version"] = 2.into();
        let e = Contract::parse("c.json", v.to_string().as_bytes()).unwrap_err();
        assert!(e.to_string().contains("schema_version 2"), "{e}");
        v["schema_version"] = 1.into();
        v["packages"][0]["hash"] = "xyz".into();
        let e = Contract::parse("c.json", v.to_string().as_bytes()).unwrap_err();
        assert!(e.to_string().contains("16 hexadecimal"), "{e}");
        v["packages"][0]["hash"] = "0101010101010101".into();
        v["extra"] = true.into();
        let e = Contract::parse("c.json", v.to_string().as_bytes()).unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
    }
}
