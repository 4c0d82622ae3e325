//! GD009/GD010/GD011: vendored files edited, added or removed (between host and plugin,
//! and against the module cache's pristine copy, which names the edited side), and a
//! module cache that no longer matches go.sum. The hashing and the comparisons live in
//! `integrity`; this decides which comparisons a pair of artifacts needs.

use crate::finding::Finding;
use crate::integrity;
use crate::project::Side;

pub fn between(host: &Side, plugin: &Side) -> Vec<Finding> {
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
                out.extend(integrity::against_dir(
                    &vend.name,
                    v,
                    &m.module.path,
                    resolved,
                    &other.name,
                ));
            }
        }
    }
    if let (Some(h), Some(p)) = (&host.vendor, &plugin.vendor) {
        out.extend(integrity::between(&host.name, h, &plugin.name, p));
    }
    out
}

pub fn pristine(side: &Side) -> Vec<Finding> {
    match &side.vendor {
        Some(v) => integrity::against_sources(&side.name, v, side.go_sum.as_ref()),
        None => Vec::new(),
    }
}
