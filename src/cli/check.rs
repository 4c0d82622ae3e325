//! `godrift check`: the exact verdict from built artifacts.

use super::{bad, Out, OutputFormat, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use godrift::{binary, report};
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
        OutputFormat::Json => report::check_json(&report),
        OutputFormat::Sarif => report::check_sarif(&report),
        OutputFormat::Markdown => report::check_markdown(&report),
        OutputFormat::Table => report::check_table(&report),
    };
    out.write_all(text.as_bytes())?;
    Ok(if report.all_load() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
