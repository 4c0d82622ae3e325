//! Subcommands, one file each. Exit codes: 0 clean, 1 findings at or above `--fail-on`,
//! 2 bad input (any error).

/// `eprintln!` for messages that quote names or text from the tree: control characters are
/// escaped (see `warn`).
macro_rules! warnln {
    ($($arg:tt)*) => {
        $crate::cli::warn(&format!($($arg)*))
    };
}

mod align;
mod check;
mod contract;
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
    /// When to color the terminal table: auto (a terminal, unless NO_COLOR is set or
    /// CLICOLOR_FORCE forces it), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Whether to color, as the NO_COLOR (no-color.org) and CLICOLOR_FORCE
/// (bixense.com/clicolors) conventions say: an explicit `--color` wins, then NO_COLOR (set
/// and not empty), then CLICOLOR_FORCE (set and not `0`), then CLICOLOR=0, then whether
/// the output is a terminal that is not `dumb`.
pub fn use_color(
    choice: ColorChoice,
    is_terminal: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                false
            } else if env("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
                true
            } else if env("CLICOLOR").is_some_and(|v| v == "0") {
                false
            } else {
                is_terminal && env("TERM").is_none_or(|t| t != "dumb")
            }
        }
    }
}

/// The terminal's look for tables on stdout: its width when it is a terminal (else
/// COLUMNS when set; else no wrapping), and colors per `use_color`.
pub fn style(choice: ColorChoice) -> godrift::report::Style {
    let stdout = std::io::stdout();
    let tty = std::io::IsTerminal::is_terminal(&stdout);
    let env = |k: &str| std::env::var(k).ok();
    let width = if tty {
        terminal_size::terminal_size_of(&stdout).map(|(w, _)| w.0)
    } else {
        None
    }
    .or_else(|| env("COLUMNS").and_then(|c| c.trim().parse::<u16>().ok()))
    .filter(|w| *w >= 20);
    godrift::report::Style {
        width,
        color: use_color(choice, tty, &env),
    }
}

/// Whether this runs in GitHub Actions (annotations and the job summary are written).
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
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
    /// Host contracts: export what a host offers its plugins, as versioned JSON.
    #[command(subcommand)]
    Contract(contract::ContractCommand),
    /// Show as JSON what godrift reads from a go.mod, go.work, go.sum or modules.txt.
    Parse(parse::ParseArgs),
    /// Print a finding code's documentation: what it means, why it breaks loading, the fix.
    Explain(explain::ExplainArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff): `godrift man > godrift.1`.
    Man,
}

#[derive(clap::Args, Debug)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
    // Go's environment as `go` sees it (`go env -json` once, or Go's defaults).
    let env = godrift::goenv::GoEnv::detect();
    options_from(&env, gomodcache, cache, progress)
}

/// `project_options` for loading the project in `dir` (`project::load`): while `go env`
/// runs, the vendor/ trees of the project's sides are hashed (they do not depend on Go's
/// environment), and loading takes them from there.
pub fn project_options_for<'a>(
    dir: &std::path::Path,
    config: Option<&std::path::Path>,
    gomodcache: Option<&std::path::Path>,
    cache: bool,
    progress: Option<godrift::integrity::Progress<'a>>,
) -> godrift::project::Options<'a> {
    let cache_dir = cache.then(godrift::project::default_cache_dir).flatten();
    let (env, prescanned) = std::thread::scope(|s| {
        let env = s.spawn(|| {
            // Cache files of an earlier godrift's format are dropped while go env runs.
            if let Some(d) = &cache_dir {
                godrift::integrity::remove_legacy_cache(d);
            }
            godrift::goenv::GoEnv::detect()
        });
        let dirs = godrift::project::vendor_dirs(dir, config);
        let pre = godrift::integrity::Prescanned::scan(&dirs, cache_dir.as_deref(), progress);
        let env = env.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (env, pre)
    });
    let mut opts = options_from(&env, gomodcache, cache, progress);
    opts.prescanned = Some(std::sync::Arc::new(prescanned));
    opts
}

/// Options from Go's environment, with `--gomodcache` taking precedence when given and not
/// empty.
fn options_from<'a>(
    env: &godrift::goenv::GoEnv,
    gomodcache: Option<&std::path::Path>,
    cache: bool,
    progress: Option<godrift::integrity::Progress<'a>>,
) -> godrift::project::Options<'a> {
    let mut graph = godrift::graph::LoadOptions::from_env(env);
    if let Some(p) = gomodcache.filter(|p| !p.as_os_str().is_empty()) {
        graph.gomodcache = p.to_path_buf();
    }
    godrift::project::Options {
        graph,
        cache_dir: if cache {
            godrift::project::default_cache_dir()
        } else {
            None
        },
        progress,
        packages: true,
        goos: env.goos.clone(),
        goarch: env.goarch.clone(),
        goroot: env.goroot.clone(),
        go_version: env
            .goversion
            .as_deref()
            .and_then(|v| godrift::semver::gover::from_toolchain(v).map(str::to_string)),
        env_build: godrift::project::EnvBuild::from_env(env),
        prescanned: None,
    }
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
        Command::Report(a) => report::run(a, cli.color, out),
        Command::Init(a) => init::run(a, out),
        Command::Align(a) => align::run(a, out),
        Command::NewPlugin(a) => new_plugin::run(a, out),
        Command::Recipe(a) => recipe::run(a, out),
        Command::Hook(a) => hook::run(a, out),
        Command::Check(a) => check::run(a, cli.color, out),
        Command::Contract(a) => contract::run(a, out),
        Command::Parse(a) => parse::run(a, out),
        Command::Explain(a) => explain::run(a, out),
        // Rendered into memory first: the generators panic on a write error (a closed pipe).
        Command::Completions(a) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_complete::generate(a.shell, &mut cmd, "godrift", &mut buf);
            out.write_all(&buf)
                .map(|()| EXIT_CLEAN)
                .map_err(anyhow::Error::from)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .and_then(|()| out.write_all(&buf))
                .map(|()| EXIT_CLEAN)
                .map_err(anyhow::Error::from)
        }
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
            let text = match e.downcast_ref::<BadInput>() {
                Some(b) => b.to_string(),
                None => format!("godrift: {}", error_text(&e)),
            };
            warn(&present(&text));
            EXIT_BAD_INPUT
        }
    }
}

/// Where SARIF URIs and annotation paths are relative to: `--sarif-root` when given, else
/// the enclosing git repository's root (the directory holding `.git`, a directory or a
/// worktree's file), else `dir` itself. Returns `dir` relative to that root.
pub fn repo_paths(
    dir: &std::path::Path,
    sarif_root: Option<&std::path::Path>,
) -> Result<godrift::report::SarifOptions, anyhow::Error> {
    let canonical = |p: &std::path::Path, what: &str| {
        p.canonicalize().map_err(|e| {
            bad(format!(
                "godrift: {}: {e} (the {what} must be an existing directory)",
                p.display()
            ))
        })
    };
    let dir = canonical(dir, "project directory")?;
    let root = match sarif_root {
        Some(r) => Some(canonical(r, "--sarif-root")?),
        None => dir
            .ancestors()
            .find(|a| a.join(".git").exists())
            .map(std::path::Path::to_path_buf),
    };
    let Some(root) = root else {
        return Ok(godrift::report::SarifOptions::new(""));
    };
    match dir.strip_prefix(&root) {
        Ok(rel) => Ok(
            godrift::report::SarifOptions::new(&rel.display().to_string())
                .with_root(&root.display().to_string()),
        ),
        Err(_) => Err(bad(format!(
            "godrift: --sarif-root {} does not contain the project {}: give the repository root the SARIF paths are relative to",
            root.display(),
            dir.display()
        ))),
    }
}

/// Appends to the job summary file GitHub gives (`GITHUB_STEP_SUMMARY`), kept under 1 MiB.
pub fn append_summary(path: &std::path::Path, markdown: &str) -> anyhow::Result<()> {
    let text = godrift::report::summary(markdown.to_string());
    godrift::fsio::append_file(path, text.as_bytes()).map_err(|e| {
        bad(format!(
            "godrift: {e} (GITHUB_STEP_SUMMARY names the job summary file: unset it outside GitHub Actions)"
        ))
    })
}

/// Writes a file godrift was asked to write (see `godrift::fsio::write_file`).
pub fn write_atomically(path: &std::path::Path, data: &[u8]) -> anyhow::Result<()> {
    godrift::fsio::write_file(path, data)?;
    Ok(())
}

/// Writes text as it is to stderr (workflow commands, already encoded). Never fails.
pub fn warn_raw(s: &str) {
    use std::io::Write;
    let _ = std::io::stderr().lock().write_all(s.as_bytes());
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

/// An error as people read it: the operating system's words without `(os error N)`, each
/// said once, and what to do about the common ones. Every message already names its file.
pub fn present(msg: &str) -> String {
    let mut s = msg.to_string();
    // `(os error 2)` says nothing more than the words before it.
    while let Some(i) = s.find(" (os error ") {
        match s[i..].find(')') {
            Some(j) => s.replace_range(i..i + j + 1, ""),
            None => break,
        }
    }
    s = s.replace("entity not found", "No such file or directory");
    for cause in [
        "No such file or directory",
        "Permission denied",
        "Is a directory",
        "Not a directory",
    ] {
        let twice = format!("{cause}: {cause}");
        while s.contains(&twice) {
            s = s.replace(&twice, cause);
        }
    }
    let advice = [
        (
            "No such file or directory",
            "check the path; relative paths start at the current directory",
        ),
        (
            "Permission denied",
            "check the file's permissions, or run where godrift may read and write",
        ),
        ("Is a directory", "give a file, not a directory"),
        (
            "Not a directory",
            "a parent of the path is a file: check the path",
        ),
        (
            "Read-only file system",
            "write the output elsewhere (--output PATH)",
        ),
        ("No space left on device", "free some disk space"),
        // What mapping a directory or a device answers.
        (
            "No such device",
            "give a regular file: a built executable or .so, not a directory",
        ),
    ];
    if !s.contains(" (") || !s.trim_end().ends_with(')') {
        if let Some((_, hint)) = advice.iter().find(|(k, _)| s.contains(k)) {
            s = format!("{} ({hint})", s.trim_end());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_to_do() {
        let hint = "(check the path; relative paths start at the current directory)";
        assert_eq!(
            present("godrift: /x/h: No such file or directory (os error 2): No such file or directory (os error 2)"),
            format!("godrift: /x/h: No such file or directory {hint}")
        );
        assert_eq!(
            present("/nope.toml: entity not found"),
            format!("/nope.toml: No such file or directory {hint}")
        );
        // Go's own wording is left alone, and so is advice already given.
        assert_eq!(
            present("go.mod:3:1: unknown directive: foo"),
            "go.mod:3:1: unknown directive: foo"
        );
        assert_eq!(
            present("f: Permission denied (do X)"),
            "f: Permission denied (do X)"
        );
    }

    #[test]
    fn color_follows_flag_then_no_color_then_clicolor_force() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(a, _)| *a == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(use_color(
            ColorChoice::Always,
            false,
            &env(&[("NO_COLOR", "1")])
        ));
        assert!(!use_color(
            ColorChoice::Never,
            true,
            &env(&[("CLICOLOR_FORCE", "1")])
        ));
        assert!(use_color(ColorChoice::Auto, true, &env(&[])));
        assert!(!use_color(ColorChoice::Auto, false, &env(&[])));
        assert!(!use_color(
            ColorChoice::Auto,
            true,
            &env(&[("NO_COLOR", "1")])
        ));
        assert!(use_color(
            ColorChoice::Auto,
            true,
            &env(&[("NO_COLOR", "")])
        ));
        assert!(use_color(
            ColorChoice::Auto,
            false,
            &env(&[("CLICOLOR_FORCE", "1")])
        ));
        assert!(!use_color(
            ColorChoice::Auto,
            false,
            &env(&[("CLICOLOR_FORCE", "0")])
        ));
        assert!(!use_color(
            ColorChoice::Auto,
            false,
            &env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")])
        ));
        assert!(!use_color(
            ColorChoice::Auto,
            true,
            &env(&[("CLICOLOR", "0")])
        ));
        assert!(!use_color(
            ColorChoice::Auto,
            true,
            &env(&[("TERM", "dumb")])
        ));
    }
}
