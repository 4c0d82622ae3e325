//! GD026 glibc-too-new: the plugin needs glibc symbol versions its target may not have.
//!
//! - What: the plugin's `.gnu.version_r` asks for `GLIBC_x.y` above the target's glibc
//!   release (the ceiling, given with --glibc-ceiling or the contract's target.glibc), or,
//!   without a ceiling, above what the host itself needs.
//! - Why: dlopen fails with "LIB: version `GLIBC_2.34' not found (required by P)"
//!   (measured; the loader names the library by its path on the target). Without a ceiling
//!   the host proves only that its own versions exist there: a warning.
//! - Fix: build the plugin in the host's build image, or one with at most the target's glibc.

use super::binary::{LoaderVerdict, Refusal};
use crate::binary::loader::{Libc, LoaderInfo};
use crate::finding::{Code, Finding, Severity};

pub fn check(
    host: Option<&LoaderInfo>,
    plugin: &LoaderInfo,
    ceiling: Option<&str>,
    host_name: &str,
    name: &str,
    real: &str,
) -> LoaderVerdict {
    // A musl host: glibc's versions are not checked the same way (GD027 speaks of it).
    if host.is_some_and(|h| h.libc() == Libc::Musl) {
        return LoaderVerdict::Ok;
    }
    let Some(needs) = plugin.glibc_max() else {
        return LoaderVerdict::Ok;
    };
    let fix = format!(
        "build {name} where the host is built (its image), or with a glibc of at most {}: `objdump -T {name} | grep GLIBC_` lists what it needs",
        ceiling.map_or_else(|| "the target's".to_string(), |c| c.to_string())
    );
    if let Some(c) = ceiling {
        let Some((lib, version)) = plugin.glibc_above(c) else {
            return LoaderVerdict::Ok;
        };
        let mut f = Finding::new(
            Code::GlibcTooNew,
            Severity::Error,
            format!(
                "{name} needs {version} from {lib} (at most {needs} in all), but the host's target has glibc {c}: dlopen fails with \"version `{version}' not found\""
            ),
        );
        f.artifacts = vec![host_name.to_string(), name.to_string()];
        f.fix = Some(fix);
        return LoaderVerdict::Refused(Refusal {
            root_cause: format!(
                "{name} was linked against a newer glibc ({version}) than the target's {c}"
            ),
            // glibc names the library by the path it loaded it from on the target; the
            // soname stands for it here.
            dlerror: format!("{lib}: version `{version}' not found (required by {real})"),
            finding: f,
        });
    }
    let Some(host_max) = host.and_then(LoaderInfo::glibc_max) else {
        return LoaderVerdict::Ok;
    };
    let (Some(h), Some(p)) = (
        crate::binary::loader::glibc_version(host_max),
        crate::binary::loader::glibc_version(needs),
    ) else {
        return LoaderVerdict::Ok;
    };
    if p <= h {
        return LoaderVerdict::Ok;
    }
    let mut f = Finding::new(
        Code::GlibcTooNew,
        Severity::Warning,
        format!(
            "{name} needs {needs} but the host {host_name} needs at most {host_max}: it loads only where the target's glibc has {needs}; give the target's release (--glibc-ceiling, or target.glibc in the contract) to decide"
        ),
    );
    f.artifacts = vec![host_name.to_string(), name.to_string()];
    f.fix = Some(fix);
    LoaderVerdict::Warn(f)
}
