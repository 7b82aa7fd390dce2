//! Step 1 (I/O): read everything `desired::build` needs — the cluster's NodePools, its
//! platform credentials Secret, and the HostedControlPlane (for the endpoint it reports).

use kube::api::{Api, ListParams};
use platform_api::Platform;
use platform_api::api::{ApiEndpoint, HostedCluster, HostedControlPlane, NodePool};
use platform_api::platform::SecretData;

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "listing NodePools in {namespace} failed: {source}; check the operator may list nodepools there"
    )]
    NodePoolsUnreadable {
        namespace: String,
        source: kube::Error,
    },
    #[error(
        "reading the credentials Secret {namespace}/{name} failed: {source}; check the operator may get secrets there"
    )]
    CredentialsUnreadable {
        namespace: String,
        name: String,
        source: kube::Error,
    },
    #[error(
        "reading HostedControlPlane {namespace}/{name} failed: {source}; check the operator may get hostedcontrolplanes"
    )]
    ControlPlaneUnreadable {
        namespace: String,
        name: String,
        source: kube::Error,
    },
}

impl ReadError {
    pub fn reason(&self) -> &'static str {
        match self {
            ReadError::NodePoolsUnreadable { .. } => "NodePoolsUnreadable",
            ReadError::CredentialsUnreadable { .. } => "CredentialsUnreadable",
            ReadError::ControlPlaneUnreadable { .. } => "ControlPlaneUnreadable",
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

pub async fn read(
    client: &kube::Client,
    hc: &HostedCluster,
    platform: &dyn Platform,
) -> Result<Inputs, ReadError> {
    let ns = namespace_of(hc);
    let pools: Api<NodePool> = Api::namespaced(client.clone(), &ns);
    let node_pools = pools
        .list(&ListParams::default())
        .await
        .map_err(|source| ReadError::NodePoolsUnreadable {
            namespace: ns.clone(),
            source,
        })?
        .items;
    let node_pools = pools_of(hc, node_pools);

    let credentials = match credentials_ref(hc, platform) {
        None => Credentials::NotRequired,
        Some((namespace, name)) => {
            let secrets: Api<k8s_openapi::api::core::v1::Secret> =
                Api::namespaced(client.clone(), &namespace);
            match secrets.get_opt(&name).await {
                Ok(Some(s)) => Credentials::Found(SecretData::from_secret(&s)),
                Ok(None) => Credentials::Missing { namespace, name },
                Err(source) => {
                    return Err(ReadError::CredentialsUnreadable {
                        namespace,
                        name,
                        source,
                    });
                }
            }
        }
    };

    let cp_ns = hc.control_plane_namespace();
    let name = hc.metadata.name.clone().unwrap_or_default();
    let hcps: Api<HostedControlPlane> = Api::namespaced(client.clone(), &cp_ns);
    let control_plane = match hcps.get_opt(&name).await {
        Ok(c) => c,
        // The namespace or the CRD may not exist yet on the first reconcile.
        Err(kube::Error::Api(s)) if s.code == 404 => None,
        Err(source) => {
            return Err(ReadError::ControlPlaneUnreadable {
                namespace: cp_ns,
                name,
                source,
            });
        }
    };
    Ok(Inputs {
        node_pools,
        credentials,
        control_plane,
    })
}
