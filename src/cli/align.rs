//! `godrift align`: applies the alignment plan (`godrift::fixes::plan`): every edit to a
//! go.mod computed together and written once, format-preserving, with the go.sum lines the
//! new versions need (from the module cache). Never touches the host unless `--allow-host`.
//!
//! go.sum: lines are computed from the module cache (`.mod`, `.ziphash`); what the cache
//! lacks is named with the `go mod download` command that records it, and align exits 1
//! until that is done. `--tidy` runs `go mod tidy` (and `go mod vendor` in vendored modules)
//! in every changed plugin afterwards instead: it may drop pins of modules the plugin does
//! not use, which cannot matter for loading.

use super::{bad, Out, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::{Context, Result};
use godrift::fixes::{self, PlanOptions, SidePlan};
use godrift::{project, rules};
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct AlignArgs {
    /// Project directory (holding godrift.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print one unified diff per changed go.mod and go.sum (apply with `patch -p1` or
    /// `git apply` from the current directory) without writing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also edit the host's go.mod (a deployed host usually cannot change).
    #[arg(long)]
    pub allow_host: bool,
    /// After writing, run `go mod tidy` in each changed module, then `go mod vendor` (or
    /// `go work vendor` in a vendored workspace) where builds are vendored; needs `go` on
    /// PATH and may download what the module cache lacks.
    #[arg(long)]
    pub tidy: bool,
    #[arg(long, env = "GOMODCACHE")]
    pub gomodcache: Option<PathBuf>,
}

/// `path` relative to the current directory when it is below it (diff headers must be
/// relative for `patch -p1`), else as is.
fn shown(path: &Path, cwd: &Path) -> String {
    let canon = path
        .parent()
        .and_then(|d| d.canonicalize().ok())
        .map(|d| d.join(path.file_name().unwrap_or_default()))
        .unwrap_or_else(|| path.to_path_buf());
    canon
        .strip_prefix(cwd)
        .map(|r| r.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}

fn summary(p: &SidePlan) -> String {
    let moves: Vec<String> = p
        .steps
        .iter()
        .map(|s| format!("{} {} -> {}", s.module, s.from, s.to))
        .collect();
    moves.join(", ")
}

/// Refuses before writing anything when a file cannot be written, so a plan is never
/// half-applied.
fn check_writable(path: &Path) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if m.permissions().readonly() => Err(anyhow::Error::new(super::BadInput(format!(
            "{}: file is read-only; not changing it (nothing was written)",
            path.display()
        )))),
        _ => Ok(()),
    }
}

fn run_go(dir: &Path, args: &[&str]) -> Result<()> {
    let status = std::process::Command::new("go")
        .current_dir(dir)
        .args(args)
        .status()
        .with_context(|| {
            format!(
                "running `go {}` in {} (is go on PATH?)",
                args.join(" "),
                dir.display()
            )
        })?;
    if !status.success() {
        anyhow::bail!("`go {}` failed in {}", args.join(" "), dir.display());
    }
    Ok(())
}

pub fn run(args: &AlignArgs, out: Out) -> Result<i32> {
    let opts = super::project_options(args.gomodcache.as_deref(), true, None);
    let project = project::load(&args.dir, args.config.as_deref(), &opts).map_err(bad)?;
    let analysis = rules::run(&project);
    let plan = fixes::plan(&project, &analysis.findings, PlanOptions::align());
    let cwd = std::env::current_dir()?
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("."));
    let host = project.host.name.clone();
    let applied: Vec<&SidePlan> = plan
        .sides
        .iter()
        .filter(|p| p.artifact != host || args.allow_host)
        .collect();
    for p in plan
        .sides
        .iter()
        .filter(|p| p.artifact == host && !args.allow_host)
    {
        if p.changes_go_mod() {
            warnln!(
                "not changed: host ({}): {} (use --allow-host)",
                shown(&p.go_mod, &cwd),
                summary(p)
            );
        }
    }
    let mut unresolved = Vec::new();
    if !args.dry_run {
        for p in &applied {
            if p.changes_go_mod() {
                check_writable(&p.go_mod)?;
            }
            if let Some((path, _, _)) = p.go_sum.as_ref().filter(|_| p.changes_go_sum()) {
                check_writable(path)?;
            }
        }
    }
    let (mut mods, mut sums) = (0, 0);
    let mut changed_dirs = Vec::new();
    for p in &applied {
        if p.changes_go_mod() {
            let rel = shown(&p.go_mod, &cwd);
            if args.dry_run {
                out.write_all(fixes::unified_diff(&rel, Some(&p.old), &p.new).as_bytes())?;
            } else {
                godrift::fsio::write_file(&p.go_mod, p.new.as_bytes())?;
            }
            warnln!("{}: {rel}: {}", p.artifact, summary(p));
            mods += 1;
            changed_dirs.push(p.dir.clone());
        }
        if let Some((path, old, new)) = p.go_sum.as_ref().filter(|_| p.changes_go_sum()) {
            let rel = shown(path, &cwd);
            if args.dry_run {
                out.write_all(fixes::unified_diff(&rel, old.as_deref(), new).as_bytes())?;
            } else {
                godrift::fsio::write_file(path, new.as_bytes())?;
            }
            sums += 1;
        }
        for f in &p.forced {
            warnln!(
                "{}: {} stays at {}: its own requirements force it above the host's {} ({})",
                p.artifact,
                f.module,
                f.selected,
                f.want,
                f.via
            );
        }
        for n in &p.notes {
            warnln!("{}: {n}", p.artifact);
        }
        if !p.unresolved_sums.is_empty() {
            unresolved.push((p, fixes::sums::download_command(&p.dir, &p.unresolved_sums)));
        }
    }
    for prop in &plan.proposals {
        let Some(u) = &prop.host_upgrade else {
            continue;
        };
        if u.forced_by.is_empty() {
            continue;
        }
        let moves: Vec<String> = u
            .moves
            .iter()
            .map(|m| format!("{} {} -> {}", m.module, m.from, m.to))
            .collect();
        warnln!(
            "or rebuild the host with {}@{} (forced by {}): moves {}; plugins to align again after that: {}",
            prop.module,
            u.to,
            u.forced_by.join(", "),
            moves.join(", "),
            if u.affects.is_empty() {
                "none".to_string()
            } else {
                u.affects.join(", ")
            }
        );
    }
    let verb = if args.dry_run {
        "would update"
    } else {
        "updated"
    };
    warnln!("{verb} {mods} go.mod file(s) and {sums} go.sum file(s)");
    if args.dry_run {
        for (_, cmd) in &unresolved {
            warnln!("go.sum lines the module cache lacks: after applying, run {cmd}");
        }
        return Ok(EXIT_CLEAN);
    }
    if args.tidy {
        // A vendored side's vendor/ is rewritten where its builds read it: the module's
        // (`go mod vendor`), or the workspace's next to go.work (`go work vendor`, once).
        let mut vendors: Vec<(PathBuf, &str)> = Vec::new();
        for d in &changed_dirs {
            run_go(d, &["mod", "tidy"])?;
            let side = std::iter::once(&project.host)
                .chain(&project.plugins)
                .find(|s| s.dir == *d);
            if let Some(bl) = side.map(|s| &s.build_list).filter(|bl| bl.vendored) {
                let v = (bl.main_dir.clone(), bl.vendor_command());
                if !vendors.contains(&v) {
                    vendors.push(v);
                }
            }
        }
        for (dir, cmd) in &vendors {
            let words: Vec<&str> = cmd.split(' ').skip(1).collect();
            run_go(dir, &words)?;
        }
        unresolved.clear();
    }
    for (p, cmd) in &unresolved {
        warnln!(
            "{}: go.sum lacks {} line(s) the module cache cannot give ({}); until you run {cmd} (or `godrift align --tidy`), `go build` fails with `missing go.sum entry`",
            p.artifact,
            p.unresolved_sums.len(),
            p.unresolved_sums
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // Re-check: what is left of what align fixes.
    let after = rules::run(&project::load(&args.dir, args.config.as_deref(), &opts).map_err(bad)?);
    let left: Vec<_> = after
        .findings
        .iter()
        .filter(|f| fixes::fixable(f))
        .collect();
    for f in &left {
        warnln!("left: {} {}", f.code, f.message);
    }
    if !left.is_empty() {
        warnln!("{} finding(s) align fixes remain", left.len());
    }
    Ok(if left.is_empty() && unresolved.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}
