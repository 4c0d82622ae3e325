//! `godrift check`: the exact verdict from built artifacts.

use super::{bad, Out, OutputFormat, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use godrift::{binary, report};
use std::path::{Path, PathBuf};

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

/// Reads the built files and replays loading them (binary mode, also `report --built-host`).
/// Check orders are read only for plugins that need them, then the replay runs again.
pub(super) fn check_files(
    host: &Path,
    plugins: &[PathBuf],
) -> Result<godrift::rules::binary::CheckReport> {
    let names: Vec<String> = plugins.iter().map(|p| p.display().to_string()).collect();
    let (host, mut read) = binary::read_for_replay(host, plugins)?;
    let report = godrift::rules::binary::check(&host, &read, &names);
    if !binary::add_check_orders(&mut read, plugins, &report.plugins)? {
        return Ok(report);
    }
    Ok(godrift::rules::binary::check(&host, &read, &names))
}

pub fn run(args: &CheckArgs, out: Out) -> Result<i32> {
    let report = check_files(&args.host, &args.plugins)?;
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
