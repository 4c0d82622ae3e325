//! Subcommands, one file each. Exit codes: 0 clean, 1 findings at or above `--fail-on`,
//! 2 bad input (any error).

mod align;
mod check;
mod explain;
mod hook;
mod init;
mod new_plugin;
mod parse;
mod recipe;
mod report;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "godrift",
    version,
    about = "Will your Go plugins load into your host? godrift tells you before plugin.Open does."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Source-mode verdict: will the plugins load into the host, and what to change if not.
    Report(report::ReportArgs),
    /// Write a starter godrift.toml.
    Init(init::InitArgs),
    /// Apply the alignment proposals to plugin go.mod files (format-preserving, atomic).
    Align(align::AlignArgs),
    /// Scaffold a plugin module pinned to the host's versions and replacements.
    NewPlugin(new_plugin::NewPluginArgs),
    /// Print the go build commands (and a Makefile snippet) with the flags that must match.
    Recipe(recipe::RecipeArgs),
    /// Git hook management.
    #[command(subcommand)]
    Hook(hook::HookCommand),
    /// Verdict from built artifacts: will each plugin .so load into the host executable?
    Check(check::CheckArgs),
    /// Show as JSON what godrift reads from a go.mod, go.work, go.sum or modules.txt.
    Parse(parse::ParseArgs),
    /// Print a finding code's documentation: what it means, why it breaks loading, the fix.
    Explain(explain::ExplainArgs),
}

/// Output formats shared by the reporting subcommands.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Json,
    Markdown,
    Sarif,
}

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_BAD_INPUT: i32 = 2;

/// Where a command writes its output (stdout in `run`, a buffer in tests).
pub type Out<'a> = &'a mut dyn std::io::Write;

/// Bad input whose message already names the file (`go.mod:3:1: ...`, Go's wording): printed
/// as is. Every other error is printed with the `godrift:` prefix. Both exit 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Wraps a library error whose text names the file as `BadInput`.
pub fn bad(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(BadInput(e.to_string()))
}

/// Options for loading a project from the common flags: what is not in the project's files.
pub fn project_options<'a>(
    gomodcache: Option<&std::path::Path>,
    cache: bool,
    progress: Option<godrift::integrity::Progress<'a>>,
) -> godrift::project::Options<'a> {
    let env = go_env();
    godrift::project::Options {
        graph: godrift::graph::LoadOptions {
            gomodcache: gomodcache
                .filter(|p| !p.as_os_str().is_empty())
                .map(std::path::Path::to_path_buf),
            use_workspace: true,
        },
        cache_dir: if cache {
            godrift::project::default_cache_dir()
        } else {
            None
        },
        progress,
        packages: true,
        goos: env.get("GOOS").cloned().unwrap_or_default(),
        goarch: env.get("GOARCH").cloned().unwrap_or_default(),
        goroot: env
            .get("GOROOT")
            .filter(|r| !r.is_empty())
            .map(std::path::PathBuf::from),
        go_version: env
            .get("GOVERSION")
            .and_then(|v| godrift::semver::gover::from_toolchain(v).map(str::to_string)),
    }
}

/// GOOS, GOARCH, GOROOT and GOVERSION as `go env` reports them (go env -w settings count);
/// empty without `go` on PATH (godrift then uses Go's defaults).
fn go_env() -> std::collections::HashMap<String, String> {
    let keys = ["GOOS", "GOARCH", "GOROOT", "GOVERSION"];
    // The go command writes telemetry under os.UserConfigDir(): with a relative HOME that
    // would land in the current directory (a tree godrift must not write to).
    let absolute =
        |k: &str| std::env::var_os(k).is_some_and(|v| std::path::Path::new(&v).is_absolute());
    if !absolute("HOME") && !absolute("XDG_CONFIG_HOME") {
        return Default::default();
    }
    let Ok(out) = std::process::Command::new("go")
        .arg("env")
        .args(keys)
        .env("GOTOOLCHAIN", "local")
        .stderr(std::process::Stdio::null())
        .output()
    else {
        return Default::default();
    };
    if !out.status.success() {
        return Default::default();
    }
    keys.iter()
        .map(|k| k.to_string())
        .zip(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string),
        )
        .collect()
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return code;
        }
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let out: Out = &mut lock;
    let result = match &cli.command {
        Command::Report(a) => report::run(a, out),
        Command::Init(a) => init::run(a, out),
        Command::Align(a) => align::run(a, out),
        Command::NewPlugin(a) => new_plugin::run(a, out),
        Command::Recipe(a) => recipe::run(a, out),
        Command::Hook(a) => hook::run(a, out),
        Command::Check(a) => check::run(a, out),
        Command::Parse(a) => parse::run(a, out),
        Command::Explain(a) => explain::run(a, out),
    }
    .and_then(|code| {
        out.flush()?;
        Ok(code)
    });
    match result {
        Ok(code) => code,
        // The reader went away (`godrift report | head`): nothing left to say to it.
        Err(e) if is_broken_pipe(&e) => EXIT_CLEAN,
        Err(e) => {
            match e.downcast_ref::<BadInput>() {
                Some(b) => warn(&b.to_string()),
                None => warn(&format!("godrift: {}", error_text(&e))),
            }
            EXIT_BAD_INPUT
        }
    }
}

/// An error and its causes, each said once: library errors already carry their cause's
/// text, and printing the chain as well gave `Is a directory: Is a directory`.
fn error_text(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}

/// A message on stderr with control characters escaped (messages quote file names and text
/// from the tree); lines are kept, as Go prints multi-line errors. Never fails.
pub fn warn(s: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{}", godrift::text::block(s));
}
