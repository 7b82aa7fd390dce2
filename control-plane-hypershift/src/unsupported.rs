//! Fields HyperShift has that this backend does not carry out yet: refused with a message
//! saying so, rather than accepted and silently dropped (other backends may implement them).

use platform_api::api::{HostedCluster, NodePool};
use platform_api::platform::{FieldError, FieldErrors};

const WHY: &str = "is not supported yet by the hypershift control plane";

/// The HostedCluster's: `nodeSelector` and `tolerations` (placement of the control plane).
pub fn hosted_cluster(hc: &HostedCluster, errors: &mut FieldErrors) {
    if !hc.spec.node_selector.is_empty() {
        errors.push(FieldError::new("spec.nodeSelector", WHY, "remove it"));
    }
    if !hc.spec.tolerations.is_empty() {
        errors.push(FieldError::new("spec.tolerations", WHY, "remove it"));
    }
}

/// The NodePool's: `nodeLabels` and `taints` (they would reach no node).
pub fn node_pool(np: &NodePool) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if !np.spec.node_labels.is_empty() {
        errors.push(FieldError::new("spec.nodeLabels", WHY, "remove it"));
    }
    if !np.spec.taints.is_empty() {
        errors.push(FieldError::new("spec.taints", WHY, "remove it"));
    }
    errors.into_result()
}
