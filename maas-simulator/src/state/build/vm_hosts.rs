//! VM hosts from the inventory, and the check that their VMs fit the over-commit limits.

use std::collections::BTreeMap;

use super::{GB, check_unique, invalid, pool_id, zone_id};
use crate::inventory::{InventoryError, VmHostSpec, VmHostType};
use crate::state::vm_hosts::{StoragePool, VmHost};
use crate::state::{CONSOLE_LOGGING_KERNEL_OPTS, CONSOLE_LOGGING_TAG, SimState};

pub(super) fn add_vm_host(state: &mut SimState, spec: &VmHostSpec) -> Result<(), InventoryError> {
    let who = format!("VM host {:?}", spec.name);
    let zone_id = zone_id(state, &spec.zone, &who)?;
    let pool_id = pool_id(state, &spec.pool, &who)?;
    if spec.storage_pools.is_empty() {
        return Err(invalid(format!("{who} needs at least one storage pool")));
    }
    check_unique(
        "storage pool",
        spec.storage_pools.iter().map(|p| p.name.as_str()),
    )?;
    if spec.storage_pools.iter().filter(|p| p.default).count() > 1 {
        return Err(invalid(format!(
            "{who} has more than one default storage pool"
        )));
    }
    for (name, ratio) in [
        ("cpu_over_commit_ratio", spec.cpu_over_commit_ratio),
        ("memory_over_commit_ratio", spec.memory_over_commit_ratio),
    ] {
        if !(0.0..=10.0).contains(&ratio) {
            return Err(invalid(format!("{who} has {name} {ratio} outside 0..=10")));
        }
    }
    let host_system_id = match &spec.host {
        None => None,
        Some(host) => Some(
            state
                .machines
                .iter()
                .find(|m| &m.hostname == host || &m.system_id == host)
                .map(|m| m.system_id.clone())
                .ok_or_else(|| invalid(format!("{who} runs on unknown machine {host:?}")))?,
        ),
    };
    let default_pool = spec
        .storage_pools
        .iter()
        .find(|p| p.default)
        .unwrap_or(&spec.storage_pools[0])
        .name
        .clone();
    state.ensure_tag(CONSOLE_LOGGING_TAG, CONSOLE_LOGGING_KERNEL_OPTS);
    let mut tags = spec.tags.clone();
    if !tags.iter().any(|t| t == CONSOLE_LOGGING_TAG) {
        tags.push(CONSOLE_LOGGING_TAG.to_string());
    }
    let storage_pools =
        spec.storage_pools
            .iter()
            .map(|p| StoragePool {
                pool_id: p.name.clone(),
                name: p.name.clone(),
                kind: p.kind.clone(),
                path: p.path.clone().unwrap_or_else(|| {
                    format!("/var/snap/lxd/common/lxd/storage-pools/{}", p.name)
                }),
                total: p.size_gb * GB,
            })
            .collect();
    let host = VmHost {
        id: state.seq.next_vm_host(),
        name: spec.name.clone(),
        kind: spec.kind,
        power_address: spec.power_address.clone(),
        project: match spec.kind {
            VmHostType::Lxd => Some(spec.project.clone().unwrap_or_else(|| "default".into())),
            VmHostType::Virsh => None,
        },
        password: None,
        certificate: None,
        key: None,
        power_pass: None,
        zone_id,
        pool_id,
        tags,
        architectures: spec.architectures.clone(),
        version: spec.version.clone().unwrap_or_else(|| match spec.kind {
            VmHostType::Lxd => "5.21.2".into(),
            VmHostType::Virsh => "8.0.0".into(),
        }),
        cores: spec.cores,
        memory: spec.memory,
        cpu_speed: 2000,
        cpu_over_commit_ratio: spec.cpu_over_commit_ratio,
        memory_over_commit_ratio: spec.memory_over_commit_ratio,
        storage_pools,
        default_storage_pool: Some(default_pool),
        default_macvlan_mode: None,
        host_system_id,
    };
    state.vm_hosts.push(host);
    Ok(())
}

/// Hosts whose inventory VMs already exceed what the over-commit ratios or pools allow.
pub(super) fn overcommitted_hosts(state: &SimState) -> Vec<String> {
    let mut problems = Vec::new();
    for host in &state.vm_hosts {
        let usage = state.vm_host_usage(host.id);
        let cores_cap = f64::from(host.cores) * host.cpu_over_commit_ratio;
        let memory_cap = host.memory as f64 * host.memory_over_commit_ratio;
        if usage.total.cores as f64 > cores_cap || usage.total.memory as f64 > memory_cap {
            problems.push(format!(
                "the VMs on VM host {:?} use more cores or memory than its over-commit ratios allow",
                host.name
            ));
        }
        let per_pool: BTreeMap<_, _> = usage.per_pool;
        for pool in &host.storage_pools {
            if per_pool.get(&pool.name).copied().unwrap_or(0) > pool.total {
                problems.push(format!(
                    "the VMs on VM host {:?} overfill storage pool {:?}",
                    host.name, pool.name
                ));
            }
        }
    }
    problems
}
