//! `godrift new-plugin NAME`: a plugin module that starts aligned with the host: its go.mod
//! pins the host's direct requirements at the host's versions and mirrors the host's
//! replace directives, so the first build already loads.

use super::{bad, Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::fixes::relative_dir;
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
}

pub fn run(args: &NewPluginArgs, out: Out) -> Result<i32> {
    let opts = project::Options::default();
    let p = project::load(&args.project, None, &opts).map_err(bad)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| p.root.join("plugins").join(&args.name));
    // Never overwrite what is there (symlink_metadata: a dangling link counts).
    for name in ["go.mod", "main.go"] {
        if std::fs::symlink_metadata(dir.join(name)).is_ok() {
            anyhow::bail!("{} already has a {name}", godrift::fsio::shown(&dir));
        }
    }
    godrift::fsio::create_dir_all(&dir)?;
    let host = &p.host;
    let module = args
        .module
        .clone()
        .unwrap_or_else(|| format!("{}/plugins/{}", host.module_path(), args.name));
    let mut gm = format!("module {module}\n\n");
    if let Some(g) = &host.go_mod.go {
        gm.push_str(&format!("go {}\n", g.version));
    }
    if let Some(t) = &host.go_mod.toolchain {
        gm.push_str(&format!("\ntoolchain {}\n", t.name));
    }
    let direct: Vec<_> = host.go_mod.require.iter().filter(|r| !r.indirect).collect();
    if !direct.is_empty() {
        gm.push_str(
            "\n// Pinned to the host's versions: shared modules must match exactly.\nrequire (\n",
        );
        for r in &direct {
            let v = host
                .build_list
                .get(&r.module.path)
                .map_or(r.module.version.as_str(), |m| m.module.version.as_str());
            gm.push_str(&format!("\t{} {v}\n", r.module.path));
        }
        gm.push_str(")\n");
    }
    if !host.go_mod.replace.is_empty() {
        gm.push_str("\n// Mirrors the host's replacements: the same source, or the hashes differ.\nreplace (\n");
        for r in &host.go_mod.replace {
            let old = if r.old.version.is_empty() {
                r.old.path.clone()
            } else {
                format!("{} {}", r.old.path, r.old.version)
            };
            let new = if r.is_local() {
                let target = host.dir.join(&r.new.path);
                relative_dir(&dir, &target)
            } else {
                format!("{} {}", r.new.path, r.new.version)
            };
            gm.push_str(&format!("\t{old} => {new}\n"));
        }
        gm.push_str(")\n");
    }
    let main = format!(
        "// Package main is the {name} plugin: build it with\n//\n//\tgo build -buildmode=plugin\n//\n// with the host's flags (see `godrift recipe`).\npackage main\n\n// Name is looked up by the host with plugin.Lookup.\nfunc Name() string {{ return {name:?} }}\n",
        name = args.name
    );
    godrift::fsio::write_file(&dir.join("go.mod"), gm.as_bytes())?;
    godrift::fsio::write_file(&dir.join("main.go"), main.as_bytes())?;
    writeln!(
        out,
        "created {} ({})",
        godrift::fsio::shown(&dir),
        godrift::text::line(&module)
    )?;
    Ok(EXIT_CLEAN)
}
