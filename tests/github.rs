//! GitHub Actions: annotations for the ten most important findings plus one notice, a job
//! summary under 1 MiB, and the composite action's script (scripts/action.sh) run with a
//! fake GITHUB_* environment.

#[path = "support/synth.rs"]
mod synth;

use std::path::Path;
use std::process::Command;

fn annotation_lines(s: &str) -> Vec<&str> {
    s.lines().filter(|l| l.starts_with("::")).collect()
}

#[test]
fn annotations_on_the_lines_to_change_when_in_actions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(root)
        .args(["report", "fixtures/example", "--format", "json", "--quiet"])
        .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // stdout stays the JSON document; workflow commands go to stderr.
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).expect("clean json");
    let err = String::from_utf8_lossy(&out.stderr);
    let lines = annotation_lines(&err);
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with(
            "::error file=fixtures/example/plugins/metrics/go.mod,line=6,title=GD001 version-conflict::example.com/greeter is v1.2.0"
        ),
        "{}",
        lines[0]
    );
    assert!(!lines[0][2..].contains('\n'));
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## godrift: ❌ fails"), "{md}");
    // Outside Actions: no workflow commands.
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(root)
        .args(["report", "fixtures/example", "--quiet"])
        .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap();
    assert!(annotation_lines(&String::from_utf8_lossy(&out.stderr)).is_empty());
}

#[test]
fn ten_annotations_then_one_notice_counting_the_rest() {
    let r = synth::report(&synth::names(5), 4);
    let s = godrift::report::annotations(&r, &godrift::report::SarifOptions::new("svc"));
    let lines = annotation_lines(&s);
    assert_eq!(lines.len(), godrift::report::MAX_ANNOTATIONS + 1);
    assert!(lines[..10]
        .iter()
        .all(|l| l.starts_with("::error file=svc/plugins/p")));
    assert!(
        lines[10].starts_with("::notice title=godrift::10 more finding(s) (10 error(s))"),
        "{}",
        lines[10]
    );
    // Messages are encoded: a newline in a message cannot start another command.
    let mut r = synth::report(&synth::names(1), 1);
    r.findings[0].message = "a\n::error::forged, 100%".into();
    let s = godrift::report::annotations(&r, &Default::default());
    assert_eq!(annotation_lines(&s).len(), 1, "{s}");
    assert!(s.contains("a%0A::error::forged, 100%25"), "{s}");
}

#[test]
fn the_job_summary_stays_under_one_mib() {
    // A huge report: the Markdown is capped far below, and the summary guard holds too.
    let r = synth::report(&synth::names(2000), 10);
    let md = godrift::report::markdown(&r);
    assert!(md.len() <= godrift::report::MAX_CHARS);
    let big = "x".repeat(3 * 1024 * 1024);
    let s = godrift::report::summary(big);
    assert!(s.len() <= godrift::report::MAX_SUMMARY_BYTES, "{}", s.len());
    assert!(s.ends_with("see the full report.**\n"));
}

/// The action's script with a fake GitHub environment and godrift on PATH (the one cargo
/// built): it writes the SARIF and the summary, annotates, records the exit code as an
/// output and exits 0 so the SARIF upload step can run.
#[test]
fn the_action_script_runs_with_a_fake_github_environment() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_godrift")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |dir: &str, fail_on: &str| {
        let out_file = tmp.path().join(format!("output-{fail_on}"));
        let summary = tmp.path().join(format!("summary-{fail_on}.md"));
        let sarif = tmp.path().join(format!("godrift-{fail_on}.sarif"));
        let out = Command::new("bash")
            .arg(root.join("scripts/action.sh"))
            .current_dir(root)
            .env("PATH", &path)
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_ACTION_PATH", root)
            .env("GITHUB_WORKSPACE", root)
            .env("GITHUB_OUTPUT", &out_file)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env("RUNNER_TEMP", tmp.path())
            .env("INPUT_DIRECTORY", dir)
            .env("INPUT_FAIL_ON", fail_on)
            .env("INPUT_SARIF_FILE", &sarif)
            .env("INPUT_VERSION", "")
            .env("INPUT_ARGS", "")
            .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
            .output()
            .unwrap();
        let outputs = std::fs::read_to_string(&out_file).unwrap_or_default();
        (out, outputs, summary, sarif)
    };
    let (out, outputs, summary, sarif) = run("fixtures/example", "error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(outputs.contains("exit-code=1\n"), "{outputs}");
    assert!(
        outputs.contains(&format!("sarif-file={}\n", sarif.display())),
        "{outputs}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/example/plugins/metrics/go.mod"
    );
    assert!(
        err.contains("::error file=fixtures/example/plugins/metrics/go.mod,line=6"),
        "{err}"
    );
    assert!(std::fs::read_to_string(&summary)
        .unwrap()
        .contains("### ❌ metrics: fails"));
    // A clean project: exit code 0.
    let (out, outputs, _, _) = run("fixtures/report/clean", "error");
    assert!(out.status.success());
    assert!(outputs.contains("exit-code=0\n"), "{outputs}");
    // Bad input: exit code 2 recorded, the script still exits 0 (the last step fails).
    let (out, outputs, _, _) = run("fixtures/report/bad-config", "error");
    assert!(out.status.success());
    assert!(outputs.contains("exit-code=2\n"), "{outputs}");
}

/// action.yml passes every input to the script and the script reads every one.
#[test]
fn action_yml_wires_every_input() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let yml = std::fs::read_to_string(root.join("action.yml")).unwrap();
    let script = std::fs::read_to_string(root.join("scripts/action.sh")).unwrap();
    let inputs_block = &yml[yml.find("\ninputs:\n").unwrap()..yml.find("\noutputs:\n").unwrap()];
    let inputs: Vec<&str> = inputs_block
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':'))
        .collect();
    assert!(inputs.len() >= 5, "{inputs:?}");
    for i in inputs {
        if i == "upload-sarif" {
            assert!(yml.contains("inputs.upload-sarif == 'true'"));
            continue;
        }
        let var = format!("INPUT_{}", i.to_uppercase().replace('-', "_"));
        assert!(
            yml.contains(&format!("{var}: ${{{{ inputs.{i} }}}}")),
            "{var} not passed"
        );
        assert!(script.contains(&var), "{var} not read");
    }
    assert!(yml.contains("run: bash \"$GITHUB_ACTION_PATH/scripts/action.sh\""));
    assert!(yml.contains("github/codeql-action/upload-sarif@"));
}
