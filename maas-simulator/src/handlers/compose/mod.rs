//! Composing a VM on a VM host, shared by `vm-hosts/{id}/?op=compose` and by `allocate` when
//! it composes on the fly. Every check runs before anything changes, so a failed compose never
//! leaks resources.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::http::{ApiError, py_float};
use crate::options::SimOptions;
use crate::state::build::{disk, vm_hardware};
use crate::state::machines::{Machine, Nic};
use crate::state::names::mac;
use crate::state::vm_hosts::VmHost;
use crate::state::{CONSOLE_LOGGING_TAG, SimState};
use crate::status::MachineStatus;

mod request;

pub(crate) use request::{ComposeRequest, DiskRequest, parse_request, parse_storage};

/// MAAS's over-commit check: used + requested must fit in total × ratio. The message quotes
/// availability without the ratio, as MAAS does.
fn check_over_commit(st: &SimState, host: &VmHost, req: &ComposeRequest) -> Result<(), ApiError> {
    let used = st.vm_host_usage(host.id).total;
    let mut message = String::new();
    let cores_cap = f64::from(host.cores) * host.cpu_over_commit_ratio;
    if cores_cap - ((used.cores + u64::from(req.cores)) as f64) < 0.0 {
        message.push_str(&format!(
            "CPU overcommit ratio is {} and there are {} available resources; {} requested.",
            py_float(host.cpu_over_commit_ratio),
            i64::from(host.cores) - used.cores as i64,
            req.cores
        ));
    }
    let memory_cap = host.memory as f64 * host.memory_over_commit_ratio;
    if memory_cap - ((used.memory + req.memory) as f64) < 0.0 {
        message.push_str(&format!(
            "Memory overcommit ratio is {} and there are {} available resources; {} requested.",
            py_float(host.memory_over_commit_ratio),
            host.memory as i64 - used.memory as i64,
            req.memory
        ));
    }
    if message.is_empty() {
        Ok(())
    } else {
        Err(ApiError::pod_problem(format!(
            "Unable to compose KVM instance in '{}'. {message}",
            host.name
        )))
    }
}

/// Pick a storage pool per disk the way MAAS's LXD driver does: a pool named by one of the
/// disk's tags, else the default pool, else any pool with room. Space already promised to
/// earlier disks of the same request counts as used.
fn place_disks(
    st: &SimState,
    host: &VmHost,
    disks: &[DiskRequest],
) -> Result<Vec<String>, ApiError> {
    let mut used: BTreeMap<String, u64> = st.vm_host_usage(host.id).per_pool;
    let mut placed = Vec::new();
    let fail = |detail: String| {
        ApiError::pod_problem(format!(
            "Unable to compose machine because: Failed talking to pod: {detail}"
        ))
    };
    for disk in disks {
        let free = |used: &BTreeMap<String, u64>, name: &str| {
            let total = host.pool_by_name(name).map_or(0, |p| p.total);
            total.saturating_sub(used.get(name).copied().unwrap_or(0))
        };
        let tagged: Vec<&str> = host
            .storage_pools
            .iter()
            .filter(|p| disk.tags.contains(&p.name))
            .map(|p| p.name.as_str())
            .collect();
        let chosen = if !tagged.is_empty() {
            tagged
                .iter()
                .find(|name| free(&used, name) >= disk.size)
                .map(|name| name.to_string())
                .ok_or_else(|| {
                    fail(format!(
                        "Not enough storage space on storage pools: {}",
                        tagged.join(", ")
                    ))
                })?
        } else if let Some(default) = &host.default_storage_pool {
            if free(&used, default) < disk.size {
                return Err(fail(format!(
                    "Not enough space in default storage pool: {default}"
                )));
            }
            default.clone()
        } else {
            let names: Vec<&str> = host.storage_pools.iter().map(|p| p.name.as_str()).collect();
            names
                .iter()
                .find(|name| free(&used, name) >= disk.size)
                .map(|name| name.to_string())
                .ok_or_else(|| {
                    fail(format!(
                        "Not enough storage space on any storage pools: {}",
                        names.join(", ")
                    ))
                })?
        };
        *used.entry(chosen.clone()).or_default() += disk.size;
        placed.push(chosen);
    }
    Ok(placed)
}

/// MAAS names a NIC after its label, or `eth<n>` for numeric labels.
fn ifname_for_label(label: &str) -> String {
    if label.chars().all(|c| c.is_ascii_digit()) {
        format!("eth{label}")
    } else {
        label.to_string()
    }
}

/// Compose the VM and add it as a machine. Returns its system id.
pub(crate) fn compose(
    st: &mut SimState,
    host_id: u32,
    req: &ComposeRequest,
    now: Instant,
    opts: &SimOptions,
) -> Result<String, ApiError> {
    let host = st
        .vm_host(host_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("Pod"))?;
    check_over_commit(st, &host, req)?;
    let pools = place_disks(st, &host, &req.disks)?;

    // Every check passed: only now does anything change.
    let system_id = st.new_system_id();
    let hostname = req.hostname.clone().unwrap_or_else(|| st.new_hostname());
    let disks = req
        .disks
        .iter()
        .zip(pools)
        .enumerate()
        .map(|(index, (disk_req, pool))| {
            let id = st.seq.next_disk();
            disk(
                id,
                index,
                disk_req.size,
                disk_req.tags.clone(),
                Some(pool),
                true,
            )
        })
        .collect();
    let labels: Vec<String> = if req.interfaces.is_empty() {
        vec!["eth0".to_string()]
    } else {
        req.interfaces
            .iter()
            .map(|(label, _)| ifname_for_label(label))
            .collect()
    };
    let nics = labels
        .into_iter()
        .map(|name| Nic {
            id: st.seq.next_nic(),
            name,
            mac: mac(&mut st.rng, [0x00, 0x16, 0x3e]),
        })
        .collect();
    let requested_ip = req
        .interfaces
        .iter()
        .flat_map(|(_, pairs)| pairs)
        .find(|(key, _)| key == "ip")
        .map(|(_, ip)| ip.clone());
    st.ensure_tag("virtual", "");
    let mut tags = vec!["virtual".to_string()];
    for tag in &host.tags {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    if !tags.iter().any(|t| t == CONSOLE_LOGGING_TAG) {
        tags.push(CONSOLE_LOGGING_TAG.to_string());
    }
    let id = st.seq.next_machine();
    let mut machine = Machine {
        id,
        system_id: system_id.clone(),
        hostname,
        description: String::new(),
        status: MachineStatus::Ready,
        status_message: "Ready".into(),
        pending: None,
        owner: None,
        agent_name: String::new(),
        architecture: req.architecture.clone(),
        cpu_count: req.cores,
        cpu_speed: host.cpu_speed,
        memory: req.memory,
        disks,
        nics,
        // MAAS's compose form defaults the zone to the default zone, not the host's; the
        // resource pool does default to the host's.
        zone_id: req.zone_id.unwrap_or_else(|| st.default_zone_id()),
        pool_id: req.pool_id.unwrap_or(host.pool_id),
        tags,
        power_type: host.kind.as_str().to_string(),
        power_on: false,
        osystem: String::new(),
        distro_series: String::new(),
        hwe_kernel: None,
        user_data: None,
        ip: requested_ip,
        locked: false,
        owner_data: Default::default(),
        hardware: vm_hardware(),
        vm_host_id: Some(host.id),
        virtualmachine_id: Some(st.seq.next_vm()),
        dynamic: req.dynamic,
    };
    if !req.skip_commissioning && !opts.commission_time.is_zero() {
        machine.set_status_until(
            MachineStatus::Commissioning,
            "Commissioning",
            now + opts.commission_time,
            MachineStatus::Ready,
        );
    }
    st.machines.push(machine);
    Ok(system_id)
}
