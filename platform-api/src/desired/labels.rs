//! Labels and annotations put on everything we build, so objects can be found, pruned and
//! traced back to their HostedCluster (owner references cannot cross namespaces).

use crate::api::{CLUSTER_LABEL, HostedCluster};
use std::collections::BTreeMap;

/// The `app.kubernetes.io/managed-by` value on everything we build (the operator selects its
/// objects by it), and the CLI's server-side-apply field manager. The operator applies under
/// its own field manager, `hosted-cluster-operator` (`operator/src/names.rs`).
pub const MANAGER: &str = "hosted-cluster";
/// The standard label naming the tool that manages an object; its value is [`MANAGER`].
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// `<namespace>/<name>` of the owning HostedCluster.
pub const CLUSTER_ANNOTATION: &str = "hypershift.openshift.io/cluster";
/// Lower-cased platform type.
pub const PLATFORM_LABEL: &str = "platform";
/// Set on the control-plane namespace.
pub const CONTROL_PLANE_NAMESPACE_LABEL: &str = "hypershift.openshift.io/hosted-control-plane";
/// Name of the NodePool an object belongs to.
pub const NODE_POOL_LABEL: &str = "hypershift.openshift.io/nodePool";
/// When present on a HostedCluster, no CAPI provider is deployed for it.
pub const DISABLE_MACHINE_MANAGEMENT_ANNOTATION: &str =
    "hypershift.openshift.io/disable-machine-management";

/// Picks the HostedCluster's control-plane backend by its registered name (see
/// [`ControlPlaneRegistry::for_cluster`](crate::control_plane::ControlPlaneRegistry::for_cluster)).
pub const CONTROL_PLANE_ANNOTATION: &str = "hosted-cluster.io/control-plane";
/// The Kubernetes version of a hosted cluster, for backends that run plain Kubernetes
/// (set by `create cluster --kubernetes-version`).
pub const KUBERNETES_VERSION_ANNOTATION: &str = "hosted-cluster.io/kubernetes-version";

/// Labels every object of a cluster carries.
pub fn cluster_labels(hc: &HostedCluster) -> BTreeMap<String, String> {
    BTreeMap::from([
        (
            CLUSTER_LABEL.to_string(),
            hc.metadata.name.clone().unwrap_or_default(),
        ),
        (MANAGED_BY_LABEL.to_string(), MANAGER.to_string()),
        (PLATFORM_LABEL.to_string(), hc.spec.platform.field()),
    ])
}

/// Annotations every object of a cluster carries.
pub fn cluster_annotations(hc: &HostedCluster) -> BTreeMap<String, String> {
    let ns = hc.metadata.namespace.clone().unwrap_or_default();
    let name = hc.metadata.name.clone().unwrap_or_default();
    BTreeMap::from([(CLUSTER_ANNOTATION.to_string(), format!("{ns}/{name}"))])
}

/// Label selector string matching everything built for `hc` (for pruning and teardown).
pub fn cluster_selector(hc: &HostedCluster) -> String {
    format!(
        "{CLUSTER_LABEL}={},{MANAGED_BY_LABEL}={MANAGER}",
        hc.metadata.name.as_deref().unwrap_or_default()
    )
}
