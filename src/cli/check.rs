//! `godrift check --host EXE PLUGIN.so...`: binary mode, the runtime's verdict from built files.

use super::{EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS};
use godrift::binary::{self, verdict::Artifact};
use godrift::finding::Severity;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The host executable that calls plugin.Open.
    #[arg(long)]
    pub host: PathBuf,
    /// Plugins (.so), in the order the host opens them.
    #[arg(required = true)]
    pub plugins: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Also exit 1 when a finding has at least this severity.
    #[arg(long, value_enum, default_value = "error")]
    pub fail_on: Severity,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    Table,
    Json,
}

pub fn run(args: CheckArgs) -> i32 {
    match run_inner(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("godrift: {e}");
            EXIT_BAD_INPUT
        }
    }
}

fn run_inner(args: &CheckArgs) -> anyhow::Result<i32> {
    let host = Artifact::load(&args.host)?;
    let plugins = args
        .plugins
        .iter()
        .map(|p| Artifact::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let report = binary::check(&host, &plugins);
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Table => print!("{}", binary::render_table(&report)),
    }
    let failing =
        report.any_failure() || report.findings.iter().any(|f| f.severity >= args.fail_on);
    Ok(if failing { EXIT_FINDINGS } else { EXIT_CLEAN })
}
