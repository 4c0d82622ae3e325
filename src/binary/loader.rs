//! What the dynamic loader sees before Go's runtime does: ELF class, byte order and machine,
//! the program interpreter, the libraries a file needs (`DT_NEEDED`) and the symbol
//! versions it needs from each (`.gnu.version_r`). dlopen refuses a plugin on these before
//! any package hash is compared. Read from the program headers and the dynamic segment only
//! (what ld.so itself reads), with bounded positioned reads: stripped files work.
//!
//! Plain data; `rules::binary` decides what a difference means.

use crate::fsio;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Largest dynamic segment, string table or program header table read.
const MAX_TABLE: u64 = 64 << 20;
/// Verneed entries and auxiliary entries walked at most (glibc files have a handful).
const MAX_VERNEED: usize = 4096;

/// What the loader reads from one file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoaderInfo {
    /// 32 or 64 (ELFCLASS32/ELFCLASS64).
    pub class: u8,
    pub big_endian: bool,
    /// `e_machine` (62: x86-64, 183: AArch64, 3: i386, ...).
    pub machine: u16,
    /// PT_INTERP: the dynamic loader an executable asks for (glibc's `ld-linux-*`, musl's
    /// `ld-musl-*`); plugins have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    /// DT_NEEDED, in order.
    #[serde(default)]
    pub needed: Vec<String>,
    /// Symbol versions needed (weak ones left out), by library (`libc.so.6` ->
    /// `GLIBC_2.2.5`, `GLIBC_2.34`, ...), in the file's order: the loader checks them in it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub versions: BTreeMap<String, Vec<String>>,
}

/// Which C library a file is linked against, as far as its loader data says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Libc {
    Glibc,
    Musl,
    Unknown,
}

impl Libc {
    pub fn as_str(self) -> &'static str {
        match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
            Libc::Unknown => "unknown",
        }
    }
}

/// `e_machine` names, for messages (the usual Go targets; others print as numbers).
pub fn machine_name(m: u16) -> String {
    match m {
        3 => "i386".into(),
        8 => "MIPS".into(),
        20 => "PowerPC".into(),
        21 => "PowerPC64".into(),
        22 => "S/390".into(),
        40 => "ARM".into(),
        62 => "x86-64".into(),
        183 => "AArch64".into(),
        243 => "RISC-V".into(),
        258 => "LoongArch".into(),
        other => format!("machine {other}"),
    }
}

/// A glibc symbol version `GLIBC_2.34` as comparable numbers.
pub fn glibc_version(name: &str) -> Option<Vec<u32>> {
    parse_version(name.strip_prefix("GLIBC_")?)
}

/// `2.34` or `2.3.4` as numbers; None when not dotted digits.
pub fn parse_version(v: &str) -> Option<Vec<u32>> {
    let parts: Option<Vec<u32>> = v.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

impl LoaderInfo {
    /// `ELFCLASS64`, as glibc names it in "wrong ELF class".
    pub fn class_name(&self) -> String {
        format!("ELFCLASS{}", self.class)
    }

    /// The highest `GLIBC_x.y` version needed from any library, as written.
    pub fn glibc_max(&self) -> Option<&str> {
        self.versions
            .values()
            .flatten()
            .filter_map(|v| glibc_version(v).map(|n| (n, v.as_str())))
            .max()
            .map(|(_, v)| v)
    }

    /// The first `GLIBC_x.y` needed (library, version) above `ceiling` (`2.31`), in the
    /// order the loader checks them (glibc's _dl_check_map_versions stops at the first).
    pub fn glibc_above(&self, ceiling: &str) -> Option<(&str, &str)> {
        let max = parse_version(ceiling)?;
        self.versions.iter().find_map(|(lib, vs)| {
            vs.iter()
                .find(|v| glibc_version(v).is_some_and(|n| n > max))
                .map(|v| (lib.as_str(), v.as_str()))
        })
    }

    /// The C library family, from the interpreter, the libraries needed, and glibc's
    /// symbol versions.
    pub fn libc(&self) -> Libc {
        let musl = |s: &str| s.contains("ld-musl") || s.starts_with("libc.musl-");
        let glibc = |s: &str| s.contains("ld-linux") || s == "libc.so.6";
        if self.interpreter.as_deref().is_some_and(musl) || self.needed.iter().any(|n| musl(n)) {
            return Libc::Musl;
        }
        if self.interpreter.as_deref().is_some_and(glibc)
            || self.needed.iter().any(|n| glibc(n))
            || self
                .versions
                .values()
                .flatten()
                .any(|v| v.starts_with("GLIBC_"))
        {
            return Libc::Glibc;
        }
        Libc::Unknown
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoaderError {
    #[error(transparent)]
    Fs(#[from] fsio::FsError),
    #[error("{0}: not an ELF file")]
    NotElf(String),
}

/// Reads bytes at file offsets.
trait At {
    fn at(&self, off: u64, len: u64) -> Option<Vec<u8>>;
    fn size(&self) -> u64;
}

impl At for &[u8] {
    fn at(&self, off: u64, len: u64) -> Option<Vec<u8>> {
        let s = usize::try_from(off).ok()?;
        let e = s.checked_add(usize::try_from(len).ok()?)?;
        self.get(s..e).map(<[u8]>::to_vec)
    }

    fn size(&self) -> u64 {
        self.len() as u64
    }
}

struct FileAt {
    file: std::fs::File,
    len: u64,
}

impl At for FileAt {
    fn at(&self, off: u64, len: u64) -> Option<Vec<u8>> {
        use std::os::unix::fs::FileExt;
        if len > MAX_TABLE || off.checked_add(len)? > self.len {
            return None;
        }
        let mut buf = vec![0; usize::try_from(len).ok()?];
        self.file.read_exact_at(&mut buf, off).ok()?;
        Some(buf)
    }

    fn size(&self) -> u64 {
        self.len
    }
}

/// Little- or big-endian integer reads from a byte slice.
#[derive(Clone, Copy)]
struct Endian {
    big: bool,
}

impl Endian {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let a: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if self.big {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }
    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let a: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
        Some(if self.big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }
    fn u64(self, b: &[u8], at: usize) -> Option<u64> {
        let a: [u8; 8] = b.get(at..at + 8)?.try_into().ok()?;
        Some(if self.big {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        })
    }
    /// A word of the file's class (4 or 8 bytes).
    fn word(self, b: &[u8], at: usize, wide: bool) -> Option<u64> {
        if wide {
            self.u64(b, at)
        } else {
            self.u32(b, at).map(u64::from)
        }
    }
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;
const DT_STRSZ: u64 = 10;
const DT_VERNEED: u64 = 0x6fff_fffe;
const DT_VERNEEDNUM: u64 = 0x6fff_ffff;

struct Segment {
    kind: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
}

fn c_string(b: &[u8], at: usize) -> Option<String> {
    let rest = b.get(at..)?;
    let end = rest.iter().position(|&c| c == 0)?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

/// The NUL-terminated string at `off` in the string table of `size` bytes at `table`: read
/// a growing piece at a time (names are short, the table can be megabytes); None when it
/// has no NUL before the table ends.
fn table_string(src: &dyn At, table: u64, size: u64, off: u64) -> Option<String> {
    let mut bytes = Vec::new();
    let (mut at, mut piece) = (off, 256u64);
    loop {
        let n = size.checked_sub(at)?.min(piece);
        if n == 0 {
            return None;
        }
        let got = src.at(table.checked_add(at)?, n)?;
        match got.iter().position(|&c| c == 0) {
            Some(end) => {
                bytes.extend_from_slice(&got[..end]);
                return Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            None => bytes.extend_from_slice(&got),
        }
        at += n;
        piece = piece.saturating_mul(2);
    }
}

/// Parses the loader data; None when the file is not ELF or its headers are out of bounds.
fn parse(src: &dyn At) -> Option<LoaderInfo> {
    let ident = src.at(0, 16)?;
    if ident.get(..4)? != b"\x7fELF" {
        return None;
    }
    let wide = match ident[4] {
        1 => false,
        2 => true,
        _ => return None,
    };
    let e = Endian { big: ident[5] == 2 };
    let hdr = src.at(0, if wide { 64 } else { 52 })?;
    let machine = e.u16(&hdr, 18)?;
    let (phoff, phentsize, phnum) = if wide {
        (e.u64(&hdr, 32)?, e.u16(&hdr, 54)?, e.u16(&hdr, 56)?)
    } else {
        (
            u64::from(e.u32(&hdr, 28)?),
            e.u16(&hdr, 42)?,
            e.u16(&hdr, 44)?,
        )
    };
    let mut info = LoaderInfo {
        class: if wide { 64 } else { 32 },
        big_endian: e.big,
        machine,
        ..LoaderInfo::default()
    };
    let min_ent = if wide { 56 } else { 32 };
    if usize::from(phentsize) < min_ent || phnum == 0 {
        // No program headers: an object file, not something dlopen maps.
        return Some(info);
    }
    let table = src.at(phoff, u64::from(phentsize) * u64::from(phnum))?;
    let segs: Vec<Segment> = table
        .chunks_exact(usize::from(phentsize))
        .filter_map(|p| {
            Some(if wide {
                Segment {
                    kind: e.u32(p, 0)?,
                    offset: e.u64(p, 8)?,
                    vaddr: e.u64(p, 16)?,
                    filesz: e.u64(p, 32)?,
                }
            } else {
                Segment {
                    kind: e.u32(p, 0)?,
                    offset: u64::from(e.u32(p, 4)?),
                    vaddr: u64::from(e.u32(p, 8)?),
                    filesz: u64::from(e.u32(p, 16)?),
                }
            })
        })
        .collect();
    if let Some(s) = segs.iter().find(|s| s.kind == PT_INTERP) {
        if let Some(b) = src.at(s.offset, s.filesz.min(4096)) {
            info.interpreter = c_string(&b, 0).or_else(|| Some(String::from_utf8_lossy(&b).into()));
        }
    }
    let Some(dynamic) = segs.iter().find(|s| s.kind == PT_DYNAMIC) else {
        return Some(info);
    };
    let to_offset = |vaddr: u64| {
        segs.iter()
            .filter(|s| s.kind == PT_LOAD)
            .find(|s| vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz)
            .map(|s| s.offset + (vaddr - s.vaddr))
    };
    let dyn_bytes = src.at(dynamic.offset, dynamic.filesz.min(MAX_TABLE))?;
    let ent = if wide { 16 } else { 8 };
    let (mut strtab, mut strsz, mut verneed, mut verneednum) = (None, 0u64, None, 0u64);
    let mut needed_offs = Vec::new();
    for d in dyn_bytes.chunks_exact(ent) {
        let tag = e.word(d, 0, wide)?;
        let val = e.word(d, ent / 2, wide)?;
        match tag {
            DT_NULL => break,
            DT_NEEDED => needed_offs.push(val),
            DT_STRTAB => strtab = Some(val),
            DT_STRSZ => strsz = val,
            DT_VERNEED => verneed = Some(val),
            DT_VERNEEDNUM => verneednum = val,
            _ => {}
        }
    }
    let Some(strtab) = strtab.and_then(to_offset) else {
        return Some(info);
    };
    // The string table can be megabytes (every dynamic symbol's name): only the few names
    // asked for are read, a growing piece at a time until their NUL, within the table.
    let strsz = strsz.min(MAX_TABLE);
    if strtab.checked_add(strsz)? > src.size() {
        return None;
    }
    let name = |off: u64| table_string(src, strtab, strsz, off);
    info.needed = needed_offs.into_iter().filter_map(name).collect();
    // Elf_Verneed {vn_version, vn_cnt: u16; vn_file, vn_aux, vn_next: u32} and
    // Elf_Vernaux {vna_hash: u32; vna_flags, vna_other: u16; vna_name, vna_next: u32}:
    // 16 bytes each in both classes.
    if let Some(mut at) = verneed.and_then(to_offset) {
        let mut walked = 0;
        for _ in 0..verneednum.min(MAX_VERNEED as u64) {
            let Some(vn) = src.at(at, 16) else { break };
            let (cnt, file, aux, next) = (
                e.u16(&vn, 2)?,
                e.u32(&vn, 4)?,
                e.u32(&vn, 8)?,
                e.u32(&vn, 12)?,
            );
            let lib = name(u64::from(file)).unwrap_or_default();
            let mut a = at.checked_add(u64::from(aux))?;
            for _ in 0..cnt {
                walked += 1;
                if walked > MAX_VERNEED {
                    break;
                }
                let Some(va) = src.at(a, 16) else { break };
                // VER_FLG_WEAK: a missing weak version is not an error (glibc's
                // match_symbol), so only the others are recorded.
                let weak = e.u16(&va, 4)? & 0x2 != 0;
                if let Some(v) = name(u64::from(e.u32(&va, 8)?)).filter(|_| !weak) {
                    let list = info.versions.entry(lib.clone()).or_default();
                    if !list.contains(&v) {
                        list.push(v);
                    }
                }
                let n = e.u32(&va, 12)?;
                if n == 0 {
                    break;
                }
                a = a.checked_add(u64::from(n))?;
            }
            if next == 0 {
                break;
            }
            at = at.checked_add(u64::from(next))?;
        }
    }
    Some(info)
}

/// Reads the loader data of a file in memory.
pub fn read_bytes(data: &[u8]) -> Option<LoaderInfo> {
    parse(&data)
}

/// Reads the loader data of a file on disk (a few small positioned reads).
pub fn read(path: &Path) -> Result<LoaderInfo, LoaderError> {
    let file = fsio::open_regular(path)?;
    let len = file
        .metadata()
        .map_err(|e| fsio::FsError::io(path, e))?
        .len();
    parse(&FileAt { file, len }).ok_or_else(|| LoaderError::NotElf(path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_binary_is_read_like_readelf_would() {
        let exe = std::env::current_exe().unwrap();
        let info = read(&exe).unwrap();
        assert_eq!(info.class as usize, 8 * std::mem::size_of::<usize>());
        // Rust test binaries on Linux link glibc or musl dynamically, or are static-pie.
        if !info.needed.is_empty() {
            assert_ne!(info.libc(), Libc::Unknown, "{info:?}");
        }
    }

    #[test]
    fn names_read_piece_by_piece_from_disk_match_the_whole_table_in_memory() {
        let exe = std::env::current_exe().unwrap();
        let on_disk = read(&exe).unwrap();
        let in_memory = read_bytes(&std::fs::read(&exe).unwrap()).unwrap();
        assert_eq!(format!("{on_disk:?}"), format!("{in_memory:?}"));
        // Names longer than the first piece (256 bytes) are read whole; one without a NUL
        // before the table's end is none, as is one past it.
        let long = "x".repeat(1000);
        let table = [b"\0".as_slice(), long.as_bytes(), b"\0ab\0cd"].concat();
        let src = table.as_slice();
        let size = table.len() as u64;
        assert_eq!(
            table_string(&src, 0, size, 1).as_deref(),
            Some(long.as_str())
        );
        assert_eq!(table_string(&src, 0, size, 1002).as_deref(), Some("ab"));
        assert_eq!(table_string(&src, 0, size, 0).as_deref(), Some(""));
        assert_eq!(table_string(&src, 0, size, 1005), None);
        assert_eq!(table_string(&src, 0, size, size + 3), None);
        assert_eq!(table_string(&src, 1, size - 1, 1001).as_deref(), Some("ab"));
    }

    #[test]
    fn garbage_and_prefixes_never_panic() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let mut n = 0;
        while n < exe.len().min(1 << 16) {
            let _ = read_bytes(&exe[..n]);
            n = n * 2 + 1;
        }
        assert!(read_bytes(b"hello").is_none());
        let mut junk = b"\x7fELF\x02\x01\x01".to_vec();
        junk.resize(200, 0xff);
        let _ = read_bytes(&junk);
    }

    #[test]
    fn versions_order_numerically() {
        let mut i = LoaderInfo::default();
        i.versions.insert(
            "libc.so.6".into(),
            vec![
                "GLIBC_2.9".into(),
                "GLIBC_2.34".into(),
                "GLIBC_2.3.2".into(),
            ],
        );
        assert_eq!(i.glibc_max(), Some("GLIBC_2.34"));
        assert_eq!(i.libc(), Libc::Glibc);
        i.needed = vec!["libc.musl-x86_64.so.1".into()];
        assert_eq!(i.libc(), Libc::Musl);
    }
}
