//! Machines from the inventory: bare metal and the VMs of VM hosts, with their disks, NICs and
//! addresses.

use super::{GB, invalid, pool_id, zone_id};
use crate::inventory::{InventoryError, MachineSpec};
use crate::state::machines::{Disk, Hardware, Machine, Nic, address_for};
use crate::state::vm_hosts::VmHost;
use crate::state::{SimState, names};
use crate::status::MachineStatus;

pub(super) fn add_machine(
    state: &mut SimState,
    spec: &MachineSpec,
    host: Option<&VmHost>,
) -> Result<(), InventoryError> {
    let who = format!("machine {:?}", spec.hostname);
    if !names::valid_hostname(&spec.hostname) {
        return Err(invalid(format!("{who} has an invalid hostname")));
    }
    let zone_id = zone_id(state, &spec.zone, &who)?;
    let pool_id = pool_id(state, &spec.pool, &who)?;
    for tag in &spec.tags {
        state.ensure_tag(tag, "");
    }
    if let Some(owner) = &spec.owner
        && state.user(owner).is_none()
    {
        return Err(invalid(format!("{who} is owned by unknown user {owner:?}")));
    }
    let owned = matches!(
        spec.status,
        MachineStatus::Allocated | MachineStatus::Deploying | MachineStatus::Deployed
    );
    if owned && spec.owner.is_none() {
        return Err(invalid(format!(
            "{who} is {} but has no owner",
            spec.status.key()
        )));
    }
    if !owned && spec.owner.is_some() {
        return Err(invalid(format!(
            "{who} is {} and cannot have an owner",
            spec.status.key()
        )));
    }
    if spec.disks_gb.is_empty() || spec.cpu_count == 0 || spec.memory == 0 {
        return Err(invalid(format!(
            "{who} needs at least one disk, one CPU and some memory"
        )));
    }
    let system_id = match &spec.system_id {
        Some(id) if state.machine(id).is_some() => {
            return Err(invalid(format!("{who} reuses system id {id:?}")));
        }
        Some(id) => id.clone(),
        None => state.new_system_id(),
    };
    let storage_pool = match host {
        None => None,
        Some(host) => {
            let name = spec
                .storage_pool
                .clone()
                .or_else(|| host.default_storage_pool.clone());
            match name {
                Some(name) if host.pool_by_name(&name).is_some() => Some(name),
                Some(name) => {
                    return Err(invalid(format!(
                        "{who} uses storage pool {name:?} that VM host {:?} lacks",
                        host.name
                    )));
                }
                None => None,
            }
        }
    };
    let is_vm = host.is_some();
    let disks = spec
        .disks_gb
        .iter()
        .enumerate()
        .map(|(index, size)| {
            let id = state.seq.next_disk();
            // Bare-metal disks carry the `ssd` tag MAAS gives solid-state drives, so storage
            // constraints such as `root:100(ssd)` can match them.
            let tags = if is_vm {
                Vec::new()
            } else {
                vec!["ssd".to_string()]
            };
            disk(id, index, size * GB, tags, storage_pool.clone(), is_vm)
        })
        .collect();
    let id = state.seq.next_machine();
    let mac_prefix = if is_vm {
        [0x00, 0x16, 0x3e]
    } else {
        [0x52, 0x54, 0x00]
    };
    let nic = Nic {
        id: state.seq.next_nic(),
        name: "eth0".into(),
        mac: names::mac(&mut state.rng, mac_prefix),
    };
    let deployed = matches!(
        spec.status,
        MachineStatus::Deployed | MachineStatus::Deploying
    );
    let (osystem, distro_series) = if deployed {
        (
            spec.osystem.clone().unwrap_or_else(|| "ubuntu".into()),
            spec.distro_series
                .clone()
                .unwrap_or_else(|| state.default_distro_series.clone()),
        )
    } else {
        (String::new(), String::new())
    };
    let hardware = match (&spec.hardware, host) {
        (Some(h), _) => Hardware {
            vendor: h.vendor.clone(),
            product: h.product.clone(),
            cpu_model: h.cpu_model.clone(),
        },
        (None, Some(_)) => vm_hardware(),
        (None, None) => Hardware {
            vendor: "Dell Inc.".into(),
            product: "PowerEdge R650".into(),
            cpu_model: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz".into(),
        },
    };
    let mut tags = spec.tags.clone();
    let virtualmachine_id = if let Some(host) = host {
        for tag in &host.tags {
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        Some(state.seq.next_vm())
    } else {
        None
    };
    let machine = Machine {
        id,
        system_id,
        hostname: spec.hostname.clone(),
        description: spec.description.clone(),
        status: spec.status,
        status_message: spec.status.name().to_string(),
        pending: None,
        owner: spec.owner.clone(),
        agent_name: spec.agent_name.clone(),
        architecture: spec.architecture.clone(),
        cpu_count: spec.cpu_count,
        cpu_speed: host.map_or(2000, |h| h.cpu_speed),
        memory: spec.memory,
        disks,
        nics: vec![nic],
        zone_id,
        pool_id,
        tags,
        power_type: spec.power_type.clone().unwrap_or_else(|| {
            host.map_or_else(|| "ipmi".to_string(), |h| h.kind.as_str().to_string())
        }),
        power_on: deployed || matches!(spec.status, MachineStatus::Allocated),
        osystem,
        distro_series,
        hwe_kernel: None,
        user_data: None,
        ip: deployed.then(|| address_for(id)),
        locked: false,
        owner_data: Default::default(),
        hardware,
        vm_host_id: host.map(|h| h.id),
        virtualmachine_id,
        dynamic: false,
    };
    state.machines.push(machine);
    Ok(())
}

/// A disk as MAAS records it: bare-metal disks are named SSDs, VM disks QEMU hard disks
/// whose serial LXD derives from the device name.
pub(crate) fn disk(
    id: u32,
    index: usize,
    size: u64,
    tags: Vec<String>,
    storage_pool: Option<String>,
    is_vm: bool,
) -> Disk {
    let name = format!("sd{}", char::from(b'a' + (index % 26) as u8));
    let (model, serial) = if is_vm {
        let device = if index == 0 {
            "root".to_string()
        } else {
            format!("disk{index}")
        };
        ("QEMU HARDDISK".to_string(), format!("lxd_{device}"))
    } else {
        ("SAMSUNG MZ7LH960".to_string(), format!("S4{id:08}"))
    };
    Disk {
        id,
        name,
        size,
        tags,
        storage_pool,
        model,
        serial,
    }
}

pub(crate) fn vm_hardware() -> Hardware {
    Hardware {
        vendor: "QEMU".into(),
        product: "Standard PC (Q35 + ICH9, 2009)".into(),
        cpu_model: "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz".into(),
    }
}
