//! What the simulated MAAS contains at start: zones, pools, tags, images, users, machines and
//! VM hosts. Loaded from YAML or JSON; references between entries are by name.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::status::MachineStatus;

/// The inventory shipped with the simulator; `maas-simulator` with no flags serves it.
const DEFAULT_INVENTORY: &str = include_str!("../inventory/default.yaml");

/// The inventory matching the repository's examples (`--inventory demo`).
const DEMO_INVENTORY: &str = include_str!("../inventory/demo.yaml");

/// Everything the simulator starts with.
///
/// A zone named `default` and a resource pool named `default` always exist (MAAS cannot delete
/// them); they are added when the inventory does not list them. Unknown fields are rejected so
/// that a typo in a file fails loudly instead of being ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    /// DNS domain of every machine (`fqdn` = `hostname.domain`).
    #[serde(default = "default_domain")]
    pub domain: String,
    /// DNS domains besides `domain` (which is MAAS's default domain), e.g. the one a cluster's
    /// API server name is created in.
    #[serde(default)]
    pub domains: Vec<DomainSpec>,
    /// Series deployed when `deploy` gets no `distro_series` (MAAS config `default_distro_series`).
    #[serde(default = "default_series")]
    pub default_distro_series: String,
    #[serde(default)]
    pub zones: Vec<ZoneSpec>,
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
    #[serde(default)]
    pub tags: Vec<TagSpec>,
    #[serde(default)]
    pub boot_resources: Vec<BootResourceSpec>,
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub machines: Vec<MachineSpec>,
    #[serde(default)]
    pub vm_hosts: Vec<VmHostSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainSpec {
    pub name: String,
    /// Whether MAAS serves the zone (MAAS's default: true).
    #[serde(default = "yes")]
    pub authoritative: bool,
    /// Default TTL of the domain's records; MAAS's global default when absent.
    #[serde(default)]
    pub ttl: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagSpec {
    pub name: String,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub definition: String,
    #[serde(default)]
    pub kernel_opts: String,
}

/// A boot image. `Synced` images are named `os/series` (e.g. `ubuntu/noble`); `Uploaded`
/// (custom) images carry a bare name (e.g. `rhcos-4.19`) and deploy as `custom/<name>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootResourceSpec {
    #[serde(rename = "type", default = "default_image_type")]
    pub kind: BootResourceType,
    pub name: String,
    /// `arch/subarch`, e.g. `amd64/ga-24.04`.
    pub architecture: String,
    #[serde(default)]
    pub subarches: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub base_image: Option<String>,
    /// Size of the image's root file in bytes (shown in `boot-resources/{id}/` sets).
    #[serde(default = "default_image_size")]
    pub size: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BootResourceType {
    Synced,
    Uploaded,
    Generated,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub is_admin: bool,
    /// Enables `POST /MAAS/accounts/authenticate/` (python-libmaas `login`) for this user.
    #[serde(default)]
    pub password: Option<String>,
    /// API keys as MAAS prints them: `consumer_key:token_key:token_secret`.
    #[serde(default)]
    pub api_keys: Vec<String>,
}

/// A machine. Bare metal unless `vm_host` names a VM host, in which case it is a VM there and
/// its cores, memory and disks count as used on that host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineSpec {
    pub hostname: String,
    /// Six-character MAAS system id; generated when absent.
    #[serde(default)]
    pub system_id: Option<String>,
    #[serde(default = "default_status")]
    pub status: MachineStatus,
    pub cpu_count: u32,
    /// MiB.
    pub memory: u64,
    #[serde(default = "default_architecture")]
    pub architecture: String,
    /// Disk sizes in GB (10^9 bytes); the first one is the boot disk.
    #[serde(default = "default_disks")]
    pub disks_gb: Vec<u64>,
    #[serde(default = "default_name")]
    pub zone: String,
    #[serde(default = "default_name")]
    pub pool: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Username of the owner; required for allocated/deployed machines.
    #[serde(default)]
    pub owner: Option<String>,
    /// For deployed machines, e.g. `ubuntu` / `jammy`.
    #[serde(default)]
    pub osystem: Option<String>,
    #[serde(default)]
    pub distro_series: Option<String>,
    /// Defaults to `ipmi` for bare metal and to the VM host's type for VMs.
    #[serde(default)]
    pub power_type: Option<String>,
    #[serde(default)]
    pub vm_host: Option<String>,
    /// Storage pool of a VM's disks; the host's default pool when absent.
    #[serde(default)]
    pub storage_pool: Option<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub agent_name: String,
    #[serde(default)]
    pub hardware: Option<HardwareSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardwareSpec {
    pub vendor: String,
    pub product: String,
    pub cpu_model: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VmHostType {
    Lxd,
    Virsh,
}

impl VmHostType {
    pub fn as_str(self) -> &'static str {
        match self {
            VmHostType::Lxd => "lxd",
            VmHostType::Virsh => "virsh",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VmHostSpec {
    pub name: String,
    #[serde(rename = "type", default = "default_vm_host_type")]
    pub kind: VmHostType,
    pub power_address: String,
    /// LXD project (LXD hosts only); `default` when absent.
    #[serde(default)]
    pub project: Option<String>,
    #[serde(default = "default_name")]
    pub zone: String,
    #[serde(default = "default_name")]
    pub pool: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Physical cores of the host (`total.cores`).
    pub cores: u32,
    /// MiB (`total.memory`).
    pub memory: u64,
    #[serde(default = "one")]
    pub cpu_over_commit_ratio: f64,
    #[serde(default = "one")]
    pub memory_over_commit_ratio: f64,
    #[serde(default = "default_architectures")]
    pub architectures: Vec<String>,
    /// LXD or libvirt version reported by the host.
    #[serde(default)]
    pub version: Option<String>,
    /// Hostname or system id of the (deployed) machine this host runs on.
    #[serde(default)]
    pub host: Option<String>,
    pub storage_pools: Vec<StoragePoolSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoragePoolSpec {
    pub name: String,
    /// Driver, e.g. `dir`, `zfs`, `lvm`.
    #[serde(rename = "type", default = "default_pool_type")]
    pub kind: String,
    #[serde(default)]
    pub path: Option<String>,
    /// Capacity in GB (10^9 bytes).
    pub size_gb: u64,
    /// At most one pool is the host's default storage pool; the first pool otherwise.
    #[serde(default)]
    pub default: bool,
}

/// Why an inventory could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum InventoryError {
    #[error("cannot read inventory {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("inventory {path} is not valid {format}: {message}")]
    Parse {
        path: String,
        format: &'static str,
        message: String,
    },
    #[error("inventory is inconsistent: {0}")]
    Invalid(String),
}

impl Inventory {
    /// The realistic inventory shipped as `inventory/default.yaml`.
    pub fn default_inventory() -> Self {
        Self::from_yaml_str(DEFAULT_INVENTORY, "inventory/default.yaml")
            .expect("the bundled default inventory parses (covered by a unit test)")
    }

    /// The inventory shipped as `inventory/demo.yaml`: what `examples/` and the README's
    /// create example ask MAAS for (zone `zone1`, tags `production` and `compute`, images
    /// `ubuntu/focal` and `ubuntu/jammy`, DNS domain `custom.maas.local`).
    pub fn demo_inventory() -> Self {
        Self::from_yaml_str(DEMO_INVENTORY, "inventory/demo.yaml")
            .expect("the bundled demo inventory parses (covered by a unit test)")
    }

    /// Load from a `.json` file, or from YAML for any other extension.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, InventoryError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| InventoryError::Read {
            path: shown.clone(),
            source,
        })?;
        if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"))
        {
            Self::from_json_str(&text, &shown)
        } else {
            Self::from_yaml_str(&text, &shown)
        }
    }

    /// Parse YAML text; `origin` names the source in errors.
    pub fn from_yaml_str(text: &str, origin: &str) -> Result<Self, InventoryError> {
        serde_saphyr::from_str(text).map_err(|err| InventoryError::Parse {
            path: origin.to_string(),
            format: "YAML",
            message: err.to_string(),
        })
    }

    /// Parse JSON text; `origin` names the source in errors.
    pub fn from_json_str(text: &str, origin: &str) -> Result<Self, InventoryError> {
        serde_json::from_str(text).map_err(|err| InventoryError::Parse {
            path: origin.to_string(),
            format: "JSON",
            message: err.to_string(),
        })
    }
}

fn default_domain() -> String {
    "maas".to_string()
}
fn yes() -> bool {
    true
}

fn default_series() -> String {
    "noble".to_string()
}
fn default_image_type() -> BootResourceType {
    BootResourceType::Synced
}
fn default_image_size() -> u64 {
    1_400_000_000
}
fn default_status() -> MachineStatus {
    MachineStatus::Ready
}
fn default_architecture() -> String {
    "amd64/generic".to_string()
}
fn default_disks() -> Vec<u64> {
    vec![500]
}
fn default_name() -> String {
    "default".to_string()
}
fn default_vm_host_type() -> VmHostType {
    VmHostType::Lxd
}
fn one() -> f64 {
    1.0
}
fn default_architectures() -> Vec<String> {
    vec!["amd64/generic".to_string()]
}
fn default_pool_type() -> String {
    "dir".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_inventory_parses() {
        let inventory = Inventory::default_inventory();
        assert!(inventory.users.iter().any(|u| u.is_admin));
        assert!(inventory.users.iter().any(|u| !u.is_admin));
        assert_eq!(inventory.vm_hosts.len(), 2);
    }

    #[test]
    fn demo_inventory_parses_and_builds() {
        let inventory = Inventory::demo_inventory();
        assert!(inventory.zones.iter().any(|z| z.name == "zone1"));
        assert!(
            inventory
                .domains
                .iter()
                .any(|d| d.name == "custom.maas.local")
        );
        crate::state::build::build(&inventory, 1).expect("the demo inventory is consistent");
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let err = Inventory::from_yaml_str("users: []\nmachinez: []\n", "t.yaml").unwrap_err();
        assert!(err.to_string().contains("machinez"), "{err}");
    }

    #[test]
    fn json_and_yaml_agree() {
        let inventory = Inventory::default_inventory();
        let json = serde_json::to_string(&inventory).unwrap();
        assert_eq!(
            Inventory::from_json_str(&json, "t.json").unwrap(),
            inventory
        );
    }
}
