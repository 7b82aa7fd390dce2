//! The MAAS sections of HostedCluster and NodePool (`spec.platform.maas`).

use platform_api::api::{LocalObjectReference, PlatformSpecType};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Value of `spec.platform.type`.
pub const PLATFORM_TYPE: &str = "MAAS";

/// Cluster-wide MAAS settings.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaasPlatformSpec {
    /// The Secret (same namespace as the HostedCluster) with the MAAS endpoint and API key:
    /// keys `MAAS_ENDPOINT` and `MAAS_API_KEY` (legacy: `endpoint`, `api-key`, `zone`).
    pub identity_ref: LocalObjectReference,
    /// DNS domain of the cluster's machines in MAAS. Default `maas.local`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255))]
    pub dns_domain: Option<String>,
    /// Default MAAS zone for the cluster's machines; node pools may override it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255))]
    pub zone: Option<String>,
}

impl PlatformSpecType for MaasPlatformSpec {
    const PLATFORM_TYPE: &'static str = PLATFORM_TYPE;
}

/// MAAS settings of one NodePool: what kind of machine to allocate and which image to deploy.
// For MAAS the failure domain is the zone: a pool naming two different ones contradicts itself,
// refused at admission (the platform's validation says the same to render and the operator).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "rule": "!has(self.zone) || !has(self.failureDomain) || self.zone == self.failureDomain",
    "message": "failureDomain and zone differ; for MAAS the failure domain is the zone: set one of them, or make them equal"
}]))]
pub struct MaasNodePoolPlatform {
    /// If set, must name the same Secret as the HostedCluster's identityRef: machines are always
    /// allocated with the cluster's credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_ref: Option<LocalObjectReference>,
    /// A MAAS tag naming the machine type (e.g. `compute`, `gpu`); added to the tag constraints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub machine_type: Option<String>,
    /// MAAS zone for the pool's machines. Defaults to the cluster's zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub zone: Option<String>,
    /// MAAS tags every machine must carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 10))]
    pub tags: Vec<String>,
    /// MAAS resource pool to allocate from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub resource_pool: Option<String>,
    /// Minimum CPU cores. Default 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub min_cpu: Option<i32>,
    /// Minimum memory in MiB. Default 8192.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1024))]
    pub min_memory: Option<i32>,
    /// Minimum root disk in GB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub min_disk_size: Option<i32>,
    /// MAAS image to deploy (e.g. `ubuntu/jammy` or a custom image); required when replicas > 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub image: Option<String>,
    /// CAPI failure domain; for MAAS this is a zone. Must agree with `zone` when both are set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub failure_domain: Option<String>,
    /// Compose LXD VMs on MAAS VM hosts instead of allocating bare metal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lxd: Option<MaasLxdMachine>,
}

impl PlatformSpecType for MaasNodePoolPlatform {
    const PLATFORM_TYPE: &'static str = PLATFORM_TYPE;
}

/// LXD VM settings, passed to CAPMAAS's `spec.lxd` (`enabled`, `vmConfig`).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MaasLxdMachine {
    /// Compose LXD VMs (true) or allocate bare metal (false, CAPMAAS's default).
    #[serde(default)]
    pub enabled: bool,
    /// Start the VM with its host (CAPMAAS's default: true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_start: Option<bool>,
    /// Root disk size in GB (CAPMAAS's default: 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub disk_size: Option<i32>,
    /// VM host storage pool for the root disk (an LXD name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub storage_pool: Option<String>,
    /// Network (bridge) the VM attaches to (an LXD network name, at most 15 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 15))]
    pub network: Option<String>,
}

pub const DEFAULT_MIN_CPU: i32 = 2;
pub const DEFAULT_MIN_MEMORY_MIB: i32 = 8192;
pub const DEFAULT_DNS_DOMAIN: &str = "maas.local";
pub const MAX_TAGS: usize = 10;
