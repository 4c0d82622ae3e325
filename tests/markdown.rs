//! Markdown for review: per plugin the verdict and cause first, details folded; capped at
//! 60,000 characters with a count of what was left out; every Mermaid graph parsed by
//! mermaid's own parser (the npm package, run by node; `.ci/run` installs it into
//! target/mermaid; without node or the package the test fails under CI and skips elsewhere).

mod support;
#[path = "support/synth.rs"]
mod synth;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn graphs(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = md;
    while let Some(i) = rest.find("```mermaid\n") {
        let body = &rest[i + 11..];
        let end = body.find("\n```").expect("closed fence");
        out.push(body[..end + 1].to_string());
        rest = &body[end..];
    }
    out
}

/// The directory holding node_modules/mermaid, or None (skipped) outside CI.
fn mermaid_dir(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("GODRIFT_MERMAID_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mermaid"));
    let node = Command::new("node").arg("--version").output();
    let why = if node.is_err() {
        "`node` is not on PATH"
    } else if !dir.join("node_modules/mermaid/package.json").exists() {
        "mermaid is not installed (npm install --prefix target/mermaid, as .ci/run does)"
    } else {
        return Some(dir);
    };
    if support::in_ci() {
        panic!("{test}: {why}, and CI is set: this test needs it");
    }
    eprintln!("{test}: skipped: {why} (set CI=1 to make this a failure)");
    None
}

/// Mermaid's verdict on each graph: Ok((vertices, edges)) or Err(parse error).
fn parse_all(dir: &Path, texts: &[String]) -> Vec<Result<(Vec<String>, u64), String>> {
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid/parse.mjs"),
        dir.join("parse.mjs"),
    )
    .expect("copy parse.mjs");
    let mut child = Command::new("node")
        .arg("parse.mjs")
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node");
    std::io::Write::write_all(
        child.stdin.as_mut().unwrap(),
        serde_json::to_string(texts).unwrap().as_bytes(),
    )
    .unwrap();
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).expect("json");
    v.into_iter()
        .map(|r| {
            if r["ok"] == true {
                Ok((
                    r["vertices"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_str().unwrap().to_string())
                        .collect(),
                    r["edges"].as_u64().unwrap(),
                ))
            } else {
                Err(r["error"].as_str().unwrap_or("").to_string())
            }
        })
        .collect()
}

fn fixture_markdown(case: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = support::fixture_report(case, "markdown", &[], root);
    String::from_utf8(out.stdout).expect("utf-8")
}

/// Names that break naive Mermaid: keywords, the host's own id, quotes and markup.
fn hostile() -> Vec<String> {
    [
        "end",
        "graph",
        "host",
        "subgraph",
        "flowchart",
        "style",
        "classDef",
        "class",
        "click",
        "default",
        "linkStyle",
        "direction",
        "TB",
        "o",
        "x",
        "a\"b",
        "a#b;",
        "<b>x</b>",
        "a|b",
        "a-->b",
        "x y",
        "ünïcode",
        "1",
        "-",
        "`tick`",
        "[x]",
        "(x)",
        "{x}",
        "a:b",
        "%%",
        "call",
        "href",
        "a;b",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn every_graph_parses_with_mermaids_own_parser() {
    let Some(dir) = mermaid_dir("every_graph_parses_with_mermaids_own_parser") else {
        return;
    };
    let mut docs: Vec<(String, String)> = [
        "fixtures/example",
        "fixtures/report/flags",
        "fixtures/report/clean",
        "fixtures/report/duplicate",
        "fixtures/report/vendored",
        "fixtures/report/replace-module",
        "fixtures/report/sum-mismatch",
    ]
    .iter()
    .map(|c| (c.to_string(), fixture_markdown(c)))
    .collect();
    // Hostile plugin names, one finding each (module nodes too).
    let names = hostile();
    docs.push((
        "hostile".into(),
        godrift::report::markdown(&synth::report(&names, 1)),
    ));
    // Hostile module names.
    let mut r = synth::report(&synth::names(2), 2);
    for (f, m) in r.findings.iter_mut().zip(["end", "graph\"x"]) {
        f.module = Some(m.to_string());
    }
    docs.push(("hostile modules".into(), godrift::report::markdown(&r)));
    let mut texts = Vec::new();
    let mut owners = Vec::new();
    for (case, md) in &docs {
        let g = graphs(md);
        assert_eq!(g.len(), 1, "{case}: one graph");
        owners.push((case.clone(), g[0].clone()));
        texts.push(g[0].clone());
    }
    let results = parse_all(&dir, &texts);
    for ((case, text), res) in owners.iter().zip(&results) {
        match res {
            Ok(_) => {}
            Err(e) => panic!("{case}: mermaid rejects the graph: {e}\n{text}"),
        }
    }
    // The hostile graph: one node per plugin, the host and one module (no two names merged
    // into one node, `host` included), and one edge per plugin to the host and per
    // finding artifact to the module, each once.
    let (vertices, edges) = results[docs.len() - 2].as_ref().unwrap();
    assert_eq!(vertices.len(), names.len() + 2, "{vertices:?}");
    assert_eq!(*edges as usize, names.len() * 2 + 1);
    // The bundled example: host, 2 plugins, 1 module; edges deduplicated.
    let (vertices, edges) = results[0].as_ref().unwrap();
    assert_eq!((vertices.len(), *edges), (4, 4), "{}", texts[0]);
}

/// Negative control: the parser really rejects what naive ids would produce.
#[test]
fn the_parser_rejects_a_keyword_as_an_id() {
    let Some(dir) = mermaid_dir("the_parser_rejects_a_keyword_as_an_id") else {
        return;
    };
    let r = parse_all(&dir, &["graph LR\n  end[\"x\"] --> host\n".to_string()]);
    assert!(r[0].is_err(), "{r:?}");
}

#[test]
fn more_than_100_edges_become_a_note() {
    // 42 plugins with 2 conflicts each: 42 + 2*42 + shared host edges > 100.
    let md = godrift::report::markdown(&synth::report(&synth::names(42), 2));
    assert!(graphs(&md).is_empty(), "graph drawn");
    assert!(
        md.contains("more than the 100 a review comment can draw"),
        "{md}"
    );
    // 20 plugins, 1 conflict each: 20 + 20 + 1 = 41 edges, drawn.
    let md = godrift::report::markdown(&synth::report(&synth::names(20), 1));
    let g = graphs(&md);
    assert_eq!(g.len(), 1);
    let edges = g[0]
        .lines()
        .filter(|l| l.contains("-->") || l.contains("-.->"))
        .count();
    assert_eq!(edges, 41);
}

#[test]
fn markdown_is_capped_with_a_count_of_what_is_left_out() {
    let r = synth::report(&synth::names(400), 5);
    let md = godrift::report::markdown(&r);
    assert!(md.len() <= godrift::report::MAX_CHARS, "{}", md.len());
    assert!(md.chars().count() <= 60_000);
    let tail = md.lines().last().unwrap();
    assert!(
        tail.contains("more plugin(s)") && tail.contains("in the full report"),
        "{tail}"
    );
    // The counts are right: shown plus left-out sections are all plugins.
    let shown = md.matches("\n### ❌ ").count();
    let left: usize = tail
        .trim_start_matches("**")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(shown + left, 400, "{tail}");
    // Small reports are not cut.
    let small = godrift::report::markdown(&synth::report(&synth::names(3), 2));
    assert!(!small.contains("in the full report**"));
}

/// Per plugin: the verdict and the one-line cause come before the folded details.
#[test]
fn each_plugin_leads_with_verdict_and_cause() {
    let md = fixture_markdown("fixtures/example");
    let section = &md[md
        .find("### ❌ metrics: fails")
        .expect("failing plugin first")..];
    let cause = section.find("**Cause**").expect("cause");
    let details = section.find("<details>").expect("details");
    assert!(cause < details);
    assert!(section[details..].contains("```diff\n--- a/plugins/metrics/go.mod"));
    assert!(md.find("### ❌ metrics").unwrap() < md.find("### ✅ audit").unwrap());
    // One diff per go.mod.
    assert_eq!(md.matches("--- a/plugins/metrics/go.mod").count(), 1);
}
