//! `godrift parse`: shows, as JSON, what godrift read from a go.mod, go.work, go.sum or
//! vendor/modules.txt, so a user can check it against what Go reads.

use super::{EXIT_BAD_INPUT, EXIT_CLEAN};
use anyhow::Result;
use godrift::gomod::{self, ParseErrors, Strictness};
use godrift::{gosum, vendor};
use std::path::PathBuf;

/// Larger inputs are refused rather than read: Go caps go.mod at 16 MiB too.
const MAX_INPUT: u64 = 16 << 20;

#[derive(clap::Args, Debug)]
pub struct ParseArgs {
    /// go.mod, go.work, go.sum or vendor/modules.txt (the kind is taken from the name).
    pub file: PathBuf,
    /// Parse a go.mod as a dependency's (lax), not as a main module's (strict).
    #[arg(long)]
    pub lax: bool,
}

pub fn run(args: &ParseArgs) -> Result<i32> {
    let path = &args.file;
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("godrift: {shown}: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    if meta.len() > MAX_INPUT {
        eprintln!(
            "godrift: {shown}: file too large ({} bytes; limit {MAX_INPUT})",
            meta.len()
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("godrift: {shown}: {e}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let json: Result<serde_json::Value, ParseErrors> = if name.ends_with(".work") {
        gomod::parse_work(&shown, &data).map(|f| serde_json::to_value(f).unwrap_or_default())
    } else if name.ends_with(".sum") {
        gosum::parse(&shown, &data).map(|f| serde_json::to_value(f).unwrap_or_default())
    } else if name == "modules.txt" {
        vendor::parse_modules_txt(&shown, &data)
            .map(|f| serde_json::to_value(f).unwrap_or_default())
    } else {
        let strictness = if args.lax {
            Strictness::Lax
        } else {
            Strictness::Strict
        };
        gomod::parse_mod(&shown, &data, strictness)
            .map(|f| serde_json::to_value(f).unwrap_or_default())
    };
    match json {
        Ok(v) => {
            println!("{}", serde_json::to_string_pretty(&v)?);
            Ok(EXIT_CLEAN)
        }
        Err(errs) => {
            if name.ends_with(".sum") {
                eprintln!("malformed go.sum:");
            }
            eprintln!("{errs}");
            Ok(EXIT_BAD_INPUT)
        }
    }
}
