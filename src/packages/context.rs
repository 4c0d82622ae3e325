//! The build context: which tags are set and which files of a directory are compiled, as
//! go/build's Context does (matchTag, goodOSArchFile, matchFile) with cmd/go's tool tags.

use super::constraint::Expr;
use super::header::{Constraint, FileHeader};

/// internal/syslist.KnownOS: every GOOS, past and future, used for file-name matching.
pub const KNOWN_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "js",
    "linux",
    "nacl",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
    "zos",
];

/// internal/syslist.UnixOS: the GOOS values matched by the `unix` tag.
pub const UNIX_OS: &[&str] = &[
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "hurd",
    "illumos",
    "ios",
    "linux",
    "netbsd",
    "openbsd",
    "solaris",
];

/// internal/syslist.KnownArch.
pub const KNOWN_ARCH: &[&str] = &[
    "386",
    "amd64",
    "amd64p32",
    "arm",
    "armbe",
    "arm64",
    "arm64be",
    "loong64",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "mips64p32",
    "mips64p32le",
    "ppc",
    "ppc64",
    "ppc64le",
    "riscv",
    "riscv64",
    "s390",
    "s390x",
    "sparc",
    "sparc64",
    "wasm",
];

/// What a build selects files with: go/build's Context fields that matter for module
/// builds, plus cmd/go's tool tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildContext {
    pub goos: String,
    pub goarch: String,
    pub cgo_enabled: bool,
    /// `-tags` of the build.
    pub build_tags: Vec<String>,
    /// `goexperiment.*` and architecture-level tags (`amd64.v1`), as
    /// `go list -f '{{context.ToolTags}}'` prints them.
    pub tool_tags: Vec<String>,
    /// `go1.1` … `go1.N` of the toolchain that builds the artifact.
    pub release_tags: Vec<String>,
    /// Always `gc` for the toolchains godrift supports.
    pub compiler: String,
}

impl Default for BuildContext {
    /// linux/amd64, cgo on, the release tags of the newest Go release this port follows.
    fn default() -> Self {
        BuildContext::new("linux", "amd64", DEFAULT_GO_VERSION)
    }
}

/// The Go release whose rules this module ports (release tags when no version is given).
pub const DEFAULT_GO_VERSION: &str = "1.26";

impl BuildContext {
    /// A context for `goos`/`goarch` built by Go `go_version` (`1.22.3`, `go1.22`), cgo on,
    /// default GOEXPERIMENT and architecture levels.
    pub fn new(goos: &str, goarch: &str, go_version: &str) -> BuildContext {
        BuildContext {
            goos: goos.to_string(),
            goarch: goarch.to_string(),
            cgo_enabled: true,
            build_tags: Vec::new(),
            tool_tags: default_tool_tags(goos, goarch, ""),
            release_tags: release_tags(go_version),
            compiler: "gc".to_string(),
        }
    }

    /// Sets `-tags` (comma- or space-separated, as cmd/go's tagsFlag accepts).
    pub fn with_tags(mut self, tags: &str) -> BuildContext {
        self.build_tags = tags
            .split([',', ' '])
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        self
    }

    pub fn with_cgo(mut self, enabled: bool) -> BuildContext {
        self.cgo_enabled = enabled;
        self
    }

    /// Applies a GOEXPERIMENT setting to the tool tags.
    pub fn with_goexperiment(mut self, goexperiment: &str) -> BuildContext {
        self.tool_tags = default_tool_tags(&self.goos, &self.goarch, goexperiment);
        self
    }

    /// go/build's Context.matchTag: whether build tag `name` is satisfied.
    pub fn match_tag(&self, name: &str) -> bool {
        if self.cgo_enabled && name == "cgo" {
            return true;
        }
        if name == self.goos || name == self.goarch || name == self.compiler {
            return true;
        }
        if (self.goos == "android" && name == "linux")
            || (self.goos == "illumos" && name == "solaris")
            || (self.goos == "ios" && name == "darwin")
        {
            return true;
        }
        if name == "unix" && UNIX_OS.contains(&self.goos.as_str()) {
            return true;
        }
        // boringcrypto is an old name for goexperiment.boringcrypto.
        let name = if name == "boringcrypto" {
            "goexperiment.boringcrypto"
        } else {
            name
        };
        self.build_tags.iter().any(|t| t == name)
            || self.tool_tags.iter().any(|t| t == name)
            || self.release_tags.iter().any(|t| t == name)
    }

    /// go/build's Context.eval.
    pub fn eval(&self, x: &Expr) -> bool {
        x.eval(&mut |t| self.match_tag(t))
    }

    /// go/build's goodOSArchFile: false when the name has a `_GOOS`, `_GOARCH` or
    /// `_GOOS_GOARCH` suffix (before an optional `_test`) that this context does not match.
    /// Only the part after the first `_` counts, so `linux.go` is not constrained.
    pub fn good_os_arch_file(&self, name: &str) -> bool {
        let name = name.split('.').next().unwrap_or("");
        let Some(i) = name.find('_') else {
            return true;
        };
        let mut l: Vec<&str> = name[i..].split('_').collect();
        if l.last() == Some(&"test") {
            l.pop();
        }
        let n = l.len();
        if n >= 2 && KNOWN_OS.contains(&l[n - 2]) && KNOWN_ARCH.contains(&l[n - 1]) {
            return self.match_tag(l[n - 1]) && self.match_tag(l[n - 2]);
        }
        if n >= 1 && (KNOWN_OS.contains(&l[n - 1]) || KNOWN_ARCH.contains(&l[n - 1])) {
            return self.match_tag(l[n - 1]);
        }
        true
    }

    /// go/build's shouldBuild on a file's leading comments: the `//go:build` line if there
    /// is one, else every `// +build` line must match.
    pub fn should_build(&self, c: &Constraint) -> bool {
        match c {
            Constraint::None => true,
            Constraint::GoBuild(x) => self.eval(x),
            Constraint::PlusBuild(lines) => lines.iter().all(|x| self.eval(x)),
        }
    }

    /// How go/build's matchFile and Import classify one `.go` file of a package directory
    /// (not `_test.go`), given its header when it had to be read.
    pub fn classify(&self, name: &str, header: Option<&FileHeader>) -> FileClass {
        if name.starts_with('_') || name.starts_with('.') {
            return FileClass::Hidden;
        }
        if !self.good_os_arch_file(name) {
            return FileClass::Ignored;
        }
        let Some(h) = header else {
            return FileClass::NeedHeader;
        };
        if let Some(e) = &h.read_error {
            return FileClass::Bad(e.clone());
        }
        match &h.constraint {
            Err(e) => return FileClass::Bad(format!("{name}: {e}")),
            Ok(c) if !self.should_build(c) => return FileClass::Ignored,
            Ok(_) => {}
        }
        // Import: a file in package documentation is ignored.
        if h.package.as_deref() == Some("documentation") {
            return FileClass::Ignored;
        }
        // Compiled, or ignored later when it imports "C" and cgo is off: go/build's Import
        // checks that after taking the file's package name.
        FileClass::Compiled
    }
}

/// Where one `.go` file goes in a package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileClass {
    /// Starts with `_` or `.`: never considered, not even reported as ignored.
    Hidden,
    /// Excluded by its name, build constraints or `package documentation`.
    Ignored,
    /// Needs its header to decide.
    NeedHeader,
    /// The build can't use it: Go's error for the file.
    Bad(String),
    /// Compiled into the package (GoFiles, or CgoFiles when cgo is on).
    Compiled,
}

/// `go1.1` … `go1.N` for a Go version `1.N[.P]` or `go1.N[...]`.
pub fn release_tags(go_version: &str) -> Vec<String> {
    let v = go_version.strip_prefix("go").unwrap_or(go_version);
    let minor: u32 = v
        .strip_prefix("1.")
        .map(|r| {
            r.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    (1..=minor).map(|i| format!("go1.{i}")).collect()
}

/// cmd/go's tool tags for Go 1.26 (internal/buildcfg): `goexperiment.X` for each enabled
/// experiment (the baseline, then GOEXPERIMENT's `X`/`noX`/`none` edits), then the
/// architecture-level tags at their default levels (gogoarchTags).
pub fn default_tool_tags(goos: &str, goarch: &str, goexperiment: &str) -> Vec<String> {
    // buildcfg.ParseGOEXPERIMENT's baseline, in goexperiment.Flags field order.
    let regabi_always = matches!(
        goarch,
        "amd64" | "arm64" | "loong64" | "ppc64le" | "ppc64" | "riscv64"
    );
    let regabi = regabi_always || goarch == "s390x";
    let dwarf5 = !matches!(goos, "darwin" | "ios" | "aix");
    let mut flags: Vec<(String, bool)> = vec![
        ("regabiwrappers".into(), regabi),
        ("regabiargs".into(), regabi),
        ("dwarf5".into(), dwarf5),
        ("greenteagc".into(), true),
        ("randomizedheapbase64".into(), true),
    ];
    for f in goexperiment.split(',').filter(|f| !f.is_empty()) {
        if f == "none" {
            for fl in &mut flags {
                fl.1 = false;
            }
            continue;
        }
        let (name, val) = match f.strip_prefix("no") {
            Some(rest) => (rest, false),
            None => (f, true),
        };
        let names: Vec<&str> = if name == "regabi" {
            vec!["regabiwrappers", "regabiargs"]
        } else {
            vec![name]
        };
        for n in names {
            match flags.iter_mut().find(|fl| fl.0 == n) {
                Some(fl) => fl.1 = val,
                None => flags.push((n.to_string(), val)),
            }
        }
    }
    // Where register ABI is always on (or unsupported), GOEXPERIMENT cannot change it.
    for fl in &mut flags {
        if fl.0 == "regabiwrappers" || fl.0 == "regabiargs" {
            fl.1 = (fl.1 || regabi_always) && regabi;
        }
    }
    let mut tags: Vec<String> = flags
        .into_iter()
        .filter(|f| f.1)
        .map(|f| format!("goexperiment.{}", f.0))
        .collect();
    let arch: Vec<String> = match goarch {
        "386" => vec!["386.sse2".into()],
        "amd64" => vec!["amd64.v1".into()],
        "arm" => (5..=7).map(|i| format!("arm.{i}")).collect(),
        "arm64" => vec!["arm64.v8.0".into()],
        "mips" | "mipsle" => vec![format!("{goarch}.hardfloat")],
        "mips64" | "mips64le" => vec![format!("{goarch}.hardfloat")],
        "ppc64" | "ppc64le" => vec![format!("{goarch}.power8")],
        "riscv64" => vec!["riscv64.rva20u64".into()],
        "wasm" => vec!["wasm.satconv".into(), "wasm.signext".into()],
        _ => Vec::new(),
    };
    tags.extend(arch);
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_suffixes() {
        let ctx = BuildContext::default();
        for (name, want) in [
            ("a.go", true),
            ("linux.go", true),
            ("a_linux.go", true),
            ("a_windows.go", false),
            ("a_amd64.go", true),
            ("a_arm64.go", false),
            ("a_linux_amd64.go", true),
            ("a_linux_arm64.go", false),
            ("a_windows_amd64.go", false),
            ("a_linux_test.go", true),
            ("a_windows_test.go", false),
            ("a_foo.go", true),
            ("a_linux_foo.go", true),
            ("a_windows.s", false),
            ("x_unix.go", true),
            ("a_plan9_test.go", false),
        ] {
            assert_eq!(ctx.good_os_arch_file(name), want, "{name}");
        }
        let android = BuildContext::new("android", "arm64", "1.22");
        assert!(android.good_os_arch_file("a_linux.go"));
        assert!(android.good_os_arch_file("a_linux_arm64.go"));
        assert!(!BuildContext::new("linux", "amd64", "1.22").good_os_arch_file("a_android.go"));
    }

    #[test]
    fn tags() {
        let ctx = BuildContext::default().with_tags("foo,bar");
        for t in [
            "linux",
            "amd64",
            "unix",
            "cgo",
            "gc",
            "foo",
            "bar",
            "go1.1",
            "go1.26",
            "goexperiment.greenteagc",
            "amd64.v1",
        ] {
            assert!(ctx.match_tag(t), "{t}");
        }
        for t in ["windows", "ignore", "go1.27", "gccgo", "amd64.v2", "unix2"] {
            assert!(!ctx.match_tag(t), "{t}");
        }
        let win = BuildContext::new("windows", "arm64", "go1.21.4").with_cgo(false);
        assert!(!win.match_tag("unix"));
        assert!(!win.match_tag("cgo"));
        assert!(win.match_tag("go1.21") && !win.match_tag("go1.22"));
        assert!(win.match_tag("arm64.v8.0"));
        let ios = BuildContext::new("ios", "arm64", "1.22");
        assert!(ios.match_tag("darwin") && ios.match_tag("unix"));
        assert!(!ios.match_tag("goexperiment.dwarf5"));
    }

    fn header(src: &str) -> FileHeader {
        crate::packages::header::parse_header("x.go", src.as_bytes(), true).unwrap()
    }

    #[test]
    fn file_selection() {
        let ctx = BuildContext::default().with_tags("foo");
        let c = |name: &str, src: &str| ctx.classify(name, Some(&header(src)));
        assert_eq!(ctx.classify("_x.go", None), FileClass::Hidden);
        assert_eq!(ctx.classify(".x.go", None), FileClass::Hidden);
        assert_eq!(ctx.classify("x_windows.go", None), FileClass::Ignored);
        assert_eq!(ctx.classify("x.go", None), FileClass::NeedHeader);
        assert_eq!(c("x.go", "package p\n"), FileClass::Compiled);
        assert_eq!(
            c("x.go", "//go:build foo\n\npackage p\n"),
            FileClass::Compiled
        );
        assert_eq!(
            c("x.go", "//go:build !foo\n\npackage p\n"),
            FileClass::Ignored
        );
        assert_eq!(
            c("x.go", "//go:build ignore\n\npackage p\n"),
            FileClass::Ignored
        );
        assert_eq!(
            c("x.go", "// +build windows\n\npackage p\n"),
            FileClass::Ignored
        );
        // A +build line without the blank line after it is a doc comment.
        assert_eq!(
            c("x.go", "// +build windows\npackage p\n"),
            FileClass::Compiled
        );
        assert_eq!(c("x.go", "package documentation\n"), FileClass::Ignored);
        // Syntax errors are the package's problem, not the file's selection.
        assert_eq!(c("x.go", "package p\nimport \"x\n"), FileClass::Compiled);
        assert_eq!(
            c("x.go", "//go:build (foo\n\npackage p\n"),
            FileClass::Bad("x.go: parsing //go:build line: missing close paren".into())
        );
        assert_eq!(
            c("x.go", "package p\x00"),
            FileClass::Bad("read x.go: unexpected NUL in input".into())
        );
        // cgo files are selected here; Import drops them later when cgo is off.
        assert_eq!(
            BuildContext::default()
                .with_cgo(false)
                .classify("x.go", Some(&header("package p\nimport \"C\"\n"))),
            FileClass::Compiled
        );
    }

    #[test]
    fn goexperiment_edits() {
        let t = default_tool_tags("linux", "amd64", "nogreenteagc,boringcrypto");
        assert!(!t.contains(&"goexperiment.greenteagc".to_string()));
        assert!(t.contains(&"goexperiment.boringcrypto".to_string()));
        let ctx = BuildContext::default().with_goexperiment("boringcrypto");
        assert!(ctx.match_tag("boringcrypto"));
        let none = default_tool_tags("linux", "amd64", "none");
        assert_eq!(
            none,
            [
                "goexperiment.regabiwrappers",
                "goexperiment.regabiargs",
                "amd64.v1"
            ]
        );
    }

    #[test]
    fn release_tag_lists() {
        assert_eq!(release_tags("1.3"), ["go1.1", "go1.2", "go1.3"]);
        assert_eq!(release_tags("go1.2rc1"), ["go1.1", "go1.2"]);
        assert_eq!(release_tags("1.26.8").len(), 26);
        assert!(release_tags("junk").is_empty());
    }
}
