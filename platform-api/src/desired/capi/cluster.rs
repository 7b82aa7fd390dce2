//! The CAPI Cluster of a HostedCluster.

use super::{CapiVersion, build, reference};
use crate::api::{ApiEndpoint, HostedCluster};
use crate::control_plane::ControlPlaneRef;
use crate::desired::object::DesiredObject;
use serde_json::{Map, Value, json};

/// The CAPI Cluster: named after the infra ID, pointing at the control-plane backend's
/// object and at the platform's infrastructure object.
pub fn cluster(
    version: CapiVersion,
    hc: &HostedCluster,
    namespace: &str,
    control_plane: &ControlPlaneRef,
    infra: Option<&DesiredObject>,
    endpoint: Option<&ApiEndpoint>,
) -> DesiredObject {
    let mut spec = json!({
        "controlPlaneRef": reference(version, &control_plane.resource, namespace, &control_plane.name),
    });
    let pods: Vec<String> = hc
        .spec
        .networking
        .cluster_network
        .iter()
        .map(|c| c.cidr.clone())
        .collect();
    let services: Vec<String> = hc
        .spec
        .networking
        .service_network
        .iter()
        .map(|c| c.cidr.clone())
        .collect();
    if let Some(network) = cluster_network(version, pods, services) {
        spec["clusterNetwork"] = network;
    }
    if let Some(infra) = infra {
        spec["infrastructureRef"] = reference(version, &infra.resource, namespace, infra.name());
    }
    if let Some(ep) = endpoint.filter(|e| e.is_set()) {
        spec["controlPlaneEndpoint"] = json!({ "host": ep.host, "port": ep.port });
    }
    build(version, "Cluster", namespace, &hc.infra_id(), spec)
}

/// v1beta1 always carries both CIDR lists, even empty ones. v1beta2 requires at least one
/// block in a list that is present and at least one field in `clusterNetwork`, so empty
/// lists (and then an empty `clusterNetwork`) are left out.
fn cluster_network(
    version: CapiVersion,
    pods: Vec<String>,
    services: Vec<String>,
) -> Option<Value> {
    let mut network = Map::new();
    for (key, blocks) in [("pods", pods), ("services", services)] {
        if version == CapiVersion::V1Beta1 || !blocks.is_empty() {
            network.insert(key.into(), json!({ "cidrBlocks": blocks }));
        }
    }
    (!network.is_empty()).then_some(Value::Object(network))
}
