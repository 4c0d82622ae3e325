//! The godrift command line: a thin clap layer over the library (see `src/cli/`).

mod cli;

// Reports allocate many small strings (messages, why-chains, table cells) from several
// threads: mimalloc's per-thread pages cost a fraction of glibc malloc's locking and
// consolidation there (measured on `cargo bench --bench report`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(cli::run());
}
