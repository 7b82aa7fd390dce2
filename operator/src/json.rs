//! Kubernetes objects as JSON values, as server-side apply sends them and comparisons read them.

use kube::api::DynamicObject;
use serde::Serialize;
use serde_json::Value;

/// A typed object with its `apiVersion` and `kind` filled in (k8s-openapi types leave them out
/// of their serialisation; an apply body needs them).
pub fn to_value<K: kube::Resource<DynamicType = ()> + Serialize>(obj: &K) -> Value {
    let mut v = serde_json::to_value(obj).expect("Kubernetes objects serialise");
    v["apiVersion"] = K::api_version(&()).into();
    v["kind"] = K::kind(&()).into();
    v
}

/// A dynamic object as it is (it carries its own type).
pub fn dynamic_to_value(obj: &DynamicObject) -> Value {
    serde_json::to_value(obj).expect("Kubernetes objects serialise")
}
