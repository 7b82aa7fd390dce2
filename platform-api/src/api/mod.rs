//! The API types: HostedCluster, NodePool and HostedControlPlane, following HyperShift v1beta1.

pub mod common;
pub mod etcd;
pub mod hosted_cluster;
pub mod hosted_control_plane;
pub mod networking;
pub mod node_pool;
pub mod platform_spec;
pub mod services;

pub use common::{ApiEndpoint, LocalObjectReference, Release};
pub use hosted_cluster::{HostedCluster, HostedClusterSpec, HostedClusterStatus};
pub use hosted_control_plane::{
    HostedControlPlane, HostedControlPlaneSpec, HostedControlPlaneStatus, KubeconfigSecretRef,
};
pub use node_pool::{NodePool, NodePoolSpec, NodePoolStatus};
pub use platform_spec::{PlatformSpec, PlatformSpecError, PlatformSpecType, platform_field};

/// Label put on objects that belong to one hosted cluster (value: the cluster's name).
pub const CLUSTER_LABEL: &str = "hypershift.openshift.io/cluster";
