#![no_main]
//! vendor/modules.txt parser: never panics.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = godrift::vendor::parse_modules_txt("vendor/modules.txt", data);
});
