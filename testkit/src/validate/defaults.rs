//! Schema defaulting, applied before validation as the apiserver does: a missing field
//! whose schema has a `default` gets a copy of it, and defaulting continues inside the
//! inserted value. A `null` on a non-nullable field with a default is replaced too.
//! Defaults inside `allOf`/`anyOf`/... and under `metadata` are not applied (Kubernetes
//! forbids them there).

use serde_json::Value;

use super::flag;
use super::object::EMBEDDED;

pub(crate) fn apply(v: &mut Value, s: &Value, resource: bool) {
    let Some(s) = s.as_object() else { return };
    match v {
        Value::Object(map) => {
            let resource = resource || flag(s, EMBEDDED);
            if let Some(Value::Object(props)) = s.get("properties") {
                for (key, ps) in props {
                    if resource && key == "metadata" {
                        continue;
                    }
                    let Some(default) = ps.get("default") else {
                        continue;
                    };
                    let nullable = ps.as_object().is_some_and(|p| flag(p, "nullable"));
                    let missing = match map.get(key) {
                        None => true,
                        Some(Value::Null) => !nullable,
                        Some(_) => false,
                    };
                    if missing {
                        map.insert(key.clone(), default.clone());
                    }
                }
                for (key, child) in map.iter_mut() {
                    if resource && key == "metadata" {
                        continue;
                    }
                    if let Some(ps) = props.get(key) {
                        apply(child, ps, false);
                    }
                }
            } else if let Some(additional @ Value::Object(_)) = s.get("additionalProperties") {
                for child in map.values_mut() {
                    apply(child, additional, false);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.get("items") {
                for item in items {
                    apply(item, item_schema, false);
                }
            }
        }
        _ => {}
    }
}
