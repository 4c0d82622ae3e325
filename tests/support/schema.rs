//! A small JSON Schema validator for the keywords the SARIF 2.1.0 schema (draft-04) and
//! godrift's own schemas (2020-12, `schemas/`) use: type, properties, required,
//! additionalProperties, items, minItems, maxItems, uniqueItems, minimum, enum, const,
//! pattern, anyOf, oneOf, and `$ref` (local `#/...` pointers and sibling files).
//! Included with `#[path = "support/schema.rs"] mod schema;`.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub struct Schemas {
    dir: PathBuf,
    docs: HashMap<String, Value>,
}

impl Schemas {
    /// Schemas in `dir`, loaded on first reference by file name.
    pub fn new(dir: &Path) -> Schemas {
        Schemas {
            dir: dir.to_path_buf(),
            docs: HashMap::new(),
        }
    }

    fn load(&mut self, file: &str) {
        if !self.docs.contains_key(file) {
            let text = std::fs::read_to_string(self.dir.join(file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            self.docs.insert(file.to_string(), v);
        }
    }

    /// Validates `doc` against the schema file `file`; returns the errors.
    pub fn validate(&mut self, file: &str, doc: &Value) -> Vec<String> {
        self.load(file);
        let mut errors = Vec::new();
        let schema = self.docs[file].clone();
        self.check(file, &schema, doc, "$", &mut errors);
        errors
    }

    /// Resolves `$ref` (`#/a/b`, `other.json`, `other.json#/a/b`) seen in `file`.
    fn resolve(&mut self, file: &str, r: &str) -> (String, Value) {
        let (f, ptr) = match r.split_once('#') {
            Some(("", p)) => (file.to_string(), p.to_string()),
            Some((f, p)) => (f.to_string(), p.to_string()),
            None => (r.to_string(), String::new()),
        };
        self.load(&f);
        let mut cur = &self.docs[&f];
        for part in ptr
            .trim_start_matches('/')
            .split('/')
            .filter(|p| !p.is_empty())
        {
            cur = &cur[part];
        }
        assert!(!cur.is_null(), "{file}: unresolved $ref {r}");
        (f, cur.clone())
    }

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

    fn passes(&mut self, file: &str, schema: &Value, v: &Value, at: &str) -> bool {
        let mut e = Vec::new();
        self.check(file, schema, v, at, &mut e);
        e.is_empty()
    }

    fn check(&mut self, file: &str, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let (f, s) = self.resolve(file, r);
            self.check(&f, &s, v, at, errors);
        }
        if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
            if !any.iter().any(|s| self.passes(file, s, v, at)) {
                errors.push(format!("{at}: matches no anyOf branch"));
            }
        }
        if let Some(one) = schema.get("oneOf").and_then(Value::as_array) {
            let n = one.iter().filter(|s| self.passes(file, s, v, at)).count();
            if n != 1 {
                errors.push(format!("{at}: matches {n} oneOf branches"));
            }
        }
        match schema.get("type") {
            Some(Value::String(t)) if !Self::type_ok(t, v) => {
                errors.push(format!("{at}: not {t}"));
                return;
            }
            Some(Value::Array(ts))
                if !ts
                    .iter()
                    .filter_map(Value::as_str)
                    .any(|t| Self::type_ok(t, v)) =>
            {
                errors.push(format!("{at}: wrong type"));
                return;
            }
            _ => {}
        }
        if let Some(c) = schema.get("const") {
            if c != v {
                errors.push(format!("{at}: {v} is not {c}"));
            }
        }
        if let Some(e) = schema.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                errors.push(format!("{at}: {v} not in enum"));
            }
        }
        if let (Some(p), Some(s)) = (schema.get("pattern").and_then(Value::as_str), v.as_str()) {
            if let Ok(re) = regex_lite::Regex::new(p) {
                if !re.is_match(s) {
                    errors.push(format!("{at}: {s:?} does not match {p}"));
                }
            }
        }
        if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
            if n < min {
                errors.push(format!("{at}: {n} < {min}"));
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
                        errors.push(format!("{at}: missing required {k}"));
                    }
                }
            }
            let props = schema.get("properties").and_then(Value::as_object).cloned();
            for (k, val) in obj {
                match props.as_ref().and_then(|p| p.get(k)) {
                    Some(s) => self.check(file, s, val, &format!("{at}.{k}"), errors),
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => {
                            errors.push(format!("{at}: unexpected property {k}"))
                        }
                        Some(s @ Value::Object(_)) => {
                            let s = s.clone();
                            self.check(file, &s, val, &format!("{at}.{k}"), errors)
                        }
                        _ => {}
                    },
                }
            }
        }
        if let Some(arr) = v.as_array() {
            if let Some(min) = schema.get("minItems").and_then(Value::as_u64) {
                if (arr.len() as u64) < min {
                    errors.push(format!("{at}: fewer than {min} items"));
                }
            }
            if let Some(max) = schema.get("maxItems").and_then(Value::as_u64) {
                if (arr.len() as u64) > max {
                    errors.push(format!("{at}: more than {max} items"));
                }
            }
            if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                for (i, a) in arr.iter().enumerate() {
                    if arr[..i].contains(a) {
                        errors.push(format!("{at}[{i}]: duplicate item"));
                    }
                }
            }
            if let Some(items) = schema.get("items") {
                for (i, item) in arr.iter().enumerate() {
                    self.check(file, items, item, &format!("{at}[{i}]"), errors);
                }
            }
        }
    }
}
