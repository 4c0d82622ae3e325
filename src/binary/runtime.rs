//! The runtime's plugin load check, replayed offline.
//!
//! `plugin.Open` dlopens the `.so` (RTLD_GLOBAL), then the runtime walks the plugin's
//! `pkghashes`: for each package, the hash recorded when the plugin was linked must equal
//! the hash reachable through the dynamic symbol `go:link.pkghash.<pkg>`, which binds to
//! the first definition loaded: the host's, else an earlier plugin's, else the plugin's
//! own. The first difference is the package the error names.

//!
//! This module only replays: what happened to each plugin is plain data (`Event`); the
//! findings and their wording are decided by the rules (`crate::rules::binary`).

use super::buildinfo::BuildInfo;
use super::elf::Artifact;
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

/// What the runtime did with one plugin, as data for the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Loads,
    /// The host is statically linked: "plugin: not implemented".
    HostStatic,
    /// The host exports no Go symbols: the process dies.
    HostNotDynamic,
    /// dlopen refuses an executable.
    DlopenRefused,
    /// The same file was opened before (`of`, an index into the plugins): the runtime
    /// returns its cached result.
    Cached {
        of: usize,
    },
    /// Not a Go plugin (no build info, no package hashes).
    NotGo,
    /// Go <= 1.15 hash format: no verdict.
    LegacyFormat,
    /// Built by another Go release than the host.
    OtherRelease,
    /// A plugin with the same plugin path loaded before (`first` is its name).
    AlreadyLoaded {
        first: String,
        plugin_path: String,
    },
    /// Package hashes differ; `against` is the earlier plugin the first mismatching package
    /// bound to (an index into the plugins), or None for the host.
    HashMismatch {
        against: Option<usize>,
    },
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
    /// The real reason, when godrift can tell it (set by the rules).
    pub root_cause: Option<String>,
    /// The `go build` command line reproducing the host's hash-relevant settings.
    pub rebuild_with: Option<String>,
    #[serde(skip)]
    pub event: Event,
}

#[derive(Clone, Debug, Serialize)]
pub struct HostSummary {
    pub path: String,
    pub go_version: Option<String>,
    pub main_module: Option<String>,
    pub build_settings: BTreeMap<String, String>,
}

/// What the host is, as the runtime sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HostFacts {
    /// No build info and no package hashes.
    pub not_go: bool,
    /// Statically linked (CGO_ENABLED=0).
    pub static_link: bool,
    /// A Go program without package hashes in .dynsym (no `import "plugin"`, or internal
    /// linking).
    pub no_plugin_symbols: bool,
}

/// The replay: the host, and each plugin in the order the host opens them.
#[derive(Clone, Debug)]
pub struct Replay {
    pub host: HostSummary,
    pub facts: HostFacts,
    pub plugins: Vec<PluginResult>,
}

/// The name `plugin.Open` puts in its error: the argument, without a `.so` suffix.
fn open_name(path: &str) -> &str {
    if path.len() > 3 {
        path.strip_suffix(".so").unwrap_or(path)
    } else {
        path
    }
}

/// The runtime's plugin path (`-pluginpath`): the main package's import path, or for a
/// plugin built from files, `plugin/unnamed-<hash>`, which is also the package path of its
/// main package and so appears among the package hashes.
fn plugin_path(a: &Artifact) -> Option<String> {
    if let Some(p) = a.hashes.keys().find(|p| p.starts_with("plugin/unnamed-")) {
        return Some(p.clone());
    }
    a.build_info
        .as_ref()
        .map(|b| b.path.clone())
        .filter(|p| !p.is_empty() && p != "command-line-arguments")
}

fn go_lang(bi: Option<&BuildInfo>) -> Option<String> {
    // `go1.26.8 X:nocoverageredesign`, `go1.26.8-X:arenas` (GOEXPERIMENT builds): the
    // experiment suffix does not make another release; the release is the version word.
    let v = gover::from_toolchain(&bi?.go_version)?;
    Some(gover::lang(v))
}

/// Replays loading `plugins` (in order) into `host`. `names` are the paths as the host
/// program would pass them to plugin.Open.
pub fn replay(host: &Artifact, plugins: &[Artifact], names: &[String]) -> Replay {
    let host_name = host.path.display().to_string();
    let hbi = host.build_info.as_ref();
    let facts = HostFacts {
        not_go: hbi.is_none() && host.hashes.is_empty(),
        static_link: !host.dynamic,
        no_plugin_symbols: host.dynamic && host.hashes.is_empty() && hbi.is_some(),
    };
    let mut out = Replay {
        host: HostSummary {
            path: host_name,
            go_version: hbi.map(|b| b.go_version.clone()),
            main_module: hbi.and_then(|b| b.main.as_ref().map(|m| m.path.clone())),
            build_settings: hbi.map(|b| b.settings.clone()).unwrap_or_default(),
        },
        facts,
        plugins: Vec::new(),
    };
    // Symbol name -> (hash, index of the plugin that defined it first; None: the host).
    let mut global: HashMap<String, ([u8; 8], Option<usize>)> = host
        .hashes
        .iter()
        .map(|(k, v)| (k.clone(), (*v, None)))
        .collect();
    // Plugin paths of plugins that loaded (the runtime's active modules) -> their name.
    let mut loaded_paths: HashMap<String, String> = HashMap::new();
    // State of the last Go module the runtime registered: Some(true) loaded, Some(false)
    // rejected (marked bad). A file that registers no module of its own (a non-Go library,
    // another Go release) makes the runtime look at this tail: measured with go1.26, a
    // loaded tail gives "plugin already loaded", a bad or missing one a fatal error.
    let mut tail: Option<bool> = None;
    // Canonical path -> index in out.plugins: the runtime caches results per realpath.
    let mut by_realpath: HashMap<std::path::PathBuf, usize> = HashMap::new();
    let host_lang = go_lang(hbi);
    for (i, (plugin, name)) in plugins.iter().zip(names).enumerate() {
        let pbi = plugin.build_info.as_ref();
        let real = std::fs::canonicalize(&plugin.path).unwrap_or_else(|_| plugin.path.clone());
        let mut r = PluginResult {
            path: name.clone(),
            plugin_path: plugin_path(plugin),
            go_version: pbi.map(|b| b.go_version.clone()),
            verdict: Verdict::Loads,
            mismatched_packages: Vec::new(),
            error: None,
            root_cause: None,
            rebuild_with: None,
            event: Event::Loads,
        };
        // Go concatenates the name as is (no escaping).
        let open_err = |msg: &str| format!("plugin.Open(\"{}\"): {msg}", open_name(name));
        // Errors returned before plugin.Open strips `.so` (dlopen failure, cached failure)
        // carry the name as given.
        let open_err_raw = |msg: &str| format!("plugin.Open(\"{name}\"): {msg}");
        if facts.static_link {
            r.verdict = Verdict::Fails;
            r.error = Some("plugin: not implemented".to_string());
            r.event = Event::HostStatic;
            out.plugins.push(r);
            continue;
        }
        if facts.no_plugin_symbols {
            // Measured (go1.26, host linked with -linkmode=internal): the plugin's runtime
            // binds to its own copy, the host's module chain stays empty, and the process dies.
            r.verdict = Verdict::Crashes;
            r.error = Some("runtime: no plugin module data".into());
            r.event = Event::HostNotDynamic;
            out.plugins.push(r);
            break;
        }
        // dlopen refuses executables (nothing is loaded or cached); dlerror names the
        // canonical path plugin.Open passed it.
        if let Some(why) = plugin.dlopen_refusal {
            r.verdict = Verdict::Fails;
            r.error = Some(open_err_raw(&format!("{}: {why}", real.display())));
            r.event = Event::DlopenRefused;
            out.plugins.push(r);
            continue;
        }
        // The same file again: plugin.Open returns the cached plugin, or the cached error.
        if let Some(&prev) = by_realpath.get(&real) {
            let p = &out.plugins[prev];
            r.verdict = p.verdict;
            r.mismatched_packages = p.mismatched_packages.clone();
            r.event = Event::Cached { of: prev };
            if p.verdict == Verdict::Fails {
                // The cached reason, with this call's name.
                r.error = p
                    .error
                    .as_deref()
                    .and_then(|e| e.split_once("): "))
                    .map(|(_, reason)| open_err_raw(&format!("{reason} (previous failure)")));
            }
            out.plugins.push(r);
            continue;
        }
        by_realpath.insert(real, out.plugins.len());
        // dlopen(RTLD_GLOBAL) makes the file's symbols visible to later plugins, whatever
        // the runtime's check below decides.
        let publish = |global: &mut HashMap<String, ([u8; 8], Option<usize>)>| {
            for (k, v) in &plugin.hashes {
                global.entry(k.clone()).or_insert((*v, Some(i)));
            }
        };
        // A file registering no Go module with this runtime: see `tail` above.
        let foreign_tail = |r: &mut PluginResult| {
            if tail == Some(true) {
                r.verdict = Verdict::Fails;
                r.error = Some(open_err("plugin already loaded"));
            } else {
                r.verdict = Verdict::Crashes;
                r.error = Some("runtime: no plugin module data".into());
            }
        };
        if pbi.is_none() && plugin.hashes.is_empty() {
            foreign_tail(&mut r);
            r.event = Event::NotGo;
            let crashed = r.verdict == Verdict::Crashes;
            out.plugins.push(r);
            if crashed {
                break;
            }
            continue;
        }
        if host.legacy_hash_format || plugin.legacy_hash_format {
            r.verdict = Verdict::Unknown;
            r.event = Event::LegacyFormat;
            out.plugins.push(r);
            continue;
        }
        // A different Go release: the plugin's runtime data cannot be registered.
        let plang = go_lang(pbi);
        if let (Some(h), Some(p)) = (&host_lang, &plang) {
            if h != p {
                publish(&mut global);
                foreign_tail(&mut r);
                r.event = Event::OtherRelease;
                let crashed = r.verdict == Verdict::Crashes;
                out.plugins.push(r);
                if crashed {
                    // The process is gone: later plugins are never opened.
                    break;
                }
                continue;
            }
        }
        if let Some(pp) = &r.plugin_path {
            if let Some(first) = loaded_paths.get(pp) {
                r.verdict = Verdict::Fails;
                r.error = Some(open_err("plugin already loaded"));
                r.event = Event::AlreadyLoaded {
                    first: first.clone(),
                    plugin_path: pp.clone(),
                };
                out.plugins.push(r);
                publish(&mut global);
                tail = Some(false);
                continue;
            }
        }
        let order: Vec<String> = if plugin.check_order.is_empty() {
            plugin.hashes.keys().cloned().collect()
        } else {
            plugin.check_order.clone()
        };
        let mut first_against = None;
        for pkg in &order {
            let Some(mine) = plugin.hashes.get(pkg) else {
                continue;
            };
            if let Some((theirs, who)) = global.get(pkg) {
                if theirs != mine {
                    if r.mismatched_packages.is_empty() {
                        first_against = *who;
                    }
                    r.mismatched_packages.push(Mismatch {
                        package: pkg.clone(),
                        host_hash: crate::dirhash::hex(theirs),
                        plugin_hash: crate::dirhash::hex(mine),
                        bound_to: match who {
                            None => "host".to_string(),
                            Some(j) => names[*j].clone(),
                        },
                    });
                }
            }
        }
        // dlopen(RTLD_GLOBAL) already made the plugin's symbols visible to later plugins,
        // even when the check below fails.
        publish(&mut global);
        // Only plugins that load join the runtime's active modules (the duplicate check).
        if let Some(pp) = r
            .plugin_path
            .as_ref()
            .filter(|_| r.mismatched_packages.is_empty())
        {
            loaded_paths.entry(pp.clone()).or_insert(name.clone());
        }
        tail = Some(r.mismatched_packages.is_empty());
        if let Some(first) = r.mismatched_packages.first() {
            r.verdict = Verdict::Fails;
            r.error = Some(open_err(&format!(
                "plugin was built with a different version of package {}",
                first.package
            )));
            r.event = Event::HashMismatch {
                against: first_against,
            };
        }
        out.plugins.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A synthetic artifact; paths do not exist, so realpath falls back to the path itself.
    fn art(name: &str, go: &str, hashes: &[(&str, u8)]) -> Artifact {
        let bi = BuildInfo {
            go_version: go.into(),
            path: format!("example.com/{}", name.trim_end_matches(".so")),
            ..BuildInfo::default()
        };
        Artifact {
            path: PathBuf::from(name),
            dynamic: true,
            hashes: hashes
                .iter()
                .map(|(p, h)| (p.to_string(), [*h; 8]))
                .collect(),
            check_order: hashes.iter().map(|(p, _)| p.to_string()).collect(),
            build_info: Some(bi),
            legacy_hash_format: false,
            dlopen_refusal: None,
        }
    }

    fn run(host: &Artifact, plugins: &[Artifact]) -> Replay {
        let names: Vec<String> = plugins
            .iter()
            .map(|p| p.path.display().to_string())
            .collect();
        replay(host, plugins, &names)
    }

    #[test]
    fn same_plugin_path_after_a_rejected_plugin_gets_the_hash_check() {
        let host = art("host", "go1.26.8", &[("runtime", 1)]);
        let bad = art("p.so", "go1.26.8", &[("runtime", 2)]);
        let mut again = art("q.so", "go1.26.8", &[("runtime", 3)]);
        again.build_info.as_mut().unwrap().path = "example.com/p".into();
        let r = run(&host, &[bad, again]);
        assert_eq!(
            r.plugins[1].error.as_deref(),
            Some(
                "plugin.Open(\"q\"): plugin was built with a different version of package runtime"
            )
        );
    }

    #[test]
    fn same_path_after_a_loaded_plugin_is_already_loaded() {
        let host = art("host", "go1.26.8", &[("runtime", 1)]);
        let good = art("p.so", "go1.26.8", &[("runtime", 1)]);
        let mut dup = art("q.so", "go1.26.8", &[("runtime", 1)]);
        dup.build_info.as_mut().unwrap().path = "example.com/p".into();
        let r = run(&host, &[good.clone(), dup]);
        assert_eq!(
            r.plugins[1].error.as_deref(),
            Some("plugin.Open(\"q\"): plugin already loaded")
        );
        // The very same file twice is the runtime's cache, not a duplicate.
        let r = run(&host, &[good.clone(), good]);
        assert_eq!(r.plugins[1].verdict, Verdict::Loads);
    }

    #[test]
    fn file_built_plugins_use_their_unnamed_plugin_path() {
        let host = art("host", "go1.26.8", &[("runtime", 1)]);
        let mut u = art(
            "u.so",
            "go1.26.8",
            &[("runtime", 1), ("plugin/unnamed-4bd6", 7)],
        );
        u.build_info.as_mut().unwrap().path = "command-line-arguments".into();
        let mut copy = u.clone();
        copy.path = PathBuf::from("u2.so");
        let r = run(&host, &[u, copy]);
        assert_eq!(
            r.plugins[0].plugin_path.as_deref(),
            Some("plugin/unnamed-4bd6")
        );
        assert_eq!(
            r.plugins[1].error.as_deref(),
            Some("plugin.Open(\"u2\"): plugin already loaded")
        );
    }

    #[test]
    fn other_go_release_crashes_unless_a_loaded_plugin_is_last() {
        let host = art("host", "go1.26.8", &[("runtime", 1)]);
        let good = art("p.so", "go1.26.8", &[("runtime", 1)]);
        let bad = art("b.so", "go1.26.8", &[("runtime", 2)]);
        let old = art("old.so", "go1.25.5", &[("runtime", 3)]);
        let r = run(&host, std::slice::from_ref(&old));
        assert_eq!(r.plugins[0].verdict, Verdict::Crashes);
        assert_eq!(
            r.plugins[0].error.as_deref(),
            Some("runtime: no plugin module data")
        );
        let r = run(&host, &[good.clone(), old.clone(), good.clone()]);
        assert_eq!(
            r.plugins[1].error.as_deref(),
            Some("plugin.Open(\"old\"): plugin already loaded")
        );
        assert_eq!(r.plugins.len(), 3, "the process goes on");
        let r = run(&host, &[good, bad, old]);
        assert_eq!(r.plugins[2].verdict, Verdict::Crashes);
    }

    #[test]
    fn rejected_plugin_still_provides_symbols_to_later_ones() {
        let host = art("host", "go1.26.8", &[("runtime", 1)]);
        let first = art("a.so", "go1.26.8", &[("runtime", 2), ("example.com/x", 5)]);
        let second = art("b.so", "go1.26.8", &[("runtime", 1), ("example.com/x", 6)]);
        let r = run(&host, &[first, second]);
        assert_eq!(r.plugins[0].verdict, Verdict::Fails);
        assert_eq!(r.plugins[1].mismatched_packages[0].bound_to, "a.so");
    }
}
