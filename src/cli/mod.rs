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
use godrift::text;
use std::io::Write;

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
            warn(&format!("godrift: {}", error_text(&e)));
            EXIT_BAD_INPUT
        }
    }
}

/// An error and its causes on one line, each said once: library errors already carry
/// their cause's text, and printing the chain too gave `Is a directory: Is a directory`.
fn error_text(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}

/// Writes `s` to stdout. A reader that went away (`godrift report | head`) ends the output
/// quietly: the exit code still says what godrift found.
pub fn out(s: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(s.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("writing to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// `out` with a newline.
pub fn outln(s: &str) -> anyhow::Result<()> {
    out(&format!("{s}\n"))
}

/// A message on stderr with control characters escaped (it may quote file names and text
/// from the tree); lines are kept, as Go prints multi-line errors. Never fails.
pub fn warn(s: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}", text::block(s));
}
