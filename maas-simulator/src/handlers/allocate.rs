//! `machines/?op=allocate`: pick a Ready machine matching every constraint, or compose one on
//! a VM host when none matches (as MAAS 3.7 does), or answer 409.

use serde_json::{Value, json};

use super::compose::{self, DiskRequest, parse_storage};
use super::machines::{arch_matches, check_known, visible};
use super::{Call, split_list};
use crate::body::Form;
use crate::http::{ApiError, FieldErrors, Reply, parse_bool, py_float, py_repr};
use crate::state::SimState;
use crate::state::machines::Machine;
use crate::state::vm_hosts::VmHost;
use crate::status::MachineStatus;

/// The parsed constraints of one allocate request.
#[derive(Default)]
struct Constraints {
    name: Option<String>,
    system_id: Option<String>,
    arch: Vec<String>,
    cpu_count: Option<f64>,
    mem: Option<f64>,
    tags: Vec<String>,
    not_tags: Vec<String>,
    zone: Option<String>,
    not_in_zone: Vec<String>,
    pool: Option<String>,
    not_in_pool: Vec<String>,
    pod: Vec<String>,
    not_pod: Vec<String>,
    pod_type: Vec<String>,
    not_pod_type: Vec<String>,
    storage: Option<(String, Vec<DiskRequest>)>,
    interfaces: Option<String>,
}

fn parse_number(
    errors: &mut FieldErrors,
    field: &str,
    message: &str,
    raw: Option<&str>,
) -> Option<f64> {
    let raw = raw.map(str::trim).filter(|r| !r.is_empty())?;
    match raw.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Some(value),
        _ => {
            errors.add(field, message);
            None
        }
    }
}

fn parse_constraints(st: &SimState, data: &Form) -> Result<Constraints, ApiError> {
    let one = |key: &str| {
        data.get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let many = |key: &str| split_list(data.get_all(key));
    let mut errors = FieldErrors::default();
    let c = Constraints {
        name: one("name"),
        system_id: one("system_id"),
        arch: many("arch"),
        cpu_count: parse_number(
            &mut errors,
            "cpu_count",
            "Invalid CPU count: number required.",
            data.get("cpu_count"),
        ),
        mem: parse_number(
            &mut errors,
            "mem",
            "Invalid memory: number of MiB required.",
            data.get("mem"),
        ),
        tags: many("tags"),
        not_tags: many("not_tags"),
        zone: one("zone"),
        not_in_zone: many("not_in_zone"),
        pool: one("pool"),
        not_in_pool: many("not_in_pool"),
        pod: many("pod"),
        not_pod: many("not_pod"),
        pod_type: many("pod_type"),
        not_pod_type: many("not_pod_type"),
        storage: match one("storage") {
            None => None,
            Some(text) => match parse_storage(&text) {
                Ok(disks) => Some((text, disks)),
                Err(_) => {
                    errors.add(
                        "storage",
                        format!("Malformed storage constraint, \"{text}\"."),
                    );
                    None
                }
            },
        },
        interfaces: one("interfaces"),
    };
    let known_arch = |wanted: &str| {
        st.boot_resources
            .iter()
            .map(|r| r.architecture.as_str())
            .chain(st.machines.iter().map(|m| m.architecture.as_str()))
            .any(|arch| arch_matches(wanted, arch) || arch.split('/').next() == Some(wanted))
    };
    if c.arch.iter().any(|a| !known_arch(a)) {
        errors.add("arch", "Architecture not recognised.");
    }
    let tag_exists = |t: &str| st.tags.iter().any(|x| x.name == t);
    check_known(&mut errors, "tags", "tag", &c.tags, tag_exists, true);
    check_known(
        &mut errors,
        "not_tags",
        "tag",
        &c.not_tags,
        tag_exists,
        true,
    );
    let zone_exists = |z: &str| st.zone_named(z).is_some();
    check_known(
        &mut errors,
        "zone",
        "zone",
        &c.zone.iter().cloned().collect::<Vec<_>>(),
        zone_exists,
        false,
    );
    check_known(
        &mut errors,
        "not_in_zone",
        "zone",
        &c.not_in_zone,
        zone_exists,
        false,
    );
    let pool_exists = |p: &str| st.pool_named(p).is_some();
    check_known(
        &mut errors,
        "pool",
        "pool",
        &c.pool.iter().cloned().collect::<Vec<_>>(),
        pool_exists,
        false,
    );
    check_known(
        &mut errors,
        "not_in_pool",
        "pool",
        &c.not_in_pool,
        pool_exists,
        false,
    );
    errors.check()?;
    Ok(c)
}

impl Constraints {
    /// `arch=amd64 cpu_count=2.0 ...`: MAAS's description, fields in alphabetical order.
    fn describe(&self) -> String {
        let list = |name: &str, values: &[String]| {
            (!values.is_empty()).then(|| format!("{name}={}", values.join(",")))
        };
        let single =
            |name: &str, value: &Option<String>| value.as_ref().map(|v| format!("{name}={v}"));
        let number =
            |name: &str, value: Option<f64>| value.map(|v| format!("{name}={}", py_float(v)));
        [
            list("arch", &self.arch),
            number("cpu_count", self.cpu_count),
            single("interfaces", &self.interfaces),
            number("mem", self.mem),
            single("name", &self.name),
            list("not_in_pool", &self.not_in_pool),
            list("not_in_zone", &self.not_in_zone),
            list("not_pod", &self.not_pod),
            list("not_pod_type", &self.not_pod_type),
            list("not_tags", &self.not_tags),
            list("pod", &self.pod),
            list("pod_type", &self.pod_type),
            single("pool", &self.pool),
            single(
                "storage",
                &self.storage.as_ref().map(|(text, _)| text.clone()),
            ),
            single("system_id", &self.system_id),
            list("tags", &self.tags),
            single("zone", &self.zone),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Which disk of `m` serves each storage constraint (the first takes the boot disk), or
    /// `None` when the disks do not fit.
    fn match_storage(&self, m: &Machine) -> Option<Vec<(String, u32)>> {
        let Some((_, wanted)) = &self.storage else {
            return Some(Vec::new());
        };
        let mut taken = Vec::new();
        for (index, req) in wanted.iter().enumerate() {
            let fits = |d: &&crate::state::machines::Disk| {
                d.size >= req.size
                    && req.tags.iter().all(|t| d.tags.contains(t))
                    && !taken.contains(&d.id)
            };
            let disk = if index == 0 {
                m.disks.first().filter(fits)?
            } else {
                m.disks.iter().find(fits)?
            };
            taken.push(disk.id);
        }
        Some(
            wanted
                .iter()
                .zip(taken)
                .enumerate()
                .map(|(i, (req, id))| (req.label.clone().unwrap_or_else(|| i.to_string()), id))
                .collect(),
        )
    }

    fn host_matches(&self, st: &SimState, host: &VmHost) -> bool {
        let zone = st.zone(host.zone_id).map_or("", |z| z.name.as_str());
        self.zone.as_deref().is_none_or(|z| z == zone)
            && self.tags.iter().all(|t| host.tags.contains(t))
            && !self.not_tags.iter().any(|t| host.tags.contains(t))
            && (self.pod.is_empty() || self.pod.contains(&host.name))
            && !self.not_pod.contains(&host.name)
            && (self.pod_type.is_empty() || self.pod_type.iter().any(|t| t == host.kind.as_str()))
            && !self.not_pod_type.iter().any(|t| t == host.kind.as_str())
    }

    fn machine_matches(&self, st: &SimState, m: &Machine) -> bool {
        let zone = st.zone(m.zone_id).map_or("", |z| z.name.as_str());
        let pool = st.pool(m.pool_id).map_or("", |p| p.name.as_str());
        let host = m.vm_host_id.and_then(|id| st.vm_host(id));
        let fqdn = format!("{}.{}", m.hostname, st.domain);
        self.name
            .as_ref()
            .is_none_or(|n| *n == m.hostname || *n == fqdn)
            && self.system_id.as_ref().is_none_or(|id| *id == m.system_id)
            && (self.arch.is_empty() || self.arch.iter().any(|a| arch_matches(a, &m.architecture)))
            && self.cpu_count.is_none_or(|c| f64::from(m.cpu_count) >= c)
            && self.mem.is_none_or(|mem| m.memory as f64 >= mem)
            && self.tags.iter().all(|t| m.tags.contains(t))
            && !self.not_tags.iter().any(|t| m.tags.contains(t))
            && self.zone.as_deref().is_none_or(|z| z == zone)
            && !self.not_in_zone.iter().any(|z| z == zone)
            && self.pool.as_deref().is_none_or(|p| p == pool)
            && !self.not_in_pool.iter().any(|p| p == pool)
            && (self.pod.is_empty() || host.is_some_and(|h| self.pod.contains(&h.name)))
            && !host.is_some_and(|h| self.not_pod.contains(&h.name))
            && (self.pod_type.is_empty()
                || host.is_some_and(|h| self.pod_type.iter().any(|t| t == h.kind.as_str())))
            && !host.is_some_and(|h| self.not_pod_type.iter().any(|t| t == h.kind.as_str()))
            && self.match_storage(m).is_some()
    }
}

/// Compose a machine for the constraints on the first VM host that can take it, as MAAS does
/// when no existing machine matches. Hosts whose limits reject the request are skipped.
fn compose_for(call: &mut Call<'_>, c: &Constraints) -> Option<String> {
    let hosts: Vec<VmHost> = call
        .st
        .vm_hosts
        .iter()
        .filter(|h| c.host_matches(call.st, h))
        .cloned()
        .collect();
    for host in hosts {
        let mut data = Form::default();
        if let Some(cores) = c.cpu_count {
            data.push("cores", &(cores as i64).max(1).to_string());
        }
        if let Some(mem) = c.mem {
            data.push("memory", &(mem as i64).to_string());
        }
        if let Some(arch) = c.arch.iter().find_map(|a| {
            host.architectures
                .iter()
                .find(|h| arch_matches(a, h) || *h == a)
        }) {
            data.push("architecture", arch);
        } else if !c.arch.is_empty() {
            continue;
        }
        if let Some((text, _)) = &c.storage {
            data.push("storage", text);
        }
        if let Some(interfaces) = &c.interfaces {
            data.push("interfaces", interfaces);
        }
        let Ok(mut request) = compose::parse_request(call.st, &host, &data) else {
            continue;
        };
        request.skip_commissioning = true;
        request.dynamic = true;
        if let Ok(system_id) = compose::compose(call.st, host.id, &request, call.now, call.opts) {
            return Some(system_id);
        }
    }
    None
}

pub(crate) fn allocate(call: &mut Call<'_>) -> Result<Reply, ApiError> {
    let c = parse_constraints(call.st, &call.data)?;
    let caller = call.caller()?.clone();
    let st = &*call.st;
    let mut chosen = st
        .machines
        .iter()
        .filter(|m| {
            m.status == MachineStatus::Ready && m.owner.is_none() && visible(Some(&caller), m)
        })
        .find(|m| c.machine_matches(st, m))
        .map(|m| m.system_id.clone());
    if chosen.is_none()
        && c.system_id.is_none()
        && call.opts.allocate_composes
        && !call.opts.vm_hosts_removed
    {
        chosen = compose_for(call, &c);
    }
    let Some(system_id) = chosen else {
        let described = c.describe();
        let message = if described.is_empty() {
            "No machine available.".to_string()
        } else if let Some(id) = &c.system_id {
            format!("No machine with system ID {id} available.")
        } else {
            let given: Vec<String> = call
                .data
                .lists()
                .into_iter()
                .filter(|(k, _)| *k != "op")
                .map(|(k, values)| {
                    let values: Vec<String> = values.iter().map(|v| py_repr(v)).collect();
                    format!("({}, [{}])", py_repr(k), values.join(", "))
                })
                .collect();
            format!(
                "No available machine matches constraints: [{}] (resolved to \"{described}\")",
                given.join(", ")
            )
        };
        return Err(ApiError::conflict(message));
    };
    let index = call
        .st
        .machine_index(&system_id)
        .expect("the chosen machine exists");
    let storage_map = c
        .match_storage(&call.st.machines[index])
        .unwrap_or_default();
    if !parse_bool(call.param("dry_run")) {
        let agent_name = call.param("agent_name").unwrap_or_default().to_string();
        let m = &mut call.st.machines[index];
        m.owner = Some(caller.username.clone());
        m.agent_name = agent_name;
        m.set_status(
            MachineStatus::Allocated,
            format!("From 'Ready' to 'Allocated' (to {})", caller.username),
        );
    }
    let mut body = call.st.machine_json(&call.st.machines[index]);
    let mut by_type = serde_json::Map::new();
    if !storage_map.is_empty() {
        let mut storage = serde_json::Map::new();
        for (label, disk_id) in storage_map {
            storage.insert(label, json!([disk_id]));
        }
        by_type.insert("storage".into(), Value::Object(storage));
    }
    body["constraints_by_type"] = Value::Object(by_type);
    Ok(Reply::Json(body))
}
