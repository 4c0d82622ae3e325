//! Go build info (`.go.buildinfo`), as debug/buildinfo reads it: the Go version, main
//! module, dependencies with `=>` replacements, and build settings (`-trimpath`, `-race`,
//! `CGO_ENABLED`, `GOEXPERIMENT`, `-gcflags`, ...). Plugins carry it from Go 1.20/1.21 on.

use serde::Serialize;
use std::collections::BTreeMap;

const MAGIC: &[u8] = b"\xff Go buildinf:";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Dep {
    pub path: String,
    pub version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sum: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace: Option<Box<Dep>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BuildInfo {
    pub go_version: String,
    /// The main package path (`path` line).
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main: Option<Dep>,
    pub deps: Vec<Dep>,
    pub settings: BTreeMap<String, String>,
}

impl BuildInfo {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }

    /// The dependency (or main module) providing package `pkg`: longest module-path prefix.
    pub fn module_of(&self, pkg: &str) -> Option<&Dep> {
        self.main
            .iter()
            .chain(self.deps.iter())
            .filter(|d| pkg == d.path || pkg.starts_with(&format!("{}/", d.path)))
            .max_by_key(|d| d.path.len())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BuildInfoError {
    #[error("not a Go binary: no build info")]
    Missing,
    #[error("malformed build info: {0}")]
    Malformed(&'static str),
}

fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut x: u64 = 0;
    for (i, &c) in b.iter().enumerate().take(10) {
        x |= u64::from(c & 0x7f) << (7 * i);
        if c < 0x80 {
            return Some((x, i + 1));
        }
    }
    None
}

fn varint_string(b: &[u8]) -> Option<(&[u8], usize)> {
    let (n, k) = uvarint(b)?;
    let n = usize::try_from(n).ok()?;
    let s = b.get(k..k.checked_add(n)?)?;
    Some((s, k + n))
}

/// A target-sized word (4 or 8 bytes, either byte order).
pub fn read_word(b: &[u8], ptr: usize, big: bool) -> Option<u64> {
    Some(match (ptr, big) {
        (8, false) => u64::from_le_bytes(b.try_into().ok()?),
        (8, true) => u64::from_be_bytes(b.try_into().ok()?),
        (4, false) => u64::from(u32::from_le_bytes(b.try_into().ok()?)),
        (4, true) => u64::from(u32::from_be_bytes(b.try_into().ok()?)),
        _ => return None,
    })
}

/// Reads build info from `data`, the bytes at virtual address `base` (the `.go.buildinfo`
/// section, or the data segment). As debug/buildinfo's `searchMagic`, the blob starts at a
/// 16-byte-aligned address. `read_string` resolves a Go string header at a virtual address
/// (the pre-1.18 format stores pointers).
pub fn parse_blob(
    data: &[u8],
    base: u64,
    read_string: &dyn Fn(u64, usize, bool) -> Option<Vec<u8>>,
) -> Result<BuildInfo, BuildInfoError> {
    const ALIGN: u64 = 16;
    let mut from = 0usize;
    let start = loop {
        let at = from
            + memchr::memmem::find(data.get(from..).unwrap_or_default(), MAGIC)
                .ok_or(BuildInfoError::Missing)?;
        if base.wrapping_add(at as u64).is_multiple_of(ALIGN) {
            break at;
        }
        from = at + 1;
    };
    let hdr = data
        .get(start..start + 32)
        .ok_or(BuildInfoError::Malformed("truncated header"))?;
    let ptr_size = usize::from(hdr[14]);
    let flags = hdr[15];
    let big_endian = flags & 1 != 0;
    let (version, modinfo) = if flags & 2 != 0 {
        // Go 1.18+: strings inline after the header.
        let rest = &data[start + 32..];
        let (v, k) = varint_string(rest).ok_or(BuildInfoError::Malformed("version"))?;
        let (m, _) = varint_string(&rest[k..]).ok_or(BuildInfoError::Malformed("modinfo"))?;
        (v.to_vec(), m.to_vec())
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Err(BuildInfoError::Malformed("pointer size"));
        }
        let read_ptr = |off: usize| read_word(hdr.get(off..off + ptr_size)?, ptr_size, big_endian);
        let va = read_ptr(16).ok_or(BuildInfoError::Malformed("version pointer"))?;
        let ma = read_ptr(16 + ptr_size).ok_or(BuildInfoError::Malformed("modinfo pointer"))?;
        let v =
            read_string(va, ptr_size, big_endian).ok_or(BuildInfoError::Malformed("version"))?;
        let m = read_string(ma, ptr_size, big_endian).unwrap_or_default();
        (v, m)
    };
    // debug/buildinfo: an empty version is not a Go executable.
    if version.is_empty() {
        return Err(BuildInfoError::Missing);
    }
    let mut info = parse_modinfo(&modinfo);
    info.go_version = String::from_utf8_lossy(&version).into_owned();
    Ok(info)
}

/// Parses the modinfo text (between its 16-byte sentinels).
pub fn parse_modinfo(raw: &[u8]) -> BuildInfo {
    let text = if raw.len() >= 33 && raw[raw.len() - 17] == b'\n' {
        &raw[16..raw.len() - 16]
    } else {
        raw
    };
    let text = String::from_utf8_lossy(text);
    let mut info = BuildInfo::default();
    // Index of the entry a following `=>` line replaces: None, main, or deps[i].
    enum Last {
        None,
        Main,
        Dep(usize),
    }
    let mut last = Last::None;
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let dep = |f: &[&str]| Dep {
            path: f.get(1).copied().unwrap_or("").to_string(),
            version: f.get(2).copied().unwrap_or("").to_string(),
            sum: f.get(3).copied().unwrap_or("").to_string(),
            replace: None,
        };
        match f[0] {
            "path" => info.path = f.get(1).copied().unwrap_or("").to_string(),
            "mod" => {
                info.main = Some(dep(&f));
                last = Last::Main;
            }
            "dep" => {
                info.deps.push(dep(&f));
                last = Last::Dep(info.deps.len() - 1);
            }
            "=>" => {
                let r = Some(Box::new(dep(&f)));
                match last {
                    Last::Main => {
                        if let Some(m) = info.main.as_mut() {
                            m.replace = r;
                        }
                    }
                    Last::Dep(i) => info.deps[i].replace = r,
                    Last::None => {}
                }
                last = Last::None;
            }
            "build" => {
                let kv = f.get(1).copied().unwrap_or("");
                let (k, v) = match kv.find('=') {
                    Some(i) => (&kv[..i], &kv[i + 1..]),
                    None => (kv, ""),
                };
                let v = unquote(v);
                info.settings.insert(unquote(k), v);
            }
            _ => {}
        }
    }
    info
}

/// Build setting values are Go-quoted when they contain spaces or quotes.
fn unquote(s: &str) -> String {
    match s.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_format() {
        let modinfo = "0123456789abcdefpath\texample.com/plug\nmod\texample.com/plug\t(devel)\t\ndep\texample.com/dep\tv1.0.0\t\n=>\t../dep\t(devel)\t\nbuild\t-trimpath=true\nbuild\t-gcflags=\"all=-N -l\"\n\n0123456789abcdef";
        let mut data = MAGIC.to_vec();
        data.extend([8u8, 2]);
        data.resize(32, 0);
        data.push(8);
        data.extend(b"go1.26.8");
        let mut n = modinfo.len();
        while n >= 0x80 {
            data.push((n as u8) | 0x80);
            n >>= 7;
        }
        data.push(n as u8);
        data.extend(modinfo.as_bytes());
        let info = parse_blob(&data, 0, &|_, _, _| None).unwrap();
        assert_eq!(info.go_version, "go1.26.8");
        assert_eq!(info.path, "example.com/plug");
        assert_eq!(info.deps[0].replace.as_ref().unwrap().path, "../dep");
        assert_eq!(info.setting("-gcflags"), Some("all=-N -l"));
        assert_eq!(
            info.module_of("example.com/dep/sub").unwrap().path,
            "example.com/dep"
        );
        assert_eq!(
            parse_blob(b"garbage", 0, &|_, _, _| None),
            Err(BuildInfoError::Missing)
        );
    }
}
