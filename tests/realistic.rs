//! A realistic project, generated at test time (the benchmark's generator): a host with a
//! graph of hundreds of modules and several plugins. The report must be deterministic
//! (byte-identical across runs, so reports diff cleanly), every version conflict must have a
//! proposal, and every proposal's target must be what the host selects.

#[path = "../benches/common.rs"]
mod common;

use std::process::Command;

fn report(dir: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(dir)
        .args(["report", "--format", "json", "--quiet"])
        .env("GOMODCACHE", dir.join("modcache"))
        .env("GOWORK", "off")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn hundreds_of_modules_deterministic_and_complete() {
    let tmp = tempfile::tempdir().expect("tempdir");
    common::module_graph(tmp.path(), 400, 6, 42);
    let (code, first) = report(tmp.path());
    let (_, second) = report(tmp.path());
    assert_eq!(first, second, "report output must be deterministic");
    let v: serde_json::Value = serde_json::from_str(&first).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    let conflicts: std::collections::BTreeSet<&str> = findings
        .iter()
        .filter(|f| f["code"] == "GD001")
        .filter_map(|f| f["module"].as_str())
        .collect();
    assert!(
        !conflicts.is_empty(),
        "the generator draws conflicting versions"
    );
    assert_eq!(code, 1);
    assert!(
        findings.iter().all(|f| f["code"] != "GD090"),
        "every go.mod is in the generated cache"
    );
    let proposals = v["proposals"].as_array().expect("proposals");
    let proposed: std::collections::BTreeSet<&str> = proposals
        .iter()
        .filter_map(|p| p["module"].as_str())
        .collect();
    assert_eq!(conflicts, proposed, "one proposal per conflicting module");
    // The host is the baseline: each target is the host's selected version when it has one.
    let opts = godrift::graph::LoadOptions::module_mode(tmp.path().join("modcache"));
    let cache = godrift::graph::ModCache::new();
    let host = godrift::graph::Loader::new(&opts, &cache)
        .load(&tmp.path().join("host"))
        .expect("host build list");
    assert!(
        host.modules.len() >= 100,
        "a realistic graph: {} modules",
        host.modules.len()
    );
    for p in proposals {
        let module = p["module"].as_str().unwrap_or("");
        if let Some(m) = host.get(module) {
            assert_eq!(p["target"], m.module.version.as_str(), "{module}");
        }
    }
}
