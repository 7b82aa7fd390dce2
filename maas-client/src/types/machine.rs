//! Machines (including VMs composed on VM hosts).

use serde::{Deserialize, Serialize};

use super::nullable;
use super::{ResourcePool, Zone};

/// A machine as `machines/` and its operations (allocate, deploy, release)
/// return it. Only the fields a provisioning controller needs are typed;
/// MAAS sends many more (block devices, test results), which are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub system_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub hostname: String,
    #[serde(default, deserialize_with = "nullable")]
    pub fqdn: String,
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// MAAS's numeric node status (e.g. 4 Ready, 10 Allocated, 6 Deployed).
    #[serde(default)]
    pub status: Option<i64>,
    /// The same status as text, e.g. `Ready`, `Allocated`, `Deployed`.
    #[serde(default, deserialize_with = "nullable")]
    pub status_name: String,
    #[serde(default)]
    pub status_message: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub architecture: String,
    #[serde(default, deserialize_with = "nullable")]
    pub cpu_count: u32,
    /// MiB.
    #[serde(default, deserialize_with = "nullable")]
    pub memory: u64,
    /// Total disk in MB (MAAS reports it as a float).
    #[serde(default, deserialize_with = "nullable")]
    pub storage: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub osystem: String,
    #[serde(default, deserialize_with = "nullable")]
    pub distro_series: String,
    #[serde(default)]
    pub hwe_kernel: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub power_state: String,
    #[serde(default, deserialize_with = "nullable")]
    pub power_type: String,
    #[serde(default, deserialize_with = "nullable")]
    pub ip_addresses: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub tag_names: Vec<String>,
    #[serde(default)]
    pub zone: Option<Zone>,
    #[serde(default)]
    pub pool: Option<ResourcePool>,
    /// The VM host this machine is a VM on (MAAS still calls it `pod`).
    #[serde(default)]
    pub pod: Option<PodRef>,
    /// LXD/libvirt VM id on its host, when MAAS knows it (MAAS 3.x).
    #[serde(default)]
    pub virtualmachine_id: Option<u64>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub locked: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub interface_set: Vec<Interface>,
    #[serde(default)]
    pub boot_interface: Option<Interface>,
    /// Only in allocate answers: which constraint matched what.
    #[serde(default)]
    pub constraints_by_type: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
}

impl Machine {
    /// The id of the VM host this machine runs on, if it is a VM.
    pub fn vm_host_id(&self) -> Option<u64> {
        self.pod.as_ref().map(|p| p.id)
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tag_names.iter().any(|t| t == tag)
    }

    pub fn zone_name(&self) -> Option<&str> {
        self.zone.as_ref().map(|z| z.name.as_str())
    }

    pub fn pool_name(&self) -> Option<&str> {
        self.pool.as_ref().map(|p| p.name.as_str())
    }
}

/// The short VM host reference inside a machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodRef {
    pub id: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
}

/// A network interface of a machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    pub id: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default)]
    pub mac_address: Option<String>,
    /// `physical`, `bond`, `bridge`, `vlan` or `unknown`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub type_: String,
    #[serde(default, deserialize_with = "nullable")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub links: Vec<InterfaceLink>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
}

/// How an interface gets an address on a subnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceLink {
    pub id: u64,
    /// `auto`, `static`, `dhcp` or `link_up`.
    #[serde(default, deserialize_with = "nullable")]
    pub mode: String,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub subnet: Option<Subnet>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub id: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub cidr: String,
    #[serde(default)]
    pub gateway_ip: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub dns_servers: Vec<String>,
}
