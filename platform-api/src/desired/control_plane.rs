//! The control-plane namespace and the HostedControlPlane in it.

use super::labels::CONTROL_PLANE_NAMESPACE_LABEL;
use super::object::{DesiredObject, Role};
use crate::api::{HostedCluster, HostedControlPlane, HostedControlPlaneSpec};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// The control-plane namespace, labelled so it can be recognised as one.
pub fn namespace(name: &str) -> DesiredObject {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(BTreeMap::from([(
                CONTROL_PLANE_NAMESPACE_LABEL.to_string(),
                "true".to_string(),
            )])),
            ..Default::default()
        },
        ..Default::default()
    };
    DesiredObject::typed(Role::Namespace, &ns).cluster_scoped()
}

/// The HostedControlPlane, named after the HostedCluster as in HyperShift, with the spec
/// derived from the cluster's.
pub fn hosted_control_plane(hc: &HostedCluster, namespace: &str) -> DesiredObject {
    let mut hcp = HostedControlPlane::new(
        hc.metadata.name.as_deref().unwrap_or_default(),
        HostedControlPlaneSpec::from_hosted_cluster(&hc.spec, hc.infra_id()),
    );
    hcp.metadata.namespace = Some(namespace.into());
    DesiredObject::typed(Role::ControlPlane, &hcp)
}
