//! Answers a control-plane backend asks a platform for. HyperShift settles these with a
//! `switch` on the platform type in many places; here each is a [`Platform`](crate::Platform)
//! method with a default, and these are the types of the answers. `desired::build` does not use
//! them: the backend does, in the control-plane object it builds (the `hypershift` backend
//! writes them into the HostedControlPlane fields HyperShift's control-plane operator reads).

use serde::{Deserialize, Serialize};

/// How the hosted cluster's default ingress controller is published.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IngressPublishingStrategy {
    /// A LoadBalancer Service: the platform gives the hosted cluster load balancers.
    LoadBalancer,
    /// NodePorts on the workers, for an external load balancer the user provides.
    NodePort,
    /// The router binds ports 80/443 on the workers' host network.
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

/// OpenShift release version, for hooks whose answer changed across releases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OpenShiftVersion {
    /// `4` in 4.19.
    pub major: u32,
    /// `19` in 4.19.
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
