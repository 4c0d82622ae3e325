//! Binary mode: reads built host executables and plugin `.so` files (ELF), their
//! per-package export-data hashes (`go:link.pkghashbytes.<pkg>`) and build info, and gives
//! the load verdict the Go runtime would, plugin by plugin in load order, with the real
//! cause when the runtime's message names the wrong package.

pub mod buildinfo;
pub mod diagnose;
pub mod elf;
pub mod verdict;

pub use elf::{read, read_bytes, Artifact, ReadError};
pub use verdict::{check, CheckReport, PluginResult, Verdict};
