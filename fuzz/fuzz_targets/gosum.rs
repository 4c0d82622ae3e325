#![no_main]
//! go.sum parser: never panics.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = godrift::gosum::parse("go.sum", data);
});
