//! `godrift new-plugin NAME`: a plugin module that starts aligned with the host: its go.mod
//! pins every module of the host's build list the host's graph loads at the host's selected
//! version, mirrors the host's replace directives, and its go.sum holds the matching lines,
//! so the first build already loads (see `godrift::fixes::new_plugin`).

use super::{bad, Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::project;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct NewPluginArgs {
    /// Plugin name (its directory and the last element of its module path).
    pub name: String,
    /// Project directory (holding godrift.toml, or the host module).
    #[arg(long, default_value = ".")]
    pub project: PathBuf,
    /// Where to create the plugin (default: PROJECT/plugins/NAME).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Module path (default: HOST_MODULE/plugins/NAME).
    #[arg(long)]
    pub module: Option<String>,
    #[arg(long, env = "GOMODCACHE")]
    pub gomodcache: Option<PathBuf>,
}

pub fn run(args: &NewPluginArgs, out: Out) -> Result<i32> {
    godrift::fixes::validate_name(&args.name).map_err(bad)?;
    let opts = super::project_options(args.gomodcache.as_deref(), false, None);
    let p = project::load(&args.project, None, &opts).map_err(bad)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| p.root.join("plugins").join(&args.name));
    let module = args
        .module
        .clone()
        .unwrap_or_else(|| format!("{}/plugins/{}", p.host.module_path(), args.name));
    for f in ["go.mod", "main.go"] {
        if dir.join(f).exists() {
            return Err(bad(format!(
                "{}: already exists; not overwriting it",
                dir.join(f).display()
            )));
        }
    }
    let s = godrift::fixes::new_plugin(&p, &args.name, &module, &dir).map_err(bad)?;
    godrift::fsio::create_dir_all(&dir)?;
    godrift::fsio::write_file(&dir.join("go.mod"), s.go_mod.as_bytes())?;
    if let Some(sum) = &s.go_sum {
        godrift::fsio::write_file(&dir.join("go.sum"), sum.as_bytes())?;
    }
    godrift::fsio::write_file(&dir.join("main.go"), s.main_go.as_bytes())?;
    writeln!(
        out,
        "created {} ({module}): {} module(s) pinned at the host's versions, {} replacement(s) mirrored",
        dir.display(),
        s.pinned,
        s.replaced
    )?;
    if !s.unresolved_sums.is_empty() {
        warnln!(
            "go.sum lacks {} line(s) neither the host's go.sum nor the module cache has: run {}",
            s.unresolved_sums.len(),
            godrift::fixes::sums::download_command(&dir, &s.unresolved_sums)
        );
    }
    Ok(EXIT_CLEAN)
}
