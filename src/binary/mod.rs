//! Binary mode: reads built host executables and plugin `.so` files (ELF), their
//! per-package export-data hashes (`go:link.pkghashbytes.<pkg>`) and build info, and gives
//! the load verdict the Go runtime would.

pub mod buildinfo;
pub mod elf;

/// Fuzz entry: parses arbitrary bytes as ELF and build info. Must never panic.
pub fn fuzz_read(data: &[u8]) {
    if let Ok(elf) = elf::parse(data) {
        let _ = buildinfo::read(&elf, data);
    }
}
pub mod verdict;

pub mod diagnose;

pub use verdict::{Artifact, BinaryError, CheckReport, Verdict};

/// Verdicts plus root-cause diagnosis for `plugins` opened by `host`, in order.
pub fn check(host: &Artifact, plugins: &[Artifact]) -> CheckReport {
    let mut report = verdict::check(host, plugins);
    diagnose::diagnose(&mut report, host, plugins);
    report
}

/// Terminal table of a check report.
pub fn render_table(report: &CheckReport) -> String {
    use comfy_table::{presets::UTF8_FULL, Table};
    let mut t = Table::new();
    t.load_preset(UTF8_FULL);
    t.set_header([
        "plugin",
        "verdict",
        "go",
        "mismatched packages",
        "runtime error",
    ]);
    for p in &report.plugins {
        let mism: Vec<&str> = p
            .mismatched_packages
            .iter()
            .map(|m| m.package.as_str())
            .collect();
        let shown = if mism.len() > 4 {
            format!("{} (+{} more)", mism[..4].join(", "), mism.len() - 4)
        } else {
            mism.join(", ")
        };
        t.add_row([
            p.path.display().to_string(),
            p.verdict.as_str().to_string(),
            p.go_version.clone().unwrap_or_else(|| "?".into()),
            shown,
            p.error.clone().unwrap_or_default(),
        ]);
    }
    let mut out = format!(
        "host: {} ({})\n{t}\n",
        report.host.path.display(),
        report
            .host
            .go_version
            .as_deref()
            .unwrap_or("Go version unknown")
    );
    for f in &report.findings {
        out.push_str(&format!(
            "{} {} {}\n",
            f.code,
            f.severity.as_str(),
            f.message
        ));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("    fix: {fix}\n"));
        }
    }
    out
}
