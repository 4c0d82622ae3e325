//! Shared by the conformance harnesses: owned data paths, and a per-group tally that prints
//! `GROUP: N/M passed` and fails with every failing case listed.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn data_dir(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("grammar-tests/data")
        .join(rel)
}

pub fn load_json(rel: &str) -> serde_json::Value {
    let path = data_dir(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A string field; `{"hex": "..."}` (not valid UTF-8 upstream) comes back as raw bytes.
pub fn bytes_field(v: &serde_json::Value) -> Vec<u8> {
    match v {
        serde_json::Value::String(s) => s.as_bytes().to_vec(),
        serde_json::Value::Object(o) => {
            let hex = o.get("hex").and_then(|h| h.as_str()).expect("hex field");
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digit"))
                .collect()
        }
        other => panic!("not a string field: {other}"),
    }
}

pub fn str_field<'a>(case: &'a serde_json::Value, name: &str) -> &'a str {
    case.get(name)
        .and_then(|v| v.as_str())
        .unwrap_or_else(|| panic!("case lacks string field {name}: {case}"))
}

pub fn bool_field(case: &serde_json::Value, name: &str) -> bool {
    case.get(name)
        .and_then(|v| v.as_bool())
        .unwrap_or_else(|| panic!("case lacks bool field {name}: {case}"))
}

pub struct Tally {
    group: String,
    passed: usize,
    failures: Vec<String>,
    skipped: Vec<String>,
}

impl Tally {
    pub fn new(group: &str) -> Self {
        Tally {
            group: group.to_string(),
            passed: 0,
            failures: Vec::new(),
            skipped: Vec::new(),
        }
    }

    pub fn check(&mut self, ok: bool, describe: impl FnOnce() -> String) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(describe());
        }
    }

    /// A case deliberately left out, with the reason (printed, and counted against 100%).
    pub fn skip(&mut self, why: String) {
        self.skipped.push(why);
    }

    pub fn finish(self) {
        let total = self.passed + self.failures.len() + self.skipped.len();
        println!("{}: {}/{} passed", self.group, self.passed, total);
        for s in &self.skipped {
            println!("  left out: {s}");
        }
        assert!(
            self.failures.is_empty(),
            "{}: {} failing case(s):\n{}",
            self.group,
            self.failures.len(),
            self.failures.join("\n")
        );
        assert!(total > 0, "{}: no cases found", self.group);
    }
}

/// cmd/go's fake module proxy (grammar-tests/data/cmdgo-testdata-mod): `path@version` ->
/// its archive, named as cmd/go's test proxy reads the file names
/// (`<escaped path with / as _>_<version>.txt`, split at the last `_v`).
pub fn fake_proxy() -> std::collections::HashMap<String, godrift::txtar::Archive> {
    let mut out = std::collections::HashMap::new();
    for e in std::fs::read_dir(data_dir("cmdgo-testdata-mod"))
        .expect("proxy dir")
        .filter_map(Result::ok)
    {
        let fname = e.file_name().to_string_lossy().into_owned();
        let Some(stem) = fname.strip_suffix(".txt") else {
            continue;
        };
        let Some(i) = stem.rfind("_v") else { continue };
        let (p, v) = (stem[..i].replace('_', "/"), &stem[i + 1..]);
        let path = godrift::module::unescape_path(&p).unwrap_or(p);
        let version = godrift::module::unescape_version(v).unwrap_or_else(|_| v.to_string());
        let a = godrift::txtar::parse(&std::fs::read(e.path()).expect("read"));
        out.insert(format!("{path}@{version}"), a);
    }
    out
}
