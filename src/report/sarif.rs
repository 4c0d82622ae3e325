//! SARIF 2.1.0 that GitHub code scanning takes as it is: one run, one rule per finding code
//! (from the code table), and one result per finding and plugin whose primary location is
//! the plugin's go.mod line to change (the host's line is a related location: the host is
//! the baseline, it is not what changes). Every result has a location with a start line,
//! URIs are relative to the repository root (`%SRCROOT%`), fingerprints are stable across
//! runs, and the documented upload limits are kept (see `LIMITS`).

use super::Report;
use crate::finding::{Finding, Severity};
use crate::rules::binary::CheckReport;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// GitHub code scanning's documented limits for one SARIF upload ("SARIF support for code
/// scanning": results per run, locations per result, rules per run, tags per rule).
pub mod limits {
    pub const RESULTS_PER_RUN: usize = 25_000;
    pub const LOCATIONS_PER_RESULT: usize = 1_000;
    pub const RULES_PER_RUN: usize = 25_000;
    pub const TAGS_PER_RULE: usize = 20;
}

/// The base every URI is relative to.
pub const SRCROOT: &str = "%SRCROOT%";

/// Where the report's paths sit in the repository: `prefix` is the project root relative to
/// the repository root (`fixtures/example/`, or empty), joined to every path.
#[derive(Clone, Debug, Default)]
pub struct SarifOptions {
    pub prefix: String,
    /// The repository root, absolute: absolute paths below it are made relative too.
    pub root: Option<String>,
}

impl SarifOptions {
    /// `prefix` as a directory (`a/b/`), or empty.
    pub fn new(prefix: &str) -> SarifOptions {
        let p = prefix.trim_matches('/');
        SarifOptions {
            prefix: if p.is_empty() || p == "." {
                String::new()
            } else {
                format!("{p}/")
            },
            root: None,
        }
    }

    /// With the repository root's absolute path (absolute paths under it become relative).
    pub fn with_root(mut self, root: &str) -> SarifOptions {
        self.root = Some(root.trim_end_matches('/').to_string());
        self
    }

    /// `path` relative to the repository root when it is absolute and below it.
    fn below_root<'a>(&self, path: &'a str) -> Option<&'a str> {
        let root = self.root.as_deref()?;
        path.strip_prefix(root)?.strip_prefix('/')
    }

    /// The artifact location of a report path (relative to the project root): relative to
    /// the repository root with `%SRCROOT%`, or an absolute `file://` URI for a file
    /// outside it.
    /// A report path (relative to the project root) as a repository path, as GitHub's
    /// annotations want it (`a/b/go.mod`); an absolute path stays absolute.
    pub fn repo_path(&self, path: &str) -> String {
        if let Some(rel) = self.below_root(path) {
            return normalize(rel).unwrap_or_else(|| rel.to_string());
        }
        if path.starts_with('/') {
            return path.to_string();
        }
        normalize(&format!("{}{}", self.prefix, path)).unwrap_or_else(|| path.to_string())
    }

    fn location(&self, path: &str) -> ArtifactLocation {
        if let Some(rel) = self.below_root(path) {
            return ArtifactLocation {
                uri: uri_escape(&normalize(rel).unwrap_or_else(|| rel.to_string())),
                uri_base_id: Some(SRCROOT),
            };
        }
        if path.starts_with('/') {
            return ArtifactLocation {
                uri: format!("file://{}", uri_escape(path)),
                uri_base_id: None,
            };
        }
        // A path above the repository root cannot be said relative to it: kept as it is.
        let p = normalize(&format!("{}{}", self.prefix, path)).unwrap_or_else(|| path.to_string());
        ArtifactLocation {
            uri: uri_escape(&p),
            uri_base_id: Some(SRCROOT),
        }
    }
}

// The result objects, typed: 25,000 of them render much faster than as `Value` trees.
#[derive(Serialize, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "godriftFinding/v1")]
    finding: String,
}

#[derive(Serialize)]
struct Properties {
    artifact: String,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: Fingerprints,
    properties: Properties,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

/// `a/./b/../c` → `a/c`; None when it climbs above the start.
fn normalize(p: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            c => parts.push(c),
        }
    }
    Some(parts.join("/"))
}

/// Percent-encodes what a URI reference cannot carry as it is (RFC 3986), keeping `/`.
fn uri_escape(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rules() -> Vec<Value> {
    crate::codes::TABLE
        .iter()
        .map(|i| {
            json!({
                "id": i.id,
                "name": i.name,
                "shortDescription": { "text": i.summary },
                "fullDescription": { "text": format!("{}. {}", capitalize(i.summary), i.why) },
                "helpUri": i.code.help_uri(),
                "help": {
                    "text": crate::codes::explain(i.code),
                    "markdown": format!("**Why:** {}\n\n**Fix:** {}\n\n[Documentation]({})", i.why, i.fix, i.code.help_uri()),
                },
                "defaultConfiguration": { "level": level(i.default_severity) },
                "properties": { "tags": ["go", "plugin", i.mode] },
            })
        })
        .collect()
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Stable identity of a result across runs: (code, module, plugin); a finding about no
/// module is told apart by its file and message instead (two build flags of one plugin).
fn fingerprint(f: &Finding, plugin: &str, file: &str) -> String {
    let mut h = Sha256::new();
    h.update(f.code.as_str());
    h.update([0]);
    match &f.module {
        Some(m) => h.update(m),
        None => h.update(format!("file:{file}\0{}", f.message)),
    }
    h.update([0]);
    h.update(plugin);
    let d = h.finalize();
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// One place in a file: the path (relative to the project root) and a line (1 when the
/// finding names a file but no line).
struct Place {
    file: String,
    line: usize,
    col: Option<usize>,
    text: Option<String>,
}

fn physical(o: &SarifOptions, p: &Place) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: o.location(&p.file),
        region: Region {
            start_line: p.line.max(1),
            start_column: p.col.map(|c| c.max(1)),
            snippet: p
                .text
                .as_ref()
                .filter(|t| !t.is_empty())
                .map(|t| Text { text: t.clone() }),
        },
    }
}

/// What the SARIF renderer needs to know about each artifact: where its go.mod is, for
/// findings that carry no line of their own.
pub(super) trait Files {
    fn default_file(&self, artifact: &str) -> Option<String>;
}

impl Files for Report {
    fn default_file(&self, artifact: &str) -> Option<String> {
        let dir = if artifact == "host" {
            Some(self.host.dir.as_str())
        } else {
            self.plugins
                .iter()
                .find(|p| p.name == artifact)
                .map(|p| p.dir.as_str())
        }?;
        Some(match dir {
            "" | "." => "go.mod".to_string(),
            d => format!("{d}/go.mod"),
        })
    }
}

impl Files for CheckReport {
    fn default_file(&self, artifact: &str) -> Option<String> {
        if artifact == "host" {
            return Some(self.host.path.clone());
        }
        self.plugins
            .iter()
            .find(|p| p.path == artifact)
            .map(|p| p.path.clone())
    }
}

/// The file and line a person should look at for `f`: the first plugin's evidence (the
/// line to change), else any evidence, else the first artifact's go.mod at line 1.
pub(super) fn primary(f: &Finding, files: &dyn Files, fallback: &str) -> (String, usize) {
    let e = f
        .evidence
        .iter()
        .find(|e| e.artifact != "host")
        .or(f.evidence.first());
    if let Some(e) = e {
        return (e.file.display().to_string(), e.line.unwrap_or(1));
    }
    let file = f
        .artifacts
        .iter()
        .filter(|a| *a != "host")
        .chain(f.artifacts.iter().filter(|a| *a == "host"))
        .find_map(|a| files.default_file(a))
        .unwrap_or_else(|| fallback.to_string());
    (file, 1)
}

/// The results for one finding: one per plugin it concerns (its go.mod line first, the
/// host's and the others' as related locations), or one for a host-only finding.
fn results_of(
    f: &Finding,
    files: &dyn Files,
    o: &SarifOptions,
    fallback: &str,
) -> Vec<SarifResult> {
    let place_of = |artifact: &str| -> Option<Place> {
        if let Some(e) = f.evidence.iter().find(|e| e.artifact == artifact) {
            return Some(Place {
                file: e.file.display().to_string(),
                line: e.line.unwrap_or(1),
                col: e.col,
                text: Some(e.text.clone()),
            });
        }
        files.default_file(artifact).map(|file| Place {
            file,
            line: 1,
            col: None,
            text: None,
        })
    };
    let mut subjects: Vec<&str> = f
        .artifacts
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "host")
        .collect();
    // Evidence of artifacts the list does not name still gets a result of its own.
    for e in &f.evidence {
        if e.artifact != "host" && !subjects.contains(&e.artifact.as_str()) {
            subjects.push(&e.artifact);
        }
    }
    if subjects.is_empty() {
        subjects.push("host");
    }
    let mut text = f.message.clone();
    if let Some(fix) = &f.fix {
        text.push_str(&format!("\nFix: {fix}"));
    }
    let rule_index = crate::codes::TABLE
        .iter()
        .position(|i| i.code == f.code)
        .unwrap_or(0);
    subjects
        .iter()
        .map(|subject| {
            let primary = place_of(subject)
                .or_else(|| f.evidence.first().and_then(|e| place_of(&e.artifact)))
                .unwrap_or(Place {
                    file: fallback.to_string(),
                    line: 1,
                    col: None,
                    text: None,
                });
            let mut related = Vec::new();
            let mut seen = vec![(primary.file.clone(), primary.line)];
            for e in &f.evidence {
                if related.len() >= limits::LOCATIONS_PER_RESULT {
                    break;
                }
                let p = Place {
                    file: e.file.display().to_string(),
                    line: e.line.unwrap_or(1),
                    col: e.col,
                    text: Some(e.text.clone()),
                };
                if seen.contains(&(p.file.clone(), p.line)) {
                    continue;
                }
                seen.push((p.file.clone(), p.line));
                related.push(Location {
                    id: Some(related.len() + 1),
                    physical_location: physical(o, &p),
                    message: Some(Text {
                        text: e.artifact.clone(),
                    }),
                });
            }
            SarifResult {
                rule_id: f.code.as_str(),
                rule_index,
                level: level(f.severity),
                message: Text { text: text.clone() },
                partial_fingerprints: Fingerprints {
                    finding: fingerprint(f, subject, &primary.file),
                },
                locations: vec![Location {
                    id: None,
                    physical_location: physical(o, &primary),
                    message: None,
                }],
                related_locations: related,
                properties: Properties {
                    artifact: subject.to_string(),
                },
                suppressions: if f.accepted {
                    vec![Suppression {
                        kind: "external",
                        justification: "accepted by the godrift baseline",
                    }]
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

/// The SARIF document of a report.
pub fn sarif(r: &Report, o: &SarifOptions) -> String {
    let fallback = r.default_file("host").unwrap_or_else(|| "go.mod".into());
    document(&r.findings, r, o, &fallback)
}

/// `check`'s findings as SARIF (locations point at the built files).
pub fn check_sarif(r: &CheckReport, o: &SarifOptions) -> String {
    let fallback = r.host.path.clone();
    document(&r.findings, r, o, &fallback)
}

fn document(findings: &[Finding], files: &dyn Files, o: &SarifOptions, fallback: &str) -> String {
    // Findings are sorted worst first, so a cut keeps the errors.
    let mut results = Vec::new();
    let mut total = 0;
    for f in findings {
        if results.len() >= limits::RESULTS_PER_RUN {
            // Past the limit only the count matters.
            total += results_of(f, files, o, fallback).len();
            continue;
        }
        for r in results_of(f, files, o, fallback) {
            total += 1;
            if results.len() < limits::RESULTS_PER_RUN {
                results.push(r);
            }
        }
    }
    let mut run = json!({
        "tool": { "driver": {
            "name": "godrift",
            "informationUri": "https://github.com/godrift/godrift",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules(),
        }},
        "automationDetails": { "id": "godrift/" },
        "columnKind": "unicodeCodePoints",
    });
    if total > limits::RESULTS_PER_RUN {
        run["invocations"] = json!([{
            "executionSuccessful": true,
            "toolExecutionNotifications": [{
                "level": "warning",
                "message": { "text": format!(
                    "{} more results in the full report: code scanning takes at most {} per run (the worst are kept)",
                    total - limits::RESULTS_PER_RUN,
                    limits::RESULTS_PER_RUN
                ) },
            }],
        }]);
    }
    #[derive(Serialize)]
    struct Run {
        #[serde(flatten)]
        head: Value,
        results: Vec<SarifResult>,
    }
    #[derive(Serialize)]
    struct Doc {
        #[serde(rename = "$schema")]
        schema: &'static str,
        version: &'static str,
        runs: [Run; 1],
    }
    let doc = Doc {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run { head: run, results }],
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_repository_relative() {
        let o = SarifOptions::new("fixtures/example");
        let loc = |uri: &str| ArtifactLocation {
            uri: uri.into(),
            uri_base_id: Some(SRCROOT),
        };
        assert_eq!(
            o.location("plugins/a/go.mod"),
            loc("fixtures/example/plugins/a/go.mod")
        );
        assert_eq!(
            o.location("host/../deps/x y/go.mod"),
            loc("fixtures/example/deps/x%20y/go.mod")
        );
        assert_eq!(SarifOptions::new(".").prefix, "");
        assert_eq!(
            SarifOptions::new("").location("/abs/x").uri,
            "file:///abs/x"
        );
        let rooted = SarifOptions::new("sub").with_root("/repo");
        assert_eq!(rooted.location("/repo/bin/host"), loc("bin/host"));
        assert_eq!(rooted.repo_path("/repo/bin/host"), "bin/host");
        assert_eq!(rooted.location("/repository/x").uri, "file:///repository/x");
    }
}
