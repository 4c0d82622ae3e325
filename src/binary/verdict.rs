//! The load verdict, reproducing what `plugin.Open` does for a host and plugins opened in order.
//!
//! Runtime facts this follows (measured with go1.26 and Go's runtime/plugin sources):
//! - a plugin's `pkghashes` table lists every package it links; each entry compares the plugin's
//!   own hash with the one its `go:link.pkghash.<pkg>` reference binds to, and the dynamic
//!   linker binds to the first definition: the host's, else the earliest dlopen'ed plugin's
//!   (plugins that failed the check stay dlopen'ed), else the plugin's own;
//! - the first differing entry is named: `plugin was built with a different version of package P`;
//! - before that, a plugin path equal to an already *initialized* plugin's is refused with
//!   `plugin already loaded`; reopening the same file returns the cached result;
//! - a file whose dlopen registers no Go module (another Go minor version, a non-Go library)
//!   makes the runtime inspect the tail of its module chain: empty, or a plugin that failed
//!   (marked bad), kills the process (`runtime: no plugin module data`); an initialized plugin
//!   there gives `plugin already loaded`.

use super::buildinfo::{self, BuildInfo};
use super::elf::{self, GoElf};
use crate::finding::{Code, Finding, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A host or plugin file read from disk.
#[derive(Clone, Debug)]
pub struct Artifact {
    pub path: PathBuf,
    /// Canonical path (the runtime keys plugins by realpath).
    pub realpath: PathBuf,
    pub elf: GoElf,
    pub info: Option<BuildInfo>,
}

#[derive(Debug, thiserror::Error)]
pub enum BinaryError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Elf {
        path: PathBuf,
        source: elf::ElfError,
    },
}

impl Artifact {
    /// Reads and parses a file (memory-mapped).
    pub fn load(path: &Path) -> Result<Artifact, BinaryError> {
        let io = |source| BinaryError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        // SAFETY: read-only map of a file we only read; a concurrent truncation by another
        // process is the documented hazard of memmap2, acceptable for a CLI check.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io)?;
        let realpath = std::fs::canonicalize(path).map_err(io)?;
        Self::from_bytes(path, realpath, &map)
    }

    pub fn from_bytes(
        path: &Path,
        realpath: PathBuf,
        data: &[u8],
    ) -> Result<Artifact, BinaryError> {
        let elf = elf::parse(data).map_err(|source| BinaryError::Elf {
            path: path.to_path_buf(),
            source,
        })?;
        let info = buildinfo::read(&elf, data).ok();
        Ok(Artifact {
            path: path.to_path_buf(),
            realpath,
            elf,
            info,
        })
    }

    pub fn go_version(&self) -> Option<&str> {
        self.info
            .as_ref()
            .map(|i| i.go_version.as_str())
            .filter(|v| !v.is_empty())
    }

    /// The plugin path the linker recorded (`-pluginpath`): the main package's import path,
    /// or `plugin/unnamed-…` for plugins built from files.
    pub fn plugin_path(&self) -> Option<String> {
        if let Some(p) = self
            .elf
            .order
            .iter()
            .find(|p| p.starts_with("plugin/unnamed-"))
        {
            return Some(p.clone());
        }
        let info = self.info.as_ref()?;
        if !info.path.is_empty() && info.path != "command-line-arguments" {
            return Some(info.path.clone());
        }
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Loads,
    Fails,
    Crashes,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Loads => "loads",
            Verdict::Fails => "fails",
            Verdict::Crashes => "crashes",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub package: String,
    /// The hash the plugin's reference binds to (the host's, or an earlier plugin's).
    pub host_hash: String,
    pub plugin_hash: String,
    /// `host`, or the path of the earlier plugin that defines the package first.
    pub bound_to: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct HostReport {
    pub path: PathBuf,
    pub go_version: Option<String>,
    pub main_module: Option<String>,
    pub build_settings: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PluginReport {
    pub path: PathBuf,
    pub plugin_path: Option<String>,
    pub go_version: Option<String>,
    pub verdict: Verdict,
    /// Every package whose hash differs, in the runtime's comparison order.
    pub mismatched_packages: Vec<Mismatch>,
    /// What the host sees: `plugin.Open`'s error text for `fails`, the fatal error's message
    /// (printed by Go as `fatal error: …`) for `crashes`; null when it loads.
    pub error: Option<String>,
    /// The runtime's reason alone, without the `plugin.Open("…"): ` prefix.
    pub reason: Option<String>,
    /// The real cause, from build info (see `diagnose`).
    pub root_cause: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub schema_version: u32,
    pub host: HostReport,
    pub plugins: Vec<PluginReport>,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn any_failure(&self) -> bool {
        self.plugins.iter().any(|p| p.verdict != Verdict::Loads)
    }
}

pub fn hex(h: &[u8; 8]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// `go1.26.8` -> `(1, 26)`; `None` for devel or unparsable versions.
fn minor(v: &str) -> Option<(u32, u32)> {
    let rest = v.strip_prefix("go")?;
    let mut it = rest.split(['.', 'r', 'b', ' ', '-']);
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// The name plugin.Open puts in its error: the argument with a trailing `.so` removed.
fn open_name(p: &Path) -> String {
    let s = p.to_string_lossy();
    s.strip_suffix(".so").unwrap_or(&s).to_string()
}

fn open_error(p: &Path, reason: &str) -> String {
    format!("plugin.Open(\"{}\"): {reason}", open_name(p))
}

/// Computes verdicts (without root-cause analysis) for plugins opened in the given order.
pub fn check(host: &Artifact, plugins: &[Artifact]) -> CheckReport {
    let hinfo = host.info.as_ref();
    let mut findings = Vec::new();
    let host_report = HostReport {
        path: host.path.clone(),
        go_version: host.go_version().map(str::to_string),
        main_module: hinfo.and_then(|i| i.main.as_ref().map(|m| m.path.clone())),
        build_settings: hinfo.map(|i| i.settings.clone()).unwrap_or_default(),
    };
    let host_name = host.path.display().to_string();

    // Host-level blockers: no plugin can load.
    let no_cgo = hinfo.and_then(|i| i.setting("CGO_ENABLED")) == Some("0");
    let not_dynamic = !host.elf.has_go_hashes();
    if no_cgo {
        let mut f = Finding::new(
            Code::HostWithoutCgo,
            Severity::Error,
            "the host was built with CGO_ENABLED=0: its plugin package is a stub and every plugin.Open fails",
        );
        f.artifacts.push(host_name.clone());
        f.fix = Some("rebuild the host with CGO_ENABLED=1 (and a C toolchain)".into());
        findings.push(f);
    } else if not_dynamic {
        let mut f = Finding::new(
            Code::HostNotDynamic,
            Severity::Error,
            "the host exports no Go package hashes in .dynsym (not dynamically linked with plugin support): no plugin can load",
        );
        f.artifacts.push(host_name.clone());
        f.fix = Some(
            "build the host with cgo, importing \"plugin\", without -linkmode=internal or static linking"
                .into(),
        );
        findings.push(f);
    }

    let mut reports: Vec<PluginReport> = Vec::new();
    // Indexes of plugins that were dlopen'ed (their symbols are in the global scope).
    let mut opened: Vec<usize> = Vec::new();
    // State of the last Go module registered in the runtime's chain: loaded, or marked bad.
    let mut tail: Option<bool> = None;
    for (i, p) in plugins.iter().enumerate() {
        let mut rep = PluginReport {
            path: p.path.clone(),
            plugin_path: p.plugin_path(),
            go_version: p.go_version().map(str::to_string),
            verdict: Verdict::Loads,
            mismatched_packages: Vec::new(),
            error: None,
            reason: None,
            root_cause: None,
        };
        let pname = p.path.display().to_string();
        let fail = |rep: &mut PluginReport, reason: String| {
            rep.verdict = Verdict::Fails;
            rep.error = Some(open_error(&p.path, &reason));
            rep.reason = Some(reason);
        };
        if no_cgo {
            rep.verdict = Verdict::Fails;
            rep.error = Some("plugin: not implemented".into());
            rep.reason = rep.error.clone();
            reports.push(rep);
            continue;
        }
        if not_dynamic {
            rep.verdict = Verdict::Fails;
            reports.push(rep);
            continue;
        }
        // Same file again: the runtime returns its cached result.
        if let Some(prev) = plugins[..i].iter().position(|q| q.realpath == p.realpath) {
            let prev_rep = &reports[prev];
            rep.verdict = prev_rep.verdict;
            rep.mismatched_packages = prev_rep.mismatched_packages.clone();
            if let Some(r) = prev_rep.reason.clone() {
                fail(&mut rep, format!("{r} (previous failure)"));
            }
            reports.push(rep);
            continue;
        }
        if !p.elf.shared_object {
            // dlopen refuses executables and other non-shared objects.
            let mut f = Finding::new(
                Code::NotAGoArtifact,
                Severity::Error,
                format!("{pname} is not a shared object: dlopen refuses it"),
            );
            f.artifacts.push(pname.clone());
            findings.push(f);
            rep.verdict = Verdict::Fails;
            reports.push(rep);
            continue;
        }
        opened.push(i);
        // Files whose dlopen registers no Go module with the host's runtime: a non-Go shared
        // library, or a plugin from another Go minor version (its moduledata layout and
        // runtime differ). The runtime then looks at the tail of its module chain.
        let foreign = if !p.elf.has_go_hashes() {
            let mut f = Finding::new(
                Code::NotAGoArtifact,
                Severity::Error,
                format!("{pname} is not a Go plugin (no Go package hashes in .dynsym)"),
            );
            f.artifacts.push(pname.clone());
            findings.push(f);
            true
        } else {
            matches!((host.go_version(), p.go_version()), (Some(hv), Some(pv)) if minor(hv) != minor(pv))
        };
        if foreign {
            if tail == Some(true) {
                // The last registered module is an already initialized plugin.
                fail(&mut rep, "plugin already loaded".into());
            } else {
                rep.verdict = Verdict::Crashes;
                rep.reason = Some("runtime: no plugin module data".into());
                rep.error = rep.reason.clone();
            }
            reports.push(rep);
            continue;
        }
        // Plugin path already taken by an initialized (successfully loaded) plugin.
        if let Some(pp) = &rep.plugin_path {
            let dup = reports
                .iter()
                .zip(plugins)
                .find(|(r, _)| r.verdict == Verdict::Loads && r.plugin_path.as_ref() == Some(pp));
            if let Some((_, other)) = dup {
                let mut f = Finding::new(
                    Code::DuplicatePluginPath,
                    Severity::Error,
                    format!(
                        "{pname} has plugin path {pp}, like {}: the second is refused (plugin already loaded)",
                        other.path.display()
                    ),
                );
                f.artifacts = vec![other.path.display().to_string(), pname.clone()];
                f.fix = Some("build each plugin from its own main package (distinct import path), or pass a distinct -ldflags=-pluginpath".into());
                findings.push(f);
                fail(&mut rep, "plugin already loaded".into());
                tail = Some(false);
                reports.push(rep);
                continue;
            }
        }
        // Package hashes, in the plugin's comparison order.
        for pkg in &p.elf.order {
            let Some(own) = p.elf.pkghashes.get(pkg) else {
                continue;
            };
            let bound = host
                .elf
                .pkghashes
                .get(pkg)
                .map(|h| (h, host_name.clone()))
                .or_else(|| {
                    opened.iter().filter(|&&j| j != i).find_map(|&j| {
                        plugins[j]
                            .elf
                            .pkghashes
                            .get(pkg)
                            .map(|h| (h, plugins[j].path.display().to_string()))
                    })
                });
            if let Some((h, by)) = bound {
                if h != own {
                    rep.mismatched_packages.push(Mismatch {
                        package: pkg.clone(),
                        host_hash: hex(h),
                        plugin_hash: hex(own),
                        bound_to: if by == host_name { "host".into() } else { by },
                    });
                }
            }
        }
        if let Some(first) = rep.mismatched_packages.first() {
            let reason = format!(
                "plugin was built with a different version of package {}",
                first.package
            );
            fail(&mut rep, reason);
        }
        tail = Some(rep.verdict == Verdict::Loads);
        reports.push(rep);
    }
    CheckReport {
        schema_version: 1,
        host: host_report,
        plugins: reports,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(path: &str, hashes: &[(&str, u8)], plugin: bool) -> Artifact {
        let mut elf = GoElf {
            shared_object: plugin,
            dynamic: true,
            ..GoElf::default()
        };
        for (p, h) in hashes {
            elf.pkghashes.insert(p.to_string(), [*h; 8]);
            elf.order.push(p.to_string());
        }
        let mut info = BuildInfo {
            go_version: "go1.26.8".into(),
            path: format!("example.com/{path}"),
            ..BuildInfo::default()
        };
        info.settings.insert("CGO_ENABLED".into(), "1".into());
        Artifact {
            path: PathBuf::from(path),
            realpath: PathBuf::from(format!("/abs/{path}")),
            elf,
            info: Some(info),
        }
    }

    #[test]
    fn first_mismatch_in_order_is_named_and_all_are_listed() {
        let host = art("h", &[("runtime", 1), ("a", 2), ("b", 3)], false);
        let p = art(
            "p.so",
            &[("b", 9), ("runtime", 1), ("a", 8), ("example.com/p.so", 4)],
            true,
        );
        let r = check(&host, &[p]);
        let pr = &r.plugins[0];
        assert_eq!(pr.verdict, Verdict::Fails);
        let names: Vec<_> = pr
            .mismatched_packages
            .iter()
            .map(|m| m.package.as_str())
            .collect();
        assert_eq!(names, ["b", "a"]);
        assert_eq!(
            pr.error.as_deref(),
            Some("plugin.Open(\"p\"): plugin was built with a different version of package b")
        );
    }

    #[test]
    fn package_absent_from_host_binds_to_earlier_plugin() {
        let host = art("h", &[("runtime", 1)], false);
        let p1 = art("p1.so", &[("runtime", 1), ("x", 5)], true);
        let p2 = art("p2.so", &[("runtime", 1), ("x", 6)], true);
        let r = check(&host, &[p1, p2]);
        assert_eq!(r.plugins[0].verdict, Verdict::Loads);
        assert_eq!(r.plugins[1].verdict, Verdict::Fails);
        assert_eq!(r.plugins[1].mismatched_packages[0].bound_to, "p1.so");
    }

    #[test]
    fn duplicate_plugin_path_and_go_version_and_no_cgo() {
        let host = art("h", &[("runtime", 1)], false);
        let p1 = art("p.so", &[("runtime", 1)], true);
        let mut p2 = art("p.so", &[("runtime", 1)], true);
        p2.realpath = PathBuf::from("/other/p.so");
        let r = check(&host, &[p1.clone(), p2]);
        assert_eq!(
            r.plugins[1].reason.as_deref(),
            Some("plugin already loaded")
        );
        assert_eq!(r.findings[0].code, Code::DuplicatePluginPath);

        let mut old = p1.clone();
        old.info.as_mut().unwrap().go_version = "go1.25.5".into();
        let r = check(&host, &[old]);
        assert_eq!(r.plugins[0].verdict, Verdict::Crashes);

        let mut nocgo = host.clone();
        nocgo
            .info
            .as_mut()
            .unwrap()
            .settings
            .insert("CGO_ENABLED".into(), "0".into());
        let r = check(&nocgo, &[p1]);
        assert_eq!(
            r.plugins[0].error.as_deref(),
            Some("plugin: not implemented")
        );
        assert_eq!(r.findings[0].code, Code::HostWithoutCgo);
    }

    #[test]
    fn foreign_plugin_after_a_loaded_one_is_already_loaded_after_a_bad_one_crashes() {
        let host = art("h", &[("runtime", 1)], false);
        let good = art("good.so", &[("runtime", 1)], true);
        let bad = art("bad.so", &[("runtime", 2)], true);
        let mut old = art("old.so", &[("runtime", 3)], true);
        old.info.as_mut().unwrap().go_version = "go1.25.5".into();
        let r = check(&host, &[good.clone(), old.clone()]);
        assert_eq!(r.plugins[1].verdict, Verdict::Fails);
        assert_eq!(
            r.plugins[1].error.as_deref(),
            Some("plugin.Open(\"old\"): plugin already loaded")
        );
        let r = check(&host, &[good, bad, old]);
        assert_eq!(r.plugins[1].verdict, Verdict::Fails);
        assert_eq!(r.plugins[2].verdict, Verdict::Crashes);
        assert_eq!(
            r.plugins[2].reason.as_deref(),
            Some("runtime: no plugin module data")
        );
    }

    #[test]
    fn versions() {
        assert_eq!(minor("go1.26.8"), Some((1, 26)));
        assert_eq!(minor("go1.21rc2"), Some((1, 21)));
        assert_eq!(minor("devel +abc"), None);
    }
}
