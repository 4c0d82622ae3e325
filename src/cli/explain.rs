//! `godrift explain GDxxx`: a finding code's documentation (what, why, fix);
//! `godrift explain "<pasted error>"`: the runtime's message mapped to ranked causes and the
//! next command (`godrift::explain`).

use super::{bad, Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::codes::{self, Code};

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A finding code (`GD001`), its name (`version-conflict`), or an error plugin.Open or
    /// the runtime printed (paste it in quotes; several lines are fine).
    pub code: String,
    /// Output as JSON (for a message).
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ExplainArgs, out: Out) -> Result<i32> {
    if let Some(c) = Code::parse(args.code.trim()) {
        out.write_all(codes::explain(c).as_bytes())?;
        return Ok(EXIT_CLEAN);
    }
    if let Some(e) = godrift::explain::explain(&args.code) {
        let text = if args.json {
            serde_json::to_string_pretty(&e)? + "\n"
        } else {
            godrift::explain::render(&e)
        };
        out.write_all(text.as_bytes())?;
        return Ok(EXIT_CLEAN);
    }
    let known: Vec<&str> = Code::all().map(Code::as_str).collect();
    Err(bad(format!(
        "godrift: {:?} is neither a finding code ({}) nor a plugin.Open or runtime message godrift knows; paste the whole line plugin.Open returned",
        godrift::text::line(args.code.trim()),
        known.join(", ")
    )))
}
