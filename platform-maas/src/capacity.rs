//! The capacity preflight of LXD NodePools: the pool as a [`PoolRequest`] for maas-client's
//! `place_pool` (the function `hosted-cluster maas placement` runs), and its answer as the
//! NodePool's `CapacityAvailable` condition.

use crate::spec::{
    DEFAULT_MIN_CPU, DEFAULT_MIN_MEMORY_MIB, MaasNodePoolPlatform, MaasPlatformSpec,
};
use maas_client::{PoolPlacement, PoolRequest};
use platform_api::platform::CapacityReport;

/// CAPMAAS's default root disk of an LXD VM, GB.
pub const DEFAULT_LXD_DISK_GB: u64 = 60;

/// Reason when every VM fits.
pub const FITS: &str = "AsExpected";
/// Reason when some VM fits nowhere.
pub const INSUFFICIENT: &str = "InsufficientCapacity";
/// Reason when this MAAS has no VM hosts at all (MAAS main answers 410).
pub const UNSUPPORTED: &str = "VMHostsUnsupported";

/// The pool's VMs, or `None` when the pool composes no LXD VMs (bare metal, or no replicas).
/// The zone is the pool's (`zone`, else `failureDomain`), else the cluster's, as in the
/// machine template.
pub fn pool_request(
    cluster: &MaasPlatformSpec,
    pool: &MaasNodePoolPlatform,
    replicas: i32,
) -> Option<PoolRequest> {
    let lxd = pool.lxd.as_ref().filter(|l| l.enabled)?;
    let replicas = u32::try_from(replicas).ok().filter(|r| *r > 0)?;
    let mut tags: Vec<String> = pool.machine_type.iter().cloned().collect();
    for t in &pool.tags {
        if !tags.contains(t) {
            tags.push(t.clone());
        }
    }
    let positive = |v: Option<i32>| v.and_then(|v| u64::try_from(v).ok());
    // CAPMAAS composes the larger of minDiskSize and the LXD disk size.
    let disk = positive(lxd.disk_size)
        .unwrap_or(DEFAULT_LXD_DISK_GB)
        .max(positive(pool.min_disk_size).unwrap_or(0));
    let zone = pool
        .zone
        .clone()
        .or_else(|| pool.failure_domain.clone())
        .or_else(|| cluster.zone.clone());
    Some(PoolRequest {
        replicas,
        cores: positive(pool.min_cpu.or(Some(DEFAULT_MIN_CPU))).unwrap_or(2) as u32,
        memory_mib: positive(pool.min_memory.or(Some(DEFAULT_MIN_MEMORY_MIB))).unwrap_or(8192),
        disk_gb: disk,
        storage_pool: lxd.storage_pool.clone(),
        zones: zone.into_iter().collect(),
        resource_pool: pool.resource_pool.clone(),
        tags,
    })
}

fn describe(r: &PoolRequest) -> String {
    format!(
        "{} VM(s) of {} cores, {} MiB, {} GB disk{}",
        r.replicas,
        r.cores,
        r.memory_mib,
        r.disk_gb,
        r.storage_pool
            .as_deref()
            .map(|s| format!(" in storage pool {s}"))
            .unwrap_or_default()
    )
}

/// The condition for a placement: every VM fits, or how many do not and why (hosts per reason,
/// with the most free and the need).
/// `composed` VMs of the pool exist already and are not part of `request`.
pub fn report(request: &PoolRequest, composed: u32, placement: &PoolPlacement) -> CapacityReport {
    let existing = if composed > 0 {
        format!(" ({composed} more already composed)")
    } else {
        String::new()
    };
    if placement.fits() {
        let hosts: std::collections::BTreeSet<&str> =
            placement.placed.iter().map(|s| s.host.as_str()).collect();
        return CapacityReport {
            available: true,
            reason: FITS.into(),
            message: format!(
                "{}{existing} fit on {} of {} candidate VM host(s)",
                describe(request),
                hosts.len(),
                placement.candidates
            ),
        };
    }
    let first = &placement.unplaced[0];
    CapacityReport {
        available: false,
        reason: INSUFFICIENT.into(),
        message: format!(
            "{} of {}{existing} do not fit on the {} candidate VM host(s); VM {}: {}. Add or free VM hosts, or lower spec.replicas or the pool's size (`hosted-cluster maas placement -f` shows where each VM would go)",
            placement.unplaced.len(),
            describe(request),
            placement.candidates,
            first.vm,
            first.reasons.join("; ")
        ),
    }
}

/// The condition once every VM of the pool is composed: nothing left to place.
pub fn all_composed(composed: u32) -> CapacityReport {
    CapacityReport {
        available: true,
        reason: FITS.into(),
        message: format!("all {composed} VM(s) of the pool are composed"),
    }
}

/// The condition for a MAAS without VM hosts.
pub fn unsupported(status: u16) -> CapacityReport {
    CapacityReport {
        available: false,
        reason: UNSUPPORTED.into(),
        message: format!(
            "this MAAS has no VM hosts (HTTP {status} on vm-hosts/), so no LXD VM can be composed: use a MAAS 3.x that manages LXD VM hosts, or remove spec.platform.maas.lxd for bare metal"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::MaasLxdMachine;

    fn lxd_pool() -> MaasNodePoolPlatform {
        MaasNodePoolPlatform {
            min_cpu: Some(4),
            min_memory: Some(16384),
            min_disk_size: Some(80),
            machine_type: Some("compute".into()),
            tags: vec!["compute".into(), "ssd".into()],
            lxd: Some(MaasLxdMachine {
                enabled: true,
                disk_size: Some(60),
                storage_pool: Some("fast".into()),
                ..MaasLxdMachine::default()
            }),
            ..MaasNodePoolPlatform::default()
        }
    }

    #[test]
    fn lxd_pools_become_requests() {
        let cluster = MaasPlatformSpec {
            zone: Some("az-1".into()),
            ..MaasPlatformSpec::default()
        };
        let r = pool_request(&cluster, &lxd_pool(), 3).unwrap();
        assert_eq!(
            r,
            PoolRequest {
                replicas: 3,
                cores: 4,
                memory_mib: 16384,
                disk_gb: 80,
                storage_pool: Some("fast".into()),
                zones: vec!["az-1".into()],
                resource_pool: None,
                tags: vec!["compute".into(), "ssd".into()],
            }
        );
        let mut zoned = lxd_pool();
        zoned.failure_domain = Some("az-2".into());
        assert_eq!(pool_request(&cluster, &zoned, 1).unwrap().zones, ["az-2"]);
        // Bare metal, LXD disabled, or nothing to place: no check.
        let mut metal = lxd_pool();
        metal.lxd = None;
        assert_eq!(pool_request(&cluster, &metal, 3), None);
        metal.lxd = Some(MaasLxdMachine::default());
        assert_eq!(pool_request(&cluster, &metal, 3), None);
        assert_eq!(pool_request(&cluster, &lxd_pool(), 0), None);
    }
}
