#![no_main]
//! go.work parser: never panics.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = godrift::gomod::parse_work("go.work", data);
});
