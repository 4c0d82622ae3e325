//! `godrift explain GDxxx`: a finding code's documentation (what, why, fix).

use super::{Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::codes::{self, Code};

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A finding code (`GD001`) or its name (`version-conflict`).
    pub code: String,
}

pub fn run(args: &ExplainArgs, out: Out) -> Result<i32> {
    match Code::parse(args.code.trim()) {
        Some(c) => {
            out.write_all(codes::explain(c).as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        None => {
            let known: Vec<&str> = Code::all().map(Code::as_str).collect();
            anyhow::bail!(
                "unknown finding code {:?} (known: {})",
                args.code,
                known.join(", ")
            )
        }
    }
}
