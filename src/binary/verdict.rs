//! The runtime's plugin load check, replayed offline.
//!
//! `plugin.Open` dlopens the `.so` (RTLD_GLOBAL), then the runtime walks the plugin's
//! `pkghashes`: for each package, the hash recorded when the plugin was linked must equal
//! the hash reachable through the dynamic symbol `go:link.pkghash.<pkg>`, which binds to
//! the first definition loaded: the host's, else an earlier plugin's, else the plugin's
//! own. The first difference is the package the error names.

use super::buildinfo::BuildInfo;
use super::diagnose;
use super::elf::Artifact;
use crate::finding::{Code, Evidence, Finding, Severity};
use crate::semver::gover;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Loads,
    Fails,
    Crashes,
    /// godrift cannot decide (e.g. Go <= 1.15 hash format).
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Loads => "loads",
            Verdict::Fails => "fails",
            Verdict::Crashes => "crashes",
            Verdict::Unknown => "unknown",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    pub package: String,
    /// The hash the runtime sees (host's, or an earlier plugin's).
    pub host_hash: String,
    /// The hash the plugin was linked against.
    pub plugin_hash: String,
    /// Where `host_hash` comes from: `host` or an earlier plugin's path.
    pub bound_to: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PluginResult {
    pub path: String,
    /// The runtime's plugin path (from build info), used to detect duplicates.
    pub plugin_path: Option<String>,
    pub go_version: Option<String>,
    pub verdict: Verdict,
    pub mismatched_packages: Vec<Mismatch>,
    /// The error `plugin.Open` returns, or the fatal runtime message for a crash.
    pub error: Option<String>,
    /// The real reason, when godrift can tell it.
    pub root_cause: Option<String>,
    /// The `go build` command line reproducing the host's hash-relevant settings.
    pub rebuild_with: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct HostSummary {
    pub path: String,
    pub go_version: Option<String>,
    pub main_module: Option<String>,
    pub build_settings: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    pub schema_version: u32,
    pub host: HostSummary,
    pub plugins: Vec<PluginResult>,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn all_load(&self) -> bool {
        self.plugins.iter().all(|p| p.verdict == Verdict::Loads)
    }
}

fn hex(h: &[u8; 8]) -> String {
    h.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name `plugin.Open` puts in its error: the argument, without a `.so` suffix.
fn open_name(path: &str) -> &str {
    if path.len() > 3 {
        path.strip_suffix(".so").unwrap_or(path)
    } else {
        path
    }
}

fn go_lang(bi: Option<&BuildInfo>) -> Option<String> {
    let v = bi?.go_version.strip_prefix("go")?;
    // `go1.26.8 X:nocoverageredesign` and devel strings: keep the version word.
    let v = v.split_whitespace().next()?;
    Some(gover::lang(v))
}

/// Replays loading `plugins` (in order) into `host`. `names` are the paths as the host
/// program would pass them to plugin.Open.
pub fn check(host: &Artifact, plugins: &[Artifact], names: &[String]) -> CheckReport {
    let host_name = host.path.display().to_string();
    let hbi = host.build_info.as_ref();
    let mut report = CheckReport {
        schema_version: 1,
        host: HostSummary {
            path: host_name.clone(),
            go_version: hbi.map(|b| b.go_version.clone()),
            main_module: hbi.and_then(|b| b.main.as_ref().map(|m| m.path.clone())),
            build_settings: hbi.map(|b| b.settings.clone()).unwrap_or_default(),
        },
        plugins: Vec::new(),
        findings: Vec::new(),
    };
    if hbi.is_none() && host.hashes.is_empty() {
        let mut f = Finding::new(
            Code::NotAGoArtifact,
            Severity::Error,
            format!("{host_name} is not a Go program (no build info, no package hashes)"),
        );
        f.artifacts = vec![host_name.clone()];
        report.findings.push(f);
    }
    // Symbol name -> (hash, who defined it first).
    let mut global: HashMap<String, ([u8; 8], String)> = host
        .hashes
        .iter()
        .map(|(k, v)| (k.clone(), (*v, "host".to_string())))
        .collect();
    let mut loaded_paths: HashMap<String, String> = HashMap::new();
    let host_static = !host.dynamic;
    let host_plugin_capable = !host.hashes.is_empty();
    if host_static {
        let mut f = Finding::new(
            Code::HostWithoutCgo,
            Severity::Error,
            format!("{host_name} is statically linked (built with CGO_ENABLED=0?): plugin.Open always fails with \"plugin: not implemented\""),
        );
        f.artifacts = vec![host_name.clone()];
        f.fix = Some(
            "build the host with CGO_ENABLED=1 (the default when a C compiler is present)".into(),
        );
        report.findings.push(f);
    } else if !host_plugin_capable && hbi.is_some() {
        let mut f = Finding::new(
            Code::HostNotDynamic,
            Severity::Error,
            format!("{host_name} has no Go package hashes in .dynsym: it does not import \"plugin\" (or was linked internally), so it cannot load plugins"),
        );
        f.artifacts = vec![host_name.clone()];
        report.findings.push(f);
    }
    let host_lang = go_lang(hbi);
    for (plugin, name) in plugins.iter().zip(names) {
        let pbi = plugin.build_info.as_ref();
        let mut r = PluginResult {
            path: name.clone(),
            plugin_path: pbi
                .map(|b| b.path.clone())
                .filter(|p| !p.is_empty() && p != "command-line-arguments"),
            go_version: pbi.map(|b| b.go_version.clone()),
            verdict: Verdict::Loads,
            mismatched_packages: Vec::new(),
            error: None,
            root_cause: None,
            rebuild_with: None,
        };
        let open_err = |msg: &str| format!("plugin.Open({:?}): {msg}", open_name(name));
        if pbi.is_none() && plugin.hashes.is_empty() {
            r.verdict = Verdict::Fails;
            r.error = Some(open_err("not a Go plugin"));
            let mut f = Finding::new(
                Code::NotAGoArtifact,
                Severity::Error,
                format!("{name} is not a Go plugin (no build info, no package hashes)"),
            );
            f.artifacts = vec![name.clone()];
            report.findings.push(f);
            report.plugins.push(r);
            continue;
        }
        if host.legacy_hash_format || plugin.legacy_hash_format {
            r.verdict = Verdict::Unknown;
            r.root_cause = Some(
                "built with Go 1.15 or older, whose package-hash format godrift does not support"
                    .into(),
            );
            let mut f = Finding::new(
                Code::IncompleteInformation,
                Severity::Warning,
                format!("{name}: Go <= 1.15 package hashes (go.link.pkghash strings) are not supported; no verdict"),
            );
            f.artifacts = vec![host_name.clone(), name.clone()];
            report.findings.push(f);
            report.plugins.push(r);
            continue;
        }
        if host_static {
            r.verdict = Verdict::Fails;
            r.error = Some("plugin: not implemented".to_string());
            r.root_cause = Some("the host is statically linked (CGO_ENABLED=0)".into());
            report.plugins.push(r);
            continue;
        }
        // A different Go release: the plugin's runtime data cannot be registered.
        let plang = go_lang(pbi);
        if let (Some(h), Some(p)) = (&host_lang, &plang) {
            if h != p {
                r.verdict = Verdict::Crashes;
                r.error = Some("runtime: no plugin module data".into());
                r.root_cause = Some(format!(
                    "built with {} but the host with {}: host and plugins must use the same Go toolchain",
                    pbi.map(|b| b.go_version.as_str()).unwrap_or("?"),
                    hbi.map(|b| b.go_version.as_str()).unwrap_or("?")
                ));
                let mut f = Finding::new(
                    Code::GoVersionMismatch,
                    Severity::Error,
                    format!("{name}: {}", r.root_cause.clone().unwrap_or_default()),
                );
                f.artifacts = vec![host_name.clone(), name.clone()];
                f.fix = Some(format!(
                    "rebuild the plugin with {}",
                    hbi.map(|b| b.go_version.as_str())
                        .unwrap_or("the host's Go")
                ));
                report.findings.push(f);
                report.plugins.push(r);
                // The process is gone: later plugins are never opened.
                break;
            }
        }
        if let Some(pp) = &r.plugin_path {
            if let Some(first) = loaded_paths.get(pp) {
                r.verdict = Verdict::Fails;
                r.error = Some(open_err("plugin already loaded"));
                r.root_cause = Some(format!(
                    "{first} was built from the same package {pp}; each plugin needs its own main package path"
                ));
                let mut f = Finding::new(
                    Code::DuplicatePluginPath,
                    Severity::Error,
                    format!("{name} and {first} have the same plugin path {pp}"),
                );
                f.artifacts = vec![first.clone(), name.clone()];
                report.findings.push(f);
                report.plugins.push(r);
                continue;
            }
        }
        let order: Vec<String> = if plugin.check_order.is_empty() {
            plugin.hashes.keys().cloned().collect()
        } else {
            plugin.check_order.clone()
        };
        for pkg in &order {
            let Some(mine) = plugin.hashes.get(pkg) else {
                continue;
            };
            if let Some((theirs, who)) = global.get(pkg) {
                if theirs != mine {
                    r.mismatched_packages.push(Mismatch {
                        package: pkg.clone(),
                        host_hash: hex(theirs),
                        plugin_hash: hex(mine),
                        bound_to: who.clone(),
                    });
                }
            }
        }
        // dlopen(RTLD_GLOBAL) already made the plugin's symbols visible to later plugins,
        // even when the check below fails.
        for (k, v) in &plugin.hashes {
            global.entry(k.clone()).or_insert((*v, name.clone()));
        }
        if let Some(pp) = &r.plugin_path {
            loaded_paths.entry(pp.clone()).or_insert(name.clone());
        }
        if let Some(first) = r.mismatched_packages.first() {
            r.verdict = Verdict::Fails;
            r.error = Some(open_err(&format!(
                "plugin was built with a different version of package {}",
                first.package
            )));
            let causes = diagnose::explain(host, plugin, &r.mismatched_packages, name);
            r.rebuild_with = hbi.map(diagnose::recipe);
            r.root_cause = causes.first().map(|f| f.message.clone());
            let mut f = Finding::new(
                Code::PackageHashMismatch,
                Severity::Error,
                format!(
                    "{name} fails to load: {} package(s) differ from what the {} provides; the runtime will name {}",
                    r.mismatched_packages.len(),
                    if first.bound_to == "host" { "host".to_string() } else { format!("earlier plugin {}", first.bound_to) },
                    first.package
                ),
            );
            f.artifacts = vec![host_name.clone(), name.clone()];
            f.packages = r
                .mismatched_packages
                .iter()
                .map(|m| m.package.clone())
                .collect();
            f.evidence.push(Evidence {
                artifact: name.clone(),
                file: plugin.path.clone(),
                line: None,
                col: None,
                text: r.error.clone().unwrap_or_default(),
            });
            report.findings.push(f);
            report.findings.extend(causes);
        }
        report.plugins.push(r);
    }
    crate::finding::sort_findings(&mut report.findings);
    report
}
