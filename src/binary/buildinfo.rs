//! `.go.buildinfo` parsing: Go version, main module, dependencies and build settings, in both
//! the pointer-free format (Go 1.18+) and the older pointer format.

use super::elf::GoElf;
use serde::Serialize;
use std::collections::BTreeMap;

const MAGIC: &[u8; 14] = b"\xff Go buildinf:";

/// A module line of build info (`mod`, `dep`), with its `=>` replacement if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildModule {
    pub path: String,
    pub version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sum: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace: Option<Box<BuildModule>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BuildInfo {
    pub go_version: String,
    /// Main package path (`path` line).
    pub path: String,
    pub main: Option<BuildModule>,
    pub deps: Vec<BuildModule>,
    pub settings: BTreeMap<String, String>,
}

impl BuildInfo {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings.get(key).map(String::as_str)
    }

    pub fn dep(&self, path: &str) -> Option<&BuildModule> {
        self.deps.iter().find(|d| d.path == path)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BuildInfoError {
    #[error("not a Go binary (no build info)")]
    NotFound,
    #[error("malformed build info: {0}")]
    Malformed(&'static str),
}

/// Reads build info from a parsed ELF and its raw bytes.
pub fn read(elf: &GoElf, data: &[u8]) -> Result<BuildInfo, BuildInfoError> {
    let (_, region) = elf
        .buildinfo_region
        .as_ref()
        .ok_or(BuildInfoError::NotFound)?;
    let start = (0..region.len().saturating_sub(31))
        .step_by(16)
        .find(|&i| region[i..].starts_with(MAGIC))
        .ok_or(BuildInfoError::NotFound)?;
    let hdr = &region[start..];
    let ptr_size = hdr[14] as usize;
    let flags = hdr[15];
    let (version, modinfo) = if flags & 2 != 0 {
        // Go 1.18+: two varint-prefixed strings right after the 32-byte header.
        let rest = &hdr[32..];
        let (v, n) = read_varstring(rest).ok_or(BuildInfoError::Malformed("version string"))?;
        let (m, _) =
            read_varbytes(&rest[n..]).ok_or(BuildInfoError::Malformed("module info string"))?;
        (v, m.to_vec())
    } else {
        // Older: two pointers to Go string headers (pointer, length).
        if ptr_size != 4 && ptr_size != 8 {
            return Err(BuildInfoError::Malformed("pointer size"));
        }
        let big = flags & 1 != 0;
        let v = read_string_at(
            elf,
            data,
            read_ptr(&hdr[16..], ptr_size, big)?,
            ptr_size,
            big,
        )?;
        let m = read_string_at(
            elf,
            data,
            read_ptr(&hdr[16 + ptr_size..], ptr_size, big)?,
            ptr_size,
            big,
        )?;
        (String::from_utf8_lossy(&v).into_owned(), m)
    };
    let mut info = parse_modinfo(&strip_sentinels(&modinfo));
    info.go_version = version;
    Ok(info)
}

fn read_varstring(b: &[u8]) -> Option<(String, usize)> {
    read_varbytes(b).map(|(v, n)| (String::from_utf8_lossy(v).into_owned(), n))
}

fn read_varbytes(b: &[u8]) -> Option<(&[u8], usize)> {
    let mut len: u64 = 0;
    let mut shift = 0;
    let mut i = 0;
    loop {
        let byte = *b.get(i)?;
        i += 1;
        len |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
    let end = i.checked_add(usize::try_from(len).ok()?)?;
    Some((b.get(i..end)?, end))
}

fn read_ptr(b: &[u8], size: usize, big: bool) -> Result<u64, BuildInfoError> {
    let b = b
        .get(..size)
        .ok_or(BuildInfoError::Malformed("truncated header"))?;
    let mut v: u64 = 0;
    for i in 0..size {
        let byte = if big { b[i] } else { b[size - 1 - i] };
        v = (v << 8) | u64::from(byte);
    }
    Ok(v)
}

fn read_string_at(
    elf: &GoElf,
    data: &[u8],
    addr: u64,
    ptr: usize,
    big: bool,
) -> Result<Vec<u8>, BuildInfoError> {
    let bad = BuildInfoError::Malformed("string pointer outside the file");
    let hdr = elf.read_vaddr(data, addr, 2 * ptr as u64).ok_or(bad)?;
    let p = read_ptr(hdr, ptr, big)?;
    let n = read_ptr(&hdr[ptr..], ptr, big)?;
    let bytes = elf
        .read_vaddr(data, p, n)
        .ok_or(BuildInfoError::Malformed("string outside the file"))?;
    Ok(bytes.to_vec())
}

/// Module info is framed by 16-byte binary sentinels (Go 1.13+): strip them before decoding.
fn strip_sentinels(b: &[u8]) -> String {
    if b.len() >= 33 && b[b.len() - 17] == b'\n' {
        String::from_utf8_lossy(&b[16..b.len() - 16]).into_owned()
    } else {
        String::from_utf8_lossy(b).into_owned()
    }
}

/// Parses the text form (`path`, `mod`, `dep`, `=>`, `build` lines).
pub fn parse_modinfo(text: &str) -> BuildInfo {
    let mut info = BuildInfo::default();
    // Where the last `mod`/`dep` went, so `=>` attaches to it.
    let mut last_is_main = false;
    for line in text.lines() {
        let mut f = line.split('\t');
        let kind = f.next().unwrap_or("");
        let a = f.next().unwrap_or("").to_string();
        let b = f.next().unwrap_or("").to_string();
        let c = f.next().unwrap_or("").to_string();
        let m = BuildModule {
            path: a.clone(),
            version: b,
            sum: c,
            replace: None,
        };
        match kind {
            "path" => info.path = a,
            "go" => info.go_version = a,
            "mod" => {
                info.main = Some(m);
                last_is_main = true;
            }
            "dep" => {
                info.deps.push(m);
                last_is_main = false;
            }
            "=>" => {
                let target = if last_is_main {
                    info.main.as_mut()
                } else {
                    info.deps.last_mut()
                };
                if let Some(t) = target {
                    t.replace = Some(Box::new(m));
                }
            }
            "build" => {
                let kv = line.split_once('\t').map(|x| x.1).unwrap_or("");
                if let Some((k, v)) = split_setting(kv) {
                    info.settings.insert(k, v);
                }
            }
            _ => {}
        }
    }
    info
}

/// `key=value`, either part possibly Go-quoted (when it has spaces, `=`, quotes...).
fn split_setting(s: &str) -> Option<(String, String)> {
    let (key, rest) = if s.starts_with('"') {
        let (k, n) = unquote(s)?;
        (k, s.get(n..)?.strip_prefix('=')?)
    } else {
        let (k, v) = s.split_once('=')?;
        (k.to_string(), v)
    };
    let value = if rest.starts_with('"') {
        unquote(rest)
            .map(|x| x.0)
            .unwrap_or_else(|| rest.to_string())
    } else {
        rest.to_string()
    };
    Some((key, value))
}

/// Minimal Go string unquoting; returns the value and bytes consumed.
fn unquote(s: &str) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_modinfo_lines_and_quoted_settings() {
        let text = "path\texample.com/plug\nmod\texample.com/plug\t(devel)\t\n\
                    dep\texample.com/dep\tv1.0.0\th1:abc=\n=>\t../dep\t(devel)\t\n\
                    dep\tgolang.org/x/text\tv0.3.0\th1:xyz=\n\
                    build\t-buildmode=plugin\nbuild\t-ldflags=\"-s -w\"\nbuild\t-race=true\n\
                    build\tCGO_ENABLED=1\n";
        let info = parse_modinfo(text);
        assert_eq!(info.path, "example.com/plug");
        assert_eq!(info.main.as_ref().unwrap().version, "(devel)");
        assert_eq!(info.deps.len(), 2);
        let dep = info.dep("example.com/dep").unwrap();
        assert_eq!(dep.sum, "h1:abc=");
        assert_eq!(dep.replace.as_ref().unwrap().path, "../dep");
        assert!(info.dep("golang.org/x/text").unwrap().replace.is_none());
        assert_eq!(info.setting("-ldflags"), Some("-s -w"));
        assert_eq!(info.setting("-race"), Some("true"));
        assert_eq!(info.setting("-buildmode"), Some("plugin"));
    }

    #[test]
    fn varint_strings_and_truncation() {
        assert_eq!(read_varstring(b"\x03abcd"), Some(("abc".into(), 4)));
        assert_eq!(read_varstring(b"\x05abc"), None);
        assert_eq!(
            read_varstring(b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
            None
        );
        assert_eq!(read_varstring(b""), None);
    }

    #[test]
    fn inline_format_region() {
        let mut region = vec![0u8; 16];
        region.extend_from_slice(MAGIC);
        region.push(8);
        region.push(2);
        region.resize(48, 0);
        region.push(8);
        region.extend_from_slice(b"go1.26.8");
        let modinfo = format!("{}path\tx\n{}", "0".repeat(16), "1".repeat(16));
        region.push(modinfo.len() as u8);
        region.extend_from_slice(modinfo.as_bytes());
        let elf = GoElf {
            buildinfo_region: Some((0, region.clone())),
            ..GoElf::default()
        };
        let info = read(&elf, &[]).unwrap();
        assert_eq!(info.go_version, "go1.26.8");
        assert_eq!(info.path, "x");
        // Every truncation is an error or a partial parse, never a panic.
        for n in 0..region.len() {
            let elf = GoElf {
                buildinfo_region: Some((0, region[..n].to_vec())),
                ..GoElf::default()
            };
            let _ = read(&elf, &[]);
        }
    }
}
