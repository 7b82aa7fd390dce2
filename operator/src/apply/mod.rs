//! Server-side apply of the desired state: one field manager, forced, in creation order; only
//! objects whose desired hash changed, or whose live copy drifted from it, are written; objects
//! we own but no longer want are pruned.

pub mod drift;
pub mod hash;
pub mod key;
pub mod live;
pub mod plan;

pub use key::ObjectKey;
pub use live::Live;
pub use plan::ApplyPlan;

use crate::names::FIELD_MANAGER;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams};
use platform_api::desired::DesiredObject;

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(
        "listing {kind} failed: {source}; check the operator's RBAC for that kind and that its CRD is installed"
    )]
    ListFailed { kind: String, source: kube::Error },
    #[error(
        "server-side apply of {object} failed: {source}; check the CRD is installed and the object is valid (hosted-cluster render shows it)"
    )]
    ApplyFailed { object: String, source: kube::Error },
    #[error(
        "deleting {object} (no longer desired) failed: {source}; check the operator's RBAC, or delete it by hand"
    )]
    PruneFailed { object: String, source: kube::Error },
}

impl ApplyError {
    pub fn reason(&self) -> &'static str {
        match self {
            ApplyError::ListFailed { .. } => "ListFailed",
            ApplyError::ApplyFailed { .. } => "ApplyFailed",
            ApplyError::PruneFailed { .. } => "PruneFailed",
        }
    }
}

pub fn api_for(
    client: &kube::Client,
    resource: &ApiResource,
    namespace: Option<&str>,
) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, resource),
        None => Api::all_with(client.clone(), resource),
    }
}

/// Applies one object (forced, under our field manager) and records the result in `live`.
pub async fn apply_one(
    client: &kube::Client,
    obj: &DesiredObject,
    live: &mut Live,
) -> Result<DynamicObject, ApplyError> {
    let api = api_for(client, &obj.resource, obj.namespace());
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let applied = api
        .patch(obj.name(), &params, &Patch::Apply(&obj.to_value()))
        .await
        .map_err(|source| ApplyError::ApplyFailed {
            object: obj.display_name(),
            source,
        })?;
    live.insert(&obj.resource, applied.clone());
    Ok(applied)
}

/// What the apply step did.
#[derive(Debug, Default)]
pub struct ApplyOutcome {
    pub applied: Vec<ObjectKey>,
    pub pruned: Vec<ObjectKey>,
}

/// Executes `plan`: applies in order, then prunes. A missing object on prune is fine.
pub async fn execute(
    client: &kube::Client,
    plan: &ApplyPlan,
    live: &mut Live,
) -> Result<ApplyOutcome, ApplyError> {
    let mut out = ApplyOutcome::default();
    for obj in &plan.apply {
        apply_one(client, obj, live).await?;
        out.applied.push(ObjectKey::of_desired(obj));
    }
    for key in &plan.prune {
        let Some(l) = live.objects.remove(key) else {
            continue;
        };
        let api = api_for(client, &l.resource, key.namespace.as_deref());
        match api.delete(&key.name, &DeleteParams::background()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => {}
            Err(source) => {
                return Err(ApplyError::PruneFailed {
                    object: key.to_string(),
                    source,
                });
            }
        }
        out.pruned.push(key.clone());
    }
    Ok(out)
}
