//! Subcommands, one file each. Exit codes: 0 clean, 1 findings at or above `--fail-on`,
//! 2 bad input (any error).

use clap::{Parser, Subcommand};

pub mod parse;

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
    /// Print, as JSON, what godrift reads from a go.mod, go.work, go.sum or vendor/modules.txt.
    Parse(parse::ParseArgs),
}

pub const EXIT_CLEAN: i32 = 0;
#[allow(dead_code)] // used by the subcommands that report findings
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
    match cli.command {
        Command::Parse(args) => parse::run(&args),
    }
}
