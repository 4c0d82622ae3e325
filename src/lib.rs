//! godrift: tells Go teams, before they deploy, whether a host program and its
//! `-buildmode=plugin` plugins will load together, and if not, why and what to change.
//!
//! The library is the engine; `src/cli/` is a thin clap layer over it. Data flows one way,
//! each stage handing the next plain values, with nothing process-global:
//!
//! Go's environment (`goenv`: `go env -json` once, or Go's defaults) is read by the caller
//! and passed in as options.
//!
//! ```text
//! parse ──► graph ──► project ──► rules ──► fixes ──► report
//! gomod/    build     the model    one file   align     pure renderers:
//! gosum     lists     of host and  per code   proposals table, JSON,
//! vendor    (MVS,     each plugin  (codes.rs             Markdown, SARIF
//! config    pruning,  (+ integrity holds the
//!           go.work)  and binary   code table)
//!                     plain data)
//! ```
//!
//! Source mode, end to end, on the bundled example (one plugin upgraded a shared module):
//!
//! ```
//! use std::path::Path;
//! let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example");
//! let opts = godrift::project::Options {
//!     graph: godrift::graph::LoadOptions::module_mode(dir.join("no-modcache")),
//!     ..Default::default()
//! };
//! let project = godrift::project::load(&dir, None, &opts)?;
//! let analysis = godrift::rules::run(&project);
//! assert_eq!(analysis.verdict, godrift::rules::Verdict::Fails);
//! let report = godrift::report::Report::new(&project, analysis);
//! assert!(report.findings.iter().any(|f| f.code == godrift::codes::Code::VersionConflict));
//! let json = godrift::report::json(&report);
//! assert!(json.contains("\"verdict\": \"fails\""));
//! # Ok::<(), godrift::project::ProjectError>(())
//! ```
//!
//! Binary mode: `binary::read` each built file, then `rules::binary::check`.
//!
//! The library never prints (the lints below enforce it) and reads every input through
//! `fsio`'s bounded reader.

#![deny(clippy::print_stdout, clippy::print_stderr, clippy::dbg_macro)]

pub mod baseline;
pub mod binary;
pub mod codes;
pub mod config;
pub mod contract;
pub mod dirhash;
pub mod explain;
pub mod finding;
pub mod fixes;
pub mod fsio;
pub mod goenv;
pub mod gomod;
pub mod gosum;
pub mod graph;
pub mod integrity;
pub mod linkage;
pub mod module;
pub mod packages;
pub mod paths;
pub mod project;
pub mod report;
pub mod rules;
pub mod semver;
pub mod span;
pub mod text;
pub mod txtar;
pub mod vendor;
