//! The recursive walk: types, `enum`, objects, arrays and the logical junctors.
//! String and number keywords are in `format.rs`, ObjectMeta in `metadata.rs`.

use serde_json::{Map, Value};

use super::{SchemaError, child, flag, format, index, map_key, metadata};

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

    fn check_array(&mut self, items: &[Value], s: &Map<String, Value>, path: &str) {
        let n = items.len() as u64;
        if let Some(min) = s.get("minItems").and_then(Value::as_u64)
            && n < min
        {
            self.err(path, format!("must have at least {min} item(s), has {n}"));
        }
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
            && n > max
        {
            self.err(path, format!("must have at most {max} item(s), has {n}"));
        }
        let list_type = s.get("x-kubernetes-list-type").and_then(Value::as_str);
        if flag(s, "uniqueItems") || (self.mode == Mode::Strict && list_type == Some("set")) {
            for (i, item) in items.iter().enumerate() {
                if let Some(j) = items[..i].iter().position(|other| json_eq(other, item)) {
                    self.err(
                        &index(path, i),
                        format!("duplicate of item [{j}]; list items must be unique"),
                    );
                }
            }
        }
        if self.mode == Mode::Strict && list_type == Some("map") {
            self.check_list_map_keys(items, s, path);
        }
        if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
            for (i, item) in items.iter().enumerate() {
                self.check(item, item_schema, &index(path, i), false);
            }
        }
    }

    /// `x-kubernetes-list-type: map`: no two items may have the same key tuple (a missing
    /// key counts as its default, as in Kubernetes).
    fn check_list_map_keys(&mut self, items: &[Value], s: &Map<String, Value>, path: &str) {
        let keys: Vec<&str> = s
            .get("x-kubernetes-list-map-keys")
            .and_then(Value::as_array)
            .map(|k| k.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let key_props = s.get("items").and_then(|i| i.get("properties"));
        let mut seen: Vec<Vec<Value>> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(obj) = item.as_object() else {
                seen.push(Vec::new());
                continue;
            };
            let tuple: Vec<Value> = keys
                .iter()
                .map(|k| {
                    obj.get(*k)
                        .or_else(|| {
                            key_props
                                .and_then(|p| p.get(*k))
                                .and_then(|p| p.get("default"))
                        })
                        .cloned()
                        .unwrap_or(Value::Null)
                })
                .collect();
            let duplicate = seen
                .iter()
                .position(|t| !t.is_empty() && t.iter().zip(&tuple).all(|(a, b)| json_eq(a, b)));
            if let Some(j) = duplicate {
                let shown: Vec<String> = keys
                    .iter()
                    .zip(&tuple)
                    .map(|(k, v)| format!("{k}={}", short(v)))
                    .collect();
                self.err(
                    &index(path, i),
                    format!(
                        "duplicate key ({}) of item [{j}]; x-kubernetes-list-type: map needs unique keys",
                        shown.join(", ")
                    ),
                );
            }
            seen.push(tuple);
        }
    }

    fn check_junctors(&mut self, v: &Value, s: &Map<String, Value>, path: &str) {
        if let Some(Value::Array(all)) = s.get("allOf") {
            for branch in all {
                let found = branch_errors(v, branch, path);
                self.errs.extend(found);
            }
        }
        if let Some(Value::Array(any)) = s.get("anyOf") {
            let results: Vec<_> = any.iter().map(|b| branch_errors(v, b, path)).collect();
            if !results.iter().any(Vec::is_empty) {
                self.err(
                    path,
                    format!(
                        "must satisfy at least one anyOf alternative: {}",
                        summarize(&results)
                    ),
                );
            }
        }
        if let Some(Value::Array(one)) = s.get("oneOf") {
            let results: Vec<_> = one.iter().map(|b| branch_errors(v, b, path)).collect();
            let passing: Vec<usize> = (0..results.len())
                .filter(|&i| results[i].is_empty())
                .collect();
            match passing.len() {
                1 => {}
                0 => self.err(
                    path,
                    format!(
                        "must satisfy exactly one oneOf alternative, satisfies none: {}",
                        summarize(&results)
                    ),
                ),
                _ => self.err(
                    path,
                    format!(
                        "must satisfy exactly one oneOf alternative, satisfies {passing:?} (0-based); remove fields so only one applies"
                    ),
                ),
            }
        }
        if let Some(not) = s.get("not")
            && branch_errors(v, not, path).is_empty()
        {
            self.err(
                path,
                format!("must not satisfy the `not` schema {}", short_schema(not)),
            );
        }
    }
}

fn branch_errors(v: &Value, branch: &Value, path: &str) -> Vec<SchemaError> {
    let mut walker = Walker {
        errs: Vec::new(),
        mode: Mode::Value,
    };
    walker.check(v, branch, path, false);
    walker.errs
}

fn summarize(results: &[Vec<SchemaError>]) -> String {
    results
        .iter()
        .enumerate()
        .map(|(i, errs)| match errs.first() {
            Some(e) => format!("({i}) {e}"),
            None => format!("({i}) ok"),
        })
        .collect::<Vec<_>>()
        .join("; or ")
}

fn unknown_field_message(key: &str, props: Option<&Map<String, Value>>) -> String {
    let head = format!(
        "unknown field {key:?}: the schema does not declare it, so an apiserver would \
         silently drop it; remove it or fix its name"
    );
    let Some(props) = props.filter(|p| !p.is_empty()) else {
        return format!("{head} (this object declares no fields)");
    };
    if let Some(best) = closest(key, props.keys().map(String::as_str)) {
        return format!("{head} (did you mean {best:?}?)");
    }
    let names: Vec<&str> = props.keys().map(String::as_str).collect();
    if names.len() <= 12 {
        format!("{head} (declared here: {})", names.join(", "))
    } else {
        format!("{head} ({} fields are declared here)", names.len())
    }
}

/// The declared name most like `key`: the same ignoring case, or one edit away (two for
/// longer names), counting a swap of neighbours as one edit.
fn closest<'a>(key: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = key.to_lowercase();
    let limit = if key.chars().count() > 5 { 2 } else { 1 };
    names
        .map(|n| (edit_distance(&lower, &n.to_lowercase()), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

pub(crate) fn is_integer(v: &Value) -> bool {
    v.as_i64().is_some() || v.as_u64().is_some()
}

/// JSON equality where `1` and `1.0` are the same number.
pub(crate) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// A value in an error message, cut to a readable length.
pub(crate) fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}…", text.chars().take(60).collect::<String>())
    } else {
        text
    }
}

fn short_schema(s: &Value) -> String {
    let mut s = s.clone();
    if let Some(map) = s.as_object_mut() {
        map.remove("description");
    }
    short(&s)
}

pub(crate) fn describe(v: &Value) -> String {
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    match v {
        Value::Array(_) | Value::Object(_) => kind.to_string(),
        _ => format!("{kind} {}", short(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let names = ["dnsDomain", "labels", "aws", "agent"];
        assert_eq!(closest("dnsDomian", names.into_iter()), Some("dnsDomain"));
        assert_eq!(closest("lables", names.into_iter()), Some("labels"));
        assert_eq!(closest("maas", names.into_iter()), None);
        assert_eq!(closest("AWS", names.into_iter()), Some("aws"));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert!(json_eq(&serde_json::json!(1), &serde_json::json!(1.0)));
        assert!(!json_eq(
            &serde_json::json!([1]),
            &serde_json::json!([1, 1])
        ));
    }
}
