#![no_main]
//! ELF reader (package hashes, relocations, build info): never panics on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = godrift::binary::read_bytes(std::path::Path::new("fuzz.so"), data);
});
