//! The few semver / module-path rules the go.mod parser needs (semver.Canonical, Major, Build;
//! module.CanonicalVersion, SplitPathVersion, CheckPathMajor), delegating to `crate::semver` and
//! `crate::module`, plus modfile's checkCanonicalVersion.

use crate::module;

/// semver.Major: "v2" for "v2.1.0", "" when invalid.
pub(crate) fn major(v: &str) -> String {
    crate::semver::major(v)
}

/// module.CanonicalVersion: semver.Canonical, keeping `+incompatible`. "" when invalid.
pub(crate) fn canonical_version(v: &str) -> String {
    module::canonical_version(v)
}

/// module.SplitPathVersion: (prefix, pathMajor, ok).
pub(crate) fn split_path_version(path: &str) -> (&str, &str, bool) {
    module::split_path_version(path)
}

/// module.CheckPathMajor; the error is the InvalidVersionError message.
pub(crate) fn check_path_major(v: &str, path_major: &str) -> Result<(), String> {
    module::check_path_major(v, path_major).map_err(|e| e.to_string())
}

/// module.InvalidVersionError text (`pseudo-version` noun omitted: not produced here).
pub(crate) fn invalid_version(v: &str, msg: &str) -> String {
    format!("version {} invalid: {msg}", super::quote::quote(v))
}

/// modfile's checkCanonicalVersion (used by AddExclude/AddRetract): the error text.
pub fn check_canonical_version(path: &str, vers: &str) -> Result<(), String> {
    let (_, pm, pm_ok) = split_path_version(path);
    if vers.is_empty() || vers != canonical_version(vers) {
        if pm.is_empty() {
            return Err(invalid_version(vers, "must be of the form v1.2.3"));
        }
        let prefix = module::path_major_prefix(pm).unwrap_or_default();
        return Err(invalid_version(
            vers,
            &format!("must be of the form {prefix}.2.3"),
        ));
    }
    if pm_ok {
        if let Err(e) = check_path_major(vers, pm) {
            if pm.is_empty() {
                return Err(invalid_version(
                    vers,
                    &format!(
                        "should be {vers}+incompatible (or module {path}/{})",
                        major(vers)
                    ),
                ));
            }
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical() {
        assert_eq!(canonical_version("v1.2"), "v1.2.0");
        assert_eq!(canonical_version("v1"), "v1.0.0");
        assert_eq!(canonical_version("v1.2.3-pre+meta"), "v1.2.3-pre");
        assert_eq!(
            canonical_version("v2.0.0+incompatible"),
            "v2.0.0+incompatible"
        );
        assert_eq!(canonical_version("1.2.3"), "");
        assert_eq!(canonical_version("v1.2-pre"), "");
        assert_eq!(canonical_version("v01.2.3"), "");
        assert_eq!(canonical_version("v1.2.3-01"), "");
    }

    #[test]
    fn split() {
        assert_eq!(split_path_version("a.com/x/v2"), ("a.com/x", "/v2", true));
        assert_eq!(split_path_version("a.com/x/v1"), ("a.com/x/v1", "", false));
        assert_eq!(
            split_path_version("gopkg.in/yaml.v2"),
            ("gopkg.in/yaml", ".v2", true)
        );
        assert_eq!(
            split_path_version("gopkg.in/yaml"),
            ("gopkg.in/yaml", "", false)
        );
    }
}
