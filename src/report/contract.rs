//! Markdown for `contract diff`: release notes of a host for its plugin authors. Which
//! plugins must be rebuilt first, then the Go release and settings, the modules, and the
//! packages whose hash changed; kept under `MAX_CHARS`.

use super::markdown::MAX_CHARS;
use crate::binary::Verdict;
use crate::contract::diff::ContractDiff;
use crate::text::{md_cell, md_code};
use std::fmt::Write;

/// Packages listed before "N more".
const MAX_PACKAGES: usize = 200;

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "(none)".into()
    } else {
        md_code(s)
    }
}

pub fn contract_diff_markdown(d: &ContractDiff) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "## Host changes for plugins: {} → {}\n",
        md_cell(&d.old),
        md_cell(&d.new)
    );
    let n = d.packages.changed.len();
    let rebuild: Vec<_> = d.plugins.iter().filter(|p| p.must_rebuild).collect();
    if !d.plugins.is_empty() {
        let _ = writeln!(
            s,
            "**{} of {} plugin(s) must be rebuilt** against the new host.\n",
            rebuild.len(),
            d.plugins.len()
        );
        s.push_str("| plugin | old host | new host | rebuild? | why |\n|---|---|---|---|---|\n");
        for p in &d.plugins {
            let why = match (&p.root_cause_after, &p.error_after) {
                (Some(c), _) => md_cell(c),
                (None, Some(e)) => md_code(e),
                _ => String::new(),
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                md_code(&p.plugin),
                p.before.as_str(),
                p.after.as_str(),
                if p.must_rebuild {
                    "**yes**"
                } else if p.after != Verdict::Loads {
                    "fails with both"
                } else {
                    "no"
                },
                why
            );
        }
        s.push('\n');
    }
    if d.go_version.is_none() && d.settings.is_empty() && d.modules.is_empty() && n == 0 {
        s.push_str(
            "No change a plugin can see: same Go release, settings, modules and package hashes.\n",
        );
    }
    if let Some(g) = &d.go_version {
        let _ = writeln!(
            s,
            "- Go release: {} → {}: **every plugin must be rebuilt with the new release**",
            or_none(&g.old),
            or_none(&g.new)
        );
    }
    for c in &d.settings {
        let _ = writeln!(
            s,
            "- build setting {}: {} → {} (changes every package's hash)",
            md_code(&c.name),
            or_none(&c.old),
            or_none(&c.new)
        );
    }
    if !d.modules.is_empty() {
        let _ = writeln!(s, "\n### Modules ({})\n", d.modules.len());
        s.push_str("| module | old | new |\n|---|---|---|\n");
        for m in &d.modules {
            let _ = writeln!(
                s,
                "| {} | {} | {} |",
                md_code(&m.name),
                or_none(&m.old),
                or_none(&m.new)
            );
        }
    }
    if n > 0 || !d.packages.added.is_empty() || !d.packages.removed.is_empty() {
        let how = if d.packages.from_hashes {
            "export-data hash changed"
        } else {
            "inferred from module versions and settings: no hashes in a contract exported from sources"
        };
        let _ = writeln!(
            s,
            "\n### Packages: {n} changed ({how}; {} in the standard library), {} added, {} removed\n",
            d.packages.changed_standard,
            d.packages.added.len(),
            d.packages.removed.len()
        );
        s.push_str("A plugin that links a changed package fails to load into the new host until it is rebuilt.\n\n");
        for p in d.packages.changed.iter().take(MAX_PACKAGES) {
            let _ = writeln!(s, "- {}", md_code(p));
        }
        if n > MAX_PACKAGES {
            let _ = writeln!(s, "- … {} more", n - MAX_PACKAGES);
        }
    }
    if s.len() > MAX_CHARS {
        let mut cut = MAX_CHARS - 100;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(s[..cut].rfind('\n').unwrap_or(cut));
        s.push_str("\n\n… cut to fit a comment: see `godrift contract diff --format json`\n");
    }
    s
}
