//! The godrift command line: a thin clap layer over the library (see `src/cli/`).

mod cli;

fn main() {
    std::process::exit(cli::run());
}
