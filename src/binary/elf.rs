//! Reading a Go host executable or plugin (ELF): the per-package export-data hashes the
//! runtime compares, the order in which a plugin's runtime checks them, the build info, and
//! the Go release that built it.
//!
//! Formats read (each tested with real binaries of those releases, tests/binary_releases.rs):
//! - Go 1.16-1.19: symbols `go.link.pkghashbytes.<pkg>` / `go.link.pkghash.<pkg>`; Go 1.20 on:
//!   `go:link.` (cmd/link's symbol renaming). Go <= 1.15 stored hex strings instead (reported).
//! - Build info: pointers to Go strings before Go 1.18, inline varint strings from 1.18
//!   (debug/buildinfo). Plugins carry none before Go 1.21: their release is then read from
//!   the DWARF producer (`Go cmd/compile go1.17.13; ...`) and their plugin path from
//!   `go:link.thispluginpath`.
//!
//! Only the sections needed are read, each with plain reads of a file opened through
//! `fsio::open_bounded` (no memory map: a file truncated meanwhile is an error, not SIGBUS).
//! Symbol names are matched on their raw bytes: only the few package-hash names are decoded.

use super::buildinfo::{self, BuildInfo};
use crate::fsio;
use object::elf;
use object::read::elf::{FileHeader, ProgramHeader, Rel, Rela, SectionHeader, SectionTable, Sym};
use object::{Endianness, ReadRef};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Largest artifact accepted. Go executables with debug info reach hundreds of MB; only a
/// few sections are read, so this bounds offsets more than memory (see `MAX_SECTION`).
pub const MAX_ARTIFACT: u64 = 4 << 30;
/// Largest section read whole (symbol and string tables, relocations).
const MAX_SECTION: u64 = 512 << 20;
/// Compressed DWARF read, and decompressed bytes searched, for the producer string.
const DWARF_READ: u64 = 1 << 20;
const DWARF_SEARCH: usize = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Fs(#[from] fsio::FsError),
    #[error("{path}: not an ELF file ({reason})")]
    NotElf { path: PathBuf, reason: String },
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
    /// The Go release that built it (`go1.26.8`): from build info, else (plugins before Go
    /// 1.21 carry none) from the DWARF producer; None when neither is there (`-ldflags=-w`).
    pub go_version: Option<String>,
    /// A plugin's plugin path when build info cannot give it (before Go 1.21): the
    /// linker's `go:link.thispluginpath`, unescaped.
    pub linked_plugin_path: Option<String>,
    /// Go <= 1.15 stored 40-hex-digit SHA-1 strings in `go.link.pkghash.<pkg>` instead of
    /// 8-byte `pkghashbytes`; that format is not supported (its presence is reported).
    pub legacy_hash_format: bool,
    /// Set for executables, which dlopen refuses: glibc's reason, e.g. `cannot dynamically
    /// load executable` (ET_EXEC) or `... position-independent executable` (DF_1_PIE).
    pub dlopen_refusal: Option<&'static str>,
}

/// `go:link.` from Go 1.20, `go.link.` before.
const LINK_PREFIXES: [&[u8]; 2] = [b"go:link.", b"go.link."];

/// Reads `len` bytes at file offset `off`, None when out of the file or unreadable.
fn bytes_at<'d, R: ReadRef<'d>>(data: R, off: u64, len: u64) -> Option<&'d [u8]> {
    data.read_bytes_at(off, len).ok()
}

/// A section's bytes (None for NOBITS, oversized or unreadable sections).
fn section_bytes<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    sh: &H::SectionHeader,
    endian: Endianness,
    data: R,
) -> Option<&'d [u8]> {
    if sh.sh_type(endian) == elf::SHT_NOBITS || sh.sh_size(endian).into() > MAX_SECTION {
        return None;
    }
    sh.data(endian, data).ok()
}

/// The file offset of `len` bytes at virtual address `addr`, from the allocated section
/// holding them (NOBITS has no file bytes).
fn file_offset<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    addr: u64,
    len: u64,
) -> Option<u64> {
    let end = addr.checked_add(len)?;
    sections.iter().find_map(|s| {
        let (start, size) = (s.sh_addr(endian).into(), s.sh_size(endian).into());
        let alloc = s.sh_flags(endian).into() & u64::from(elf::SHF_ALLOC) != 0;
        if !alloc || s.sh_type(endian) == elf::SHT_NOBITS || addr < start {
            return None;
        }
        (end <= start.checked_add(size)?).then(|| s.sh_offset(endian).into() + (addr - start))
    })
}

/// Reads bytes at a virtual address.
fn read_va<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    data: R,
    addr: u64,
    len: u64,
) -> Option<&'d [u8]> {
    if len > MAX_SECTION {
        return None;
    }
    bytes_at(data, file_offset(sections, endian, addr, len)?, len)
}

/// Whether dlopen refuses this file as an executable (glibc's wording).
fn executable_kind<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    header: &H,
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    data: R,
) -> Option<&'static str> {
    use object::read::elf::Dyn as _;
    match header.e_type(endian) {
        elf::ET_EXEC => Some("cannot dynamically load executable"),
        elf::ET_DYN => {
            let (dynamic, _) = sections.dynamic(endian, data).ok()??;
            let pie = dynamic.iter().any(|d| {
                d.tag32(endian) == Some(elf::DT_FLAGS_1)
                    && d.val32(endian).is_some_and(|v| v & elf::DF_1_PIE != 0)
            });
            pie.then_some("cannot dynamically load position-independent executable")
        }
        _ => None,
    }
}

/// A package-hash symbol name, split: (`true` for `pkghashbytes`, `false` for `pkghash`,
/// package path). Only names starting with a link prefix are decoded.
fn hash_symbol(strtab: &[u8], off: usize) -> Option<(bool, &str, bool)> {
    let head = strtab.get(off..off.checked_add(8)?)?;
    let legacy = head == LINK_PREFIXES[1];
    if !legacy && head != LINK_PREFIXES[0] {
        return None;
    }
    let rest = strtab.get(off + 8..)?;
    let rest = rest.strip_prefix(b"pkghash")?;
    let (bytes, rest) = match rest.strip_prefix(b"bytes.") {
        Some(r) => (true, r),
        None => (false, rest.strip_prefix(b".")?),
    };
    let len = memchr::memchr(0, rest)?;
    Some((bytes, std::str::from_utf8(&rest[..len]).ok()?, legacy))
}

/// What the dynamic symbol table says: package hashes, the runtime's check order and
/// whether the pre-1.16 hash format is used.
fn read_hashes<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    header: &H,
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    data: R,
    a: &mut Artifact,
) {
    let Some((dynsym_index, dynsym)) = sections
        .enumerate()
        .find(|(_, s)| s.sh_type(endian) == elf::SHT_DYNSYM)
    else {
        return;
    };
    if dynsym.sh_size(endian).into() > MAX_SECTION {
        return;
    }
    let Ok(syms) = dynsym.data_as_array::<H::Sym, R>(endian, data) else {
        return;
    };
    let Some(strtab) = sections
        .section(object::SectionIndex(dynsym.sh_link(endian) as usize))
        .ok()
        .and_then(|s| section_bytes::<H, R>(s, endian, data))
    else {
        return;
    };
    // Defined `pkghashbytes` symbols (package, address), and the indices of the `pkghash`
    // symbols the check's relocations point at (sorted: built in index order).
    let mut wanted: Vec<(String, u64)> = Vec::new();
    let mut runtime_syms: Vec<(u32, String)> = Vec::new();
    let mut saw_old_pkghash = false;
    for (i, sym) in syms.iter().enumerate() {
        let Some((bytes, pkg, legacy)) = hash_symbol(strtab, sym.st_name(endian) as usize) else {
            continue;
        };
        if bytes {
            if !sym.is_undefined(endian) {
                wanted.push((pkg.to_string(), sym.st_value(endian).into()));
            }
        } else {
            saw_old_pkghash |= legacy;
            if let Ok(i) = u32::try_from(i) {
                runtime_syms.push((i, pkg.to_string()));
            }
        }
    }
    // The 8-byte hashes sit together (the linker groups these symbols): one read for all
    // of them when they share a section, else one read each.
    let lo = wanted.iter().map(|w| w.1).min().unwrap_or(0);
    let hi = wanted
        .iter()
        .map(|w| w.1.saturating_add(8))
        .max()
        .unwrap_or(0);
    let block = (hi > lo && hi - lo <= 1 << 20)
        .then(|| read_va(sections, endian, data, lo, hi - lo))
        .flatten();
    for (pkg, addr) in wanted {
        let bytes = match block {
            Some(b) => usize::try_from(addr - lo)
                .ok()
                .and_then(|o| b.get(o..o.checked_add(8)?)),
            None => read_va(sections, endian, data, addr, 8),
        };
        if let Some(h) = bytes.and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            a.hashes.insert(pkg, h);
        }
    }
    // Hash strings without 8-byte companions: the Go <= 1.15 layout.
    a.legacy_hash_format = saw_old_pkghash && a.hashes.is_empty();
    if runtime_syms.is_empty() {
        return;
    }
    // The runtime walks moduledata.pkghashes; each entry's `runtimehash` field is a dynamic
    // relocation against `go:link.pkghash.<pkg>`, so the relocations' offsets give the
    // array order. Only the symbol index of each relocation is looked at.
    let lookup = |sym: u32| -> Option<&String> {
        runtime_syms
            .binary_search_by_key(&sym, |r| r.0)
            .ok()
            .map(|i| &runtime_syms[i].1)
    };
    let (min_sym, max_sym) = (runtime_syms[0].0, runtime_syms[runtime_syms.len() - 1].0);
    let is_mips64el = header.is_mips64el(endian);
    let mut order: Vec<(u64, &String)> = Vec::new();
    for s in sections.iter() {
        let kind = s.sh_type(endian);
        if (kind != elf::SHT_RELA && kind != elf::SHT_REL)
            || s.sh_link(endian) as usize != dynsym_index.0
            || s.sh_size(endian).into() > MAX_SECTION
        {
            continue;
        }
        let mut visit = |offset: u64, sym: u32| {
            if (min_sym..=max_sym).contains(&sym) {
                if let Some(pkg) = lookup(sym) {
                    order.push((offset, pkg));
                }
            }
        };
        if kind == elf::SHT_RELA {
            if let Ok(relocs) = s.data_as_array::<H::Rela, R>(endian, data) {
                for r in relocs {
                    visit(r.r_offset(endian).into(), r.r_sym(endian, is_mips64el));
                }
            }
        } else if let Ok(relocs) = s.data_as_array::<H::Rel, R>(endian, data) {
            for r in relocs {
                visit(r.r_offset(endian).into(), r.r_sym(endian));
            }
        }
    }
    order.sort();
    order.dedup_by(|x, y| x.1 == y.1);
    a.check_order = order.into_iter().map(|(_, p)| p.clone()).collect();
}

/// Build info, found as debug/buildinfo finds it (`DataStart`, `searchMagic`): the
/// `.go.buildinfo` section, else the first writable, non-executable loadable segment.
fn read_build_info<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    header: &H,
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    data: R,
) -> Option<BuildInfo> {
    let (addr, blob) = match sections.section_by_name(endian, b".go.buildinfo") {
        Some((_, s)) => (
            s.sh_addr(endian).into(),
            section_bytes::<H, R>(s, endian, data)?,
        ),
        None => {
            let seg = header
                .program_headers(endian, data)
                .ok()?
                .iter()
                .find(|p| {
                    p.p_type(endian) == elf::PT_LOAD
                        && p.p_flags(endian) & (elf::PF_X | elf::PF_W) == elf::PF_W
                })?;
            let size = seg.p_filesz(endian).into().min(MAX_SECTION);
            let bytes = bytes_at(data, seg.p_offset(endian).into(), size)?;
            (seg.p_vaddr(endian).into(), bytes)
        }
    };
    let read_string = |va: u64, ptr: usize, big: bool| -> Option<Vec<u8>> {
        let hdr = read_va(sections, endian, data, va, 2 * ptr as u64)?;
        let word = |b: &[u8]| buildinfo::read_word(b, ptr, big);
        let p = word(hdr.get(..ptr)?)?;
        let n = word(hdr.get(ptr..)?)?;
        read_va(sections, endian, data, p, n).map(<[u8]>::to_vec)
    };
    buildinfo::parse_blob(blob, addr, &read_string).ok()
}

/// The Go release in the DWARF producer of the first compile unit (`Go cmd/compile
/// go1.17.13; -shared -dynlink`), for artifacts without build info. The section may be
/// zlib-compressed (`.zdebug_info` before Go 1.17's SHF_COMPRESSED `.debug_info`).
fn dwarf_go_version<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    data: R,
) -> Option<String> {
    use object::read::elf::CompressionHeader as _;
    use std::io::Read;
    const MARK: &[u8] = b"Go cmd/compile ";
    let (zdebug, s) = [(false, &b".debug_info"[..]), (true, b".zdebug_info")]
        .into_iter()
        .find_map(|(z, name)| Some((z, sections.section_by_name(endian, name)?.1)))?;
    let (off, size) = s.file_range(endian)?;
    let (start, len, zlib) = match s.compression(endian, data).ok()? {
        // Only zlib is produced by Go's linker.
        Some((chdr, at, n)) => {
            (chdr.ch_type(endian) == elf::ELFCOMPRESS_ZLIB).then_some((at, n, true))?
        }
        // "ZLIB" and the 8-byte big-endian uncompressed size.
        None if zdebug => (bytes_at(data, off, 4)? == b"ZLIB").then_some((
            off + 12,
            size.checked_sub(12)?,
            true,
        ))?,
        None => (off, size, false),
    };
    let raw = bytes_at(data, start, len.min(DWARF_READ))?;
    if !zlib {
        let at = memchr::memmem::find(raw, MARK)?;
        return producer_version(&raw[at + MARK.len()..]);
    }
    let mut z = flate2::read::ZlibDecoder::new(raw);
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 16 << 10];
    while buf.len() < DWARF_SEARCH {
        // A truncated stream (DWARF_READ) ends the search like the end of the section.
        let n = z.read(&mut chunk).unwrap_or(0);
        let from = buf.len().saturating_sub(MARK.len() + 64);
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = memchr::memmem::find(&buf[from..], MARK) {
            let tail = &buf[from + at + MARK.len()..];
            // The version may continue in the next chunk.
            if n == 0 || tail.contains(&0) || tail.len() > 64 {
                return producer_version(tail);
            }
        }
        if n == 0 {
            break;
        }
    }
    None
}

/// `go1.17.13` from `go1.17.13; -shared -dynlink regabi\0...`.
fn producer_version(tail: &[u8]) -> Option<String> {
    let end = tail
        .iter()
        .position(|&c| c == 0 || c == b';' || c == b' ')
        .unwrap_or(tail.len().min(64));
    let v = std::str::from_utf8(&tail[..end]).ok()?;
    v.starts_with("go1").then(|| v.to_string())
}

/// The linker's `go:link.thispluginpath` (the plugin path, escaped as objabi.PathToPrefix
/// does) from the full symbol table, unescaped; for plugins without build info.
fn linked_plugin_path<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    data: R,
) -> Option<String> {
    let symtab = sections
        .iter()
        .find(|s| s.sh_type(endian) == elf::SHT_SYMTAB)?;
    if symtab.sh_size(endian).into() > MAX_SECTION {
        return None;
    }
    let syms = symtab.data_as_array::<H::Sym, R>(endian, data).ok()?;
    let strtab = section_bytes::<H, R>(
        sections
            .section(object::SectionIndex(symtab.sh_link(endian) as usize))
            .ok()?,
        endian,
        data,
    )?;
    let sym = syms.iter().find(|s| {
        let off = s.st_name(endian) as usize;
        LINK_PREFIXES.iter().any(|p| {
            strtab
                .get(off..)
                .and_then(|n| n.strip_prefix(*p))
                .is_some_and(|n| n.starts_with(b"thispluginpath\0"))
        })
    })?;
    let len = sym.st_size(endian).into();
    if len == 0 || len > 4096 {
        return None;
    }
    let raw = read_va(sections, endian, data, sym.st_value(endian).into(), len)?;
    unescape_path(std::str::from_utf8(raw).ok()?)
}

/// Undoes objabi.PathToPrefix (`%xx` escapes).
fn unescape_path(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn parse_elf<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    path: &Path,
    data: R,
) -> Result<Artifact, ReadError> {
    let not_elf = |e: object::read::Error| ReadError::NotElf {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let header = H::parse(data).map_err(not_elf)?;
    let endian = header.endian().map_err(not_elf)?;
    let sections = header.sections(endian, data).map_err(not_elf)?;
    let mut a = Artifact {
        path: path.to_path_buf(),
        dynamic: sections
            .iter()
            .any(|s| s.sh_type(endian) == elf::SHT_DYNAMIC),
        ..Artifact::default()
    };
    a.dlopen_refusal = executable_kind(header, &sections, endian, data);
    read_hashes(header, &sections, endian, data, &mut a);
    a.build_info = read_build_info(header, &sections, endian, data);
    a.go_version = match &a.build_info {
        Some(bi) => Some(bi.go_version.clone()),
        None => dwarf_go_version(&sections, endian, data),
    };
    if a.build_info.is_none() && !a.hashes.is_empty() {
        a.linked_plugin_path = linked_plugin_path(&sections, endian, data);
    }
    Ok(a)
}

fn parse<'d, R: ReadRef<'d>>(path: &Path, data: R) -> Result<Artifact, ReadError> {
    let not_elf = |reason: String| ReadError::NotElf {
        path: path.to_path_buf(),
        reason,
    };
    match object::FileKind::parse(data) {
        Ok(object::FileKind::Elf64) => parse_elf::<elf::FileHeader64<Endianness>, R>(path, data),
        Ok(object::FileKind::Elf32) => parse_elf::<elf::FileHeader32<Endianness>, R>(path, data),
        Ok(other) => Err(not_elf(format!("{other:?}"))),
        Err(e) => Err(not_elf(e.to_string())),
    }
}

/// Reads an artifact from bytes (used by the fuzz target and tests).
pub fn read_bytes(path: &Path, data: &[u8]) -> Result<Artifact, ReadError> {
    parse(path, data)
}

/// A file read with positioned reads, never past the length checked at open.
struct Bounded {
    file: std::fs::File,
    len: u64,
    pos: u64,
}

impl object::read::ReadCacheOps for Bounded {
    fn len(&mut self) -> Result<u64, ()> {
        Ok(self.len)
    }

    fn seek(&mut self, pos: u64) -> Result<u64, ()> {
        self.pos = pos;
        Ok(pos)
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ()> {
        use std::os::unix::fs::FileExt;
        let room = usize::try_from(self.len.saturating_sub(self.pos)).unwrap_or(usize::MAX);
        let want = buf.len().min(room);
        let n = self
            .file
            .read_at(&mut buf[..want], self.pos)
            .map_err(|_| ())?;
        self.pos += n as u64;
        Ok(n)
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ()> {
        use std::os::unix::fs::FileExt;
        if self.pos.saturating_add(buf.len() as u64) > self.len {
            return Err(());
        }
        self.file.read_exact_at(buf, self.pos).map_err(|_| ())?;
        self.pos += buf.len() as u64;
        Ok(())
    }
}

/// Reads an artifact from disk: a regular file of at most `MAX_ARTIFACT` bytes, of which
/// only the sections needed are read.
pub fn read(path: &Path) -> Result<Artifact, ReadError> {
    let (file, len) = fsio::open_bounded(path, MAX_ARTIFACT)?;
    let cache = object::read::ReadCache::new(Bounded { file, len, pos: 0 });
    parse(path, &cache)
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

    #[test]
    fn hash_symbol_names_are_matched_on_bytes() {
        let tab = b"\0go:link.pkghashbytes.example.com/dep\0go.link.pkghash.runtime\0go:link.pkghashes\0go:linkname\0runtime.main\0go:link.pkghash.";
        assert_eq!(hash_symbol(tab, 1), Some((true, "example.com/dep", false)));
        assert_eq!(hash_symbol(tab, 38), Some((false, "runtime", true)));
        let at = |s: &[u8]| memchr::memmem::find(tab, s).unwrap();
        assert_eq!(hash_symbol(tab, at(b"go:link.pkghashes")), None);
        assert_eq!(hash_symbol(tab, at(b"go:linkname")), None);
        assert_eq!(hash_symbol(tab, at(b"runtime.main")), None);
        // Unterminated at the end of the table.
        assert_eq!(hash_symbol(tab, tab.len() - 16), None);
        assert_eq!(hash_symbol(tab, tab.len() + 5), None);
    }

    #[test]
    fn plugin_paths_are_unescaped() {
        assert_eq!(
            unescape_path("example.com/a%2eb").as_deref(),
            Some("example.com/a.b")
        );
        assert_eq!(unescape_path("bad%2").as_deref(), None);
        assert_eq!(
            producer_version(b"go1.17.13; -shared\0").as_deref(),
            Some("go1.17.13")
        );
        assert_eq!(producer_version(b"gccgo\0"), None);
    }

    #[test]
    fn special_files_are_refused_not_read() {
        let err = read(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = read(dir.path()).unwrap_err();
        assert!(err.to_string().contains("directory"), "{err}");
    }

    #[test]
    fn a_file_read_from_disk_equals_the_same_bytes_in_memory() {
        let exe = std::env::current_exe().unwrap();
        let from_disk = read(&exe).unwrap();
        let bytes = std::fs::read(&exe).unwrap();
        let in_memory = read_bytes(&exe, &bytes).unwrap();
        assert_eq!(from_disk.dynamic, in_memory.dynamic);
        assert_eq!(from_disk.dlopen_refusal, in_memory.dlopen_refusal);
        assert_eq!(from_disk.hashes, in_memory.hashes);
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
