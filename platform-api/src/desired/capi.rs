//! CAPI core objects: the Cluster and one MachineDeployment per NodePool, written in the API
//! version the management cluster's CAPI stores ([`CapiVersion`]), so that what the server
//! keeps is what we sent.

use super::labels::NODE_POOL_LABEL;
use super::object::{DesiredObject, Role};
use crate::api::node_pool::{UpgradeStrategy, UpgradeType};
use crate::api::{ApiEndpoint, HostedCluster, NodePool, hosted_control_plane::HostedControlPlane};
use kube::Resource;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use serde_json::{Value, json};

pub const CAPI_GROUP: &str = "cluster.x-k8s.io";

/// The `cluster.x-k8s.io` API version CAPI objects are written in.
///
/// A real API server converts a write to the CRD's storage version and prunes what that
/// version's schema lacks, so we write the version it stores: v1beta2 where it is served
/// (CAPI 1.11 and later store it), v1beta1 for older CAPI (1.10 stores v1beta1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CapiVersion {
    /// CAPI ≤ 1.10: references are `{apiVersion, kind, namespace, name}`.
    V1Beta1,
    /// CAPI ≥ 1.11: references are `{apiGroup, kind, name}`.
    #[default]
    V1Beta2,
}

impl CapiVersion {
    pub const ALL: [CapiVersion; 2] = [CapiVersion::V1Beta1, CapiVersion::V1Beta2];

    /// `v1beta1` or `v1beta2`.
    pub fn as_str(self) -> &'static str {
        match self {
            CapiVersion::V1Beta1 => "v1beta1",
            CapiVersion::V1Beta2 => "v1beta2",
        }
    }

    /// `cluster.x-k8s.io/<version>`.
    pub fn api_version(self) -> String {
        format!("{CAPI_GROUP}/{}", self.as_str())
    }

    /// The API resource of a `cluster.x-k8s.io` kind in this version.
    pub fn resource(self, kind: &str) -> ApiResource {
        ApiResource::from_gvk(&GroupVersionKind::gvk(CAPI_GROUP, self.as_str(), kind))
    }

    /// The newest version in `served` (versions of the `cluster.x-k8s.io` group the server
    /// serves), or `None` when CAPI is not installed.
    pub fn newest_served<'a>(served: impl IntoIterator<Item = &'a str>) -> Option<CapiVersion> {
        served.into_iter().filter_map(|v| v.parse().ok()).max()
    }
}

impl std::fmt::Display for CapiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CapiVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "v1beta1" => Ok(CapiVersion::V1Beta1),
            "v1beta2" => Ok(CapiVersion::V1Beta2),
            other => Err(format!(
                "unknown CAPI API version {other:?}; use v1beta1 (CAPI 1.10 and older) or v1beta2 (CAPI 1.11 and newer)"
            )),
        }
    }
}

fn capi_resource(kind: &str) -> ApiResource {
    CapiVersion::V1Beta1.resource(kind)
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
