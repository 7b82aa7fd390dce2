//! Cluster networking, following HyperShift's `ClusterNetworking`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The hosted cluster's networks. Missing lists take HyperShift's defaults.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct ClusterNetworking {
    /// Pod networks (at most one per IP family).
    #[schemars(description = "")]
    #[serde(default = "default_cluster_network")]
    #[schemars(length(max = 2))]
    pub cluster_network: Vec<ClusterNetworkEntry>,
    /// Service networks (at most one per IP family).
    #[schemars(description = "")]
    #[serde(default = "default_service_network")]
    #[schemars(length(max = 2))]
    pub service_network: Vec<ServiceNetworkEntry>,
    /// The networks the machines are on.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 2))]
    pub machine_network: Vec<MachineNetworkEntry>,
    /// The CNI plugin; OVN-Kubernetes by default.
    #[schemars(description = "")]
    #[serde(default = "default_network_type")]
    pub network_type: NetworkType,
    /// API server address and port overrides.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_server: Option<ApiServerNetworking>,
}

impl Default for ClusterNetworking {
    fn default() -> Self {
        Self {
            cluster_network: default_cluster_network(),
            service_network: default_service_network(),
            machine_network: Vec::new(),
            network_type: default_network_type(),
            api_server: None,
        }
    }
}

/// HyperShift's default pod network; a cluster created without `networking` gets it.
pub const DEFAULT_CLUSTER_CIDR: &str = "10.132.0.0/14";
/// HyperShift's default service network.
pub const DEFAULT_SERVICE_CIDR: &str = "172.31.0.0/16";

fn default_cluster_network() -> Vec<ClusterNetworkEntry> {
    vec![ClusterNetworkEntry {
        cidr: DEFAULT_CLUSTER_CIDR.into(),
        host_prefix: None,
    }]
}
fn default_service_network() -> Vec<ServiceNetworkEntry> {
    vec![ServiceNetworkEntry {
        cidr: DEFAULT_SERVICE_CIDR.into(),
    }]
}
fn default_network_type() -> NetworkType {
    NetworkType::OVNKubernetes
}

/// A block pod IPs are taken from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct ClusterNetworkEntry {
    /// The block, e.g. `10.132.0.0/14`.
    #[schemars(description = "")]
    #[schemars(length(max = 43))]
    pub cidr: String,
    /// The prefix length of each node's share of the block.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_prefix: Option<i32>,
}

/// A block service IPs are taken from.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct ServiceNetworkEntry {
    /// The block, e.g. `172.31.0.0/16`.
    #[schemars(description = "")]
    #[schemars(length(max = 43))]
    pub cidr: String,
}

/// A block the machines' own addresses are in.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct MachineNetworkEntry {
    /// The block, e.g. `192.168.1.0/24`.
    #[schemars(description = "")]
    #[schemars(length(max = 43))]
    pub cidr: String,
}

/// The cluster network (CNI) plugin.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[allow(clippy::upper_case_acronyms)]
#[schemars(description = "")]
pub enum NetworkType {
    /// The legacy OpenShift SDN.
    OpenShiftSDN,
    /// Calico.
    Calico,
    /// OVN-Kubernetes, OpenShift's default.
    OVNKubernetes,
    /// A plugin the user installs.
    Other,
}

/// How the hosted API server is reached from the nodes.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct ApiServerNetworking {
    /// The address the API server advertises to the nodes.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub advertise_address: Option<String>,
    /// The port the API server listens on.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    #[serde(
        default,
        rename = "allowedCIDRBlocks",
        skip_serializing_if = "Vec::is_empty"
    )]
    /// Source blocks allowed to reach the API server; all when empty.
    #[schemars(description = "")]
    #[schemars(length(max = 500))]
    pub allowed_cidr_blocks: Vec<String>,
}
