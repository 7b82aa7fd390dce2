//! Cluster networking, following HyperShift's `ClusterNetworking`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterNetworking {
    #[serde(default = "default_cluster_network")]
    #[schemars(length(max = 2))]
    pub cluster_network: Vec<ClusterNetworkEntry>,
    #[serde(default = "default_service_network")]
    #[schemars(length(max = 2))]
    pub service_network: Vec<ServiceNetworkEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 2))]
    pub machine_network: Vec<MachineNetworkEntry>,
    #[serde(default = "default_network_type")]
    pub network_type: NetworkType,
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

/// HyperShift's defaults; a cluster created without `networking` gets exactly these.
pub const DEFAULT_CLUSTER_CIDR: &str = "10.132.0.0/14";
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

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterNetworkEntry {
    #[schemars(length(max = 43))]
    pub cidr: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_prefix: Option<i32>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct ServiceNetworkEntry {
    #[schemars(length(max = 43))]
    pub cidr: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct MachineNetworkEntry {
    #[schemars(length(max = 43))]
    pub cidr: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[allow(clippy::upper_case_acronyms)]
pub enum NetworkType {
    OpenShiftSDN,
    Calico,
    OVNKubernetes,
    Other,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiServerNetworking {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub advertise_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    #[serde(
        default,
        rename = "allowedCIDRBlocks",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[schemars(length(max = 500))]
    pub allowed_cidr_blocks: Vec<String>,
}
