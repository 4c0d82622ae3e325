//! `recipe --profile debug` against the real thing: a host built the way a debugger builds it
//! (`dlv debug` passes `-gcflags='all=-N -l'`) loads the plugin built with the debug recipe's
//! command, and not the one built with the release recipe's.

mod support;

use std::path::Path;
use std::process::Command;

const HOST_GO: &str = "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"plugin\"\n)\n\nfunc main() {\n\tfor _, p := range os.Args[1:] {\n\t\tif _, err := plugin.Open(p); err != nil {\n\t\t\tfmt.Println(\"ERR\", err)\n\t\t} else {\n\t\t\tfmt.Println(\"OK\", p)\n\t\t}\n\t}\n}\n";
const PLUG_GO: &str = "package main\n\nimport \"fmt\"\n\nfunc F() { fmt.Println(\"hi\") }\n";

/// The plugin's command of a recipe (`(cd plugins/p && ... -o p.so .)`), run with `sh`.
fn build_plugin(env: &support::GoEnv, root: &Path, recipe: &str, out: &str) {
    let line = recipe
        .lines()
        .find(|l| l.starts_with("(cd plugins/p && "))
        .unwrap_or_else(|| panic!("no plugin command in:\n{recipe}"));
    let line = line.replace("-o p.so", &format!("-o {out}"));
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&line).current_dir(root);
    env.apply(&mut cmd);
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn debug_recipe_plugins_load_into_a_debugger_built_host() {
    if support::require_go("debug_recipe").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    support::write_files(
        root,
        &[
            ("go.mod", "module example.com/host\n\ngo 1.21\n"),
            ("main.go", HOST_GO),
            ("plugins/p/go.mod", "module example.com/p\n\ngo 1.21\n"),
            ("plugins/p/main.go", PLUG_GO),
        ],
    );
    let env = support::GoEnv::new(root);
    // As `dlv debug` builds it.
    env.go(
        root,
        &["build", "-gcflags=all=-N -l", "-o", "host-dlv", "."],
    );
    let debug = env.godrift(root, &["recipe", "--profile", "debug"]);
    assert_eq!(debug.code, 0, "{debug:?}");
    let release = env.godrift(root, &["recipe"]);
    assert_eq!(release.code, 0, "{release:?}");
    build_plugin(&env, root, &debug.stdout, "debug.so");
    build_plugin(&env, root, &release.stdout, "release.so");
    // One process per plugin: both have the same plugin path.
    let open = |so: &str| {
        let out = Command::new(root.join("host-dlv"))
            .arg(so)
            .current_dir(root)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let loaded = open("plugins/p/debug.so");
    assert_eq!(loaded, "OK plugins/p/debug.so", "{}", debug.stdout);
    let failed = open("plugins/p/release.so");
    assert!(
        failed.starts_with("ERR "),
        "the release recipe's plugin loaded: {failed}"
    );
    // And godrift explain ranks the debugger's flags first for what the runtime said.
    let msg = failed.trim_start_matches("ERR ");
    let e = env.godrift(root, &["explain", msg]);
    assert_eq!(e.code, 0, "{e:?}");
    assert!(e.stdout.contains("-N -l"), "{}", e.stdout);
}
