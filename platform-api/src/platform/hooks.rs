//! Values the rest of the control plane asks a platform for. HyperShift answers these with a
//! `switch` on the platform type in many places; here each is a trait method with a default.

use serde::{Deserialize, Serialize};

/// How the hosted cluster's default ingress controller is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IngressPublishingStrategy {
    LoadBalancer,
    NodePort,
    HostNetwork,
}

/// Storage for the hosted cluster's image registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageRegistryStorage {
    /// Let the image registry operator pick the platform's object storage.
    PlatformDefault,
    /// Ephemeral storage: fine for platforms with no object storage; images go when the pod does.
    EmptyDir,
    /// The registry is not deployed (Removed).
    Removed,
}

/// Settings for the konnectivity agent that runs on the hosted cluster's nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KonnectivityAgentSettings {
    /// Run the agent on the host network (needed where pod networking comes up after the agent).
    pub host_network: bool,
    /// Extra agent arguments.
    pub extra_args: Vec<String>,
}

impl Default for KonnectivityAgentSettings {
    fn default() -> Self {
        Self {
            host_network: true,
            extra_args: Vec::new(),
        }
    }
}

/// OpenShift release version, for hooks whose answer changed across releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpenShiftVersion {
    pub major: u32,
    pub minor: u32,
}

impl OpenShiftVersion {
    /// Parses the version out of a release image reference such as
    /// `quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64`. `None` if the tag says nothing.
    pub fn from_release_image(image: &str) -> Option<Self> {
        let tag = image
            .rsplit_once(':')
            .map(|(_, t)| t)
            .filter(|t| !t.contains('/'))?;
        let mut parts = tag.split(['.', '-']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Self { major, minor })
    }
}

/// The default kube-apiserver port of a hosted control plane.
pub const DEFAULT_KAS_PORT: i32 = 6443;
