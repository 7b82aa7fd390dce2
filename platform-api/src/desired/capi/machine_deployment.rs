//! The MachineDeployment of a NodePool.

use super::{CapiVersion, build, duration, reference};
use crate::api::node_pool::{UpgradeStrategy, UpgradeType};
use crate::api::{HostedCluster, NodePool};
use crate::control_plane::Bootstrap;
use crate::desired::labels::NODE_POOL_LABEL;
use crate::desired::object::DesiredObject;
use crate::platform::{FieldError, FieldErrors, PlatformError};
use kube::Resource;
use serde_json::{Value, json};

/// The MachineDeployment of a NodePool, pointing at its current machine template and at the
/// bootstrap the control-plane backend built for it.
///
/// Fails only on a drain or volume-detach timeout that is not a non-negative duration (which
/// NodePool validation reports first).
pub fn machine_deployment(
    version: CapiVersion,
    hc: &HostedCluster,
    np: &NodePool,
    namespace: &str,
    template: &DesiredObject,
    bootstrap: &Bootstrap,
) -> Result<DesiredObject, PlatformError> {
    let np_name = np.meta().name.clone().unwrap_or_default();
    let infra_id = hc.infra_id();
    let selector = json!({ NODE_POOL_LABEL: np_name });
    let mut machine_spec = json!({
        "clusterName": infra_id,
        "bootstrap": bootstrap_field(version, bootstrap, namespace),
        "infrastructureRef": reference(version, &template.resource, namespace, template.name()),
    });
    let timeouts = [
        (
            "spec.nodeDrainTimeout",
            &np.spec.node_drain_timeout,
            "nodeDrainTimeout",
        ),
        (
            "spec.nodeVolumeDetachTimeout",
            &np.spec.node_volume_detach_timeout,
            "nodeVolumeDetachTimeout",
        ),
    ];
    for (path, value, field) in timeouts {
        let Some(value) = value else { continue };
        match version {
            // v1beta1 keeps the duration string on the machine spec.
            CapiVersion::V1Beta1 => machine_spec[field] = value.clone().into(),
            // v1beta2 moved the timeouts under `deletion`, as whole seconds.
            CapiVersion::V1Beta2 => {
                let seconds = duration::timeout_seconds(value).map_err(|e| {
                    let mut errors = FieldErrors::default();
                    errors.push(FieldError::new(path, e, TIMEOUT_FIX));
                    PlatformError::Invalid(errors)
                })?;
                machine_spec["deletion"][format!("{field}Seconds")] = seconds.into();
            }
        }
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
        match version {
            CapiVersion::V1Beta1 => spec["strategy"] = strategy(np),
            // v1beta2 moved the strategy under `rollout`.
            CapiVersion::V1Beta2 => spec["rollout"] = json!({ "strategy": strategy(np) }),
        }
    }
    Ok(build(
        version,
        "MachineDeployment",
        namespace,
        &np_name,
        spec,
    ))
}

/// `spec.template.spec.bootstrap`: a data Secret's name, or a reference to a bootstrap
/// config template in the version's reference shape.
fn bootstrap_field(version: CapiVersion, bootstrap: &Bootstrap, namespace: &str) -> Value {
    match bootstrap {
        Bootstrap::DataSecretName(name) => json!({ "dataSecretName": name }),
        Bootstrap::ConfigRef { resource, name } => {
            json!({ "configRef": reference(version, resource, namespace, name) })
        }
    }
}

/// How to fix a bad timeout (shared with NodePool validation).
pub const TIMEOUT_FIX: &str = "use a non-negative duration such as 30s, 5m or 1h30m";

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
