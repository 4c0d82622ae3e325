#![no_main]
//! ELF readers (package hashes, relocations, build info; the dynamic loader's view: class,
//! machine, NEEDED, needed versions): never panic on arbitrary bytes.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = godrift::binary::read_bytes(std::path::Path::new("fuzz.so"), data);
    let _ = godrift::binary::loader::read_bytes(data);
});
