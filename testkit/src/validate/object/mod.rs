//! The recursive walk: types, `enum`, objects, arrays and the logical junctors.
//! String and number keywords are in `format.rs`, ObjectMeta in `metadata.rs`; here, arrays and
//! list-map keys are in `arrays.rs`, the junctors in `junctors.rs`, and how values and unknown
//! fields are worded in `messages.rs`.

use serde_json::{Map, Value};

use super::{SchemaError, child, flag, format, map_key, metadata};

mod arrays;
mod junctors;
mod messages;
mod values;

pub(crate) use messages::{describe, short};
use messages::{short_schema, unknown_field_message};
pub(crate) use values::{is_integer, json_eq};

pub(crate) const PRESERVE: &str = "x-kubernetes-preserve-unknown-fields";
pub(crate) const INT_OR_STRING: &str = "x-kubernetes-int-or-string";
pub(crate) const EMBEDDED: &str = "x-kubernetes-embedded-resource";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The main tree: undeclared fields and list-type uniqueness are checked.
    Strict,
    /// Inside `allOf`/`anyOf`/`oneOf`/`not`: those subtrees only add value checks (as in
    /// Kubernetes), so they say nothing about which fields may exist.
    Value,
}

pub(crate) struct Walker {
    errs: Vec<SchemaError>,
    mode: Mode,
}

impl Walker {
    pub(crate) fn strict() -> Self {
        Self {
            errs: Vec::new(),
            mode: Mode::Strict,
        }
    }

    /// The errors, sorted by path so that output does not depend on map ordering.
    pub(crate) fn finish(mut self) -> Result<(), Vec<SchemaError>> {
        if self.errs.is_empty() {
            Ok(())
        } else {
            self.errs.sort_by(|a, b| a.path.cmp(&b.path));
            Err(self.errs)
        }
    }

    fn err(&mut self, path: &str, message: impl Into<String>) {
        self.errs.push(SchemaError::new(path, message));
    }

    /// Checks `v` at `path` against schema node `s`. `resource` marks the root of an object
    /// (or an `x-kubernetes-embedded-resource`), where `apiVersion`/`kind`/`metadata` live.
    pub(crate) fn check(&mut self, v: &Value, s: &Value, path: &str, resource: bool) {
        // `true` (from `additionalProperties: true`) or a non-object accepts anything.
        let Some(s) = s.as_object() else { return };
        if v.is_null() {
            let untyped_preserve = flag(s, PRESERVE) && s.get("type").is_none();
            if !(flag(s, "nullable") || untyped_preserve || self.mode == Mode::Value) {
                self.err(
                    path,
                    "is null, but the schema does not set `nullable: true` (an apiserver would \
                     drop it); omit the field or give it a value",
                );
            }
            return;
        }
        if !self.check_type(v, s, path) {
            return;
        }
        if let Some(Value::Array(options)) = s.get("enum")
            && !options.iter().any(|o| json_eq(o, v))
        {
            let allowed: Vec<String> = options.iter().map(short).collect();
            self.err(
                path,
                format!(
                    "unsupported value {}; must be one of: {}",
                    short(v),
                    allowed.join(", ")
                ),
            );
        }
        match v {
            Value::String(text) => format::check_string(text, s, path, &mut self.errs),
            Value::Number(n) => format::check_number(n, s, path, &mut self.errs),
            Value::Array(items) => self.check_array(items, s, path),
            Value::Object(map) => {
                let resource = resource || (self.mode == Mode::Strict && flag(s, EMBEDDED));
                self.check_object(map, s, path, resource);
            }
            _ => {}
        }
        self.check_junctors(v, s, path);
    }

    /// `false` when the type is wrong (then nothing below this node is checked).
    fn check_type(&mut self, v: &Value, s: &Map<String, Value>, path: &str) -> bool {
        if flag(s, INT_OR_STRING) {
            if is_integer(v) || v.is_string() {
                return true;
            }
            self.err(
                path,
                format!(
                    "must be an integer or a string (x-kubernetes-int-or-string), got {}",
                    describe(v)
                ),
            );
            return false;
        }
        let Some(ty) = s.get("type").and_then(Value::as_str) else {
            return true;
        };
        let ok = match ty {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "integer" => is_integer(v),
            "number" => v.is_number(),
            _ => true,
        };
        if !ok {
            let hint = match (ty, v) {
                ("string", Value::Number(_) | Value::Bool(_)) => {
                    " (YAML reads it as a non-string: quote it)"
                }
                ("integer", Value::Number(_)) => " (integers must not have a fractional part)",
                ("integer" | "number" | "boolean", Value::String(_)) => {
                    " (remove the quotes if a literal was meant)"
                }
                _ => "",
            };
            self.err(
                path,
                format!("must be of type {ty}, got {}{hint}", describe(v)),
            );
        }
        ok
    }

    fn check_object(
        &mut self,
        map: &Map<String, Value>,
        s: &Map<String, Value>,
        path: &str,
        resource: bool,
    ) {
        if let Some(min) = s.get("minProperties").and_then(Value::as_u64)
            && (map.len() as u64) < min
        {
            self.err(
                path,
                format!("must have at least {min} field(s), has {}", map.len()),
            );
        }
        if let Some(max) = s.get("maxProperties").and_then(Value::as_u64)
            && (map.len() as u64) > max
        {
            self.err(
                path,
                format!("must have at most {max} field(s), has {}", map.len()),
            );
        }
        if let Some(Value::Array(required)) = s.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    self.err(
                        &child(path, name),
                        format!("required field {name:?} is missing; set it"),
                    );
                }
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        let additional = s.get("additionalProperties");
        for (key, val) in map {
            let at = child(path, key);
            let declared = props.and_then(|p| p.get(key));
            if resource && self.mode == Mode::Strict {
                if key == "metadata" {
                    self.check_metadata(val, declared, &at);
                    continue;
                }
                if declared.is_none() && (key == "apiVersion" || key == "kind") {
                    if !val.is_string() {
                        self.err(&at, format!("must be a string, got {}", describe(val)));
                    }
                    continue;
                }
            }
            if let Some(ps) = declared {
                self.check(val, ps, &at, false);
                continue;
            }
            match additional {
                Some(schema @ Value::Object(_)) => {
                    self.check(val, schema, &map_key(path, key), false);
                    continue;
                }
                Some(Value::Bool(true)) => continue,
                _ => {}
            }
            if self.mode == Mode::Value || flag(s, PRESERVE) {
                continue;
            }
            let message = unknown_field_message(key, props);
            self.err(&at, message);
        }
        if resource && self.mode == Mode::Strict && flag(s, EMBEDDED) {
            for key in ["apiVersion", "kind"] {
                if map
                    .get(key)
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    self.err(
                        &child(path, key),
                        "is required in an embedded resource (x-kubernetes-embedded-resource)",
                    );
                }
            }
        }
    }

    /// `metadata` of a resource: ObjectMeta rules, plus whatever restrictions the schema
    /// places on `name`/`generateName` (the only ones Kubernetes allows there).
    fn check_metadata(&mut self, val: &Value, declared: Option<&Value>, path: &str) {
        metadata::check(val, path, &mut self.errs);
        let props = declared
            .and_then(|d| d.get("properties"))
            .and_then(Value::as_object);
        if let (Some(props), Some(meta)) = (props, val.as_object()) {
            for key in ["name", "generateName"] {
                if let (Some(ps), Some(v)) = (props.get(key), meta.get(key)) {
                    self.check(v, ps, &child(path, key), false);
                }
            }
        }
    }
}
