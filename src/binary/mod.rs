//! Binary mode: reads built host executables and plugin `.so` files (ELF), their
//! per-package export-data hashes (`go:link.pkghashbytes.<pkg>`) and build info, and gives
//! the load verdict the Go runtime would.

pub mod buildinfo;
pub mod elf;

/// Fuzz entry: parses arbitrary bytes as ELF and build info. Must never panic.
pub fn fuzz_read(data: &[u8]) {
    if let Ok(elf) = elf::parse(data) {
        let _ = buildinfo::read(&elf, data);
    }
}
