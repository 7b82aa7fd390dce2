//! Turning an `Inventory` (names, GB, status words) into a `SimState` (ids, bytes, enums),
//! checking every cross-reference on the way.

use std::collections::{BTreeMap, HashSet};

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::catalog::{ApiKey, BootResource, Pool, Tag, User, Zone};
use super::machines::{Disk, Hardware, Machine, Nic, address_for};
use super::vm_hosts::{StoragePool, VmHost};
use super::{CONSOLE_LOGGING_KERNEL_OPTS, CONSOLE_LOGGING_TAG, Sequences, SimState, names};
use crate::inventory::{Inventory, InventoryError, MachineSpec, VmHostSpec, VmHostType};
use crate::state::dns::Domain;
use crate::status::MachineStatus;

const GB: u64 = 1_000_000_000;

fn invalid(message: String) -> InventoryError {
    InventoryError::Invalid(message)
}

fn check_unique<'a>(
    what: &str,
    names: impl Iterator<Item = &'a str>,
) -> Result<(), InventoryError> {
    let mut seen = HashSet::new();
    for name in names {
        if name.is_empty() {
            return Err(invalid(format!("a {what} has an empty name")));
        }
        if !seen.insert(name) {
            return Err(invalid(format!("{what} {name:?} is listed twice")));
        }
    }
    Ok(())
}

pub(crate) fn build(inventory: &Inventory, seed: u64) -> Result<SimState, InventoryError> {
    let mut seq = Sequences::default();

    check_unique("zone", inventory.zones.iter().map(|z| z.name.as_str()))?;
    // MAAS always has a zone and a pool called "default" (zone id 1, pool id 0).
    let mut zones = vec![Zone {
        id: seq.next_zone(),
        name: "default".into(),
        description: String::new(),
    }];
    for spec in &inventory.zones {
        if spec.name == "default" {
            zones[0].description = spec.description.clone();
        } else {
            zones.push(Zone {
                id: seq.next_zone(),
                name: spec.name.clone(),
                description: spec.description.clone(),
            });
        }
    }

    check_unique("pool", inventory.pools.iter().map(|p| p.name.as_str()))?;
    let mut pools = vec![Pool {
        id: 0,
        name: "default".into(),
        description: "Default pool".into(),
    }];
    for spec in &inventory.pools {
        if spec.name == "default" {
            if !spec.description.is_empty() {
                pools[0].description = spec.description.clone();
            }
        } else {
            pools.push(Pool {
                id: seq.next_pool(),
                name: spec.name.clone(),
                description: spec.description.clone(),
            });
        }
    }

    check_unique("tag", inventory.tags.iter().map(|t| t.name.as_str()))?;
    let tags = inventory
        .tags
        .iter()
        .map(|t| Tag {
            name: t.name.clone(),
            comment: t.comment.clone(),
            definition: t.definition.clone(),
            kernel_opts: t.kernel_opts.clone(),
        })
        .collect();

    let boot_resources = inventory
        .boot_resources
        .iter()
        .zip(1..)
        .map(|(spec, id)| BootResource {
            id,
            kind: spec.kind,
            name: spec.name.clone(),
            architecture: spec.architecture.clone(),
            subarches: spec.subarches.clone(),
            title: spec.title.clone(),
            base_image: spec.base_image.clone(),
            size: spec.size,
        })
        .collect();

    let users = build_users(inventory)?;

    let mut state = SimState {
        domain: inventory.domain.clone(),
        domains: build_domains(inventory)?,
        dns_resources: Vec::new(),
        static_ips: Vec::new(),
        default_distro_series: inventory.default_distro_series.clone(),
        zones,
        pools,
        tags,
        boot_resources,
        users,
        machines: Vec::new(),
        vm_hosts: Vec::new(),
        nonces: Default::default(),
        seq,
        rng: StdRng::seed_from_u64(seed),
    };

    check_unique(
        "machine",
        inventory.machines.iter().map(|m| m.hostname.as_str()),
    )?;
    // Bare metal first: VM hosts may name one as their host.
    for spec in inventory.machines.iter().filter(|m| m.vm_host.is_none()) {
        add_machine(&mut state, spec, None)?;
    }
    check_unique(
        "VM host",
        inventory.vm_hosts.iter().map(|h| h.name.as_str()),
    )?;
    for spec in &inventory.vm_hosts {
        add_vm_host(&mut state, spec)?;
    }
    for spec in inventory.machines.iter().filter(|m| m.vm_host.is_some()) {
        let host_name = spec.vm_host.as_deref().unwrap_or_default();
        let host = state
            .vm_hosts
            .iter()
            .find(|h| h.name == host_name)
            .ok_or_else(|| {
                invalid(format!(
                    "machine {:?} names unknown VM host {host_name:?}",
                    spec.hostname
                ))
            })?
            .clone();
        add_machine(&mut state, spec, Some(&host))?;
    }
    if let Some(err) = overcommitted_hosts(&state).into_iter().next() {
        return Err(invalid(err));
    }
    Ok(state)
}

/// The default domain (id 0, named by `domain`) and the inventory's other `domains` (ids from 1).
fn build_domains(inventory: &Inventory) -> Result<Vec<Domain>, InventoryError> {
    let names = std::iter::once(inventory.domain.as_str())
        .chain(inventory.domains.iter().map(|d| d.name.as_str()));
    check_unique("domain", names)?;
    let default = Domain {
        id: 0,
        name: inventory.domain.clone(),
        authoritative: true,
        ttl: None,
    };
    let others = inventory.domains.iter().zip(1..).map(|(spec, id)| Domain {
        id,
        name: spec.name.clone(),
        authoritative: spec.authoritative,
        ttl: spec.ttl,
    });
    Ok(std::iter::once(default).chain(others).collect())
}

fn build_users(inventory: &Inventory) -> Result<Vec<User>, InventoryError> {
    check_unique("user", inventory.users.iter().map(|u| u.username.as_str()))?;
    let mut seen_keys = HashSet::new();
    let mut users = Vec::new();
    for spec in &inventory.users {
        let mut keys = Vec::new();
        for key in &spec.api_keys {
            let parsed = ApiKey::parse(key).ok_or_else(|| {
                invalid(format!(
                    "user {:?} has an API key that is not consumer:token:secret",
                    spec.username
                ))
            })?;
            if !seen_keys.insert(parsed.consumer_key.clone()) {
                return Err(invalid(format!(
                    "user {:?} reuses another key's consumer key",
                    spec.username
                )));
            }
            keys.push(parsed);
        }
        users.push(User {
            username: spec.username.clone(),
            email: spec
                .email
                .clone()
                .unwrap_or_else(|| format!("{}@example.com", spec.username)),
            is_admin: spec.is_admin,
            password: spec.password.clone(),
            keys,
        });
    }
    if !users.iter().any(|u| u.is_admin && !u.keys.is_empty()) {
        return Err(invalid(
            "no admin user with an API key (the simulator hands that key to its callers)".into(),
        ));
    }
    Ok(users)
}

fn zone_id(state: &SimState, name: &str, owner: &str) -> Result<u32, InventoryError> {
    state
        .zone_named(name)
        .map(|z| z.id)
        .ok_or_else(|| invalid(format!("{owner} names unknown zone {name:?}")))
}

fn pool_id(state: &SimState, name: &str, owner: &str) -> Result<u32, InventoryError> {
    state
        .pool_named(name)
        .map(|p| p.id)
        .ok_or_else(|| invalid(format!("{owner} names unknown resource pool {name:?}")))
}

fn add_machine(
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

fn add_vm_host(state: &mut SimState, spec: &VmHostSpec) -> Result<(), InventoryError> {
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
fn overcommitted_hosts(state: &SimState) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> Inventory {
        Inventory::from_yaml_str(
            "users:\n  - username: admin\n    is_admin: true\n    api_keys: [a:b:c]\n",
            "t",
        )
        .unwrap()
    }

    #[test]
    fn default_zone_and_pool_always_exist() {
        let state = build(&minimal(), 1).unwrap();
        assert_eq!(state.zone_named("default").unwrap().id, 1);
        assert_eq!(state.pool_named("default").unwrap().id, 0);
    }

    #[test]
    fn dangling_references_are_reported() {
        let mut inventory = minimal();
        inventory.machines.push(
            serde_json::from_value(serde_json::json!({
                "hostname": "n1", "cpu_count": 1, "memory": 1024, "zone": "nowhere"
            }))
            .unwrap(),
        );
        let Err(err) = build(&inventory, 1) else {
            panic!("an unknown zone must be rejected");
        };
        let err = err.to_string();
        assert!(err.contains("unknown zone \"nowhere\""), "{err}");
    }

    #[test]
    fn an_admin_key_is_required() {
        let mut inventory = minimal();
        inventory.users[0].is_admin = false;
        assert!(build(&inventory, 1).is_err());
    }

    #[test]
    fn default_inventory_builds() {
        let state = build(&Inventory::default_inventory(), 1).unwrap();
        assert!(state.machines.len() >= 8);
        assert!(state.vm_hosts.iter().all(|h| h.host_system_id.is_some()));
    }
}
