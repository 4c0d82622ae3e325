//! `godrift explain GDxxx`: a finding code's documentation (what, why, fix).

use super::EXIT_BAD_INPUT;
use anyhow::Result;
use godrift::codes::{self, Code};

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A finding code (`GD001`) or its name (`version-conflict`).
    pub code: String,
}

pub fn run(args: &ExplainArgs) -> Result<i32> {
    match Code::parse(args.code.trim()) {
        Some(c) => {
            print!("{}", codes::explain(c));
            Ok(super::EXIT_CLEAN)
        }
        None => {
            let known: Vec<&str> = Code::all().map(Code::as_str).collect();
            eprintln!(
                "godrift: unknown finding code {:?} (known: {})",
                args.code,
                known.join(", ")
            );
            Ok(EXIT_BAD_INPUT)
        }
    }
}
