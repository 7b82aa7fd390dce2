//! Step 1: read everything `desired::build` needs — the cluster's NodePools, its platform
//! credentials Secret, and the HostedControlPlane (for the endpoint it reports) — from the
//! watch-backed caches.

use crate::cache::{CacheError, Caches};
use platform_api::Platform;
use platform_api::api::{ApiEndpoint, HostedCluster, HostedControlPlane, NodePool};
use platform_api::platform::SecretData;
use std::sync::Arc;

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    NotSynced(#[from] CacheError),
}

impl ReadError {
    pub fn reason(&self) -> &'static str {
        match self {
            ReadError::NotSynced(e) => e.reason(),
        }
    }
}

/// The platform credentials Secret, as found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// The platform names no Secret.
    NotRequired,
    Found(SecretData),
    Missing {
        namespace: String,
        name: String,
    },
}

impl Credentials {
    pub fn data(&self) -> Option<&SecretData> {
        match self {
            Credentials::Found(d) => Some(d),
            _ => None,
        }
    }
}

/// Everything read for one reconcile.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Pools whose `spec.clusterName` is this cluster, sorted by name.
    pub node_pools: Vec<NodePool>,
    pub credentials: Credentials,
    pub control_plane: Option<HostedControlPlane>,
}

impl Inputs {
    /// The endpoint the control plane reports, once it has one.
    pub fn endpoint(&self) -> Option<&ApiEndpoint> {
        self.control_plane
            .as_ref()?
            .status
            .as_ref()?
            .control_plane_endpoint
            .as_ref()
            .filter(|e| e.is_set())
    }

    pub fn control_plane_ready(&self) -> Option<bool> {
        self.control_plane
            .as_ref()
            .map(|c| c.status.as_ref().is_some_and(|s| s.ready))
    }
}

pub fn namespace_of(hc: &HostedCluster) -> String {
    hc.metadata
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into())
}

/// The pools of `hc` among `pools`, sorted by name (pure; used by the mapper and by `read`).
pub fn pools_of(hc: &HostedCluster, pools: impl IntoIterator<Item = NodePool>) -> Vec<NodePool> {
    let name = hc.metadata.name.as_deref().unwrap_or_default();
    let mut out: Vec<NodePool> = pools
        .into_iter()
        .filter(|p| p.spec.cluster_name == name)
        .collect();
    out.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    out
}

/// The Secret the platform reads credentials from, as `(namespace, name)`.
pub fn credentials_ref(hc: &HostedCluster, platform: &dyn Platform) -> Option<(String, String)> {
    platform
        .credentials_secret_name(hc)
        .map(|n| (namespace_of(hc), n))
}

/// Reads the inputs from the caches (no API request once they have listed).
pub async fn read(
    caches: &Caches,
    hc: &HostedCluster,
    platform: &dyn Platform,
) -> Result<Inputs, ReadError> {
    caches.inputs_synced().await?;
    let ns = namespace_of(hc);
    let node_pools = caches
        .node_pools
        .store
        .state_filter(|np| np.metadata.namespace.as_deref() == Some(ns.as_str()))
        .into_iter()
        .map(Arc::unwrap_or_clone);
    let node_pools = pools_of(hc, node_pools);

    let credentials = match credentials_ref(hc, platform) {
        None => Credentials::NotRequired,
        Some((namespace, name)) => match caches.secrets.get(&namespace, &name) {
            Some(s) => Credentials::Found(SecretData::from_secret(&s)),
            None => Credentials::Missing { namespace, name },
        },
    };

    let cp_ns = hc.control_plane_namespace();
    let name = hc.metadata.name.clone().unwrap_or_default();
    let control_plane = caches
        .control_planes
        .get(&cp_ns, &name)
        .map(Arc::unwrap_or_clone);
    Ok(Inputs {
        node_pools,
        credentials,
        control_plane,
    })
}
