//! MVS conformance with cmd/go's own script tests: the `go list -m all` and `go mod graph`
//! expectations of the scripts in grammar-tests/data/cmdgo-scripts, with cmd/go's fake module
//! proxy (grammar-tests/data/cmdgo-testdata-mod) as the module cache.
//!
//! A script is followed command by command while every command is one godrift models
//! (`go list -m all`, `go mod graph`, `cp`, and no-op checks); at the first command that
//! changes state in a way godrift does not replay (`go get`, `go mod edit`, ...) the rest
//! of that script is left out, and the count of its checks says so.

mod common;

use common::{data_dir, Tally};
use godrift::gomod::{self, Strictness};
use godrift::graph::{self, GoModProblem, ModSource};
use godrift::module::ModuleVersion;
use godrift::txtar;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

struct Proxy {
    mods: HashMap<String, Vec<u8>>,
    /// Local directories of the script (for directory replacements).
    files: BTreeMap<String, Vec<u8>>,
}

impl ModSource for Proxy {
    fn go_mod(&self, m: &ModuleVersion) -> Result<Vec<u8>, GoModProblem> {
        if m.version.is_empty() {
            // A directory replacement: `<script dir>/<rel>/go.mod`.
            let rel = m
                .path
                .trim_start_matches("/script/")
                .trim_start_matches("./");
            let key = if rel.is_empty() {
                "go.mod".to_string()
            } else {
                format!("{rel}/go.mod")
            };
            return self
                .files
                .get(&key)
                .cloned()
                .ok_or_else(|| GoModProblem::NoLocalGoMod { file: key.into() });
        }
        self.mods
            .get(&m.to_string())
            .cloned()
            .ok_or_else(|| GoModProblem::NotInCache {
                file: self.location(m),
                download: format!("go mod download {m}"),
            })
    }
}

/// The go.mod each module of the fake proxy serves: its `.mod`, else the archive's go.mod,
/// else a synthesized one.
fn load_proxy() -> HashMap<String, Vec<u8>> {
    common::fake_proxy()
        .into_iter()
        .map(|(key, a)| {
            let path = key.split('@').next().unwrap_or_default().to_string();
            let m = a
                .get(".mod")
                .or_else(|| a.get("go.mod"))
                .map(<[u8]>::to_vec)
                .unwrap_or_else(|| format!("module {path}\n").into_bytes());
            (key, m)
        })
        .collect()
}

/// `go list -m all` lines: the main module, then `path version[ => replacement]`.
fn list_m_all(
    files: &BTreeMap<String, Vec<u8>>,
    proxy: &HashMap<String, Vec<u8>>,
) -> Result<(Vec<String>, Vec<String>), String> {
    let data = files.get("go.mod").ok_or("no go.mod")?;
    let main = gomod::parse_mod("go.mod", data, Strictness::Strict).map_err(|e| e.to_string())?;
    let src = Proxy {
        mods: proxy.clone(),
        files: files.clone(),
    };
    let opts = graph::LoadOptions::default();
    let cache = graph::ModCache::new();
    let built = graph::Loader::with_source(&opts, &cache, &src)
        .load_main(main.clone(), Path::new("/script"))
        .map_err(|e| e.to_string())?;
    if !built.missing.is_empty() {
        return Err(format!("missing go.mod for {:?}", built.missing));
    }

    let main_path = main
        .module
        .as_ref()
        .map(|m| m.path.clone())
        .unwrap_or_default();
    let mut lines = vec![main_path.clone()];
    for m in &built.modules {
        let mut l = format!("{} {}", m.module.path, m.module.version);
        match &m.replace {
            Some(graph::Replacement::Dir { path, .. }) => l.push_str(&format!(" => {path}")),
            Some(graph::Replacement::Module { module }) => {
                l.push_str(&format!(" => {} {}", module.path, module.version))
            }
            None => {}
        }
        lines.push(l);
    }
    // Each edge once, as `go mod graph` lists it (a go.mod may repeat a requirement).
    let graph_lines: std::collections::BTreeSet<String> = built
        .edges()
        .map(|(a, b)| {
            let from = if a.path == main_path && a.version.is_empty() {
                a.path.clone()
            } else {
                a.to_string()
            };
            format!("{from} {b}")
        })
        .collect();
    Ok((lines, graph_lines.into_iter().collect()))
}

/// Scripts whose module-graph expectations godrift replays.
const SCRIPTS: &[&str] = &[
    "mod_graph.txt",
    "mod_indirect.txt",
    "mod_indirect_main.txt",
    "mod_indirect_tidy.txt",
    "mod_lazy_consistency.txt",
    "mod_lazy_downgrade.txt",
    "mod_lazy_import_allmod.txt",
    "mod_lazy_new_import.txt",
    "mod_lazy_test_of_test_dep.txt",
    "mod_replace_import.txt",
    "mod_graph_version.txt",
    "mod_tidy_compat.txt",
    "mod_tidy_compat_irrelevant.txt",
    "mod_tidy_compat_deleted.txt",
    "mod_tidy_compat_ambiguous.txt",
    "mod_tidy_compat_incompatible.txt",
    "mod_require_exclude.txt",
    "mod_list_m.txt",
];

/// The first argument of a script command: a single-quoted string (with `''` for a quote)
/// or a bare word; a trailing `# comment` is not part of it.
fn first_arg(rest: &str) -> String {
    let rest = rest.trim_start();
    let Some(body) = rest.strip_prefix('\'') else {
        return rest.split_whitespace().next().unwrap_or("").to_string();
    };
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            if chars.peek() == Some(&'\'') {
                chars.next();
                out.push('\'');
            } else {
                break;
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn mvs_scripts() {
    let proxy = load_proxy();
    let mut t = Tally::new("mvs");
    let mut partial = Vec::new();
    for name in SCRIPTS {
        let path = data_dir("cmdgo-scripts").join(name);
        let a = txtar::parse(&std::fs::read(&path).expect("script"));
        let mut files: BTreeMap<String, Vec<u8>> = a.files.iter().cloned().collect();
        let mut stdout: Option<Vec<String>> = None;
        let mut is_graph = false;
        let mut checks = 0;
        let script = String::from_utf8_lossy(&a.comment).into_owned();
        for raw in script.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // Script conditions: `[short] skip` does not apply (this is a full run); other
            // conditioned lines (`[exec:patch] ...`) are taken as unmet, as on a machine
            // without the tool.
            if line.starts_with('[') {
                continue;
            }
            let (neg, cmd) = match line.strip_prefix("! ") {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let words: Vec<&str> = cmd.split_whitespace().collect();
            match words.as_slice() {
                ["go", "list", "-m", "all"] | ["go", "mod", "graph"] if !neg => {
                    match list_m_all(&files, &proxy) {
                        Ok((list, graph)) => {
                            is_graph = words[1] == "mod";
                            stdout = Some(if words[1] == "list" { list } else { graph })
                        }
                        Err(e) => {
                            t.check(false, || format!("{name}: {cmd}: {e}"));
                            stdout = None;
                        }
                    }
                }
                ["stdout", ..] | ["stderr", ..] if words[0] == "stdout" => {
                    let Some(out) = &stdout else { continue };
                    let pat = first_arg(cmd.trim_start_matches("stdout"));
                    let Ok(re) = regex_lite::Regex::new(&format!("(?m){pat}")) else {
                        t.skip(format!(
                            "{name}: pattern {pat:?} not supported by regex-lite"
                        ));
                        continue;
                    };
                    // Go's output lines end with a newline: `$` anchors at line ends.
                    let text = out.iter().map(|l| format!("{l}\n")).collect::<String>();
                    let ok = re.is_match(&text) != neg;
                    checks += 1;
                    t.check(ok, || {
                        format!(
                            "{name}: {}stdout {pat:?} against:\n{text}",
                            if neg { "! " } else { "" }
                        )
                    });
                }
                ["cmp", "stdout", want] if !neg => {
                    let Some(out) = &stdout else { continue };
                    let Some(w) = files.get(*want) else { continue };
                    let mut want_lines: Vec<String> = String::from_utf8_lossy(w)
                        .lines()
                        .map(str::to_string)
                        .collect();
                    let mut out = out.clone();
                    if is_graph {
                        // `go mod graph` lists edges breadth-first with `go@`/`toolchain@`
                        // nodes (Go 1.21+); we model module edges only, compared as sets.
                        want_lines.retain(|l| !l.contains(" go@") && !l.contains(" toolchain@"));
                        want_lines.sort();
                        out.sort();
                    }
                    checks += 1;
                    t.check(out == want_lines, || {
                        format!("{name}: cmp stdout {want}: got {out:?}, want {want_lines:?}")
                    });
                }
                ["go", "mod", "edit", flag] if flag.starts_with("-go=") && !neg => {
                    // Only the go line changes (the script's way to simulate older Go).
                    let v = &flag["-go=".len()..];
                    let Some(gm) = files.get("go.mod") else { break };
                    let text: String = String::from_utf8_lossy(gm)
                        .lines()
                        .map(|l| {
                            if l.starts_with("go ") {
                                format!("go {v}\n")
                            } else {
                                format!("{l}\n")
                            }
                        })
                        .collect();
                    files.insert("go.mod".to_string(), text.into_bytes());
                    stdout = None;
                }
                ["stderr", ..] | ["cmp", ..] | ["env", ..] | ["go", "mod", "tidy"] => {
                    // Checks of other output, environment, and a tidy of an already tidy
                    // go.mod do not change the module graph.
                }
                ["go", "list" | "build" | "vet" | "mod" | "version", ..]
                    if !matches!(
                        words.get(2),
                        Some(&"edit") | Some(&"vendor") | Some(&"download")
                    ) =>
                {
                    // Read-only commands (module mode is -mod=readonly by default): the
                    // graph is unchanged, their output is not modelled.
                    stdout = None;
                }
                ["rm", p] if p.starts_with("$GOPATH") => {
                    // Removing module-cache entries does not change the build list.
                }
                ["cp", from, to] => match files.get(*from).cloned() {
                    Some(d) => {
                        files.insert((*to).to_string(), d);
                    }
                    None => {
                        partial.push(format!(
                            "{name}: stopped at `{cmd}` (source not in the archive)"
                        ));
                        break;
                    }
                },
                _ => {
                    partial.push(format!(
                        "{name}: stopped at `{cmd}` after {checks} check(s)"
                    ));
                    break;
                }
            }
        }
    }
    for p in partial {
        println!("  {p}");
    }
    t.finish();
}

/// One script word: quoted and unquoted pieces run together (`'a\n\t'$PWD${/}'b'`), with
/// `$PWD` and `${/}` expanded outside quotes, as cmd/go's script engine does.
fn script_word(rest: &str, pwd: &str) -> String {
    let mut out = String::new();
    let mut chars = rest.trim_start().chars().peekable();
    let mut plain = String::new();
    let flush = |plain: &mut String, out: &mut String| {
        out.push_str(&plain.replace("${/}", "/").replace("$PWD", pwd));
        plain.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                flush(&mut plain, &mut out);
                while let Some(q) = chars.next() {
                    if q == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                            out.push('\'');
                        } else {
                            break;
                        }
                    } else {
                        out.push(q);
                    }
                }
            }
            c if c.is_whitespace() => break,
            c => plain.push(c),
        }
    }
    flush(&mut plain, &mut out);
    out
}

/// `go list -m` lines of a build list: main modules, then `path version[ => replacement]`.
fn list_lines(list: &graph::BuildList) -> Vec<String> {
    let mut lines = list.main.clone();
    for m in &list.modules {
        let mut l = format!("{} {}", m.module.path, m.module.version);
        match &m.replace {
            Some(graph::Replacement::Dir { path, .. }) => l.push_str(&format!(" => {path}")),
            Some(graph::Replacement::Module { module }) => {
                l.push_str(&format!(" => {} {}", module.path, module.version))
            }
            None => {}
        }
        lines.push(l);
    }
    lines
}

/// Workspace scripts (go.work `use` and `replace`), run on disk through `load_workspace`.
const WORK_SCRIPTS: &[&str] = &[
    "work_prune.txt",
    "work_prune_all.txt",
    "work_replace.txt",
    "work_replace_conflict.txt",
    "work_replace_conflict_override.txt",
];

#[test]
fn work_scripts() {
    let mut t = Tally::new("mvs-work");
    let mut partial = Vec::new();
    for name in WORK_SCRIPTS {
        let a = txtar::parse(&std::fs::read(data_dir("cmdgo-scripts").join(name)).expect("script"));
        let tmp = tempfile::tempdir().expect("tempdir");
        let ws = tmp.path();
        for (f, d) in &a.files {
            let p = ws.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, d).expect("write");
        }
        let pwd = ws.display().to_string();
        let opts = graph::LoadOptions {
            gomodcache: ws.join("modcache"),
            ..graph::LoadOptions::default()
        };
        let cache = graph::ModCache::new();
        let loader = graph::Loader::new(&opts, &cache);
        let (mut stdout, mut stderr) = (String::new(), String::new());
        let script = String::from_utf8_lossy(&a.comment).into_owned();
        for raw in script.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
                continue;
            }
            let (neg, cmd) = match line.strip_prefix("! ") {
                Some(rest) => (true, rest),
                None => (false, line),
            };
            let words: Vec<&str> = cmd.split_whitespace().collect();
            match words.as_slice() {
                ["go", "list", "-m", args @ ..] => {
                    (stdout, stderr) = (String::new(), String::new());
                    match loader.load_workspace(&ws.join("go.work")) {
                        Err(e) => stderr = e.to_string(),
                        Ok(list) => {
                            let lines = list_lines(&list);
                            let pick = |p: &str| {
                                lines
                                    .iter()
                                    .find(|l| l.split(' ').next() == Some(p))
                                    .cloned()
                            };
                            stdout = match args {
                                ["all"] => lines.join("\n") + "\n",
                                ["-f", "'{{.Version}}'", p] => list
                                    .get(p)
                                    .map(|m| m.module.version.clone() + "\n")
                                    .unwrap_or_default(),
                                [p] => pick(p).map(|l| l + "\n").unwrap_or_default(),
                                _ => {
                                    partial.push(format!("{name}: stopped at `{cmd}`"));
                                    break;
                                }
                            };
                        }
                    }
                    t.check(stderr.is_empty() != neg, || {
                        format!("{name}: `{line}`: stderr {stderr:?}")
                    });
                }
                ["stdout" | "stderr", ..] => {
                    let pat = script_word(&cmd[words[0].len()..], &pwd);
                    let Ok(re) = regex_lite::Regex::new(&format!("(?m){pat}")) else {
                        t.skip(format!(
                            "{name}: pattern {pat:?} not supported by regex-lite"
                        ));
                        continue;
                    };
                    let text = if words[0] == "stdout" {
                        &stdout
                    } else {
                        &stderr
                    };
                    t.check(re.is_match(text) != neg, || {
                        format!("{name}: `{line}` against:\n{text}")
                    });
                }
                ["go", "work", "edit", "-replace", spec] => {
                    let Some((old, new)) = spec.split_once('=') else {
                        break;
                    };
                    let old = old.replace('@', " ");
                    let gw = ws.join("go.work");
                    let mut text = std::fs::read_to_string(&gw).unwrap_or_default();
                    text.push_str(&format!("\nreplace {old} => {new}\n"));
                    std::fs::write(&gw, text).expect("go.work");
                }
                _ => {
                    partial.push(format!("{name}: stopped at `{cmd}`"));
                    break;
                }
            }
        }
    }
    for p in partial {
        println!("  {p}");
    }
    t.finish();
}
