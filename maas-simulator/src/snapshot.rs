//! Read-only views of the simulator's state, for tests that check what a client changed.

use std::collections::BTreeMap;

use crate::inventory::VmHostType;
use crate::state::SimState;
use crate::state::machines::Machine;
pub use crate::state::vm_hosts::Resources;
use crate::status::MachineStatus;

/// A machine as the simulator holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct MachineSnapshot {
    pub system_id: String,
    pub hostname: String,
    pub status: MachineStatus,
    pub owner: Option<String>,
    pub agent_name: String,
    pub zone: String,
    pub pool: String,
    pub cpu_count: u32,
    /// MiB.
    pub memory: u64,
    /// Bytes over all disks.
    pub storage: u64,
    pub tags: Vec<String>,
    pub osystem: String,
    pub distro_series: String,
    pub hwe_kernel: Option<String>,
    /// User data given to `deploy`, base64-decoded.
    pub user_data: Option<Vec<u8>>,
    pub power_on: bool,
    pub owner_data: BTreeMap<String, String>,
    /// VM host the machine is a VM on.
    pub vm_host_id: Option<u32>,
    /// Composed by `allocate`; released means decomposed.
    pub dynamic: bool,
}

/// One storage pool of a VM host: bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct StoragePoolSnapshot {
    pub name: String,
    pub total: u64,
    pub used: u64,
    pub default: bool,
}

/// A VM host with its accounting, as `GET vm-hosts/{id}/` reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct VmHostSnapshot {
    pub id: u32,
    pub name: String,
    pub kind: VmHostType,
    pub zone: String,
    pub pool: String,
    pub tags: Vec<String>,
    pub total: Resources,
    pub used: Resources,
    pub cpu_over_commit_ratio: f64,
    pub memory_over_commit_ratio: f64,
    pub storage_pools: Vec<StoragePoolSnapshot>,
    /// System ids of the machines that are VMs on this host.
    pub machines: Vec<String>,
}

impl VmHostSnapshot {
    /// `total - used` per resource, saturating at zero.
    pub fn available(&self) -> Resources {
        Resources {
            cores: self.total.cores.saturating_sub(self.used.cores),
            memory: self.total.memory.saturating_sub(self.used.memory),
            local_storage: self
                .total
                .local_storage
                .saturating_sub(self.used.local_storage),
        }
    }
}

impl SimState {
    pub(crate) fn machine_snapshot(&self, m: &Machine) -> MachineSnapshot {
        MachineSnapshot {
            system_id: m.system_id.clone(),
            hostname: m.hostname.clone(),
            status: m.status,
            owner: m.owner.clone(),
            agent_name: m.agent_name.clone(),
            zone: self
                .zone(m.zone_id)
                .map(|z| z.name.clone())
                .unwrap_or_default(),
            pool: self
                .pool(m.pool_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            cpu_count: m.cpu_count,
            memory: m.memory,
            storage: m.storage_bytes(),
            tags: m.tags.clone(),
            osystem: m.osystem.clone(),
            distro_series: m.distro_series.clone(),
            hwe_kernel: m.hwe_kernel.clone(),
            user_data: m.user_data.clone(),
            power_on: m.power_on,
            owner_data: m.owner_data.clone(),
            vm_host_id: m.vm_host_id,
            dynamic: m.dynamic,
        }
    }

    pub(crate) fn vm_host_snapshot(&self, id: u32) -> Option<VmHostSnapshot> {
        let host = self.vm_host(id)?;
        let usage = self.vm_host_usage(id);
        Some(VmHostSnapshot {
            id,
            name: host.name.clone(),
            kind: host.kind,
            zone: self
                .zone(host.zone_id)
                .map(|z| z.name.clone())
                .unwrap_or_default(),
            pool: self
                .pool(host.pool_id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            tags: host.tags.clone(),
            total: host.total(),
            used: usage.total,
            cpu_over_commit_ratio: host.cpu_over_commit_ratio,
            memory_over_commit_ratio: host.memory_over_commit_ratio,
            storage_pools: host
                .storage_pools
                .iter()
                .map(|p| StoragePoolSnapshot {
                    name: p.name.clone(),
                    total: p.total,
                    used: usage.per_pool.get(&p.name).copied().unwrap_or(0),
                    default: host.default_storage_pool.as_deref() == Some(p.name.as_str()),
                })
                .collect(),
            machines: self
                .machines
                .iter()
                .filter(|m| m.vm_host_id == Some(id))
                .map(|m| m.system_id.clone())
                .collect(),
        })
    }
}
