//! `godrift explain "<pasted error>"`: the runtime's (or the dynamic loader's) message mapped
//! to its likely causes, most likely first, and the command that tells them apart.
//!
//! plugin.Open's messages name a symptom, not a cause: "different version of package
//! sync/atomic" is how `-race` on one side shows, "plugin already loaded" is also what a
//! plugin of another Go release gets after one loaded. The table below is ordered by how
//! specific a pattern is; its texts come from Go's plugin_dlopen.go and runtime/plugin.go
//! (lastmoduleinit), and glibc's dlopen (open_verify, _dl_check_map_versions). The test
//! cases are messages the oracle's real runs printed.

use crate::codes::Code;
use serde::Serialize;

/// One likely cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// The finding code that speaks of it, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    pub cause: String,
    /// How to tell: what differs in the files when this is the cause.
    pub tell: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Which message this is (`package-hash`, `already-loaded`, ...).
    pub kind: &'static str,
    /// What the message says, in plain words.
    pub meaning: String,
    /// The name plugin.Open was given, when the message carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// The package the runtime named.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// "(previous failure)": the runtime returned a cached error of an earlier call.
    pub previous_failure: bool,
    /// Most likely first.
    pub causes: Vec<Cause>,
    /// Commands to run next, most useful first.
    pub next: Vec<String>,
}

/// What a pattern extracted from the message.
#[derive(Default)]
struct Caps {
    plugin: Option<String>,
    package: Option<String>,
    /// A library or symbol version named by the loader.
    detail: Option<String>,
}

struct Rule {
    kind: &'static str,
    /// The matcher: Some(extra captures) when the line is this message.
    find: fn(&str) -> Option<Caps>,
    explain: fn(&Caps) -> (String, Vec<Cause>),
}

fn cause(code: Option<Code>, cause: &str, tell: &str) -> Cause {
    Cause {
        code,
        cause: cause.to_string(),
        tell: tell.to_string(),
    }
}

/// The text after `marker`, up to the end of the line (without a trailing `(previous
/// failure)` or quote noise).
fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let i = line.find(marker)?;
    Some(line[i + marker.len()..].trim())
}

/// The first word of `s` (a package path or library name).
fn word(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '`')
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .trim_end_matches([':', ',', ')'])
        .to_string()
}

fn is_standard(pkg: &str) -> bool {
    crate::contract::is_standard(pkg)
}

/// Packages that change only with -race (the race detector's instrumentation).
const RACE_PACKAGES: &[&str] = &["sync/atomic", "internal/race", "runtime/race"];

fn package_hash(c: &Caps) -> (String, Vec<Cause>) {
    let pkg = c.package.as_deref().unwrap_or("?");
    let flags_race = cause(
        Some(Code::BuildFlagMismatch),
        "-race on one side only",
        "`go version -m` shows `-race=true` on one file only",
    );
    let flags_debug = cause(
        Some(Code::BuildFlagMismatch),
        "-gcflags=all=-N -l on one side (added by debuggers and IDEs: dlv, GoLand, VS Code)",
        "`go version -m` shows `-gcflags=all=-N -l` on one file only; build plugins with the same flags (`godrift recipe --profile debug`)",
    );
    let flags_trimpath = cause(
        Some(Code::BuildFlagMismatch),
        "-trimpath on one side only",
        "`go version -m` shows `-trimpath=true` on one file only",
    );
    let flags_experiment = cause(
        Some(Code::BuildFlagMismatch),
        "another GOEXPERIMENT (or PGO: -pgo) on one side",
        "`go version -m` shows GOEXPERIMENT or -pgo on one file only",
    );
    let toolchain = cause(
        Some(Code::GoVersionMismatch),
        "another Go release (even another patch release) built the plugin",
        "`go version -m` shows two go versions",
    );
    let meaning = format!(
        "the export-data hash of package {pkg} recorded in the plugin differs from the one the process already has (the host's, or an earlier plugin's): the runtime names the first package that differs in its own order, which is rarely the cause"
    );
    if is_standard(pkg) {
        let causes = if RACE_PACKAGES.contains(&pkg) {
            vec![
                flags_race,
                flags_debug,
                flags_trimpath,
                flags_experiment,
                toolchain,
            ]
        } else if pkg == "internal/goexperiment" {
            vec![
                flags_experiment,
                flags_race,
                flags_debug,
                flags_trimpath,
                toolchain,
            ]
        } else {
            vec![
                flags_debug,
                flags_trimpath,
                flags_race,
                flags_experiment,
                toolchain,
            ]
        };
        return (
            format!("{meaning}; {pkg} is in the standard library, so a build flag or the toolchain differs, not a module"),
            causes,
        );
    }
    let causes = vec![
        cause(
            Some(Code::VersionConflict),
            &format!("the module providing {pkg} is at another version in the plugin than in the host"),
            "`go version -m` shows another version on its dep line",
        ),
        cause(
            Some(Code::SourcePathDivergence),
            &format!("the same version of {pkg}'s module compiled from another directory (a replace => ../dir, vendor/, another GOMODCACHE or GOPATH) without -trimpath on both sides"),
            "`go version -m` shows a replacement (=>) or the same version on both sides; source paths are part of the hash",
        ),
        cause(
            Some(Code::VendoredFileEdited),
            &format!("a copy of {pkg}'s module was edited on one side (vendor/, a replace directory, the module cache): an edit that moves lines changes the hash even with -trimpath"),
            "`godrift report` compares vendored and cached files with the module's go.sum hash",
        ),
        cause(
            Some(Code::HostModuleRebuilt),
            &format!("{pkg} belongs to the host's own main module, and the plugin compiled it from elsewhere (a replace, a copy, or another checkout)"),
            "the package's module is the host's main module (`go version -m HOST`, its `mod` line)",
        ),
        flags_trimpath,
        flags_debug,
        cause(
            Some(Code::BuildFlagMismatch),
            "-tags selecting other files of the package on one side",
            "`go version -m` shows -tags on one file only",
        ),
        // Measured: go1.24.11 and go1.23.9 share a runtime layout, and their plugins fail
        // on the first package whose hash differs, a module's as well.
        toolchain,
    ];
    (
        format!("{meaning}; {pkg} is not in the standard library, so its module's version, source or place differs, or a build flag that changes every package"),
        causes,
    )
}

fn already_loaded(_: &Caps) -> (String, Vec<Cause>) {
    (
        "the runtime already has a plugin with this plugin path (the main package's import path; a plugin built from files gets one from their content)".into(),
        vec![
            cause(
                Some(Code::DuplicatePluginPath),
                "two plugins built from the same main package path (or one .so copied under two names)",
                "`go version -m` shows the same `path` line for both plugins",
            ),
            cause(
                Some(Code::GoVersionMismatch),
                "the plugin was built by another Go release than the host, and a plugin loaded before it",
                "`go version -m` shows two go versions",
            ),
        ],
    )
}

fn no_module_data(_: &Caps) -> (String, Vec<Cause>) {
    (
        "the plugin's runtime found no module of the host to register with: the process dies".into(),
        vec![
            cause(
                Some(Code::HostNotDynamic),
                "the host was linked without the symbols plugins bind to (no `import \"plugin\"` in the host, or -ldflags=-linkmode=internal)",
                "`go tool nm HOST | grep pkghash` prints nothing",
            ),
            cause(
                Some(Code::GoVersionMismatch),
                "the plugin was built by another Go release than the host",
                "`go version -m` shows two go versions",
            ),
        ],
    )
}

fn not_implemented(_: &Caps) -> (String, Vec<Cause>) {
    (
        "this host cannot load plugins at all".into(),
        vec![
            cause(
                Some(Code::HostWithoutCgo),
                "the host was built with CGO_ENABLED=0 (statically linked: plugin.Open needs cgo and dlopen)",
                "`go version -m HOST` shows CGO_ENABLED=0",
            ),
            cause(
                None,
                "the host's GOOS/GOARCH has no plugin support (plugins work on linux, freebsd and darwin)",
                "`go version -m HOST` shows GOOS and GOARCH",
            ),
        ],
    )
}

fn executable(_: &Caps) -> (String, Vec<Cause>) {
    (
        "dlopen was given an executable, not a shared object".into(),
        vec![cause(
            Some(Code::NotAGoArtifact),
            "the file was built without -buildmode=plugin (or it is the host itself)",
            "`file P.so` says executable instead of shared object",
        )],
    )
}

fn elf_class(_: &Caps) -> (String, Vec<Cause>) {
    (
        "the dynamic loader refused the file before Go's runtime saw it".into(),
        vec![cause(
            Some(Code::ElfTargetMismatch),
            "the plugin is built for another architecture (32-bit vs 64-bit, or another byte order) than the host",
            "`go version -m` shows another GOARCH; `file` shows the ELF class",
        )],
    )
}

fn glibc(c: &Caps) -> (String, Vec<Cause>) {
    let v = c.detail.as_deref().unwrap_or("GLIBC_x.y");
    (
        format!("the plugin needs the C library symbol version {v}, which this machine's glibc does not have"),
        vec![cause(
            Some(Code::GlibcTooNew),
            "the plugin was built with cgo on a system with a newer glibc than the target (another build image)",
            "`objdump -T P.so | grep GLIBC_` lists what it needs; `ldd --version` on the target gives its glibc",
        )],
    )
}

fn cannot_open(c: &Caps) -> (String, Vec<Cause>) {
    let lib = c.detail.as_deref().unwrap_or("");
    let is_plugin = c.plugin.as_deref().is_some_and(|p| {
        lib.ends_with(p.trim_start_matches("./"))
            || lib.ends_with(&format!("{}.so", p.trim_start_matches("./")))
    });
    if lib.contains("musl") {
        return (
            format!("the plugin needs {lib}, musl's C library, which this (glibc) system lacks"),
            vec![cause(
                Some(Code::UnexpectedLibrary),
                "the plugin was built on Alpine (musl) for a glibc host",
                "`readelf -d P.so` lists libc.musl-*; build it in the host's image",
            )],
        );
    }
    if is_plugin || lib.is_empty() {
        return (
            "the dynamic loader could not open the plugin file itself".into(),
            vec![
                cause(
                    None,
                    "the file is not at that path (plugin.Open resolves it from the host's working directory)",
                    "`ls -l` the path from the host's working directory",
                ),
                cause(
                    Some(Code::ElfTargetMismatch),
                    "the plugin is built for another machine (amd64 vs arm64): glibc reports that as a missing file",
                    "`go version -m` shows another GOARCH",
                ),
            ],
        );
    }
    (
        format!("the plugin needs the shared library {lib}, which is not installed here"),
        vec![cause(
            Some(Code::UnexpectedLibrary),
            "the plugin links a C library the host's machines do not have",
            "`readelf -d P.so` lists the NEEDED libraries; install it or link it statically",
        )],
    )
}

fn not_elf(_: &Caps) -> (String, Vec<Cause>) {
    (
        "the file is not a loadable shared object".into(),
        vec![cause(
            Some(Code::NotAGoArtifact),
            "not a -buildmode=plugin build (a truncated download, a text file, an archive)",
            "`file P.so`",
        )],
    )
}

fn undefined_symbol(c: &Caps) -> (String, Vec<Cause>) {
    let sym = c.detail.as_deref().unwrap_or("?");
    (
        format!("the dynamic loader found no definition of {sym}, which the plugin needs, in the process or the libraries it loads"),
        vec![
            cause(
                Some(Code::UnexpectedLibrary),
                "the plugin was linked against another version of a C library (or one the target lacks) than the one loaded at run time",
                "`readelf -d P.so` lists the NEEDED libraries; `nm -D --undefined-only P.so` the symbols it expects",
            ),
            cause(
                Some(Code::GoVersionMismatch),
                "the plugin was built by another Go release, whose runtime expects symbols the host's does not export",
                "`go version -m` shows two go versions",
            ),
        ],
    )
}

fn realpath(_: &Caps) -> (String, Vec<Cause>) {
    (
        "plugin.Open could not resolve the path".into(),
        vec![cause(
            None,
            "the file does not exist at that path, relative to the host's working directory",
            "`ls -l` the path from the host's working directory",
        )],
    )
}

fn symbol_not_found(c: &Caps) -> (String, Vec<Cause>) {
    (
        format!(
            "the plugin loaded, but has no exported symbol {}",
            c.detail.as_deref().unwrap_or("of that name")
        ),
        vec![cause(
            None,
            "the name is not an exported (capitalised) package-level function or variable of the plugin's main package",
            "`go tool nm P.so | grep main.` lists what it exports",
        )],
    )
}

fn with_plugin(line: &str, c: Caps) -> Caps {
    let plugin = after(line, "plugin.Open(\"")
        .and_then(|r| r.split_once("\")"))
        .map(|(p, _)| p.to_string());
    Caps { plugin, ..c }
}

/// The table, most specific first.
const RULES: &[Rule] = &[
    Rule {
        kind: "package-hash",
        find: |l| {
            let p = after(l, "plugin was built with a different version of package ")?;
            Some(Caps {
                package: Some(word(p)),
                ..Caps::default()
            })
        },
        explain: package_hash,
    },
    Rule {
        kind: "already-loaded",
        find: |l| l.contains("plugin already loaded").then(Caps::default),
        explain: already_loaded,
    },
    Rule {
        kind: "no-plugin-module-data",
        find: |l| l.contains("no plugin module data").then(Caps::default),
        explain: no_module_data,
    },
    Rule {
        kind: "not-implemented",
        find: |l| l.contains("plugin: not implemented").then(Caps::default),
        explain: not_implemented,
    },
    Rule {
        kind: "glibc-version",
        find: |l| {
            let r = after(l, "version `")?;
            let v = r.split('\'').next()?;
            (l.contains("not found") && v.starts_with("GLIBC")).then(|| Caps {
                detail: Some(v.to_string()),
                ..Caps::default()
            })
        },
        explain: glibc,
    },
    Rule {
        kind: "executable",
        find: |l| l.contains("cannot dynamically load").then(Caps::default),
        explain: executable,
    },
    Rule {
        kind: "elf-class",
        find: |l| {
            (l.contains("wrong ELF class") || l.contains("ELF file data encoding"))
                .then(Caps::default)
        },
        explain: elf_class,
    },
    Rule {
        kind: "cannot-open",
        find: |l| {
            let i = l.find(": cannot open shared object file")?;
            // dlerror: `LIB: cannot open ...`, after plugin.Open("NAME"): when pasted whole.
            let head = &l[..i];
            let lib = head.rsplit("): ").next().unwrap_or(head);
            Some(Caps {
                detail: Some(lib.trim().to_string()),
                ..Caps::default()
            })
        },
        explain: cannot_open,
    },
    Rule {
        kind: "not-elf",
        find: |l| {
            (l.contains("invalid ELF header")
                || l.contains("file too short")
                || l.contains("only ET_DYN and ET_EXEC"))
            .then(Caps::default)
        },
        explain: not_elf,
    },
    Rule {
        kind: "undefined-symbol",
        // glibc's _dl_lookup_symbol_x: "P.so: undefined symbol: NAME".
        find: |l| {
            let r = after(l, ": undefined symbol: ")?;
            Some(Caps {
                detail: Some(word(r)),
                ..Caps::default()
            })
        },
        explain: undefined_symbol,
    },
    Rule {
        kind: "realpath",
        find: |l| l.contains("realpath failed").then(Caps::default),
        explain: realpath,
    },
    Rule {
        kind: "symbol-not-found",
        find: |l| {
            let r = after(l, "plugin: symbol ")?;
            r.contains("not found in plugin").then(|| Caps {
                detail: Some(word(r)),
                ..Caps::default()
            })
        },
        explain: symbol_not_found,
    },
];

/// The commands that tell the causes apart, for this plugin when it is named.
fn next_commands(kind: &str, plugin: Option<&str>, causes: &[Cause]) -> Vec<String> {
    let so = plugin.map_or_else(
        || "PLUGIN.so".to_string(),
        |p| {
            if p.ends_with(".so") {
                p.to_string()
            } else {
                format!("{p}.so")
            }
        },
    );
    let mut next = vec![
        format!("godrift check --host HOST {so}"),
        format!("go version -m HOST {so}"),
    ];
    match kind {
        "package-hash" | "already-loaded" | "no-plugin-module-data" | "not-implemented" => {}
        "glibc-version" => next.push(format!("objdump -T {so} | grep GLIBC_")),
        "cannot-open" | "elf-class" | "not-elf" | "executable" | "undefined-symbol" => {
            next.push(format!("file {so}"));
            next.push(format!("readelf -d {so}"));
        }
        _ => next.truncate(0),
    }
    if causes.first().is_some_and(|c| c.cause.contains("-N -l")) {
        next.push("godrift recipe --profile debug".into());
    }
    if kind == "package-hash" {
        next.push("godrift report".into());
    }
    next
}

/// Explains the first line of `text` that holds a message godrift knows; None when none.
pub fn explain(text: &str) -> Option<Explanation> {
    for line in text.lines() {
        for rule in RULES {
            let Some(caps) = (rule.find)(line) else {
                continue;
            };
            let caps = with_plugin(line, caps);
            let (meaning, causes) = (rule.explain)(&caps);
            let next = next_commands(rule.kind, caps.plugin.as_deref(), &causes);
            return Some(Explanation {
                kind: rule.kind,
                meaning,
                plugin: caps.plugin,
                package: caps.package,
                previous_failure: line.contains("(previous failure)"),
                causes,
                next,
            });
        }
    }
    None
}

/// The explanation as text for a terminal.
pub fn render(e: &Explanation) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "What it means: {}.", e.meaning);
    if e.previous_failure {
        let _ = writeln!(
            s,
            "\n(previous failure): plugin.Open was called on this file before in the same process and failed; the runtime returns that first error again and never retries, so fix the first failure (restarting the process alone does not help)."
        );
    }
    let _ = writeln!(s, "\nLikely causes, most likely first:");
    for (i, c) in e.causes.iter().enumerate() {
        let code = c
            .code
            .map(|c| format!(" [{}]", c.as_str()))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "  {}. {}{code}\n     how to tell: {}",
            i + 1,
            c.cause,
            c.tell
        );
    }
    if !e.next.is_empty() {
        let _ = writeln!(s, "\nNext:");
        for n in &e.next {
            let _ = writeln!(s, "  {n}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages the oracle's real runs printed (target/oracle-agreement.messages.txt, go1.26.8;
    /// the workspace shown as $W), with the kind, package and the real cause's code.
    const ORACLE: &[(&str, &str, Option<&str>, Code)] = &[
        ("fatal error: runtime: no plugin module data", "no-plugin-module-data", None, Code::HostNotDynamic),
        ("plugin.Open(\"$W/out/plug-again\"): plugin already loaded", "already-loaded", None, Code::DuplicatePluginPath),
        ("plugin.Open(\"$W/out/plug-copy\"): plugin was built with a different version of package example.com/dep", "package-hash", Some("example.com/dep"), Code::SourcePathDivergence),
        ("plugin.Open(\"$W/out/plug-goexperiment\"): plugin was built with a different version of package internal/goexperiment", "package-hash", Some("internal/goexperiment"), Code::BuildFlagMismatch),
        ("plugin.Open(\"$W/out/plug-hostlib-copy\"): plugin was built with a different version of package example.com/hostlib/api", "package-hash", Some("example.com/hostlib/api"), Code::HostModuleRebuilt),
        ("plugin.Open(\"$W/out/plug-noopt\"): plugin was built with a different version of package example.com/dep", "package-hash", Some("example.com/dep"), Code::BuildFlagMismatch),
        ("plugin.Open(\"$W/out/plug-race\"): plugin was built with a different version of package sync/atomic", "package-hash", Some("sync/atomic"), Code::BuildFlagMismatch),
        ("plugin.Open(\"$W/out/plug-v1.1.0\"): plugin was built with a different version of package example.com/dep", "package-hash", Some("example.com/dep"), Code::VersionConflict),
        ("plugin.Open(\"$W/out/plug-vendor-shift-trimpath\"): plugin was built with a different version of package example.com/dep", "package-hash", Some("example.com/dep"), Code::VendoredFileEdited),
        ("plugin: not implemented", "not-implemented", None, Code::HostWithoutCgo),
        // go1.24.11 host, go1.23.9 plugin (target/oracle-agreement-go1.24.11.messages.txt).
        ("plugin.Open(\"$W/out/plug-old-go\"): plugin was built with a different version of package example.com/dep", "package-hash", Some("example.com/dep"), Code::GoVersionMismatch),
    ];

    #[test]
    fn the_oracles_messages_are_recognized_with_their_real_cause() {
        for (msg, kind, pkg, code) in ORACLE {
            let e = explain(msg).unwrap_or_else(|| panic!("{msg}"));
            assert_eq!((e.kind, e.package.as_deref()), (*kind, *pkg), "{msg}");
            assert!(codes(&e).contains(&Some(*code)), "{msg}: {:?}", codes(&e));
        }
        // The runtime's first-named package for -race is sync/atomic: -race ranks first.
        assert!(explain(ORACLE[6].0).unwrap().causes[0]
            .cause
            .contains("-race"));
        assert!(explain(ORACLE[3].0).unwrap().causes[0]
            .cause
            .contains("GOEXPERIMENT"));
    }

    fn codes(e: &Explanation) -> Vec<Option<Code>> {
        e.causes.iter().map(|c| c.code).collect()
    }

    #[test]
    fn std_packages_point_to_flags_and_module_packages_to_versions() {
        let e = explain("plugin.Open(\"./p\"): plugin was built with a different version of package sync/atomic").unwrap();
        assert_eq!(e.package.as_deref(), Some("sync/atomic"));
        assert_eq!(e.plugin.as_deref(), Some("./p"));
        assert!(e.causes[0].cause.contains("-race"));
        let e = explain("plugin.Open(\"./p\"): plugin was built with a different version of package internal/cpu").unwrap();
        assert!(e.causes[0].cause.contains("-N -l"));
        assert!(e.next.iter().any(|n| n.contains("--profile debug")));
        let e = explain("plugin.Open(\"./p\"): plugin was built with a different version of package example.com/dep/x").unwrap();
        assert_eq!(codes(&e)[0], Some(Code::VersionConflict));
    }

    #[test]
    fn previous_failure_and_unknown_text() {
        let e = explain("x\nplugin.Open(\"p.so\"): plugin was built with a different version of package example.com/dep (previous failure)\n").unwrap();
        assert!(e.previous_failure);
        assert_eq!(e.package.as_deref(), Some("example.com/dep"));
        assert!(render(&e).contains("previous failure"));
        assert!(explain("hello world").is_none());
    }

    #[test]
    fn loader_messages() {
        let e = explain("plugin.Open(\"./p.so\"): /x/p.so: cannot open shared object file: No such file or directory").unwrap();
        assert_eq!(e.kind, "cannot-open");
        assert!(codes(&e).contains(&Some(Code::ElfTargetMismatch)));
        let e = explain("plugin.Open(\"./p.so\"): libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory").unwrap();
        assert_eq!(codes(&e), vec![Some(Code::UnexpectedLibrary)]);
        let e = explain("plugin.Open(\"./p.so\"): /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by /x/p.so)").unwrap();
        assert_eq!(codes(&e), vec![Some(Code::GlibcTooNew)]);
        let e =
            explain("plugin.Open(\"./p.so\"): /x/p.so: undefined symbol: sqlite3_open_v2").unwrap();
        assert_eq!(e.kind, "undefined-symbol");
        assert!(e.meaning.contains("sqlite3_open_v2"));
    }
}
