//! Binary mode: reads built host executables and plugin `.so` files (ELF), their
//! per-package export-data hashes (`go:link.pkghashbytes.<pkg>`) and build info, replays the
//! runtime's load check plugin by plugin in load order, and says why hashes differ. All of it
//! is plain data: the findings are decided in `crate::rules` (`rules::binary::check`).

pub mod buildinfo;
pub mod diagnose;
pub mod elf;
pub mod loader;
pub mod runtime;

pub use elf::{read, read_bytes, Artifact, ReadError};
pub use runtime::{replay, Event, HostSummary, PluginResult, Replay, Verdict};
