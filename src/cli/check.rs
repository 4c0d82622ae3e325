//! `godrift check`: the exact verdict from built artifacts.

use super::{bad, Out, OutputFormat, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use godrift::binary;
use godrift::rules::binary::CheckReport;
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

pub fn run(args: &CheckArgs, out: Out) -> Result<i32> {
    let host = binary::read(&args.host)?;
    let plugins = args
        .plugins
        .iter()
        .map(|p| binary::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<String> = args
        .plugins
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let report = godrift::rules::binary::check(&host, &plugins, &names);
    // A file that is not a Go host or plugin at all is bad input, not a finding.
    let not_go = report
        .findings
        .iter()
        .find(|f| f.code == godrift::finding::Code::NotAGoArtifact);
    if let Some(f) = not_go {
        return Err(bad(format!("godrift: {}", f.message)));
    }
    let text = match args.format {
        OutputFormat::Json | OutputFormat::Sarif => serde_json::to_string_pretty(&report)? + "\n",
        OutputFormat::Markdown => render_markdown(&report),
        OutputFormat::Table => render_table(&report),
    };
    out.write_all(text.as_bytes())?;
    Ok(if report.all_load() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

fn render_markdown(r: &CheckReport) -> String {
    let ok = r.all_load();
    let mut s = format!(
        "## godrift check: {}\n\nHost `{}` ({}).\n\n| plugin | verdict | plugin.Open says | root cause |\n|---|---|---|---|\n",
        if ok { "✅ all plugins load" } else { "❌ some plugins do not load" },
        r.host.path,
        r.host.go_version.as_deref().unwrap_or("unknown Go")
    );
    for p in &r.plugins {
        s.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            p.path,
            p.verdict.as_str(),
            p.error
                .as_deref()
                .map(|e| format!("`{e}`"))
                .unwrap_or_else(|| "-".into()),
            p.root_cause.as_deref().unwrap_or("-").replace('|', "\\|")
        ));
    }
    if !r.findings.is_empty() {
        s.push_str("\n| code | severity | finding |\n|---|---|---|\n");
        for f in &r.findings {
            s.push_str(&format!(
                "| {} | {} | {} |\n",
                f.code,
                f.severity.as_str(),
                f.message.replace('|', "\\|")
            ));
        }
    }
    for p in r.plugins.iter().filter(|p| p.rebuild_with.is_some()) {
        s.push_str(&format!(
            "\nTo rebuild `{}` with the host's settings:\n\n```sh\n{}\n```\n",
            p.path,
            p.rebuild_with.as_deref().unwrap_or("")
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
