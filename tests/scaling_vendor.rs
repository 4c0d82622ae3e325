//! Growth tests: vendor/modules.txt parsing, Go's vendor consistency check and the
//! vendored-tree comparisons must be linear. Each times n and 4n and fails when the time
//! grows like n² (16×); linear is 4×, the bound is a generous 8×.

use godrift::integrity::{self, Digest, VendorTree, Vendored};
use godrift::vendor::{check_vendor_consistency, parse_modules_txt, ModulesTxt};
use std::collections::BTreeMap;
use std::time::Instant;

/// Timed sections run one at a time (the test threads would otherwise share the cores).
static TIMING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn best_of<F: FnMut()>(mut f: F) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn assert_linear(what: &str, n: usize, mut run: impl FnMut(usize)) {
    let _one = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    run(n / 4); // warm up
    let small = best_of(|| run(n));
    let large = best_of(|| run(4 * n));
    let ratio = large / small.max(1e-6);
    println!(
        "{what}: n={n} {:.1} ms, 4n {:.1} ms, ratio {ratio:.1}",
        small * 1e3,
        large * 1e3
    );
    assert!(
        ratio < 8.0,
        "{what} grows superlinearly: {:.1} ms at n={n}, {:.1} ms at 4n (×{ratio:.1})",
        small * 1e3,
        large * 1e3
    );
}

fn modules_txt(n: usize) -> String {
    let mut s = String::with_capacity(n * 60);
    for i in 0..n {
        s.push_str(&format!(
            "# example.com/m{i} v1.0.{}\n## explicit; go 1.21\nexample.com/m{i}\n",
            i % 7
        ));
    }
    s
}

fn go_mod(n: usize) -> String {
    let mut s = String::from("module example.com/main\n\ngo 1.22\n\nrequire (\n");
    for i in 0..n {
        s.push_str(&format!("\texample.com/m{i} v1.0.{}\n", i % 7));
    }
    s.push_str(")\n");
    s
}

#[test]
fn modules_txt_parses_in_linear_time() {
    let texts: BTreeMap<usize, String> = [2_500, 10_000, 40_000, 100_000]
        .iter()
        .map(|&n| (n, modules_txt(n)))
        .collect();
    assert_linear("modules.txt parse", 10_000, |n| {
        let m = parse_modules_txt("modules.txt", texts[&n].as_bytes()).expect("parse");
        assert_eq!(m.modules.len(), n);
    });
    // The goal (release build) is < 0.5 s at 100k modules; a debug build gets 10×.
    let _one = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    let t = Instant::now();
    parse_modules_txt("modules.txt", texts[&100_000].as_bytes()).expect("parse");
    let secs = t.elapsed().as_secs_f64();
    println!("100k-module modules.txt: {:.0} ms", secs * 1e3);
    assert!(secs < 5.0, "100k-module modules.txt took {secs:.1} s");
}

#[test]
fn vendor_consistency_check_is_linear() {
    let inputs: BTreeMap<usize, (godrift::gomod::ModFile, ModulesTxt)> =
        [2_500usize, 10_000, 40_000]
            .iter()
            .map(|&n| {
                let gm = godrift::gomod::parse_mod(
                    "go.mod",
                    go_mod(n).as_bytes(),
                    godrift::gomod::Strictness::Strict,
                )
                .expect("go.mod");
                let txt = parse_modules_txt("modules.txt", modules_txt(n).as_bytes()).expect("txt");
                (n, (gm, txt))
            })
            .collect();
    assert_linear("vendor consistency check", 10_000, |n| {
        let (gm, txt) = &inputs[&n];
        assert!(check_vendor_consistency(gm, txt).is_empty());
    });
}

/// An in-memory vendored side: n modules of one package with four files each.
fn side(n: usize, root: &str) -> Vendored {
    let txt = parse_modules_txt("modules.txt", modules_txt(n).as_bytes()).expect("txt");
    let mut tree = VendorTree {
        root: root.into(),
        ..VendorTree::default()
    };
    for i in 0..n {
        let files = (0..4)
            .map(|f| {
                let d = Digest {
                    size: 10,
                    hash: [(i + f) as u8; 32],
                };
                (format!("f{f}.go"), Ok(d))
            })
            .collect();
        tree.dirs.insert(format!("example.com/m{i}"), files);
    }
    Vendored {
        modules: txt,
        tree,
        ..Vendored::default()
    }
}

#[test]
fn comparing_vendor_trees_is_linear() {
    let sides: BTreeMap<usize, (Vendored, Vendored)> = [1_000usize, 4_000, 16_000]
        .iter()
        .map(|&n| (n, (side(n, "/h"), side(n, "/p"))))
        .collect();
    assert_linear("vendor tree comparison", 4_000, |n| {
        let (a, b) = &sides[&n];
        assert!(integrity::between("host", a, "p", b).is_empty());
    });
}
