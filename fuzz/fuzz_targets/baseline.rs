#![no_main]
//! Baseline JSON (`--baseline`): never panics; what parses serializes and parses back to the
//! same accepted set.
use godrift::baseline::Baseline;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The CLI reads the baseline as UTF-8 text (fsio::read_text).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(b) = Baseline::parse(text) {
        let s = serde_json::to_string_pretty(&b).expect("a parsed baseline serializes");
        let back = Baseline::parse(&s).expect("a serialized baseline parses");
        assert_eq!(back.schema_version, b.schema_version);
        assert_eq!(back.accepted, b.accepted);
    }
});
