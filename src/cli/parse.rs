//! `godrift parse FILE`: prints, as JSON, what godrift read from a go.mod, go.work, go.sum or
//! vendor/modules.txt (dispatching on the file name). Parse errors print in Go's format, exit 2.

use crate::cli::{EXIT_BAD_INPUT, EXIT_CLEAN};
use clap::{Args, ValueEnum};
use godrift::gomod::{self, Strictness};
use std::io::Read;
use std::path::PathBuf;

/// Inputs larger than this are refused: cmd/go's own go.mod limit (modfetch.MaxGoMod) is 16 MiB,
/// and no real go.sum or modules.txt comes near it.
pub const MAX_INPUT: u64 = 16 << 20;

#[derive(Args, Debug)]
pub struct ParseArgs {
    /// The file: go.mod, go.work, go.sum or vendor/modules.txt (chosen by its name).
    pub file: PathBuf,
    /// strict: a main module's go.mod, as cmd/go reads it (modfile.Parse plus its retract
    /// checks); lax: a dependency's go.mod (modfile.ParseLax).
    #[arg(long, value_enum, default_value_t = StrictnessArg::Strict)]
    pub strictness: StrictnessArg,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StrictnessArg {
    Lax,
    Strict,
}

enum Kind {
    GoMod,
    GoWork,
    GoSum,
    ModulesTxt,
}

fn kind_of(name: &str) -> Option<Kind> {
    match name {
        "go.work" => Some(Kind::GoWork),
        "go.sum" | "go.work.sum" => Some(Kind::GoSum),
        "modules.txt" => Some(Kind::ModulesTxt),
        n if n == "go.mod" || n.ends_with(".mod") => Some(Kind::GoMod),
        _ => None,
    }
}

fn read_limited(path: &PathBuf) -> Result<Vec<u8>, String> {
    let f = std::fs::File::open(path).map_err(|e| format!("open {}: {}", path.display(), e))?;
    let mut data = Vec::new();
    f.take(MAX_INPUT + 1)
        .read_to_end(&mut data)
        .map_err(|e| format!("read {}: {}", path.display(), e))?;
    if data.len() as u64 > MAX_INPUT {
        return Err(format!(
            "{}: file too large (more than {MAX_INPUT} bytes)",
            path.display()
        ));
    }
    Ok(data)
}

pub fn run(args: &ParseArgs) -> i32 {
    match run_inner(args) {
        Ok(json) => {
            println!("{json}");
            EXIT_CLEAN
        }
        Err(msg) => {
            eprintln!("{msg}");
            EXIT_BAD_INPUT
        }
    }
}

fn to_json<T: serde::Serialize>(v: &T, pretty: bool) -> Result<String, String> {
    let r = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    };
    r.map_err(|e| format!("godrift: {e}"))
}

fn run_inner(args: &ParseArgs) -> Result<String, String> {
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let kind = kind_of(&name).ok_or_else(|| {
        format!(
            "godrift: {}: unknown file kind (want go.mod, go.work, go.sum or modules.txt)",
            args.file.display()
        )
    })?;
    let data = read_limited(&args.file).map_err(|e| format!("godrift: {e}"))?;
    // Errors name the file as given, as cmd/go does with its relative paths.
    let shown = args.file.display().to_string();
    match kind {
        Kind::GoMod => {
            let f = match args.strictness {
                StrictnessArg::Lax => gomod::parse_mod(&shown, &data, Strictness::Lax),
                StrictnessArg::Strict => gomod::parse_main_mod(&shown, &data),
            }
            .map_err(|e| e.to_string())?;
            to_json(&f, args.pretty)
        }
        Kind::GoWork => {
            let f = gomod::parse_work(&shown, &data).map_err(|e| e.to_string())?;
            to_json(&f, args.pretty)
        }
        Kind::GoSum | Kind::ModulesTxt => Err(format!(
            "godrift: {shown}: parsing go.sum and vendor/modules.txt is not available in this build yet"
        )),
    }
}
