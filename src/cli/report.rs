//! `godrift report`: source-mode verdict for a host and its plugins, before anything is built.

use super::{out, warn, OutputFormat, EXIT_BAD_INPUT, EXIT_CLEAN, EXIT_FINDINGS};
use anyhow::Result;
use godrift::finding::Severity;
use godrift::fsio;
use godrift::graph::LoadOptions;
use godrift::{analysis, project, report};
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
    #[arg(long, value_enum)]
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
    /// Module cache to read dependencies' go.mod files from (default: GOMODCACHE).
    #[arg(long, env = "GOMODCACHE")]
    pub gomodcache: Option<PathBuf>,
}

pub fn run(args: &ReportArgs) -> Result<i32> {
    let opts = LoadOptions {
        gomodcache: args
            .gomodcache
            .clone()
            .filter(|p| !p.as_os_str().is_empty()),
        use_workspace: true,
    };
    // A progress bar for vendor hashing, only when a person is watching.
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) && !args.quiet {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("hashing vendor/ {bar:30} {pos}/{len} files")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let _ = godrift::project::PROGRESS.set(bar);
    }
    if !args.no_cache {
        if let Some(d) = godrift::project::default_cache_dir() {
            let _ = godrift::project::CACHE_DIR.set(d);
        }
    }
    let loaded = match &args.host {
        Some(host) => project::load_explicit(host, &args.plugins, &opts),
        None => project::load(&args.dir, args.config.as_deref(), &opts),
    };
    let project = match loaded {
        Ok(p) => p,
        Err(e) => {
            warn(&e.to_string());
            return Ok(EXIT_BAD_INPUT);
        }
    };
    if let Some(bar) = godrift::project::PROGRESS.get() {
        bar.finish_and_clear();
    }
    let mut analysis = analysis::analyze(&project);
    if let Some(path) = &args.write_baseline {
        let b = godrift::baseline::Baseline::of(&analysis.findings);
        fsio::write_file(path, serde_json::to_string_pretty(&b)?.as_bytes())?;
        warn(&format!(
            "wrote {} accepted finding(s) to {}",
            b.accepted.len(),
            fsio::shown(path)
        ));
        return Ok(EXIT_CLEAN);
    }
    let mut notes = Vec::new();
    if let Some(path) = &args.baseline {
        let text = match fsio::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                warn(&format!("godrift: {e}"));
                return Ok(EXIT_BAD_INPUT);
            }
        };
        let b = match godrift::baseline::Baseline::parse(&text) {
            Ok(b) => b,
            Err(e) => {
                warn(&format!(
                    "{}:{}:{}: {e}",
                    fsio::shown(path),
                    e.line(),
                    e.column()
                ));
                return Ok(EXIT_BAD_INPUT);
            }
        };
        let n = b.filter(&mut analysis.findings);
        analysis.refresh_verdicts(&project);
        notes.push(format!(
            "{n} finding(s) accepted by baseline {}",
            path.display()
        ));
    }
    let fail_on = args.fail_on.unwrap_or(project.config.policy.fail_on);
    let mut r = report::Report::new(&project, analysis);
    r.notes.extend(notes);
    if let Some(host) = &args.built_host {
        let read = |p: &PathBuf| godrift::binary::read(p);
        let host = match read(host) {
            Ok(a) => a,
            Err(e) => {
                warn(&format!("godrift: {e}"));
                return Ok(EXIT_BAD_INPUT);
            }
        };
        let mut plugins = Vec::new();
        for p in &args.built_plugins {
            match read(p) {
                Ok(a) => plugins.push(a),
                Err(e) => {
                    warn(&format!("godrift: {e}"));
                    return Ok(EXIT_BAD_INPUT);
                }
            }
        }
        let names: Vec<String> = args
            .built_plugins
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        r.add_binary(godrift::binary::check(&host, &plugins, &names));
    }
    let text = match args.format {
        OutputFormat::Table => report::table(&r),
        OutputFormat::Json => report::json(&r),
        OutputFormat::Markdown => report::markdown(&r),
        OutputFormat::Sarif => report::sarif(&r),
    };
    match &args.output {
        Some(path) => fsio::write_file(path, text.as_bytes())?,
        None => out(&text)?,
    }
    // In GitHub Actions, also add the Markdown report to the job summary.
    if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|s| !s.is_empty()) {
        fsio::append_file(
            std::path::Path::new(&summary),
            report::markdown(&r).as_bytes(),
        )?;
    }
    Ok(if r.fails_at(fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
