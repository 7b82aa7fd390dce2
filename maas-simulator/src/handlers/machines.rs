//! `machines/` and `machines/{system_id}/`: listing, the lifecycle operations and updates.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{Call, split_list};
use crate::http::{ApiError, FieldErrors, Reply, parse_bool, parse_int_field};
use crate::oauth::Caller;
use crate::state::machines::{Machine, address_for};
use crate::state::names::valid_hostname;
use crate::status::MachineStatus;

pub(crate) use super::allocate::allocate;

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

fn machine_reply(call: &Call<'_>, index: usize) -> Result<Reply, ApiError> {
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

/// Ubuntu release numbers, for `ubuntu/24.04` spellings and the default GA kernel.
const UBUNTU_RELEASES: &[(&str, &str)] = &[
    ("focal", "20.04"),
    ("jammy", "22.04"),
    ("noble", "24.04"),
    ("oracular", "24.10"),
    ("plucky", "25.04"),
    ("questing", "25.10"),
];

/// Resolve a `distro_series` (and optional `osystem`) against the boot images that can
/// deploy machine `arch`: `noble`, `ubuntu/noble`, `ubuntu/24.04`, `custom/rhcos-4.19` and
/// `rhcos-4.19` all work. Gives (osystem, series).
fn resolve_series(
    call: &Call<'_>,
    requested: &str,
    osystem: Option<&str>,
    arch: &str,
) -> Result<(String, String), ApiError> {
    let base_arch = arch.split('/').next().unwrap_or(arch);
    let mut available: Vec<(String, String)> = call
        .st
        .boot_resources
        .iter()
        .filter(|r| r.deployable() && r.architecture.split('/').next() == Some(base_arch))
        .map(|r| r.os_series())
        .collect();
    available.dedup();
    let (want_os, want_series) = match requested.split_once('/') {
        Some((os, series)) => (Some(os), series),
        None => (osystem, requested),
    };
    let version_of = |series: &str| {
        UBUNTU_RELEASES
            .iter()
            .find(|(name, _)| *name == series)
            .map(|(_, v)| *v)
    };
    available
        .iter()
        .find(|(os, series)| {
            want_os.is_none_or(|w| w == os)
                && (series == want_series || version_of(series) == Some(want_series))
        })
        .cloned()
        .ok_or_else(|| {
            let mut choices: Vec<String> = vec!["''".into()];
            choices.extend(available.iter().map(|(os, s)| format!("'{os}/{s}'")));
            ApiError::field(
                "distro_series",
                format!(
                    "'{requested}' is not a valid distro_series.  It should be one of: {}.",
                    choices.join(", ")
                ),
            )
        })
}

pub(crate) fn deploy(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Edit)?;
    let username = call.username().to_string();
    let status = call.st.machines[index].status;
    if status == MachineStatus::Ready {
        if let Some(owner) = &call.st.machines[index].owner
            && *owner != username
        {
            return Err(ApiError::conflict(
                "Can't allocate a machine belonging to another user.",
            ));
        }
    } else if !status.deployable() {
        return Err(ApiError::conflict(format!(
            "Can't deploy a machine that is in the '{}' state",
            status.name()
        )));
    }
    let requested = call
        .param("distro_series")
        .map_or_else(|| call.st.default_distro_series.clone(), str::to_string);
    let arch = call.st.machines[index].architecture.clone();
    let (osystem, series) = resolve_series(call, &requested, call.param("osystem"), &arch)?;
    let user_data = match call.param("user_data") {
        None => None,
        Some(encoded) => {
            let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
            Some(
                STANDARD
                    .decode(compact)
                    .map_err(|_| ApiError::bad_request("user_data must be base64-encoded."))?,
            )
        }
    };
    let hwe_kernel = call.param("hwe_kernel").map(str::to_string).or_else(|| {
        UBUNTU_RELEASES
            .iter()
            .find(|(name, _)| osystem == "ubuntu" && *name == series)
            .map(|(_, version)| format!("ga-{version}"))
    });
    let agent_name = call.param("agent_name").map(str::to_string);
    let at = call.now + call.opts.deploy_time;
    let m = &mut call.st.machines[index];
    if status == MachineStatus::Ready {
        m.owner = Some(username);
    }
    if let Some(agent_name) = agent_name {
        m.agent_name = agent_name;
    }
    m.osystem = osystem;
    m.distro_series = series;
    m.hwe_kernel = hwe_kernel;
    m.user_data = user_data;
    m.ip = Some(address_for(m.id));
    m.power_on = true;
    m.set_status_until(
        MachineStatus::Deploying,
        "Deploying",
        at,
        MachineStatus::Deployed,
    );
    machine_reply(call, index)
}

pub(crate) fn release(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Edit)?;
    let status = call.st.machines[index].status;
    if matches!(status, MachineStatus::Ready | MachineStatus::Releasing) {
        // Already released or on its way: MAAS treats a repeated release as success.
        return machine_reply(call, index);
    }
    if !status.releasable() {
        return Err(ApiError::conflict(format!(
            "Machine cannot be released in its current state ('{}').",
            status.name()
        )));
    }
    let at = call.now + call.opts.release_time;
    let m = &mut call.st.machines[index];
    m.power_on = false;
    m.set_status_until(
        MachineStatus::Releasing,
        "Releasing",
        at,
        MachineStatus::Ready,
    );
    machine_reply(call, index)
}

pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Admin)?;
    let system_id = call.st.machines[index].system_id.clone();
    let hosted: Vec<u32> = call
        .st
        .vm_hosts
        .iter()
        .filter(|h| h.host_system_id.as_deref() == Some(system_id.as_str()))
        .map(|h| h.id)
        .collect();
    if !hosted.is_empty() {
        if !parse_bool(call.param("force")) {
            return Err(ApiError::bad_request(format!(
                "Failed to delete machine {system_id}: it hosts a VM host; use force=1 to delete it and its VMs too."
            )));
        }
        call.st.vm_hosts.retain(|h| !hosted.contains(&h.id));
        call.st
            .machines
            .retain(|m| m.vm_host_id.is_none_or(|id| !hosted.contains(&id)));
    }
    // Deleting a VM decomposes it, which gives its resources back to the host.
    call.st.machines.retain(|m| m.system_id != system_id);
    Ok(Reply::Deleted)
}

fn set_power(call: &mut Call<'_>, on: bool) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Edit)?;
    call.st.machines[index].power_on = on;
    machine_reply(call, index)
}

pub(crate) fn power_on(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    set_power(call, true)
}

pub(crate) fn power_off(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    set_power(call, false)
}

pub(crate) fn query_power_state(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::View)?;
    let state = if call.st.machines[index].power_on {
        "on"
    } else {
        "off"
    };
    Ok(Reply::Json(json!({"state": state})))
}

pub(crate) fn commission(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Admin)?;
    let status = call.st.machines[index].status;
    use MachineStatus::*;
    if !matches!(
        status,
        New | Ready | Broken | FailedCommissioning | FailedTesting
    ) {
        return Err(ApiError::conflict(format!(
            "Machine cannot be commissioned in its current state ('{}').",
            status.name()
        )));
    }
    let at = call.now + call.opts.commission_time;
    let m = &mut call.st.machines[index];
    m.owner = None;
    m.set_status_until(Commissioning, "Commissioning", at, Ready);
    machine_reply(call, index)
}

pub(crate) fn mark_broken(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Edit)?;
    let message = call.param("comment").unwrap_or("Marked broken").to_string();
    call.st.machines[index].set_status(MachineStatus::Broken, message);
    machine_reply(call, index)
}

pub(crate) fn mark_fixed(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Admin)?;
    let m = &mut call.st.machines[index];
    if m.status != MachineStatus::Broken {
        return Err(ApiError::conflict(format!(
            "Machine cannot be marked fixed in its current state ('{}').",
            m.status.name()
        )));
    }
    m.reset_to_ready("Marked fixed");
    machine_reply(call, index)
}

pub(crate) fn abort(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Edit)?;
    let m = &mut call.st.machines[index];
    match m.status {
        MachineStatus::Deploying => {
            m.set_status(MachineStatus::Allocated, "Aborted deployment");
            m.power_on = false;
        }
        MachineStatus::Commissioning => m.set_status(MachineStatus::New, "Aborted commissioning"),
        other => {
            return Err(ApiError::conflict(format!(
                "Machine cannot be aborted in its current state ('{}').",
                other.name()
            )));
        }
    }
    machine_reply(call, index)
}

pub(crate) fn set_owner_data(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Edit)?;
    let pairs: Vec<(String, String)> = call
        .data
        .lists()
        .into_iter()
        .filter_map(|(k, v)| Some((k.to_string(), v.last()?.to_string())))
        .collect();
    let data = &mut call.st.machines[index].owner_data;
    for (key, value) in pairs {
        if value.is_empty() {
            data.remove(&key);
        } else {
            data.insert(key, value);
        }
    }
    machine_reply(call, index)
}

pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = machine_for(call, Perm::Admin)?;
    let mut errors = FieldErrors::default();
    let hostname = call.param("hostname").map(str::to_string);
    if let Some(hostname) = &hostname {
        if !valid_hostname(hostname) {
            errors.add("hostname", format!("Invalid hostname: {hostname}"));
        } else if call
            .st
            .machines
            .iter()
            .enumerate()
            .any(|(i, m)| i != index && m.hostname == *hostname)
        {
            errors.add(
                "hostname",
                format!("Node with hostname \"{hostname}\" already exists"),
            );
        }
    }
    let invalid_choice = "Select a valid choice. That choice is not one of the available choices.";
    let zone = call
        .param("zone")
        .map(|name| call.st.zone_named(name).map(|z| z.id));
    if let Some(None) = zone {
        errors.add("zone", invalid_choice);
    }
    let pool = call
        .param("pool")
        .map(|name| call.st.pool_named(name).map(|p| p.id));
    if let Some(None) = pool {
        errors.add("pool", invalid_choice);
    }
    let cpu_count = parse_int_field(
        &mut errors,
        "cpu_count",
        call.param("cpu_count"),
        Some(1),
        None,
    );
    let memory = parse_int_field(&mut errors, "memory", call.param("memory"), Some(1), None);
    errors.check()?;
    let description = call.data.get("description").map(str::to_string);
    let architecture = call.param("architecture").map(str::to_string);
    let m = &mut call.st.machines[index];
    if let Some(hostname) = hostname {
        m.hostname = hostname;
    }
    if let Some(description) = description {
        m.description = description;
    }
    if let Some(Some(zone)) = zone {
        m.zone_id = zone;
    }
    if let Some(Some(pool)) = pool {
        m.pool_id = pool;
    }
    if let Some(cpu_count) = cpu_count {
        m.cpu_count = cpu_count as u32;
    }
    if let Some(memory) = memory {
        m.memory = memory as u64;
    }
    if let Some(architecture) = architecture {
        m.architecture = architecture;
    }
    machine_reply(call, index)
}
