//! Git hooks. `godrift hook install` writes a plain pre-commit hook (for teams not using the
//! pre-commit framework; .pre-commit-hooks.yaml serves those who do); both run
//! `godrift hook run`, which checks what is staged: the index is checked out into a temporary
//! directory (`git checkout-index`, honouring the GIT_INDEX_FILE git sets for the commit), and
//! `godrift report --fail-on error` runs there for each project directory, with the staged
//! `.godrift-baseline.json` when there is one.
//!
//! The hook goes where git runs hooks (`git rev-parse --git-path hooks`: `core.hooksPath`,
//! and a worktree's common directory); projects are recorded relative to the repository's top
//! level, so installing from several subprojects checks each of them.

use super::{Cli, Command, Out, EXIT_CLEAN};
use anyhow::{Context, Result};
use clap::Parser;
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand, Debug)]
pub enum HookCommand {
    /// Install a pre-commit hook (where git runs hooks) that checks the project in DIR.
    Install {
        /// Project directory (in a git repository).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Replace a pre-commit hook that godrift did not write.
        #[arg(long)]
        force: bool,
    },
    /// What the hooks run: `godrift report --fail-on error` on the staged state of each
    /// project (default: the current directory), only when a staged change can matter.
    Run {
        /// Project directories.
        dirs: Vec<PathBuf>,
        /// Check the working tree instead of the staged index.
        #[arg(long)]
        working_tree: bool,
        /// Check even when no staged file can change the verdict (pre-commit framework:
        /// its `files:` pattern already decided).
        #[arg(long)]
        always: bool,
    },
}

const MARKER: &str = "# Installed by `godrift hook install`";

/// Files whose change can move a verdict.
fn relevant(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(
        name,
        "go.mod"
            | "go.sum"
            | "go.work"
            | "go.work.sum"
            | "modules.txt"
            | "godrift.toml"
            | ".godrift-baseline.json"
    ) || path.split('/').any(|c| c == "vendor")
}

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .with_context(|| format!("running git {} (is git on PATH?)", args.join(" ")))?;
    if !out.status.success() {
        anyhow::bail!(
            "git {} in {}: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .trim_end_matches('\n')
        .to_string())
}

/// Single-quoted for sh.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn hook_script(godrift: &Path, projects: &[String]) -> String {
    let bin = sh_quote(&godrift.display().to_string());
    let mut s = format!(
        "#!/bin/sh\n{MARKER}: blocks a commit whose staged go.mod, go.sum,\n# go.work, vendor/ or godrift.toml changes make a Go plugin fail to load (`godrift report\n# --fail-on error` on the staged files, with .godrift-baseline.json when present).\n# Skip it once with `git commit --no-verify`.\nGODRIFT={bin}\n[ -x \"$GODRIFT\" ] || GODRIFT=$(command -v godrift) || GODRIFT=\nif [ -z \"$GODRIFT\" ]; then\n\techo \"godrift pre-commit hook: the godrift binary is gone (it was \"{bin}\" and none is on PATH).\" >&2\n\techo \"Install godrift again, delete $0, or skip the check once with: git commit --no-verify\" >&2\n\texit 1\nfi\nexec \"$GODRIFT\" hook run"
    );
    for p in projects {
        s.push_str(&format!(" \\\n\t{}", sh_quote(p)));
    }
    s.push('\n');
    s
}

/// The projects an existing godrift hook checks (its `hook run` arguments).
fn hook_projects(script: &str) -> Vec<String> {
    script
        .lines()
        .skip_while(|l| !l.contains("hook run"))
        .skip(1)
        .filter_map(|l| {
            let t = l.trim().trim_end_matches('\\').trim();
            let inner = t.strip_prefix('\'')?.strip_suffix('\'')?;
            Some(inner.replace("'\\''", "'"))
        })
        .collect()
}

fn install(dir: &Path, force: bool, out: Out) -> Result<i32> {
    let dir = dir
        .canonicalize()
        .with_context(|| format!("{}", dir.display()))?;
    let top = git(&dir, &["rev-parse", "--show-toplevel"])
        .with_context(|| format!("{} is not in a git work tree", dir.display()))?;
    let prefix = git(&dir, &["rev-parse", "--show-prefix"])?;
    let project = match prefix.trim_end_matches('/') {
        "" => ".".to_string(),
        p => p.to_string(),
    };
    // core.hooksPath and worktrees: where git looks for hooks, relative to `dir`.
    let hooks = dir.join(git(&dir, &["rev-parse", "--git-path", "hooks"])?);
    let hook = hooks.join("pre-commit");
    let mut projects = Vec::new();
    if let Some(old) = godrift::fsio::read_optional(&hook)? {
        let old = String::from_utf8_lossy(&old);
        if old.contains(MARKER) {
            projects = hook_projects(&old);
        } else if !force {
            anyhow::bail!(
                "{} exists and godrift did not write it (use --force to replace it)",
                hook.display()
            );
        }
    }
    if !projects.contains(&project) {
        projects.push(project.clone());
    }
    let exe = std::env::current_exe()
        .and_then(|e| e.canonicalize())
        .unwrap_or_else(|_| PathBuf::from("godrift"));
    std::fs::create_dir_all(&hooks)?;
    let hooks = hooks.canonicalize().unwrap_or(hooks);
    let hook = hooks.join("pre-commit");
    godrift::fsio::write_file(&hook, hook_script(&exe, &projects).as_bytes())?;
    {
        use std::os::unix::fs::PermissionsExt;
        let target = hook.canonicalize().unwrap_or(hook.clone());
        let mode = std::fs::metadata(&target)?.permissions().mode();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode | 0o111))?;
    }
    writeln!(
        out,
        "installed {} (checks {} in {top})",
        hook.display(),
        projects.join(", ")
    )?;
    Ok(EXIT_CLEAN)
}

fn run_hook(dirs: &[PathBuf], working_tree: bool, always: bool, out: Out) -> Result<i32> {
    let cwd = std::env::current_dir()?;
    let dirs: Vec<PathBuf> = if dirs.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        dirs.to_vec()
    };
    let top = git(&cwd, &["rev-parse", "--show-toplevel"]).ok();
    let (root, rels, _tmp) = match &top {
        None => (cwd.clone(), dirs.clone(), None),
        Some(top) => {
            let top = PathBuf::from(top).canonicalize()?;
            let mut rels = Vec::new();
            for d in &dirs {
                let abs = cwd
                    .join(d)
                    .canonicalize()
                    .with_context(|| format!("{}", d.display()))?;
                let rel = abs.strip_prefix(&top).map_err(|_| {
                    anyhow::anyhow!(
                        "{} is outside the repository {}",
                        d.display(),
                        top.display()
                    )
                })?;
                rels.push(rel.to_path_buf());
            }
            if !always {
                let staged = git(&top, &["diff", "--cached", "--name-only", "-z"])?;
                if !staged.split('\0').any(relevant) {
                    return Ok(EXIT_CLEAN);
                }
            }
            if working_tree {
                (top, rels, None)
            } else {
                let tmp = tempfile::Builder::new()
                    .prefix("godrift-staged-")
                    .tempdir()?;
                let prefix = format!("--prefix={}/", tmp.path().display());
                git(&top, &["checkout-index", "--all", "--force", &prefix])?;
                (tmp.path().to_path_buf(), rels, Some(tmp))
            }
        }
    };
    let what = if top.is_some() && !working_tree {
        "staged"
    } else {
        "working tree of"
    };
    let mut code = EXIT_CLEAN;
    for rel in &rels {
        let project = root.join(rel);
        let mut argv: Vec<String> = vec![
            "godrift".into(),
            "report".into(),
            project.display().to_string(),
            "--fail-on".into(),
            "error".into(),
            "--quiet".into(),
        ];
        let baseline = project.join(".godrift-baseline.json");
        if baseline.is_file() {
            argv.push("--baseline".into());
            argv.push(baseline.display().to_string());
        }
        let shown = if rel.as_os_str().is_empty() {
            ".".to_string()
        } else {
            rel.display().to_string()
        };
        warnln!(
            "godrift: checking the {what} {shown}{}",
            if baseline.is_file() {
                " (with .godrift-baseline.json)"
            } else {
                ""
            }
        );
        let cli = Cli::try_parse_from(&argv)?;
        let Command::Report(args) = cli.command else {
            unreachable!("parsed a report command");
        };
        code = code.max(super::report::run(&args, cli.color, out)?);
    }
    if code != EXIT_CLEAN {
        warnln!("godrift: commit blocked: a plugin would fail to load (see above). Fix it (`godrift align`), accept it (`godrift report --write-baseline .godrift-baseline.json`), or skip once with `git commit --no-verify`.");
    }
    Ok(code)
}

pub fn run(cmd: &HookCommand, out: Out) -> Result<i32> {
    match cmd {
        HookCommand::Install { dir, force } => install(dir, *force, out),
        HookCommand::Run {
            dirs,
            working_tree,
            always,
        } => run_hook(dirs, *working_tree, *always, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_round_trip_their_projects() {
        let s = hook_script(
            Path::new("/opt/it's/godrift"),
            &[".".into(), "sub/p q".into()],
        );
        assert_eq!(hook_projects(&s), vec![".", "sub/p q"]);
        assert!(s.contains("GODRIFT='/opt/it'\\''s/godrift'"), "{s}");
        assert!(relevant("a/vendor/x/y.go") && relevant("go.sum") && !relevant("main.go"));
    }
}
