//! What the operator reads back from the live KamajiControlPlane.

use crate::control_plane::CLUSTER_NAME_LABEL;
use kube::api::DynamicObject;

/// The key of CAPI's `<cluster>-kubeconfig` Secret that holds the admin kubeconfig.
pub const KUBECONFIG_KEY: &str = "value";

/// The name of the Secret CAPI's control-plane contract puts the admin kubeconfig in.
pub fn kubeconfig_secret_name(cluster: &str) -> String {
    format!("{cluster}-kubeconfig")
}

/// The state of a live KamajiControlPlane.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// `status.ready`: Kamaji reports the control plane can serve.
    pub ready: bool,
    /// `status.initialization.controlPlaneInitialized`.
    pub initialized: bool,
    /// `spec.controlPlaneEndpoint`, which Kamaji fills in once the Service has an address.
    pub endpoint: Option<(String, i32)>,
    /// `<cluster>-kubeconfig` and its key, once the control plane is initialized (CAPI's
    /// contract: the provider writes it by then).
    pub kubeconfig: Option<(String, String)>,
}

/// Reads `live` (as the server returned it).
pub fn observe(live: &DynamicObject) -> Observed {
    let data = &live.data;
    let ready = data["status"]["ready"].as_bool().unwrap_or(false);
    let initialized = data["status"]["initialization"]["controlPlaneInitialized"]
        .as_bool()
        .unwrap_or(false);
    let endpoint = &data["spec"]["controlPlaneEndpoint"];
    let endpoint = endpoint["host"]
        .as_str()
        .filter(|h| !h.is_empty())
        .map(|h| {
            let port = endpoint["port"]
                .as_i64()
                .and_then(|p| i32::try_from(p).ok());
            (h.to_string(), port.filter(|p| *p > 0).unwrap_or(6443))
        });
    // The Cluster's name: our label, else the owning CAPI Cluster.
    let cluster = live
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(CLUSTER_NAME_LABEL).cloned())
        .or_else(|| {
            live.metadata
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.kind == "Cluster" && o.api_version.starts_with("cluster.x-k8s.io/"))
                .map(|o| o.name.clone())
        });
    let kubeconfig = cluster
        .filter(|_| initialized || ready)
        .map(|c| (kubeconfig_secret_name(&c), KUBECONFIG_KEY.to_string()));
    Observed {
        ready,
        initialized,
        endpoint,
        kubeconfig,
    }
}
