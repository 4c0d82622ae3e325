//! The terminal table.

use super::Report;
use crate::rules::binary::CheckReport;
use crate::text::{block, line};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

pub fn table(r: &Report) -> String {
    let mut out = format!(
        "godrift: {} — host {} ({})\n",
        r.verdict_shown(),
        line(&r.host.module),
        line(&r.host.dir)
    );
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["plugin", "dir", "verdict", "packages both link"]);
    for p in &r.plugins {
        t.add_row(vec![
            line(&p.name).into_owned(),
            line(&p.dir).into_owned(),
            p.shown(),
            line(&p.packages_shown()).into_owned(),
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
                f.severity_shown(),
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

/// `check`'s report as a terminal table.
pub fn check_table(r: &CheckReport) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "plugin",
        "verdict",
        "what plugin.Open says",
        "root cause",
    ]);
    for p in &r.plugins {
        t.add_row(vec![
            line(&p.path).into_owned(),
            p.verdict.as_str().to_string(),
            line(p.error.as_deref().unwrap_or("-")).into_owned(),
            line(p.root_cause.as_deref().unwrap_or("-")).into_owned(),
        ]);
    }
    let mut out = format!(
        "host {} ({})\n{t}\n",
        line(&r.host.path),
        line(r.host.go_version.as_deref().unwrap_or("unknown Go"))
    );
    for f in &r.findings {
        out.push_str(&format!(
            "{} {} {}\n",
            f.code,
            f.severity.as_str(),
            line(&f.message)
        ));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("    fix: {}\n", line(fix)));
        }
    }
    for p in r.plugins.iter().filter(|p| p.rebuild_with.is_some()) {
        out.push_str(&format!(
            "rebuild {} with the host's settings: {}\n",
            line(&p.path),
            block(p.rebuild_with.as_deref().unwrap_or(""))
        ));
    }
    out
}
