//! Reading a Go host executable or plugin (ELF): the per-package export-data hashes the
//! runtime compares (`go:link.pkghashbytes.<pkg>`, `go.link.` before Go 1.20), the order
//! in which a plugin's runtime checks them, and the build info.

use super::buildinfo::{self, BuildInfo};
use object::read::elf::{ElfFile, FileHeader};
use object::{
    Object, ObjectSection, ObjectSegment, ObjectSymbol, ObjectSymbolTable, RelocationTarget,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: not an ELF file ({reason})", crate::fsio::shown(path))]
    NotElf { path: PathBuf, reason: String },
    /// Read through the bounded reader: devices, FIFOs and runaway sizes are refused.
    #[error("{0}")]
    Fs(#[from] crate::fsio::FsError),
}

/// What godrift read from one artifact.
#[derive(Clone, Debug, Default)]
pub struct Artifact {
    pub path: PathBuf,
    /// Has a dynamic section (a host must, to load plugins).
    pub dynamic: bool,
    /// package path -> 8-byte export-data hash.
    pub hashes: BTreeMap<String, [u8; 8]>,
    /// Packages in the order the runtime's plugin check visits them (the plugin's
    /// moduledata `pkghashes` array); empty when it could not be recovered.
    pub check_order: Vec<String>,
    pub build_info: Option<BuildInfo>,
    /// Go <= 1.15 stored 40-hex-digit SHA-1 strings in `go.link.pkghash.<pkg>` instead of
    /// 8-byte `pkghashbytes`; that format is not supported (its presence is reported).
    pub legacy_hash_format: bool,
    /// Set for executables, which dlopen refuses: glibc's reason, e.g. `cannot dynamically
    /// load executable` (ET_EXEC) or `... position-independent executable` (DF_1_PIE).
    pub dlopen_refusal: Option<&'static str>,
}

const PREFIXES: [&str; 2] = ["go:link.pkghashbytes.", "go.link.pkghashbytes."];
const HASH_PREFIXES: [&str; 2] = ["go:link.pkghash.", "go.link.pkghash."];

fn strip_any<'a>(name: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes.iter().find_map(|p| name.strip_prefix(p))
}

/// Reads bytes at a virtual address from the section that holds it (None for NOBITS).
fn read_at<'d, F: Object<'d>>(file: &F, addr: u64, len: u64) -> Option<&'d [u8]> {
    for s in file.sections() {
        let (start, size) = (s.address(), s.size());
        if addr >= start && addr.checked_add(len)? <= start + size {
            let data = s.data().ok()?;
            let off = usize::try_from(addr - start).ok()?;
            return data.get(off..off + usize::try_from(len).ok()?);
        }
    }
    None
}

/// Whether dlopen refuses this file as an executable (glibc's wording).
fn executable_kind<H: FileHeader<Endian = object::Endianness>>(
    elf: &ElfFile<'_, H>,
) -> Option<&'static str> {
    use object::read::elf::Dyn as _;
    let endian = elf.endian();
    match elf.elf_header().e_type(endian) {
        object::elf::ET_EXEC => Some("cannot dynamically load executable"),
        object::elf::ET_DYN => {
            let table = elf.elf_section_table();
            let (dynamic, _) = table.dynamic(endian, elf.data()).ok()??;
            let pie = dynamic.iter().any(|d| {
                d.tag32(endian) == Some(object::elf::DT_FLAGS_1)
                    && d.val32(endian)
                        .is_some_and(|v| v & object::elf::DF_1_PIE != 0)
            });
            pie.then_some("cannot dynamically load position-independent executable")
        }
        _ => None,
    }
}

fn parse_elf<'d, H: FileHeader<Endian = object::Endianness>>(
    path: &Path,
    elf: &ElfFile<'d, H>,
) -> Artifact {
    let mut a = Artifact {
        path: path.to_path_buf(),
        dynamic: elf.section_by_name(".dynamic").is_some(),
        ..Artifact::default()
    };
    a.dlopen_refusal = executable_kind(elf);
    let mut saw_old_pkghash = false;
    for sym in elf.dynamic_symbols() {
        let Ok(name) = sym.name() else { continue };
        if name.starts_with("go.link.pkghash.") {
            saw_old_pkghash = true;
        }
        let Some(pkg) = strip_any(name, &PREFIXES) else {
            continue;
        };
        if sym.is_undefined() {
            continue;
        }
        if let Some(b) = read_at(elf, sym.address(), 8) {
            if let Ok(h) = <[u8; 8]>::try_from(b) {
                a.hashes.insert(pkg.to_string(), h);
            }
        }
    }
    // Hash strings without 8-byte companions: the Go <= 1.15 layout.
    a.legacy_hash_format = saw_old_pkghash && a.hashes.is_empty();
    // The runtime walks moduledata.pkghashes; each entry's `runtimehash` field is a
    // dynamic relocation against `go:link.pkghash.<pkg>`, so the relocations' offsets
    // give the array order.
    // Relocation symbol indices of dynamic relocations refer to the dynamic symbol table.
    let mut order: Vec<(u64, String)> = Vec::new();
    if let (Some(relocs), Some(dynsym)) = (elf.dynamic_relocations(), elf.dynamic_symbol_table()) {
        for (offset, r) in relocs {
            let RelocationTarget::Symbol(idx) = r.target() else {
                continue;
            };
            let Some(name) = dynsym.symbol_by_index(idx).ok().and_then(|s| s.name().ok()) else {
                continue;
            };
            if let Some(pkg) = strip_any(name, &HASH_PREFIXES) {
                order.push((offset, pkg.to_string()));
            }
        }
    }
    order.sort();
    order.dedup_by(|x, y| x.1 == y.1);
    a.check_order = order.into_iter().map(|(_, p)| p).collect();

    let read_string = |addr: u64, ptr: usize, big: bool| -> Option<Vec<u8>> {
        let hdr = read_at(elf, addr, 2 * ptr as u64)?;
        let word = |b: &[u8]| -> Option<u64> {
            Some(match (ptr, big) {
                (8, false) => u64::from_le_bytes(b.try_into().ok()?),
                (8, true) => u64::from_be_bytes(b.try_into().ok()?),
                (4, false) => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
                _ => u64::from(u32::from_be_bytes(b.try_into().ok()?)),
            })
        };
        let p = word(hdr.get(..ptr)?)?;
        let n = word(hdr.get(ptr..)?)?;
        read_at(elf, p, n).map(<[u8]>::to_vec)
    };
    // The section, else (section headers stripped) the first writable, non-executable
    // loadable segment, as debug/buildinfo searches.
    let mut candidates: Vec<&[u8]> = Vec::new();
    if let Some(data) = elf
        .section_by_name(".go.buildinfo")
        .and_then(|s| s.data().ok())
    {
        candidates.push(data);
    } else {
        for seg in elf.segments() {
            if let object::SegmentFlags::Elf { p_flags } = seg.flags() {
                let writable = p_flags & object::elf::PF_W != 0;
                let exec = p_flags & object::elf::PF_X != 0;
                if writable && !exec {
                    if let Ok(d) = seg.data() {
                        candidates.push(d);
                    }
                    break;
                }
            }
        }
    }
    a.build_info = candidates
        .into_iter()
        .find_map(|d| buildinfo::parse_section(d, &read_string).ok());
    a
}

/// Reads an artifact from bytes (used by `read` and by the fuzz target).
pub fn read_bytes(path: &Path, data: &[u8]) -> Result<Artifact, ReadError> {
    let not_elf = |reason: String| ReadError::NotElf {
        path: path.to_path_buf(),
        reason,
    };
    match object::FileKind::parse(data) {
        Ok(object::FileKind::Elf64) => {
            let elf = object::read::elf::ElfFile64::<object::Endianness>::parse(data)
                .map_err(|e| not_elf(e.to_string()))?;
            Ok(parse_elf(path, &elf))
        }
        Ok(object::FileKind::Elf32) => {
            let elf = object::read::elf::ElfFile32::<object::Endianness>::parse(data)
                .map_err(|e| not_elf(e.to_string()))?;
            Ok(parse_elf(path, &elf))
        }
        Ok(other) => Err(not_elf(format!("{other:?}"))),
        Err(e) => Err(not_elf(e.to_string())),
    }
}

/// Reads an artifact from disk. Read, not memory-mapped: a file truncated while mapped
/// (a rebuild in parallel) would kill the process with SIGBUS.
pub fn read(path: &Path) -> Result<Artifact, ReadError> {
    let data = crate::fsio::read_bounded(path, crate::fsio::MAX_ARTIFACT)?;
    read_bytes(path, &data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for data in [
            &b""[..],
            b"\x7fELF",
            b"\x7fELF\x02\x01\x01garbage",
            b"hello world",
        ] {
            assert!(read_bytes(Path::new("x.so"), data).is_err());
        }
        let mut trunc = b"\x7fELF\x02\x01\x01\x00".to_vec();
        trunc.resize(200, 0xff);
        let _ = read_bytes(Path::new("x.so"), &trunc);
    }
}

#[cfg(test)]
mod robustness {
    use super::*;

    /// xorshift: deterministic pseudo-random bytes without a dependency.
    fn noise(state: &mut u32, n: usize) -> Vec<u8> {
        (0..n)
            .map(|_| {
                *state ^= *state << 13;
                *state ^= *state >> 17;
                *state ^= *state << 5;
                *state as u8
            })
            .collect()
    }

    #[test]
    fn every_prefix_of_a_real_elf_is_handled() {
        // The test binary itself is a real ELF with sections, segments and symbols.
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let mut len = 0;
        while len < exe.len().min(1 << 16) {
            let _ = read_bytes(Path::new("x"), &exe[..len]);
            len = len * 2 + 1;
        }
        assert!(read_bytes(Path::new("x"), &exe).is_ok());
    }

    #[test]
    fn corrupted_headers_never_panic() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let head = &exe[..exe.len().min(4096)];
        let mut state = 0x9e37_79b9;
        for i in 0..300 {
            // Valid ident, random rest; and the real header with random bytes flipped.
            let mut buf = b"\x7fELF\x02\x01\x01".to_vec();
            buf.extend(noise(&mut state, 64 + i));
            let _ = read_bytes(Path::new("x"), &buf);
            let mut flipped = head.to_vec();
            for b in noise(&mut state, 4).chunks(2) {
                let at = 16 + (usize::from(b[0]) * 7 + i) % 48;
                flipped[at] = b[1];
            }
            let _ = read_bytes(Path::new("x"), &flipped);
        }
    }
}
