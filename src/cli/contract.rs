//! `godrift contract`: a host's contract with its plugins, as versioned JSON
//! (schemas/contract.schema.json), and what changed between two of them.

use super::{bad, Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::binary::{self, loader};
use godrift::contract::Contract;
use godrift::{fsio, project};
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum ContractCommand {
    /// Write the host's contract: Go release, build settings, GOOS/GOARCH, cgo, modules with
    /// sums and replacements, and every package's export-data hash (from a built host), or
    /// the same from sources and godrift.toml without hashes.
    Export(ExportArgs),
    /// What changed between two host releases' contracts: packages whose hash changed,
    /// the Go release, settings and modules; with plugins, which must be rebuilt.
    Diff(DiffArgs),
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The old host's contract.
    pub old: PathBuf,
    /// The new host's contract.
    pub new: PathBuf,
    /// Plugin .so files (in load order): which loaded into the old host and fail with the
    /// new one.
    pub plugins: Vec<PathBuf>,
    /// markdown (release notes, pull requests) or json.
    #[arg(long, value_enum, default_value_t = DiffFormat::Markdown)]
    pub format: DiffFormat,
    /// Write to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Markdown,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The built host executable (the runtime's own data, hashes included).
    #[arg(long, conflicts_with_all = ["dir", "config"])]
    pub host: Option<PathBuf>,
    /// Without --host: the project directory (godrift.toml, or the host module); the
    /// contract is then marked `"source": "sources"`, `"hashes": false`.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Config file (default: DIR/godrift.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The glibc release of the machines the host runs on (`2.31`), recorded as
    /// target.glibc: the ceiling for plugins' GLIBC symbol versions.
    #[arg(long, value_name = "VERSION")]
    pub glibc: Option<String>,
    /// Write the contract to this file (atomically) instead of stdout.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Module cache to read dependencies' go.mod files from (default: GOMODCACHE).
    #[arg(long)]
    pub gomodcache: Option<PathBuf>,
}

pub fn run(cmd: &ContractCommand, out: Out) -> Result<i32> {
    match cmd {
        ContractCommand::Export(a) => export(a, out),
        ContractCommand::Diff(a) => diff(a, out),
    }
}

fn diff(args: &DiffArgs, out: Out) -> Result<i32> {
    use godrift::contract::diff;
    let old = Contract::read(&args.old).map_err(bad)?;
    let new = Contract::read(&args.new).map_err(bad)?;
    let mut d = diff::diff(&old, &new);
    if !args.plugins.is_empty() {
        let names: Vec<String> = args
            .plugins
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        let read = args
            .plugins
            .iter()
            .map(|p| binary::elf::read(p))
            .collect::<Result<Vec<_>, _>>()?;
        let loaders: Vec<_> = args.plugins.iter().map(|p| loader::read(p).ok()).collect();
        diff::impact(&mut d, &old, &new, &read, &names, &loaders);
    }
    let text = match args.format {
        DiffFormat::Markdown => godrift::report::contract_diff_markdown(&d),
        DiffFormat::Json => serde_json::to_string_pretty(&d)? + "\n",
    };
    match &args.output {
        Some(path) => fsio::write_file(path, text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    // Like check: 1 when a plugin given must be rebuilt.
    Ok(if d.plugins.iter().any(|p| p.must_rebuild) {
        super::EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

fn export(args: &ExportArgs, out: Out) -> Result<i32> {
    let mut c = match &args.host {
        Some(path) => {
            let a = binary::read_without_order(path)?;
            let l = loader::read(path).ok();
            Contract::from_artifact(&a, l, &path.display().to_string()).map_err(bad)?
        }
        None => {
            let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
            let opts = super::project_options(args.gomodcache.as_deref(), true, None);
            let p = project::load(&dir, args.config.as_deref(), &opts).map_err(bad)?;
            godrift::contract::from_project(&p, &opts)
        }
    };
    if let Some(g) = &args.glibc {
        c.target.glibc = Some(super::check::glibc_arg(g)?);
    }
    let text = c.to_json();
    match &args.output {
        Some(path) => fsio::write_file(path, text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(EXIT_CLEAN)
}
