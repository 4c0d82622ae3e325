//! `godrift hook install`: a plain git pre-commit hook running `godrift report` (for teams
//! not using the pre-commit framework; see .pre-commit-hooks.yaml for those who do).

use super::{Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::fsio;
use std::path::PathBuf;

#[derive(clap::Subcommand, Debug)]
pub enum HookCommand {
    /// Write .git/hooks/pre-commit.
    Install {
        /// Repository directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Overwrite an existing pre-commit hook.
        #[arg(long)]
        force: bool,
    },
}

const HOOK: &str = "#!/bin/sh\n# Installed by `godrift hook install`: fail the commit on new Go plugin drift.\nchanged=$(git diff --cached --name-only | grep -E '(^|/)(go\\.mod|go\\.sum|go\\.work|modules\\.txt)$')\n[ -z \"$changed\" ] && exit 0\nif [ -f .godrift-baseline.json ]; then\n    exec godrift report --fail-on error --baseline .godrift-baseline.json\nfi\nexec godrift report --fail-on error\n";

pub fn run(cmd: &HookCommand, out: Out) -> Result<i32> {
    let HookCommand::Install { dir, force } = cmd;
    let mut d = dir.canonicalize().map_err(|e| fsio::FsError::io(dir, e))?;
    let git = loop {
        if d.join(".git").is_dir() {
            break d.join(".git");
        }
        if !d.pop() {
            anyhow::bail!("{} is not in a git repository", fsio::shown(dir));
        }
    };
    let hook = git.join("hooks/pre-commit");
    if std::fs::symlink_metadata(&hook).is_ok() && !force {
        anyhow::bail!("{} exists (use --force to replace it)", fsio::shown(&hook));
    }
    fsio::create_dir_all(&git.join("hooks"))?;
    fsio::write_file(&hook, HOOK.as_bytes())?;
    // Executable wherever it is readable (the writer kept an existing hook's mode, or gave
    // a new one the umask default, which has no execute bits).
    {
        use std::os::unix::fs::PermissionsExt;
        let io = |e| fsio::FsError::io(&hook, e);
        let mode = std::fs::metadata(&hook).map_err(io)?.permissions().mode();
        let exec = mode | ((mode & 0o444) >> 2);
        if exec != mode {
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(exec)).map_err(io)?;
        }
    }
    writeln!(out, "installed {}", fsio::shown(&hook))?;
    Ok(EXIT_CLEAN)
}
