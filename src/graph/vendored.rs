//! Vendor mode (`-mod=vendor`): the build list vendor/modules.txt records, for one main
//! module (`go mod vendor`, vendor/ in the module) or a workspace (`go work vendor`,
//! vendor/ next to go.work), and Go's check of modules.txt against the main modules
//! (cmd/go's modload: modulesTextIsForWorkspace, readVendorList, checkVendorConsistency).

use super::main_modules::{From, MainModules};
use super::{BuildList, GraphError, ParsedModulesTxt, Replacement, SelectedModule};
use crate::gomod::WorkFile;
use crate::module::ModuleVersion;
use crate::vendor::{self, ModulesTxt, VendoredModule};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// modulesTextIsForWorkspace: whether `vendor_dir`/modules.txt was written by `go work
/// vendor`. A missing modules.txt is not (Go then still uses the vendor directory).
pub(crate) fn modules_txt_is_for_workspace(vendor_dir: &Path) -> Result<bool, GraphError> {
    let path = vendor_dir.join("modules.txt");
    match crate::fsio::read_optional(&path) {
        Ok(data) => Ok(data.is_some_and(|d| vendor::is_for_workspace(&d))),
        Err(e) => Err(GraphError::Go(format!(
            "go: reading modules.txt for vendor directory: {e}"
        ))),
    }
}

/// The build list of vendor mode: the modules vendor/modules.txt lists packages for, under
/// `main_dir` (the module's directory, or the workspace's when `work` is its go.work).
/// readVendorList reads a missing modules.txt as empty; the consistency check then says
/// what is missing.
pub(crate) fn build_list(
    mains: &MainModules,
    main_dir: &Path,
    work: Option<&WorkFile>,
) -> Result<BuildList, GraphError> {
    let txt_path = main_dir.join("vendor/modules.txt");
    let data = crate::fsio::read_optional(&txt_path)?.unwrap_or_default();
    let txt = vendor::parse_modules_txt(&txt_path.display().to_string(), &data)?;
    let first = &mains.modules[0].file;
    let (go_version, toolchain) = match work {
        Some(w) => (&w.go, &w.toolchain),
        None => (&first.go, &first.toolchain),
    };
    let direct = mains.direct();
    let mut modules: Vec<SelectedModule> = txt
        .build_list()
        .map(|v| SelectedModule {
            module: v.module.clone(),
            replace: mains.shown_replacement(&v.module),
            direct: direct.contains(v.module.path.as_str()),
            root: false,
        })
        .collect();
    modules.sort_by(|a, b| a.module.path.cmp(&b.module.path));
    modules.dedup_by(|a, b| a.module.path == b.module.path);
    let problems = match work {
        None => vendor::check_vendor_consistency(first, &txt),
        Some(w) => workspace_problems(mains, main_dir, w, &txt),
    };
    let mut list = BuildList {
        go_version: go_version.as_ref().map(|g| g.version.clone()),
        toolchain: toolchain.as_ref().map(|t| t.name.clone()),
        vendored: true,
        ..BuildList::of_modules(
            mains.modules.iter().map(|m| m.path.clone()).collect(),
            main_dir.to_path_buf(),
            mains.modules.iter().map(|m| m.dir.clone()).collect(),
            modules,
        )
    };
    list.index_why();
    list.modules_txt = Some(ParsedModulesTxt {
        txt: Arc::new(txt),
        problems,
    });
    Ok(list)
}

/// checkVendorConsistency in workspace mode: every main module's requirements are marked
/// explicit; every replacement in a go.mod or go.work is recorded as the workspace resolves
/// it (canonicalizeReplacePath: relative to the workspace); every module marked explicit is
/// required by some main module, and every module marked replaced is replaced. Files are
/// named relative to the workspace directory (Go names them relative to where it runs).
fn workspace_problems(
    mains: &MainModules,
    work_dir: &Path,
    work: &WorkFile,
    txt: &ModulesTxt,
) -> Vec<String> {
    let meta: HashMap<&ModuleVersion, &VendoredModule> =
        txt.modules.iter().map(|m| (&m.module, m)).collect();
    let mut errs = Vec::new();
    for m in &mains.modules {
        for r in &m.file.require {
            if !meta.get(&r.module).is_some_and(|v| v.explicit) {
                errs.push(format!(
                    "{}: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt",
                    r.module
                ));
            }
        }
    }
    let short = |p: &Path| {
        p.strip_prefix(work_dir)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| p.display().to_string())
    };
    let source = |from: From| match from {
        From::Top => "go.work".to_string(),
        From::Module(i) => short(&mains.modules[i].dir.join("go.mod")),
    };
    let mut seen: HashSet<&ModuleVersion> = HashSet::new();
    let replaces = mains
        .modules
        .iter()
        .flat_map(|m| m.file.replace.iter())
        .chain(work.replace.iter());
    for r in replaces {
        if !seen.insert(&r.old) {
            continue;
        }
        let resolved = mains.replacement(&r.old);
        let canonical = mains.shown_replacement(&r.old).map(|s| match s {
            Replacement::Dir { path, .. } => ModuleVersion::new(path, ""),
            Replacement::Module { module } => module,
        });
        let recorded = meta.get(&r.old).and_then(|m| m.replacement.as_ref());
        match (recorded, canonical, resolved) {
            (None, Some(_), Some((_, from))) => errs.push(format!(
                "{}: is replaced in {}, but not marked as replaced in vendor/modules.txt",
                r.old,
                source(from)
            )),
            (Some(vr), Some(c), Some((new, from))) if *vr != c => errs.push(format!(
                "{}: is replaced by {} in {}, but marked as replaced by {} in vendor/modules.txt",
                r.old,
                new,
                source(from),
                vr
            )),
            _ => {}
        }
    }
    let required: HashSet<&ModuleVersion> = mains
        .modules
        .iter()
        .flat_map(|m| m.file.require.iter().map(|r| &r.module))
        .collect();
    for m in txt.build_list().filter(|m| m.explicit) {
        if !required.contains(&m.module) {
            errs.push(format!(
                "{}: is marked as explicit in vendor/modules.txt, but not explicitly required in a go.mod",
                m.module
            ));
        }
    }
    for m in txt.modules.iter().filter(|m| m.replacement.is_some()) {
        if mains.replacement(&m.module).is_none() {
            errs.push(format!(
                "{}: is marked as replaced in vendor/modules.txt, but not replaced in the workspace",
                m.module
            ));
        }
    }
    errs
}
