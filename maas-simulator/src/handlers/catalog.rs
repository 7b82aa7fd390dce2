//! Zones, resource pools, tags and boot resources.

use serde_json::{Value, json};

use super::machines::visible;
use super::{Call, split_list};
use crate::http::{ApiError, FieldErrors, Reply};
use crate::inventory::BootResourceType;
use crate::state::catalog::{Pool, Tag, Zone};

fn required_name(call: &Call<'_>, errors: &mut FieldErrors) -> Option<String> {
    let name = call.param("name").map(|n| n.trim().to_string());
    if name.is_none() {
        errors.add("name", "This field is required.");
    }
    name
}

// Zones.

pub(crate) fn zones_list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    Ok(Reply::Json(call.st.zones.iter().map(Zone::json).collect()))
}

fn zone_index(call: &Call<'_>) -> Result<usize, ApiError> {
    let name = call.path_param("name");
    call.st
        .zones
        .iter()
        .position(|z| z.name == name)
        .ok_or_else(|| ApiError::not_found("Zone"))
}

pub(crate) fn zone_read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = zone_index(call)?;
    Ok(Reply::Json(call.st.zones[index].json()))
}

pub(crate) fn zone_create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut errors = FieldErrors::default();
    let name = required_name(call, &mut errors);
    if let Some(name) = &name
        && call.st.zone_named(name).is_some()
    {
        errors.add("name", "Zone with this Name already exists.");
    }
    errors.check()?;
    let zone = Zone {
        id: call.st.seq.next_zone(),
        name: name.unwrap_or_default(),
        description: call.param("description").unwrap_or_default().to_string(),
    };
    let json = zone.json();
    call.st.zones.push(zone);
    Ok(Reply::Json(json))
}

pub(crate) fn zone_update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = zone_index(call)?;
    if let Some(name) = call.param("name") {
        if call
            .st
            .zones
            .iter()
            .enumerate()
            .any(|(i, z)| i != index && z.name == name)
        {
            return Err(ApiError::field(
                "name",
                "Zone with this Name already exists.",
            ));
        }
        if call.st.zones[index].name == "default" && name != "default" {
            return Err(ApiError::bad_request(
                "This zone is the default zone, it cannot be renamed.",
            ));
        }
        call.st.zones[index].name = name.to_string();
    }
    if let Some(description) = call.data.get("description") {
        call.st.zones[index].description = description.to_string();
    }
    Ok(Reply::Json(call.st.zones[index].json()))
}

pub(crate) fn zone_delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = zone_index(call)?;
    if call.st.zones[index].name == "default" {
        return Err(ApiError::bad_request(
            "This zone is the default zone, it cannot be deleted.",
        ));
    }
    // MAAS moves whatever was in a deleted zone to the default zone.
    let gone = call.st.zones.remove(index).id;
    let default = call.st.default_zone_id();
    for m in call.st.machines.iter_mut().filter(|m| m.zone_id == gone) {
        m.zone_id = default;
    }
    for h in call.st.vm_hosts.iter_mut().filter(|h| h.zone_id == gone) {
        h.zone_id = default;
    }
    Ok(Reply::Deleted)
}

// Resource pools.

pub(crate) fn pools_list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    Ok(Reply::Json(call.st.pools.iter().map(Pool::json).collect()))
}

fn pool_index(call: &Call<'_>) -> Result<usize, ApiError> {
    let id: Option<u32> = call.path_param("id").parse().ok();
    call.st
        .pools
        .iter()
        .position(|p| Some(p.id) == id)
        .ok_or_else(|| ApiError::not_found("ResourcePool"))
}

pub(crate) fn pool_read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = pool_index(call)?;
    Ok(Reply::Json(call.st.pools[index].json()))
}

pub(crate) fn pool_create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut errors = FieldErrors::default();
    let name = required_name(call, &mut errors);
    if let Some(name) = &name
        && call.st.pool_named(name).is_some()
    {
        errors.add("name", "Resource pool with this Name already exists.");
    }
    errors.check()?;
    let pool = Pool {
        id: call.st.seq.next_pool(),
        name: name.unwrap_or_default(),
        description: call.param("description").unwrap_or_default().to_string(),
    };
    let json = pool.json();
    call.st.pools.push(pool);
    Ok(Reply::Json(json))
}

pub(crate) fn pool_update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = pool_index(call)?;
    if let Some(name) = call.param("name") {
        if call
            .st
            .pools
            .iter()
            .enumerate()
            .any(|(i, p)| i != index && p.name == name)
        {
            return Err(ApiError::field(
                "name",
                "Resource pool with this Name already exists.",
            ));
        }
        call.st.pools[index].name = name.to_string();
    }
    if let Some(description) = call.data.get("description") {
        call.st.pools[index].description = description.to_string();
    }
    Ok(Reply::Json(call.st.pools[index].json()))
}

pub(crate) fn pool_delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = pool_index(call)?;
    let id = call.st.pools[index].id;
    if id == call.st.default_pool_id() {
        return Err(ApiError::bad_request(
            "This is the default pool, it cannot be deleted.",
        ));
    }
    if call.st.machines.iter().any(|m| m.pool_id == id)
        || call.st.vm_hosts.iter().any(|h| h.pool_id == id)
    {
        return Err(ApiError::bad_request(
            "Cannot delete a resource pool that still has machines or VM hosts in it.",
        ));
    }
    call.st.pools.remove(index);
    Ok(Reply::Deleted)
}

// Tags.

fn valid_tag_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub(crate) fn tags_list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    Ok(Reply::Json(call.st.tags.iter().map(Tag::json).collect()))
}

fn tag_index(call: &Call<'_>) -> Result<usize, ApiError> {
    let name = call.path_param("name");
    call.st
        .tags
        .iter()
        .position(|t| t.name == name)
        .ok_or_else(|| ApiError::not_found("Tag"))
}

pub(crate) fn tag_read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = tag_index(call)?;
    Ok(Reply::Json(call.st.tags[index].json()))
}

pub(crate) fn tag_create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let mut errors = FieldErrors::default();
    let name = required_name(call, &mut errors);
    if let Some(name) = &name {
        if !valid_tag_name(name) {
            errors.add("name", "Invalid character in the tag name.");
        } else if call.st.tags.iter().any(|t| &t.name == name) {
            errors.add("name", "Tag with this Name already exists.");
        }
    }
    errors.check()?;
    let text = |key| call.data.get(key).unwrap_or_default().to_string();
    let tag = Tag {
        name: name.unwrap_or_default(),
        comment: text("comment"),
        definition: text("definition"),
        kernel_opts: text("kernel_opts"),
    };
    let json = tag.json();
    call.st.tags.push(tag);
    Ok(Reply::Json(json))
}

pub(crate) fn tag_update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = tag_index(call)?;
    if let Some(name) = call.param("name").map(str::to_string) {
        if !valid_tag_name(&name) {
            return Err(ApiError::field(
                "name",
                "Invalid character in the tag name.",
            ));
        }
        if call
            .st
            .tags
            .iter()
            .enumerate()
            .any(|(i, t)| i != index && t.name == name)
        {
            return Err(ApiError::field(
                "name",
                "Tag with this Name already exists.",
            ));
        }
        let old = std::mem::replace(&mut call.st.tags[index].name, name.clone());
        for m in &mut call.st.machines {
            for tag in m.tags.iter_mut().filter(|t| **t == old) {
                *tag = name.to_string();
            }
        }
    }
    for key in ["comment", "definition", "kernel_opts"] {
        if let Some(value) = call.data.get(key) {
            let tag = &mut call.st.tags[index];
            let field = match key {
                "comment" => &mut tag.comment,
                "definition" => &mut tag.definition,
                _ => &mut tag.kernel_opts,
            };
            *field = value.to_string();
        }
    }
    Ok(Reply::Json(call.st.tags[index].json()))
}

pub(crate) fn tag_delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = tag_index(call)?;
    let name = call.st.tags.remove(index).name;
    for m in &mut call.st.machines {
        m.tags.retain(|t| *t != name);
    }
    Ok(Reply::Deleted)
}

pub(crate) fn tag_machines(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = tag_index(call)?;
    let name = call.st.tags[index].name.clone();
    let st = &*call.st;
    let machines: Vec<Value> = st
        .machines
        .iter()
        .filter(|m| m.tags.contains(&name) && visible(call.caller.as_ref(), m))
        .map(|m| st.machine_json(m))
        .collect();
    Ok(Reply::Json(Value::Array(machines)))
}

pub(crate) fn tag_update_nodes(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = tag_index(call)?;
    let name = call.st.tags[index].name.clone();
    let add = split_list(call.data.get_all("add"));
    let remove = split_list(call.data.get_all("remove"));
    let unknown: Vec<&String> = add
        .iter()
        .chain(&remove)
        .filter(|id| call.st.machine(id).is_none())
        .collect();
    if !unknown.is_empty() {
        let list: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        return Err(ApiError::bad_request(format!(
            "Unknown node(s): {}.",
            list.join(", ")
        )));
    }
    let (mut added, mut removed) = (0, 0);
    for m in &mut call.st.machines {
        if add.contains(&m.system_id) && !m.tags.contains(&name) {
            m.tags.push(name.clone());
            added += 1;
        }
        if remove.contains(&m.system_id) && m.tags.contains(&name) {
            m.tags.retain(|t| *t != name);
            removed += 1;
        }
    }
    Ok(Reply::Json(json!({"added": added, "removed": removed})))
}

// Boot resources.

pub(crate) fn boot_resources_list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let kind = match call.param("type") {
        None => None,
        Some("synced") => Some(BootResourceType::Synced),
        Some("uploaded") => Some(BootResourceType::Uploaded),
        Some("generated") => Some(BootResourceType::Generated),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "'{other}' is not a valid type. It should be one of: synced, uploaded, generated."
            )));
        }
    };
    let list: Vec<Value> = call
        .st
        .boot_resources
        .iter()
        .filter(|r| kind.is_none_or(|k| r.kind == k))
        .map(|r| r.json())
        .collect();
    Ok(Reply::Json(Value::Array(list)))
}

pub(crate) fn boot_resource_read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id: Option<u32> = call.path_param("id").parse().ok();
    let resource = call
        .st
        .boot_resources
        .iter()
        .find(|r| Some(r.id) == id)
        .ok_or_else(|| ApiError::not_found("BootResource"))?;
    Ok(Reply::Json(resource.detail_json()))
}

pub(crate) fn boot_resources_is_importing(_: &mut Call<'_>) -> Result<Reply, ApiError> {
    Ok(Reply::Json(Value::Bool(false)))
}
