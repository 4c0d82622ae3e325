//! `godrift report`: source-mode verdict for a host and its plugins, before anything is built.

use super::{bad, ColorChoice, Out, OutputFormat, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use godrift::finding::Severity;
use godrift::{fsio, project, report, rules};
use std::io::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Project directory (holding godrift.toml, or the host module with plugins/*).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Config file (default: DIR/godrift.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the report to this file instead of stdout (a regular file is replaced
    /// atomically; /dev/stdout, /dev/null and FIFOs are written to).
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1 (default: the config's policy, else error).
    #[arg(long, value_parser = severity_parser())]
    pub fail_on: Option<Severity>,
    /// Accept the findings listed in this baseline file; fail only on new drift.
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Write the current findings as a baseline file and exit 0.
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Host module directory (instead of godrift.toml).
    #[arg(long)]
    pub host: Option<PathBuf>,
    /// A deployed host's contract (`godrift contract export`) instead of its sources: the
    /// plugins (--plugin DIR...) are judged against its build list and settings.
    #[arg(long, conflicts_with_all = ["host", "config"], requires = "plugins")]
    pub contract: Option<PathBuf>,
    /// Compare with the host at this git revision (`main`, `HEAD~1`, a commit): Markdown
    /// listing the plugins that loaded with the host at REV and fail with the working tree,
    /// with the alignment for each (a pull-request comment, at most 60,000 characters).
    #[arg(long, value_name = "REV", conflicts_with_all = ["contract", "baseline", "write_baseline"])]
    pub base: Option<String>,
    /// With --contract: the host's module directory on this machine, which the host's
    /// directory replacements are relative to (default: the contract's directory).
    #[arg(long, requires = "contract")]
    pub host_dir: Option<PathBuf>,
    /// Plugin module directory (repeatable; with --host).
    #[arg(long = "plugin")]
    pub plugins: Vec<PathBuf>,
    /// Also check these built files (binary mode): the host executable...
    #[arg(long)]
    pub built_host: Option<PathBuf>,
    /// ...and the plugin .so files, in load order (with --built-host).
    #[arg(long = "built-plugin", requires = "built_host")]
    pub built_plugins: Vec<PathBuf>,
    /// Do not read or write the vendor-hash cache (in the user cache directory).
    #[arg(long)]
    pub no_cache: bool,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// The directory SARIF URIs and GitHub annotations are relative to (default: the git
    /// repository's root; without git, the project directory).
    #[arg(long)]
    pub sarif_root: Option<PathBuf>,
    /// Module cache to read dependencies' go.mod files from (default: GOMODCACHE).
    #[arg(long)]
    pub gomodcache: Option<PathBuf>,
}

pub fn run(args: &ReportArgs, color: ColorChoice, out: Out) -> Result<i32> {
    // A progress counter for source hashing, only when a person is watching. The number of
    // files is not known before the walk, so it counts up (no total to show).
    let bar = (std::io::IsTerminal::is_terminal(&std::io::stderr()) && !args.quiet).then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} hashing vendored and replaced sources: {human_pos} files",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let tick = |n: u64| {
        if let Some(b) = &bar {
            b.inc(n);
        }
    };
    let progress = bar.as_ref().map(|_| &tick as godrift::integrity::Progress);
    let opts = match (&args.contract, &args.host) {
        (None, None) => super::project_options_for(
            &args.dir,
            args.config.as_deref(),
            args.gomodcache.as_deref(),
            !args.no_cache,
            progress,
        ),
        _ => super::project_options(args.gomodcache.as_deref(), !args.no_cache, progress),
    };
    let loaded = match (&args.contract, &args.host) {
        (Some(file), _) => {
            let c = godrift::contract::Contract::read(file).map_err(bad)?;
            let host_dir = match &args.host_dir {
                Some(d) => Some(std::path::absolute(d)?),
                None => None,
            };
            let file = std::path::absolute(file)?;
            let side =
                godrift::contract::side::host_side(&c, &file, host_dir.as_deref()).map_err(bad)?;
            let dir_replaced = c
                .modules
                .iter()
                .filter_map(|m| m.replace.as_deref())
                .any(|r| r.version.is_empty() || r.version == "(devel)");
            project::load_against(side, &args.plugins, &opts).map(|mut p| {
                if dir_replaced && host_dir.is_none() {
                    p.notes.push(format!(
                        "the host replaces modules by directories, resolved here from the contract's directory {}: pass --host-dir with the host's module directory",
                        file.parent().unwrap_or(&file).display()
                    ));
                }
                p
            })
        }
        (None, Some(host)) => project::load_explicit(host, &args.plugins, &opts),
        (None, None) => project::load(&args.dir, args.config.as_deref(), &opts),
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let project = loaded.map_err(bad)?;
    // A report on no plugin would say "loads" about nothing.
    if project.plugins.is_empty() {
        let looked: Vec<String> = project
            .config
            .plugins
            .iter()
            .map(|p| format!("{:?}", p.path))
            .collect();
        return Err(bad(format!(
            "godrift: no plugin module found under {} (looked for {}: directories holding a go.mod); list plugins in godrift.toml or pass --plugin DIR",
            project.root.display(),
            if looked.is_empty() { "plugins in the config".to_string() } else { looked.join(", ") }
        )));
    }
    if let Some(rev) = &args.base {
        return base_impact(rev, project, &opts, out, args, color);
    }
    // Each change's own diff is in the JSON report only.
    let analysis = rules::run_with(
        &project,
        rules::RunOptions {
            change_diffs: args.format == OutputFormat::Json,
        },
    );
    let fail_on = args.fail_on.unwrap_or(project.config.policy.fail_on);
    let mut r = report::Report::new(&project, analysis);
    if let Some(path) = &args.write_baseline {
        let b = godrift::baseline::Baseline::of(&r.findings);
        fsio::write_file(path, serde_json::to_string_pretty(&b)?.as_bytes())?;
        super::warn(&format!(
            "wrote {} accepted finding(s) to {}",
            b.accepted.len(),
            fsio::shown(path)
        ));
        return Ok(EXIT_CLEAN);
    }
    if let Some(path) = &args.baseline {
        let text = fsio::read_input(path)?;
        let text = String::from_utf8_lossy(&text);
        let b = godrift::baseline::Baseline::parse(&text).map_err(|e| {
            bad(format!(
                "{}:{}:{}: {e}",
                fsio::shown(path),
                e.line(),
                e.column()
            ))
        })?;
        let n = r.accept(&b);
        r.notes.push(format!(
            "{n} finding(s) accepted by baseline {}",
            fsio::shown(path)
        ));
    }
    if let Some(host) = &args.built_host {
        r.add_binary(super::check::check_files(
            super::check::HostInput::Binary(host),
            &args.built_plugins,
            None,
        )?);
    }
    // The report's paths are relative to the project root.
    let paths = super::repo_paths(&project.root, args.sarif_root.as_deref())?;
    let text = match (args.format, &args.output) {
        // To stdout, the table and JSON are written as they are laid out (they can be tens
        // of megabytes).
        (OutputFormat::Table, None) => {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
            report::write_table(&r, super::style(color), &mut w)?;
            w.flush()?;
            None
        }
        (OutputFormat::Json, None) => {
            let mut w = std::io::BufWriter::with_capacity(1 << 16, &mut *out);
            report::write_json(&r, &mut w)?;
            w.flush()?;
            None
        }
        // A file gets no colors nor wrapping.
        (OutputFormat::Table, Some(_)) => Some(report::table_styled(&r, report::Style::default())),
        (OutputFormat::Json, _) => Some(report::json(&r)),
        (OutputFormat::Markdown, _) => Some(report::markdown(&r)),
        (OutputFormat::Sarif, _) => Some(report::sarif(&r, &paths)),
    };
    match (&args.output, text) {
        (Some(path), Some(text)) => fsio::write_file(path, text.as_bytes())?,
        (None, Some(text)) => out.write_all(text.as_bytes())?,
        (_, None) => {}
    }
    if super::in_github_actions() {
        super::warn_raw(&report::annotations(&r, &paths));
    }
    // In GitHub Actions, also add the Markdown report to the job summary.
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        super::append_summary(std::path::Path::new(&summary), &report::markdown(&r))?;
    }
    let code = if r.fails_at(fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    };
    // The process exits next: freeing every build list and finding one by one would cost
    // more than the kernel reclaiming them (a tenth of a run with hundreds of plugins).
    std::mem::forget(r);
    std::mem::forget(project);
    Ok(code)
}

/// `--fail-on` values (the library's `Severity` stays free of clap).
fn severity_parser() -> impl clap::builder::TypedValueParser<Value = Severity> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(["info", "warning", "error"]).map(|s| {
        match s.as_str() {
            "info" => Severity::Info,
            "warning" => Severity::Warning,
            _ => Severity::Error,
        }
    })
}

/// `git` in `dir`; its stdout, or an error naming the command and git's message.
fn git(dir: &std::path::Path, args: &[&str]) -> Result<Vec<u8>> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| bad(format!("godrift: --base needs git: {e}")))?;
    if !out.status.success() {
        return Err(bad(format!(
            "godrift: git {}: {}",
            args.join(" "),
            godrift::text::line(String::from_utf8_lossy(&out.stderr).trim())
        )));
    }
    Ok(out.stdout)
}

/// `report --base REV`: the host's files at REV (git archive of its module directory into
/// a temporary directory) against the working tree, with the same plugins.
fn base_impact(
    rev: &str,
    mut project: project::Project,
    opts: &project::Options,
    out: super::Out,
    args: &ReportArgs,
    color: ColorChoice,
) -> Result<i32> {
    let host_dir = project.host.dir.canonicalize()?;
    let top = String::from_utf8_lossy(&git(&host_dir, &["rev-parse", "--show-toplevel"])?)
        .trim()
        .to_string();
    let top = std::path::Path::new(&top).canonicalize()?;
    let commit = String::from_utf8_lossy(&git(
        &top,
        &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
    )?)
    .trim()
    .to_string();
    let rel = host_dir
        .strip_prefix(&top)
        .unwrap_or(std::path::Path::new(""));
    let tmp = tempfile::tempdir()?;
    let tar = tmp.path().join("base.tar");
    let mut git_args = vec!["archive".to_string(), "--format=tar".into(), "-o".into()];
    git_args.push(tar.display().to_string());
    git_args.push(commit.clone());
    if !rel.as_os_str().is_empty() {
        git_args.push(rel.display().to_string());
    }
    let argv: Vec<&str> = git_args.iter().map(String::as_str).collect();
    git(&top, &argv)?;
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(&tree)?;
    let st = std::process::Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&tree)
        .status()?;
    if !st.success() {
        return Err(bad(format!("godrift: could not unpack the host at {rev}")));
    }
    let base_host = project::host_from(&project, &tree.join(rel), opts)
        .map_err(|e| bad(format!("godrift: the host at {rev}: {e}")))?;
    let after = rules::run(&project);
    let now_host = std::mem::replace(&mut project.host, base_host);
    let before = rules::run(&project);
    project.host = now_host;
    let r = report::Report::new(&project, after);
    let short = &commit[..commit.len().min(12)];
    let text = match args.format {
        OutputFormat::Markdown => report::base_markdown(rev, short, &before.plugins, &r),
        OutputFormat::Json => report::base_json(rev, short, &before.plugins, &r),
        // The findings with this change, as code scanning takes them.
        OutputFormat::Sarif => {
            let paths = super::repo_paths(&project.root, args.sarif_root.as_deref())?;
            report::sarif(&r, &paths)
        }
        OutputFormat::Table => {
            let st = if args.output.is_some() {
                report::Style::default()
            } else {
                super::style(color)
            };
            report::base_table_styled(rev, short, &before.plugins, &r, st)
        }
    };
    match args.output.as_deref() {
        Some(path) => super::write_atomically(path, text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    let broken = before
        .plugins
        .iter()
        .zip(&r.plugins)
        .any(|(b, a)| b.verdict == rules::Verdict::Loads && a.verdict != rules::Verdict::Loads);
    Ok(if broken { EXIT_FINDINGS } else { EXIT_CLEAN })
}
