//! GD009/GD010/GD011: vendored files edited, added or removed (between host and plugin,
//! and against the module cache's pristine copy, which names the edited side), and a
//! module cache that no longer matches go.sum.

use crate::finding::Finding;
use crate::integrity;
use crate::project::Side;
use std::path::Path;

pub fn between(host: &Side, plugin: &Side) -> Vec<Finding> {
    let (Some((ht, htree)), Some((pt, ptree))) = (&host.vendor, &plugin.vendor) else {
        return Vec::new();
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
    integrity::compare(&a, &b)
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
