//! Binary mode: reads built host executables and plugin `.so` files (ELF), their
//! per-package export-data hashes (`go:link.pkghashbytes.<pkg>`) and build info, replays the
//! runtime's load check plugin by plugin in load order, and says why hashes differ. All of it
//! is plain data: the findings are decided in `crate::rules` (`rules::binary::check`).

pub mod buildinfo;
pub mod diagnose;
pub mod elf;
pub mod loader;
pub mod runtime;

pub use elf::{read, read_bytes, read_without_order, Artifact, ReadError};
pub use runtime::{replay, Event, HostSummary, PluginResult, Replay, Verdict};

/// Reads a host and its plugins for `rules::binary::check`, without their check orders:
/// a plugin's dynamic relocations (the largest part of what `read` reads) only decide which
/// package the runtime names, and against which side, when two or more packages differ.
/// The set of differing packages, and every verdict, does not depend on them: read them
/// with `add_check_orders` for the plugins a first check says need them. The host and runs
/// of plugins are read on rayon's threads, one set of buffers per run (a fresh megabyte
/// buffer per file would cost its page faults again): on 2 cores, host + 20 plugins took
/// 0.6x the wall time of sequential reads for about the same CPU time.
pub fn read_for_replay(
    host: &std::path::Path,
    plugins: &[std::path::PathBuf],
) -> Result<(Artifact, Vec<Artifact>), ReadError> {
    use rayon::prelude::*;
    // One run of files per thread, each reusing its buffers; results in the given order.
    let per = plugins
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let (host, plugins) = rayon::join(
        || elf::read_with(host, false, &mut elf::Buffers::default()),
        || {
            plugins
                .par_chunks(per)
                .flat_map_iter(|run| {
                    let mut bufs = elf::Buffers::default();
                    run.iter()
                        .map(|p| elf::read_with(p, false, &mut bufs))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        },
    );
    // The first unreadable file in order is the one reported, as when read in sequence.
    let host = host?;
    Ok((host, plugins.into_iter().collect::<Result<Vec<_>, _>>()?))
}

/// Reads the check order of each plugin whose replay found two or more differing packages
/// (`results`, one per plugin in order, from a replay without orders). Returns whether any
/// was read, that is whether the replay must run again.
pub fn add_check_orders(
    plugins: &mut [Artifact],
    paths: &[std::path::PathBuf],
    results: &[PluginResult],
) -> Result<bool, ReadError> {
    let mut bufs = elf::Buffers::default();
    let mut any = false;
    for ((a, path), r) in plugins.iter_mut().zip(paths).zip(results) {
        if r.mismatched_packages.len() > 1 && a.check_order.is_empty() {
            a.check_order = elf::read_with(path, true, &mut bufs)?.check_order;
            any = true;
        }
    }
    Ok(any)
}
