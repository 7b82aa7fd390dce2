//! The other lifecycle operations on one machine: delete, power, commission, mark broken or
//! fixed, abort, and the updates of owner data and fields.

use serde_json::json;

use super::{Perm, machine_for, machine_reply};
use crate::handlers::Call;
use crate::http::{ApiError, FieldErrors, Reply, parse_bool, parse_int_field};
use crate::state::names::valid_hostname;
use crate::status::MachineStatus;

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
