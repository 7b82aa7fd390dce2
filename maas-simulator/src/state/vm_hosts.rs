//! VM hosts (MAAS "pods"): capacity, what their VMs use, and the VM host JSON.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::SimState;
use crate::API;
use crate::inventory::VmHostType;

#[derive(Clone, Debug)]
pub(crate) struct StoragePool {
    /// LXD uses the pool name as its id; libvirt a UUID.
    pub pool_id: String,
    pub name: String,
    pub kind: String,
    pub path: String,
    /// Bytes.
    pub total: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct VmHost {
    pub id: u32,
    pub name: String,
    pub kind: VmHostType,
    pub power_address: String,
    pub project: Option<String>,
    pub password: Option<String>,
    pub certificate: Option<String>,
    pub key: Option<String>,
    pub power_pass: Option<String>,
    pub zone_id: u32,
    pub pool_id: u32,
    pub tags: Vec<String>,
    pub architectures: Vec<String>,
    pub version: String,
    pub cores: u32,
    /// MiB.
    pub memory: u64,
    pub cpu_speed: u32,
    pub cpu_over_commit_ratio: f64,
    pub memory_over_commit_ratio: f64,
    pub storage_pools: Vec<StoragePool>,
    /// Name of the default storage pool, if any.
    pub default_storage_pool: Option<String>,
    pub default_macvlan_mode: Option<String>,
    pub host_system_id: Option<String>,
}

/// Cores, memory (MiB) and local storage (bytes), as in `total`/`used`/`available`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub cores: u64,
    pub memory: u64,
    pub local_storage: u64,
}

/// What the VMs of one host use, overall and per storage pool (by pool name).
#[derive(Clone, Debug, Default)]
pub(crate) struct Usage {
    pub total: Resources,
    pub per_pool: BTreeMap<String, u64>,
}

impl VmHost {
    pub fn capabilities(&self) -> Vec<&'static str> {
        vec![
            "composable",
            "dynamic_local_storage",
            "over_commit",
            "storage_pools",
        ]
    }

    pub fn total(&self) -> Resources {
        Resources {
            cores: u64::from(self.cores),
            memory: self.memory,
            local_storage: self.storage_pools.iter().map(|p| p.total).sum(),
        }
    }

    pub fn pool_by_name(&self, name: &str) -> Option<&StoragePool> {
        self.storage_pools.iter().find(|p| p.name == name)
    }

    /// Power parameters as `?op=parameters` returns them.
    pub fn parameters_json(&self) -> Value {
        let mut params = serde_json::Map::new();
        params.insert("power_address".into(), json!(self.power_address));
        match self.kind {
            VmHostType::Lxd => {
                params.insert(
                    "project".into(),
                    json!(self.project.as_deref().unwrap_or("default")),
                );
                for (key, value) in [
                    ("password", &self.password),
                    ("certificate", &self.certificate),
                    ("key", &self.key),
                ] {
                    if let Some(value) = value {
                        params.insert(key.into(), json!(value));
                    }
                }
            }
            VmHostType::Virsh => {
                if let Some(pass) = &self.power_pass {
                    params.insert("power_pass".into(), json!(pass));
                }
            }
        }
        Value::Object(params)
    }
}

fn resources_json(r: Resources) -> Value {
    json!({"cores": r.cores, "memory": r.memory, "local_storage": r.local_storage})
}

impl SimState {
    /// Resources used by the machines composed on (or registered as VMs of) host `id`.
    pub fn vm_host_usage(&self, id: u32) -> Usage {
        let mut usage = Usage::default();
        for m in self.machines.iter().filter(|m| m.vm_host_id == Some(id)) {
            usage.total.cores += u64::from(m.cpu_count);
            usage.total.memory += m.memory;
            for disk in &m.disks {
                usage.total.local_storage += disk.size;
                if let Some(pool) = &disk.storage_pool {
                    *usage.per_pool.entry(pool.clone()).or_default() += disk.size;
                }
            }
        }
        usage
    }

    /// The VM host JSON. `base` is `vm-hosts` or `pods`: MAAS builds `resource_uri` from the
    /// endpoint that served the object.
    pub fn vm_host_json(&self, host: &VmHost, base: &str) -> Value {
        let total = host.total();
        let usage = self.vm_host_usage(host.id);
        let used = usage.total;
        // MAAS computes `available` as total - used without over-commit, so it can go negative.
        let available = json!({
            "cores": total.cores as i64 - used.cores as i64,
            "memory": total.memory as i64 - used.memory as i64,
            "local_storage": total.local_storage as i64 - used.local_storage as i64,
        });
        let pools: Vec<Value> = host
            .storage_pools
            .iter()
            .map(|p| {
                let used = usage.per_pool.get(&p.name).copied().unwrap_or(0);
                json!({
                    "id": p.pool_id,
                    "name": p.name,
                    "type": p.kind,
                    "path": p.path,
                    "total": p.total,
                    "used": used,
                    "available": p.total as i64 - used as i64,
                    "default": host.default_storage_pool.as_deref() == Some(p.name.as_str()),
                })
            })
            .collect();
        json!({
            "id": host.id,
            "name": host.name,
            "tags": host.tags,
            "type": host.kind.as_str(),
            "architectures": host.architectures,
            "capabilities": host.capabilities(),
            "total": resources_json(total),
            "used": resources_json(used),
            "available": available,
            "zone": self.zone(host.zone_id).map(|z| z.json()),
            "cpu_over_commit_ratio": host.cpu_over_commit_ratio,
            "memory_over_commit_ratio": host.memory_over_commit_ratio,
            "storage_pools": pools,
            "pool": self.pool(host.pool_id).map(|p| p.json()),
            "host": {"system_id": host.host_system_id, "__incomplete__": true},
            "default_macvlan_mode": host.default_macvlan_mode,
            "version": host.version,
            "resource_uri": format!("{API}{base}/{}/", host.id),
        })
    }
}
