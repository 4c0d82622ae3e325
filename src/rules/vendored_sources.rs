//! Vendored sources: which comparisons a pair of artifacts needs (the hashing and the
//! comparisons are `integrity`'s plain data), and the grouping shared by the rules that
//! word them: GD009 (edited files), GD010 (file sets), GD011 (module cache vs go.sum) and
//! GD090 (what could not be read). One finding per artifact (or pair) and module, listing
//! its files worst first, never one per file.

use super::Pair;
use super::{
    gd009_vendored_file_edited, gd010_vendored_file_set_differs, gd011_module_cache_tampered,
    gd090_incomplete_information,
};
use crate::codes::Code;
use crate::finding::{Finding, Severity};
use crate::integrity::{self, Item, ModuleComparison};
use crate::linkage::Linkage;
use crate::project::Side;

/// Files named in one finding's message; the rest are counted.
pub(super) const LIST_CAP: usize = 8;
/// Evidence items per finding.
const EVIDENCE_CAP: usize = 50;

fn list(items: &[Item]) -> String {
    let mut parts: Vec<String> = items
        .iter()
        .take(LIST_CAP)
        .map(|i| {
            if i.note.is_empty() {
                format!("vendor/{}", i.rel)
            } else {
                format!("vendor/{} ({})", i.rel, i.note)
            }
        })
        .collect();
    if items.len() > LIST_CAP {
        parts.push(format!("and {} more", items.len() - LIST_CAP));
    }
    parts.join("; ")
}

/// One finding for a module's items: the worst item's severity, its files listed worst first,
/// the packages they belong to, their evidence and a capped diff.
pub(super) fn group(
    code: Code,
    items: &[Item],
    message: String,
    m: &ModuleComparison,
    fix: String,
) -> Option<Finding> {
    let severity = items.iter().map(|i| i.severity).max()?;
    let mut items: Vec<&Item> = items.iter().collect();
    items.sort_by_key(|i| std::cmp::Reverse(i.severity));
    let owned: Vec<Item> = items.iter().map(|i| (*i).clone()).collect();
    let mut f = Finding::new(code, severity, format!("{message}: {}", list(&owned)));
    f.artifacts = m.artifacts.clone();
    f.module = Some(m.module.path.clone());
    let dirs: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|i| integrity::tree::split(&i.rel).0)
        .collect();
    f.packages = m
        .packages
        .iter()
        .filter(|p| dirs.contains(p.as_str()))
        .cloned()
        .collect();
    let mut diffs = String::new();
    for i in &items {
        if f.evidence.len() < EVIDENCE_CAP {
            f.evidence.extend(i.evidence.iter().cloned());
        }
        if let Some(((la, pa), (lb, pb))) = &i.diff {
            if diffs.len() < integrity::DIFF_CAP {
                diffs.push_str(&integrity::diff(la, pa, lb, pb));
            }
        }
    }
    f.evidence.truncate(EVIDENCE_CAP);
    if !diffs.is_empty() {
        f.diff = Some(integrity::cap(diffs, integrity::DIFF_CAP));
    }
    f.fix = Some(fix);
    Some(f)
}

fn words(m: &ModuleComparison) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(gd009_vendored_file_edited::check(m));
    out.extend(gd010_vendored_file_set_differs::check(m));
    out.extend(gd090_incomplete_information::vendored_unread(m));
    out
}

/// Judges a vendored-file finding of `pair` by what both link: only files of packages
/// linked by both can break loading; the rest is latent (info).
fn judge_files(mut f: Finding, pair: &Pair) -> Finding {
    let module = f.module.clone().unwrap_or_default();
    match pair.linkage(&module) {
        Linkage::Unknown(_) => f,
        Linkage::Shared(shared) => {
            let hit: Vec<String> = f
                .packages
                .iter()
                .filter(|p| shared.contains(p))
                .cloned()
                .collect();
            if hit.is_empty() && !f.packages.is_empty() {
                latent(f)
            } else {
                if !hit.is_empty() {
                    f.packages = hit;
                }
                f
            }
        }
        Linkage::Latent => latent(f),
    }
}

fn latent(mut f: Finding) -> Finding {
    if f.severity > Severity::Info {
        f.severity = Severity::Info;
        f.message.push_str(
            "; latent: no package with these files is linked by both today, so loading is not affected until both link one",
        );
    }
    f
}

/// A side's findings against its own sources (`pristine`), kept for `pair` where they can
/// break loading: their packages are linked by both sides (or that cannot be known).
/// `of_host`: the findings are the host's (they then concern this plugin too).
pub fn relevant(findings: &[Finding], pair: &Pair, of_host: bool) -> Vec<Finding> {
    findings
        .iter()
        .map(|f| {
            let mut f = f.clone();
            if of_host && !f.artifacts.contains(&pair.b.name) && f.module.is_some() {
                f.artifacts.push(pair.b.name.clone());
            }
            if f.module.is_some() && !f.packages.is_empty() {
                judge_files(f, pair)
            } else {
                f
            }
        })
        .collect()
}

pub fn between(pair: &Pair) -> Vec<Finding> {
    let (host, plugin) = (pair.a, pair.b);
    // One side vendored, the other compiling a local replacement directory of the same
    // module version: compare the vendored copy with that directory.
    let mut out = Vec::new();
    for (vend, other) in [(host, plugin), (plugin, host)] {
        let Some(v) = &vend.vendor else {
            continue;
        };
        if other.vendor.is_some() {
            continue;
        }
        for m in v.modules.build_list() {
            let Some(sel) = other.build_list.get(&m.module.path) else {
                continue;
            };
            if sel.module.version != m.module.version {
                continue;
            }
            if let Some(crate::graph::Replacement::Dir { resolved, .. }) = &sel.replace {
                for c in
                    integrity::against_dir(&vend.name, v, &m.module.path, resolved, &other.name)
                {
                    out.extend(words(&c));
                }
            }
        }
    }
    if let (Some(h), Some(p)) = (&host.vendor, &plugin.vendor) {
        for c in integrity::between(&host.name, h, &plugin.name, p) {
            out.extend(words(&c));
        }
    }
    out.into_iter().map(|f| judge_files(f, pair)).collect()
}

pub fn pristine(side: &Side) -> Vec<Finding> {
    let Some(v) = &side.vendor else {
        return Vec::new();
    };
    let cmp = integrity::against_sources(&side.name, v, side.go_sum.as_ref());
    let mut out = Vec::new();
    for c in &cmp.modules {
        out.extend(words(c));
    }
    for s in &cmp.sums {
        out.extend(gd011_module_cache_tampered::check(&side.name, s));
        out.extend(gd090_incomplete_information::unverifiable(&side.name, s));
    }
    out.extend(gd090_incomplete_information::vendor_tree(
        &side.name, &cmp.tree,
    ));
    out.extend(gd010_vendored_file_set_differs::odd_entries(
        &side.name, &cmp.tree,
    ));
    out
}
