//! `godrift align`: applies the alignment proposals to go.mod files, changing only the
//! affected lines, atomically. Never touches the host unless `--allow-host`.

use super::report::write_atomically;
use super::{bad, Out, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use godrift::{project, rules};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct AlignArgs {
    /// Project directory (holding godrift.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Show the go.mod diffs without writing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also edit the host's go.mod (a deployed host usually cannot change).
    #[arg(long)]
    pub allow_host: bool,
    #[arg(long)]
    pub gomodcache: Option<PathBuf>,
}

pub fn run(args: &AlignArgs, out: Out) -> Result<i32> {
    let opts = super::project_options(args.gomodcache.as_deref(), true, None);
    let project = project::load(&args.dir, args.config.as_deref(), &opts).map_err(bad)?;
    let analysis = rules::run(&project);
    let mut wrote = 0;
    let mut skipped = Vec::new();
    // Several proposals may edit one go.mod: their edits are applied together, once.
    let mut per_file: Vec<(std::path::PathBuf, Vec<godrift::fixes::Edit>)> = Vec::new();
    for p in &analysis.proposals {
        for c in &p.changes {
            if c.artifact == "host" && !args.allow_host {
                skipped.push(format!(
                    "host: {} stays at {} (use --allow-host)",
                    p.module, c.from
                ));
                continue;
            }
            let Some(edits) = &c.edits else {
                skipped.push(format!(
                    "{}: {} ({})",
                    c.artifact,
                    p.module,
                    c.note.clone().unwrap_or_default()
                ));
                continue;
            };
            if let Some(d) = &c.diff {
                out.write_all(d.as_bytes())?;
            }
            match per_file.iter_mut().find(|(path, _)| *path == c.path) {
                Some((_, all)) => all.extend(edits.iter().cloned()),
                None => per_file.push((c.path.clone(), edits.clone())),
            }
        }
    }
    if !args.dry_run {
        for (path, edits) in &per_file {
            let text = godrift::fsio::read_input(path).map_err(bad)?;
            write_atomically(path, &godrift::fixes::apply_edits(&text, edits))?;
            wrote += 1;
        }
    }
    for s in &skipped {
        eprintln!("not changed: {s}");
    }
    if args.dry_run {
        return Ok(EXIT_CLEAN);
    }
    eprintln!("updated {wrote} go.mod file(s)");
    // Re-check: what is left after aligning.
    let after = rules::run(&project::load(&args.dir, args.config.as_deref(), &opts).map_err(bad)?);
    let left = after
        .findings
        .iter()
        .filter(|f| f.code == godrift::finding::Code::VersionConflict)
        .count();
    if left > 0 {
        eprintln!("{left} version conflict(s) remain");
        return Ok(EXIT_FINDINGS);
    }
    Ok(EXIT_CLEAN)
}
