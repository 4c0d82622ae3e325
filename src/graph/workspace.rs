//! Workspaces: finding the go.work that governs a directory (modload.FindGoWork,
//! findWorkspaceFile) and reading it with its `use`d modules (LoadWorkFile,
//! makeMainModules), whose graph is loaded with workspace pruning.

use super::main_modules::{MainModule, MainModules};
use super::GraphError;
use crate::goenv::GoWork;
use crate::gomod::{self, Strictness, WorkFile};
use crate::paths::{clean, join as clean_join};
use crate::semver::gover;
use std::path::{Path, PathBuf};

/// The go.work governing `dir`: GOWORK's file when set (`off` disables workspaces), else
/// the first go.work in `dir` or a parent, not crossing into GOROOT (findWorkspaceFile).
pub fn find_go_work(
    dir: &Path,
    setting: &GoWork,
    goroot: Option<&Path>,
) -> Result<Option<PathBuf>, GraphError> {
    match setting {
        GoWork::Off => return Ok(None),
        GoWork::File(p) => return Ok(Some(p.clone())),
        GoWork::Invalid(_) => {
            return Err(GraphError::Go(
                "go: invalid GOWORK: not an absolute path".to_string(),
            ))
        }
        GoWork::Auto => {}
    }
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let mut d = clean(&abs);
    loop {
        let f = d.join("go.work");
        if std::fs::metadata(&f).is_ok_and(|m| !m.is_dir()) {
            return Ok(Some(f));
        }
        let Some(parent) = d.parent().map(Path::to_path_buf) else {
            return Ok(None);
        };
        if Some(parent.as_path()) == goroot {
            // Go does not cross GOROOT to find a go.work.
            return Ok(None);
        }
        d = parent;
    }
}

/// A go.work file with its used modules read and checked.
pub(crate) struct Workspace {
    pub work: WorkFile,
    pub mains: MainModules,
}

/// Reads `work_path` and the go.mod of each module it uses.
pub(crate) fn read_workspace(work_path: &Path) -> Result<Workspace, GraphError> {
    let work_dir = work_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let data = crate::fsio::read_input(work_path)?;
    let work = gomod::parse_work(&work_path.display().to_string(), &data)?;
    let mut modules = Vec::with_capacity(work.use_.len());
    let mut too_old = Vec::new();
    // gover.FromGoWork: a go.work without a go line means go 1.18.
    let work_go = work.go.as_ref().map_or("1.18", |g| g.version.as_str());
    for u in &work.use_ {
        let dir = clean_join(&work_dir, &u.path);
        let gm = dir.join("go.mod");
        let file = gomod::parse_mod(
            &gm.display().to_string(),
            &crate::fsio::read_input(&gm)?,
            Strictness::Strict,
        )?;
        let path = file
            .module
            .as_ref()
            .map(|d| d.path.clone())
            .unwrap_or_default();
        // loadModFile refuses a workspace whose go line is older than a module's.
        let mod_go = file
            .go
            .as_ref()
            .map_or(gover::DEFAULT_GO_VERSION, |g| g.version.as_str());
        if gover::compare(mod_go, work_go).is_gt() && gover::compare(mod_go, "1.21").is_ge() {
            let verb = if work.go.is_some() {
                "lists"
            } else {
                "implicitly requires"
            };
            too_old.push(format!(
                "go: module {} listed in go.work file requires go >= {mod_go}, but go.work {verb} go {work_go}; to update it:\n\tgo work use",
                clean(Path::new(&u.path)).display()
            ));
        }
        modules.push(MainModule { path, dir, file });
    }
    if !too_old.is_empty() {
        return Err(GraphError::Go(too_old.join("\n")));
    }
    let mains = MainModules::workspace(&work_dir, modules, &work.replace)?;
    Ok(Workspace { work, mains })
}
