//! `godrift check`: the exact verdict from built artifacts.

use super::{out, outln, warn, OutputFormat, EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use godrift::binary::{self, CheckReport};
use godrift::text::{block, line, md_cell, md_code, md_fence};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The host executable (built with `import "plugin"`).
    #[arg(long)]
    pub host: PathBuf,
    /// Plugin .so files, in the order the host opens them.
    #[arg(required = true)]
    pub plugins: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

pub fn run(args: &CheckArgs) -> Result<i32> {
    let host = match binary::read(&args.host) {
        Ok(a) => a,
        Err(e) => {
            warn(&format!("godrift: {e}"));
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let mut plugins = Vec::new();
    for p in &args.plugins {
        match binary::read(p) {
            Ok(a) => plugins.push(a),
            Err(e) => {
                warn(&format!("godrift: {e}"));
                return Ok(EXIT_BAD_INPUT);
            }
        }
    }
    let names: Vec<String> = args
        .plugins
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let report = binary::check(&host, &plugins, &names);
    // A file that is not a Go host or plugin at all is bad input, not a finding.
    let not_go = report
        .findings
        .iter()
        .find(|f| f.code == godrift::finding::Code::NotAGoArtifact);
    if let Some(f) = not_go {
        warn(&format!("godrift: {}", f.message));
        return Ok(EXIT_BAD_INPUT);
    }
    match args.format {
        OutputFormat::Json | OutputFormat::Sarif => outln(&serde_json::to_string_pretty(&report)?)?,
        OutputFormat::Markdown => out(&render_markdown(&report))?,
        OutputFormat::Table => out(&render_table(&report))?,
    }
    Ok(if report.all_load() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn render_markdown(r: &CheckReport) -> String {
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

fn render_table(r: &CheckReport) -> String {
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
