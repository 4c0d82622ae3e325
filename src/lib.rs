//! godrift: tells Go teams, before they deploy, whether a host program and its
//! `-buildmode=plugin` plugins will load together, and if not, why.
//!
//! The library is the engine; `src/main.rs` is a thin CLI over it.

pub mod analysis;
pub mod baseline;
pub mod binary;
pub mod config;
pub mod dirhash;
pub mod finding;
pub mod fsio;
pub mod gomod;
pub mod gosum;
pub mod graph;
pub mod integrity;
pub mod module;
pub mod project;
pub mod report;
pub mod semver;
pub mod span;
pub mod text;
pub mod txtar;
pub mod vendor;
