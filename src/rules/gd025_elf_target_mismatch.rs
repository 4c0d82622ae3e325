//! GD025 elf-target-mismatch: the plugin is built for another ELF class or machine.
//!
//! - What: ELFCLASS32 vs ELFCLASS64, or another `e_machine` (amd64 vs arm64), or another
//!   byte order, between the host and the plugin.
//! - Why: glibc's loader refuses the file before Go's runtime sees it (open_verify):
//!   measured, another class gives "P: wrong ELF class: ELFCLASS32"; another machine gives
//!   "P: cannot open shared object file: No such file or directory", naming the plugin
//!   (open_verify's close_and_out sets ENOENT); another byte order gives "ELF file data
//!   encoding not little-endian".
//! - Fix: build the plugin with the host's GOOS/GOARCH.

use super::binary::{LoaderVerdict, Refusal};
use crate::binary::loader::{machine_name, LoaderInfo};
use crate::finding::{Code, Finding, Severity};

fn describe(l: &LoaderInfo) -> String {
    format!(
        "{} {}{}",
        l.class_name(),
        machine_name(l.machine),
        if l.big_endian { " big-endian" } else { "" }
    )
}

/// `real` is the plugin's canonical path (what the loader names).
pub fn check(
    host: &LoaderInfo,
    plugin: &LoaderInfo,
    host_name: &str,
    name: &str,
    real: &str,
) -> LoaderVerdict {
    let dlerror = if plugin.class != host.class {
        format!("{real}: wrong ELF class: {}", plugin.class_name())
    } else if plugin.big_endian != host.big_endian {
        // open_verify checks e_ident's byte order before the machine.
        format!(
            "{real}: ELF file data encoding not {}",
            if host.big_endian {
                "big-endian"
            } else {
                "little-endian"
            }
        )
    } else if plugin.machine != host.machine {
        format!("{real}: cannot open shared object file: No such file or directory")
    } else {
        return LoaderVerdict::Ok;
    };
    let mut f = Finding::new(
        Code::ElfTargetMismatch,
        Severity::Error,
        format!(
            "{name} is {} but the host {host_name} is {}: the dynamic loader refuses it before Go's runtime runs",
            describe(plugin),
            describe(host)
        ),
    );
    f.artifacts = vec![host_name.to_string(), name.to_string()];
    f.fix = Some(format!(
        "rebuild {name} for the host's target (GOARCH={}): `go version -m {host_name}` shows GOOS and GOARCH",
        goarch_of(host.machine, host.class)
    ));
    LoaderVerdict::Refused(Refusal {
        root_cause: format!(
            "{name} is built for {}, the host for {}",
            describe(plugin),
            describe(host)
        ),
        dlerror,
        finding: f,
    })
}

/// GOARCH for an ELF machine and class (the common ones).
fn goarch_of(machine: u16, class: u8) -> String {
    match (machine, class) {
        (62, 64) => "amd64".into(),
        (3, 32) => "386".into(),
        (183, 64) => "arm64".into(),
        (40, 32) => "arm".into(),
        (243, 64) => "riscv64".into(),
        (21, 64) => "ppc64le".into(),
        (22, 64) => "s390x".into(),
        (258, 64) => "loong64".into(),
        _ => machine_name(machine),
    }
}
