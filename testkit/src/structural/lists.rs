//! Rule 7: `x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`.

use serde_json::{Map, Value};

use super::schema::{Checker, LIST_TYPE, MAP_KEYS, MAP_TYPE, SCALARS};
use crate::validate::child;

impl Checker<'_> {
    /// Rule 7: list and map semantics for server-side apply.
    pub(super) fn list_types(&mut self, m: &Map<String, Value>, ty: &str, path: &str) {
        let list_type = m
            .get(LIST_TYPE)
            .map(|v| v.as_str().unwrap_or("<not a string>"));
        if let Some(lt) = list_type {
            if !matches!(lt, "atomic" | "set" | "map") {
                self.err(
                    &child(path, LIST_TYPE),
                    format!("{lt:?} must be atomic, set or map"),
                );
            }
            if ty != "array" {
                self.err(&child(path, LIST_TYPE), "is only allowed on `type: array`");
            }
        }
        if m.contains_key(MAP_KEYS) && list_type != Some("map") {
            self.err(
                &child(path, MAP_KEYS),
                "requires x-kubernetes-list-type: map",
            );
        }
        let items = m.get("items").and_then(Value::as_object);
        let item_type = items
            .and_then(|i| i.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if list_type == Some("map") {
            self.map_list(m, items, item_type, path);
        }
        if list_type == Some("set")
            && let Some(items) = items
        {
            let atomic = match item_type {
                "object" => items.get(MAP_TYPE).and_then(Value::as_str) == Some("atomic"),
                "array" => items.get(LIST_TYPE).and_then(Value::as_str) == Some("atomic"),
                _ => true,
            };
            if !atomic {
                self.err(
                    &child(path, "items"),
                    "items of a list-type set must be scalars or atomic (x-kubernetes-map-type: atomic / x-kubernetes-list-type: atomic)",
                );
            }
        }
        if let Some(mt) = m.get(MAP_TYPE) {
            if !matches!(mt.as_str(), Some("granular" | "atomic")) {
                self.err(
                    &child(path, MAP_TYPE),
                    format!("{mt} must be granular or atomic"),
                );
            }
            if ty != "object" {
                self.err(&child(path, MAP_TYPE), "is only allowed on `type: object`");
            }
        }
    }

    fn map_list(
        &mut self,
        m: &Map<String, Value>,
        items: Option<&Map<String, Value>>,
        item_type: &str,
        path: &str,
    ) {
        let at = child(path, MAP_KEYS);
        let keys: Vec<&Value> = m
            .get(MAP_KEYS)
            .and_then(Value::as_array)
            .map(|k| k.iter().collect())
            .unwrap_or_default();
        if keys.is_empty() {
            self.err(
                &at,
                "must list at least one key when x-kubernetes-list-type is map",
            );
        }
        if item_type != "object" {
            self.err(
                &child(path, "items"),
                "items of a list-type map must be `type: object`",
            );
            return;
        }
        let Some(items) = items else { return };
        let required: Vec<&str> = items
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (i, key) in keys.iter().enumerate() {
            let Some(key) = key.as_str().filter(|_| !keys[..i].contains(key)) else {
                self.err(&at, format!("entry {key} must be a unique field name"));
                continue;
            };
            let Some(ks) = items.get("properties").and_then(|p| p.get(key)) else {
                self.err(
                    &at,
                    format!("map key {key:?} is not a property of the items"),
                );
                continue;
            };
            if !ks
                .get("type")
                .and_then(Value::as_str)
                .is_some_and(|t| SCALARS.contains(&t))
            {
                self.err(
                    &at,
                    format!(
                        "map key {key:?} must be a scalar (string, integer, number or boolean)"
                    ),
                );
            }
            if ks.get("nullable") == Some(&Value::Bool(true)) {
                self.err(&at, format!("map key {key:?} must not be nullable"));
            }
            if !required.contains(&key) && ks.get("default").is_none() {
                self.err(
                    &at,
                    format!("map key {key:?} must be required in the items or have a default"),
                );
            }
        }
    }
}
