//! Strategic merge patch for built-in types (custom resources refuse it, as on a cluster).
//!
//! Maps merge (null deletes); lists merge by the merge key the Kubernetes types declare for the
//! common fields (containers and volumes by `name`, ports by `containerPort`/`port`, conditions by
//! `type`, ownerReferences by `uid`, finalizers as a set); other lists are replaced. Directives:
//! `$patch: replace|delete`, `$deleteFromPrimitiveList/<field>`, `$retainKeys`; `$setElementOrder`
//! is accepted and ignored.

use serde_json::{Map, Value};

enum Strategy {
    Replace,
    Set,
    Key(&'static str),
}

fn strategy(field: &str, items: &[Value]) -> Strategy {
    match field {
        "finalizers" => Strategy::Set,
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets" => Strategy::Key("name"),
        "volumeMounts" => Strategy::Key("mountPath"),
        "volumeDevices" => Strategy::Key("devicePath"),
        "hostAliases" => Strategy::Key("ip"),
        "conditions" => Strategy::Key("type"),
        "ownerReferences" => Strategy::Key("uid"),
        "topologySpreadConstraints" => Strategy::Key("topologyKey"),
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => {
            Strategy::Key("containerPort")
        }
        "ports" => Strategy::Key("port"),
        _ => Strategy::Replace,
    }
}

/// The patch value without directives, for insertion.
fn clean(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, v)| !k.starts_with('$') && !v.is_null())
                .map(|(k, v)| (k.clone(), clean(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(clean).collect()),
        other => other.clone(),
    }
}

/// Applies a strategic merge patch to `target`.
pub(crate) fn patch(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => merge_map(t, p),
        _ => *target = clean(patch),
    }
}

fn merge_map(t: &mut Map<String, Value>, p: &Map<String, Value>) {
    if p.get("$patch").and_then(Value::as_str) == Some("replace") {
        *t = clean(&Value::Object(p.clone()))
            .as_object()
            .cloned()
            .unwrap_or_default();
        return;
    }
    if let Some(keep) = p.get("$retainKeys").and_then(Value::as_array) {
        t.retain(|k, _| keep.iter().any(|r| r == k.as_str()));
    }
    for (k, pv) in p {
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(list), Some(del)) = (
                t.get_mut(field).and_then(Value::as_array_mut),
                pv.as_array(),
            ) {
                list.retain(|v| !del.contains(v));
            }
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        if pv.is_null() || pv.get("$patch").and_then(Value::as_str) == Some("delete") {
            t.remove(k);
            continue;
        }
        match (t.get_mut(k), pv) {
            (Some(Value::Object(tm)), Value::Object(pm)) => merge_map(tm, pm),
            (Some(Value::Array(ta)), Value::Array(pa)) => merge_list(k, ta, pa),
            _ => {
                t.insert(k.clone(), clean(pv));
            }
        }
    }
}

fn merge_list(field: &str, t: &mut Vec<Value>, p: &[Value]) {
    if p.iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"))
    {
        *t = p
            .iter()
            .filter(|i| i.get("$patch").is_none())
            .map(clean)
            .collect();
        return;
    }
    match strategy(field, p) {
        Strategy::Replace => *t = p.iter().map(clean).collect(),
        Strategy::Set => {
            for v in p {
                if !t.contains(v) {
                    t.push(v.clone());
                }
            }
        }
        Strategy::Key(key) => {
            for item in p {
                let id = item.get(key);
                let pos = id.and_then(|id| t.iter().position(|x| x.get(key) == Some(id)));
                let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
                match (pos, item.as_object()) {
                    (Some(i), _) if delete => {
                        t.remove(i);
                    }
                    (Some(i), Some(pm)) => {
                        if let Some(tm) = t[i].as_object_mut() {
                            merge_map(tm, pm);
                        }
                    }
                    (None, _) if delete => {}
                    _ => t.push(clean(item)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_by_key_and_sets() {
        let mut o = json!({
            "metadata": {"finalizers": ["a"], "labels": {"x": "1", "y": "2"}},
            "spec": {"containers": [{"name": "c", "image": "old", "ports": [{"containerPort": 80}]}], "args": ["1"]}
        });
        patch(
            &mut o,
            &json!({
                "metadata": {"finalizers": ["b"], "labels": {"y": null}},
                "spec": {"containers": [{"name": "c", "image": "new"}, {"name": "d", "image": "i"}], "args": ["2"]}
            }),
        );
        assert_eq!(
            o,
            json!({
                "metadata": {"finalizers": ["a", "b"], "labels": {"x": "1"}},
                "spec": {"containers": [{"name": "c", "image": "new", "ports": [{"containerPort": 80}]}, {"name": "d", "image": "i"}], "args": ["2"]}
            })
        );
        patch(
            &mut o,
            &json!({
                "metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]},
                "spec": {"containers": [{"name": "d", "$patch": "delete"}]}
            }),
        );
        assert_eq!(o["metadata"]["finalizers"], json!(["b"]));
        assert_eq!(o["spec"]["containers"].as_array().unwrap().len(), 1);
    }
}
