//! Why hashes differ. The runtime names the first differing package, often a std package
//! such as `internal/goarch` when the real cause is a build flag; build info on both sides
//! says what really differs. Causes are data; the rules word them as findings.

use super::buildinfo::{BuildInfo, Dep};
use super::elf::Artifact;
use super::runtime::Mismatch;

/// Build settings that change compiled export data when they differ (`-ldflags`, `GOAMD64`
/// and `-buildvcs` do not).
pub const HASH_AFFECTING: &[(&str, &str)] = &[
    ("-race", "false"),
    ("-msan", "false"),
    ("-asan", "false"),
    ("-gcflags", ""),
    ("-trimpath", "false"),
    ("GOEXPERIMENT", ""),
    ("-pgo", ""),
    ("GOARCH", ""),
    ("GOOS", ""),
    ("-compiler", "gc"),
    // Tags select files: they change a package's hash when they select different files.
    ("-tags", ""),
];

fn setting<'a>(bi: &'a BuildInfo, key: &str, default: &'a str) -> &'a str {
    bi.setting(key).unwrap_or(default)
}

/// `M@V`, `M@V replaced by directory D` or `M@V replaced by M2@V2`.
pub fn describe_source(d: &Dep) -> String {
    match &d.replace {
        Some(r) if r.version.is_empty() || r.version == "(devel)" => {
            format!("{}@{} replaced by directory {}", d.path, d.version, r.path)
        }
        Some(r) => format!(
            "{}@{} replaced by {}@{}",
            d.path, d.version, r.path, r.version
        ),
        None => format!("{}@{}", d.path, d.version),
    }
}

/// Why hashes differ, as data; the rules word it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cause {
    /// One side has no build info: the cause cannot be named.
    NoBuildInfo,
    /// Another Go toolchain; `same_release` when only the patch level differs.
    Toolchain {
        host: String,
        plugin: String,
        same_release: bool,
    },
    /// A hash-affecting build setting differs.
    Setting {
        key: &'static str,
        host: String,
        plugin: String,
        /// The package the runtime names first.
        first_package: String,
    },
    /// A package of the host's own main module, compiled by the plugin as a dependency
    /// (from a module version, a replacement or vendor/).
    HostModule {
        module: String,
        plugin: String,
        package: String,
    },
    /// The module of a mismatched package is at another version.
    Version {
        module: String,
        host: String,
        plugin: String,
        package: String,
    },
    /// Same version, another replacement.
    Replace {
        module: String,
        host: String,
        plugin: String,
        package: String,
    },
    /// Same version, replaced by a local directory on both sides, no -trimpath.
    LocalDir { module: String, package: String },
    /// Same version and source, but the package imports packages that differ for a reason
    /// above: its own export data changes with theirs (cmd/compile records the types and
    /// inline bodies it uses from its imports).
    Imports {
        module: String,
        version: String,
        package: String,
        /// The modules whose version or replacement differs.
        because_of: Vec<String>,
    },
    /// Same version and source as far as build info says: edited source, vendor/ on one
    /// side, or another GOPATH without -trimpath.
    Content {
        module: String,
        version: String,
        package: String,
    },
}

/// The causes of the mismatches between `against` (the host or the earlier plugin the
/// runtime compared with) and `plugin`, most decisive first.
pub fn causes(against: &Artifact, plugin: &Artifact, mismatches: &[Mismatch]) -> Vec<Cause> {
    let mut out = Vec::new();
    // `go1.26.8-X:arenas` is go1.26.8 built with an experiment (GOEXPERIMENT, below). The
    // version also comes from DWARF for plugins without build info (before Go 1.21).
    let release = |v: &str| crate::semver::gover::from_toolchain(v).map(str::to_string);
    if let (Some(hv), Some(pv)) = (against.go_version.as_deref(), plugin.go_version.as_deref()) {
        if release(hv) != release(pv) {
            // Another Go release (go1.25 vs go1.26) crashes the process or fails on every
            // package; another patch release of the same one loads or fails on the std
            // packages that changed.
            let lang =
                |v: &str| crate::semver::gover::from_toolchain(v).map(crate::semver::gover::lang);
            out.push(Cause::Toolchain {
                host: hv.to_string(),
                plugin: pv.to_string(),
                same_release: lang(hv).is_some() && lang(hv) == lang(pv),
            });
        }
    }
    let (Some(h), Some(p)) = (against.build_info.as_ref(), plugin.build_info.as_ref()) else {
        if out.is_empty() {
            out.push(Cause::NoBuildInfo);
        }
        return out;
    };
    let first_package = mismatches
        .first()
        .map(|m| m.package.clone())
        .unwrap_or_else(|| "?".into());
    // Tags only select files: they explain packages whose version did not change, after the
    // modules that really drifted (a tag may just pull in an import of a drifted module).
    let mut tags = None;
    for (key, default) in HASH_AFFECTING {
        let (hv, pv) = (setting(h, key, default), setting(p, key, default));
        if hv != pv {
            let c = Cause::Setting {
                key,
                host: hv.to_string(),
                plugin: pv.to_string(),
                first_package: first_package.clone(),
            };
            if *key == "-tags" {
                tags = Some(c);
            } else {
                out.push(c);
            }
        }
    }
    // A toolchain or flag difference changes every package: same-version dependencies then
    // differ for that reason alone, so only real version/replacement drift is added below.
    let global_cause = !out.is_empty();
    // Module-level causes for the mismatched packages outside the standard library: first
    // the modules that really differ, then those that differ only through their imports.
    let mut seen = std::collections::BTreeSet::new();
    let mut drifted: Vec<String> = Vec::new();
    let mut same: Vec<(&Dep, &Mismatch)> = Vec::new();
    for m in mismatches {
        let (Some(hd), Some(pd)) = (h.module_of(&m.package), p.module_of(&m.package)) else {
            continue;
        };
        if hd.path != pd.path || !seen.insert(hd.path.clone()) {
            continue;
        }
        let is_main = |bi: &BuildInfo| bi.main.as_ref().is_some_and(|m| m.path == hd.path);
        if is_main(h) && !is_main(p) {
            drifted.push(hd.path.clone());
            out.push(Cause::HostModule {
                module: hd.path.clone(),
                plugin: describe_source(pd),
                package: m.package.clone(),
            });
        } else if hd.version != pd.version {
            drifted.push(hd.path.clone());
            out.push(Cause::Version {
                module: hd.path.clone(),
                host: hd.version.clone(),
                plugin: pd.version.clone(),
                package: m.package.clone(),
            });
        } else if hd.replace != pd.replace {
            drifted.push(hd.path.clone());
            out.push(Cause::Replace {
                module: hd.path.clone(),
                host: describe_source(hd),
                plugin: describe_source(pd),
                package: m.package.clone(),
            });
        } else if !global_cause {
            same.push((hd, m));
        }
    }
    let trimpath = setting(h, "-trimpath", "false") == "true";
    if let Some(t) = tags {
        out.push(t);
        // Different tags explain the same-version packages that differ.
        return out;
    }
    for (hd, m) in same {
        out.push(if hd.replace.is_some() && !trimpath {
            Cause::LocalDir {
                module: hd.path.clone(),
                package: m.package.clone(),
            }
        } else if !drifted.is_empty() {
            Cause::Imports {
                module: hd.path.clone(),
                version: hd.version.clone(),
                package: m.package.clone(),
                because_of: drifted.clone(),
            }
        } else {
            Cause::Content {
                module: hd.path.clone(),
                version: hd.version.clone(),
                package: m.package.clone(),
            }
        });
    }
    out
}

/// The `go build -buildmode=plugin` command line that reproduces the host's hash-relevant
/// build settings, for rebuilding a plugin to match.
pub fn recipe(host: &BuildInfo) -> String {
    let mut env = Vec::new();
    let mut args = vec!["go".to_string(), "build".into(), "-buildmode=plugin".into()];
    if let Some(v) = host.go_version.split_whitespace().next() {
        env.push(format!("GOTOOLCHAIN={v}"));
    }
    for key in ["CGO_ENABLED", "GOEXPERIMENT", "GOARCH", "GOOS"] {
        if let Some(v) = host.setting(key) {
            if !v.is_empty() {
                env.push(format!("{key}={v}"));
            }
        }
    }
    if host.setting("-trimpath") == Some("true") {
        args.push("-trimpath".into());
    }
    if host.setting("-race") == Some("true") {
        args.push("-race".into());
    }
    for key in ["-gcflags", "-tags", "-pgo"] {
        if let Some(v) = host.setting(key).filter(|v| !v.is_empty()) {
            args.push(format!("{key}='{v}'"));
        }
    }
    format!("{} {}", env.join(" "), args.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary::buildinfo::BuildInfo;

    fn art(go: &str) -> Artifact {
        Artifact {
            path: "x".into(),
            build_info: Some(BuildInfo {
                go_version: go.into(),
                ..BuildInfo::default()
            }),
            go_version: Some(go.into()),
            ..Artifact::default()
        }
    }

    #[test]
    fn patch_release_difference_is_the_same_release() {
        let c = causes(&art("go1.26.8"), &art("go1.26.6"), &[]);
        assert!(matches!(
            c.as_slice(),
            [Cause::Toolchain {
                same_release: true,
                ..
            }]
        ));
        let c = causes(&art("go1.26.8"), &art("go1.25.5"), &[]);
        assert!(matches!(
            c.as_slice(),
            [Cause::Toolchain {
                same_release: false,
                ..
            }]
        ));
        assert!(causes(&art("go1.26.8"), &art("go1.26.8"), &[]).is_empty());
    }
}
