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
    /// Built by another Go release than the host. `after_loaded`: a plugin that loaded is
    /// the runtime's last module, so plugin.Open is taken to say "plugin already loaded";
    /// measured across releases, some files make the process die there instead (the
    /// plugin's runtime links itself into the host's module list with its own layout, and
    /// what that overwrites depends on the files).
    OtherRelease {
        after_loaded: bool,
    },
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

/// How the replay tells files apart (see the realpath cache in `replay`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileKey {
    Id((u64, u64)),
    Path(std::path::PathBuf),
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
/// main package and so appears among the package hashes. Plugins without build info (before
/// Go 1.21) give it through the linker's `go:link.thispluginpath`.
fn plugin_path(a: &Artifact) -> Option<String> {
    if let Some(p) = a.hashes.keys().find(|p| p.starts_with("plugin/unnamed-")) {
        return Some(p.clone());
    }
    a.build_info
        .as_ref()
        .map(|b| b.path.clone())
        .filter(|p| !p.is_empty() && p != "command-line-arguments")
        .or_else(|| a.linked_plugin_path.clone())
}

/// The language release (`1.26`) of a Go version string. `go1.26.8 X:nocoverageredesign`,
/// `go1.26.8-X:arenas` (GOEXPERIMENT builds): the experiment suffix does not make another
/// release; the release is the version word.
fn go_lang(version: Option<&str>) -> Option<String> {
    Some(gover::lang(gover::from_toolchain(version?)?))
}

/// What a runtime does with a plugin built by another Go release. Measured by loading a
/// plugin of each release from 1.16 to 1.27 into a host of each (tests/binary_releases.rs
/// measures it again for the toolchains installed):
/// - releases whose runtimes share the module data layout (1.16-1.17, 1.18-1.19, 1.21-1.22,
///   1.23-1.25) register the plugin and check its package hashes as for the same release:
///   plugin.Open fails naming the first package whose hash differs (the runtime's own);
/// - a go1.21 or go1.22 runtime and a go1.26 plugin, or the reverse, die on a nil
///   dereference in plugin.lastmoduleinit; go1.20 and go1.27, on a fault;
/// - otherwise the plugin's module data is not registered (see `tail` in `replay`).
///
/// Releases outside the measured range are taken as not registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CrossRelease {
    SameLayout,
    Unregistered,
    Dies(&'static str),
}

/// Releases with the same runtime module data layout share a family (measured, above).
fn layout_family(lang: &str) -> Option<u8> {
    Some(match lang {
        "1.16" | "1.17" => 0,
        "1.18" | "1.19" => 1,
        "1.20" => 2,
        "1.21" | "1.22" => 3,
        "1.23" | "1.24" | "1.25" => 4,
        "1.26" => 5,
        "1.27" => 6,
        _ => return None,
    })
}

fn cross_release(host_lang: &str, plugin_lang: &str) -> CrossRelease {
    let (Some(h), Some(p)) = (layout_family(host_lang), layout_family(plugin_lang)) else {
        return CrossRelease::Unregistered;
    };
    match (h.min(p), h.max(p)) {
        _ if h == p => CrossRelease::SameLayout,
        (3, 5) => {
            CrossRelease::Dies("runtime error: invalid memory address or nil pointer dereference")
        }
        (2, 6) => CrossRelease::Dies("fault"),
        _ => CrossRelease::Unregistered,
    }
}

/// Replays loading `plugins` (in order) into `host`. `names` are the paths as the host
/// program would pass them to plugin.Open.
pub fn replay<'a>(host: &'a Artifact, plugins: &'a [Artifact], names: &[String]) -> Replay {
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
            go_version: host.go_version.clone(),
            main_module: hbi.and_then(|b| b.main.as_ref().map(|m| m.path.clone())),
            build_settings: hbi.map(|b| b.settings.clone()).unwrap_or_default(),
        },
        facts,
        plugins: Vec::new(),
    };
    // Symbol name -> (hash, index of the plugin that defined it first; None: the host).
    // Keys borrow the artifacts' package paths: nothing is copied per plugin.
    let mut global: HashMap<&str, ([u8; 8], Option<usize>)> = host
        .hashes
        .iter()
        .map(|(k, v)| (k.as_str(), (*v, None)))
        .collect();
    // Plugin paths of plugins that loaded (the runtime's active modules) -> their name.
    let mut loaded_paths: HashMap<String, String> = HashMap::new();
    // State of the last Go module the runtime registered: Some(true) loaded, Some(false)
    // rejected (marked bad). A file that registers no module of its own (a non-Go library,
    // another Go release) makes the runtime look at this tail: measured with go1.26, a
    // loaded tail gives "plugin already loaded", a bad or missing one a fatal error.
    let mut tail: Option<bool> = None;
    // The runtime caches results per realpath. Two paths share one only if they name the
    // same file (device and inode, when read from disk), so realpath is asked only then.
    let realpath = |a: &Artifact| std::fs::canonicalize(&a.path).unwrap_or_else(|_| a.path.clone());
    let mut opened: HashMap<FileKey, Vec<usize>> = HashMap::new();
    let host_lang = go_lang(host.go_version.as_deref());
    for (i, (plugin, name)) in plugins.iter().zip(names).enumerate() {
        let pbi = plugin.build_info.as_ref();
        let mut r = PluginResult {
            path: name.clone(),
            plugin_path: plugin_path(plugin),
            go_version: plugin
                .go_version
                .clone()
                .or_else(|| plugin.release_hint.map(str::to_string)),
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
            let real = realpath(plugin);
            r.error = Some(open_err_raw(&format!("{}: {why}", real.display())));
            r.event = Event::DlopenRefused;
            out.plugins.push(r);
            continue;
        }
        // The same file again: plugin.Open returns the cached plugin, or the cached error.
        let key = match plugin.file_id {
            Some(id) => FileKey::Id(id),
            None => FileKey::Path(realpath(plugin)),
        };
        let same = opened.get(&key).and_then(|earlier| {
            let real = matches!(key, FileKey::Id(_)).then(|| realpath(plugin));
            earlier
                .iter()
                .copied()
                .find(|&j| real.as_ref().is_none_or(|r| *r == realpath(&plugins[j])))
        });
        if let Some(prev) = same {
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
        opened.entry(key).or_default().push(i);
        // dlopen(RTLD_GLOBAL) makes the file's symbols visible to later plugins, whatever
        // the runtime's check below decides.
        let publish = |global: &mut HashMap<&'a str, ([u8; 8], Option<usize>)>| {
            for (k, v) in &plugin.hashes {
                global.entry(k.as_str()).or_insert((*v, Some(i)));
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
        // Another Go release: see `cross_release`. A plugin whose release only its symbols
        // tell (stripped, before Go 1.21): `go:link.` without build info is Go 1.20;
        // `go.link.` is 1.16 to 1.19, which all behave alike (measured) in a host of 1.20 on.
        let plang = go_lang(plugin.go_version.as_deref()).or_else(|| match plugin.release_hint {
            Some("go1.20") => Some("1.20".to_string()),
            Some(_)
                if host_lang
                    .as_deref()
                    .is_some_and(|h| gover::compare(h, "1.20").is_ge()) =>
            {
                Some("1.19".to_string())
            }
            _ => None,
        });
        if let (Some(h), Some(p)) = (&host_lang, &plang) {
            let cross = if h == p {
                CrossRelease::SameLayout
            } else {
                cross_release(h, p)
            };
            match cross {
                CrossRelease::SameLayout => {}
                CrossRelease::Unregistered => {
                    publish(&mut global);
                    foreign_tail(&mut r);
                    r.event = Event::OtherRelease {
                        after_loaded: tail == Some(true),
                    };
                    let crashed = r.verdict == Verdict::Crashes;
                    out.plugins.push(r);
                    if crashed {
                        // The process is gone: later plugins are never opened.
                        break;
                    }
                    continue;
                }
                CrossRelease::Dies(msg) => {
                    r.verdict = Verdict::Crashes;
                    r.error = Some(msg.to_string());
                    r.event = Event::OtherRelease {
                        after_loaded: false,
                    };
                    out.plugins.push(r);
                    break;
                }
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
        // Without the check order (see binary::read_for_replay), the hashes' order: the
        // set of mismatches is the same, only which one comes first may differ.
        let order: Box<dyn Iterator<Item = &String>> = if plugin.check_order.is_empty() {
            Box::new(plugin.hashes.keys())
        } else {
            Box::new(plugin.check_order.iter())
        };
        let mut first_against = None;
        for pkg in order {
            let Some(mine) = plugin.hashes.get(pkg) else {
                continue;
            };
            if let Some((theirs, who)) = global.get(pkg.as_str()) {
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
    use crate::binary::buildinfo::BuildInfo;
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
            go_version: Some(go.into()),
            linked_plugin_path: None,
            release_hint: None,
            file_id: None,
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
    fn another_release_fails_on_hashes_dies_or_is_not_registered_as_measured() {
        let dep =
            |go: &str, name: &str, h: u8| art(name, go, &[("internal/goarch", h), ("runtime", h)]);
        // Same module data layout (1.23-1.25): the hash check runs and names a package.
        let r = run(&dep("go1.24.11", "host", 1), &[dep("go1.25.5", "p.so", 2)]);
        assert_eq!(r.plugins[0].verdict, Verdict::Fails);
        assert_eq!(
            r.plugins[0].error.as_deref(),
            Some("plugin.Open(\"p\"): plugin was built with a different version of package internal/goarch")
        );
        assert_eq!(r.plugins[0].event, Event::HashMismatch { against: None });
        // Pairs whose runtime dies whatever was loaded before.
        for (host, plugin, msg) in [
            ("go1.21.13", "go1.26.8", "nil pointer dereference"),
            ("go1.26.6", "go1.22.10", "nil pointer dereference"),
            ("go1.27.3", "go1.20.14", "fault"),
        ] {
            let h = dep(host, "host", 1);
            let r = run(&h, &[dep(host, "ok.so", 1), dep(plugin, "p.so", 2)]);
            assert_eq!(r.plugins[0].verdict, Verdict::Loads);
            assert_eq!(r.plugins[1].verdict, Verdict::Crashes, "{host} {plugin}");
            assert!(r.plugins[1].error.as_deref().unwrap().ends_with(msg));
        }
        // Not registered: the tail decides (see other_go_release_crashes_unless...).
        let r = run(&dep("go1.26.8", "host", 1), &[dep("go1.16.15", "p.so", 2)]);
        assert_eq!(
            r.plugins[0].error.as_deref(),
            Some("runtime: no plugin module data")
        );
        // Outside the measured range: not registered either.
        let r = run(&dep("go1.30.1", "host", 1), &[dep("go1.31.0", "p.so", 2)]);
        assert_eq!(r.plugins[0].verdict, Verdict::Crashes);
    }

    #[test]
    fn stripped_plugins_before_go_1_21_are_placed_by_their_symbols() {
        let stripped = |name: &str, hint: &'static str| {
            let mut a = art(name, "go1.20.14", &[("runtime", 2)]);
            a.build_info = None;
            a.go_version = None;
            a.release_hint = Some(hint);
            a
        };
        // go:link. without build info: Go 1.20, which a 1.27 runtime faults on.
        let host = art("host", "go1.27.3", &[("runtime", 1)]);
        let r = run(&host, &[stripped("p.so", "go1.20")]);
        assert_eq!(r.plugins[0].verdict, Verdict::Crashes);
        assert_eq!(r.plugins[0].error.as_deref(), Some("fault"));
        assert_eq!(r.plugins[0].go_version.as_deref(), Some("go1.20"));
        // go.link.: 1.16 to 1.19, never registered by a runtime of 1.20 on.
        let host = art("host", "go1.26.8", &[("runtime", 1)]);
        let r = run(&host, &[stripped("p.so", "go1.16-1.19")]);
        assert_eq!(
            r.plugins[0].error.as_deref(),
            Some("runtime: no plugin module data")
        );
        // In a host of 1.16 to 1.19 the release is not known: the hash check decides.
        let host = art("host", "go1.18.10", &[("runtime", 1)]);
        let r = run(&host, &[stripped("p.so", "go1.16-1.19")]);
        assert_eq!(r.plugins[0].event, Event::HashMismatch { against: None });
    }

    #[test]
    fn plugins_without_build_info_use_the_linked_plugin_path() {
        let host = art("host", "go1.17.13", &[("runtime", 1)]);
        let old = |name: &str| {
            let mut a = art(name, "go1.17.13", &[("runtime", 1)]);
            a.build_info = None;
            a.linked_plugin_path = Some("example.com/plug".into());
            a
        };
        let r = run(&host, &[old("a.so"), old("b.so")]);
        assert_eq!(
            r.plugins[0].plugin_path.as_deref(),
            Some("example.com/plug")
        );
        assert_eq!(
            r.plugins[1].error.as_deref(),
            Some("plugin.Open(\"b\"): plugin already loaded")
        );
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
