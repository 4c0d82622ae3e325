//! The input parsers on 100,000-line files (issue 15, goal 3: each < 0.5 s): go.mod with
//! 100,000 requires, go.sum with 100,000 lines, go.work with 100,000 `use` lines and
//! vendor/modules.txt with 100,000 modules (three lines each). Prints the median of five
//! runs of each. `GODRIFT_BENCH_LINES=N` changes the size.

#[path = "common.rs"]
mod common;

fn main() {
    let n: usize = std::env::var("GODRIFT_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut go_mod = String::from("module example.com/main\n\ngo 1.22\n\nrequire (\n");
    let mut go_sum = String::new();
    let mut go_work = String::from("go 1.22\n\nuse (\n");
    let mut txt = String::new();
    for i in 0..n {
        go_mod.push_str(&format!("\texample.com/m{i} v1.0.{}\n", i % 7));
        let line = if i % 2 == 0 {
            format!("example.com/m{} v1.0.0 h1:", i / 2)
        } else {
            format!("example.com/m{} v1.0.0/go.mod h1:", i / 2)
        };
        go_sum.push_str(&line);
        go_sum.push_str("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
        go_work.push_str(&format!("\t./m{i}\n"));
        txt.push_str(&format!(
            "# example.com/m{i} v1.0.{}\n## explicit; go 1.21\nexample.com/m{i}\n",
            i % 7
        ));
    }
    go_mod.push_str(")\n");
    go_work.push_str(")\n");
    let time = |what: &str, bytes: usize, f: &mut dyn FnMut()| {
        f(); // warm-up
        let t = common::time(5, f);
        println!(
            "{what:<28} {:>6.0} ms ({:.1} MB; goal < 500 ms)",
            t * 1e3,
            bytes as f64 / 1e6
        );
    };
    time(&format!("go.mod, {n} requires"), go_mod.len(), &mut || {
        let f = godrift::gomod::parse_mod(
            "go.mod",
            go_mod.as_bytes(),
            godrift::gomod::Strictness::Strict,
        )
        .expect("go.mod");
        assert_eq!(f.require.len(), n);
    });
    time(&format!("go.sum, {n} lines"), go_sum.len(), &mut || {
        let s = godrift::gosum::parse("go.sum", go_sum.as_bytes()).expect("go.sum");
        assert_eq!(s.lines.len(), n);
    });
    time(&format!("go.work, {n} uses"), go_work.len(), &mut || {
        let w = godrift::gomod::parse_work("go.work", go_work.as_bytes()).expect("go.work");
        assert_eq!(w.use_.len(), n);
    });
    time(&format!("modules.txt, {n} modules"), txt.len(), &mut || {
        let m =
            godrift::vendor::parse_modules_txt("modules.txt", txt.as_bytes()).expect("modules.txt");
        assert_eq!(m.modules.len(), n);
    });
}
