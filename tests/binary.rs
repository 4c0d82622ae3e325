//! Binary mode on inputs that are not what it expects, and on stripped real builds.

mod support;

use std::path::Path;
use std::process::Command;

fn check(dir: &Path, host: &str, plugins: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
        .current_dir(dir)
        .args(["check", "--format", "json", "--host", host])
        .args(plugins)
        .output()
        .expect("run godrift");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A minimal ELF header: class (1 = 32-bit, 2 = 64-bit), data (1 = LE, 2 = BE).
fn elf_header(class: u8, data: u8) -> Vec<u8> {
    let mut h = vec![0x7f, b'E', b'L', b'F', class, data, 1, 0];
    h.resize(64, 0);
    h
}

#[test]
fn bad_inputs_exit_two_without_panicking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write =
        |name: &str, data: &[u8]| std::fs::write(dir.path().join(name), data).expect("write");
    write("empty.so", b"");
    write("text.so", b"hello, I am not an ELF file\n");
    write("elf32.so", &elf_header(1, 1));
    write("bigendian.so", &elf_header(2, 2));
    if let Ok(ls) = std::fs::read("/bin/ls") {
        write("truncated.so", &ls[..ls.len().min(3000)]);
        write("ls", &ls);
    }
    let mut names = vec!["empty.so", "text.so", "elf32.so", "bigendian.so"];
    if dir.path().join("ls").exists() {
        names.extend(["truncated.so", "ls"]);
    }
    for name in names {
        let (code, out, err) = check(dir.path(), name, &["empty.so"]);
        assert_eq!(code, 2, "{name}: {out}{err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
        assert!(err.starts_with("godrift: "), "{name}: {err}");
    }
    // A C shared library is not a Go plugin.
    for lib in [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/usr/lib/x86_64-linux-gnu/libc.so.6",
    ] {
        if Path::new(lib).exists() {
            let host = if dir.path().join("ls").exists() {
                "ls"
            } else {
                lib
            };
            let (code, _, err) = check(dir.path(), host, &[lib]);
            assert_eq!(code, 2, "{err}");
            assert!(err.contains("not a Go"), "{err}");
            break;
        }
    }
    let (code, _, err) = check(dir.path(), "missing-host", &["missing.so"]);
    assert_eq!(code, 2);
    assert!(err.contains("missing-host"), "{err}");
}

fn go(dir: &Path, gopath: &Path, args: &[&str]) {
    let out = Command::new("go")
        .current_dir(dir)
        .args(args)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .env("GOPATH", gopath)
        .env("CGO_ENABLED", "1")
        .output()
        .expect("go");
    assert!(
        out.status.success(),
        "go {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn stripped_builds_keep_the_hashes() {
    if support::require_go("stripped_builds_keep_the_hashes").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    let gopath = root.join("gopath");
    let w = |p: &str, s: &str| {
        let p = root.join(p);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, s).expect("write");
    };
    for (d, extra) in [("dep1", ""), ("dep2", "\nfunc More() int { return 2 }\n")] {
        w(
            &format!("{d}/go.mod"),
            "module example.com/dep\n\ngo 1.22\n",
        );
        w(
            &format!("{d}/dep.go"),
            &format!("package dep\n\nfunc V() int {{ return 1 }}\n{extra}"),
        );
    }
    let gomod = |m: &str, d: &str| {
        format!("module {m}\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ../{d}\n")
    };
    w("host/go.mod", &gomod("example.com/host", "dep1"));
    w("host/main.go", "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n\n\t\"example.com/dep\"\n)\n\nfunc main() {\n\t_ = dep.V()\n\tfor _, p := range os.Args[1:] {\n\t\t_, err := plugin.Open(p)\n\t\tfmt.Println(p, err)\n\t}\n}\n");
    for (p, d) in [("good", "dep1"), ("bad", "dep2")] {
        w(
            &format!("{p}/go.mod"),
            &gomod(&format!("example.com/{p}"), d),
        );
        w(
            &format!("{p}/main.go"),
            "package main\n\nimport \"example.com/dep\"\n\nfunc F() int { return dep.V() }\n",
        );
    }
    go(
        &root.join("host"),
        &gopath,
        &["build", "-ldflags=-s -w", "-o", "../host.bin", "."],
    );
    for p in ["good", "bad"] {
        go(
            &root.join(p),
            &gopath,
            &[
                "build",
                "-buildmode=plugin",
                "-ldflags=-s -w",
                "-o",
                &format!("../{p}.so"),
                ".",
            ],
        );
    }
    let runtime = Command::new(root.join("host.bin"))
        .current_dir(root)
        .args(["./good.so", "./bad.so"])
        .output()
        .expect("run host");
    let runtime = String::from_utf8_lossy(&runtime.stdout).into_owned();
    let (code, out, err) = check(root, "host.bin", &["./good.so", "./bad.so"]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["plugins"][0]["verdict"], "loads");
    assert_eq!(v["plugins"][1]["verdict"], "fails");
    let msg = v["plugins"][1]["error"].as_str().expect("error");
    assert!(
        runtime.contains(msg),
        "runtime said {runtime:?}, godrift {msg:?}"
    );
    assert!(
        runtime.lines().next().is_some_and(|l| l.ends_with("<nil>")),
        "{runtime}"
    );
}
