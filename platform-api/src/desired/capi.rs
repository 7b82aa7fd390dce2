//! CAPI core objects (`cluster.x-k8s.io/v1beta1`): the Cluster and one MachineDeployment per
//! NodePool. v1beta1 is served by every CAPI release we support (storage in 1.10, served and
//! deprecated in 1.13), so one shape works on both.

use super::labels::NODE_POOL_LABEL;
use super::object::{DesiredObject, Role};
use crate::api::node_pool::{UpgradeStrategy, UpgradeType};
use crate::api::{ApiEndpoint, HostedCluster, NodePool, hosted_control_plane::HostedControlPlane};
use kube::Resource;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::{Value, json};

pub const CAPI_GROUP: &str = "cluster.x-k8s.io";
pub const CAPI_VERSION: &str = "v1beta1";

fn capi_resource(kind: &str) -> ApiResource {
    ApiResource::from_gvk(&GroupVersionKind::gvk(CAPI_GROUP, CAPI_VERSION, kind))
}

/// A reference to another object, as CAPI v1beta1 writes it.
pub fn object_reference(resource: &ApiResource, namespace: &str, name: &str) -> Value {
    json!({ "apiVersion": resource.api_version, "kind": resource.kind, "namespace": namespace, "name": name })
}

fn build(kind: &str, namespace: &str, name: &str, spec: Value) -> DesiredObject {
    let resource = capi_resource(kind);
    let object: DynamicObject = serde_json::from_value(json!({
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "metadata": { "name": name, "namespace": namespace },
        "spec": spec,
    }))
    .expect("static CAPI object shape");
    DesiredObject {
        role: if kind == "Cluster" {
            Role::CapiCluster
        } else {
            Role::MachineDeployment
        },
        resource,
        object,
        sensitive: false,
    }
}

/// The CAPI Cluster: named after the infra ID, pointing at the HostedControlPlane and at the
/// platform's infrastructure object.
pub fn cluster(
    hc: &HostedCluster,
    namespace: &str,
    infra: Option<&DesiredObject>,
    endpoint: Option<&ApiEndpoint>,
) -> DesiredObject {
    let hcp = ApiResource::erase::<HostedControlPlane>(&());
    let mut spec = json!({
        "controlPlaneRef": object_reference(&hcp, namespace, hc.meta().name.as_deref().unwrap_or_default()),
        "clusterNetwork": {
            "pods": { "cidrBlocks": hc.spec.networking.cluster_network.iter().map(|c| c.cidr.clone()).collect::<Vec<_>>() },
            "services": { "cidrBlocks": hc.spec.networking.service_network.iter().map(|c| c.cidr.clone()).collect::<Vec<_>>() },
        },
    });
    if let Some(infra) = infra {
        spec["infrastructureRef"] = object_reference(&infra.resource, namespace, infra.name());
    }
    if let Some(ep) = endpoint.filter(|e| e.is_set()) {
        spec["controlPlaneEndpoint"] = json!({ "host": ep.host, "port": ep.port });
    }
    build("Cluster", namespace, &hc.infra_id(), spec)
}

/// Name of the Secret holding a pool's bootstrap (ignition) data.
pub fn user_data_secret_name(node_pool: &NodePool) -> String {
    format!(
        "user-data-{}",
        node_pool.meta().name.as_deref().unwrap_or_default()
    )
}

/// The MachineDeployment of a NodePool, pointing at its current machine template.
pub fn machine_deployment(
    hc: &HostedCluster,
    np: &NodePool,
    namespace: &str,
    template: &DesiredObject,
) -> DesiredObject {
    let np_name = np.meta().name.clone().unwrap_or_default();
    let infra_id = hc.infra_id();
    let selector = json!({ NODE_POOL_LABEL: np_name });
    let mut machine_spec = json!({
        "clusterName": infra_id,
        "bootstrap": { "dataSecretName": user_data_secret_name(np) },
        "infrastructureRef": object_reference(&template.resource, namespace, template.name()),
    });
    if let Some(t) = &np.spec.node_drain_timeout {
        machine_spec["nodeDrainTimeout"] = t.clone().into();
    }
    if let Some(t) = &np.spec.node_volume_detach_timeout {
        machine_spec["nodeVolumeDetachTimeout"] = t.clone().into();
    }
    let mut spec = json!({
        "clusterName": infra_id,
        "replicas": np.desired_replicas(),
        "selector": { "matchLabels": selector },
        "template": {
            "metadata": { "labels": selector },
            "spec": machine_spec,
        },
    });
    if np.spec.management.upgrade_type == UpgradeType::Replace {
        spec["strategy"] = strategy(np);
    }
    build("MachineDeployment", namespace, &np_name, spec)
}

/// HyperShift's replace-upgrade default: surge one new machine, never drop below the target.
fn strategy(np: &NodePool) -> Value {
    let replace = np.spec.management.replace.as_ref();
    if replace.and_then(|r| r.strategy) == Some(UpgradeStrategy::OnDelete) {
        return json!({ "type": "OnDelete" });
    }
    let rolling = replace.and_then(|r| r.rolling_update.as_ref());
    let surge = rolling
        .and_then(|r| r.max_surge.clone())
        .map(|v| serde_json::to_value(v).unwrap())
        .unwrap_or(json!(1));
    let unavailable = rolling
        .and_then(|r| r.max_unavailable.clone())
        .map(|v| serde_json::to_value(v).unwrap())
        .unwrap_or(json!(0));
    json!({ "type": "RollingUpdate", "rollingUpdate": { "maxSurge": surge, "maxUnavailable": unavailable } })
}
