//! `godrift hook install`: a plain git pre-commit hook running `godrift report` (for teams
//! not using the pre-commit framework; see .pre-commit-hooks.yaml for those who do).

use super::report::write_atomically;
use super::{Out, EXIT_CLEAN};
use anyhow::Result;
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
    let mut d = dir.canonicalize()?;
    let git = loop {
        if d.join(".git").is_dir() {
            break d.join(".git");
        }
        if !d.pop() {
            anyhow::bail!("{} is not in a git repository", dir.display());
        }
    };
    let hook = git.join("hooks/pre-commit");
    if hook.exists() && !force {
        anyhow::bail!("{} exists (use --force to replace it)", hook.display());
    }
    std::fs::create_dir_all(git.join("hooks"))?;
    write_atomically(&hook, HOOK.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))?;
    }
    writeln!(out, "installed {}", hook.display())?;
    Ok(EXIT_CLEAN)
}
