//! Pure: a NodePool's status from its build result and its MachineDeployment.

use super::conditions::{Cond, READY, UNKNOWN, VALID_CONFIGURATION, merge};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::DynamicObject;
use platform_api::api::{NodePool, NodePoolStatus};

/// MachineDeployment conditions are mirrored with this prefix (`MachineDeploymentAvailable`, ...).
pub const MIRROR_PREFIX: &str = "MachineDeployment";

fn int(md: &DynamicObject, field: &str) -> i64 {
    md.data
        .pointer(&format!("/status/{field}"))
        .and_then(|v| v.as_i64())
        .unwrap_or(0)
}

/// The status the NodePool should have. `build_error` is the pool's build failure, if any.
pub fn desired_status(
    np: &NodePool,
    build_error: Option<(&str, String)>,
    md: Option<&DynamicObject>,
    now: &Time,
) -> NodePoolStatus {
    let existing = np.status.clone().unwrap_or_default();
    let mut conds = vec![match &build_error {
        None => Cond::yes(
            VALID_CONFIGURATION,
            "AsExpected",
            "Configuration passes validation",
        ),
        Some((reason, message)) => Cond::no(VALID_CONFIGURATION, reason, message.clone()),
    }];
    let want = i64::from(np.desired_replicas());
    let ready = md.map(|m| int(m, "readyReplicas")).unwrap_or(0);
    conds.push(match md {
        None => Cond::no(
            READY,
            "MachineDeploymentNotFound",
            "The MachineDeployment has not been created yet",
        ),
        Some(_) if ready >= want => Cond::yes(
            READY,
            "AsExpected",
            format!("{ready} of {want} machines ready"),
        ),
        Some(_) => Cond::no(
            READY,
            "WaitingForMachines",
            format!("{ready} of {want} machines ready"),
        ),
    });
    // Mirror the MachineDeployment's own conditions so `kubectl describe nodepool` shows them.
    if let Some(list) = md
        .and_then(|m| m.data.pointer("/status/conditions"))
        .and_then(|c| c.as_array())
    {
        for c in list {
            let Some(t) = c.get("type").and_then(|t| t.as_str()) else {
                continue;
            };
            let status = match c.get("status").and_then(|s| s.as_str()) {
                Some("True") => "True",
                Some("False") => "False",
                _ => UNKNOWN,
            };
            let text = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or_default();
            conds.push(Cond::new(
                format!("{MIRROR_PREFIX}{t}"),
                status,
                text("reason"),
                text("message"),
            ));
        }
    }
    NodePoolStatus {
        replicas: md
            .map(|m| int(m, "availableReplicas"))
            .unwrap_or(0)
            .try_into()
            .unwrap_or(i32::MAX),
        version: existing.version.clone(),
        conditions: merge(&existing.conditions, &conds, np.metadata.generation, now),
    }
}

/// Sets (or, with `None`, removes) one condition of type `type_` in a computed status, keeping
/// its `lastTransitionTime` while its status does not change.
pub fn set_condition(
    status: &mut NodePoolStatus,
    type_: &str,
    cond: Option<Cond>,
    generation: Option<i64>,
    now: &Time,
) {
    let at = status.conditions.iter().position(|c| c.type_ == type_);
    match (cond, at) {
        (None, Some(i)) => {
            status.conditions.remove(i);
        }
        (None, None) => {}
        (Some(c), at) => {
            let merged = merge(
                &status.conditions,
                std::slice::from_ref(&c),
                generation,
                now,
            )
            .swap_remove(0);
            match at {
                Some(i) => status.conditions[i] = merged,
                None => status.conditions.push(merged),
            }
        }
    }
}
