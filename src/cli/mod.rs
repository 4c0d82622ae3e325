//! Subcommands, one file each. Exit codes: 0 clean, 1 findings at or above `--fail-on`,
//! 2 bad input (any error).

mod align;
mod check;
mod hook;
mod init;
mod new_plugin;
mod parse;
mod recipe;
mod report;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "godrift",
    version,
    about = "Will your Go plugins load into your host? godrift tells you before plugin.Open does."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Source-mode verdict: will the plugins load into the host, and what to change if not.
    Report(report::ReportArgs),
    /// Write a starter godrift.toml.
    Init(init::InitArgs),
    /// Apply the alignment proposals to plugin go.mod files (format-preserving, atomic).
    Align(align::AlignArgs),
    /// Scaffold a plugin module pinned to the host's versions and replacements.
    NewPlugin(new_plugin::NewPluginArgs),
    /// Print the go build commands (and a Makefile snippet) with the flags that must match.
    Recipe(recipe::RecipeArgs),
    /// Git hook management.
    #[command(subcommand)]
    Hook(hook::HookCommand),
    /// Verdict from built artifacts: will each plugin .so load into the host executable?
    Check(check::CheckArgs),
    /// Show as JSON what godrift reads from a go.mod, go.work, go.sum or modules.txt.
    Parse(parse::ParseArgs),
}

/// Output formats shared by the reporting subcommands.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Markdown,
    Sarif,
}

/// The build-list options from Go's environment (`go env -json` once, or Go's defaults), with
/// `--gomodcache` taking precedence when given and not empty.
pub(crate) fn load_options(gomodcache: Option<&std::path::Path>) -> godrift::graph::LoadOptions {
    let env = godrift::goenv::GoEnv::detect();
    let mut opts = godrift::graph::LoadOptions::from_env(&env);
    if let Some(p) = gomodcache.filter(|p| !p.as_os_str().is_empty()) {
        opts.gomodcache = p.to_path_buf();
    }
    opts
}

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_BAD_INPUT: i32 = 2;

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    let result = match &cli.command {
        Command::Report(a) => report::run(a),
        Command::Init(a) => init::run(a),
        Command::Align(a) => align::run(a),
        Command::NewPlugin(a) => new_plugin::run(a),
        Command::Recipe(a) => recipe::run(a),
        Command::Hook(a) => hook::run(a),
        Command::Check(a) => check::run(a),
        Command::Parse(a) => parse::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("godrift: {e:#}");
            EXIT_BAD_INPUT
        }
    }
}
