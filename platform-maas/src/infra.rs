//! The MaasCluster (CAPMAAS `infrastructure.cluster.x-k8s.io/v1beta1`): one per hosted cluster,
//! named after the infra ID, in the control-plane namespace.

use crate::spec::{DEFAULT_DNS_DOMAIN, MaasPlatformSpec};
use kube::api::DynamicObject;
use platform_api::api::ApiEndpoint;
use serde_json::json;

pub const INFRA_GROUP: &str = "infrastructure.cluster.x-k8s.io";
pub const INFRA_API_VERSION: &str = "infrastructure.cluster.x-k8s.io/v1beta1";
/// CAPMAAS skips its own DNS resource management when this is present: the hosted control
/// plane's endpoint is published by the management cluster, not by a MAAS DNS record.
pub const CUSTOM_DNS_ANNOTATION: &str = "spectrocloud.com/custom-dns-provided";

pub fn maas_cluster(
    name: &str,
    namespace: &str,
    spec: &MaasPlatformSpec,
    zone: Option<&str>,
    endpoint: Option<&ApiEndpoint>,
) -> DynamicObject {
    let mut body = json!({
        "dnsDomain": spec.dns_domain.as_deref().filter(|d| !d.is_empty()).unwrap_or(DEFAULT_DNS_DOMAIN),
    });
    if let Some(ep) = endpoint.filter(|e| e.is_set()) {
        body["controlPlaneEndpoint"] = json!({ "host": ep.host, "port": ep.port });
    }
    if let Some(zone) = zone {
        body["failureDomains"] = json!([zone]);
    }
    serde_json::from_value(json!({
        "apiVersion": INFRA_API_VERSION,
        "kind": "MaasCluster",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": { CUSTOM_DNS_ANNOTATION: "true" },
        },
        "spec": body,
    }))
    .expect("static MaasCluster shape")
}
