//! What the operator reads back from the live HostedControlPlane.

use kube::api::DynamicObject;
use platform_api::api::{ApiEndpoint, HostedControlPlaneStatus};
use platform_api::control_plane::{ControlPlaneStatus, SecretKeyRef};

/// Ready, endpoint and kubeconfig Secret from `status`; an absent or unreadable status reads
/// as not ready (the control-plane operator has not written it yet).
pub fn observe(live: &DynamicObject) -> ControlPlaneStatus {
    let Some(status) = live
        .data
        .get("status")
        .and_then(|s| serde_json::from_value::<HostedControlPlaneStatus>(s.clone()).ok())
    else {
        return ControlPlaneStatus::default();
    };
    let message = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Available" && c.status != "True")
        .map(|c| c.message.clone())
        .filter(|m| !m.is_empty());
    ControlPlaneStatus {
        ready: status.ready,
        endpoint: status.control_plane_endpoint.filter(ApiEndpoint::is_set),
        kubeconfig: status.kube_config.map(|k| SecretKeyRef {
            name: k.name,
            key: k.key,
        }),
        message,
    }
}
