//! Markdown for code review (GitHub job summaries, pull-request comments).

use super::Report;
use crate::finding::{Finding, Severity};
use crate::rules::binary::CheckReport;
use crate::rules::Verdict;
use crate::text::{md_cell, md_code, md_fence, mermaid_label};

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
        "## godrift: {icon} {}\n\nHost {} ({}), {} plugin(s).\n\n| plugin | dir | verdict | packages both link |\n|---|---|---|---|\n",
        r.verdict_shown(),
        md_code(&r.host.module),
        md_code(&r.host.dir),
        r.plugins.len()
    );
    for p in &r.plugins {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md_cell(&p.name),
            md_code(&p.dir),
            p.shown(),
            md_cell(&p.packages_shown())
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
                f.severity_shown(),
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

/// `check`'s report as Markdown.
pub fn check_markdown(r: &CheckReport) -> String {
    let ok = r.all_load();
    let mut s = format!(
        "## godrift check: {}\n\nHost {} ({}).\n\n| plugin | verdict | plugin.Open says | root cause |\n|---|---|---|---|\n",
        if ok { "✅ all plugins load" } else { "❌ some plugins do not load" },
        md_code(&r.host.path),
        md_cell(r.host.go_version.as_deref().unwrap_or("unknown Go"))
    );
    for p in &r.plugins {
        s.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            md_code(&p.path),
            p.verdict.as_str(),
            p.error
                .as_deref()
                .map(md_code)
                .unwrap_or_else(|| "-".into()),
            md_cell(p.root_cause.as_deref().unwrap_or("-"))
        ));
    }
    if !r.findings.is_empty() {
        s.push_str("\n| code | severity | finding |\n|---|---|---|\n");
        for f in &r.findings {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                f.code,
                f.severity.as_str(),
                md_cell(&f.message)
            ));
        }
    }
    for p in r.plugins.iter().filter(|p| p.rebuild_with.is_some()) {
        s.push_str(&format!(
            "\nTo rebuild {} with the host's settings:\n\n{}",
            md_code(&p.path),
            md_fence("sh", p.rebuild_with.as_deref().unwrap_or(""))
        ));
    }
    s
}
