//! Whether a live object still holds what we applied. The hash annotation says *what* we last
//! applied; this says whether someone changed it since (`kubectl edit`, another controller),
//! so a matching hash alone does not skip the write.
//!
//! Only values we set count: the API server adds defaults and other field managers add their
//! own fields or list entries, and treating those as drift would rewrite the object on every
//! resync without ever converging (a forced apply does not remove what others own).

use base64::Engine as _;
use serde_json::{Map, Value};

/// True when some value in `desired` is missing from, or different in, `live`.
pub fn drifted(desired: &Value, live: &Value) -> bool {
    !contains(live, &comparable(desired))
}

/// `desired` as the API server stores it: Secret `stringData` is folded into `data`.
pub fn as_stored(desired: &Value) -> Value {
    let mut v = desired.clone();
    let is_secret = v.get("kind").and_then(Value::as_str) == Some("Secret")
        && v.get("apiVersion").and_then(Value::as_str) == Some("v1");
    if let (true, Some(map)) = (is_secret, v.as_object_mut())
        && let Some(Value::Object(strings)) = map.remove("stringData")
    {
        let data = map
            .entry("data")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(data) = data.as_object_mut() {
            for (key, value) in strings {
                let text = value
                    .as_str()
                    .map_or_else(|| value.to_string(), str::to_string);
                let encoded = base64::engine::general_purpose::STANDARD.encode(text);
                data.insert(key, Value::String(encoded));
            }
        }
    }
    v
}

/// The parts of a desired object we own and can compare: everything but type, status and the
/// server's metadata (labels and annotations stay).
pub fn comparable(desired: &Value) -> Value {
    let mut v = as_stored(desired);
    if let Some(map) = v.as_object_mut() {
        for server_side in ["apiVersion", "kind", "status"] {
            map.remove(server_side);
        }
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            meta.retain(|k, _| k == "labels" || k == "annotations");
        }
    }
    v
}

/// Dotted paths of the values of `desired` that `live` does not hold (for messages).
pub fn differences(desired: &Value, live: &Value) -> Vec<String> {
    let mut out = Vec::new();
    collect(live, &comparable(desired), &mut String::new(), &mut out);
    out
}

fn collect(live: &Value, want: &Value, path: &mut String, out: &mut Vec<String>) {
    match (live, want) {
        (_, Value::Null) => {}
        (Value::Object(l), Value::Object(w)) => {
            for (k, wv) in w {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                match l.get(k) {
                    Some(lv) => collect(lv, wv, path, out),
                    None if wv.is_null() => {}
                    None => out.push(path.clone()),
                }
                path.truncate(len);
            }
        }
        (l, w) if contains(l, w) => {}
        _ => out.push(path.clone()),
    }
}

/// `live ⊇ want`: every map entry of `want` is in `live`, every list element of `want` is
/// contained in some element of `live`, and scalars are equal.
fn contains(live: &Value, want: &Value) -> bool {
    match (live, want) {
        (_, Value::Null) => true,
        (Value::Object(l), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| l.get(k).map_or(wv.is_null(), |lv| contains(lv, wv))),
        (Value::Array(l), Value::Array(w)) => {
            w.iter().all(|wv| l.iter().any(|lv| contains(lv, wv)))
        }
        (l, w) => l == w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(image: &str) -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "p", "labels": {"a": "1"}, "annotations": {"h": "x"}},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "manager", "image": image, "ports": [{"containerPort": 9440}]}
            ]}}}
        })
    }

    #[test]
    fn server_defaults_and_other_managers_are_not_drift() {
        let live = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "p", "uid": "u", "resourceVersion": "9",
                         "labels": {"a": "1", "other": "x"}, "annotations": {"h": "x"}},
            "spec": {"replicas": 1, "progressDeadlineSeconds": 600,
                     "template": {"spec": {"containers": [
                {"name": "manager", "image": "img:1", "imagePullPolicy": "IfNotPresent",
                 "ports": [{"containerPort": 9440, "protocol": "TCP"}]},
                {"name": "sidecar", "image": "s"}
            ]}}},
            "status": {"replicas": 1}
        });
        assert!(!drifted(&deployment("img:1"), &live));
    }

    #[test]
    fn a_changed_or_removed_value_is_drift() {
        assert!(drifted(&deployment("img:1"), &deployment("img:2")));
        let mut live = deployment("img:1");
        live["metadata"]["labels"] = json!({});
        assert!(drifted(&deployment("img:1"), &live));
        let mut live = deployment("img:1");
        live["spec"]["template"]["spec"]["containers"][0]["ports"] = json!([]);
        assert!(drifted(&deployment("img:1"), &live));
    }

    #[test]
    fn secrets_compare_as_stored() {
        let desired = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                             "type": "Opaque", "stringData": {"K": "v"}});
        let stored = as_stored(&desired);
        assert_eq!(stored["data"]["K"], "dg==");
        assert!(stored.get("stringData").is_none());
        assert!(!drifted(&desired, &stored));
        let mut edited = stored.clone();
        edited["data"]["K"] = json!("eA==");
        assert!(drifted(&desired, &edited));
    }
}
