//! The README's findings section is generated from the code table (`src/codes.rs`): this test
//! fails when it is stale, and rewrites it with `GODRIFT_BLESS=1`.

use std::path::Path;

const BEGIN: &str = "<!-- codes:begin -->\n";
const END: &str = "<!-- codes:end -->";

#[test]
fn readme_findings_section_is_generated_from_the_code_table() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let text = std::fs::read_to_string(&path).expect("README.md");
    let a = text.find(BEGIN).expect("README has the codes:begin marker") + BEGIN.len();
    let b = text.find(END).expect("README has the codes:end marker");
    let want = godrift::codes::readme_section();
    if text[a..b] == want {
        return;
    }
    if std::env::var_os("GODRIFT_BLESS").is_some() {
        let fresh = format!("{}{}{}", &text[..a], want, &text[b..]);
        std::fs::write(&path, fresh).expect("write README.md");
        return;
    }
    panic!("README.md's findings section is stale: run `GODRIFT_BLESS=1 cargo test --test readme`");
}

/// (The README holds exactly this section: see the test above.)
#[test]
fn every_code_is_documented_once_in_the_generated_section() {
    let text = godrift::codes::readme_section();
    for c in godrift::codes::Code::all() {
        let heading = format!("#### {} {}\n", c.as_str(), c.name());
        assert_eq!(text.matches(&heading).count(), 1, "{heading}");
    }
}
