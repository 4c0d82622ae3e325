#![no_main]
//! godrift.toml: never panics; an error points inside the text; what parses serializes and
//! parses back to the same configuration.
use godrift::config::{parse, ConfigError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The CLI reads godrift.toml as UTF-8 text (fsio::read_text): nothing else reaches parse.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse("godrift.toml", text) {
        Ok(c) => {
            let s = toml::to_string(&c).expect("a parsed config serializes");
            let back = parse("godrift.toml", &s).expect("a serialized config parses");
            assert_eq!(format!("{back:?}"), format!("{c:?}"));
        }
        Err(ConfigError::Syntax { line, col, .. }) => {
            assert!(line >= 1 && col >= 1);
            assert!(line <= text.split('\n').count(), "line {line} past the end");
        }
        Err(e) => panic!("parse returned a non-syntax error: {e}"),
    }
});
