//! Markdown for code review (pull-request comments, GitHub job summaries): per plugin, the
//! verdict and the one-line cause first, the rest folded in `<details>`; the whole kept
//! under `MAX_CHARS` (GitHub's comment limit is 65,536) with a count of what was left out;
//! a Mermaid graph whose node ids cannot collide with Mermaid keywords or each other.

use super::Report;
use crate::finding::{Finding, Severity};
use crate::rules::binary::CheckReport;
use crate::rules::{PluginVerdict, Verdict};
use crate::text::{md_cell, md_code, md_fence, mermaid_label};
use std::collections::{BTreeMap, BTreeSet};

/// The longest Markdown godrift writes (bytes, so also characters).
pub const MAX_CHARS: usize = 60_000;
/// The most edges the Mermaid graph draws; past that, a note replaces it.
pub const MAX_EDGES: usize = 100;
/// Finding rows per plugin section before "N more".
const MAX_ROWS: usize = 50;

fn icon(v: Verdict) -> &'static str {
    match v {
        Verdict::Loads => "✅",
        Verdict::MayFail => "⚠️",
        Verdict::Fails => "❌",
    }
}

fn bin_icon(v: crate::binary::Verdict) -> &'static str {
    match v {
        crate::binary::Verdict::Loads => "✅",
        crate::binary::Verdict::Unknown => "⚠️",
        _ => "❌",
    }
}

fn rank(v: Verdict) -> u8 {
    match v {
        Verdict::Fails => 0,
        Verdict::MayFail => 1,
        Verdict::Loads => 2,
    }
}

/// A message cut to one readable line.
fn short(s: &str, max: usize) -> String {
    let s = s.lines().next().unwrap_or("");
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}…")
}

fn place(f: &Finding) -> String {
    let at = f
        .evidence
        .iter()
        .map(|e| {
            let file = e.file.display().to_string();
            match e.line {
                Some(l) => md_code(&format!("{file}:{l}")),
                None => md_code(&file),
            }
        })
        .collect::<Vec<_>>()
        .join("<br>");
    if at.is_empty() {
        "-".into()
    } else {
        at
    }
}

fn findings_table(findings: &[&Finding]) -> String {
    let mut s = String::from("| code | severity | finding | where |\n|---|---|---|---|\n");
    for f in findings.iter().take(MAX_ROWS) {
        s.push_str(&format!(
            "| [{}]({}) | {} | {} | {} |\n",
            f.code,
            f.code.help_uri(),
            f.severity_shown(),
            md_cell(&f.message),
            place(f)
        ));
    }
    if findings.len() > MAX_ROWS {
        s.push_str(&format!(
            "\n{} more findings in the full report.\n",
            findings.len() - MAX_ROWS
        ));
    }
    let fixes: Vec<&&Finding> = findings
        .iter()
        .take(MAX_ROWS)
        .filter(|f| f.fix.is_some())
        .collect();
    if !fixes.is_empty() {
        s.push('\n');
        for f in fixes {
            let about = match f.module.as_deref() {
                Some(m) => format!(" {}", md_cell(m)),
                None => String::new(),
            };
            s.push_str(&format!(
                "- **{}**{about}: {}\n",
                f.code,
                md_cell(f.fix.as_deref().unwrap_or(""))
            ));
        }
    }
    for f in findings.iter().take(MAX_ROWS).filter(|f| f.diff.is_some()) {
        s.push_str(&format!(
            "\n{} {}:\n\n{}",
            f.code,
            md_cell(&short(&f.message, 120)),
            md_fence("diff", f.diff.as_deref().unwrap_or(""))
        ));
    }
    s
}

/// Proposals for one artifact: the commands, then one diff per go.mod.
fn proposals_for(r: &Report, artifact: &str) -> String {
    let mut s = String::new();
    for p in &r.proposals {
        for c in p.changes.iter().filter(|c| c.artifact == artifact) {
            let cmd = if c.command.is_empty() {
                String::new()
            } else {
                format!(": {}", md_code(&c.command))
            };
            s.push_str(&format!(
                "- align {} on {} (now {}){cmd}\n",
                md_code(&p.module),
                md_code(&p.target),
                md_code(&c.from)
            ));
            if let Some(n) = &c.note {
                s.push_str(&format!("  - {}\n", md_cell(n)));
            }
            if let Some(chain) = p.why.get(artifact) {
                s.push_str(&format!("  - why: {}\n", md_code(chain)));
            }
            if let Some(u) = &p.host_upgrade {
                s.push_str(&format!(
                    "  - or rebuild the host with {} (MVS moves {}){}\n",
                    md_code(&u.to),
                    u.moves
                        .iter()
                        .map(|m| format!(
                            "{} {} → {}",
                            md_code(&m.module),
                            md_cell(&m.from),
                            md_cell(&m.to)
                        ))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if u.affects.is_empty() {
                        String::new()
                    } else {
                        format!("; then align again: {}", md_cell(&u.affects.join(", ")))
                    }
                ));
            }
        }
    }
    for d in r.go_mod_diffs.iter().filter(|d| d.artifact == artifact) {
        s.push_str(&format!(
            "\n{}:\n\n{}",
            md_code(&d.go_mod),
            md_fence("diff", &d.diff)
        ));
    }
    s
}

/// The section of one plugin: verdict and cause in full view, details folded.
fn plugin_section(r: &Report, p: &PluginVerdict, compact: bool) -> String {
    let mine: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.artifacts.iter().any(|a| a == &p.name))
        .collect();
    let mut s = format!(
        "\n### {} {}: {}\n\n",
        icon(p.verdict),
        md_cell(&p.name),
        md_cell(&p.shown())
    );
    // The cause: the worst finding that concerns it (its own, or the host's own problem).
    let cause = r
        .findings
        .iter()
        .find(|f| crate::rules::concerns(f, &p.name) && f.severity >= Severity::Warning);
    match cause {
        Some(f) => s.push_str(&format!(
            "**Cause** ([{}]({})): {}\n",
            f.code,
            f.code.help_uri(),
            md_cell(&short(&f.message, 300))
        )),
        None => s.push_str(&format!(
            "{}: no finding stops it loading (packages both link: {}).\n",
            md_code(&p.dir),
            md_cell(&p.packages_shown()),
        )),
    }
    if compact {
        return s;
    }
    let proposals = proposals_for(r, &p.name);
    if mine.is_empty() && proposals.is_empty() {
        return s;
    }
    let mut what = vec![format!("{} finding(s)", mine.len())];
    if !proposals.is_empty() {
        what.push("the fix and its go.mod diff".into());
    }
    s.push_str(&format!(
        "\n<details><summary>{}</summary>\n\n",
        what.join(", ")
    ));
    if !mine.is_empty() {
        s.push_str(&findings_table(&mine));
    }
    if !proposals.is_empty() {
        s.push_str("\n**Fix**\n\n");
        s.push_str(&proposals);
    }
    s.push_str("\n</details>\n");
    s
}

/// Node ids that are never Mermaid keywords (`end`, `graph`, `subgraph`...) nor each other:
/// `h` for the host, `pN` for plugins, `mN` for modules; names go in labels only.
struct Graph {
    lines: Vec<String>,
    edges: BTreeSet<(String, String, String)>,
    modules: BTreeMap<String, String>,
}

fn graph(r: &Report) -> (String, usize) {
    let mut g = Graph {
        lines: vec![format!("  h[\"host: {}\"]", mermaid_label(&r.host.module))],
        edges: BTreeSet::new(),
        modules: BTreeMap::new(),
    };
    // Plugin ids by name; `host` in a finding's artifacts is the host the first time (the
    // host comes first) and a plugin named `host` after that.
    let mut ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut order = Vec::new();
    for (i, p) in r.plugins.iter().enumerate() {
        let id = format!("p{i}");
        g.lines.push(format!(
            "  {id}[\"{}: {}\"]",
            mermaid_label(&p.name),
            p.verdict.as_str()
        ));
        ids.entry(p.name.as_str()).or_insert(id.clone());
        let e = (id, "h".to_string(), "plugin.Open".to_string());
        if g.edges.insert(e.clone()) {
            order.push((e, "-->"));
        }
    }
    for f in r
        .findings
        .iter()
        .filter(|f| f.module.is_some() && f.severity == Severity::Error)
    {
        let m = f.module.as_deref().unwrap_or("");
        let n = g.modules.len();
        let mid = g
            .modules
            .entry(m.to_string())
            .or_insert_with(|| format!("m{n}"))
            .clone();
        if g.modules.len() > n {
            g.lines.push(format!("  {mid}((\"{}\"))", mermaid_label(m)));
        }
        let mut host_seen = false;
        for a in &f.artifacts {
            let id = if a == "host" && !host_seen {
                host_seen = true;
                "h".to_string()
            } else {
                match ids.get(a.as_str()) {
                    Some(id) => id.clone(),
                    None => continue,
                }
            };
            let e = (id.clone(), mid.clone(), f.code.as_str().to_string());
            if g.edges.insert(e.clone()) {
                order.push((e, "-.->"));
            }
        }
    }
    let n = order.len();
    let mut s = String::from("```mermaid\ngraph LR\n");
    for l in &g.lines {
        s.push_str(l);
        s.push('\n');
    }
    for ((a, b, label), arrow) in order {
        s.push_str(&format!("  {a} {arrow}|{label}| {b}\n"));
    }
    s.push_str("```\n");
    (s, n)
}

/// Adds blocks while they fit in `MAX_CHARS`, keeping room for the closing line.
struct Capped {
    s: String,
    left_out: usize,
    left_out_findings: usize,
}

const RESERVE: usize = 400;

impl Capped {
    fn fits(&self, block: &str) -> bool {
        self.s.len() + block.len() + RESERVE <= MAX_CHARS
    }
    fn push(&mut self, block: &str) -> bool {
        if self.fits(block) {
            self.s.push_str(block);
            true
        } else {
            false
        }
    }
}

pub fn markdown(r: &Report) -> String {
    let mut counts: BTreeMap<u8, (Verdict, usize)> = BTreeMap::new();
    for p in &r.plugins {
        counts.entry(rank(p.verdict)).or_insert((p.verdict, 0)).1 += 1;
    }
    let tally = counts
        .values()
        .map(|(v, n)| format!("{} {n} {}", icon(*v), v.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut c = Capped {
        s: format!(
            "## godrift: {} {}\n\nHost {} ({}), {} plugin(s): {tally}.\n",
            icon(r.verdict),
            md_cell(&r.verdict_shown()),
            md_code(&r.host.module),
            md_code(&r.host.dir),
            r.plugins.len()
        ),
        left_out: 0,
        left_out_findings: 0,
    };
    // Failing plugins first: they are what a reviewer must act on.
    let mut plugins: Vec<&PluginVerdict> = r.plugins.iter().collect();
    plugins.sort_by_key(|p| rank(p.verdict));
    for p in plugins {
        if c.left_out > 0
            || !(c.push(&plugin_section(r, p, false)) || c.push(&plugin_section(r, p, true)))
        {
            c.left_out += 1;
            c.left_out_findings += r
                .findings
                .iter()
                .filter(|f| f.artifacts.iter().any(|a| a == &p.name))
                .count();
        }
    }
    // The host's own problems and findings about artifacts no plugin row names.
    let names: BTreeSet<&str> = r.plugins.iter().map(|p| p.name.as_str()).collect();
    let other: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| !f.artifacts.iter().any(|a| names.contains(a.as_str())))
        .collect();
    if !other.is_empty() {
        let block = format!(
            "\n### Host {}\n\n<details><summary>{} finding(s)</summary>\n\n{}{}\n</details>\n",
            md_cell(&r.host.name),
            other.len(),
            findings_table(&other),
            proposals_for(r, "host")
        );
        if !c.push(&block) {
            c.left_out_findings += other.len();
        }
    }
    if let Some(b) = &r.binary {
        let mut block = format!(
            "\n### Built artifacts\n\nHost {}.\n\n| plugin file | verdict | plugin.Open says |\n|---|---|---|\n",
            md_code(&b.host.path)
        );
        for p in &b.plugins {
            block.push_str(&format!(
                "| {} | {} | {} |\n",
                md_code(&p.path),
                p.verdict.as_str(),
                p.error
                    .as_deref()
                    .map(md_code)
                    .unwrap_or_else(|| "-".into())
            ));
        }
        c.push(&block);
    }
    let (g, edges) = graph(r);
    let graph_block = if edges <= MAX_EDGES {
        format!("\n{g}")
    } else {
        format!(
            "\n> The graph of host, plugins and conflicting modules has {edges} edges, more than the {MAX_EDGES} a review comment can draw: see the JSON report (`--format json`).\n"
        )
    };
    if !c.push(&graph_block) {
        c.push("\n> The graph is left out for length.\n");
    }
    for n in &r.notes {
        if !c.push(&format!("\n> note: {}\n", md_cell(n))) {
            break;
        }
    }
    let mut s = c.s;
    if c.left_out > 0 || c.left_out_findings > 0 {
        s.push_str(&format!(
            "\n**{} more plugin(s) and {} more finding(s) in the full report** (`godrift report --format json`).\n",
            c.left_out, c.left_out_findings
        ));
    }
    s
}

/// `check`'s report as Markdown.
pub fn check_markdown(r: &CheckReport) -> String {
    let ok = r.all_load();
    let mut s = format!(
        "## godrift check: {}\n\nHost {} ({}).\n\n| plugin | verdict | plugin.Open says | root cause |\n|---|---|---|---|\n",
        if ok { "✅ all plugins load" } else { "❌ some plugins do not load" },
        md_code(&r.host.path),
        md_cell(r.host.go_version.as_deref().unwrap_or("unknown Go"))
    );
    let mut left = 0;
    for p in &r.plugins {
        let row = format!(
            "| {} | {} {} | {} | {} |\n",
            md_code(&p.path),
            bin_icon(p.verdict),
            p.verdict.as_str(),
            p.error
                .as_deref()
                .map(md_code)
                .unwrap_or_else(|| "-".into()),
            md_cell(p.root_cause.as_deref().unwrap_or("-"))
        );
        if s.len() + row.len() + RESERVE > MAX_CHARS {
            left += 1;
            continue;
        }
        s.push_str(&row);
    }
    if !r.findings.is_empty() {
        let all: Vec<&Finding> = r.findings.iter().collect();
        let block = format!(
            "\n<details><summary>{} finding(s)</summary>\n\n{}\n</details>\n",
            all.len(),
            findings_table(&all)
        );
        if s.len() + block.len() + RESERVE <= MAX_CHARS {
            s.push_str(&block);
        }
    }
    for p in r.plugins.iter().filter(|p| p.rebuild_with.is_some()) {
        let block = format!(
            "\nTo rebuild {} with the host's settings:\n\n{}",
            md_code(&p.path),
            md_fence("sh", p.rebuild_with.as_deref().unwrap_or(""))
        );
        if s.len() + block.len() + RESERVE > MAX_CHARS {
            left += 1;
            break;
        }
        s.push_str(&block);
    }
    if left > 0 {
        s.push_str(&format!(
            "\n**{left} more in the full report** (`godrift check --format json`).\n"
        ));
    }
    s
}
