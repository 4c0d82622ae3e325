//! Contracts and the project model: a host `Side` gives a contract (export from sources), and
//! a contract gives a host `Side` (`report --contract`: plugin sources judged against a
//! deployed host's build list by the ordinary source-mode rules).

use super::{is_standard, Contract, Host, Module, Package, Source, Target, KIND, SCHEMA_VERSION};
use crate::config::BuildSettings;
use crate::graph::{BuildList, Replacement, SelectedModule};
use crate::module::ModuleVersion;
use crate::project::Side;
use std::collections::BTreeMap;
use std::path::Path;

/// Build settings as build info records them, from godrift.toml's (only those set).
fn settings_of(b: &BuildSettings, goos: &str, goarch: &str) -> BTreeMap<String, String> {
    let mut s = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            s.insert(k.to_string(), v.to_string());
        }
    };
    // cmd/go's load.setBuildInfo writes -trimpath and -race only when set.
    put("-trimpath", if b.trimpath { "true" } else { "" });
    put("-race", if b.race { "true" } else { "" });
    put("-gcflags", &b.gcflags);
    put("-tags", &b.tags);
    put("-pgo", &b.pgo);
    put("GOEXPERIMENT", &b.goexperiment);
    put(
        "CGO_ENABLED",
        if b.cgo_enabled.unwrap_or(true) {
            "1"
        } else {
            "0"
        },
    );
    put("GOOS", goos);
    put("GOARCH", goarch);
    s
}

/// The h1: hash go.sum records for the content of `path@version`.
fn sum_of(side: &Side, path: &str, version: &str) -> String {
    side.go_sum
        .as_ref()
        .and_then(|s| {
            s.lines
                .iter()
                .find(|l| !l.go_mod && l.path == path && l.version == version)
        })
        .map(|l| l.hash.clone())
        .unwrap_or_default()
}

/// The contract of a host from its sources (see `super::from_project`).
pub fn contract_of(side: &Side, opts: &crate::project::Options) -> Contract {
    let ctx = crate::project::build_context(side, opts);
    let mut notes = vec![
        "exported from sources: packages carry no export-data hash; export from the built host for the runtime's own data".to_string(),
    ];
    // The configured toolchain; else, as GOTOOLCHAIN=auto picks it, the local go unless
    // go.mod asks for a newer one.
    let wanted = crate::project::toolchain_of(side);
    let release = if !side.build.toolchain.is_empty() {
        wanted
    } else {
        match (wanted, opts.go_version.clone()) {
            (Some(w), Some(local)) => Some(crate::semver::gover::max(&w, &local).to_string()),
            (w, l) => {
                if l.is_none() && w.is_some() {
                    notes.push("no local go: the Go release is go.mod's minimum".into());
                }
                l.or(w)
            }
        }
    };
    let go_version = release.map(|v| format!("go{v}")).unwrap_or_else(|| {
        notes.push("the Go release is not known (no go or toolchain line)".into());
        String::new()
    });
    let modules = side
        .build_list
        .modules
        .iter()
        .map(|m| Module {
            path: m.module.path.clone(),
            version: m.module.version.clone(),
            sum: sum_of(side, &m.module.path, &m.module.version),
            replace: m.replace.as_ref().map(|r| {
                Box::new(match r {
                    // As build info records a directory replacement.
                    Replacement::Dir { path, .. } => Module {
                        path: path.clone(),
                        version: "(devel)".into(),
                        ..Module::default()
                    },
                    Replacement::Module { module } => Module {
                        path: module.path.clone(),
                        version: module.version.clone(),
                        sum: sum_of(side, &module.path, &module.version),
                        replace: None,
                    },
                })
            }),
        })
        .collect();
    let mut packages = Vec::new();
    match &side.linked {
        Some(l) => {
            for (path, p) in &l.packages {
                packages.push(Package {
                    path: path.clone(),
                    module: (!p.standard)
                        .then(|| p.module.as_ref().map(|m| m.path.clone()))
                        .flatten(),
                    hash: None,
                });
            }
            if !l.problems.is_empty() || !l.missing.is_empty() {
                notes.push(format!(
                    "the package list may be incomplete: {}",
                    l.problems
                        .iter()
                        .map(String::as_str)
                        .chain(l.missing.iter().map(|m| m.command.as_str()))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
        None => notes.push("the host's packages were not walked: no package list".into()),
    }
    let main_package = side
        .linked
        .as_ref()
        .and_then(|l| l.mains.first().cloned())
        .unwrap_or_else(|| side.module_path().to_string());
    let cgo = ctx.cgo_enabled;
    let build_settings = settings_of(&side.build, &ctx.goos, &ctx.goarch);
    Contract {
        schema_version: SCHEMA_VERSION,
        kind: KIND.into(),
        source: Source::Sources,
        hashes: false,
        generator: super::generator(),
        host: Host {
            name: side.name.clone(),
            main_package,
            // A host built with cgo links dynamically (what plugin.Open needs).
            dynamic: cgo,
            legacy_hash_format: false,
        },
        go_version,
        build_settings,
        goos: ctx.goos,
        goarch: ctx.goarch,
        cgo,
        main_module: Module {
            path: side.module_path().to_string(),
            version: "(devel)".into(),
            ..Module::default()
        },
        modules,
        packages,
        loader: None,
        target: Target::default(),
        notes,
    }
}

/// A go.mod token, quoted when go.mod's syntax needs it.
fn token(s: &str) -> String {
    if s.is_empty() || s.contains(|c: char| c.is_whitespace() || "\"'`(){}".contains(c)) {
        format!("{s:?}")
    } else {
        s.to_string()
    }
}

/// The host of a contract as a project side: the go.mod and go.sum it was built from
/// (written from the contract's modules), its build settings, and the packages it links.
/// Directory replacements keep the path the host recorded (it names a directory of the
/// machine that built the host): they are resolved from `host_dir`, the host's module
/// directory on this machine, else from the contract's directory. `file` is the contract's
/// path, shown as the side's go.mod.
pub fn host_side(
    c: &Contract,
    file: &Path,
    host_dir: Option<&Path>,
) -> Result<Side, crate::gomod::ParseErrors> {
    use std::fmt::Write;
    let go = crate::semver::gover::from_toolchain(&c.go_version).map(str::to_string);
    let mut text = format!("module {}\n", token(&c.main_module.path));
    if let Some(g) = &go {
        let _ = write!(text, "\ngo {g}\n");
    }
    if !c.modules.is_empty() {
        text.push_str("\nrequire (\n");
        for m in &c.modules {
            let _ = writeln!(text, "\t{} {}", token(&m.path), token(&m.version));
        }
        text.push_str(")\n");
    }
    for m in c.modules.iter().chain(std::iter::once(&c.main_module)) {
        let Some(r) = &m.replace else { continue };
        let to = if r.version.is_empty() || r.version == "(devel)" {
            token(&r.path)
        } else {
            format!("{} {}", token(&r.path), token(&r.version))
        };
        let _ = writeln!(text, "replace {} => {to}", token(&m.path));
    }
    let name = file.display().to_string();
    let go_mod = crate::gomod::parse_mod(&name, text.as_bytes(), crate::gomod::Strictness::Strict)?;
    let mut sums = String::new();
    for m in &c.modules {
        for x in std::iter::once(m).chain(m.replace.as_deref()) {
            if !x.sum.is_empty() && !x.version.is_empty() && x.version != "(devel)" {
                let _ = writeln!(sums, "{} {} {}", x.path, x.version, x.sum);
            }
        }
    }
    let go_sum = crate::gosum::parse(&name, sums.as_bytes()).ok();
    let base = host_dir.unwrap_or_else(|| file.parent().unwrap_or(Path::new(".")));
    let replacement = |m: &Module| -> Option<Replacement> {
        let r = m.replace.as_ref()?;
        Some(if r.version.is_empty() || r.version == "(devel)" {
            Replacement::Dir {
                path: r.path.clone(),
                resolved: crate::paths::join(base, &r.path),
            }
        } else {
            Replacement::Module {
                module: ModuleVersion::new(&r.path, &r.version),
            }
        })
    };
    let dir = match host_dir {
        Some(d) => d.to_path_buf(),
        None => base.join(format!("{} (contract)", c.host.name)),
    };
    // Not indexed: `get` searches the list.
    let build_list = BuildList {
        go_version: go.clone(),
        ..BuildList::of_modules(
            vec![c.main_module.path.clone()],
            dir.clone(),
            vec![dir.clone()],
            c.modules
                .iter()
                .map(|m| SelectedModule {
                    module: ModuleVersion::new(&m.path, &m.version),
                    replace: replacement(m),
                    direct: true,
                    root: false,
                })
                .collect(),
        )
    };
    let setting = |k: &str| c.build_settings.get(k).cloned().unwrap_or_default();
    let build = BuildSettings {
        trimpath: setting("-trimpath") == "true",
        race: setting("-race") == "true",
        gcflags: setting("-gcflags"),
        goexperiment: setting("GOEXPERIMENT"),
        pgo: setting("-pgo"),
        tags: setting("-tags"),
        cgo_enabled: Some(c.cgo),
        toolchain: c
            .go_version
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string(),
        modcache: String::new(),
        goos: c.goos.clone(),
        goarch: c.goarch.clone(),
        mod_mode: None,
    };
    let linked = (!c.packages.is_empty()).then(|| linked_of(c, &replacement));
    Ok(Side {
        go_mod_index: crate::project::GoModIndex::new(&go_mod, text.as_bytes()),
        name: "host".into(),
        dir,
        go_mod_path: file.to_path_buf(),
        go_mod_text: text.into_bytes(),
        go_mod,
        go_sum,
        build_list,
        build,
        vendor_problems: Vec::new(),
        vendor: None,
        main_dirs: Vec::new(),
        linked,
    })
}

/// The packages a contract's host links, as the package stage would give them (without
/// sources: rules that compare files say they cannot).
fn linked_of(
    c: &Contract,
    replacement: &dyn Fn(&Module) -> Option<Replacement>,
) -> crate::linkage::Linked {
    use crate::packages::{Package as Pkg, PackageModule};
    let mut packages = BTreeMap::new();
    for p in &c.packages {
        let module = p.module.as_deref().and_then(|m| c.module(m)).map(|m| {
            let main = m.path == c.main_module.path;
            PackageModule {
                path: m.path.clone(),
                version: if main {
                    String::new()
                } else {
                    m.version.clone()
                },
                replace: replacement(m),
                main,
            }
        });
        let standard = module.is_none() && is_standard(&p.path);
        packages.insert(p.path.clone(), Pkg::known(&p.path, standard, module));
    }
    crate::linkage::Linked {
        mains: vec![c.host.main_package.clone()],
        packages,
        ..Default::default()
    }
}
