//! Report rendering: terminal table, JSON (versioned schema), Markdown (with a Mermaid
//! graph, for code review) and SARIF 2.1.0 (rule ids are the stable finding codes).

use crate::analysis::{Analysis, Proposal, Verdict};
use crate::finding::{Code, Finding, Severity};
use crate::project::Project;
use crate::text::{line, md_cell, md_code, md_fence, mermaid_label};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct HostInfo {
    pub name: String,
    pub dir: String,
    pub module: String,
    pub go_version: Option<String>,
}

/// The JSON document (`schema_version` 1).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub verdict: Verdict,
    pub host: HostInfo,
    pub plugins: Vec<crate::analysis::PluginVerdict>,
    pub findings: Vec<Finding>,
    pub proposals: Vec<Proposal>,
    pub notes: Vec<String>,
    /// Binary-mode results when built artifacts were given (`--built-host`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binary: Option<crate::binary::CheckReport>,
}

/// Paths in the report are shown relative to the project root, so reports are stable.
fn rel(project: &Project, p: &std::path::Path) -> String {
    let root = project.root.canonicalize().unwrap_or(project.root.clone());
    let p2 = p.canonicalize().unwrap_or(p.to_path_buf());
    match p2.strip_prefix(&root) {
        Ok(r) if r.as_os_str().is_empty() => ".".into(),
        Ok(r) => r.display().to_string(),
        Err(_) => p.display().to_string(),
    }
}

impl Report {
    pub fn new(project: &Project, analysis: Analysis) -> Report {
        let mut findings = analysis.findings;
        for f in &mut findings {
            for e in &mut f.evidence {
                e.file = rel(project, &e.file).into();
            }
            // Absolute directories in messages would make reports machine-specific.
            let root = project.root.canonicalize().unwrap_or(project.root.clone());
            for prefix in [
                format!("{}/", root.display()),
                format!("{}/", project.root.display()),
            ] {
                f.message = f.message.replace(&prefix, "");
            }
        }
        let mut proposals = analysis.proposals;
        for p in &mut proposals {
            for c in &mut p.changes {
                c.go_mod = rel(project, std::path::Path::new(&c.go_mod));
                let side_dir = std::path::Path::new(&c.go_mod)
                    .parent()
                    .map(|d| {
                        if d.as_os_str().is_empty() {
                            ".".to_string()
                        } else {
                            d.display().to_string()
                        }
                    })
                    .unwrap_or_else(|| ".".into());
                c.command = format!("(cd {side_dir} && go get {}@{})", p.module, p.target);
                if let Some(n) = &mut c.note {
                    let root = project.root.canonicalize().unwrap_or(project.root.clone());
                    *n = n.replace(&format!("{}/", root.display()), "");
                }
            }
        }
        let mut plugins = analysis.plugins;
        for p in &mut plugins {
            p.dir = rel(project, std::path::Path::new(&p.dir));
        }
        Report {
            schema_version: 1,
            verdict: analysis.verdict,
            host: HostInfo {
                name: project.host.name.clone(),
                dir: rel(project, &project.host.dir),
                module: project.host.module_path().to_string(),
                go_version: project.host.go_mod.go.as_ref().map(|g| g.version.clone()),
            },
            plugins,
            findings,
            proposals,
            notes: project.notes.clone(),
            binary: None,
        }
    }

    /// Adds binary-mode results: the built files are the ground truth, so a plugin that
    /// does not load makes the verdict "fails" whatever source mode concluded.
    pub fn add_binary(&mut self, check: crate::binary::CheckReport) {
        self.findings.extend(check.findings.iter().cloned());
        crate::finding::sort_findings(&mut self.findings);
        if !check.all_load() {
            self.verdict = Verdict::Fails;
        }
        self.binary = Some(check);
    }

    /// Whether any finding reaches `fail_on`.
    pub fn fails_at(&self, fail_on: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= fail_on)
    }
}

pub fn json(r: &Report) -> String {
    serde_json::to_string_pretty(r).unwrap_or_default() + "\n"
}

pub fn table(r: &Report) -> String {
    let mut out = format!(
        "godrift: {} — host {} ({})\n",
        r.verdict.as_str(),
        line(&r.host.module),
        line(&r.host.dir)
    );
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["plugin", "dir", "verdict"]);
    for p in &r.plugins {
        t.add_row(vec![
            line(&p.name).into_owned(),
            line(&p.dir).into_owned(),
            p.verdict.as_str().to_string(),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    if !r.findings.is_empty() {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        t.set_header(vec!["code", "severity", "finding", "where"]);
        for f in &r.findings {
            let at = f
                .evidence
                .iter()
                .map(|e| {
                    let file = e.file.display().to_string();
                    match e.line {
                        Some(l) => format!("{}:{l}", line(&file)),
                        None => line(&file).into_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            t.add_row(vec![
                f.code.to_string(),
                f.severity.as_str().to_string(),
                line(&f.message).into_owned(),
                at,
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    for p in &r.proposals {
        out.push_str(&format!(
            "align {} on {}:\n",
            line(&p.module),
            line(&p.target)
        ));
        for (side, chain) in &p.why {
            out.push_str(&format!("  why {}: {}\n", line(side), line(chain)));
        }
        if let Some(u) = &p.host_upgrade {
            let moves: Vec<String> = u
                .moves
                .iter()
                .map(|m| format!("{} {} -> {}", m.module, m.from, m.to))
                .collect();
            out.push_str(&format!(
                "  or rebuild the host with {} (wanted by {}): moves {}\n",
                line(&u.to),
                line(&u.required_by.join(", ")),
                line(&moves.join(", "))
            ));
        }
        for c in &p.changes {
            out.push_str(&format!(
                "  {} (now {}): {}\n",
                line(&c.artifact),
                line(&c.from),
                line(&c.command)
            ));
            if let Some(n) = &c.note {
                out.push_str(&format!("    {}\n", line(n)));
            }
        }
    }
    if let Some(b) = &r.binary {
        out.push_str(&format!("built artifacts (host {}):\n", line(&b.host.path)));
        for p in &b.plugins {
            out.push_str(&format!(
                "  {}: {}{}\n",
                line(&p.path),
                p.verdict.as_str(),
                p.error
                    .as_deref()
                    .map(|e| format!(" — {}", line(e)))
                    .unwrap_or_default()
            ));
        }
    }
    for n in &r.notes {
        out.push_str(&format!("note: {}\n", line(n)));
    }
    out
}

fn mermaid_id(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

pub fn markdown(r: &Report) -> String {
    let icon = match r.verdict {
        Verdict::Loads => "✅",
        Verdict::MayFail => "⚠️",
        Verdict::Fails => "❌",
    };
    let mut s = format!(
        "## godrift: {icon} {}\n\nHost {} ({}), {} plugin(s).\n\n| plugin | dir | verdict |\n|---|---|---|\n",
        r.verdict.as_str(),
        md_code(&r.host.module),
        md_code(&r.host.dir),
        r.plugins.len()
    );
    for p in &r.plugins {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            md_cell(&p.name),
            md_code(&p.dir),
            p.verdict.as_str()
        ));
    }
    if !r.findings.is_empty() {
        s.push_str("\n### Findings\n\n| code | severity | finding | where |\n|---|---|---|---|\n");
        for f in &r.findings {
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
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                f.code,
                f.severity.as_str(),
                md_cell(&f.message),
                at
            ));
        }
        for f in r.findings.iter().filter(|f| f.diff.is_some()) {
            s.push_str(&format!(
                "\n<details><summary>{} {}</summary>\n\n{}\n</details>\n",
                f.code,
                md_cell(&f.message),
                md_fence("diff", f.diff.as_deref().unwrap_or(""))
            ));
        }
        for f in r.findings.iter().filter(|f| f.fix.is_some()) {
            s.push_str(&format!(
                "\n- **{}** {}: {}",
                f.code,
                md_cell(f.module.as_deref().unwrap_or("")),
                md_cell(f.fix.as_deref().unwrap_or(""))
            ));
        }
        s.push('\n');
    }
    if !r.proposals.is_empty() {
        s.push_str("\n### Proposed alignment\n");
        for p in &r.proposals {
            s.push_str(&format!(
                "\n**{}** → {}\n\n",
                md_cell(&p.module),
                md_code(&p.target)
            ));
            for (side, chain) in &p.why {
                s.push_str(&format!("- why {}: {}\n", md_cell(side), md_code(chain)));
            }
            if let Some(u) = &p.host_upgrade {
                s.push_str(&format!(
                    "- {} need(s) {}: keeping it means rebuilding the host; MVS moves: {}\n",
                    md_cell(&u.required_by.join(", ")),
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
                        .join(", ")
                ));
            }
            for c in &p.changes {
                s.push_str(&format!(
                    "- {} (now {}): {}\n",
                    md_cell(&c.artifact),
                    md_code(&c.from),
                    md_code(&c.command)
                ));
                if let Some(n) = &c.note {
                    s.push_str(&format!("  - {}\n", md_cell(n)));
                }
                if let Some(d) = &c.diff {
                    s.push_str(&format!("\n{}", md_fence("diff", d)));
                }
            }
        }
    }
    // Host, plugins, and the modules they disagree on.
    let conflicts: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.module.is_some() && f.severity == Severity::Error)
        .collect();
    if let Some(b) = &r.binary {
        s.push_str(&format!(
            "\n### Built artifacts\n\nHost {}.\n\n| plugin file | verdict | plugin.Open says |\n|---|---|---|\n",
            md_code(&b.host.path)
        ));
        for p in &b.plugins {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                md_code(&p.path),
                p.verdict.as_str(),
                p.error
                    .as_deref()
                    .map(md_code)
                    .unwrap_or_else(|| "-".into())
            ));
        }
    }
    s.push_str("\n```mermaid\ngraph LR\n");
    s.push_str(&format!(
        "  host[\"host: {}\"]\n",
        mermaid_label(&r.host.module)
    ));
    for p in &r.plugins {
        s.push_str(&format!(
            "  {}[\"{}: {}\"] -->|plugin.Open| host\n",
            mermaid_id(&p.name),
            mermaid_label(&p.name),
            p.verdict.as_str()
        ));
    }
    for f in conflicts {
        let m = f.module.as_deref().unwrap_or("");
        for a in &f.artifacts {
            let id = if a == "host" {
                "host".to_string()
            } else {
                mermaid_id(a)
            };
            s.push_str(&format!(
                "  {id} -.->|{}| {}((\"{}\"))\n",
                f.code,
                mermaid_id(m),
                mermaid_label(m)
            ));
        }
    }
    s.push_str("```\n");
    for n in &r.notes {
        s.push_str(&format!("\n> note: {}\n", md_cell(n)));
    }
    s
}

/// SARIF 2.1.0 with one rule per finding code; locations point at go.mod lines.
pub fn sarif(r: &Report) -> String {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.as_str(),
                "name": c.name(),
                "shortDescription": { "text": c.name() },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = r
        .findings
        .iter()
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let locations: Vec<serde_json::Value> = f
                .evidence
                .iter()
                .map(|e| {
                    let mut region = serde_json::json!({});
                    if let Some(l) = e.line {
                        region = serde_json::json!({ "startLine": l });
                    }
                    serde_json::json!({
                        "physicalLocation": {
                            "artifactLocation": { "uri": e.file.display().to_string() },
                            "region": region,
                        }
                    })
                })
                .collect();
            serde_json::json!({
                "ruleId": f.code.as_str(),
                "level": level,
                "message": { "text": f.message },
                "locations": locations,
            })
        })
        .collect();
    let doc = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "godrift",
                "informationUri": "https://github.com/godrift/godrift",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
