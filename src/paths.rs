//! Lexical path operations as Go's path/filepath does them (no symlink resolution): every
//! directory godrift derives from a go.mod, go.work, godrift.toml or import path goes through
//! these, so paths read and compare as Go prints them.

use std::path::{Component, Path, PathBuf};

/// filepath.Clean: `.` dropped, `..` removing the previous element (kept at the start of a
/// relative path, dropped at the root), "" becoming ".".
pub fn clean(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_is_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_is_normal {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// filepath.Join of a directory and a relative (or absolute) path, cleaned.
pub fn join(dir: &Path, rel: impl AsRef<Path>) -> PathBuf {
    clean(&dir.join(rel))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_go_cleans() {
        // Cases from path/filepath's cleantests.
        for (i, want) in [
            ("", "."),
            ("abc/./def", "abc/def"),
            ("abc/../def", "def"),
            ("../../abc", "../../abc"),
            ("abc/../../def", "../def"),
            ("/../abc", "/abc"),
            ("/abc/def/../../..", "/"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("./abc/", "abc"),
            ("..", ".."),
            ("abc/..", "."),
        ] {
            assert_eq!(clean(Path::new(i)), PathBuf::from(want), "{i:?}");
        }
        assert_eq!(
            join(Path::new("/w/m1"), "../x/./y"),
            PathBuf::from("/w/x/y")
        );
        assert_eq!(join(Path::new("/"), "../x"), PathBuf::from("/x"));
        assert_eq!(
            join(Path::new("."), "plugins/*"),
            PathBuf::from("plugins/*")
        );
    }
}
