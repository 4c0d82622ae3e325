//! The terminal table.

use super::Report;
use crate::rules::binary::CheckReport;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};

pub fn table(r: &Report) -> String {
    let mut out = format!(
        "godrift: {} — host {} ({})\n",
        r.verdict_shown(),
        r.host.module,
        r.host.dir
    );
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_header(vec!["plugin", "dir", "verdict", "packages both link"]);
    for p in &r.plugins {
        t.add_row(vec![
            p.name.clone(),
            p.dir.clone(),
            p.shown(),
            p.packages_shown(),
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
                .map(|e| match e.line {
                    Some(l) => format!("{}:{l}", e.file.display()),
                    None => e.file.display().to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n");
            t.add_row(vec![
                f.code.to_string(),
                f.severity_shown(),
                f.message.clone(),
                at,
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    for p in &r.proposals {
        out.push_str(&format!("align {} on {}:\n", p.module, p.target));
        for (side, chain) in &p.why {
            out.push_str(&format!("  why {side}: {chain}\n"));
        }
        if let Some(u) = &p.host_upgrade {
            let moves: Vec<String> = u
                .moves
                .iter()
                .map(|m| format!("{} {} -> {}", m.module, m.from, m.to))
                .collect();
            out.push_str(&format!(
                "  or rebuild the host with {} (wanted by {}): moves {}{}\n",
                u.to,
                u.required_by.join(", "),
                moves.join(", "),
                if u.affects.is_empty() {
                    String::new()
                } else {
                    format!("; then align again: {}", u.affects.join(", "))
                }
            ));
        }
        for c in &p.changes {
            let command = if c.command.is_empty() {
                String::new()
            } else {
                format!(": {}", c.command)
            };
            out.push_str(&format!("  {} (now {}){command}\n", c.artifact, c.from));
            if let Some(n) = &c.note {
                out.push_str(&format!("    {n}\n"));
            }
        }
    }
    if let Some(b) = &r.binary {
        out.push_str(&format!("built artifacts (host {}):\n", b.host.path));
        for p in &b.plugins {
            out.push_str(&format!(
                "  {}: {}{}\n",
                p.path,
                p.verdict.as_str(),
                p.error
                    .as_deref()
                    .map(|e| format!(" — {e}"))
                    .unwrap_or_default()
            ));
        }
    }
    for n in &r.notes {
        out.push_str(&format!("note: {n}\n"));
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
            p.path.clone(),
            p.verdict.as_str().to_string(),
            p.error.clone().unwrap_or_else(|| "-".into()),
            p.root_cause.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    let mut out = format!(
        "host {} ({})\n{t}\n",
        r.host.path,
        r.host.go_version.as_deref().unwrap_or("unknown Go")
    );
    for f in &r.findings {
        out.push_str(&format!(
            "{} {} {}\n",
            f.code,
            f.severity.as_str(),
            f.message
        ));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("    fix: {fix}\n"));
        }
    }
    for p in r.plugins.iter().filter(|p| p.rebuild_with.is_some()) {
        out.push_str(&format!(
            "rebuild {} with the host's settings: {}\n",
            p.path,
            p.rebuild_with.as_deref().unwrap_or("")
        ));
    }
    out
}
