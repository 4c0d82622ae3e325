//! `--format sarif` validated against the SARIF 2.1.0 JSON schema (a draft-04 schema; the
//! keywords it uses are checked by the small validator below: type, properties, required,
//! additionalProperties, items, minItems, uniqueItems, minimum, enum, pattern, anyOf, $ref).

use serde_json::Value;
use std::path::Path;
use std::process::Command;

struct Validator<'a> {
    root: &'a Value,
    errors: Vec<String>,
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let mut cur = root;
            for part in r.trim_start_matches("#/").split('/') {
                cur = &cur[part];
            }
            cur
        }
        None => schema,
    }
}

impl<'a> Validator<'a> {
    fn type_ok(t: &str, v: &Value) -> bool {
        match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => true,
        }
    }

    fn check(&mut self, schema: &'a Value, v: &Value, at: &str) {
        let schema = resolve(self.root, schema);
        if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
            let ok = any.iter().any(|s| {
                let mut sub = Validator {
                    root: self.root,
                    errors: Vec::new(),
                };
                sub.check(s, v, at);
                sub.errors.is_empty()
            });
            if !ok {
                self.errors.push(format!("{at}: matches no anyOf branch"));
            }
        }
        match schema.get("type") {
            Some(Value::String(t)) if !Self::type_ok(t, v) => {
                self.errors.push(format!("{at}: not {t}"));
                return;
            }
            Some(Value::Array(ts))
                if !ts
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|t| Self::type_ok(t, v)) =>
            {
                self.errors.push(format!("{at}: wrong type"));
                return;
            }
            _ => {}
        }
        if let Some(e) = schema.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                self.errors.push(format!("{at}: {v} not in enum"));
            }
        }
        if let (Some(p), Some(s)) = (schema.get("pattern").and_then(Value::as_str), v.as_str()) {
            if let Ok(re) = regex_lite::Regex::new(p) {
                if !re.is_match(s) {
                    self.errors.push(format!("{at}: {s:?} does not match {p}"));
                }
            }
        }
        if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
            if n < min {
                self.errors.push(format!("{at}: {n} < {min}"));
            }
        }
        if let Some(obj) = v.as_object() {
            for r in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(k) = r.as_str() {
                    if !obj.contains_key(k) {
                        self.errors.push(format!("{at}: missing required {k}"));
                    }
                }
            }
            let props = schema.get("properties").and_then(Value::as_object);
            for (k, val) in obj {
                match props.and_then(|p| p.get(k)) {
                    Some(s) => self.check(s, val, &format!("{at}.{k}")),
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            self.errors.push(format!("{at}: unexpected property {k}"))
                        }
                        Some(s @ Value::Object(_)) => self.check(s, val, &format!("{at}.{k}")),
                        _ => {}
                    },
                }
            }
        }
        if let Some(arr) = v.as_array() {
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
                if (arr.len() as u64) < min {
                    self.errors.push(format!("{at}: fewer than {min} items"));
                }
            }
            if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, a) in arr.iter().enumerate() {
                    if arr[..i].contains(a) {
                        self.errors.push(format!("{at}[{i}]: duplicate item"));
                    }
                }
            }
            if let Some(items) = schema.get("items") {
                for (i, item) in arr.iter().enumerate() {
                    self.check(items, item, &format!("{at}[{i}]"));
                }
            }
        }
    }
}

fn validate(doc: &Value) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("grammar-tests/data/sarif/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema")).expect("json");
    let mut v = Validator {
        root: &schema,
        errors: Vec::new(),
    };
    v.check(&schema, doc, "$");
    v.errors
}

#[test]
fn the_validator_rejects_broken_documents() {
    let bad = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": [{"ruleId": "GD001", "level": "fatal", "message": {}}]}]});
    let errs = validate(&bad);
    assert!(
        errs.iter().any(|e| e.contains("missing required name")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.contains("not in enum")), "{errs:?}");
}

#[test]
fn sarif_output_is_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for case in [
        "fixtures/example",
        "fixtures/report/flags",
        "fixtures/report/clean",
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_godrift"))
            .current_dir(root)
            .args(["report", case, "--format", "sarif"])
            .env("GOMODCACHE", root.join("fixtures/report/no-such-modcache"))
            .env_remove("GITHUB_STEP_SUMMARY")
            .output()
            .expect("run");
        let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
        let errs = validate(&doc);
        assert!(errs.is_empty(), "{case}: {errs:#?}");
    }
}
