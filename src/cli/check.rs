//! `godrift check`: the exact verdict from built artifacts.

use super::{bad, ColorChoice, Out, OutputFormat, EXIT_CLEAN, EXIT_FINDINGS};
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
    /// Write the report to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// The directory SARIF URIs and GitHub annotations are relative to (default: the git
    /// repository's root; without git, the current directory).
    #[arg(long)]
    pub sarif_root: Option<PathBuf>,
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

pub fn run(args: &CheckArgs, color: ColorChoice, out: Out) -> Result<i32> {
    let report = check_files(&args.host, &args.plugins)?;
    // A file that is not a Go host or plugin at all is bad input, not a finding.
    let not_go = report
        .findings
        .iter()
        .find(|f| f.code == godrift::finding::Code::NotAGoArtifact);
    if let Some(f) = not_go {
        return Err(bad(format!("godrift: {}", f.message)));
    }
    // The plugins' paths are as given, relative to the current directory.
    let paths = super::repo_paths(std::path::Path::new("."), args.sarif_root.as_deref())?;
    let text = match args.format {
        OutputFormat::Json => report::check_json(&report),
        OutputFormat::Sarif => report::check_sarif(&report, &paths),
        OutputFormat::Markdown => report::check_markdown(&report),
        OutputFormat::Table => {
            let st = if args.output.is_some() {
                report::Style::default()
            } else {
                super::style(color)
            };
            report::check_table_styled(&report, st)
        }
    };
    match &args.output {
        Some(path) => super::write_atomically(path, text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    if super::in_github_actions() {
        super::warn_raw(&report::check_annotations(&report, &paths));
    }
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        super::append_summary(
            std::path::Path::new(&summary),
            &report::check_markdown(&report),
        )?;
    }
    Ok(if report.all_load() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
