//! Server-side apply of the desired state: one field manager, forced, in creation order; only
//! objects whose desired hash changed, or whose live copy drifted from what the server returned
//! after our last apply, are written; objects we own but no longer want are pruned.

pub mod diff;
pub mod drift;
pub mod hash;
pub mod key;
pub mod live;
pub mod record;

pub use diff::Diff;
pub use key::ObjectKey;
pub use live::Live;
pub use record::{Normalised, Records};

use crate::names::FIELD_MANAGER;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams};
use platform_api::desired::DesiredObject;

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
pub enum ApplyError {
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
        self.into()
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

/// Applies one object (forced, under our field manager), records what the server returned, and
/// puts it in `live`. Returns the fields the server keeps normalising when the apply changed
/// nothing (the loop guard: the record now holds the server's view, so it is not re-applied).
pub async fn apply_one(
    client: &kube::Client,
    records: &Records,
    obj: &DesiredObject,
    live: &mut Live,
) -> Result<Option<Normalised>, ApplyError> {
    let api = api_for(client, &obj.resource, obj.namespace());
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let value = obj.to_value();
    let key = ObjectKey::of_desired(obj);
    records.writing(&key);
    let applied = api
        .patch(obj.name(), &params, &Patch::Apply(&value))
        .await
        .map_err(|source| {
            records.wrote(&key, None);
            ApplyError::ApplyFailed {
                object: obj.display_name(),
                source,
            }
        })?;
    let hash = hash::live_hash(&obj.object).unwrap_or_default().to_string();
    let normalised = records.applied(&key, &hash, &value, live.get(&key), &applied);
    live.insert(&obj.resource, applied);
    Ok(normalised)
}

/// What an apply did.
#[derive(Debug, Default)]
pub struct ApplyOutcome {
    pub applied: Vec<ObjectKey>,
    /// Objects the server did not store as sent although nothing else changed them.
    pub normalised: Vec<Normalised>,
}

/// Applies `objects` in order (creation order: what they point at exists first).
pub async fn apply_all(
    client: &kube::Client,
    records: &Records,
    objects: &[DesiredObject],
    live: &mut Live,
) -> Result<ApplyOutcome, ApplyError> {
    let mut out = ApplyOutcome::default();
    for obj in objects {
        out.normalised
            .extend(apply_one(client, records, obj, live).await?);
        out.applied.push(ObjectKey::of_desired(obj));
    }
    Ok(out)
}

/// Deletes `name` (in the background: dependants go through the garbage collector). `Ok(false)`
/// when it was already gone: deleting is idempotent, so a missing object is not an error.
pub async fn delete_if_present<K>(api: &Api<K>, name: &str) -> Result<bool, kube::Error>
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
        Err(e) => Err(e),
    }
}

/// Deletes `keys` (objects we own that are no longer desired), in order; returns those deleted.
/// A missing object is fine.
pub async fn prune(
    client: &kube::Client,
    records: &Records,
    keys: &[ObjectKey],
    live: &mut Live,
) -> Result<Vec<ObjectKey>, ApplyError> {
    let mut pruned = Vec::new();
    for key in keys {
        let Some(l) = live.objects.remove(key) else {
            continue;
        };
        let api = api_for(client, &l.resource, key.namespace.as_deref());
        match delete_if_present(&api, &key.name).await {
            Ok(true) => records.deleted(key, l.object.metadata.resource_version.clone()),
            Ok(false) => records.forget(key),
            Err(source) => {
                return Err(ApplyError::PruneFailed {
                    object: key.to_string(),
                    source,
                });
            }
        }
        pruned.push(key.clone());
    }
    Ok(pruned)
}
