//! GitHub Actions: annotations on the lines to change for the most important findings
//! (workflow commands on stderr, which the runner reads like stdout, so a report on stdout
//! stays clean), and the job summary.

use super::sarif::{primary, Files, SarifOptions};
use super::Report;
use crate::finding::{Finding, Severity};
use crate::rules::binary::CheckReport;

/// How many findings get an annotation; one notice counts the rest.
pub const MAX_ANNOTATIONS: usize = 10;
/// GitHub refuses a step summary over 1 MiB.
pub const MAX_SUMMARY_BYTES: usize = 1024 * 1024;

/// A workflow command's message (`%`, CR and LF encoded, as @actions/core does).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value (also `:` and `,`).
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

fn render(findings: &[Finding], files: &dyn Files, o: &SarifOptions, fallback: &str) -> String {
    // Open findings worst first, then those a baseline accepted.
    let mut order: Vec<&Finding> = findings.iter().filter(|f| !f.accepted).collect();
    order.extend(findings.iter().filter(|f| f.accepted));
    let mut out = String::new();
    for f in order.iter().take(MAX_ANNOTATIONS) {
        let (file, line) = primary(f, files, fallback);
        let title = format!("{} {}", f.code, f.code.name());
        let mut msg = f.message.clone();
        if let Some(fix) = &f.fix {
            msg.push_str(&format!("\nFix: {fix}"));
        }
        let level = if f.accepted {
            "notice"
        } else {
            command(f.severity)
        };
        out.push_str(&format!(
            "::{level} file={},line={line},title={}::{}\n",
            property(&o.repo_path(&file)),
            property(&title),
            data(&msg)
        ));
    }
    if order.len() > MAX_ANNOTATIONS {
        let rest = &order[MAX_ANNOTATIONS..];
        let errors = rest
            .iter()
            .filter(|f| f.severity == Severity::Error && !f.accepted)
            .count();
        out.push_str(&format!(
            "::notice title=godrift::{} more finding(s) ({errors} error(s)) are not annotated: see the job summary or the SARIF report\n",
            rest.len()
        ));
    }
    out
}

/// Annotations for a report (paths made repository-relative with `o`).
pub fn annotations(r: &Report, o: &SarifOptions) -> String {
    let fallback = r.default_file("host").unwrap_or_else(|| "go.mod".into());
    render(&r.findings, r, o, &fallback)
}

/// Annotations for `check`.
pub fn check_annotations(r: &CheckReport, o: &SarifOptions) -> String {
    render(&r.findings, r, o, &r.host.path.clone())
}

/// Markdown for the job summary, never over GitHub's 1 MiB (it is already capped far
/// below; this is the last guard).
pub fn summary(markdown: String) -> String {
    if markdown.len() <= MAX_SUMMARY_BYTES {
        return markdown;
    }
    let mut cut = MAX_SUMMARY_BYTES - 200;
    while !markdown.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}\n\n**The summary was cut at 1 MiB: see the full report.**\n",
        &markdown[..cut]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_values_are_encoded() {
        assert_eq!(data("50%\r\nx"), "50%25%0D%0Ax");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
