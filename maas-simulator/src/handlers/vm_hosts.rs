//! `vm-hosts/` and `pods/` (the same handlers at two paths; `resource_uri` follows the path).

use serde_json::{Value, json};

use super::{Call, compose, split_list};
use crate::http::{ApiError, FieldErrors, Reply};
use crate::inventory::VmHostType;
use crate::state::vm_hosts::{StoragePool, VmHost};
use crate::state::{CONSOLE_LOGGING_KERNEL_OPTS, CONSOLE_LOGGING_TAG};

/// What "discovery" finds on a newly registered host: the simulator has no real hypervisor.
const NEW_HOST_CORES: u32 = 16;
const NEW_HOST_MEMORY: u64 = 65_536;
const NEW_HOST_STORAGE: u64 = 500_000_000_000;

const MACVLAN_MODES: &[&str] = &["", "bridge", "passthru", "private", "vepa"];
const INVALID_CHOICE: &str =
    "Select a valid choice. That choice is not one of the available choices.";

fn host_index(call: &Call<'_>) -> Result<usize, ApiError> {
    let id: Option<u32> = call.path_param("id").parse().ok();
    call.st
        .vm_hosts
        .iter()
        .position(|h| Some(h.id) == id)
        .ok_or_else(|| ApiError::not_found("Pod"))
}

fn host_reply(call: &Call<'_>, index: usize) -> Result<Reply, ApiError> {
    let base = call.resource.base();
    Ok(Reply::Json(
        call.st.vm_host_json(&call.st.vm_hosts[index], base),
    ))
}

pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let base = call.resource.base();
    let hosts: Vec<Value> = call
        .st
        .vm_hosts
        .iter()
        .map(|h| call.st.vm_host_json(h, base))
        .collect();
    Ok(Reply::Json(Value::Array(hosts)))
}

pub(crate) fn read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = host_index(call)?;
    host_reply(call, index)
}

/// Django `FloatField(min_value=0, max_value=10)` for the over-commit ratios.
fn ratio(call: &Call<'_>, errors: &mut FieldErrors, field: &str) -> Option<f64> {
    let raw = call.param(field)?;
    match raw.trim().parse::<f64>() {
        Ok(value) if value > 10.0 => {
            errors.add(field, "Ensure this value is less than or equal to 10.");
            None
        }
        Ok(value) if value < 0.0 => {
            errors.add(field, "Ensure this value is greater than or equal to 0.");
            None
        }
        Ok(value) if value.is_finite() => Some(value),
        _ => {
            errors.add(field, "Enter a number.");
            None
        }
    }
}

/// Settings shared by create and update, validated together.
struct Settings {
    zone_id: Option<u32>,
    pool_id: Option<u32>,
    tags: Option<Vec<String>>,
    cpu_ratio: Option<f64>,
    memory_ratio: Option<f64>,
    macvlan: Option<String>,
}

fn settings(call: &Call<'_>, errors: &mut FieldErrors) -> Settings {
    let zone_id = call.param("zone").and_then(|name| {
        let id = call.st.zone_named(name).map(|z| z.id);
        if id.is_none() {
            errors.add("zone", INVALID_CHOICE);
        }
        id
    });
    let pool_id = call.param("pool").and_then(|name| {
        let id = call.st.pool_named(name).map(|p| p.id);
        if id.is_none() {
            errors.add("pool", INVALID_CHOICE);
        }
        id
    });
    let tags = call
        .data
        .contains("tags")
        .then(|| split_list(call.data.get_all("tags")));
    let macvlan = call.data.get("default_macvlan_mode").map(str::to_string);
    if let Some(mode) = &macvlan
        && !MACVLAN_MODES.contains(&mode.as_str())
    {
        errors.add(
            "default_macvlan_mode",
            format!("Select a valid choice. {mode} is not one of the available choices."),
        );
    }
    Settings {
        zone_id,
        pool_id,
        tags,
        cpu_ratio: ratio(call, errors, "cpu_over_commit_ratio"),
        memory_ratio: ratio(call, errors, "memory_over_commit_ratio"),
        macvlan,
    }
}

fn apply(host: &mut VmHost, settings: Settings) {
    if let Some(zone) = settings.zone_id {
        host.zone_id = zone;
    }
    if let Some(pool) = settings.pool_id {
        host.pool_id = pool;
    }
    if let Some(mut tags) = settings.tags {
        // MAAS keeps the console-logging tag on every VM host.
        if !tags.iter().any(|t| t == CONSOLE_LOGGING_TAG) {
            tags.push(CONSOLE_LOGGING_TAG.to_string());
        }
        host.tags = tags;
    }
    if let Some(ratio) = settings.cpu_ratio {
        host.cpu_over_commit_ratio = ratio;
    }
    if let Some(ratio) = settings.memory_ratio {
        host.memory_over_commit_ratio = ratio;
    }
    if let Some(mode) = settings.macvlan {
        host.default_macvlan_mode = (!mode.is_empty()).then_some(mode);
    }
}

pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut errors = FieldErrors::default();
    let kind = match call.param("type") {
        None => {
            errors.add("type", "This field is required.");
            None
        }
        Some("lxd") => Some(VmHostType::Lxd),
        Some("virsh") => Some(VmHostType::Virsh),
        Some(other) => {
            errors.add(
                "type",
                format!("Select a valid choice. {other} is not one of the available choices."),
            );
            None
        }
    };
    let power_address = call.param("power_address").map(str::to_string);
    if power_address.is_none() {
        errors.add("power_address", "This field is required.");
    }
    let name = call.param("name").map(str::to_string);
    if let Some(name) = &name
        && call.st.vm_hosts.iter().any(|h| &h.name == name)
    {
        errors.add("name", "Pod with this Name already exists.");
    }
    let settings = settings(call, &mut errors);
    errors.check()?;
    let (Some(kind), Some(power_address)) = (kind, power_address) else {
        unreachable!("missing type or power_address is reported above");
    };
    let project = call.param("project").unwrap_or("default").to_string();
    if call.st.vm_hosts.iter().any(|h| {
        h.kind == kind
            && h.power_address == power_address
            && (kind == VmHostType::Virsh || h.project.as_deref() == Some(&project))
    }) {
        return Err(ApiError::field(
            "__all__",
            format!(
                "Pod {} with type and parameters already exist.",
                name.as_deref().unwrap_or(&power_address)
            ),
        ));
    }
    let certificate = call.param("certificate").map(str::to_string);
    let key = call.param("key").map(str::to_string);
    if kind == VmHostType::Lxd && call.param("password").is_none() && certificate.is_none() {
        // MAAS would generate a certificate that the LXD host does not trust yet.
        return Err(ApiError::pod_problem(
            "Failed talking to VM host: Failed to authenticate to the VM host.",
        ));
    }

    let name = name.unwrap_or_else(|| call.st.new_hostname());
    call.st
        .ensure_tag(CONSOLE_LOGGING_TAG, CONSOLE_LOGGING_KERNEL_OPTS);
    let mut host = VmHost {
        id: call.st.seq.next_vm_host(),
        name,
        kind,
        power_address,
        project: (kind == VmHostType::Lxd).then_some(project),
        // MAAS drops the LXD trust password once the host trusts its certificate.
        password: None,
        certificate,
        key,
        power_pass: call.param("power_pass").map(str::to_string),
        zone_id: call.st.default_zone_id(),
        pool_id: call.st.default_pool_id(),
        tags: vec![CONSOLE_LOGGING_TAG.to_string()],
        architectures: vec!["amd64/generic".into()],
        version: match kind {
            VmHostType::Lxd => "5.21.2".into(),
            VmHostType::Virsh => "8.0.0".into(),
        },
        cores: NEW_HOST_CORES,
        memory: NEW_HOST_MEMORY,
        cpu_speed: 2000,
        cpu_over_commit_ratio: 1.0,
        memory_over_commit_ratio: 1.0,
        storage_pools: vec![StoragePool {
            pool_id: "default".into(),
            name: "default".into(),
            kind: "dir".into(),
            path: match kind {
                VmHostType::Lxd => "/var/snap/lxd/common/lxd/storage-pools/default".into(),
                VmHostType::Virsh => "/var/lib/libvirt/images".into(),
            },
            total: NEW_HOST_STORAGE,
        }],
        default_storage_pool: Some("default".into()),
        default_macvlan_mode: None,
        host_system_id: None,
    };
    apply(&mut host, settings);
    call.st.vm_hosts.push(host);
    host_reply(call, call.st.vm_hosts.len() - 1)
}

pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = host_index(call)?;
    let mut errors = FieldErrors::default();
    let host = &call.st.vm_hosts[index];
    if let Some(kind) = call.param("type")
        && kind != host.kind.as_str()
    {
        errors.add(
            "type",
            "Cannot change the type of a pod. Delete and re-create the pod with a different type.",
        );
    }
    let name = call.param("name").map(str::to_string);
    if let Some(name) = &name
        && call
            .st
            .vm_hosts
            .iter()
            .any(|h| h.id != host.id && &h.name == name)
    {
        errors.add("name", "Pod with this Name already exists.");
    }
    let default_pool = call.param("default_storage_pool").map(str::to_string);
    if let Some(pool) = &default_pool
        && !host
            .storage_pools
            .iter()
            .any(|p| &p.pool_id == pool || &p.name == pool)
    {
        errors.add("default_storage_pool", INVALID_CHOICE);
    }
    let settings = settings(call, &mut errors);
    errors.check()?;
    let text = |key: &str| call.param(key).map(str::to_string);
    let (power_address, power_pass, certificate, key, project) = (
        text("power_address"),
        text("power_pass"),
        text("certificate"),
        text("key"),
        text("project"),
    );
    let host = &mut call.st.vm_hosts[index];
    if let Some(name) = name {
        host.name = name;
    }
    if let Some(pool) = default_pool {
        host.default_storage_pool = host
            .storage_pools
            .iter()
            .find(|p| p.pool_id == pool || p.name == pool)
            .map(|p| p.name.clone());
    }
    if let Some(address) = power_address {
        host.power_address = address;
    }
    if power_pass.is_some() {
        host.power_pass = power_pass;
    }
    if certificate.is_some() {
        host.certificate = certificate;
    }
    if key.is_some() {
        host.key = key;
    }
    if project.is_some() && host.kind == VmHostType::Lxd {
        host.project = project;
    }
    apply(host, settings);
    host_reply(call, index)
}

/// Delete the host. MAAS removes its machines from the database either way; `decompose`
/// decides whether their VMs are destroyed on the hypervisor too.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = host_index(call)?;
    let id = call.st.vm_hosts.remove(index).id;
    call.st.machines.retain(|m| m.vm_host_id != Some(id));
    Ok(Reply::Deleted)
}

pub(crate) fn compose(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = host_index(call)?;
    let host = call.st.vm_hosts[index].clone();
    let request = compose::parse_request(call.st, &host, &call.data)?;
    let system_id = compose::compose(call.st, host.id, &request, call.now, call.opts)?;
    Ok(Reply::Json(json!({
        "system_id": system_id,
        "resource_uri": format!("{}machines/{system_id}/", crate::API),
    })))
}

pub(crate) fn parameters(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = host_index(call)?;
    Ok(Reply::Json(call.st.vm_hosts[index].parameters_json()))
}

pub(crate) fn refresh(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    // Nothing changes behind the simulator's back, so rediscovery finds what we know.
    let index = host_index(call)?;
    host_reply(call, index)
}

fn tag_param(call: &Call<'_>) -> Result<String, ApiError> {
    let tag = call
        .param("tag")
        .ok_or_else(|| ApiError::bad_request("No provided tag!"))?;
    if tag.contains(',') {
        return Err(ApiError::bad_request("Tag may not contain a \",\"."));
    }
    Ok(tag.to_string())
}

pub(crate) fn add_tag(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = host_index(call)?;
    let tag = tag_param(call)?;
    let host = &mut call.st.vm_hosts[index];
    if !host.tags.contains(&tag) {
        host.tags.push(tag);
    }
    host_reply(call, index)
}

pub(crate) fn remove_tag(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = host_index(call)?;
    let tag = tag_param(call)?;
    call.st.vm_hosts[index].tags.retain(|t| *t != tag);
    host_reply(call, index)
}
