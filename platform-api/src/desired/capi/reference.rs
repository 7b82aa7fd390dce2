//! References from CAPI objects to other objects, in the shape each CAPI version expects.

use super::CapiVersion;
use kube::api::ApiResource;
use serde_json::{Value, json};

/// A reference to the object `name` of `resource` in `namespace` (the referencing object's
/// own namespace).
///
/// * v1beta1: a core ObjectReference, `{apiVersion, kind, namespace, name}`.
/// * v1beta2: a contract-versioned reference, `{apiGroup, kind, name}`. CAPI resolves the
///   version from the contract labels on the referenced CRD and the namespace is always the
///   referencing object's own.
pub fn reference(
    version: CapiVersion,
    resource: &ApiResource,
    namespace: &str,
    name: &str,
) -> Value {
    match version {
        CapiVersion::V1Beta1 => json!({
            "apiVersion": resource.api_version,
            "kind": resource.kind,
            "namespace": namespace,
            "name": name,
        }),
        CapiVersion::V1Beta2 => json!({
            "apiGroup": resource.group,
            "kind": resource.kind,
            "name": name,
        }),
    }
}
