//! Root cause: the runtime names the first differing package, often a std package that says
//! nothing about why. Build info of both sides tells the real reason.

use super::buildinfo::{BuildInfo, BuildModule};
use super::verdict::{Artifact, CheckReport, PluginReport, Verdict};
use crate::finding::{Code, Evidence, Finding, Severity};

/// Settings that change compiled packages: they must be equal on both sides.
/// (`-ldflags`, `GOAMD64`, `-buildvcs`/`vcs.*`, `-buildmode`, DefaultGODEBUG need not.)
const MUST_MATCH: [&str; 13] = [
    "-race",
    "-msan",
    "-asan",
    "-gcflags",
    "-asmflags",
    "-trimpath",
    "-pgo",
    "GOEXPERIMENT",
    "-tags",
    "-compiler",
    "GOARCH",
    "GOOS",
    "-cover",
];

fn is_std(pkg: &str) -> bool {
    !pkg.split('/').next().unwrap_or("").contains('.')
}

/// The module providing `pkg` in a build (longest path prefix), main module included.
fn owner<'a>(info: &'a BuildInfo, pkg: &str) -> Option<&'a BuildModule> {
    info.deps
        .iter()
        .chain(info.main.as_ref())
        .filter(|m| pkg == m.path || pkg.starts_with(&format!("{}/", m.path)))
        .max_by_key(|m| m.path.len())
}

fn describe(m: &BuildModule) -> String {
    match &m.replace {
        Some(r) if r.version.is_empty() || r.version == "(devel)" => {
            format!("{} => {}", m.version, r.path)
        }
        Some(r) => format!("{} => {} {}", m.version, r.path, r.version),
        None => m.version.clone(),
    }
}

fn ev(artifact: &str, a: &Artifact, text: String) -> Evidence {
    Evidence {
        artifact: artifact.to_string(),
        file: a.path.clone(),
        line: None,
        col: None,
        text,
    }
}

/// A `go build` command line reproducing `info`'s settings that must match.
fn build_command(info: &BuildInfo) -> String {
    let mut env = Vec::new();
    let mut flags = Vec::new();
    for k in MUST_MATCH {
        let Some(v) = info.setting(k) else { continue };
        match k {
            "-trimpath" | "-race" | "-msan" | "-asan" | "-cover" if v == "true" => {
                flags.push(k.to_string())
            }
            "GOEXPERIMENT" | "GOARCH" | "GOOS" => env.push(format!("{k}={v}")),
            "-compiler" if v == "gc" => {}
            _ if k.starts_with('-') => flags.push(format!("{k}='{v}'")),
            _ => {}
        }
    }
    let mut cmd = env;
    cmd.push("go build -buildmode=plugin".into());
    cmd.extend(flags);
    cmd.join(" ")
}

/// Adds root causes and findings to a report computed by `verdict::check`.
pub fn diagnose(report: &mut CheckReport, host: &Artifact, plugins: &[Artifact]) {
    let mut findings = Vec::new();
    for (rep, p) in report.plugins.iter_mut().zip(plugins) {
        if rep.verdict == Verdict::Loads || rep.root_cause.is_some() {
            continue;
        }
        let found = diagnose_one(rep, host, p, plugins);
        rep.root_cause = found.first().map(|f| f.message.clone());
        findings.extend(found);
    }
    report.findings.extend(findings);
    crate::finding::sort_findings(&mut report.findings);
}

fn diagnose_one(
    rep: &PluginReport,
    host: &Artifact,
    p: &Artifact,
    plugins: &[Artifact],
) -> Vec<Finding> {
    let pname = p.path.display().to_string();
    let hname = host.path.display().to_string();
    let artifacts = vec![hname.clone(), pname.clone()];
    let mut out = Vec::new();
    let (Some(hi), Some(pi)) = (host.info.as_ref(), p.info.as_ref()) else {
        if rep.mismatched_packages.is_empty() {
            return out;
        }
        let mut f = Finding::new(
            Code::IncompleteInformation,
            Severity::Warning,
            format!(
                "{} has no build info (plugins carry it from Go 1.20/1.21 on): the cause of the hash mismatch cannot be named",
                if host.info.is_none() { &hname } else { &pname }
            ),
        );
        f.artifacts = artifacts;
        return vec![f];
    };

    // Toolchain.
    if hi.go_version != pi.go_version {
        let crash = rep.verdict == Verdict::Crashes;
        let mut f = Finding::new(
            if crash {
                Code::GoVersionMismatch
            } else {
                Code::ToolchainMismatch
            },
            Severity::Error,
            format!(
                "host built with {}, plugin with {}: {}",
                hi.go_version,
                pi.go_version,
                if crash {
                    "a different Go minor version crashes the process"
                } else {
                    "the standard library differs between the two toolchains"
                }
            ),
        );
        f.artifacts = artifacts.clone();
        f.evidence = vec![
            ev("host", host, hi.go_version.clone()),
            ev("plugin", p, pi.go_version.clone()),
        ];
        f.fix = Some(format!(
            "build the plugin with the host's toolchain: GOTOOLCHAIN={} go build -buildmode=plugin",
            hi.go_version
        ));
        out.push(f);
        if crash {
            return out;
        }
    }
    if rep.mismatched_packages.is_empty() {
        return out;
    }

    // Build flags that change every package.
    let mut late = Vec::new();
    let mut flag_diffs = Vec::new();
    for k in MUST_MATCH {
        let (a, b) = (hi.setting(k), pi.setting(k));
        if a != b {
            flag_diffs.push((k, a, b));
        }
    }
    for (k, a, b) in &flag_diffs {
        let show = |v: &Option<&str>| v.map_or("(unset)".to_string(), |s| s.to_string());
        let mut f = Finding::new(
            Code::BuildFlagMismatch,
            Severity::Error,
            format!(
                "build setting {k} differs: host {}, plugin {} (the runtime then names package {}, not the cause)",
                show(a),
                show(b),
                rep.mismatched_packages[0].package
            ),
        );
        f.artifacts = artifacts.clone();
        f.packages = rep
            .mismatched_packages
            .iter()
            .take(5)
            .map(|m| m.package.clone())
            .collect();
        f.evidence = vec![
            ev("host", host, format!("build\t{k}={}", show(a))),
            ev("plugin", p, format!("build\t{k}={}", show(b))),
        ];
        f.fix = Some(format!(
            "use the same {k} on both sides, e.g. rebuild the plugin with the host's settings: `{}`",
            build_command(hi)
        ));
        if *k == "-tags" {
            // Tags only change packages that use them: list them after module differences.
            late.push(f);
        } else {
            out.push(f);
        }
    }

    // Modules of mismatching non-std packages.
    let mut seen = std::collections::BTreeSet::new();
    for m in &rep.mismatched_packages {
        if is_std(&m.package) {
            continue;
        }
        // Compare with the side the plugin's reference bound to: the host, or an earlier plugin.
        let (other, side) = match plugins
            .iter()
            .find(|q| m.bound_to != "host" && q.path.display().to_string() == m.bound_to)
        {
            Some(q) => (q, format!("earlier plugin {}", m.bound_to)),
            None => (host, "host".to_string()),
        };
        let Some(oi) = other.info.as_ref() else {
            continue;
        };
        let (Some(hm), Some(pm)) = (owner(oi, &m.package), owner(pi, &m.package)) else {
            continue;
        };
        if hm.path != pm.path || !seen.insert(hm.path.clone()) {
            continue;
        }
        let pkgs: Vec<String> = rep
            .mismatched_packages
            .iter()
            .filter(|x| x.bound_to == m.bound_to)
            .filter(|x| owner(pi, &x.package).map(|o| &o.path) == Some(&pm.path))
            .map(|x| x.package.clone())
            .collect();
        let both_trim =
            oi.setting("-trimpath") == Some("true") && pi.setting("-trimpath") == Some("true");
        let (code, msg, fix) = if hm.version != pm.version {
            (
                Code::VersionConflict,
                format!(
                    "module {}: {side} has {}, plugin has {}",
                    hm.path,
                    describe(hm),
                    describe(pm)
                ),
                format!(
                    "align the versions: in the plugin's module run `go get {}@{}` (the {side}'s version)",
                    hm.path, hm.version
                ),
            )
        } else if hm.replace != pm.replace {
            (
                Code::ReplaceDivergence,
                format!(
                    "module {} {}: replaced differently: {side} {}, plugin {}",
                    hm.path,
                    hm.version,
                    describe(hm),
                    describe(pm)
                ),
                "use the same replace target (same directory or module version) on both sides"
                    .to_string(),
            )
        } else if !hm.sum.is_empty() && hm.sum != pm.sum {
            (
                Code::SumMismatch,
                format!(
                    "module {} {}: same version, different content (h1 sums {} vs {})",
                    hm.path, hm.version, hm.sum, pm.sum
                ),
                "rebuild both from the same module content (clean the module cache copy)"
                    .to_string(),
            )
        } else if !flag_diffs.is_empty() {
            continue;
        } else if !both_trim {
            (
                Code::SourcePathDivergence,
                format!(
                    "module {} {}: same version on both sides but different package hashes: its source was edited, or compiled from a different directory without -trimpath on both",
                    hm.path,
                    describe(hm)
                ),
                "build host and plugin from the same source tree, or add -trimpath to both builds; check for local edits"
                    .to_string(),
            )
        } else {
            (
                Code::PackageHashMismatch,
                format!(
                    "module {} {}: same version and -trimpath on both, yet different hashes: the package source differs (edited copy)",
                    hm.path,
                    describe(hm)
                ),
                "build both from identical source".to_string(),
            )
        };
        let mut f = Finding::new(code, Severity::Error, msg);
        f.artifacts = vec![other.path.display().to_string(), pname.clone()];
        f.module = Some(hm.path.clone());
        f.packages = pkgs;
        f.evidence = vec![
            ev(&side, other, format!("dep\t{}\t{}", hm.path, describe(hm))),
            ev("plugin", p, format!("dep\t{}\t{}", pm.path, describe(pm))),
        ];
        f.fix = Some(fix);
        out.push(f);
    }
    out.extend(late);
    if out.is_empty() {
        let mut f = Finding::new(
            Code::PackageHashMismatch,
            Severity::Error,
            format!(
                "package {} differs between host and plugin; build info shows no differing version or setting (edited source, or a different source directory)",
                rep.mismatched_packages[0].package
            ),
        );
        f.artifacts = artifacts;
        f.packages = rep
            .mismatched_packages
            .iter()
            .map(|m| m.package.clone())
            .collect();
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary::buildinfo::parse_modinfo;
    use crate::binary::elf::GoElf;
    use crate::binary::verdict;
    use std::path::PathBuf;

    fn art(name: &str, modinfo: &str, hashes: &[(&str, u8)]) -> Artifact {
        let mut elf = GoElf {
            shared_object: name.ends_with(".so"),
            ..GoElf::default()
        };
        for (p, h) in hashes {
            elf.pkghashes.insert(p.to_string(), [*h; 8]);
            elf.order.push(p.to_string());
        }
        let mut info = parse_modinfo(modinfo);
        info.go_version = "go1.26.8".into();
        Artifact {
            path: PathBuf::from(name),
            realpath: PathBuf::from(format!("/x/{name}")),
            elf,
            info: Some(info),
        }
    }

    fn run(host: &Artifact, plugin: &Artifact) -> CheckReport {
        let mut r = verdict::check(host, std::slice::from_ref(plugin));
        diagnose(&mut r, host, std::slice::from_ref(plugin));
        r
    }

    #[test]
    fn version_conflict_names_both_versions_and_the_fix() {
        let host = art(
            "host",
            "path\tex/h\nmod\tex/h\t(devel)\t\ndep\tgolang.org/x/text\tv0.3.0\th1:a=\n",
            &[("runtime", 1), ("golang.org/x/text/unicode", 2)],
        );
        let plugin = art(
            "p.so",
            "path\tex/p\nmod\tex/p\t(devel)\t\ndep\tgolang.org/x/text\tv0.4.0\th1:b=\n",
            &[("golang.org/x/text/unicode", 3), ("runtime", 1)],
        );
        let r = run(&host, &plugin);
        let f = &r.findings[0];
        assert_eq!(f.code, Code::VersionConflict);
        assert_eq!(f.module.as_deref(), Some("golang.org/x/text"));
        assert_eq!(f.packages, ["golang.org/x/text/unicode"]);
        assert!(
            f.message.contains("v0.3.0") && f.message.contains("v0.4.0"),
            "{}",
            f.message
        );
        assert!(f
            .fix
            .as_deref()
            .unwrap()
            .contains("go get golang.org/x/text@v0.3.0"));
        assert_eq!(r.plugins[0].root_cause.as_deref(), Some(f.message.as_str()));
    }

    #[test]
    fn build_flag_beats_the_std_package_the_runtime_names() {
        let host = art(
            "host",
            "path\tex/h\nbuild\t-gcflags=all=-N -l\n",
            &[("internal/goarch", 1)],
        );
        let plugin = art("p.so", "path\tex/p\n", &[("internal/goarch", 2)]);
        let r = run(&host, &plugin);
        assert_eq!(r.findings.len(), 1);
        let f = &r.findings[0];
        assert_eq!(f.code, Code::BuildFlagMismatch);
        assert!(f.message.contains("-gcflags") && f.message.contains("internal/goarch"));
        assert!(
            f.fix.as_deref().unwrap().contains("-gcflags='all=-N -l'"),
            "{:?}",
            f.fix
        );
    }

    #[test]
    fn same_version_same_replacement_is_a_source_divergence() {
        let mi = "path\tex/h\ndep\tex.com/d\tv1.0.0\th1:a=\n";
        let host = art("host", mi, &[("ex.com/d", 1)]);
        let plugin = art("p.so", mi, &[("ex.com/d", 2)]);
        let r = run(&host, &plugin);
        assert_eq!(r.findings[0].code, Code::SourcePathDivergence);
        // Loading plugins produce no findings at all.
        let same = art("q.so", mi, &[("ex.com/d", 1)]);
        assert!(run(&host, &same).findings.is_empty());
    }

    #[test]
    fn ldflags_and_goamd64_do_not_count() {
        let host = art(
            "host",
            "build\t-ldflags=-s -w\nbuild\tGOAMD64=v3\n",
            &[("ex.com/d", 1)],
        );
        let plugin = art("p.so", "build\tGOAMD64=v1\n", &[("ex.com/d", 2)]);
        let r = run(&host, &plugin);
        assert_eq!(r.plugins[0].verdict, Verdict::Fails);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].code, Code::PackageHashMismatch);
    }
}
