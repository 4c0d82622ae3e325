//! `godrift check`: the exact verdict from built artifacts.

use super::{bad, ColorChoice, Out, OutputFormat, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use godrift::binary::loader::{self, LoaderInfo};
use godrift::contract::Contract;
use godrift::rules::binary::LoaderCheck;
use godrift::{binary, report};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The host executable (built with `import "plugin"`).
    #[arg(
        long,
        required_unless_present = "contract",
        conflicts_with = "contract"
    )]
    pub host: Option<PathBuf>,
    /// A host contract (`godrift contract export --host BIN`) instead of the host
    /// executable: the same replay, verdicts and messages.
    #[arg(long)]
    pub contract: Option<PathBuf>,
    /// The glibc release of the machines the host runs on (`2.31`): plugins needing a newer
    /// GLIBC symbol version fail (GD026). Default: the contract's target.glibc.
    #[arg(long, value_name = "VERSION")]
    pub glibc_ceiling: Option<String>,
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

/// The host a check replays against: a built executable or a contract.
pub(super) enum HostInput<'a> {
    Binary(&'a Path),
    Contract(&'a Contract),
}

/// Reads the built files and replays loading them (binary mode, also `report --built-host`).
/// The dynamic loader's checks come first; check orders are read only for plugins that
/// need them, then the replay runs again.
pub(super) fn check_files(
    host: HostInput,
    plugins: &[PathBuf],
    glibc_ceiling: Option<&str>,
) -> Result<godrift::rules::binary::CheckReport> {
    let names: Vec<String> = plugins.iter().map(|p| p.display().to_string()).collect();
    let (host_artifact, host_loader, mut read) = match host {
        HostInput::Binary(path) => {
            let (h, read) = binary::read_for_replay(path, plugins)?;
            (h, loader::read(path).ok(), read)
        }
        HostInput::Contract(c) => {
            let read = plugins
                .iter()
                .map(|p| binary::elf::read_without_order(p))
                .collect::<Result<Vec<_>, _>>()?;
            (c.to_artifact(), c.loader.clone(), read)
        }
    };
    let plugin_loaders: Vec<Option<LoaderInfo>> = {
        use rayon::prelude::*;
        plugins.par_iter().map(|p| loader::read(p).ok()).collect()
    };
    let lc = LoaderCheck {
        host: host_loader.as_ref(),
        plugins: &plugin_loaders,
        glibc_ceiling,
    };
    let report = godrift::rules::binary::check_with(&host_artifact, &read, &names, &lc);
    if !binary::add_check_orders(&mut read, plugins, &report.plugins)? {
        return Ok(report);
    }
    Ok(godrift::rules::binary::check_with(
        &host_artifact,
        &read,
        &names,
        &lc,
    ))
}

/// A glibc release as `--glibc-ceiling` takes it (`2.31`).
pub(super) fn glibc_arg(v: &str) -> Result<String> {
    if loader::parse_version(v.trim()).is_none() {
        return Err(bad(format!(
            "godrift: {v:?} is not a glibc release such as 2.31"
        )));
    }
    Ok(v.trim().to_string())
}

pub fn run(args: &CheckArgs, color: ColorChoice, out: Out) -> Result<i32> {
    let contract = match &args.contract {
        Some(path) => Some(Contract::read(path).map_err(bad)?),
        None => None,
    };
    // Without the runtime's hashes the replay would take the host for one that exports
    // none (and crash every plugin): only a contract of the built host can be replayed.
    if let (Some(c), Some(path)) = (&contract, &args.contract) {
        if c.source == godrift::contract::Source::Sources {
            return Err(bad(format!(
                "{}: this contract has no package hashes (\"source\": \"{}\"): check needs one exported from the built host (`godrift contract export --host HOST`); for plugin sources use `godrift report --contract {} --plugin DIR`",
                godrift::fsio::shown(path),
                c.source.as_str(),
                godrift::fsio::shown(path)
            )));
        }
    }
    let ceiling = match &args.glibc_ceiling {
        Some(v) => Some(glibc_arg(v)?),
        None => contract.as_ref().and_then(|c| c.target.glibc.clone()),
    };
    let host = match (&contract, &args.host) {
        (Some(c), _) => HostInput::Contract(c),
        (None, Some(h)) => HostInput::Binary(h),
        (None, None) => return Err(bad("godrift: give --host or --contract")),
    };
    let report = check_files(host, &args.plugins, ceiling.as_deref())?;
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
