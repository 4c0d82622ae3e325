//! GD009/GD010/GD011: vendored files edited, added or removed (between host and plugin,
//! and against the module cache's pristine copy, which names the edited side), and a
//! module cache that no longer matches go.sum.

use crate::finding::Finding;
use crate::integrity;
use crate::project::Side;
use std::path::Path;

pub fn between(host: &Side, plugin: &Side) -> Vec<Finding> {
    // One side vendored, the other compiling a local replacement directory of the same
    // module version: compare the vendored copy with that directory.
    let mut out = Vec::new();
    for (vend, other) in [(host, plugin), (plugin, host)] {
        let Some((txt, tree)) = &vend.vendor else {
            continue;
        };
        if other.vendor.is_some() {
            continue;
        }
        for m in txt.build_list() {
            let Some(sel) = other.build_list.get(&m.module.path) else {
                continue;
            };
            if sel.module.version != m.module.version {
                continue;
            }
            if let Some(crate::graph::Replacement::Dir { resolved, .. }) = &sel.replace {
                let s = integrity::Side {
                    name: &vend.name,
                    tree,
                    modules: txt,
                };
                out.extend(integrity::against_dir(
                    &s,
                    &m.module.path,
                    resolved,
                    &other.name,
                ));
            }
        }
    }
    let (Some((ht, htree)), Some((pt, ptree))) = (&host.vendor, &plugin.vendor) else {
        return out;
    };
    let a = integrity::Side {
        name: &host.name,
        tree: htree,
        modules: ht,
    };
    let b = integrity::Side {
        name: &plugin.name,
        tree: ptree,
        modules: pt,
    };
    out.extend(integrity::compare(&a, &b));
    out
}

pub fn pristine(side: &Side, modcache: &Path) -> Vec<Finding> {
    let Some((txt, tree)) = &side.vendor else {
        return Vec::new();
    };
    let s = integrity::Side {
        name: &side.name,
        tree,
        modules: txt,
    };
    let mut out = integrity::against_pristine(&s, modcache, side.go_sum.as_ref());
    for (rel, err) in &tree.unreadable {
        let mut f = Finding::new(
            crate::finding::Code::IncompleteInformation,
            crate::finding::Severity::Warning,
            format!(
                "{}: vendor/{rel} could not be read ({err}); it was not compared",
                side.name
            ),
        );
        f.artifacts = vec![side.name.clone()];
        out.push(f);
    }
    for rel in &tree.symlinks {
        let mut f = Finding::new(
            crate::finding::Code::VendoredFileSetDiffers,
            crate::finding::Severity::Warning,
            format!("{}: vendor/{rel} is a symbolic link (not followed; `go mod vendor` never creates one)", side.name),
        );
        f.artifacts = vec![side.name.clone()];
        out.push(f);
    }
    out
}
