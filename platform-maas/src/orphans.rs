//! Machines CAPMAAS allocated and did not give back (B5).
//!
//! CAPMAAS marks nothing in MAAS as belonging to a cluster (no tag, no agent name), so the
//! only safe way to find a cluster's machines after teardown is to remember them before it:
//! [`record`] reads the system IDs from the live MaasMachines while the CAPI Cluster exists,
//! and [`release`] later asks MAAS about exactly those IDs. A machine that is not recorded is
//! never touched, nor is a recorded one that MAAS now shows owned by another user.

use crate::provider_id::ProviderId;
use kube::api::DynamicObject;
use maas_client::{MaasClient, MaasError, ReleaseOptions};
use platform_api::platform::CleanupOutcome;
use std::collections::BTreeMap;

/// The group and kind whose objects are recorded.
pub const MACHINE_GROUP: &str = "infrastructure.cluster.x-k8s.io";
/// See [`MACHINE_GROUP`].
pub const MACHINE_KIND: &str = "MaasMachine";

/// Recorded value: a MaasMachine with `spec.lxd.enabled`, i.e. a VM CAPMAAS composed, which is
/// decomposed once released.
pub const LXD_VM: &str = "lxd-vm";
/// Recorded value: any other machine (bare metal, or a VM someone composed beforehand), which
/// is only released.
pub const MACHINE: &str = "machine";

/// System ID → [`LXD_VM`] or [`MACHINE`] for every MaasMachine that names its MAAS machine
/// (`spec.systemID`, else the ID in `spec.providerID`). One not yet given a machine is skipped:
/// CAPMAAS has allocated nothing for it yet.
pub fn record(objects: &[DynamicObject]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for o in objects {
        let spec = &o.data["spec"];
        let id = spec["systemID"]
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| {
                spec["providerID"]
                    .as_str()
                    .and_then(|p| ProviderId::parse(p).ok())
                    .map(|p| p.system_id)
            });
        // A system ID is alphanumeric in MAAS; anything else is not one (and not a valid key).
        let Some(id) = id.filter(|i| i.chars().all(|c| c.is_ascii_alphanumeric())) else {
            continue;
        };
        let lxd = spec["lxd"]["enabled"].as_bool().unwrap_or(false);
        out.insert(id, if lxd { LXD_VM } else { MACHINE }.to_string());
    }
    out
}

/// What to do with one recorded machine, from what MAAS says about it now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Gone from MAAS, already released, or not ours: nothing to do.
    Nothing(&'static str),
    /// Ours and allocated (or deployed, or failed): release it.
    Release,
    /// Ours, being released: look again later.
    Wait,
    /// A VM CAPMAAS composed, released and not decomposed: delete it from its VM host.
    Decompose,
}

/// Decides for one machine. `me` is the MAAS user of the cluster's credentials.
pub fn action(kind: &str, me: &str, owner: Option<&str>, status: &str, on_vm_host: bool) -> Action {
    let composed_by_capmaas = kind == LXD_VM && on_vm_host;
    match owner.filter(|o| !o.is_empty()) {
        Some(o) if o != me => Action::Nothing("owned by another MAAS user"),
        Some(_) if status == "Releasing" => Action::Wait,
        Some(_) => Action::Release,
        None if status == "Releasing" => Action::Wait,
        None if composed_by_capmaas => Action::Decompose,
        None => Action::Nothing("already released"),
    }
}

/// Releases (and decomposes) the recorded machines MAAS still shows for this cluster's user.
/// Safe to repeat: a machine released or deleted on an earlier pass is skipped.
pub async fn release(
    client: &MaasClient,
    recorded: &BTreeMap<String, String>,
) -> Result<CleanupOutcome, MaasError> {
    let mut outcome = CleanupOutcome::default();
    if recorded.is_empty() {
        return Ok(outcome);
    }
    let me = client.whoami().await?.username;
    for (id, kind) in recorded {
        let machine = match client.machine(id).await {
            Ok(m) => m,
            Err(MaasError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        let act = action(
            kind,
            &me,
            machine.owner.as_deref(),
            &machine.status_name,
            machine.vm_host_id().is_some(),
        );
        let name = format!("{id} ({})", machine.hostname);
        match act {
            Action::Nothing(why) => {
                tracing::debug!(system_id = %id, why, "recorded machine left alone")
            }
            Action::Wait => outcome.pending.push(format!("{name} is releasing")),
            Action::Decompose => {
                client.delete_machine(id).await?;
                outcome.released.push(format!("decomposed VM {name}"));
            }
            Action::Release => {
                let options = ReleaseOptions {
                    comment: Some(
                        "released by the hosted-cluster operator: its cluster was deleted".into(),
                    ),
                    ..ReleaseOptions::default()
                };
                match client.release(id, &options).await {
                    Ok(_) => {
                        outcome.released.push(format!("released {name}"));
                        // A VM CAPMAAS composed goes once it is released: now if MAAS is done
                        // (its answer to release still says Releasing), else next pass.
                        if kind == LXD_VM && machine.vm_host_id().is_some() {
                            let after = client.machine(id).await?;
                            if after.status_name == "Ready" && after.owner.is_none() {
                                client.delete_machine(id).await?;
                                outcome.released.push(format!("decomposed VM {name}"));
                            } else {
                                outcome.pending.push(format!("{name} is releasing"));
                            }
                        }
                    }
                    // A state MAAS cannot release from (e.g. still commissioning): look again.
                    Err(MaasError::Conflict { message, .. }) => {
                        outcome.pending.push(format!("{name}: {message}"))
                    }
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maas_machine(yaml: &str) -> DynamicObject {
        serde_saphyr::from_str(yaml).unwrap()
    }

    #[test]
    fn records_system_ids_from_spec_or_provider_id() {
        let objects = [
            maas_machine(
                "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {name: a}\nspec: {systemID: abc123, providerID: maas:///az/zzz999}\n",
            ),
            maas_machine(
                "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {name: b}\nspec: {providerID: maas:///az-1/def456, lxd: {enabled: true}}\n",
            ),
            maas_machine(
                "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {name: c}\nspec: {image: ubuntu}\n",
            ),
            maas_machine(
                "apiVersion: infrastructure.cluster.x-k8s.io/v1beta1\nkind: MaasMachine\nmetadata: {name: d}\nspec: {systemID: \"../x\"}\n",
            ),
        ];
        let got = record(&objects);
        assert_eq!(
            got,
            BTreeMap::from([
                ("abc123".to_string(), MACHINE.to_string()),
                ("def456".to_string(), LXD_VM.to_string()),
            ])
        );
    }

    #[test]
    fn decides_only_for_this_user() {
        assert_eq!(
            action(MACHINE, "me", Some("you"), "Deployed", false),
            Action::Nothing("owned by another MAAS user")
        );
        assert_eq!(
            action(LXD_VM, "me", Some("you"), "Ready", true),
            Action::Nothing("owned by another MAAS user")
        );
        assert_eq!(
            action(MACHINE, "me", Some("me"), "Deployed", false),
            Action::Release
        );
        assert_eq!(
            action(MACHINE, "me", Some("me"), "Releasing", false),
            Action::Wait
        );
        assert_eq!(
            action(MACHINE, "me", None, "Ready", false),
            Action::Nothing("already released")
        );
        // A VM someone composed beforehand that CAPMAAS allocated is released, not deleted.
        assert_eq!(
            action(MACHINE, "me", None, "Ready", true),
            Action::Nothing("already released")
        );
        assert_eq!(action(LXD_VM, "me", None, "Ready", true), Action::Decompose);
        assert_eq!(
            action(LXD_VM, "me", None, "Ready", false),
            Action::Nothing("already released")
        );
    }
}
