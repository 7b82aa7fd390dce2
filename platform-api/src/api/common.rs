//! Small reference and value types shared by HostedCluster and NodePool.
//! Field names follow HyperShift v1beta1 so manifests written for HyperShift read the same.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A reference to an object (usually a Secret) in the same namespace as the referrer.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct LocalObjectReference {
    /// Name of the object in the referrer's namespace.
    #[schemars(description = "")]
    #[serde(default)]
    pub name: String,
}

impl LocalObjectReference {
    /// A reference to `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }
}

/// The OpenShift release payload a cluster or node pool runs.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct Release {
    /// The release image, e.g. `quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64`.
    #[schemars(description = "")]
    #[schemars(length(min = 1, max = 253))]
    pub image: String,
}

/// Where the hosted control plane's API server can be reached. Reported by the control plane
/// and fed into the platform's infrastructure object.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct ApiEndpoint {
    /// Hostname or IP address.
    #[schemars(description = "")]
    #[schemars(length(max = 255))]
    pub host: String,
    /// TCP port.
    #[schemars(description = "")]
    pub port: i32,
}

impl ApiEndpoint {
    /// Whether both host and port are known: the control plane reports them once it is up,
    /// and until then the endpoint is left out of the objects that carry it.
    pub fn is_set(&self) -> bool {
        !self.host.is_empty() && self.port > 0
    }
}
