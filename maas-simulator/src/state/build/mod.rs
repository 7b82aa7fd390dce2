//! Turning an `Inventory` (names, GB, status words) into a `SimState` (ids, bytes, enums),
//! checking every cross-reference on the way.

use std::collections::HashSet;

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::catalog::{ApiKey, BootResource, Pool, Tag, User, Zone};
use super::{Sequences, SimState};
use crate::inventory::{Inventory, InventoryError};
use crate::state::dns::Domain;

mod machines;
mod vm_hosts;

use machines::add_machine;
pub(crate) use machines::{disk, vm_hardware};
use vm_hosts::{add_vm_host, overcommitted_hosts};

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
