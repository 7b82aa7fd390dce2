//! `machines/` and `machines/{system_id}/`: listing, the lifecycle operations and updates.

use serde_json::Value;

use super::{Call, split_list};
use crate::http::{ApiError, FieldErrors, Reply, parse_int_field};
use crate::oauth::Caller;
use crate::state::machines::Machine;
use crate::status::MachineStatus;

pub(crate) use super::allocate::allocate;

mod deploy;
mod lifecycle;

pub(crate) use deploy::{deploy, release};
pub(crate) use lifecycle::{
    abort, commission, delete, mark_broken, mark_fixed, power_off, power_on, query_power_state,
    set_owner_data, update,
};

/// Whether `caller` sees machine `m` at all: admins see everything, users see unowned
/// machines and their own (MAAS's `NodePermission.view` without RBAC).
pub(crate) fn visible(caller: Option<&Caller>, m: &Machine) -> bool {
    caller
        .is_some_and(|c| c.is_admin || m.owner.is_none() || m.owner.as_deref() == Some(&c.username))
}

/// What a caller wants to do with a machine.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Perm {
    View,
    /// Deploy, release, power: the owner, or anyone for an unowned machine.
    Edit,
    /// Delete, update, commission: admins only.
    Admin,
}

/// Find the machine of the `system_id` path parameter: 404 when unknown, 403 (empty body)
/// when the caller lacks `perm`, as MAAS's `get_node_or_404`.
pub(crate) fn machine_for(call: &Call<'_>, perm: Perm) -> Result<usize, ApiError> {
    let index = call
        .st
        .machine_index(call.path_param("system_id"))
        .ok_or_else(|| ApiError::not_found("Machine"))?;
    let m = &call.st.machines[index];
    let caller = call.caller()?;
    let allowed = caller.is_admin
        || match perm {
            Perm::View | Perm::Edit => {
                m.owner.is_none() || m.owner.as_deref() == Some(&caller.username)
            }
            Perm::Admin => false,
        };
    if allowed {
        Ok(index)
    } else {
        Err(ApiError::permission_denied())
    }
}

pub(super) fn machine_reply(call: &Call<'_>, index: usize) -> Result<Reply, ApiError> {
    Ok(Reply::Json(call.st.machine_json(&call.st.machines[index])))
}

pub(crate) fn read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::View)?;
    machine_reply(call, index)
}

/// Check names given to a filter against what exists, as MAAS's constraint forms do.
pub(crate) fn check_known(
    errors: &mut FieldErrors,
    field: &str,
    what: &str,
    given: &[String],
    exists: impl Fn(&str) -> bool,
    quote: bool,
) {
    let unknown: Vec<String> = given
        .iter()
        .filter(|name| !exists(name))
        .map(|name| {
            if quote {
                format!("'{name}'")
            } else {
                name.clone()
            }
        })
        .collect();
    if !unknown.is_empty() {
        errors.add(field, format!("No such {what}(s): {}.", unknown.join(", ")));
    }
}

pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let data = &call.data;
    let many =
        |key: &str| -> Vec<String> { data.get_all(key).iter().map(|s| s.to_string()).collect() };
    let hostnames = many("hostname");
    let ids = many("id");
    let domains = many("domain");
    let macs: Vec<String> = many("mac_address")
        .iter()
        .map(|m| m.to_ascii_lowercase())
        .collect();
    let tags = split_list(data.get_all("tags"));
    let not_tags = split_list(data.get_all("not_tags"));
    let zones = many("zone");
    let not_zones = many("not_in_zone");
    let pools = many("pool");
    let not_pools = many("not_in_pool");
    let owners = many("owner");
    let agent = data.get("agent_name");
    let archs = many("arch");
    let pods = many("pod");
    let pod_types = many("pod_type");

    let mut errors = FieldErrors::default();
    let st = &*call.st;
    check_known(
        &mut errors,
        "zone",
        "zone",
        &zones,
        |z| st.zone_named(z).is_some(),
        false,
    );
    check_known(
        &mut errors,
        "pool",
        "resource pool",
        &pools,
        |p| st.pool_named(p).is_some(),
        false,
    );
    check_known(
        &mut errors,
        "tags",
        "tag",
        &tags,
        |t| st.tags.iter().any(|x| x.name == t),
        true,
    );
    let mut statuses = Vec::new();
    for key in data.get_all("status") {
        match MachineStatus::from_key(key) {
            Some(status) => statuses.push(status),
            None => errors.add(
                "status",
                format!("Select a valid choice. {key} is not one of the available choices."),
            ),
        }
    }
    let cpu_min = parse_int_field(&mut errors, "cpu_count", data.get("cpu_count"), None, None);
    let mem_min = parse_int_field(&mut errors, "mem", data.get("mem"), None, None);
    errors.check()?;

    let any_or = |list: &[String], value: &str| list.is_empty() || list.iter().any(|v| v == value);
    let caller = call.caller.as_ref();
    let machines: Vec<Value> = st
        .machines
        .iter()
        .filter(|m| visible(caller, m))
        .filter(|m| any_or(&hostnames, &m.hostname) && any_or(&ids, &m.system_id))
        .filter(|_| any_or(&domains, &st.domain))
        .filter(|m| macs.is_empty() || m.nics.iter().any(|n| macs.contains(&n.mac)))
        .filter(|m| tags.iter().all(|t| m.tags.contains(t)))
        .filter(|m| !not_tags.iter().any(|t| m.tags.contains(t)))
        .filter(|m| {
            let zone = st.zone(m.zone_id).map_or("", |z| z.name.as_str());
            any_or(&zones, zone) && !not_zones.iter().any(|z| z == zone)
        })
        .filter(|m| {
            let pool = st.pool(m.pool_id).map_or("", |p| p.name.as_str());
            any_or(&pools, pool) && !not_pools.iter().any(|p| p == pool)
        })
        .filter(|m| owners.is_empty() || m.owner.as_ref().is_some_and(|o| owners.contains(o)))
        .filter(|m| agent.is_none_or(|a| m.agent_name == a))
        .filter(|m| archs.is_empty() || archs.iter().any(|a| arch_matches(a, &m.architecture)))
        .filter(|m| statuses.is_empty() || statuses.contains(&m.status))
        .filter(|m| {
            let host = m.vm_host_id.and_then(|id| st.vm_host(id));
            (pods.is_empty() || host.is_some_and(|h| pods.contains(&h.name)))
                && (pod_types.is_empty()
                    || host.is_some_and(|h| pod_types.iter().any(|t| t == h.kind.as_str())))
        })
        .filter(|m| cpu_min.is_none_or(|min| i64::from(m.cpu_count) >= min))
        .filter(|m| mem_min.is_none_or(|min| m.memory as i64 >= min))
        .map(|m| st.machine_json(m))
        .collect();
    Ok(Reply::Json(Value::Array(machines)))
}

/// `amd64` matches `amd64/generic`; `amd64/generic` only itself.
pub(crate) fn arch_matches(wanted: &str, arch: &str) -> bool {
    if wanted.contains('/') {
        wanted == arch
    } else {
        arch.split('/').next() == Some(wanted)
    }
}
