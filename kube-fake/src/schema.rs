//! Structural schemas of custom resources: pruning of undeclared fields, defaulting (through
//! `testkit`), the storage version, and what a write or a read in one served version does.
//!
//! The apiserver's order, kept here: a write in version V is pruned against V's schema and
//! defaulted with it, "converted" to the storage version S (strategy `None`: only `apiVersion`
//! changes; a `Webhook` strategy is treated the same, since no webhook runs here), then pruned
//! against S's schema and defaulted with it, and stored. A read in version X is the stored object
//! with `apiVersion` X, pruned and defaulted with X's schema.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};
use testkit::validate::cel::{CelSchema, CelViolation, SkippedRule};

const PRESERVE: &str = "x-kubernetes-preserve-unknown-fields";
const EMBEDDED: &str = "x-kubernetes-embedded-resource";

/// The `openAPIV3Schema` of every version of one CRD (served or not) and its storage version.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CrdSchemas {
    pub storage: String,
    pub versions: BTreeMap<String, Value>,
    /// The `x-kubernetes-validations` of each version, compiled once when the CRD is installed.
    pub cel: BTreeMap<String, Arc<CelSchema>>,
}

impl CrdSchemas {
    /// From a `CustomResourceDefinition` object; `None` without versions.
    pub fn from_crd(crd: &Value) -> Option<Self> {
        let versions = crd.pointer("/spec/versions")?.as_array()?;
        let mut storage = None;
        let mut schemas = BTreeMap::new();
        for v in versions {
            let Some(name) = v.get("name").and_then(Value::as_str) else {
                continue;
            };
            if v.get("storage").and_then(Value::as_bool) == Some(true) {
                storage = Some(name.to_string());
            }
            let schema = v
                .pointer("/schema/openAPIV3Schema")
                .cloned()
                .unwrap_or(Value::Null);
            schemas.insert(name.to_string(), schema);
        }
        let storage = storage.or_else(|| {
            versions
                .first()
                .and_then(|v| v.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })?;
        let cel = schemas
            .iter()
            .map(|(v, s)| (v.clone(), Arc::new(CelSchema::compile(s))))
            .collect();
        Some(CrdSchemas {
            storage,
            versions: schemas,
            cel,
        })
    }

    fn schema(&self, version: &str) -> Option<&Value> {
        self.versions.get(version).filter(|s| s.is_object())
    }

    /// The CEL rules of the storage version that `object` (as it would be stored; `old` is the
    /// stored object on an update) breaks. Stored objects are in the storage version, and
    /// conversion here only rewrites `apiVersion`, so the storage version's rules are the ones
    /// checked (the apiserver checks the request version's; they differ only for a CRD whose
    /// versions carry different rules).
    pub fn cel_violations(&self, object: &Value, old: Option<&Value>) -> Vec<CelViolation> {
        self.cel
            .get(&self.storage)
            .map(|c| c.validate(object, old))
            .unwrap_or_default()
    }

    /// The rules of every version that are not evaluated (parse errors, unsupported functions).
    pub fn skipped_cel_rules(&self) -> Vec<(String, SkippedRule)> {
        self.cel
            .iter()
            .flat_map(|(v, c)| c.skipped().iter().map(move |s| (v.clone(), s.clone())))
            .collect()
    }

    /// The stored object as a client reading version `version` sees it.
    pub fn view(&self, obj: &Value, api_version: String, version: &str) -> Value {
        let mut obj = obj.clone();
        obj["apiVersion"] = json!(api_version);
        if let Some(s) = self.schema(version) {
            prune(&mut obj, s, true, "", &mut vec![]);
            testkit::validate::apply_defaults(&mut obj, s, true);
        }
        obj
    }

    /// The fields of `obj` that the schema of `version` does not declare (paths like
    /// `spec.foo`, `spec.list[0].bar`).
    pub fn unknown_fields(&self, obj: &Value, version: &str) -> Vec<String> {
        let mut removed = vec![];
        if let Some(s) = self.schema(version) {
            prune(&mut obj.clone(), s, true, "", &mut removed);
        }
        removed
    }

    /// A write in `version`: pruned and defaulted there, converted to the storage version
    /// (`storage_api_version`), pruned and defaulted again.
    pub fn admit(&self, mut obj: Value, version: &str, storage_api_version: String) -> Value {
        if let Some(s) = self.schema(version) {
            prune(&mut obj, s, true, "", &mut vec![]);
            testkit::validate::apply_defaults(&mut obj, s, true);
        }
        obj["apiVersion"] = json!(storage_api_version);
        if let Some(s) = self.schema(&self.storage) {
            prune(&mut obj, s, true, "", &mut vec![]);
            testkit::validate::apply_defaults(&mut obj, s, true);
        }
        obj
    }
}

fn flag(s: &Map<String, Value>, key: &str) -> bool {
    s.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Removes from `v` what the structural schema `s` does not declare, recording the removed paths.
/// `resource` marks an object root, where `apiVersion`, `kind` and `metadata` are always kept
/// (an `x-kubernetes-embedded-resource` node is one too). Only `properties`,
/// `additionalProperties`, `items` and `x-kubernetes-preserve-unknown-fields` decide: in a
/// structural schema, `allOf`/`anyOf`/`oneOf`/`not` cannot declare fields.
pub(crate) fn prune(
    v: &mut Value,
    s: &Value,
    resource: bool,
    path: &str,
    removed: &mut Vec<String>,
) {
    let Some(s) = s.as_object() else { return };
    match v {
        Value::Object(map) => {
            let resource = resource || flag(s, EMBEDDED);
            let preserve = flag(s, PRESERVE);
            let props = s.get("properties").and_then(Value::as_object);
            let additional = s.get("additionalProperties");
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                if resource && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let p = child(path, &key);
                let Some(value) = map.get_mut(&key) else {
                    continue;
                };
                if let Some(ps) = props.and_then(|p| p.get(&key)) {
                    prune(value, ps, false, &p, removed);
                } else if let Some(a @ Value::Object(_)) = additional {
                    prune(value, a, false, &p, removed);
                } else if additional == Some(&Value::Bool(true)) || preserve {
                    // kept as is
                } else {
                    map.remove(&key);
                    removed.push(p);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    prune(item, item_schema, false, &format!("{path}[{i}]"), removed);
                }
            }
        }
        _ => {}
    }
}
