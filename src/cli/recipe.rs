//! `godrift recipe`: the `go build` commands (and a Makefile snippet) for the host and every
//! plugin, with the settings that must match, from godrift.toml or a built host binary.

use super::{bad, Out, EXIT_CLEAN};
use anyhow::Result;
use godrift::config::BuildSettings;
use godrift::fsio::shown;
use godrift::project;
use godrift::text;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct RecipeArgs {
    /// Project directory (holding godrift.toml).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Take the settings from this built host's build info instead of the config.
    #[arg(long)]
    pub from_binary: Option<PathBuf>,
    /// `debug`: the commands for a host run under a debugger or IDE (dlv, GoLand, VS Code
    /// build it with `-gcflags='all=-N -l'`), so that plugins built alike load into it.
    #[arg(long, value_enum, default_value_t = Profile::Release)]
    pub profile: Profile,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// The settings as configured (or as the binary records them).
    Release,
    /// Plus `-gcflags='all=-N -l'`, as debuggers build.
    Debug,
}

/// What dlv (pkg/gobuild) passes before the user's build flags; a later -gcflags with a
/// matching pattern wins for its packages (cmd/go), so the order is kept.
const DEBUG_GCFLAGS: &str = "all=-N -l";

fn command(b: &BuildSettings, plugin: bool, out: &str, profile: Profile) -> String {
    let mut env = Vec::new();
    if !b.toolchain.is_empty() {
        env.push(format!("GOTOOLCHAIN={}", b.toolchain));
    }
    if let Some(c) = b.cgo_enabled {
        env.push(format!("CGO_ENABLED={}", u8::from(c)));
    } else {
        env.push("CGO_ENABLED=1".into());
    }
    if !b.goexperiment.is_empty() {
        env.push(format!("GOEXPERIMENT={}", b.goexperiment));
    }
    let mut args = vec!["go".to_string(), "build".into()];
    if plugin {
        args.push("-buildmode=plugin".into());
    }
    if b.trimpath {
        args.push("-trimpath".into());
    }
    if b.race {
        args.push("-race".into());
    }
    if profile == Profile::Debug && b.gcflags != DEBUG_GCFLAGS {
        args.push(format!("-gcflags='{DEBUG_GCFLAGS}'"));
    }
    if !b.gcflags.is_empty() {
        args.push(format!("-gcflags='{}'", b.gcflags));
    }
    if !b.tags.is_empty() {
        args.push(format!("-tags='{}'", b.tags));
    }
    if !b.pgo.is_empty() {
        args.push(format!("-pgo={}", b.pgo));
    }
    args.push(format!("-o {out} ."));
    format!("{} {}", env.join(" "), args.join(" "))
}

/// `s` quoted for sh when it holds anything but safe characters.
fn shell_quote(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./=@+:,~".contains(c);
    if s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

pub fn run(args: &RecipeArgs, out: Out) -> Result<i32> {
    if let Some(bin) = &args.from_binary {
        let a = godrift::binary::read(bin)?;
        let Some(bi) = a.build_info else {
            anyhow::bail!("{}: no Go build info", shown(bin));
        };
        let pins = godrift::fixes::build_info_pins(&bi);
        if !pins.is_empty() {
            writeln!(
                out,
                "# in the plugin's module directory: require every module {} was built with, at its version",
                shown(bin)
            )?;
            if pins
                .iter()
                .any(|p| p.starts_with("-replace=") && !p.contains('@'))
            {
                writeln!(
                    out,
                    "# (directory replacements are as the host recorded them: relative to the host's module)"
                )?;
            }
            writeln!(out, "go mod edit \\")?;
            for (i, p) in pins.iter().enumerate() {
                let cont = if i + 1 < pins.len() { " \\" } else { "" };
                writeln!(out, "\t{}{cont}", shell_quote(p))?;
            }
            writeln!(
                out,
                "go mod tidy  # keeps these versions for what the plugin uses, drops the rest"
            )?;
        }
        let mut bi = bi;
        if args.profile == Profile::Debug {
            let g = bi.settings.entry("-gcflags".into()).or_default();
            if g.is_empty() {
                *g = DEBUG_GCFLAGS.into();
            } else if !(g.contains("-N") && g.contains("-l")) {
                writeln!(
                    out,
                    "# the host records -gcflags={g}; under a debugger it is built with -gcflags='{DEBUG_GCFLAGS}' first"
                )?;
                *g = format!("{DEBUG_GCFLAGS}' -gcflags='{g}");
            }
        }
        writeln!(out, "# plugins for {} must be built with:", shown(bin))?;
        writeln!(
            out,
            "{}",
            text::block(&godrift::binary::diagnose::recipe(&bi))
        )?;
        return Ok(EXIT_CLEAN);
    }
    let p =
        project::load(&args.dir, None, &super::project_options(None, false, None)).map_err(bad)?;
    let rel = |d: &std::path::Path| {
        d.strip_prefix(&p.root)
            .map(|r| {
                if r.as_os_str().is_empty() {
                    ".".into()
                } else {
                    r.display().to_string()
                }
            })
            .unwrap_or_else(|_| d.display().to_string())
    };
    let mut lines = vec![(
        rel(&p.host.dir),
        command(&p.host.build, false, "host", args.profile),
    )];
    for pl in &p.plugins {
        lines.push((
            rel(&pl.dir),
            command(&pl.build, true, &format!("{}.so", pl.name), args.profile),
        ));
    }
    writeln!(
        out,
        "# host and plugins: the flags that change package hashes must be identical"
    )?;
    if args.profile == Profile::Debug {
        writeln!(
            out,
            "# debug profile: the host as a debugger or IDE builds it (`dlv debug` adds -gcflags='{DEBUG_GCFLAGS}'); plugins built from the command line without it fail to load into it"
        )?;
    }
    // Directory names come from the tree.
    for (d, c) in &lines {
        writeln!(out, "(cd {} && {})", text::shell_word(d), text::line(c))?;
    }
    writeln!(out, "\n# Makefile\n.PHONY: build\nbuild:")?;
    for (d, c) in &lines {
        writeln!(out, "\tcd {} && {}", text::shell_word(d), text::line(c))?;
    }
    Ok(EXIT_CLEAN)
}
