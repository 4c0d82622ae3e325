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

/// `report --base REV`: the plugins that loaded with the host at REV and fail with the
/// working tree first (a pull-request comment), then the current report with the alignment
/// of each; at most `MAX_CHARS`.
pub fn base_markdown(
    rev: &str,
    commit: &str,
    before: &[crate::rules::PluginVerdict],
    after: &super::Report,
) -> String {
    use crate::rules::Verdict as V;
    let mut s = String::new();
    let broken: Vec<_> = before
        .iter()
        .zip(&after.plugins)
        .filter(|(b, a)| b.verdict == V::Loads && a.verdict != V::Loads)
        .collect();
    let _ = writeln!(
        s,
        "## godrift: host change impact ({} at {} → this change)\n",
        md_code(rev),
        md_code(commit)
    );
    if broken.is_empty() {
        s.push_str("No plugin that loaded with the base host stops loading with this change.\n\n");
    } else {
        let _ = writeln!(
            s,
            "**{} plugin(s) loaded with the host at {} and fail with this change.**\n",
            broken.len(),
            md_code(rev)
        );
    }
    s.push_str("| plugin | at base | now | packages both link |\n|---|---|---|---|\n");
    for (b, a) in before.iter().zip(&after.plugins) {
        let mark = if b.verdict == V::Loads && a.verdict != V::Loads {
            " ❌ broken by this change"
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "| {} | {} | {}{mark} | {} |",
            md_code(&a.name),
            b.verdict.as_str(),
            a.verdict.as_str(),
            md_cell(&a.packages_shown())
        );
    }
    s.push_str("\n<details><summary>The report with this change, and the alignment of each plugin</summary>\n\n");
    let rest = super::markdown(after);
    let close = "\n</details>\n";
    let room = MAX_CHARS.saturating_sub(s.len() + close.len() + 120);
    if rest.len() <= room {
        s.push_str(&rest);
    } else {
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = rest[..cut].rfind('\n').unwrap_or(cut);
        s.push_str(&rest[..cut]);
        s.push_str("\n\n… cut to fit a comment: run `godrift report` for the rest\n");
    }
    s.push_str(close);
    s
}

/// `report --base REV`: one plugin's verdict with the host at REV and with this change.
#[derive(serde::Serialize)]
pub struct BaseRow<'a> {
    pub name: &'a str,
    pub before: &'static str,
    pub after: &'static str,
    /// Loaded with the host at REV, fails with this change.
    pub broken: bool,
}

/// The rows of `report --base`, the plugins in the report's order.
pub fn base_rows<'a>(
    before: &[crate::rules::PluginVerdict],
    after: &'a super::Report,
) -> Vec<BaseRow<'a>> {
    use crate::rules::Verdict as V;
    before
        .iter()
        .zip(&after.plugins)
        .map(|(b, a)| BaseRow {
            name: &a.name,
            before: b.verdict.as_str(),
            after: a.verdict.as_str(),
            broken: b.verdict == V::Loads && a.verdict != V::Loads,
        })
        .collect()
}

/// `report --base REV --format json` (schemas/base.schema.json): the base revision, each
/// plugin before and after, and the whole report with this change.
pub fn base_json(
    rev: &str,
    commit: &str,
    before: &[crate::rules::PluginVerdict],
    after: &super::Report,
) -> String {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        schema_version: u32,
        base: Base<'a>,
        broken: usize,
        plugins: Vec<BaseRow<'a>>,
        report: &'a super::Report,
    }
    #[derive(serde::Serialize)]
    struct Base<'a> {
        rev: &'a str,
        commit: &'a str,
    }
    let plugins = base_rows(before, after);
    let doc = Doc {
        schema_version: super::SCHEMA_VERSION,
        base: Base { rev, commit },
        broken: plugins.iter().filter(|p| p.broken).count(),
        plugins,
        report: after,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
