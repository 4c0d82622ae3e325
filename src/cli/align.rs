//! `godrift align`: applies the alignment proposals to go.mod files, changing only the
//! affected lines, atomically. Never touches the host unless `--allow-host`.

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
    #[arg(long, env = "GOMODCACHE")]
    pub gomodcache: Option<PathBuf>,
}

pub fn run(args: &AlignArgs, out: Out) -> Result<i32> {
    let opts = super::project_options(args.gomodcache.as_deref(), true, None);
    let project = project::load(&args.dir, args.config.as_deref(), &opts).map_err(bad)?;
    let analysis = rules::run(&project);
    let mut wrote = 0;
    let mut skipped = Vec::new();
    // Several proposals may edit one go.mod: apply them in sequence on fresh loads.
    for p in &analysis.proposals {
        for c in &p.changes {
            if c.artifact == "host" && !args.allow_host {
                skipped.push(format!(
                    "host: {} stays at {} (use --allow-host)",
                    p.module, c.from
                ));
                continue;
            }
            let Some(new) = &c.new_text else {
                skipped.push(format!(
                    "{}: {} ({})",
                    c.artifact,
                    p.module,
                    c.note.clone().unwrap_or_default()
                ));
                continue;
            };
            if let Some(d) = &c.diff {
                out.write_all(godrift::text::block(d).as_bytes())?;
            }
            if !args.dry_run {
                godrift::fsio::write_file(&c.path, new.as_bytes())?;
                wrote += 1;
            }
        }
    }
    for s in &skipped {
        super::warn(&format!("not changed: {s}"));
    }
    if args.dry_run {
        return Ok(EXIT_CLEAN);
    }
    super::warn(&format!("updated {wrote} go.mod file(s)"));
    // Re-check: what is left after aligning.
    let after = rules::run(&project::load(&args.dir, args.config.as_deref(), &opts).map_err(bad)?);
    let left = after
        .findings
        .iter()
        .filter(|f| f.code == godrift::finding::Code::VersionConflict)
        .count();
    if left > 0 {
        super::warn(&format!("{left} version conflict(s) remain"));
        return Ok(EXIT_FINDINGS);
    }
    Ok(EXIT_CLEAN)
}
