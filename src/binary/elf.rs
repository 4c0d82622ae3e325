//! ELF reading: the per-package export-data hashes a Go host or plugin carries in `.dynsym`,
//! in the order the runtime compares them, plus the raw bytes needed by build-info parsing.

use object::read::{Object, ObjectSegment, ObjectSymbol, ObjectSymbolTable, RelocationTarget};
use object::{BinaryFormat, Endianness};
use std::collections::BTreeMap;

/// Why a file cannot be read as a Go ELF artifact.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ElfError {
    #[error("not an ELF file")]
    NotElf,
    #[error("malformed ELF: {0}")]
    Malformed(String),
}

/// Symbol prefixes of the 8-byte package hashes: `go:link.` since Go 1.20, `go.link.` before.
const HASHBYTES_PREFIXES: [&str; 2] = ["go:link.pkghashbytes.", "go.link.pkghashbytes."];
/// Prefixes of the string headers (`go:link.pkghash.<pkg>`) the plugin's pkghashes table
/// points at; their relocation order is the runtime's comparison order.
const HASHSTR_PREFIXES: [&str; 2] = ["go:link.pkghash.", "go.link.pkghash."];

/// What binary mode needs from one ELF file.
#[derive(Clone, Debug, Default)]
pub struct GoElf {
    /// The file has a dynamic section (is dynamically linked).
    pub dynamic: bool,
    /// `ET_DYN` (shared object or PIE).
    pub shared_object: bool,
    pub is_64: bool,
    pub little_endian: bool,
    /// Package path -> 8-byte export-data hash, from `.dynsym`.
    pub pkghashes: BTreeMap<String, [u8; 8]>,
    /// Packages in the order the runtime checks them (a plugin's `pkghashes` table), when the
    /// dynamic relocations reveal it; otherwise by symbol address (the linker's layout order).
    pub order: Vec<String>,
    /// Go ≤ 1.15 hex SHA-1 hash strings were seen (unsupported format).
    pub legacy_hash_format: bool,
    /// Contents of `.go.buildinfo` or, failing that, of the first writable non-executable
    /// segment (Go's own fallback), with its virtual address.
    pub buildinfo_region: Option<(u64, Vec<u8>)>,
    /// Loadable segments: (vaddr, file offset, file size), to resolve pointers.
    pub segments: Vec<(u64, u64, u64)>,
}

impl GoElf {
    /// Reads the file bytes at a virtual address, if mapped from the file.
    pub fn read_vaddr<'a>(&self, data: &'a [u8], addr: u64, len: u64) -> Option<&'a [u8]> {
        for &(vaddr, off, size) in &self.segments {
            if addr >= vaddr && addr.checked_add(len)? <= vaddr.checked_add(size)? {
                let start = off.checked_add(addr - vaddr)?;
                let end = start.checked_add(len)?;
                return data.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?);
            }
        }
        None
    }

    /// Whether any Go package hash was found.
    pub fn has_go_hashes(&self) -> bool {
        !self.pkghashes.is_empty()
    }
}

fn strip_prefix<'a>(name: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| name.strip_prefix(p))
}

/// Parses an ELF image. Never panics on malformed input.
pub fn parse(data: &[u8]) -> Result<GoElf, ElfError> {
    if data.len() < 4 || &data[..4] != b"\x7fELF" {
        return Err(ElfError::NotElf);
    }
    let file = object::File::parse(data).map_err(|e| ElfError::Malformed(e.to_string()))?;
    if file.format() != BinaryFormat::Elf {
        return Err(ElfError::NotElf);
    }
    let mut out = GoElf {
        is_64: file.is_64(),
        little_endian: file.endianness() == Endianness::Little,
        shared_object: file.kind() == object::ObjectKind::Dynamic,
        ..GoElf::default()
    };
    for seg in file.segments() {
        let (off, size) = seg.file_range();
        if size > 0 {
            out.segments.push((seg.address(), off, size));
        }
    }
    out.dynamic =
        file.section_by_name(".dynamic").is_some() || file.dynamic_symbol_table().is_some();

    let mut by_addr: Vec<(u64, String)> = Vec::new();
    if let Some(dynsyms) = file.dynamic_symbol_table() {
        for sym in dynsyms.symbols() {
            let Ok(name) = sym.name() else { continue };
            if sym.is_undefined() {
                continue;
            }
            if let Some(pkg) = strip_prefix(name, &HASHBYTES_PREFIXES) {
                let Some(bytes) = out.read_vaddr(data, sym.address(), 8) else {
                    return Err(ElfError::Malformed(format!(
                        "symbol {name} points outside the file"
                    )));
                };
                let mut h = [0u8; 8];
                h.copy_from_slice(bytes);
                out.pkghashes.insert(pkg.to_string(), h);
                by_addr.push((sym.address(), pkg.to_string()));
            } else if let Some(_pkg) = strip_prefix(name, &HASHSTR_PREFIXES) {
                // Go ≤ 1.15 stored a 40-char hex SHA-1 string here, with no pkghashbytes.
                if sym.size() == 40 {
                    out.legacy_hash_format = true;
                }
            }
        }
        // Comparison order: relocations of the pkghashes table against the string headers.
        let mut relocs: Vec<(u64, String)> = Vec::new();
        if let Some(iter) = file.dynamic_relocations() {
            for (offset, rel) in iter {
                if let RelocationTarget::Symbol(idx) = rel.target() {
                    if let Ok(sym) = dynsyms.symbol_by_index(idx) {
                        if let Ok(name) = sym.name() {
                            if let Some(pkg) = strip_prefix(name, &HASHSTR_PREFIXES) {
                                relocs.push((offset, pkg.to_string()));
                            }
                        }
                    }
                }
            }
        }
        relocs.sort();
        relocs.dedup_by(|a, b| a.1 == b.1);
        if !relocs.is_empty() && relocs.iter().all(|(_, p)| out.pkghashes.contains_key(p)) {
            out.order = relocs.into_iter().map(|(_, p)| p).collect();
        }
    }
    if out.order.len() != out.pkghashes.len() {
        by_addr.sort();
        out.order = by_addr.into_iter().map(|(_, p)| p).collect();
    }

    // Build info region: the named section, else the first writable non-executable segment.
    if let Some(sec) = file.section_by_name(".go.buildinfo") {
        use object::ObjectSection;
        if let Ok(d) = sec.data() {
            out.buildinfo_region = Some((sec.address(), d.to_vec()));
        }
    }
    if out.buildinfo_region.is_none() {
        if let object::File::Elf64(ref f) = file {
            out.buildinfo_region = writable_segment(f.elf_program_headers(), f.endian(), data);
        } else if let object::File::Elf32(ref f) = file {
            out.buildinfo_region = writable_segment(f.elf_program_headers(), f.endian(), data);
        }
    }
    Ok(out)
}

fn writable_segment<P: object::read::elf::ProgramHeader<Endian = Endianness>>(
    phdrs: &[P],
    endian: Endianness,
    data: &[u8],
) -> Option<(u64, Vec<u8>)> {
    use object::elf::{PF_W, PF_X, PT_LOAD};
    for ph in phdrs {
        let flags = ph.p_flags(endian);
        if ph.p_type(endian) == PT_LOAD && flags & PF_W != 0 && flags & PF_X == 0 {
            let off: u64 = ph.p_offset(endian).into();
            let size: u64 = ph.p_filesz(endian).into();
            let bytes = data
                .get(usize::try_from(off).ok()?..usize::try_from(off.checked_add(size)?).ok()?)?;
            return Some((ph.p_vaddr(endian).into(), bytes.to_vec()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_elf() {
        assert_eq!(parse(b"").unwrap_err(), ElfError::NotElf);
        assert_eq!(parse(b"MZ\x90\x00garbage").unwrap_err(), ElfError::NotElf);
    }

    #[test]
    fn truncated_elf_is_an_error_not_a_panic() {
        let mut hdr = b"\x7fELF\x02\x01\x01\x00".to_vec();
        hdr.resize(20, 0);
        assert!(matches!(parse(&hdr), Err(ElfError::Malformed(_))));
        // Every prefix of a real ELF header must be handled.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        for len in [0, 4, 16, 52, 63, 64, 65, 200, 4096] {
            let _ = parse(&exe[..len.min(exe.len())]);
        }
    }

    #[test]
    fn garbage_after_magic_never_panics() {
        let mut state = 0x1234_5678_u32;
        for _ in 0..200 {
            let mut buf = b"\x7fELF\x02\x01\x01".to_vec();
            for _ in 0..300 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                buf.push(state as u8);
            }
            let _ = parse(&buf);
        }
    }
}
