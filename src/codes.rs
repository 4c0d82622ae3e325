//! The one table of finding codes. The README's findings section, the SARIF rules and
//! `godrift explain GDxxx` are all generated from it (a test fails when the README is stale).
//! Codes are stable, as cargo-deny's are: never renumber, only add.

use crate::finding::Severity;
use serde::{Deserialize, Serialize};

/// Stable diagnostic codes. The string form (`GD001`) is the public contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Code {
    #[serde(rename = "GD001")]
    VersionConflict,
    #[serde(rename = "GD002")]
    ReplaceDivergence,
    #[serde(rename = "GD003")]
    SumMismatch,
    #[serde(rename = "GD004")]
    ToolchainMismatch,
    #[serde(rename = "GD005")]
    BuildFlagMismatch,
    #[serde(rename = "GD006")]
    InconsistentVendoring,
    #[serde(rename = "GD007")]
    SourcePathDivergence,
    #[serde(rename = "GD008")]
    DuplicatePluginPath,
    #[serde(rename = "GD009")]
    VendoredFileEdited,
    #[serde(rename = "GD010")]
    VendoredFileSetDiffers,
    #[serde(rename = "GD011")]
    ModuleCacheTampered,
    #[serde(rename = "GD012")]
    HostModuleRebuilt,
    #[serde(rename = "GD013")]
    GoModNeedsUpdate,
    #[serde(rename = "GD020")]
    PackageHashMismatch,
    #[serde(rename = "GD021")]
    HostNotDynamic,
    #[serde(rename = "GD022")]
    HostWithoutCgo,
    #[serde(rename = "GD023")]
    GoVersionMismatch,
    #[serde(rename = "GD024")]
    NotAGoArtifact,
    #[serde(rename = "GD025")]
    ElfTargetMismatch,
    #[serde(rename = "GD026")]
    GlibcTooNew,
    #[serde(rename = "GD027")]
    UnexpectedLibrary,
    #[serde(rename = "GD090")]
    IncompleteInformation,
}

/// Everything said about one code.
#[derive(Debug)]
pub struct CodeInfo {
    pub code: Code,
    /// `GD001`.
    pub id: &'static str,
    /// Short kebab-case name (SARIF rule name, README anchor).
    pub name: &'static str,
    pub default_severity: Severity,
    /// `source`, `binary` or `both`: which mode raises it.
    pub mode: &'static str,
    /// One line: what is wrong.
    pub summary: &'static str,
    /// Why it breaks (or may break) loading.
    pub why: &'static str,
    /// How to fix it.
    pub fix: &'static str,
}

/// Where the README documents the codes (SARIF helpUri base).
pub const HELP_BASE: &str = "https://github.com/godrift/godrift#";

/// Positional rows keep the table readable as a table.
#[allow(clippy::too_many_arguments)]
const fn info(
    code: Code,
    id: &'static str,
    name: &'static str,
    default_severity: Severity,
    mode: &'static str,
    summary: &'static str,
    why: &'static str,
    fix: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        id,
        name,
        default_severity,
        mode,
        summary,
        why,
        fix,
    }
}

use Severity::{Error, Warning};

/// The table, in code order.
pub static TABLE: [CodeInfo; 22] = [
    info(
        Code::VersionConflict,
        "GD001",
        "version-conflict",
        Error,
        "both",
        "a package linked by both host and plugin comes from a module selected at different versions",
        "plugin.Open compares a hash of the export data of every package linked into both binaries; another version of the module compiles the package differently, so the plugin is rejected with \"plugin was built with a different version of package P\" (often naming a package that only imports the one that changed). A module that differs but whose packages only one side links does not matter today: it is reported at info level as latent.",
        "align the plugin's requirement on the host's version (`godrift align`, or the `go get` command in the proposal); if the plugin needs the newer version, rebuild the host with it (the proposal lists what else moves in the host).",
    ),
    info(
        Code::ReplaceDivergence,
        "GD002",
        "replace-divergence",
        Error,
        "both",
        "a shared module is replaced by different modules or directories, or on one side only",
        "a `replace` changes the code that is compiled for a module; when host and plugin link a package of it and replace it differently, the package hashes differ.",
        "mirror the host's `replace` directive in the plugin's go.mod (or remove the plugin's own); `godrift align` applies it.",
    ),
    info(
        Code::SumMismatch,
        "GD003",
        "sum-mismatch",
        Error,
        "source",
        "go.sum records different hashes for the same module version",
        "two different contents under one version (a re-tagged release, a tampered proxy or cache) compile to different packages.",
        "find out which content is right (`go mod verify`, `GOFLAGS=-mod=mod go mod download -json M@V`), clean the module cache of the wrong one and fix go.sum on the wrong side.",
    ),
    info(
        Code::ToolchainMismatch,
        "GD004",
        "toolchain-mismatch",
        Error,
        "source",
        "host and plugin would be built by different Go toolchains",
        "a plugin built by another Go release cannot register with the host's runtime: the process dies with \"runtime: no plugin module data\", or plugin.Open names a standard-library package.",
        "build host and plugins with the same Go release: the same `toolchain` line (or `go` line) and GOTOOLCHAIN.",
    ),
    info(
        Code::BuildFlagMismatch,
        "GD005",
        "build-flag-mismatch",
        Error,
        "both",
        "a hash-changing build setting differs (-race, -gcflags, -trimpath, GOEXPERIMENT, PGO, tags, cgo)",
        "these settings change how every package, the standard library included, is compiled; plugin.Open then names some std package such as internal/cpu or runtime/internal/sys. `-ldflags`, GOAMD64 and `-buildvcs` do not matter.",
        "build the plugins with exactly the host's -race, -gcflags, -trimpath, GOEXPERIMENT, -pgo, -tags and CGO_ENABLED (`godrift recipe` prints the command).",
    ),
    info(
        Code::InconsistentVendoring,
        "GD006",
        "inconsistent-vendoring",
        Error,
        "source",
        "vendor/modules.txt is inconsistent with go.mod",
        "`go build` refuses to build a module whose vendor directory disagrees with go.mod, so the artifact cannot even be built as configured.",
        "run `go mod vendor` in that module.",
    ),
    info(
        Code::SourcePathDivergence,
        "GD007",
        "source-path-divergence",
        Error,
        "both",
        "the same module version is compiled from different directories without -trimpath on both sides",
        "source file paths are part of the export data (positions), so the same code compiled from vendor/, a `replace => ../dir` copy or another module cache gives another package hash unless both sides build with -trimpath.",
        "build host and plugins with -trimpath, or compile the module from the same directory on both sides.",
    ),
    info(
        Code::DuplicatePluginPath,
        "GD008",
        "duplicate-plugin-path",
        Error,
        "both",
        "two plugins have the same plugin path",
        "the runtime identifies a plugin by its plugin path (the main package's import path); the second one opened fails with \"plugin already loaded\".",
        "give each plugin its own main package path (its own module or directory).",
    ),
    info(
        Code::VendoredFileEdited,
        "GD009",
        "vendored-file-edited",
        Warning,
        "source",
        "a vendored file differs from the module's pristine source or from the other side's copy",
        "an edit that changes code or shifts lines changes the package hash; a comment appended at the end of a file does not.",
        "restore the vendored tree with `go mod vendor`, or make the same edit on every side (better: fork the module and require the fork).",
    ),
    info(
        Code::VendoredFileSetDiffers,
        "GD010",
        "vendored-file-set-differs",
        Warning,
        "source",
        "a vendored package has different files on the two sides",
        "an added or missing file changes the package's declarations, so its hash differs.",
        "run `go mod vendor` on both sides with the same requirements.",
    ),
    info(
        Code::ModuleCacheTampered,
        "GD011",
        "module-cache-tampered",
        Error,
        "source",
        "the module cache copy of a module does not match go.sum",
        "the code compiled is not the code go.sum vouches for; builds from this cache and from a clean one differ.",
        "`go clean -modcache` (or delete that module's directory) and download it again.",
    ),
    info(
        Code::HostModuleRebuilt,
        "GD012",
        "host-module-rebuilt",
        Error,
        "both",
        "the plugin compiles packages of the host's own module from somewhere other than the host's module directory",
        "the host compiles its own packages as its main module; a plugin that compiles them from a module version, a `replace` to a copy, or vendor/ records other source paths (with -trimpath: `module@version` instead of `module`), so plugin.Open fails on the first such package even when the code is byte-identical.",
        "build the plugin in a go.work that uses the host's module directory (`go work init ./host ./plugin`) with the host's -trimpath setting; a `replace` to the host's own directory also works, but only without -trimpath on both sides.",
    ),
    info(
        Code::GoModNeedsUpdate,
        "GD013",
        "go-mod-needs-update",
        Warning,
        "source",
        "go.mod requires a module below the version its graph selects (or twice): `go build` stops with \"go: updates to go.mod needed\"",
        "with the default -mod=readonly, go refuses to build a module whose go.mod it would have to rewrite (a go 1.17+ go.mod must list every module its packages need at the selected version), so no plugin or host is built from it as it is; godrift judges the build after the update, which selects the versions it reports.",
        "run `go mod tidy` in that module (or `go get` the versions named), and commit go.mod and go.sum; with GOFLAGS=-mod=mod, go updates go.mod itself.",
    ),
    info(
        Code::PackageHashMismatch,
        "GD020",
        "package-hash-mismatch",
        Error,
        "binary",
        "a package's export-data hash differs between the host and the plugin",
        "this is the runtime's own check: the first package whose hash differs is the one plugin.Open names.",
        "rebuild the plugin with the host's dependency versions and flags (the root cause and `rebuild_with` say which).",
    ),
    info(
        Code::HostNotDynamic,
        "GD021",
        "host-not-dynamic",
        Error,
        "binary",
        "the host exports no Go symbols: it does not import \"plugin\" or was linked internally",
        "without the package-hash symbols in .dynsym, no plugin can register with the host's runtime (the process dies with \"runtime: no plugin module data\").",
        "import \"plugin\" in the host and link it externally (the default with cgo; do not pass -linkmode=internal).",
    ),
    info(
        Code::HostWithoutCgo,
        "GD022",
        "host-without-cgo",
        Error,
        "both",
        "the host is built without cgo (statically linked)",
        "plugin.Open needs the dynamic loader; a CGO_ENABLED=0 host always fails with \"plugin: not implemented\".",
        "build the host with CGO_ENABLED=1 (the default when a C compiler is present).",
    ),
    info(
        Code::GoVersionMismatch,
        "GD023",
        "go-version-mismatch",
        Error,
        "binary",
        "host and plugin were built by different Go releases",
        "the plugin's runtime data cannot be registered with another release's runtime: the process crashes, or plugin.Open fails (releases that share a runtime layout, such as 1.23 to 1.25, register it and fail on the first package hash).",
        "rebuild the plugin with the host's Go release (`go version -m HOST` shows it).",
    ),
    info(
        Code::NotAGoArtifact,
        "GD024",
        "not-a-go-artifact",
        Error,
        "binary",
        "a file is not a usable Go plugin or Go executable",
        "plugin.Open only loads shared objects built with -buildmode=plugin by the host's Go release.",
        "build the plugin with `go build -buildmode=plugin`, and pass the host executable as --host.",
    ),
    info(
        Code::ElfTargetMismatch,
        "GD025",
        "elf-target-mismatch",
        Error,
        "binary",
        "the plugin is built for another ELF class or machine than the host (32-bit vs 64-bit, amd64 vs arm64)",
        "the dynamic loader refuses the file before Go's runtime sees it: plugin.Open fails with \"wrong ELF class: ELFCLASS32\" for another class (glibc's open_verify), and with \"cannot open shared object file: No such file or directory\" naming the plugin itself for another machine (measured with glibc 2.36), which reads like a missing file.",
        "build the plugin with the host's GOOS and GOARCH (`go version -m HOST` shows them), on a machine or in an image of the host's architecture or with a cross C compiler (CC) for it.",
    ),
    info(
        Code::GlibcTooNew,
        "GD026",
        "glibc-too-new",
        Error,
        "binary",
        "the plugin needs a newer glibc symbol version than the host's target provides",
        "a plugin built with cgo on a newer system records the glibc symbol versions it was linked against (GLIBC_2.34, ...); on an older target dlopen fails with \"version `GLIBC_2.34' not found (required by P.so)\". The target's glibc release is the ceiling: given with --glibc-ceiling or the contract's target.glibc it decides (error); without it, needing more than the host itself needs is a warning.",
        "build the plugin where the host is built (the same image or an older glibc), or with CGO_ENABLED matching the host in an image whose glibc is at most the target's; `objdump -T P.so | grep GLIBC_` lists what it needs.",
    ),
    info(
        Code::UnexpectedLibrary,
        "GD027",
        "unexpected-library",
        Error,
        "binary",
        "the plugin needs a shared library the host's target may not have (musl's libc for a glibc host, or a library the host does not load)",
        "dlopen loads every DT_NEEDED library first: a plugin built on Alpine (musl) needs libc.musl-*.so.1, which a glibc system does not have, so plugin.Open fails with \"libc.musl-x86_64.so.1: cannot open shared object file: No such file or directory\" (glibc's message for any library it cannot find, measured with a libc soname it does not ship); a library the host itself does not need must be installed on every target.",
        "build the plugin with the host's C library (the host's build image: glibc vs musl must match), and install the other libraries it needs on the target, or link them statically.",
    ),
    info(
        Code::IncompleteInformation,
        "GD090",
        "incomplete-information",
        Warning,
        "both",
        "godrift could not see something it needs to decide (a go.mod or module source missing from the module cache, no build info)",
        "what godrift cannot read it cannot compare: the verdict is at best \"may-fail\", never \"loads\", until the information is there.",
        "run the `go mod download` command in the finding (or build once), then run godrift again.",
    ),
];

impl Code {
    /// Every code, in order.
    pub fn all() -> impl Iterator<Item = Code> {
        TABLE.iter().map(|i| i.code)
    }

    pub fn info(self) -> &'static CodeInfo {
        TABLE
            .iter()
            .find(|i| i.code == self)
            .expect("every code is in the table")
    }

    pub fn as_str(self) -> &'static str {
        self.info().id
    }

    /// Short kebab-case name, used in SARIF rule names and README anchors.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// The README anchor of this code's section.
    pub fn anchor(self) -> String {
        format!("{}-{}", self.as_str().to_ascii_lowercase(), self.name())
    }

    pub fn help_uri(self) -> String {
        format!("{HELP_BASE}{}", self.anchor())
    }

    /// `GD001` (any case) or `version-conflict`.
    pub fn parse(s: &str) -> Option<Code> {
        TABLE
            .iter()
            .find(|i| i.id.eq_ignore_ascii_case(s) || i.name == s)
            .map(|i| i.code)
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `godrift explain GDxxx`: the code's documentation as plain text.
pub fn explain(code: Code) -> String {
    let i = code.info();
    format!(
        "{} {} (default severity: {}; {} mode)\n\nWhat: {}.\n\nWhy: {}\n\nFix: {}\n\nMore: {}\n",
        i.id,
        i.name,
        i.default_severity.as_str(),
        i.mode,
        i.summary,
        i.why,
        i.fix,
        code.help_uri()
    )
}

/// The README's findings section (between its markers), generated from the table.
pub fn readme_section() -> String {
    let mut s = String::from("| code | name | severity | mode | what |\n|---|---|---|---|---|\n");
    for i in &TABLE {
        s.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} | {} |\n",
            i.id,
            i.code.anchor(),
            i.name,
            i.default_severity.as_str(),
            i.mode,
            i.summary
        ));
    }
    for i in &TABLE {
        s.push_str(&format!(
            "\n#### {} {}\n\n{}.\n\n- **Why:** {}\n- **Fix:** {}\n",
            i.id,
            i.name,
            capitalize(i.summary),
            i.why,
            i.fix
        ));
    }
    s
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_ordered_and_unique() {
        let mut prev = "";
        for (n, i) in TABLE.iter().enumerate() {
            assert!(i.id > prev, "{} out of order", i.id);
            prev = i.id;
            assert_eq!(
                serde_json::to_string(&i.code).unwrap(),
                format!("\"{}\"", i.id)
            );
            assert_eq!(Code::parse(i.id), Some(i.code));
            assert_eq!(Code::parse(i.name), Some(i.code));
            assert_eq!(i.code.info().id, i.id, "row {n}");
            assert!(!i.summary.ends_with('.'), "{}: summary is a phrase", i.id);
        }
    }
}
