//! The terminal table: wrapped to the terminal's width when there is one, colored when
//! the caller says so (`--color`, NO_COLOR, CLICOLOR_FORCE are decided in the CLI).

use super::Report;
use crate::finding::Severity;
use crate::rules::binary::CheckReport;
use crate::rules::Verdict;
use crate::text::{block, line};
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, Color, ContentArrangement, Table};

/// The widest a table gets without a terminal.
pub const MAX_PIPE_WIDTH: u16 = 1000;

/// How the terminal looks: its width (None: no wrapping, as in a pipe) and whether to color.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub width: Option<u16>,
    pub color: bool,
}

impl Style {
    fn table(&self) -> Table {
        let mut t = Table::new();
        t.load_preset(UTF8_FULL_CONDENSED);
        // Without a terminal (a pipe, a file) a table is still bounded: every row is padded
        // to the widest, so one message naming hundreds of plugins would make the output
        // rows × that width (quadratic in plugins).
        t.set_content_arrangement(ContentArrangement::Dynamic);
        t.set_width(self.width.unwrap_or(MAX_PIPE_WIDTH));
        if self.color {
            t.enforce_styling();
        } else {
            t.force_no_tty();
        }
        t
    }

    fn cell(&self, text: String, color: Option<Color>) -> Cell {
        let c = Cell::new(text);
        match (self.color, color) {
            (true, Some(col)) => c.fg(col),
            _ => c,
        }
    }

    fn paint(&self, text: &str, color: &str) -> String {
        if self.color {
            format!("\x1b[{color}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Wraps the lines around the tables (proposals, notes) to the width, continuing a line
    /// two columns further in than it starts; tables are already sized, and lines holding
    /// a command are left whole.
    fn wrap(&self, text: String) -> String {
        // Without a terminal nothing is wrapped: the text as it is, not a copy.
        let Some(width) = self.width.map(usize::from) else {
            return text;
        };
        let mut out = String::with_capacity(text.len() + 64);
        for l in text.split_inclusive('\n') {
            let body = l.strip_suffix('\n').unwrap_or(l);
            let is_table = body.starts_with(['│', '┌', '└', '╞', '├', '┆']);
            // A shell command stays on one line, for copy and paste.
            let is_command = body.contains("(cd ") || body.contains("go build ");
            if is_table || is_command || body.chars().count() <= width {
                out.push_str(l);
                continue;
            }
            let indent = body.len() - body.trim_start().len() + 2;
            let mut col = 0;
            for (i, word) in body.split(' ').enumerate() {
                let w = word.chars().count();
                if i > 0 && col + 1 + w > width && col > indent {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent));
                    col = indent;
                } else if i > 0 {
                    out.push(' ');
                    col += 1;
                }
                out.push_str(word);
                col += w;
            }
            if l.ends_with('\n') {
                out.push('\n');
            }
        }
        out
    }

    fn verdict(&self, v: Verdict) -> Option<Color> {
        Some(match v {
            Verdict::Loads => Color::Green,
            Verdict::MayFail => Color::Yellow,
            Verdict::Fails => Color::Red,
        })
    }

    fn severity(&self, s: Severity) -> Option<Color> {
        Some(match s {
            Severity::Error => Color::Red,
            Severity::Warning => Color::Yellow,
            Severity::Info => Color::Blue,
        })
    }
}

/// The report as a plain table (no wrapping, no color).
pub fn table(r: &Report) -> String {
    table_styled(r, Style::default())
}

pub fn table_styled(r: &Report, st: Style) -> String {
    let head = match r.verdict {
        Verdict::Loads => "32",
        Verdict::MayFail => "33",
        Verdict::Fails => "1;31",
    };
    let mut out = format!(
        "godrift: {} — host {} ({})\n",
        st.paint(&r.verdict_shown(), head),
        line(&r.host.module),
        line(&r.host.dir)
    );
    let mut t = st.table();
    t.set_header(vec!["plugin", "dir", "verdict", "packages both link"]);
    for p in &r.plugins {
        t.add_row(vec![
            st.cell(line(&p.name).into_owned(), None),
            st.cell(line(&p.dir).into_owned(), None),
            st.cell(p.shown(), st.verdict(p.verdict)),
            st.cell(line(&p.packages_shown()).into_owned(), None),
        ]);
    }
    out.push_str(&format!("{t}\n"));
    if !r.findings.is_empty() {
        let mut t = st.table();
        t.set_header(vec!["code", "severity", "finding", "where"]);
        for f in &r.findings {
            let at = f
                .evidence
                .iter()
                .map(|e| {
                    let file = e.file.display().to_string();
                    match e.line {
                        Some(l) => format!("{}:{l}", line(&file)),
                        None => line(&file).into_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            t.add_row(vec![
                st.cell(f.code.to_string(), None),
                st.cell(f.severity_shown(), st.severity(f.severity)),
                st.cell(line(&f.message).into_owned(), None),
                st.cell(at, None),
            ]);
        }
        out.push_str(&format!("{t}\n"));
    }
    for p in &r.proposals {
        out.push_str(&format!(
            "align {} on {}:\n",
            line(&p.module),
            line(&p.target)
        ));
        for (side, chain) in &p.why {
            out.push_str(&format!("  why {}: {}\n", line(side), line(chain)));
        }
        if let Some(u) = &p.host_upgrade {
            let moves: Vec<String> = u
                .moves
                .iter()
                .map(|m| format!("{} {} -> {}", m.module, m.from, m.to))
                .collect();
            out.push_str(&format!(
                "  or rebuild the host with {} (wanted by {}): moves {}{}\n",
                line(&u.to),
                line(&u.required_by.join(", ")),
                line(&moves.join(", ")),
                if u.affects.is_empty() {
                    String::new()
                } else {
                    format!("; then align again: {}", line(&u.affects.join(", ")))
                }
            ));
        }
        for c in &p.changes {
            let command = if c.command.is_empty() {
                String::new()
            } else {
                format!(": {}", line(&c.command))
            };
            out.push_str(&format!(
                "  {} (now {}){command}\n",
                line(&c.artifact),
                line(&c.from)
            ));
            if let Some(n) = &c.note {
                out.push_str(&format!("    {}\n", line(n)));
            }
        }
    }
    if let Some(b) = &r.binary {
        out.push_str(&format!("built artifacts (host {}):\n", line(&b.host.path)));
        for p in &b.plugins {
            out.push_str(&format!(
                "  {}: {}{}\n",
                line(&p.path),
                p.verdict.as_str(),
                p.error
                    .as_deref()
                    .map(|e| format!(" — {}", line(e)))
                    .unwrap_or_default()
            ));
        }
    }
    for n in &r.notes {
        out.push_str(&format!("note: {}\n", line(n)));
    }
    st.wrap(out)
}

/// `check`'s report as a plain terminal table.
pub fn check_table(r: &CheckReport) -> String {
    check_table_styled(r, Style::default())
}

pub fn check_table_styled(r: &CheckReport, st: Style) -> String {
    let mut t = st.table();
    t.set_header(vec![
        "plugin",
        "verdict",
        "what plugin.Open says",
        "root cause",
    ]);
    for p in &r.plugins {
        let color = match p.verdict {
            crate::binary::Verdict::Loads => Color::Green,
            crate::binary::Verdict::Unknown => Color::Yellow,
            _ => Color::Red,
        };
        t.add_row(vec![
            st.cell(line(&p.path).into_owned(), None),
            st.cell(p.verdict.as_str().to_string(), Some(color)),
            st.cell(line(p.error.as_deref().unwrap_or("-")).into_owned(), None),
            st.cell(
                line(p.root_cause.as_deref().unwrap_or("-")).into_owned(),
                None,
            ),
        ]);
    }
    let mut out = format!(
        "host {} ({})\n{t}\n",
        line(&r.host.path),
        line(r.host.go_version.as_deref().unwrap_or("unknown Go"))
    );
    for f in &r.findings {
        out.push_str(&format!(
            "{} {} {}\n",
            f.code,
            f.severity.as_str(),
            line(&f.message)
        ));
        if let Some(fix) = &f.fix {
            out.push_str(&format!("    fix: {}\n", line(fix)));
        }
    }
    for p in r.plugins.iter().filter(|p| p.rebuild_with.is_some()) {
        out.push_str(&format!(
            "rebuild {} with the host's settings: {}\n",
            line(&p.path),
            block(p.rebuild_with.as_deref().unwrap_or(""))
        ));
    }
    st.wrap(out)
}

/// `report --base REV` in the terminal: each plugin with the host at REV and with this
/// change, then the report with this change.
pub fn base_table_styled(
    rev: &str,
    commit: &str,
    before: &[crate::rules::PluginVerdict],
    after: &Report,
    st: Style,
) -> String {
    let rows = super::base_rows(before, after);
    let broken = rows.iter().filter(|r| r.broken).count();
    let mut out = format!(
        "godrift: host change impact ({} at {} -> this change): {}\n",
        line(rev),
        line(commit),
        if broken == 0 {
            "no plugin that loaded stops loading".to_string()
        } else {
            st.paint(
                &format!("{broken} plugin(s) loaded and fail with this change"),
                "1;31",
            )
        }
    );
    let mut t = st.table();
    t.set_header(vec!["plugin", "at base", "now", "broken by this change"]);
    for r in &rows {
        t.add_row(vec![
            st.cell(line(r.name).into_owned(), None),
            st.cell(r.before.to_string(), None),
            st.cell(
                r.after.to_string(),
                r.broken.then_some(Color::Red).or(Some(Color::Green)),
            ),
            st.cell(if r.broken { "yes" } else { "no" }.to_string(), None),
        ]);
    }
    out.push_str(&format!("{t}\n\n"));
    out.push_str(&table_styled(after, st));
    out
}
