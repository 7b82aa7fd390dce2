//! Arrays: length and uniqueness, and the keys of `x-kubernetes-list-type: map` lists.

use serde_json::{Map, Value};

use super::super::{flag, index};
use super::{Mode, Walker, json_eq, short};

impl Walker {
    pub(super) fn check_array(&mut self, items: &[Value], s: &Map<String, Value>, path: &str) {
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
    pub(super) fn check_list_map_keys(
        &mut self,
        items: &[Value],
        s: &Map<String, Value>,
        path: &str,
    ) {
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
}
