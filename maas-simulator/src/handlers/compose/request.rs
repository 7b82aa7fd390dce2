//! The compose request: MAAS's storage and interface constraint syntaxes, and the checks
//! `ComposeMachineForm` makes against the host before anything is composed.

use crate::body::Form;
use crate::http::{ApiError, FieldErrors, parse_bool, parse_int_field};
use crate::state::SimState;
use crate::state::names::valid_hostname;
use crate::state::vm_hosts::VmHost;

/// MAAS's compose defaults: 1 core, 2048 MiB, one 8 GB disk tagged `local`.
const DEFAULT_CORES: i64 = 1;
const DEFAULT_MEMORY: i64 = 2048;
const DEFAULT_STORAGE: &str = "root:8(local)";
const MIN_MEMORY: i64 = 1024;

/// One disk of a storage constraint (`label:size(tag,tag)`), size in bytes.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DiskRequest {
    pub label: Option<String>,
    pub size: u64,
    pub tags: Vec<String>,
}

/// Parse `label:sizeGB(tag,...),...`; sizes are decimal GB as in MAAS.
pub(crate) fn parse_storage(text: &str) -> Result<Vec<DiskRequest>, ApiError> {
    let malformed = || {
        ApiError::field(
            "storage",
            format!("Malformed storage constraint, \"{text}\"."),
        )
    };
    let mut items = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&text[start..]);
    items
        .into_iter()
        .map(|item| {
            let item = item.trim();
            let (label, rest) = match item.split_once(':') {
                Some((label, rest))
                    if !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric()) =>
                {
                    (Some(label.to_string()), rest)
                }
                Some(_) => return Err(malformed()),
                None => (None, item),
            };
            let (size, tags) = match rest.split_once('(') {
                Some((size, tags)) => {
                    let tags = tags.strip_suffix(')').ok_or_else(malformed)?;
                    let tags: Vec<String> = tags
                        .split(',')
                        .map(|t| t.trim().to_string())
                        .filter(|t| !t.is_empty())
                        .collect();
                    (size, tags)
                }
                None => (rest, Vec::new()),
            };
            let size: f64 = size.trim().parse().map_err(|_| malformed())?;
            if !(size.is_finite() && size > 0.0) {
                return Err(malformed());
            }
            Ok(DiskRequest {
                label,
                size: (size * 1e9) as u64,
                tags,
            })
        })
        .collect()
}

/// One labelled interface constraint: (label, [(key, value)]).
pub(crate) type InterfaceConstraint = (String, Vec<(String, String)>);

/// Parse `label:key=value,...;label:...`, in order.
fn parse_interfaces(text: &str) -> Result<Vec<InterfaceConstraint>, ApiError> {
    const KEYS: &[&str] = &[
        "id",
        "fabric",
        "fabric_class",
        "ip",
        "mode",
        "name",
        "hostname",
        "subnet",
        "space",
        "subnet_cidr",
        "type",
        "vlan",
        "vid",
        "tag",
    ];
    let malformed = || {
        ApiError::field(
            "interfaces",
            format!("Malformed interfaces constraint, \"{text}\"."),
        )
    };
    text.split(';')
        .map(|item| {
            let (label, pairs) = item.trim().split_once(':').ok_or_else(malformed)?;
            if label.is_empty() {
                return Err(malformed());
            }
            let pairs = pairs
                .split(',')
                .map(|pair| {
                    let (key, value) = pair.trim().split_once('=').ok_or_else(malformed)?;
                    if !KEYS.contains(&key) {
                        return Err(malformed());
                    }
                    Ok((key.to_string(), value.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok((label.to_string(), pairs))
        })
        .collect()
}

/// A validated compose request.
#[derive(Clone, Debug)]
pub(crate) struct ComposeRequest {
    pub cores: u32,
    pub memory: u64,
    pub architecture: String,
    pub hostname: Option<String>,
    pub zone_id: Option<u32>,
    pub pool_id: Option<u32>,
    pub disks: Vec<DiskRequest>,
    pub interfaces: Vec<InterfaceConstraint>,
    pub skip_commissioning: bool,
    /// Composed by `allocate`: decomposed again on release.
    pub dynamic: bool,
}

const INVALID_CHOICE: &str =
    "Select a valid choice. That choice is not one of the available choices.";

/// Validate compose parameters as MAAS's `ComposeMachineForm` does: per-VM limits come from
/// the host's size (`cores` up to its core count, `memory` between 1024 MiB and its memory).
pub(crate) fn parse_request(
    st: &SimState,
    host: &VmHost,
    data: &Form,
) -> Result<ComposeRequest, ApiError> {
    let get = |key: &str| data.get(key).filter(|v| !v.trim().is_empty());
    let mut errors = FieldErrors::default();
    let cores = parse_int_field(
        &mut errors,
        "cores",
        get("cores"),
        Some(1),
        Some(i64::from(host.cores)),
    );
    let memory = parse_int_field(
        &mut errors,
        "memory",
        get("memory"),
        Some(MIN_MEMORY),
        Some(host.memory as i64),
    );
    parse_int_field(
        &mut errors,
        "cpu_speed",
        get("cpu_speed"),
        Some(300),
        Some(i64::from(host.cpu_speed)),
    );
    let architecture = match get("architecture") {
        None => host
            .architectures
            .first()
            .cloned()
            .unwrap_or_else(|| "amd64/generic".into()),
        Some(arch) if host.architectures.iter().any(|a| a == arch) => arch.to_string(),
        Some(arch) => {
            errors.add(
                "architecture",
                format!("Select a valid choice. {arch} is not one of the available choices."),
            );
            String::new()
        }
    };
    let hostname = get("hostname").map(str::to_string);
    if let Some(hostname) = &hostname {
        if st.hostname_taken(hostname) {
            errors.add(
                "hostname",
                format!("Node with hostname \"{hostname}\" already exists"),
            );
        } else if !valid_hostname(hostname) {
            errors.add("hostname", format!("Invalid hostname: {hostname}"));
        }
    }
    if get("domain").is_some_and(|d| d.trim() != "0") {
        errors.add("domain", INVALID_CHOICE);
    }
    let mut by_id = |field: &str, exists: &dyn Fn(u32) -> bool| -> Option<u32> {
        let raw = get(field)?;
        match raw.trim().parse::<u32>() {
            Ok(id) if exists(id) => Some(id),
            _ => {
                errors.add(field, INVALID_CHOICE);
                None
            }
        }
    };
    let zone_id = by_id("zone", &|id| st.zone(id).is_some());
    let pool_id = by_id("pool", &|id| st.pool(id).is_some());
    let disks = match parse_storage(get("storage").unwrap_or(DEFAULT_STORAGE)) {
        Ok(disks) => Some(disks),
        Err(_) => {
            errors.add(
                "storage",
                format!(
                    "Malformed storage constraint, \"{}\".",
                    get("storage").unwrap_or_default()
                ),
            );
            None
        }
    };
    let interfaces = match get("interfaces").map(parse_interfaces) {
        None => Some(Vec::new()),
        Some(Ok(list)) => Some(list),
        Some(Err(_)) => {
            errors.add(
                "interfaces",
                format!(
                    "Malformed interfaces constraint, \"{}\".",
                    get("interfaces").unwrap_or_default()
                ),
            );
            None
        }
    };
    errors.check()?;
    Ok(ComposeRequest {
        cores: cores.unwrap_or(DEFAULT_CORES) as u32,
        memory: memory.unwrap_or(DEFAULT_MEMORY) as u64,
        architecture,
        hostname,
        zone_id,
        pool_id,
        disks: disks.unwrap_or_default(),
        interfaces: interfaces.unwrap_or_default(),
        skip_commissioning: parse_bool(get("skip_commissioning")),
        dynamic: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_constraints() {
        assert_eq!(
            parse_storage("root:8(maas),data:20.5(ssd,fast),30").unwrap(),
            vec![
                DiskRequest {
                    label: Some("root".into()),
                    size: 8_000_000_000,
                    tags: vec!["maas".into()]
                },
                DiskRequest {
                    label: Some("data".into()),
                    size: 20_500_000_000,
                    tags: vec!["ssd".into(), "fast".into()]
                },
                DiskRequest {
                    label: None,
                    size: 30_000_000_000,
                    tags: vec![]
                },
            ]
        );
        for bad in ["abc", "root:", "root:8(x", ":8", "root:-1", "root:0"] {
            let err = parse_storage(bad).unwrap_err();
            assert!(
                err.body.contains("Malformed storage constraint"),
                "{bad}: {}",
                err.body
            );
        }
    }

    #[test]
    fn interface_constraints() {
        let parsed = parse_interfaces("eth0:space=default;1:ip=10.10.9.9,vid=0").unwrap();
        assert_eq!(parsed[1].0, "1");
        assert_eq!(super::super::ifname_for_label(&parsed[1].0), "eth1");
        assert!(parse_interfaces("eth0:colour=red").is_err());
        assert!(parse_interfaces("nolabel").is_err());
    }
}
