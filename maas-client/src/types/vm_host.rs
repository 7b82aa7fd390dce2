//! VM hosts (LXD or virsh), formerly "pods".

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::nullable;
use super::{ResourcePool, Zone};

/// A VM host as `vm-hosts/` returns it.
///
/// Capacities are signed: MAAS computes `available = total - used`
/// without over-commit, which goes negative on an over-committed host.
/// [`VmHost::resources`] gives the over-commit-aware view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VmHost {
    pub id: u64,
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// `lxd` or `virsh`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub type_: String,
    /// LXD server version (LXD hosts on MAAS 3.x).
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub architectures: Vec<String>,
    /// E.g. `composable`, `over_commit`, `storage_pools`.
    #[serde(default, deserialize_with = "nullable")]
    pub capabilities: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub zone: Option<Zone>,
    #[serde(default)]
    pub pool: Option<ResourcePool>,
    /// The MAAS machine the host runs on, when MAAS deployed it.
    #[serde(default)]
    pub host: Option<HostRef>,
    #[serde(default, deserialize_with = "nullable")]
    pub total: VmHostCapacity,
    #[serde(default, deserialize_with = "nullable")]
    pub used: VmHostCapacity,
    #[serde(default, deserialize_with = "nullable")]
    pub available: VmHostCapacity,
    #[serde(default = "one", deserialize_with = "ratio")]
    pub cpu_over_commit_ratio: f64,
    #[serde(default = "one", deserialize_with = "ratio")]
    pub memory_over_commit_ratio: f64,
    #[serde(default, deserialize_with = "nullable")]
    pub storage_pools: Vec<VmHostStoragePool>,
    #[serde(default)]
    pub default_macvlan_mode: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
}

impl VmHost {
    pub fn zone_name(&self) -> Option<&str> {
        self.zone.as_ref().map(|z| z.name.as_str())
    }

    pub fn pool_name(&self) -> Option<&str> {
        self.pool.as_ref().map(|p| p.name.as_str())
    }

    pub fn has_capability(&self, capability: &str) -> bool {
        self.capabilities.iter().any(|c| c == capability)
    }

    /// The storage pool MAAS uses when a compose names none.
    pub fn default_storage_pool(&self) -> Option<&VmHostStoragePool> {
        self.storage_pools.iter().find(|p| p.default)
    }
}

fn one() -> f64 {
    1.0
}

/// Over-commit ratios; `null` or a non-positive value means 1.0 (MAAS's
/// own default), so capacity math never multiplies by zero.
fn ratio<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let value = Option::<f64>::deserialize(d)?;
    Ok(value.filter(|r| r.is_finite() && *r > 0.0).unwrap_or(1.0))
}

/// Cores, memory (MiB) and local storage (bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VmHostCapacity {
    #[serde(deserialize_with = "nullable")]
    pub cores: i64,
    #[serde(deserialize_with = "nullable")]
    pub memory: i64,
    #[serde(deserialize_with = "nullable")]
    pub local_storage: i64,
}

/// A storage pool on a VM host; sizes in bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmHostStoragePool {
    #[serde(default, deserialize_with = "nullable")]
    pub id: String,
    pub name: String,
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub type_: String,
    #[serde(default, deserialize_with = "nullable")]
    pub path: String,
    #[serde(default, deserialize_with = "nullable")]
    pub total: i64,
    #[serde(default, deserialize_with = "nullable")]
    pub used: i64,
    #[serde(default, deserialize_with = "nullable")]
    pub available: i64,
    #[serde(default, deserialize_with = "nullable")]
    pub default: bool,
}

/// The machine a VM host runs on (`{"system_id": …, "__incomplete__": true}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRef {
    #[serde(default)]
    pub system_id: Option<String>,
}

/// The answer to compose: the new machine's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposedMachine {
    pub system_id: String,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
}

/// `vm-hosts/{id}/?op=parameters`: the power parameters MAAS uses to reach
/// the host. They include passwords and private keys, so `Debug` shows the
/// names of such entries but not their values.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct VmHostParameters(BTreeMap<String, serde_json::Value>);

impl VmHostParameters {
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.0.get(name)
    }

    /// A parameter as text, if it is a string.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(serde_json::Value::as_str)
    }

    pub fn power_address(&self) -> Option<&str> {
        self.get_str("power_address")
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Whether `name` holds a credential and is hidden from `Debug`.
    pub fn is_secret(name: &str) -> bool {
        let n = name.to_ascii_lowercase();
        n.contains("pass")
            || n.contains("secret")
            || n.contains("token")
            || n == "key"
            || n.ends_with("_key")
            || n.contains("private")
    }

    /// All parameters, secrets included. Callers own what they do with it.
    pub fn into_inner(self) -> BTreeMap<String, serde_json::Value> {
        self.0
    }
}

impl fmt::Debug for VmHostParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in &self.0 {
            if Self::is_secret(name) {
                map.entry(name, &format_args!("<redacted>"));
            } else {
                map.entry(name, value);
            }
        }
        map.finish()
    }
}
