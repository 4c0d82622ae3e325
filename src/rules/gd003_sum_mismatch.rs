//! GD003: the same module@version recorded with different `h1:` hashes in the two go.sum
//! files: one side built different content under the same version.

use super::{judged, Pair};
use crate::finding::{Code, Evidence, Finding, Severity};

pub fn check(pair: &Pair) -> Vec<Finding> {
    let (host, plugin) = (pair.a, pair.b);
    let (Some(hs), Some(ps)) = (&host.go_sum, &plugin.go_sum) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for l in &hs.lines {
        let Some(other) = ps.hash(&l.path, &l.version, l.go_mod) else {
            continue;
        };
        if other == l.hash {
            continue;
        }
        let what = if l.go_mod { "/go.mod" } else { "" };
        let mut f = Finding::new(
            Code::SumMismatch,
            Severity::Error,
            format!(
                "{}@{}{what} has different go.sum hashes in host ({}) and {} ({other})",
                l.path, l.version, l.hash, plugin.name
            ),
        );
        f.artifacts = vec![host.name.clone(), plugin.name.clone()];
        f.module = Some(l.path.clone());
        f.evidence.push(Evidence {
            artifact: host.name.clone(),
            file: host.dir.join("go.sum"),
            line: Some(l.line),
            col: None,
            text: format!("{} {}{what} {}", l.path, l.version, l.hash),
        });
        f.fix = Some(
            "one go.sum is wrong or a module was re-tagged: run `go mod verify` on both sides"
                .into(),
        );
        // A go.mod hash only changes the build list (GD001 covers that); a content hash
        // matters where both link a package of the module.
        out.push(if l.go_mod {
            f
        } else {
            judged(f, &pair.linkage(&l.path))
        });
    }
    out
}
