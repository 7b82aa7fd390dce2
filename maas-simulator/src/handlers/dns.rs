//! `dnsresources/` and `dnsresources/{id}/`: DNS names for addresses outside machines, such
//! as a cluster's API server endpoint. Follows MAAS 3.7's `DNSResourcesHandler`,
//! `DNSResourceHandler` and `DNSResourceForm`.

use std::net::IpAddr;

use serde_json::{Value, json};

use crate::API;
use crate::handlers::Call;
use crate::http::{ApiError, FieldErrors, Reply, parse_bool, parse_int_field};
use crate::state::SimState;
use crate::state::dns::{DnsResource, StaticIp, timestamp_now};
use crate::status::MachineStatus;

const REQUIRED: &str = "This field is required.";
/// `DNSResourceForm.address_ttl`'s upper bound.
const MAX_TTL: i64 = (1 << 31) - 1;
/// Names MAAS accepts besides a single DNS label.
const SPECIAL_NAMES: [&str; 3] = ["", "@", "*"];

/// One DNS label (MAAS's `LABEL`): letters, digits and inner hyphens, at most 63 characters.
fn is_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// MAAS's `separate_fqdn` for address records: `(name, domain)`. An fqdn naming a domain
/// becomes `@` in it; otherwise the first label is the name and the rest the domain.
fn separate_fqdn(st: &SimState, fqdn: &str) -> (String, Option<String>) {
    if SPECIAL_NAMES.contains(&fqdn) {
        return (fqdn.to_string(), None);
    }
    if st.domains.iter().any(|d| d.name == fqdn) {
        return ("@".to_string(), Some(fqdn.to_string()));
    }
    match fqdn.split_once('.') {
        Some((name, domain)) if is_label(name) && !domain.is_empty() => {
            (name.to_string(), Some(domain.to_string()))
        }
        _ => (fqdn.to_string(), None),
    }
}

/// A domain by id (all digits) or name, as `Domain.objects.get_domain_or_404` finds it.
fn domain_or_404(st: &SimState, key: &str) -> Result<u32, ApiError> {
    let found = if !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
        key.parse::<u32>().ok().and_then(|id| st.domain_by_id(id))
    } else {
        st.domains.iter().find(|d| d.name == key)
    };
    found
        .map(|d| d.id)
        .ok_or_else(|| ApiError::not_found("Domain"))
}

/// The resource as `DNSResourceHandler` shows it.
fn resource_json(st: &SimState, r: &DnsResource) -> Value {
    let fqdn = st
        .domain_by_id(r.domain_id)
        .map(|d| d.fqdn_of(&r.name))
        .unwrap_or_else(|| r.name.clone());
    let ips: Vec<Value> = r
        .ip_ids
        .iter()
        .filter_map(|id| st.static_ips.iter().find(|ip| ip.id == *id))
        .map(|ip| ip.json(st.user(&ip.owner).map(|u| u.json())))
        .collect();
    json!({
        "id": r.id,
        "fqdn": fqdn,
        "address_ttl": r.address_ttl,
        "ip_addresses": ips,
        "resource_records": [],
        "resource_uri": format!("{API}dnsresources/{}/", r.id),
    })
}

/// The implicit records MAAS lists with `all=true`: one per deployed machine with an address
/// in `domain_id` (every machine here is in the default domain), id -1.
fn synthetic_json(
    st: &SimState,
    domain_id: u32,
    name_filter: Option<&str>,
    rrtype: Option<&str>,
) -> Vec<Value> {
    let Some(domain) = st.domain_by_id(domain_id).filter(|d| d.id == 0) else {
        return Vec::new();
    };
    let mut nodes: Vec<_> = st
        .machines
        .iter()
        .filter(|m| matches!(m.status, MachineStatus::Deploying | MachineStatus::Deployed))
        .filter(|m| name_filter.is_none_or(|n| n == m.hostname))
        .filter_map(|m| Some((m, m.ip.as_ref()?.parse::<IpAddr>().ok()?)))
        .filter(|(_, ip)| rrtype.is_none_or(|t| t == if ip.is_ipv4() { "A" } else { "AAAA" }))
        .collect();
    nodes.sort_by(|a, b| a.0.hostname.cmp(&b.0.hostname));
    nodes
        .into_iter()
        .map(|(m, ip)| {
            let user_id = m
                .owner
                .as_ref()
                .and_then(|o| st.users.iter().position(|u| &u.username == o))
                .map(|i| i + 1);
            json!({
                "id": -1,
                "fqdn": domain.fqdn_of(&m.hostname),
                "address_ttl": null,
                "ip_addresses": null,
                "resource_records": [{
                    "system_id": m.system_id,
                    "node_type": 0,
                    "user_id": user_id,
                    "dnsresource_id": null,
                    "ttl": null,
                    "rrtype": if ip.is_ipv4() { "A" } else { "AAAA" },
                    "rrdata": ip.to_string(),
                    "dnsdata_id": null,
                }],
                "resource_uri": format!("{API}dnsresources/-1/"),
            })
        })
        .collect()
}

/// `GET dnsresources/`: filter by `domain`, `name`, `rrtype`, or `fqdn` (used only when
/// neither `domain` nor `name` is given); `all=true` adds the machines' implicit records.
pub(crate) fn list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let st = &*call.st;
    let data = &call.data;
    let mut name = data.get("name").map(str::to_string);
    let mut domain = data.get("domain").map(str::to_string);
    let rrtype = data.get("rrtype").map(str::to_ascii_uppercase);
    let all = parse_bool(data.get("all"));
    if domain.is_none()
        && name.is_none()
        && let Some(fqdn) = data.get("fqdn")
    {
        (name, domain) = {
            let (n, d) = separate_fqdn(st, fqdn);
            (Some(n), d)
        };
    }
    let domain_id = domain
        .as_deref()
        .map(|d| domain_or_404(st, d))
        .transpose()?;
    let mut found: Vec<&DnsResource> = st
        .dns_resources
        .iter()
        .filter(|r| domain_id.is_none_or(|id| r.domain_id == id))
        .filter(|r| name.as_deref().is_none_or(|n| r.name == n))
        // Address records are not `DNSData`, so an rrtype filter matches none of them.
        .filter(|_| rrtype.is_none())
        .collect();
    found.sort_by(|a, b| (a.domain_id, &a.name).cmp(&(b.domain_id, &b.name)));
    let mut out = Vec::new();
    if all {
        // Each domain's implicit records come before its first explicit one; domains
        // without explicit records follow.
        let domains: Vec<u32> = match domain_id {
            Some(id) => vec![id],
            None => st.domains.iter().map(|d| d.id).collect(),
        };
        let mut visited = Vec::new();
        for r in &found {
            if !visited.contains(&r.domain_id) {
                visited.push(r.domain_id);
                out.extend(synthetic_json(
                    st,
                    r.domain_id,
                    name.as_deref(),
                    rrtype.as_deref(),
                ));
            }
            out.push(resource_json(st, r));
        }
        for id in domains.into_iter().filter(|id| !visited.contains(id)) {
            out.extend(synthetic_json(st, id, name.as_deref(), rrtype.as_deref()));
        }
    } else {
        out.extend(found.iter().map(|r| resource_json(st, r)));
    }
    Ok(Reply::Json(Value::Array(out)))
}

/// What `DNSResourceForm` makes of the request, checked against the current resource when
/// updating.
struct Cleaned {
    name: String,
    domain_id: u32,
    address_ttl: Option<u32>,
    /// `None`: leave the addresses as they are.
    ips: Option<Vec<IpChoice>>,
}

enum IpChoice {
    Existing(u32),
    New(IpAddr),
}

/// The shared part of create and update: fqdn expansion, domain lookup (404 when unknown),
/// then the form's field checks. `current` is the resource being updated.
fn clean(call: &Call<'_>, current: Option<&DnsResource>) -> Result<Cleaned, ApiError> {
    let st = &*call.st;
    let data = &call.data;
    let mut name = data.get("name").map(str::to_string);
    let mut domain = data.get("domain").map(str::to_string);
    if domain.is_none()
        && name.is_none()
        && let Some(fqdn) = data.get("fqdn")
    {
        let (n, d) = separate_fqdn(st, fqdn);
        name = Some(n);
        domain = d;
    }
    let domain_id = domain
        .as_deref()
        .map(|d| domain_or_404(st, d))
        .transpose()?;
    // On update, what the request leaves out keeps its current value.
    let name = name.or_else(|| current.map(|r| r.name.clone()));
    let domain_id = domain_id.or(current.map(|r| r.domain_id));

    let mut errors = FieldErrors::default();
    let name = match name.map(|n| n.trim().to_string()) {
        Some(n) if !n.is_empty() => Some(n),
        _ => {
            errors.add("name", REQUIRED);
            None
        }
    };
    if domain_id.is_none() {
        errors.add("domain", REQUIRED);
    }
    let address_ttl = if data.contains("address_ttl") {
        parse_int_field(
            &mut errors,
            "address_ttl",
            data.get("address_ttl"),
            Some(0),
            Some(MAX_TTL),
        )
        .map(|ttl| ttl as u32)
    } else {
        current.and_then(|r| r.address_ttl)
    };
    let mut ips = None;
    if let Some(raw) = data.get("ip_addresses") {
        let mut choices = Vec::new();
        for item in raw.split_whitespace() {
            if item.bytes().all(|b| b.is_ascii_digit()) {
                match item
                    .parse::<u32>()
                    .ok()
                    .filter(|id| st.static_ips.iter().any(|ip| ip.id == *id))
                {
                    Some(id) => choices.push(IpChoice::Existing(id)),
                    None => errors.add(
                        "ip_addresses",
                        format!(
                            "Select a valid choice. {item} is not one of the available choices."
                        ),
                    ),
                }
            } else if let Ok(ip) = item.parse::<IpAddr>() {
                match st.static_ips.iter().find(|s| s.ip == ip) {
                    Some(existing) => choices.push(IpChoice::Existing(existing.id)),
                    None => choices.push(IpChoice::New(ip)),
                }
            } else {
                errors.add(
                    "ip_addresses",
                    format!("\u{201c}{item}\u{201d} is not a valid value."),
                );
            }
        }
        ips = Some(choices);
    }
    errors.check()?;
    let name = name.unwrap_or_default();
    let domain_id = domain_id.unwrap_or_default();
    // The form's clean(): addresses need a name that is one label (or special).
    if ips.is_some() && !SPECIAL_NAMES.contains(&name.as_str()) && !is_label(&name) {
        return Err(ApiError::field(
            "__all__",
            format!("Invalid dnsresource name: {name}."),
        ));
    }
    // The model's clean(): a new label must be unique in its domain.
    if current.is_none()
        && st
            .dns_resources
            .iter()
            .any(|r| r.name == name && r.domain_id == domain_id)
    {
        return Err(ApiError::field(
            "__all__",
            "Labels must be unique within their zone.",
        ));
    }
    Ok(Cleaned {
        name,
        domain_id,
        address_ttl,
        ips,
    })
}

/// Resolve cleaned addresses to static IP ids, reserving new addresses for the caller.
fn resolve_ips(call: &mut Call<'_>, choices: Vec<IpChoice>) -> Vec<u32> {
    let owner = call.username().to_string();
    let mut ids = Vec::new();
    for choice in choices {
        let id = match choice {
            IpChoice::Existing(id) => id,
            IpChoice::New(ip) => match call.st.static_ips.iter().find(|s| s.ip == ip) {
                Some(existing) => existing.id,
                None => {
                    let id = call.st.seq.next_static_ip();
                    call.st.static_ips.push(StaticIp {
                        id,
                        ip,
                        owner: owner.clone(),
                        created: timestamp_now(),
                    });
                    id
                }
            },
        };
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// Drop user-reserved addresses no DNS resource points at any more (MAAS deletes them with
/// the resource when nothing else uses them).
fn release_unused_ips(st: &mut SimState) {
    let used: Vec<u32> = st
        .dns_resources
        .iter()
        .flat_map(|r| r.ip_ids.iter().copied())
        .collect();
    st.static_ips.retain(|ip| used.contains(&ip.id));
}

/// `POST dnsresources/` (admin): `fqdn`, or `name` and `domain`; `address_ttl`;
/// `ip_addresses` (space-separated addresses or ids).
pub(crate) fn create(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let cleaned = clean(call, None)?;
    let ip_ids = match cleaned.ips {
        Some(choices) => resolve_ips(call, choices),
        None => Vec::new(),
    };
    let resource = DnsResource {
        id: call.st.seq.next_dns_resource(),
        name: cleaned.name,
        domain_id: cleaned.domain_id,
        address_ttl: cleaned.address_ttl,
        ip_ids,
    };
    let json = resource_json(call.st, &resource);
    call.st.dns_resources.push(resource);
    Ok(Reply::Json(json))
}

/// The resource named by the path's `{id}`: MAAS's specifiers accept an id or a name.
fn resource_index(call: &Call<'_>) -> Result<usize, ApiError> {
    let key = call.path_param("id");
    let by_id = key.parse::<u32>().ok();
    call.st
        .dns_resources
        .iter()
        .position(|r| by_id.map_or(r.name == key, |id| r.id == id))
        .ok_or_else(|| ApiError::not_found("DNSResource"))
}

pub(crate) fn read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = resource_index(call)?;
    Ok(Reply::Json(resource_json(
        call.st,
        &call.st.dns_resources[index],
    )))
}

/// `PUT dnsresources/{id}/` (admin): the create parameters; what is left out keeps its value.
pub(crate) fn update(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = resource_index(call)?;
    if !call.caller()?.is_admin {
        return Err(ApiError::permission_denied());
    }
    let current = call.st.dns_resources[index].clone();
    let cleaned = clean(call, Some(&current))?;
    let ip_ids = cleaned.ips.map(|choices| resolve_ips(call, choices));
    let resource = &mut call.st.dns_resources[index];
    resource.name = cleaned.name;
    resource.domain_id = cleaned.domain_id;
    resource.address_ttl = cleaned.address_ttl;
    if let Some(ids) = ip_ids {
        resource.ip_ids = ids;
    }
    release_unused_ips(call.st);
    Ok(Reply::Json(resource_json(
        call.st,
        &call.st.dns_resources[index],
    )))
}

/// `DELETE dnsresources/{id}/` (admin); its addresses go with it unless still used.
pub(crate) fn delete(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let index = resource_index(call)?;
    if !call.caller()?.is_admin {
        return Err(ApiError::permission_denied());
    }
    call.st.dns_resources.remove(index);
    release_unused_ips(call.st);
    Ok(Reply::Deleted)
}

/// A domain with its count of address records.
fn domain_json(st: &SimState, id: u32) -> Option<Value> {
    let domain = st.domain_by_id(id)?;
    let records = st
        .dns_resources
        .iter()
        .filter(|r| r.domain_id == id)
        .map(|r| r.ip_ids.len())
        .sum();
    Some(domain.json(records))
}

/// `GET domains/`: the default domain first, then by id.
pub(crate) fn domains_list(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let st = &*call.st;
    let all = st.domains.iter().filter_map(|d| domain_json(st, d.id));
    Ok(Reply::Json(all.collect()))
}

/// `GET domains/{id}/`.
pub(crate) fn domain_read(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let id = call
        .path_param("id")
        .parse::<u32>()
        .map_err(|_| ApiError::not_found("Domain"))?;
    domain_json(call.st, id)
        .map(Reply::Json)
        .ok_or_else(|| ApiError::not_found("Domain"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert!(is_label("api"));
        assert!(is_label("k8s-api-1"));
        assert!(!is_label("-api"));
        assert!(!is_label("a.b"));
        assert!(!is_label("under_score"));
        assert!(!is_label(&"a".repeat(64)));
    }
}
