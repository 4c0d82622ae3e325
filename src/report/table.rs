//! The terminal table: wrapped to the terminal's width when there is one, colored when
//! the caller says so (`--color`, NO_COLOR, CLICOLOR_FORCE are decided in the CLI).

use super::grid::{Cell, Color, Grid};
use super::Report;
use crate::finding::Severity;
use crate::rules::binary::CheckReport;
use crate::rules::Verdict;
use crate::text::{block, line};
use std::io::{self, Write};

/// The widest a table gets without a terminal.
pub const MAX_PIPE_WIDTH: u16 = 1000;

/// How the terminal looks: its width (None: no wrapping, as in a pipe) and whether to color.
#[derive(Clone, Copy, Debug, Default)]
pub struct Style {
    pub width: Option<u16>,
    pub color: bool,
}

/// Text and tables on their way out: text lines are wrapped to the terminal's width (see
/// `Style::wrap_line`), tables are sized by `Grid`.
struct Sink<'w> {
    st: Style,
    w: &'w mut dyn Write,
}

impl Sink<'_> {
    fn text(&mut self, text: &str) -> io::Result<()> {
        let Some(width) = self.st.width.map(usize::from) else {
            // Without a terminal nothing is wrapped.
            return self.w.write_all(text.as_bytes());
        };
        let mut out = String::with_capacity(text.len() + 64);
        for l in text.split_inclusive('\n') {
            wrap_line(l, width, &mut out);
        }
        self.w.write_all(out.as_bytes())
    }

    /// A table (without a terminal, still bounded: every row is padded to the widest, so one
    /// message naming hundreds of plugins would make the output rows × that width).
    fn table(&mut self, g: &Grid) -> io::Result<()> {
        let total = usize::from(self.st.width.unwrap_or(MAX_PIPE_WIDTH));
        g.write(self.w, total, self.st.color)
    }
}

/// Wraps one line of the text around the tables (proposals, notes) to `width`, continuing
/// two columns further in than it starts; lines holding a command are left whole.
fn wrap_line(l: &str, width: usize, out: &mut String) {
    let body = l.strip_suffix('\n').unwrap_or(l);
    let is_table = body.starts_with(['│', '┌', '└', '╞', '├', '┆']);
    // A shell command stays on one line, for copy and paste.
    let is_command = body.contains("(cd ") || body.contains("go build ");
    if is_table || is_command || body.chars().count() <= width {
        out.push_str(l);
        return;
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

impl Style {
    fn paint(&self, text: &str, color: &str) -> String {
        if self.color {
            format!("\x1b[{color}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
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

/// Runs a writer into a string (the renderers write valid UTF-8 only).
fn to_string(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> String {
    let mut buf = Vec::new();
    // Writing to memory cannot fail.
    let _ = f(&mut buf);
    String::from_utf8(buf).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The report as a plain table (no wrapping, no color).
pub fn table(r: &Report) -> String {
    table_styled(r, Style::default())
}

pub fn table_styled(r: &Report, st: Style) -> String {
    to_string(|w| write_table(r, st, w))
}

/// `table_styled`, written to `w` as it is laid out (a report on hundreds of plugins is
/// tens of megabytes of table).
pub fn write_table(r: &Report, st: Style, w: &mut dyn Write) -> io::Result<()> {
    let mut sink = Sink { st, w };
    let head = match r.verdict {
        Verdict::Loads => "32",
        Verdict::MayFail => "33",
        Verdict::Fails => "1;31",
    };
    sink.text(&format!(
        "godrift: {} — host {} ({})\n",
        st.paint(&r.verdict_shown(), head),
        line(&r.host.module),
        line(&r.host.dir)
    ))?;
    let mut t = Grid::new(&["plugin", "dir", "verdict", "packages both link"]);
    for p in &r.plugins {
        t.row(vec![
            Cell::new(line(&p.name)),
            Cell::new(line(&p.dir)),
            Cell::colored(p.shown(), st.verdict(p.verdict)),
            Cell::new(line(&p.packages_shown()).into_owned()),
        ]);
    }
    sink.table(&t)?;
    if !r.findings.is_empty() {
        let mut t = Grid::new(&["code", "severity", "finding", "where"]);
        for f in &r.findings {
            let mut at = String::new();
            for (i, e) in f.evidence.iter().enumerate() {
                if i > 0 {
                    at.push('\n');
                }
                let file = e.file.to_string_lossy();
                at.push_str(&line(&file));
                if let Some(l) = e.line {
                    at.push_str(&format!(":{l}"));
                }
            }
            t.row(vec![
                Cell::new(f.code.as_str()),
                Cell::colored(f.severity_shown(), st.severity(f.severity)),
                Cell::new(line(&f.message)),
                Cell::new(at),
            ]);
        }
        sink.table(&t)?;
    }
    let mut out = String::new();
    for p in &r.proposals {
        out.clear();
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
        sink.text(&out)?;
    }
    out.clear();
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
    sink.text(&out)
}

/// `check`'s report as a plain terminal table.
pub fn check_table(r: &CheckReport) -> String {
    check_table_styled(r, Style::default())
}

pub fn check_table_styled(r: &CheckReport, st: Style) -> String {
    to_string(|w| {
        let mut sink = Sink { st, w };
        sink.text(&format!(
            "host {} ({})\n",
            line(&r.host.path),
            line(r.host.go_version.as_deref().unwrap_or("unknown Go"))
        ))?;
        let mut t = Grid::new(&["plugin", "verdict", "what plugin.Open says", "root cause"]);
        for p in &r.plugins {
            let color = match p.verdict {
                crate::binary::Verdict::Loads => Color::Green,
                crate::binary::Verdict::Unknown => Color::Yellow,
                _ => Color::Red,
            };
            t.row(vec![
                Cell::new(line(&p.path)),
                Cell::colored(p.verdict.as_str(), Some(color)),
                Cell::new(line(p.error.as_deref().unwrap_or("-"))),
                Cell::new(line(p.root_cause.as_deref().unwrap_or("-"))),
            ]);
        }
        sink.table(&t)?;
        let mut out = String::new();
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
        sink.text(&out)
    })
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
    to_string(|w| {
        // The impact line and its table are not wrapped; the report after them is.
        writeln!(
            w,
            "godrift: host change impact ({} at {} -> this change): {}",
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
        )?;
        let mut t = Grid::new(&["plugin", "at base", "now", "broken by this change"]);
        for r in &rows {
            t.row(vec![
                Cell::new(line(r.name)),
                Cell::new(r.before.to_string()),
                Cell::colored(
                    r.after.to_string(),
                    Some(if r.broken { Color::Red } else { Color::Green }),
                ),
                Cell::new(if r.broken { "yes" } else { "no" }),
            ]);
        }
        Sink { st, w }.table(&t)?;
        w.write_all(b"\n")?;
        write_table(after, st, w)
    })
}
