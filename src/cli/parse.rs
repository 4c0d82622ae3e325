//! `godrift parse`: shows, as JSON, what godrift read from a go.mod, go.work, go.sum or
//! vendor/modules.txt, so a user can check it against what Go reads.

use super::{bad, Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::gomod::{self, ParseErrors, Strictness};
use godrift::{gosum, vendor};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ParseArgs {
    /// go.mod, go.work, go.sum or vendor/modules.txt (the kind is taken from the name).
    pub file: PathBuf,
    /// Parse a go.mod as a dependency's (lax), not as a main module's (strict).
    /// Same as `--strictness lax`.
    #[arg(long, conflicts_with = "strictness")]
    pub lax: bool,
    /// strict: a main module's go.mod as cmd/go reads it (modfile.Parse plus cmd/go's
    /// retract checks); lax: a dependency's go.mod (modfile.ParseLax).
    #[arg(long, value_enum)]
    pub strictness: Option<StrictnessArg>,
    /// Indent the JSON (default: one line).
    #[arg(long)]
    pub pretty: bool,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum StrictnessArg {
    Lax,
    Strict,
}

pub fn run(args: &ParseArgs, out: Out) -> Result<i32> {
    let path = &args.file;
    let shown = path.display().to_string();
    let data = godrift::fsio::read_input(path)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let json: Result<serde_json::Value, ParseErrors> = if name.ends_with(".work") {
        gomod::parse_work(&shown, &data).map(|f| serde_json::to_value(f).unwrap_or_default())
    } else if name.ends_with(".sum") {
        gosum::parse(&shown, &data).map(|f| serde_json::to_value(f).unwrap_or_default())
    } else if name == "modules.txt" {
        vendor::parse_modules_txt(&shown, &data)
            .map(|f| serde_json::to_value(f).unwrap_or_default())
    } else {
        let lax = args.lax || matches!(args.strictness, Some(StrictnessArg::Lax));
        if lax {
            gomod::parse_mod(&shown, &data, Strictness::Lax)
        } else {
            gomod::parse_main_mod(&shown, &data)
        }
        .map(|f| serde_json::to_value(f).unwrap_or_default())
    };
    match json {
        Ok(v) => {
            let text = if args.pretty {
                serde_json::to_string_pretty(&v)?
            } else {
                serde_json::to_string(&v)?
            };
            writeln!(out, "{text}")?;
            Ok(EXIT_CLEAN)
        }
        Err(errs) if name.ends_with(".sum") => Err(bad(format!("malformed go.sum:\n{errs}"))),
        Err(errs) => Err(bad(errs)),
    }
}
