//! The LXD NodePool conditions `LXDHostSelected`, `VMCreated` and `Deployed` (seed 002),
//! mirrored from what CAPMAAS writes on the pool's MaasMachines:
//!
//! * a VM host is chosen: `spec.parent` (the host's system ID, CAPMAAS v0.9.0), or, where
//!   CAPMAAS does not report it (v4.9.5-spectro), a VM that exists (it was composed on one);
//! * the VM exists: `spec.systemID` or `spec.providerID`;
//! * it is deployed: the `MachineDeployed` condition is True, or `status.machineState` is
//!   `Deployed`.

use crate::provider_id::ProviderId;
use kube::api::DynamicObject;
use platform_api::platform::PoolCondition;
use serde_json::Value;

/// The NodePool condition types.
pub const LXD_HOST_SELECTED: &str = "LXDHostSelected";
/// See [`LXD_HOST_SELECTED`].
pub const VM_CREATED: &str = "VMCreated";
/// See [`LXD_HOST_SELECTED`].
pub const DEPLOYED: &str = "Deployed";
/// Every type this module sets.
pub const TYPES: [&str; 3] = [LXD_HOST_SELECTED, VM_CREATED, DEPLOYED];

/// CAPMAAS's condition on a MaasMachine once MAAS deployed it.
const MACHINE_DEPLOYED: &str = "MachineDeployed";

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn system_id(m: &DynamicObject) -> Option<String> {
    text(&m.data, "/spec/systemID")
        .map(str::to_string)
        .or_else(|| {
            text(&m.data, "/spec/providerID")
                .and_then(|p| ProviderId::parse(p).ok())
                .map(|p| p.system_id)
        })
}

fn deployed_condition(m: &DynamicObject) -> Option<&Value> {
    m.data
        .pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == MACHINE_DEPLOYED)
}

fn deployed(m: &DynamicObject) -> bool {
    deployed_condition(m).is_some_and(|c| c["status"] == "True")
        || text(&m.data, "/status/machineState").is_some_and(|s| s.eq_ignore_ascii_case("deployed"))
}

fn cond(type_: &str, done: usize, want: usize, what: &str, extra: String) -> PoolCondition {
    let ok = want > 0 && done >= want;
    PoolCondition {
        type_: type_.into(),
        status: Some(ok),
        reason: if ok {
            "AsExpected"
        } else {
            "WaitingForMachines"
        }
        .into(),
        message: format!("{done} of {want} VM(s) {what}{extra}"),
    }
}

/// How many of `machines` have a MAAS machine (a composed VM).
pub fn composed(machines: &[DynamicObject]) -> usize {
    machines.iter().filter(|m| system_id(m).is_some()).count()
}

/// The three conditions for an LXD pool that wants `replicas` machines.
pub fn conditions(replicas: i32, machines: &[DynamicObject]) -> Vec<PoolCondition> {
    let want = usize::try_from(replicas).unwrap_or(0).max(machines.len());
    let parents: Vec<&str> = machines
        .iter()
        .filter_map(|m| text(&m.data, "/spec/parent"))
        .collect();
    let created = composed(machines);
    let on_host = machines
        .iter()
        .filter(|m| text(&m.data, "/spec/parent").is_some() || system_id(m).is_some())
        .count();
    let hosts = if parents.is_empty() {
        String::new()
    } else {
        let mut p = parents.clone();
        p.sort_unstable();
        p.dedup();
        format!(" (VM hosts {})", p.join(", "))
    };
    let done = machines.iter().filter(|m| deployed(m)).count();
    let mut deployed_cond = cond(DEPLOYED, done, want, "deployed", String::new());
    // A failed deployment says why, from CAPMAAS's own condition.
    if let Some(c) = machines
        .iter()
        .filter_map(deployed_condition)
        .find(|c| c["status"] == "False" && c["reason"] == "MachineDeployFailed")
    {
        deployed_cond.reason = "MachineDeployFailed".into();
        deployed_cond.message = format!(
            "{}; {}",
            deployed_cond.message,
            c["message"].as_str().unwrap_or_default()
        );
    }
    vec![
        cond(
            LXD_HOST_SELECTED,
            on_host,
            want,
            "placed on a VM host",
            hosts,
        ),
        cond(VM_CREATED, created, want, "composed", String::new()),
        deployed_cond,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(yaml: &str) -> DynamicObject {
        serde_saphyr::from_str(&format!(
            "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {{name: x}}\n{yaml}"
        ))
        .unwrap()
    }

    fn statuses(c: &[PoolCondition]) -> Vec<(&str, Option<bool>)> {
        c.iter().map(|c| (c.type_.as_str(), c.status)).collect()
    }

    #[test]
    fn follows_capmaas_progress() {
        let waiting = m("spec: {image: u}\n");
        let placed = m("spec: {image: u, parent: host01}\n");
        let composed = m("spec: {image: u, parent: host01, systemID: vm0001}\n");
        let composed_spectro = m("spec: {image: u, providerID: maas:///az-1/vm0002}\n");
        let done = m(
            "spec: {image: u, parent: host02, systemID: vm0003}\nstatus: {conditions: [{type: MachineDeployed, status: \"True\", reason: MachineDeployed}]}\n",
        );
        let done_state =
            m("spec: {image: u, systemID: vm0004}\nstatus: {machineState: Deployed}\n");

        let c = conditions(2, &[]);
        assert_eq!(
            statuses(&c),
            [
                (LXD_HOST_SELECTED, Some(false)),
                (VM_CREATED, Some(false)),
                (DEPLOYED, Some(false))
            ]
        );
        assert_eq!(c[1].message, "0 of 2 VM(s) composed");

        let c = conditions(2, &[waiting, placed.clone()]);
        assert_eq!(
            c[0].message,
            "1 of 2 VM(s) placed on a VM host (VM hosts host01)"
        );

        let c = conditions(2, &[composed.clone(), composed_spectro.clone()]);
        assert_eq!(
            statuses(&c),
            [
                (LXD_HOST_SELECTED, Some(true)),
                (VM_CREATED, Some(true)),
                (DEPLOYED, Some(false))
            ]
        );

        let c = conditions(2, &[done, done_state]);
        assert_eq!(
            statuses(&c),
            [
                (LXD_HOST_SELECTED, Some(true)),
                (VM_CREATED, Some(true)),
                (DEPLOYED, Some(true))
            ]
        );
        assert_eq!(c[2].reason, "AsExpected");

        let failed = m(
            "spec: {image: u, systemID: vm0005}\nstatus: {conditions: [{type: MachineDeployed, status: \"False\", reason: MachineDeployFailed, message: no image}]}\n",
        );
        let c = conditions(1, &[failed]);
        assert_eq!(c[2].reason, "MachineDeployFailed");
        assert!(c[2].message.ends_with("; no image"), "{}", c[2].message);
    }
}
