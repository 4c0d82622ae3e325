//! `godrift init`: writes a starter godrift.toml (never overwriting without --force).

use super::{Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::{config, fsio};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Project directory.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Host module directory, relative to DIR.
    #[arg(long, default_value = ".")]
    pub host: String,
    /// Plugin directory glob(s), relative to DIR.
    #[arg(long = "plugins", default_values_t = vec!["plugins/*".to_string()])]
    pub plugins: Vec<String>,
    /// Overwrite an existing godrift.toml.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: &InitArgs, out: Out) -> Result<i32> {
    let path = args.dir.join(config::FILE_NAME);
    // symlink_metadata: a dangling symlink is something that exists too.
    if std::fs::symlink_metadata(&path).is_ok() && !args.force {
        anyhow::bail!("{} exists (use --force to overwrite)", fsio::shown(&path));
    }
    let text = config::starter(&args.host, &args.plugins);
    fsio::write_file(&path, text.as_bytes())?;
    writeln!(out, "wrote {}", fsio::shown(&path))?;
    Ok(EXIT_CLEAN)
}
