//! The terminal tables, written row by row: the layout comfy-table's `UTF8_FULL_CONDENSED`
//! preset with dynamic arrangement gives (the reports looked like that from the start, and
//! `tests/table_layout.rs` checks the output is byte for byte the same), computed in one
//! pass over the cells and written straight to the output, without a copy of each cell, row
//! and line in between (a report on hundreds of plugins has tens of thousands of rows).
//!
//! The layout: every column as wide as its widest line plus one space each side; when that
//! exceeds the width, columns narrower than the average share keep their width, the others
//! are word-wrapped (a word longer than a line is cut) at the width left for them.

use std::borrow::Cow;
use std::io::{self, Write};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// A cell's foreground color (the 256-color codes of the bright ANSI colors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Red,
    Green,
    Yellow,
    Blue,
}

impl Color {
    fn sgr(self) -> &'static str {
        match self {
            Color::Red => "\x1b[38;5;9m",
            Color::Green => "\x1b[38;5;10m",
            Color::Yellow => "\x1b[38;5;11m",
            Color::Blue => "\x1b[38;5;12m",
        }
    }
}

const RESET_FG: &str = "\x1b[39m";
/// Space each side of a cell's text.
const PAD: usize = 1;
/// A wrapped line ends once less than this much room is left (comfy-table's MIN_FREE_CHARS).
const MIN_FREE: usize = 2;

/// One cell: its text (lines separated by '\n') and color.
pub struct Cell<'a> {
    pub text: Cow<'a, str>,
    pub color: Option<Color>,
}

impl<'a> Cell<'a> {
    pub fn new(text: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell {
            text: text.into(),
            color: None,
        }
    }

    pub fn colored(text: impl Into<Cow<'a, str>>, color: Option<Color>) -> Cell<'a> {
        Cell {
            text: text.into(),
            color,
        }
    }
}

/// Display width: the byte length for printable ASCII (nearly every cell), else Unicode's.
fn width(s: &str) -> usize {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        s.len()
    } else {
        s.width()
    }
}

/// A table: a header and rows of cells, all with the header's number of columns.
pub struct Grid<'a> {
    header: Vec<&'a str>,
    rows: Vec<Vec<Cell<'a>>>,
}

impl<'a> Grid<'a> {
    pub fn new(header: &[&'a str]) -> Grid<'a> {
        Grid {
            header: header.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell<'a>>) {
        self.rows.push(cells);
    }

    /// Every line of column `c`, the header's first.
    fn column_lines(&self, c: usize) -> impl Iterator<Item = &str> {
        std::iter::once(self.header[c]).chain(
            self.rows
                .iter()
                .filter_map(move |r| r.get(c))
                .flat_map(|cell| cell.text.split('\n')),
        )
    }

    /// The width of each column's text for a table at most `total` wide (borders and
    /// padding included).
    fn arrange(&self, total: usize) -> Vec<usize> {
        let n = self.header.len();
        let widest: Vec<usize> = (0..n)
            .map(|c| self.column_lines(c).map(width).max().unwrap_or(0).max(1))
            .collect();
        let mut fixed: Vec<Option<usize>> = vec![None; n];
        // Borders: one left, one right, one between columns.
        let mut left = total.saturating_sub(n + 1).saturating_sub(2 * PAD * n);
        let mut open = n;
        // A column fixed at `w`: the width left and the open columns shrink; the new
        // average share, None once no column is open.
        let fix = |left: &mut usize, open: &mut usize, w: usize| {
            *left = left.saturating_sub(w);
            *open -= 1;
            left.checked_div(*open)
        };
        // Columns no wider than the average share keep their width; the share grows as
        // they leave.
        let mut again = true;
        while again && open > 0 {
            again = false;
            let mut average = left / open;
            if average == 0 {
                break;
            }
            for (slot, &w) in fixed.iter_mut().zip(&widest) {
                if slot.is_some() || w > average {
                    continue;
                }
                *slot = Some(w);
                match fix(&mut left, &mut open, w) {
                    Some(a) => average = a,
                    None => break,
                }
                again = true;
            }
        }
        // The others: a column whose text, wrapped at the average share, leaves at least 3
        // columns of it unused takes only what it uses.
        if let Some(mut average) = left.checked_div(open) {
            loop {
                let mut again = false;
                for (c, slot) in fixed.iter_mut().enumerate() {
                    if slot.is_some() {
                        continue;
                    }
                    let longest = self.longest_after_wrap(c, average);
                    if average.saturating_sub(longest) >= 3 {
                        *slot = Some(longest.max(1));
                        match fix(&mut left, &mut open, longest) {
                            Some(a) => average = a,
                            None => break,
                        }
                        again = true;
                    }
                }
                if !again {
                    break;
                }
            }
        }
        // What is left is shared out evenly, the first columns taking the remainder.
        let left = left.max(open);
        if let Some(average) = left.checked_div(open) {
            let mut excess = left - average * open;
            for w in fixed.iter_mut().filter(|w| w.is_none()) {
                let extra = usize::from(excess > 0);
                excess -= extra;
                *w = Some((average + extra).max(1));
            }
        }
        fixed.into_iter().map(|w| w.unwrap_or(1)).collect()
    }

    /// The longest line (in bytes, as comfy-table measures it there) of column `c` once
    /// wrapped at `room`.
    fn longest_after_wrap(&self, c: usize, room: usize) -> usize {
        let mut longest = 0;
        let mut parts = Vec::new();
        for line in self.column_lines(c) {
            if width(line) > room {
                parts.clear();
                wrap(line, room.max(1), &mut parts);
                longest = parts.iter().map(|p| p.len()).fold(longest, usize::max);
            } else {
                longest = longest.max(line.len());
            }
        }
        longest
    }

    /// Writes the table, at most `total` columns wide, each line ended by a newline;
    /// `color`: cells with a color are painted.
    pub fn write(&self, w: &mut dyn Write, total: usize, color: bool) -> io::Result<()> {
        let widths = self.arrange(total);
        let rule = |w: &mut dyn Write, l: &str, fill: &str, mid: &str, r: &str| {
            let mut s = String::with_capacity(4 * (total + 4));
            s.push_str(l);
            for (i, cw) in widths.iter().enumerate() {
                if i > 0 {
                    s.push_str(mid);
                }
                for _ in 0..cw + 2 * PAD {
                    s.push_str(fill);
                }
            }
            s.push_str(r);
            s.push('\n');
            w.write_all(s.as_bytes())
        };
        rule(w, "┌", "─", "┬", "┐")?;
        let header: Vec<Cell> = self.header.iter().map(|h| Cell::new(*h)).collect();
        let mut buf = String::new();
        self.write_row(w, &mut buf, &header, &widths, false)?;
        rule(w, "╞", "═", "╪", "╡")?;
        for r in &self.rows {
            self.write_row(w, &mut buf, r, &widths, color)?;
        }
        rule(w, "└", "─", "┴", "┘")
    }

    fn write_row(
        &self,
        w: &mut dyn Write,
        buf: &mut String,
        cells: &[Cell],
        widths: &[usize],
        color: bool,
    ) -> io::Result<()> {
        // Each cell's lines, wrapped to its column.
        let lines: Vec<Vec<Cow<str>>> = widths
            .iter()
            .enumerate()
            .map(|(c, &cw)| {
                let mut out = Vec::new();
                if let Some(cell) = cells.get(c) {
                    for l in cell.text.split('\n') {
                        if width(l) > cw {
                            wrap(l, cw, &mut out);
                        } else {
                            out.push(Cow::Borrowed(l));
                        }
                    }
                }
                out
            })
            .collect();
        let height = lines.iter().map(Vec::len).max().unwrap_or(0);
        for i in 0..height {
            buf.clear();
            buf.push('│');
            for (c, &cw) in widths.iter().enumerate() {
                if c > 0 {
                    buf.push('┆');
                }
                let Some(text) = lines[c].get(i) else {
                    // A cell with fewer lines than its row: blank, never painted.
                    push_spaces(buf, cw + 2 * PAD);
                    continue;
                };
                let paint = cells.get(c).and_then(|cell| cell.color).filter(|_| color);
                if let Some(p) = paint {
                    buf.push_str(p.sgr());
                }
                push_spaces(buf, PAD);
                buf.push_str(text);
                push_spaces(buf, cw.saturating_sub(width(text)) + PAD);
                if paint.is_some() {
                    buf.push_str(RESET_FG);
                }
            }
            buf.push_str("│\n");
            w.write_all(buf.as_bytes())?;
        }
        Ok(())
    }
}

fn push_spaces(s: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let k = n.min(SPACES.len());
        s.push_str(&SPACES[..k]);
        n -= k;
    }
}

/// A line wider than `room`, word-wrapped into `out` (comfy-table's `split_line`): words
/// are separated by single spaces; a word that does not fit on a line with room for it is
/// cut at the room left (at a grapheme boundary), and a line ends once less than
/// MIN_FREE columns of it are left.
fn wrap<'s>(line: &'s str, room: usize, out: &mut Vec<Cow<'s, str>>) {
    // The words to place, the next on top.
    let mut words: Vec<&str> = line.split(' ').collect();
    words.reverse();
    let mut cur = String::new();
    // `cur`'s width: added up while it is printable ASCII, else measured again.
    let mut cur_w = 0;
    let printable = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b));
    let mut cur_ascii = true;
    let full = |cur: &mut String, cur_w: &mut usize, out: &mut Vec<Cow<'s, str>>| {
        if *cur_w > room.saturating_sub(MIN_FREE) {
            out.push(Cow::Owned(std::mem::take(cur)));
            *cur_w = 0;
        }
    };
    while let Some(next) = words.pop() {
        let next_w = width(next);
        let gap = usize::from(!cur.is_empty());
        let left = room.saturating_sub(cur_w).saturating_sub(gap);
        if cur_w + gap + next_w <= room {
            if gap == 1 {
                cur.push(' ');
            }
            cur.push_str(next);
            cur_ascii &= printable(next);
            cur_w = if cur_ascii {
                cur_w + gap + next_w
            } else {
                width(&cur)
            };
            full(&mut cur, &mut cur_w, out);
            if cur.is_empty() {
                cur_ascii = true;
            }
            continue;
        }
        if gap == 1 && left <= MIN_FREE {
            words.push(next);
            out.push(Cow::Owned(std::mem::take(&mut cur)));
            cur_w = 0;
            cur_ascii = true;
            continue;
        }
        if next_w > room {
            let fresh = cur.is_empty();
            if !fresh {
                cur.push(' ');
            }
            let (mut head, mut rest) = cut(next, left);
            if fresh && head.is_empty() {
                // Not even one grapheme fits: one character goes anyway.
                let first = next.chars().next().map_or(0, char::len_utf8);
                head = &next[..first];
                rest = &next[first..];
            }
            cur.push_str(head);
            words.push(rest);
            out.push(Cow::Owned(std::mem::take(&mut cur)));
            cur_w = 0;
            cur_ascii = true;
            continue;
        }
        out.push(Cow::Owned(std::mem::take(&mut cur)));
        cur.push_str(next);
        cur_w = next_w;
        cur_ascii = printable(next);
        full(&mut cur, &mut cur_w, out);
        if cur.is_empty() {
            cur_ascii = true;
        }
    }
    if !cur.is_empty() {
        out.push(Cow::Owned(cur));
    }
}

/// `word` cut after as many graphemes as fit in `room` columns.
fn cut(word: &str, room: usize) -> (&str, &str) {
    let mut used = 0;
    let mut at = 0;
    for (i, g) in word.grapheme_indices(true) {
        let gw = g.width();
        if used + gw > room {
            break;
        }
        used += gw;
        at = i + g.len();
    }
    word.split_at(at)
}
