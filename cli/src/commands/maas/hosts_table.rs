//! How a VM host is shown, in `maas check` and `maas vm-hosts list` alike. Totals are the
//! capacity MAAS accepts under the host's over-commit ratios, not the raw hardware (MAAS's own
//! `available` ignores over-commit, see maas_client::VmHostResources).

use super::report::table;
use maas_client::{MaasClient, MaasError, MachineFilter, ResourceUsage, VmHost};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// VMs per VM host id, from the machines list (MAAS serves no count on the host itself).
/// `None` when the key may not list machines: the count is a nicety, not worth failing for.
pub async fn vm_counts(client: &MaasClient) -> Result<Option<BTreeMap<u64, usize>>, MaasError> {
    match client.machines(&MachineFilter::default()).await {
        Ok(machines) => {
            let mut counts = BTreeMap::new();
            for id in machines.iter().filter_map(|m| m.vm_host_id()) {
                *counts.entry(id).or_insert(0) += 1;
            }
            Ok(Some(counts))
        }
        Err(MaasError::Forbidden { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn usage(u: &ResourceUsage) -> Value {
    json!({ "used": u.used, "total": u.overcommitted_total, "available": u.available,
            "physical": u.total })
}

pub fn host_json(h: &VmHost, vms: Option<usize>) -> Value {
    let r = h.resources();
    json!({
        "id": h.id,
        "name": h.name,
        "type": h.type_,
        "zone": h.zone_name(),
        "pool": h.pool_name(),
        "tags": h.tags,
        "version": h.version,
        "overCommit": { "cpu": r.cpu_over_commit_ratio, "memory": r.memory_over_commit_ratio },
        "cores": usage(&r.cores),
        "memoryMiB": usage(&r.memory),
        "storageBytes": usage(&r.local_storage),
        "storagePools": r.storage_pools,
        "vms": vms,
    })
}

fn gb(bytes: u64) -> u64 {
    bytes / 1_000_000_000
}

fn ratio(r: f64) -> String {
    if r == 1.0 {
        String::new()
    } else {
        format!(" (x{r})")
    }
}

pub fn hosts_table(hosts: &[VmHost], counts: Option<&BTreeMap<u64, usize>>) -> String {
    let rows: Vec<Vec<String>> = hosts
        .iter()
        .map(|h| {
            let r = h.resources();
            vec![
                h.id.to_string(),
                h.name.clone(),
                h.type_.clone(),
                h.zone_name().unwrap_or("-").to_string(),
                h.pool_name().unwrap_or("-").to_string(),
                format!(
                    "{}/{}{}",
                    r.cores.used,
                    r.cores.overcommitted_total,
                    ratio(r.cpu_over_commit_ratio)
                ),
                format!(
                    "{}/{}{}",
                    r.memory.used,
                    r.memory.overcommitted_total,
                    ratio(r.memory_over_commit_ratio)
                ),
                format!("{}/{}", gb(r.local_storage.used), gb(r.local_storage.total)),
                format!(
                    "{} cores, {} MiB, {} GB",
                    r.cores.available,
                    r.memory.available,
                    gb(r.local_storage.available)
                ),
                counts.map_or("?".to_string(), |c| {
                    c.get(&h.id).copied().unwrap_or(0).to_string()
                }),
            ]
        })
        .collect();
    table(
        &[
            "ID",
            "NAME",
            "TYPE",
            "ZONE",
            "POOL",
            "CORES USED/TOTAL",
            "MEMORY MiB USED/TOTAL",
            "STORAGE GB USED/TOTAL",
            "FREE",
            "VMS",
        ],
        &rows,
    )
}
