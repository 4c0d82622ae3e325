//! Module paths and versions as golang.org/x/mod/module checks them: CheckPath,
//! CheckImportPath, CheckFilePath, SplitPathVersion, MatchPathMajor, escaping for the
//! module cache (`!x`), MatchPrefixPatterns. (Contract stub: the semver helper implements it.)

use serde::Serialize;

/// A module path at a version (`module.Version`). Version is "" for a local replacement target.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ModuleVersion {
    pub path: String,
    pub version: String,
}

impl ModuleVersion {
    pub fn new(path: impl Into<String>, version: impl Into<String>) -> Self {
        ModuleVersion {
            path: path.into(),
            version: version.into(),
        }
    }
}

impl std::fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.version.is_empty() {
            f.write_str(&self.path)
        } else {
            write!(f, "{}@{}", self.path, self.version)
        }
    }
}
