//! Pipeline step 4: the owner and the desired hash, each stamped exactly once.
//!
//! Objects in the control-plane namespace are owned by the live HostedControlPlane (owner
//! references cannot cross namespaces, so the HostedCluster cannot own them). Its uid exists only
//! once it is applied, so on a cluster's first pass the two objects nobody owns — the namespace
//! and the HostedControlPlane — are stamped and applied before the rest can be stamped.

use crate::apply::{self, ApplyError, ApplyOutcome, Live, ObjectKey, Records, hash};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::DynamicObject;
use platform_api::desired::{DesiredObject, DesiredState, Role};

/// Never owned: their stamps do not depend on the owner.
fn is_root(o: &DesiredObject) -> bool {
    matches!(o.role, Role::Namespace | Role::ControlPlane)
}

fn objects_mut(state: &mut DesiredState) -> impl Iterator<Item = &mut DesiredObject> {
    let pools = state
        .node_pools
        .iter_mut()
        .filter_map(|p| p.result.as_mut().ok())
        .flatten();
    state.cluster_objects.iter_mut().chain(pools)
}

/// Stamps the hash on the roots (final: nothing of theirs depends on the owner); returns them.
pub fn stamp_roots(state: &mut DesiredState) -> Vec<DesiredObject> {
    for obj in objects_mut(state).filter(|o| is_root(o)) {
        hash::stamp(obj);
    }
    state.objects().filter(|o| is_root(o)).cloned().collect()
}

/// Applies the stamped `roots` when the HostedControlPlane is not live yet; returns the owner
/// reference to the live HostedControlPlane with what was applied.
pub async fn ensure(
    client: &kube::Client,
    records: &Records,
    roots: &[DesiredObject],
    live: &mut Live,
) -> Result<(Option<OwnerReference>, ApplyOutcome), ApplyError> {
    let hcp = roots
        .iter()
        .find(|o| o.role == Role::ControlPlane)
        .map(ObjectKey::of_desired)
        .expect("desired::build always emits a HostedControlPlane");
    let mut outcome = ApplyOutcome::default();
    if live.get(&hcp).is_none() {
        outcome = apply::apply_all(client, records, roots, live).await?;
    }
    Ok((live.get(&hcp).and_then(owner_ref), outcome))
}

/// Sets `owner` on every object but the roots and stamps their hash; returns every object in
/// apply order, ready to diff.
pub fn stamp(state: &mut DesiredState, owner: Option<&OwnerReference>) -> Vec<DesiredObject> {
    if let Some(owner) = owner {
        state.set_owner(owner);
    }
    for obj in objects_mut(state).filter(|o| !is_root(o)) {
        hash::stamp(obj);
    }
    state.objects().cloned().collect()
}

/// Owner reference to the live HostedControlPlane.
pub fn owner_ref(hcp: &DynamicObject) -> Option<OwnerReference> {
    let types = hcp.types.as_ref();
    Some(OwnerReference {
        api_version: types
            .map(|t| t.api_version.clone())
            .unwrap_or_else(|| "hypershift.openshift.io/v1beta1".into()),
        kind: types
            .map(|t| t.kind.clone())
            .unwrap_or_else(|| "HostedControlPlane".into()),
        name: hcp.metadata.name.clone()?,
        uid: hcp.metadata.uid.clone()?,
        controller: Some(true),
        block_owner_deletion: Some(true),
    })
}
