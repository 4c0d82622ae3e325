//! The terminal tables (`godrift::report::grid`) are laid out byte for byte as comfy-table
//! lays them out with the preset and arrangement the reports used before they were written
//! row by row: random cells (words, long words, several lines, empty cells, wide and
//! combining characters, colors) at random widths, compared with comfy-table's output.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use godrift::report::grid::{Cell, Color, Grid};
use proptest::prelude::*;

fn comfy(
    header: &[&str],
    rows: &[Vec<(String, Option<Color>)>],
    width: u16,
    color: bool,
) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    t.set_width(width);
    if color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t.set_header(header.to_vec());
    for r in rows {
        t.add_row(
            r.iter()
                .map(|(text, c)| {
                    let cell = comfy_table::Cell::new(text);
                    match (color, c) {
                        (true, Some(Color::Red)) => cell.fg(comfy_table::Color::Red),
                        (true, Some(Color::Green)) => cell.fg(comfy_table::Color::Green),
                        (true, Some(Color::Yellow)) => cell.fg(comfy_table::Color::Yellow),
                        (true, Some(Color::Blue)) => cell.fg(comfy_table::Color::Blue),
                        _ => cell,
                    }
                })
                .collect::<Vec<_>>(),
        );
    }
    format!("{t}\n")
}

fn ours(header: &[&str], rows: &[Vec<(String, Option<Color>)>], width: u16, color: bool) -> String {
    let mut g = Grid::new(header);
    for r in rows {
        g.row(
            r.iter()
                .map(|(text, c)| Cell::colored(text.as_str(), *c))
                .collect(),
        );
    }
    let mut out = Vec::new();
    g.write(&mut out, usize::from(width), color).unwrap();
    String::from_utf8(out).unwrap()
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z0-9./@:-]{1,12}",
        1 => "[a-z]{20,90}",
        1 => Just(String::new()),
        1 => Just("—".to_string()),
        1 => Just("日本語".to_string()),
        1 => Just("e\u{301}té".to_string()),
        1 => Just("🙂x".to_string()),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(word(), 0..12).prop_map(|w| w.join(" ")),
        1 => prop::collection::vec(word(), 0..40).prop_map(|w| w.join(" ")),
        1 => prop::collection::vec("[a-z/.:0-9]{1,30}", 1..4).prop_map(|l| l.join("\n")),
    ]
}

fn color() -> impl Strategy<Value = Option<Color>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some(Color::Red)),
        1 => Just(Some(Color::Green)),
        1 => Just(Some(Color::Yellow)),
        1 => Just(Some(Color::Blue)),
    ]
}

fn rows() -> impl Strategy<Value = Vec<Vec<(String, Option<Color>)>>> {
    prop::collection::vec(prop::collection::vec((text(), color()), 4), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn grid_matches_comfy_table(
        rows in rows(),
        width in prop_oneof![20u16..140, Just(1000u16)],
        colored in any::<bool>(),
    ) {
        let header = ["code", "severity", "finding", "where"];
        prop_assert_eq!(ours(&header, &rows, width, colored), comfy(&header, &rows, width, colored));
    }
}

/// The shapes reports produce: a long finding beside short cells, at terminal widths and
/// without a terminal.
#[test]
fn report_shaped_tables_match() {
    let long = (0..300)
        .map(|i| {
            format!(
                "p{i} fails if opened after p0 (whether both link a package of it is not known);"
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let rows = vec![
        vec![
            ("GD001".to_string(), None),
            ("error".to_string(), Some(Color::Red)),
            (long, None),
            (String::new(), None),
        ],
        vec![
            ("GD001".to_string(), None),
            ("warning".to_string(), Some(Color::Yellow)),
            (
                "example.com/m101 is v1.1.0 in host but v1.0.0 in p14".to_string(),
                None,
            ),
            ("host/go.mod:6\nplugins/p14/go.mod:5".to_string(), None),
        ],
    ];
    let header = ["code", "severity", "finding", "where"];
    for width in [20, 40, 80, 120, 200, 1000] {
        for colored in [false, true] {
            assert_eq!(
                ours(&header, &rows, width, colored),
                comfy(&header, &rows, width, colored),
                "width {width}, color {colored}"
            );
        }
    }
}
