//! What a [`ControlPlane`](super::ControlPlane) answers, and what it is given beyond the
//! platform's [`ClusterContext`](crate::platform::ClusterContext).

use crate::api::ApiEndpoint;
use crate::desired::DesiredObject;
use kube::api::ApiResource;
use std::collections::BTreeMap;
use std::fmt;

/// Where CAPI core and the platform's infrastructure provider run for clusters of a backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProviderScope {
    /// One instance per control-plane namespace, deployed by `desired::build` (HyperShift's
    /// model): the platform's provider builder emits a Deployment.
    PerNamespace,
    /// One instance for the whole management cluster, installed beforehand (e.g. by
    /// `clusterctl`): nothing per namespace is deployed.
    ClusterWide,
}

/// The object the CAPI Cluster's `spec.controlPlaneRef` points at, in the control-plane
/// namespace. `desired::capi::cluster` writes it in the shape of the CAPI version in use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlPlaneRef {
    /// Group, version and kind of the control-plane object.
    pub resource: ApiResource,
    /// Its name.
    pub name: String,
}

/// What a MachineDeployment's `spec.template.spec.bootstrap` holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// The name of a Secret (in the control-plane namespace) whose `value` key holds the
    /// machines' user data; written as `bootstrap.dataSecretName`.
    DataSecretName(String),
    /// A bootstrap config template (e.g. a KubeadmConfigTemplate) CAPI's bootstrap provider
    /// turns into user data per Machine; written as `bootstrap.configRef`.
    ConfigRef {
        /// Group, version and kind of the template.
        resource: ApiResource,
        /// Its name.
        name: String,
    },
}

/// The bootstrap of one NodePool: objects to create, and what the MachineDeployment uses.
#[derive(Clone, Debug)]
pub struct NodePoolBootstrap {
    /// Objects to apply before the MachineDeployment (Secrets, config templates). `build`
    /// puts them in the control-plane namespace, labels them with the NodePool and stamps
    /// the cluster's labels; a backend marks Secrets holding tokens `sensitive` itself.
    pub objects: Vec<DesiredObject>,
    /// What `spec.template.spec.bootstrap` of the MachineDeployment refers to; it must name
    /// an object of `objects` (or one the backend knows exists).
    pub bootstrap: Bootstrap,
}

/// A key of a Secret in the control-plane namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretKeyRef {
    /// The Secret's name.
    pub name: String,
    /// The key inside it.
    pub key: String,
}

/// What the operator needs from the live control-plane object ([`ControlPlane::observe`](super::ControlPlane::observe)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ControlPlaneStatus {
    /// The control plane serves requests.
    pub ready: bool,
    /// Where the hosted API server can be reached, once reported.
    pub endpoint: Option<ApiEndpoint>,
    /// The Secret (in the control-plane namespace) holding the admin kubeconfig, once
    /// reported. The operator reads it and passes its content back as
    /// [`ClusterInputs::control_plane_secrets`](crate::desired::ClusterInputs::control_plane_secrets);
    /// `build` then copies it to the HostedCluster's namespace.
    pub kubeconfig: Option<SecretKeyRef>,
    /// The backend's own words on why it is not ready, for the HostedCluster's conditions.
    pub message: Option<String>,
}

/// Bootstrap tokens by NodePool name. A token is random: the operator reads it back from the
/// Secret a backend built earlier, or generates one, so that `build` stays pure. Values never
/// appear in `Debug` output.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct BootstrapTokens(pub BTreeMap<String, String>);

impl BootstrapTokens {
    /// The token of a NodePool, if the caller has one.
    pub fn get(&self, node_pool: &str) -> Option<&str> {
        self.0.get(node_pool).map(String::as_str)
    }

    /// Adds (or replaces) the token of a NodePool.
    pub fn with(mut self, node_pool: impl Into<String>, token: impl Into<String>) -> Self {
        self.0.insert(node_pool.into(), token.into());
        self
    }
}

impl fmt::Debug for BootstrapTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BootstrapTokens")
            .field("node_pools", &self.0.keys().collect::<Vec<_>>())
            .finish()
    }
}
