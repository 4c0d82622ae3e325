//! GD027 unexpected-library: the plugin needs a shared library its target may not have.
//!
//! - What: a plugin built against musl (`libc.musl-*.so.1`, Alpine) for a glibc host, a
//!   soname of glibc's libraries glibc does not ship (`libc.so.9`), a glibc plugin for a
//!   musl host, or a DT_NEEDED library the host does not load itself.
//! - Why: dlopen loads every needed library first; a missing one gives "LIB: cannot open
//!   shared object file: No such file or directory" (measured with glibc, tests/loader.rs).
//!   musl's loader maps glibc's library names to itself, but glibc-only symbols then fail
//!   to relocate: a warning, as is a library the target must provide.
//! - Fix: build the plugin with the host's C library; install or statically link the rest.

use super::binary::{LoaderVerdict, Refusal};
use crate::binary::loader::{Libc, LoaderInfo};
use crate::finding::{Code, Finding, Severity};

/// Libraries of the C library itself: present wherever that C library is.
fn part_of_libc(lib: &str, libc: Libc) -> bool {
    const GLIBC: &[&str] = &[
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libresolv.so.2",
        "libutil.so.1",
        "libanl.so.1",
    ];
    match libc {
        Libc::Glibc => GLIBC.contains(&lib) || lib.starts_with("ld-linux"),
        Libc::Musl => {
            lib.starts_with("libc.musl-") || lib.starts_with("ld-musl") || lib == "libc.so"
        }
        Libc::Unknown => false,
    }
}

/// A soname of glibc's own libraries at another version (`libc.so.9`): glibc ships only its
/// exact sonames, so the loader cannot find it.
fn foreign_glibc_soname(lib: &str) -> bool {
    const GLIBC_STEMS: &[&str] = &[
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libresolv.so.2",
        "libutil.so.1",
        "libanl.so.1",
    ];
    GLIBC_STEMS.iter().any(|g| {
        let stem = &g[..g.find(".so.").map_or(g.len(), |i| i + 4)];
        lib.starts_with(stem) && lib != *g
    })
}

fn is_musl_lib(lib: &str) -> bool {
    lib.starts_with("libc.musl-") || lib.starts_with("ld-musl")
}

pub fn check(
    host: &LoaderInfo,
    plugin: &LoaderInfo,
    host_name: &str,
    name: &str,
) -> Vec<LoaderVerdict> {
    let host_libc = host.libc();
    let mut out = Vec::new();
    if host_libc == Libc::Glibc {
        if let Some(lib) = plugin
            .needed
            .iter()
            .find(|l| is_musl_lib(l) || foreign_glibc_soname(l))
        {
            let musl = is_musl_lib(lib);
            let mut f = Finding::new(
                Code::UnexpectedLibrary,
                Severity::Error,
                if musl {
                    format!("{name} is linked against musl ({lib}) but the host {host_name} against glibc: a glibc system has no {lib}, so dlopen fails")
                } else {
                    format!("{name} needs {lib}, which no glibc system has (glibc's library of that name has another soname version), so dlopen fails")
                },
            );
            f.artifacts = vec![host_name.to_string(), name.to_string()];
            f.fix = Some(format!("build {name} with the host's C library (glibc: the host's build image, not Alpine)"));
            out.push(LoaderVerdict::Refused(Refusal {
                root_cause: if musl {
                    format!("{name} was built against musl, the host against glibc")
                } else {
                    format!("{name} needs {lib}, which glibc does not provide")
                },
                dlerror: format!(
                    "{lib}: cannot open shared object file: No such file or directory"
                ),
                finding: f,
            }));
            return out;
        }
    }
    if host_libc == Libc::Musl && plugin.libc() == Libc::Glibc {
        let mut f = Finding::new(
            Code::UnexpectedLibrary,
            Severity::Warning,
            format!("{name} is linked against glibc but the host {host_name} against musl: musl's loader stands in for glibc's libraries, but glibc-only symbols fail to relocate"),
        );
        f.artifacts = vec![host_name.to_string(), name.to_string()];
        f.fix = Some(format!(
            "build {name} with the host's C library (musl: the host's Alpine build image)"
        ));
        out.push(LoaderVerdict::Warn(f));
        return out;
    }
    let libc = if host_libc == Libc::Unknown {
        plugin.libc()
    } else {
        host_libc
    };
    let extra: Vec<&str> = plugin
        .needed
        .iter()
        .filter(|l| !host.needed.contains(l) && !part_of_libc(l, libc))
        .map(String::as_str)
        .collect();
    if !extra.is_empty() {
        let mut f = Finding::new(
            Code::UnexpectedLibrary,
            Severity::Warning,
            format!(
                "{name} needs {}, which the host {host_name} does not load: every machine the host runs on must have {}",
                extra.join(", "),
                if extra.len() == 1 { "it" } else { "them" }
            ),
        );
        f.artifacts = vec![host_name.to_string(), name.to_string()];
        f.fix = Some("install the libraries on the target (the host's image), or link them statically into the plugin".into());
        out.push(LoaderVerdict::Warn(f));
    }
    out
}
