//! vendor/modules.txt (`## workspace`, `# path version [=> new [v]]`, `## explicit; go 1.21`,
//! package lines, trailing replacement-only lines), read as cmd/go's readVendorList does:
//! lines Go does not understand are ignored, never errors. Also Go's vendor consistency
//! check against go.mod, with its messages.

use crate::gomod::{ModFile, ParseErrors};
use crate::module::{self, ModuleVersion};
use crate::semver;
use crate::span::Span;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ModulesTxt {
    /// `## workspace` at the top (vendored from a go.work workspace).
    pub workspace: bool,
    pub modules: Vec<VendoredModule>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VendoredModule {
    /// Path and version from the `# path version` line; version "" when the line has none
    /// (a replacement-only line such as `# a => ./a`).
    pub module: ModuleVersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<ModuleVersion>,
    /// `## explicit` annotation (the module is required in go.mod).
    pub explicit: bool,
    /// `## explicit; go 1.21` annotation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_version: Option<String>,
    /// Package import paths listed under the module.
    pub packages: Vec<String>,
    pub span: Span,
}

/// modulesTextIsForWorkspace on the file's data: its first line is an annotation line
/// (`## ...`, entries separated by `;`) with a `workspace` entry.
pub fn is_for_workspace(data: &[u8]) -> bool {
    // Go reads the first 512 bytes only.
    let data = &data[..data.len().min(512)];
    let first = data.split(|&b| b == b'\n').next().unwrap_or_default();
    first.strip_prefix(b"## ").is_some_and(|a| {
        a.split(|&b| b == b';')
            .any(|e| e.trim_ascii() == b"workspace")
    })
}

/// Parses vendor/modules.txt. Go ignores lines it does not understand, so this only
/// fails on nothing; the Result keeps the parser interface uniform.
pub fn parse_modules_txt(file_name: &str, data: &[u8]) -> Result<ModulesTxt, ParseErrors> {
    let _ = file_name;
    let text = String::from_utf8_lossy(data);
    let mut out = ModulesTxt::default();
    // Index into out.modules of the current module line, if any.
    let mut current: Option<usize> = None;
    // Module (path, version) → its index in out.modules: one lookup per `#` line.
    let mut index: std::collections::HashMap<ModuleVersion, usize> =
        std::collections::HashMap::new();
    let mut offset = 0;
    for line in text.split('\n') {
        let start = offset;
        offset += line.len() + 1;
        let span = Span::new(start, start + line.len());
        if start == 0 && is_for_workspace(line.as_bytes()) {
            out.workspace = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let _ = rest;
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 3 {
                continue;
            }
            let (module, tail) = if semver::is_valid(f[2]) {
                (ModuleVersion::new(f[1], f[2]), &f[3..])
            } else if f[2] == "=>" {
                (ModuleVersion::new(f[1], ""), &f[2..])
            } else {
                current = None;
                continue;
            };
            let mut replacement = None;
            if tail.len() >= 2 && tail[0] == "=>" {
                if tail.len() == 2 {
                    replacement = Some(ModuleVersion::new(tail[1], ""));
                } else if tail.len() == 3 && semver::is_valid(tail[2]) {
                    replacement = Some(ModuleVersion::new(tail[1], tail[2]));
                }
            }
            // The same module may appear twice (once for packages, once for a replacement):
            // merge into one entry, as Go's metadata map does.
            if let Some(&i) = index.get(&module) {
                if replacement.is_some() {
                    out.modules[i].replacement = replacement;
                }
                current = Some(i);
            } else {
                index.insert(module.clone(), out.modules.len());
                out.modules.push(VendoredModule {
                    module,
                    replacement,
                    explicit: false,
                    go_version: None,
                    packages: Vec::new(),
                    span,
                });
                current = Some(out.modules.len() - 1);
            }
            continue;
        }
        let Some(i) = current else {
            continue;
        };
        let m = &mut out.modules[i];
        if let Some(meta) = line.strip_prefix("## ") {
            for entry in meta.split(';') {
                let entry = entry.trim();
                if entry == "explicit" {
                    m.explicit = true;
                }
                if let Some(v) = entry.strip_prefix("go ") {
                    m.go_version = Some(v.trim().to_string());
                }
            }
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 1 && module::check_import_path(f[0]).is_ok() {
            m.packages.push(f[0].to_string());
        }
    }
    Ok(out)
}

impl ModulesTxt {
    /// Modules that provide packages (the vendored build list), in order.
    pub fn build_list(&self) -> impl Iterator<Item = &VendoredModule> {
        self.modules.iter().filter(|m| !m.packages.is_empty())
    }
}

fn describe(m: &ModuleVersion) -> String {
    m.to_string()
}

/// cmd/go's checkVendorConsistency for a single main module: the problems Go reports as
/// `go: inconsistent vendoring in DIR:` followed by one line per problem. Every lookup is
/// a map, so the check is linear in go.mod and modules.txt.
pub fn check_vendor_consistency(go_mod: &ModFile, txt: &ModulesTxt) -> Vec<String> {
    use std::collections::{HashMap, HashSet};
    let mut errs = Vec::new();
    let pre114 = go_mod.go.as_ref().is_none_or(|g| {
        semver::compare(&format!("v{}", g.version), "v1.14") == std::cmp::Ordering::Less
    });
    let by_module: HashMap<&ModuleVersion, &VendoredModule> =
        txt.modules.iter().rev().map(|m| (&m.module, m)).collect();
    let mut vendor_versions: HashMap<&str, &str> = HashMap::new();
    for m in txt.build_list() {
        let v = vendor_versions.entry(m.module.path.as_str()).or_insert("");
        if v.is_empty() || semver::compare(&m.module.version, v) == std::cmp::Ordering::Greater {
            *v = m.module.version.as_str();
        }
    }
    let vendor_version = |path: &str| vendor_versions.get(path).copied();
    let required: HashSet<&ModuleVersion> = go_mod.require.iter().map(|r| &r.module).collect();
    // The first replace of each exact module, and of each path without a version.
    let mut replace_exact: HashMap<&ModuleVersion, &crate::gomod::Replace> = HashMap::new();
    let mut replace_any: HashMap<&str, &crate::gomod::Replace> = HashMap::new();
    for r in &go_mod.replace {
        replace_exact.entry(&r.old).or_insert(r);
        if r.old.version.is_empty() {
            replace_any.entry(r.old.path.as_str()).or_insert(r);
        }
    }
    for r in &go_mod.require {
        let explicit = by_module.get(&r.module).is_some_and(|m| m.explicit);
        if explicit {
            continue;
        }
        if pre114 {
            if let Some(vv) = vendor_version(&r.module.path) {
                if vv != r.module.version {
                    errs.push(format!(
                        "{}: is explicitly required in go.mod, but vendor/modules.txt indicates {}@{}",
                        r.module, r.module.path, vv
                    ));
                }
            }
        } else {
            errs.push(format!(
                "{}: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt",
                r.module
            ));
        }
    }
    for r in &go_mod.replace {
        let vr = by_module.get(&r.old).and_then(|m| m.replacement.clone());
        match vr {
            None => {
                let skip = pre114
                    && (r.old.version.is_empty()
                        || vendor_version(&r.old.path) != Some(r.old.version.as_str()));
                if !skip {
                    errs.push(format!(
                        "{}: is replaced in go.mod, but not marked as replaced in vendor/modules.txt",
                        describe(&r.old)
                    ));
                }
            }
            Some(vr) if vr != r.new => errs.push(format!(
                "{}: is replaced by {} in go.mod, but marked as replaced by {} in vendor/modules.txt",
                describe(&r.old),
                describe(&r.new),
                describe(&vr)
            )),
            Some(_) => {}
        }
    }
    for m in txt.build_list() {
        if m.explicit && !required.contains(&m.module) {
            errs.push(format!(
                "{}: is marked as explicit in vendor/modules.txt, but not explicitly required in go.mod",
                m.module
            ));
        }
    }
    for m in txt.modules.iter().filter(|m| m.replacement.is_some()) {
        let in_go_mod = replace_exact
            .get(&m.module)
            .or_else(|| replace_any.get(m.module.path.as_str()));
        match in_go_mod {
            None => errs.push(format!(
                "{}: is marked as replaced in vendor/modules.txt, but not replaced in go.mod",
                describe(&m.module)
            )),
            Some(r) if Some(&r.new) != m.replacement.as_ref() => errs.push(format!(
                "{}: is marked as replaced by {} in vendor/modules.txt, but replaced by {} in go.mod",
                describe(&m.module),
                m.replacement.as_ref().map(describe).unwrap_or_default(),
                describe(&r.new)
            )),
            Some(_) => {}
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gomod::{parse_mod, Strictness};

    #[test]
    fn workspace_marker_is_read_as_go_reads_it() {
        // modulesTextIsForWorkspace: the first line's annotations, within 512 bytes.
        assert!(is_for_workspace(b"## workspace\n# a v1.0.0\n"));
        assert!(is_for_workspace(b"## explicit ; workspace\n"));
        assert!(!is_for_workspace(b"# a v1.0.0\n## workspace\n"));
        assert!(!is_for_workspace(b"##workspace\n"));
        let long = format!("## {};workspace\n", "x".repeat(600));
        assert!(!is_for_workspace(long.as_bytes()));
        assert!(
            parse_modules_txt("m", b"## workspace\n# a v1.0.0\na\n")
                .unwrap()
                .workspace
        );
        assert!(
            !parse_modules_txt("m", b"# a v1.0.0\n## workspace\na\n")
                .unwrap()
                .workspace
        );
    }

    #[test]
    fn reads_and_checks() {
        let txt = b"# example.com/a v1.0.0\n## explicit; go 1.21\nexample.com/a\nexample.com/a/sub\n# example.com/b v1.2.0 => ../b\nexample.com/b\n# example.com/c => ./c\n";
        let m = parse_modules_txt("vendor/modules.txt", txt).unwrap();
        assert_eq!(m.modules.len(), 3);
        assert!(m.modules[0].explicit);
        assert_eq!(m.modules[0].go_version.as_deref(), Some("1.21"));
        assert_eq!(
            m.modules[1].replacement,
            Some(ModuleVersion::new("../b", ""))
        );
        let go_mod = parse_mod(
            "go.mod",
            b"module m\ngo 1.21\nrequire example.com/a v1.0.0\nrequire example.com/b v1.2.0\nreplace example.com/b v1.2.0 => ../b\n",
            Strictness::Strict,
        )
        .unwrap();
        let errs = check_vendor_consistency(&go_mod, &m);
        assert_eq!(
            errs,
            vec![
                "example.com/b@v1.2.0: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt",
                "example.com/c: is marked as replaced in vendor/modules.txt, but not replaced in go.mod",
            ]
        );
    }
}
