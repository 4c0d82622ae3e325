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
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Largest artifact accepted. Go executables with debug info reach hundreds of MB; only a
/// few sections are read, so this bounds offsets more than memory (see `MAX_SECTION`).
pub const MAX_ARTIFACT: u64 = fsio::MAX_ARTIFACT;
/// Largest section read whole (symbol and string tables, relocations).
const MAX_SECTION: u64 = 512 << 20;
/// Compressed DWARF read, and decompressed bytes searched, for the producer string.
const DWARF_READ: u64 = 1 << 20;
const DWARF_SEARCH: usize = 8 << 20;

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
    /// The Go release that built it (`go1.26.8`): from build info, else (plugins before Go
    /// 1.21 carry none) from the DWARF producer; None when neither is there (`-ldflags=-w`).
    pub go_version: Option<String>,
    /// When neither build info nor DWARF gives the release (a plugin before Go 1.21 built
    /// with `-ldflags=-s -w`): the releases its symbols imply, `go1.20` (`go:link.`) or
    /// `go1.16-1.19` (`go.link.`).
    pub release_hint: Option<&'static str>,
    /// A plugin's plugin path when build info cannot give it (before Go 1.21): the
    /// linker's `go:link.thispluginpath`, unescaped.
    pub linked_plugin_path: Option<String>,
    /// Go <= 1.15 stored 40-hex-digit SHA-1 strings in `go.link.pkghash.<pkg>` instead of
    /// 8-byte `pkghashbytes`; that format is not supported (its presence is reported).
    pub legacy_hash_format: bool,
    /// Device and inode of the file read (None for bytes in memory): the replay asks for
    /// realpaths only of paths naming the same file.
    pub file_id: Option<(u64, u64)>,
    /// Set for executables, which dlopen refuses: glibc's reason, e.g. `cannot dynamically
    /// load executable` (ET_EXEC) or `... position-independent executable` (DF_1_PIE).
    pub dlopen_refusal: Option<&'static str>,
}

/// `go:link.` from Go 1.20, `go.link.` before.
const LINK_PREFIXES: [&[u8]; 2] = [b"go:link.", b"go.link."];

/// Where bytes outside the pre-read sections come from: the file (positioned reads into
/// owned buffers) or the bytes in memory (borrowed).
trait Source {
    fn read_at(&self, off: u64, len: u64) -> Option<Cow<'_, [u8]>>;
}

/// Bytes in memory.
struct Mem<'a>(&'a [u8]);

impl Source for Mem<'_> {
    fn read_at(&self, off: u64, len: u64) -> Option<Cow<'_, [u8]>> {
        let start = usize::try_from(off).ok()?;
        let end = start.checked_add(usize::try_from(len).ok()?)?;
        self.0.get(start..end).map(Cow::Borrowed)
    }
}

/// A file read with positioned reads, never past the length checked when it was opened.
struct FileSource {
    file: std::fs::File,
    len: u64,
}

impl FileSource {
    /// Reads `len` bytes at `off` into `buf` (one positioned read). `buf` is reused from
    /// earlier artifacts: only the part it grows by is zeroed first.
    fn read_into(&self, off: u64, len: u64, buf: &mut Vec<u8>) -> Option<()> {
        use std::os::unix::fs::FileExt;
        if len > MAX_SECTION || off.checked_add(len)? > self.len {
            return None;
        }
        let len = usize::try_from(len).ok()?;
        if buf.len() < len {
            buf.resize(len, 0);
        } else {
            buf.truncate(len);
        }
        self.file.read_exact_at(buf, off).ok()
    }
}

impl Source for FileSource {
    fn read_at(&self, off: u64, len: u64) -> Option<Cow<'_, [u8]>> {
        let mut buf = Vec::new();
        self.read_into(off, len, &mut buf)?;
        Some(Cow::Owned(buf))
    }
}

/// Buffers kept from one artifact to the next (`read_for_replay` reads many): the pages of a
/// reused buffer are already mapped and need no zeroing.
#[derive(Default)]
pub struct Buffers {
    spare: Vec<Vec<u8>>,
}

impl Buffers {
    /// The spare buffer that needs the least growth for `len` bytes.
    fn take(&mut self, len: u64) -> Vec<u8> {
        let len = usize::try_from(len).unwrap_or(usize::MAX);
        let best = self
            .spare
            .iter()
            .enumerate()
            .min_by_key(|(_, b)| (b.len() < len, b.len().abs_diff(len)))
            .map(|(i, _)| i);
        best.map(|i| self.spare.swap_remove(i)).unwrap_or_default()
    }
}

/// The parts of a file read so far (headers and the sections `parse_elf` walks), as the
/// `ReadRef` object's parsers take: a read outside them fails.
struct Pieces {
    len: u64,
    parts: Vec<(u64, Vec<u8>)>,
}

impl Pieces {
    /// Reads `len` bytes at `off` as a new part, into a spare buffer.
    fn fetch(&mut self, src: &FileSource, bufs: &mut Buffers, off: u64, len: u64) -> Option<()> {
        let mut buf = bufs.take(len);
        let ok = src.read_into(off, len, &mut buf);
        if ok.is_some() {
            self.parts.push((off, buf));
        } else {
            bufs.spare.push(buf);
        }
        ok
    }

    fn find(&self, off: u64, end: u64) -> Option<&[u8]> {
        self.parts.iter().find_map(|(start, bytes)| {
            let rel = usize::try_from(off.checked_sub(*start)?).ok()?;
            let stop = usize::try_from(end - start).ok()?;
            bytes.get(rel..stop)
        })
    }

    /// Gives the buffers back for the next artifact.
    fn recycle(self, bufs: &mut Buffers) {
        bufs.spare.extend(self.parts.into_iter().map(|(_, b)| b));
    }
}

impl<'a> ReadRef<'a> for &'a Pieces {
    fn len(self) -> Result<u64, ()> {
        Ok(self.len)
    }

    fn read_bytes_at(self, offset: u64, size: u64) -> Result<&'a [u8], ()> {
        if size == 0 {
            return Ok(&[]);
        }
        self.find(offset, offset.checked_add(size).ok_or(())?)
            .ok_or(())
    }

    fn read_bytes_at_until(self, range: Range<u64>, delimiter: u8) -> Result<&'a [u8], ()> {
        let (start, bytes) = self
            .parts
            .iter()
            .find(|(start, b)| range.start >= *start && range.start - start < b.len() as u64)
            .ok_or(())?;
        let from = usize::try_from(range.start - start).map_err(|_| ())?;
        let to = usize::try_from(range.end.saturating_sub(*start))
            .unwrap_or(usize::MAX)
            .min(bytes.len());
        let hay = bytes.get(from..to).ok_or(())?;
        memchr::memchr(delimiter, hay).map(|n| &hay[..n]).ok_or(())
    }
}

/// Reads the headers, then the sections `parse_elf` walks, each in one read; the dynamic
/// relocations (for the check order) only when `order` is set.
fn load<H: FileHeader<Endian = Endianness>>(
    src: &FileSource,
    bufs: &mut Buffers,
    order: bool,
) -> Option<Pieces> {
    let mut p = Pieces {
        len: src.len,
        parts: Vec::new(),
    };
    p.fetch(src, bufs, 0, std::mem::size_of::<H>() as u64)?;
    let header: H = *H::parse(&p).ok()?;
    let endian = header.endian().ok()?;
    let phoff: u64 = header.e_phoff(endian).into();
    let phsize = u64::from(header.e_phnum(endian)) * u64::from(header.e_phentsize(endian));
    if phoff != 0 && phsize != 0 {
        let _ = p.fetch(src, bufs, phoff, phsize);
    }
    let shoff: u64 = header.e_shoff(endian).into();
    if shoff == 0 {
        return Some(p);
    }
    let entsize = u64::from(header.e_shentsize(endian));
    let mut shnum = u64::from(header.e_shnum(endian));
    if shnum == 0 {
        // Extended numbering: the count is in section 0.
        p.fetch(src, bufs, shoff, entsize)?;
        shnum = header.shnum(endian, &p).ok()? as u64;
    }
    p.fetch(src, bufs, shoff, shnum.checked_mul(entsize)?)?;
    let shdrs: Vec<H::SectionHeader> = header.section_headers(endian, &p).ok()?.to_vec();
    let range = |s: &H::SectionHeader| {
        (s.sh_type(endian) != elf::SHT_NOBITS)
            .then(|| (s.sh_offset(endian).into(), s.sh_size(endian).into()))
    };
    let shstr = shdrs
        .get(header.shstrndx(endian, &p).ok()? as usize)
        .and_then(range);
    if let Some((off, size)) = shstr {
        let _ = p.fetch(src, bufs, off, size);
    }
    let dynsym = shdrs
        .iter()
        .position(|s| s.sh_type(endian) == elf::SHT_DYNSYM);
    let mut wanted = Vec::new();
    for (i, s) in shdrs.iter().enumerate() {
        let kind = s.sh_type(endian);
        let linked_to_dynsym = dynsym.is_some_and(|d| s.sh_link(endian) as usize == d);
        let dynsym_strings = dynsym.is_some_and(|d| shdrs[d].sh_link(endian) as usize == i);
        let buildinfo = shstr.is_some_and(|(off, size)| {
            let at = off.saturating_add(u64::from(s.sh_name(endian)));
            (&p).read_bytes_at_until(at..off.saturating_add(size), 0) == Ok(b".go.buildinfo")
        });
        if kind == elf::SHT_DYNSYM
            || kind == elf::SHT_DYNAMIC
            || (order && (kind == elf::SHT_RELA || kind == elf::SHT_REL) && linked_to_dynsym)
            || dynsym_strings
            || buildinfo
        {
            wanted.extend(range(s));
        }
    }
    for (off, size) in wanted {
        let _ = p.fetch(src, bufs, off, size);
    }
    Some(p)
}

/// A section's bytes from the pre-read pieces (None for NOBITS or unread sections).
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
fn read_va<'s, 'd, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    src: &'s dyn Source,
    addr: u64,
    len: u64,
) -> Option<Cow<'s, [u8]>> {
    if len > MAX_SECTION {
        return None;
    }
    src.read_at(file_offset(sections, endian, addr, len)?, len)
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
/// package path, `true` for the pre-1.20 `go.link.` prefix).
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

/// A bit per position: set where a package-hash name may start. One sequential search of
/// the string table instead of a random access per symbol.
fn hash_name_starts(strtab: &[u8]) -> Vec<u64> {
    let mut bits = vec![0u64; strtab.len() / 64 + 1];
    for at in memchr::memmem::find_iter(strtab, b"link.pkghash") {
        if let Some(start) = at.checked_sub(3) {
            bits[start / 64] |= 1 << (start % 64);
        }
    }
    bits
}

fn bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// What the dynamic symbol table says: package hashes, the runtime's check order and
/// whether the pre-1.16 hash format is used.
fn read_hashes<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    header: &H,
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    data: R,
    src: &dyn Source,
    a: &mut Artifact,
) {
    let Some((dynsym_index, dynsym)) = sections
        .enumerate()
        .find(|(_, s)| s.sh_type(endian) == elf::SHT_DYNSYM)
    else {
        return;
    };
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
    let starts = hash_name_starts(strtab);
    // Defined `pkghashbytes` symbols (package, address), and the `pkghash` symbols the
    // check's relocations point at (in index order).
    let mut wanted: Vec<(String, u64)> = Vec::new();
    let mut runtime_syms: Vec<(u32, String)> = Vec::new();
    let mut saw_old_pkghash = false;
    let mut old_prefix = false;
    for (i, sym) in syms.iter().enumerate() {
        let off = sym.st_name(endian) as usize;
        if !bit(&starts, off) {
            continue;
        }
        let Some((bytes, pkg, legacy)) = hash_symbol(strtab, off) else {
            continue;
        };
        if bytes {
            if !sym.is_undefined(endian) {
                old_prefix |= legacy;
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
    // of them when they span little, else one read each.
    let lo = wanted.iter().map(|w| w.1).min().unwrap_or(0);
    let hi = wanted
        .iter()
        .map(|w| w.1.saturating_add(8))
        .max()
        .unwrap_or(0);
    let block = (hi > lo && hi - lo <= 1 << 20)
        .then(|| read_va(sections, endian, src, lo, hi - lo))
        .flatten();
    for (pkg, addr) in wanted {
        let one;
        let bytes = match &block {
            Some(b) => usize::try_from(addr - lo)
                .ok()
                .and_then(|o| b.get(o..o.checked_add(8)?)),
            None => {
                one = read_va(sections, endian, src, addr, 8);
                one.as_deref()
            }
        };
        if let Some(h) = bytes.and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            a.hashes.insert(pkg, h);
        }
    }
    // Hash strings without 8-byte companions: the Go <= 1.15 layout.
    a.legacy_hash_format = saw_old_pkghash && a.hashes.is_empty();
    if !a.hashes.is_empty() {
        a.release_hint = Some(if old_prefix { "go1.16-1.19" } else { "go1.20" });
    }
    if runtime_syms.is_empty() {
        return;
    }
    // The runtime walks moduledata.pkghashes; each entry's `runtimehash` field is a dynamic
    // relocation against `go:link.pkghash.<pkg>`, so the relocations' offsets give the
    // array order. Only each relocation's symbol index is looked at (a bit per symbol).
    let mut is_runtime_sym = vec![0u64; syms.len() / 64 + 1];
    for (i, _) in &runtime_syms {
        is_runtime_sym[*i as usize / 64] |= 1 << (*i % 64);
    }
    let lookup = |sym: u32| -> Option<&String> {
        if !bit(&is_runtime_sym, sym as usize) {
            return None;
        }
        runtime_syms
            .binary_search_by_key(&sym, |r| r.0)
            .ok()
            .map(|i| &runtime_syms[i].1)
    };
    let is_mips64el = header.is_mips64el(endian);
    let mut order: Vec<(u64, &String)> = Vec::new();
    for s in sections.iter() {
        let kind = s.sh_type(endian);
        if (kind != elf::SHT_RELA && kind != elf::SHT_REL)
            || s.sh_link(endian) as usize != dynsym_index.0
        {
            continue;
        }
        if kind == elf::SHT_RELA {
            if let Ok(relocs) = s.data_as_array::<H::Rela, R>(endian, data) {
                for r in relocs {
                    if let Some(pkg) = lookup(r.r_sym(endian, is_mips64el)) {
                        order.push((r.r_offset(endian).into(), pkg));
                    }
                }
            }
        } else if let Ok(relocs) = s.data_as_array::<H::Rel, R>(endian, data) {
            for r in relocs {
                if let Some(pkg) = lookup(r.r_sym(endian)) {
                    order.push((r.r_offset(endian).into(), pkg));
                }
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
    src: &dyn Source,
) -> Option<BuildInfo> {
    let (addr, blob): (u64, Cow<'_, [u8]>) =
        match sections.section_by_name(endian, b".go.buildinfo") {
            Some((_, s)) => (
                s.sh_addr(endian).into(),
                Cow::Borrowed(section_bytes::<H, R>(s, endian, data)?),
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
                let bytes = src.read_at(seg.p_offset(endian).into(), size)?;
                (seg.p_vaddr(endian).into(), bytes)
            }
        };
    let read_string = |va: u64, ptr: usize, big: bool| -> Option<Vec<u8>> {
        let hdr = read_va(sections, endian, src, va, 2 * ptr as u64)?;
        let word = |b: &[u8]| buildinfo::read_word(b, ptr, big);
        let p = word(hdr.get(..ptr)?)?;
        let n = word(hdr.get(ptr..)?)?;
        read_va(sections, endian, src, p, n).map(Cow::into_owned)
    };
    buildinfo::parse_blob(&blob, addr, &read_string).ok()
}

/// The Go release in the DWARF producer of the first compile unit (`Go cmd/compile
/// go1.17.13; -shared -dynlink`), for artifacts without build info. The section may be
/// zlib-compressed (`.zdebug_info` before Go 1.17's SHF_COMPRESSED `.debug_info`).
fn dwarf_go_version<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    sections: &SectionTable<'d, H, R>,
    endian: Endianness,
    src: &dyn Source,
) -> Option<String> {
    use object::read::elf::CompressionHeader as _;
    use std::io::Read;
    const MARK: &[u8] = b"Go cmd/compile ";
    let (zdebug, s) = [(false, &b".debug_info"[..]), (true, b".zdebug_info")]
        .into_iter()
        .find_map(|(z, name)| Some((z, sections.section_by_name(endian, name)?.1)))?;
    let (off, size) = s.file_range(endian)?;
    let (start, len, zlib) = if s.sh_flags(endian).into() & u64::from(elf::SHF_COMPRESSED) != 0 {
        // Elf32_Chdr / Elf64_Chdr, then the stream; only zlib is produced by Go's linker.
        let hsize = std::mem::size_of::<<H as FileHeader>::CompressionHeader>() as u64;
        let head = src.read_at(off, hsize)?;
        let chdr = object::pod::from_bytes::<<H as FileHeader>::CompressionHeader>(&head)
            .ok()?
            .0;
        if chdr.ch_type(endian) != elf::ELFCOMPRESS_ZLIB {
            return None;
        }
        (off + hsize, size.checked_sub(hsize)?, true)
    } else if zdebug {
        // "ZLIB" and the 8-byte big-endian uncompressed size.
        if src.read_at(off, 4)?.as_ref() != b"ZLIB" {
            return None;
        }
        (off + 12, size.checked_sub(12)?, true)
    } else {
        (off, size, false)
    };
    let raw = src.read_at(start, len.min(DWARF_READ))?;
    if !zlib {
        let at = memchr::memmem::find(&raw, MARK)?;
        return producer_version(&raw[at + MARK.len()..]);
    }
    let mut z = flate2::read::ZlibDecoder::new(&raw[..]);
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
    src: &dyn Source,
) -> Option<String> {
    let symtab = sections
        .iter()
        .find(|s| s.sh_type(endian) == elf::SHT_SYMTAB)?;
    let strsec = sections
        .section(object::SectionIndex(symtab.sh_link(endian) as usize))
        .ok()?;
    let (off, size) = symtab.file_range(endian)?;
    let syms_raw = src.read_at(off, size)?;
    let (soff, ssize) = strsec.file_range(endian)?;
    let strtab = src.read_at(soff, ssize)?;
    let count = syms_raw.len() / std::mem::size_of::<H::Sym>();
    let syms = object::pod::slice_from_bytes::<H::Sym>(&syms_raw, count)
        .ok()?
        .0;
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
    let raw = read_va(sections, endian, src, sym.st_value(endian).into(), len)?;
    unescape_path(std::str::from_utf8(&raw).ok()?)
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

/// `data` holds at least the headers and the sections `load` reads; `src` gives the rest.
fn parse_elf<'d, H: FileHeader<Endian = Endianness>, R: ReadRef<'d>>(
    path: &Path,
    data: R,
    src: &dyn Source,
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
    read_hashes(header, &sections, endian, data, src, &mut a);
    a.build_info = read_build_info(header, &sections, endian, data, src);
    a.go_version = match &a.build_info {
        Some(bi) => Some(bi.go_version.clone()),
        None => dwarf_go_version(&sections, endian, src),
    };
    // The symbols' hint only stands in for a release nothing else gives.
    if a.build_info.is_some() || a.go_version.is_some() {
        a.release_hint = None;
    }
    if a.build_info.is_none() && !a.hashes.is_empty() {
        a.linked_plugin_path = linked_plugin_path(&sections, endian, src);
    }
    Ok(a)
}

fn not_elf(path: &Path, reason: String) -> ReadError {
    ReadError::NotElf {
        path: path.to_path_buf(),
        reason,
    }
}

/// Reads an artifact from bytes (used by the fuzz target and tests).
pub fn read_bytes(path: &Path, data: &[u8]) -> Result<Artifact, ReadError> {
    match object::FileKind::parse(data) {
        Ok(object::FileKind::Elf64) => {
            parse_elf::<elf::FileHeader64<Endianness>, &[u8]>(path, data, &Mem(data))
        }
        Ok(object::FileKind::Elf32) => {
            parse_elf::<elf::FileHeader32<Endianness>, &[u8]>(path, data, &Mem(data))
        }
        Ok(other) => Err(not_elf(path, format!("{other:?}"))),
        Err(e) => Err(not_elf(path, e.to_string())),
    }
}

/// Reads an artifact from disk: a regular file of at most `MAX_ARTIFACT` bytes, of which
/// only the headers and a few sections are read.
pub fn read(path: &Path) -> Result<Artifact, ReadError> {
    read_with(path, true, &mut Buffers::default())
}

/// `read`, without the runtime's check order (`check_order` stays empty): the dynamic
/// relocations are the largest part read, and the order only decides which package the
/// runtime names when two or more differ (see `binary::read_for_replay`).
pub fn read_without_order(path: &Path) -> Result<Artifact, ReadError> {
    read_with(path, false, &mut Buffers::default())
}

/// Reads an artifact, reusing `bufs` from earlier reads; `order`: also the check order.
pub fn read_with(path: &Path, order: bool, bufs: &mut Buffers) -> Result<Artifact, ReadError> {
    use std::os::unix::fs::MetadataExt;
    let (file, len) = fsio::open_bounded(path, MAX_ARTIFACT)?;
    let file_id = file.metadata().ok().map(|m| (m.dev(), m.ino()));
    let src = FileSource { file, len };
    let ident = src.read_at(0, 16.min(len)).unwrap_or_default();
    let truncated = || not_elf(path, "truncated or unreadable headers".into());
    let a = match object::FileKind::parse(&*ident) {
        Ok(object::FileKind::Elf64) => {
            let p =
                load::<elf::FileHeader64<Endianness>>(&src, bufs, order).ok_or_else(truncated)?;
            let a = parse_elf::<elf::FileHeader64<Endianness>, &Pieces>(path, &p, &src);
            p.recycle(bufs);
            a
        }
        Ok(object::FileKind::Elf32) => {
            let p =
                load::<elf::FileHeader32<Endianness>>(&src, bufs, order).ok_or_else(truncated)?;
            let a = parse_elf::<elf::FileHeader32<Endianness>, &Pieces>(path, &p, &src);
            p.recycle(bufs);
            a
        }
        Ok(other) => Err(not_elf(path, format!("{other:?}"))),
        Err(e) => Err(not_elf(path, e.to_string())),
    };
    a.map(|a| Artifact { file_id, ..a })
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
