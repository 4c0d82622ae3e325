//! Binary mode: the runtime replay (`crate::binary::replay`) and the causes of hash
//! differences (`crate::binary::diagnose`) are plain data; this turns them into findings,
//! each worded by its code's rule file, and sets each plugin's root cause and rebuild recipe.

use super::{
    gd001_version_conflict, gd002_replace_divergence, gd004_toolchain_mismatch,
    gd005_build_flag_mismatch, gd007_source_path_divergence, gd008_duplicate_plugin_path,
    gd012_host_module_rebuilt, gd020_package_hash_mismatch, gd021_host_not_dynamic,
    gd022_host_without_cgo, gd023_go_version_mismatch, gd024_not_a_go_artifact,
    gd025_elf_target_mismatch, gd026_glibc_too_new, gd027_unexpected_library,
    gd090_incomplete_information,
};
use crate::binary::diagnose::{self, Cause};
use crate::binary::loader::LoaderInfo;
use crate::binary::{Artifact, Event, HostSummary, PluginResult, Verdict};
use crate::finding::{sort_findings, Code, Finding};
use serde::Serialize;

/// `godrift check`'s result (`schema_version` 1, described by `schemas/check.schema.json`).
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

/// What the dynamic loader reads from the host and each plugin, and what the host's target
/// provides: the checks dlopen makes before Go's runtime compares package hashes.
#[derive(Clone, Copy, Debug, Default)]
pub struct LoaderCheck<'a> {
    pub host: Option<&'a LoaderInfo>,
    /// One per plugin, in order (None: not read); empty: no loader checks.
    pub plugins: &'a [Option<LoaderInfo>],
    /// The target's glibc release (`2.31`): the highest GLIBC version a plugin may need.
    pub glibc_ceiling: Option<&'a str>,
}

/// dlopen refuses a plugin: the loader's message (after `plugin.Open("NAME"): `), the root
/// cause, and the finding that says why.
#[derive(Clone, Debug)]
pub struct Refusal {
    pub dlerror: String,
    pub root_cause: String,
    pub finding: Finding,
}

/// What a loader rule concludes for one plugin.
#[derive(Clone, Debug)]
pub enum LoaderVerdict {
    Ok,
    /// Loads here, but may not on every target.
    Warn(Finding),
    /// dlopen fails.
    Refused(Refusal),
}

/// Placeholder the replay sees for a plugin the loader refuses (dlopen failures are neither
/// cached nor published, like the executables the replay itself refuses).
const LOADER_REFUSED: &str = "refused by the dynamic loader";

/// The loader rules for one plugin, in the loader's order: the file itself (class,
/// machine), then its libraries, then their symbol versions. The first refusal wins.
fn loader_verdicts(
    lc: &LoaderCheck,
    plugin: &LoaderInfo,
    host_name: &str,
    name: &str,
    real: &str,
) -> (Option<Refusal>, Vec<Finding>) {
    let mut verdicts = Vec::new();
    if let Some(h) = lc.host {
        verdicts.push(gd025_elf_target_mismatch::check(
            h, plugin, host_name, name, real,
        ));
        verdicts.extend(gd027_unexpected_library::check(h, plugin, host_name, name));
    }
    verdicts.push(gd026_glibc_too_new::check(
        lc.host,
        plugin,
        lc.glibc_ceiling,
        host_name,
        name,
        real,
    ));
    let mut warnings = Vec::new();
    for v in verdicts {
        match v {
            LoaderVerdict::Ok => {}
            LoaderVerdict::Warn(f) => warnings.push(f),
            LoaderVerdict::Refused(r) => return (Some(r), Vec::new()),
        }
    }
    (None, warnings)
}

/// Replays loading `plugins` (in order) into `host` and explains every failure. `names` are
/// the paths as the host program would pass them to plugin.Open.
pub fn check(host: &Artifact, plugins: &[Artifact], names: &[String]) -> CheckReport {
    check_with(host, plugins, names, &LoaderCheck::default())
}

/// `check`, with the dynamic loader's checks first (see `LoaderCheck`).
pub fn check_with(
    host: &Artifact,
    plugins: &[Artifact],
    names: &[String],
    lc: &LoaderCheck,
) -> CheckReport {
    let host_name = host.path.display().to_string();
    let mut refusals: Vec<Option<Refusal>> = vec![None; plugins.len()];
    let mut loader_findings = Vec::new();
    // Needs a newer glibc than the host does, with no ceiling given: loads only where the
    // target has it, which the files cannot say (never "loads" where dlopen may fail).
    let mut undecided: Vec<Option<String>> = vec![None; plugins.len()];
    for (i, (plugin, name)) in plugins.iter().zip(names).enumerate() {
        let Some(Some(info)) = lc.plugins.get(i) else {
            continue;
        };
        let real = std::fs::canonicalize(&plugin.path)
            .unwrap_or_else(|_| plugin.path.clone())
            .display()
            .to_string();
        let (refused, warnings) = loader_verdicts(lc, info, &host_name, name, &real);
        refusals[i] = refused;
        undecided[i] = warnings
            .iter()
            .find(|f| f.code == Code::GlibcTooNew)
            .map(|f| f.message.clone());
        loader_findings.extend(warnings);
    }
    let marked: std::borrow::Cow<[Artifact]> = if refusals.iter().any(Option::is_some) {
        let mut v = plugins.to_vec();
        for (a, r) in v.iter_mut().zip(&refusals) {
            if r.is_some() {
                a.dlopen_refusal = Some(LOADER_REFUSED);
            }
        }
        std::borrow::Cow::Owned(v)
    } else {
        std::borrow::Cow::Borrowed(plugins)
    };
    let mut report = replay_and_explain(host, &marked, names, &refusals);
    for (r, u) in report.plugins.iter_mut().zip(undecided) {
        if let (Verdict::Loads, Some(why)) = (r.verdict, u) {
            r.verdict = Verdict::Unknown;
            r.root_cause = Some(why);
        }
    }
    report.findings.extend(loader_findings);
    report
        .findings
        .extend(gd008_duplicate_plugin_path::latent(&report.plugins));
    sort_findings(&mut report.findings);
    report
}

fn replay_and_explain(
    host: &Artifact,
    plugins: &[Artifact],
    names: &[String],
    refusals: &[Option<Refusal>],
) -> CheckReport {
    let replay = crate::binary::replay(host, plugins, names);
    let host_name = replay.host.path.clone();
    let mut findings = Vec::new();
    if replay.facts.not_go {
        findings.push(gd024_not_a_go_artifact::host(&host_name));
    }
    if replay.facts.static_link {
        findings.push(gd022_host_without_cgo::binary(&host_name));
    } else if replay.facts.no_plugin_symbols {
        findings.push(gd021_host_not_dynamic::binary(&host_name));
    }
    let mut results = replay.plugins;
    for i in 0..results.len() {
        let (plugin, name) = (&plugins[i], &names[i]);
        let r = &results[i];
        let mut root_cause = None;
        let mut rebuild_with = None;
        match &r.event {
            Event::Loads => {}
            Event::HostStatic => root_cause = Some(gd022_host_without_cgo::ROOT_CAUSE.into()),
            Event::HostNotDynamic => root_cause = Some(gd021_host_not_dynamic::ROOT_CAUSE.into()),
            Event::DlopenRefused => match &refusals[i] {
                Some(rf) => {
                    root_cause = Some(rf.root_cause.clone());
                    findings.push(rf.finding.clone());
                }
                None => findings.push(gd024_not_a_go_artifact::executable(name)),
            },
            Event::Cached { of } => root_cause = results[*of].root_cause.clone(),
            Event::NotGo => findings.push(gd024_not_a_go_artifact::plugin(name)),
            Event::LegacyFormat => {
                let f = gd090_incomplete_information::legacy_hashes(&host_name, name);
                root_cause = Some(gd090_incomplete_information::LEGACY_ROOT_CAUSE.into());
                findings.push(f);
            }
            Event::OtherRelease { after_loaded } => {
                let f = gd023_go_version_mismatch::binary(
                    &host_name,
                    name,
                    replay.host.go_version.as_deref(),
                    r.go_version.as_deref(),
                );
                let mut rc = gd023_go_version_mismatch::root_cause(
                    replay.host.go_version.as_deref(),
                    r.go_version.as_deref(),
                );
                if *after_loaded {
                    rc.push_str(gd023_go_version_mismatch::AFTER_LOADED);
                }
                root_cause = Some(rc);
                findings.push(f);
            }
            Event::AlreadyLoaded { first, plugin_path } => {
                root_cause = Some(gd008_duplicate_plugin_path::binary_root_cause(
                    first,
                    plugin_path,
                ));
                findings.push(gd008_duplicate_plugin_path::binary(
                    first,
                    name,
                    plugin_path,
                ));
            }
            Event::HashMismatch { against } => {
                // Explain against the side the runtime compared with.
                let (other, label) = match against {
                    Some(j) => (&plugins[*j], format!("earlier plugin {}", names[*j])),
                    None => (host, "host".to_string()),
                };
                let causes = diagnose::causes(other, plugin, &r.mismatched_packages);
                let explained = cause_findings(&causes, &label, &host_name, name);
                root_cause = explained.first().map(|f| f.message.clone());
                rebuild_with = host.build_info.as_ref().map(diagnose::recipe);
                findings.push(gd020_package_hash_mismatch::binary(
                    &host_name,
                    name,
                    &plugin.path,
                    r,
                ));
                findings.extend(explained);
            }
        }
        let r = &mut results[i];
        if let (Event::DlopenRefused, Some(rf)) = (&r.event, &refusals[i]) {
            // dlopen's own message; plugin.Open puts the name as given before it.
            r.error = Some(format!("plugin.Open(\"{name}\"): {}", rf.dlerror));
        }
        r.root_cause = root_cause;
        r.rebuild_with = rebuild_with;
    }
    sort_findings(&mut findings);
    CheckReport {
        schema_version: crate::finding::SCHEMA_VERSION,
        host: replay.host,
        plugins: results,
        findings,
    }
}

/// One finding per cause, most decisive first. Packages that differ only because they import
/// a drifted module's packages are attributed to the first drifted module's finding.
pub(crate) fn cause_findings(
    causes: &[Cause],
    label: &str,
    host: &str,
    plugin: &str,
) -> Vec<Finding> {
    let artifacts = vec![host.to_string(), plugin.to_string()];
    let dependents: Vec<&str> = causes
        .iter()
        .filter_map(|c| match c {
            Cause::Imports { package, .. } => Some(package.as_str()),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    let mut attributed = false;
    for c in causes {
        let mut f = match c {
            Cause::NoBuildInfo => gd090_incomplete_information::no_build_info(plugin),
            Cause::Toolchain {
                host,
                plugin: pv,
                same_release: true,
            } => gd004_toolchain_mismatch::binary(label, plugin, host, pv),
            Cause::Toolchain {
                host,
                plugin: pv,
                same_release: false,
            } => gd023_go_version_mismatch::cause(label, plugin, host, pv),
            Cause::Setting {
                key,
                host,
                plugin: pv,
                first_package,
            } => gd005_build_flag_mismatch::binary(label, plugin, key, host, pv, first_package),
            Cause::HostModule {
                module,
                plugin: pv,
                package,
            } => gd012_host_module_rebuilt::binary(label, plugin, module, pv, package),
            Cause::Version {
                module,
                host,
                plugin: pv,
                package,
            } => gd001_version_conflict::binary(label, plugin, module, host, pv, package),
            Cause::Replace {
                module,
                host,
                plugin: pv,
                package,
            } => gd002_replace_divergence::binary(label, module, host, pv, package),
            Cause::LocalDir { module, package } => {
                gd007_source_path_divergence::binary_local_dir(module, package)
            }
            Cause::Content {
                module,
                version,
                package,
            } => gd007_source_path_divergence::binary_content(module, version, package),
            // Worded on the drifted module's finding below.
            Cause::Imports { .. } => continue,
        };
        if !attributed
            && !dependents.is_empty()
            && matches!(
                c,
                Cause::Version { .. } | Cause::Replace { .. } | Cause::HostModule { .. }
            )
        {
            attributed = true;
            f.message.push_str(&format!(
                "; {} other package(s) differ only because they import what changed: {}",
                dependents.len(),
                dependents.join(", ")
            ));
            f.packages.extend(dependents.iter().map(|p| p.to_string()));
        }
        f.artifacts = artifacts.clone();
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary::buildinfo::{BuildInfo, Dep};
    use crate::codes::Code;

    fn art(name: &str, deps: &[(&str, &str)], hashes: &[(&str, u8)]) -> Artifact {
        Artifact {
            path: name.into(),
            dynamic: true,
            hashes: hashes
                .iter()
                .map(|(p, h)| (p.to_string(), [*h; 8]))
                .collect(),
            check_order: hashes.iter().map(|(p, _)| p.to_string()).collect(),
            build_info: Some(BuildInfo {
                go_version: "go1.26.8".into(),
                path: format!("example.com/{name}"),
                deps: deps
                    .iter()
                    .map(|(p, v)| Dep {
                        path: p.to_string(),
                        version: v.to_string(),
                        ..Dep::default()
                    })
                    .collect(),
                ..BuildInfo::default()
            }),
            go_version: Some("go1.26.8".into()),
            linked_plugin_path: None,
            release_hint: None,
            file_id: None,
            legacy_hash_format: false,
            dlopen_refusal: None,
        }
    }

    #[test]
    fn packages_that_differ_through_their_imports_are_attributed_to_the_bumped_module() {
        // b.com/b is the same version on both sides but imports a.com/a, which was bumped:
        // b's hash differs only because of a. The runtime names b first.
        let host = art(
            "host",
            &[("a.com/a", "v1.0.0"), ("b.com/b", "v1.0.0")],
            &[("b.com/b", 1), ("a.com/a", 1)],
        );
        let plugin = art(
            "p.so",
            &[("a.com/a", "v1.1.0"), ("b.com/b", "v1.0.0")],
            &[("b.com/b", 2), ("a.com/a", 2)],
        );
        let r = check(&host, &[plugin], &["p.so".into()]);
        assert_eq!(r.plugins[0].mismatched_packages[0].package, "b.com/b");
        let codes: Vec<Code> = r.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::VersionConflict, Code::PackageHashMismatch]);
        let gd001 = &r.findings[0];
        assert!(
            gd001
                .message
                .contains("differ only because they import what changed: b.com/b"),
            "{}",
            gd001.message
        );
        assert_eq!(gd001.packages, ["a.com/a", "b.com/b"]);
        let rc = r.plugins[0].root_cause.as_deref().unwrap();
        assert!(
            rc.starts_with("a.com/a is v1.0.0 in the host but v1.1.0"),
            "{rc}"
        );
    }

    /// Crafted loader data: what dlopen refuses, in its words, and what only warns.
    #[test]
    fn loader_rules_on_crafted_files() {
        // A minimal ELF32 i386 header (no program headers), as loader::read_bytes reads it.
        let mut elf32 = vec![0x7f, b'E', b'L', b'F', 1, 1, 1];
        elf32.resize(52, 0);
        elf32[16] = 3; // ET_DYN
        elf32[18] = 3; // EM_386
        let p32 = crate::binary::loader::read_bytes(&elf32).unwrap();
        assert_eq!((p32.class, p32.machine), (32, 3));
        let glibc_host = LoaderInfo {
            class: 64,
            machine: 62,
            interpreter: Some("/lib64/ld-linux-x86-64.so.2".into()),
            needed: vec!["libc.so.6".into()],
            versions: [("libc.so.6".to_string(), vec!["GLIBC_2.34".to_string()])]
                .into_iter()
                .collect(),
            ..LoaderInfo::default()
        };
        let lc = LoaderCheck {
            host: Some(&glibc_host),
            plugins: &[],
            glibc_ceiling: None,
        };
        let refused = |p: &LoaderInfo, lc: &LoaderCheck| {
            loader_verdicts(lc, p, "host", "./p.so", "/x/p.so").0
        };
        let r = refused(&p32, &lc).unwrap();
        assert_eq!(r.dlerror, "/x/p.so: wrong ELF class: ELFCLASS32");
        assert_eq!(r.finding.code, Code::ElfTargetMismatch);
        let musl = LoaderInfo {
            needed: vec!["libc.musl-x86_64.so.1".into()],
            ..glibc_host.clone()
        };
        let r = refused(&musl, &lc).unwrap();
        assert_eq!(
            r.dlerror,
            "libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory"
        );
        assert_eq!(r.finding.code, Code::UnexpectedLibrary);
        // An extra library warns; the same plugin loads.
        let extra = LoaderInfo {
            needed: vec!["libc.so.6".into(), "libsqlite3.so.0".into()],
            ..glibc_host.clone()
        };
        let (r, w) = loader_verdicts(&lc, &extra, "host", "./p.so", "/x/p.so");
        assert!(r.is_none());
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, Code::UnexpectedLibrary);
        // GLIBC: above the ceiling fails; at it loads; without one, above the host warns.
        let newer = LoaderInfo {
            versions: [("libc.so.6".to_string(), vec!["GLIBC_2.38".to_string()])]
                .into_iter()
                .collect(),
            ..glibc_host.clone()
        };
        let at = |c| LoaderCheck {
            glibc_ceiling: Some(c),
            ..lc
        };
        let r = refused(&newer, &at("2.36")).unwrap();
        assert_eq!(
            r.dlerror,
            "libc.so.6: version `GLIBC_2.38' not found (required by /x/p.so)"
        );
        assert!(refused(&newer, &at("2.38")).is_none());
        let (r, w) = loader_verdicts(&lc, &newer, "host", "./p.so", "/x/p.so");
        assert!(r.is_none());
        assert_eq!(
            (w[0].code, w[0].severity),
            (Code::GlibcTooNew, crate::finding::Severity::Warning)
        );
        assert!(refused(&glibc_host, &at("2.34")).is_none());
    }
}
