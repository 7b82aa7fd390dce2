//! What we own in a control-plane namespace, read from the watch-backed caches (no API request
//! once a kind's cache has listed).
//!
//! Kinds read = the kinds of this round's desired objects, plus MachineDeployments, plus the
//! machine-template kinds live MachineDeployments point at. That last part finds templates of
//! a NodePool that was removed even when no pool wants that kind any more, without the operator
//! knowing any platform's kinds. A kind the server does not serve has no objects.

use super::key::ObjectKey;
use super::record::Records;
use crate::cache::owned::Labelled;
use crate::cache::{CacheError, Caches, Served};
use kube::api::{ApiResource, DynamicObject};
use platform_api::api::CLUSTER_LABEL;
use platform_api::desired::DesiredObject;
use platform_api::desired::capi::CapiVersion;
use platform_api::desired::labels::{MANAGED_BY_LABEL, MANAGER};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct LiveObject {
    pub resource: ApiResource,
    pub object: DynamicObject,
}

/// Live objects we own, plus which machine templates MachineSets still use.
#[derive(Clone, Debug, Default)]
pub struct Live {
    pub objects: BTreeMap<ObjectKey, LiveObject>,
    /// `(kind, name)` of every `spec.template.spec.infrastructureRef` of a MachineSet.
    pub machine_set_refs: BTreeSet<(String, String)>,
}

impl Live {
    pub fn insert(&mut self, resource: &ApiResource, object: DynamicObject) {
        let key = ObjectKey::of_live(resource, &object);
        self.objects.insert(
            key,
            LiveObject {
                resource: resource.clone(),
                object,
            },
        );
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&DynamicObject> {
        self.objects.get(key).map(|l| &l.object)
    }

    pub fn in_use_by_machine_set(&self, key: &ObjectKey) -> bool {
        self.machine_set_refs
            .contains(&(key.kind.clone(), key.name.clone()))
    }
}

fn namespace_resource() -> ApiResource {
    ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&())
}

/// `(group, kind, name)` of the infrastructureRef in a CAPI object's machine template: v1beta1
/// refs carry `apiVersion`, v1beta2 refs `apiGroup`.
fn template_ref(obj: &DynamicObject) -> Option<(String, String, String)> {
    let r = obj.data.pointer("/spec/template/spec/infrastructureRef")?;
    let group = match (r.get("apiGroup"), r.get("apiVersion")) {
        (Some(g), _) => g.as_str()?.to_string(),
        (None, Some(v)) => v
            .as_str()?
            .rsplit_once('/')
            .map_or("", |(g, _)| g)
            .to_string(),
        _ => return None,
    };
    Some((
        group,
        r.get("kind")?.as_str()?.to_string(),
        r.get("name")?.as_str()?.to_string(),
    ))
}

fn ours(obj: &DynamicObject, cluster: &str) -> bool {
    obj.metadata.labels.as_ref().is_some_and(|l| {
        l.get(CLUSTER_LABEL).map(String::as_str) == Some(cluster)
            && l.get(MANAGED_BY_LABEL).map(String::as_str) == Some(MANAGER)
    })
}

/// Reads the live state for `desired` in `namespace` (the control-plane namespace of the
/// HostedCluster named `cluster`).
pub async fn read(
    caches: &Caches,
    records: &Records,
    namespace: &str,
    cluster: &str,
    capi: CapiVersion,
    desired: &[DesiredObject],
) -> Result<Live, CacheError> {
    let served = caches.catalog.current();
    let timeout = caches.sync_timeout;
    let mut live = Live::default();
    let ns_res = namespace_resource();
    let ns_cache = caches
        .owned
        .synced(&ns_res, false, Labelled::Ours, timeout)
        .await?;
    let ns_key = ObjectKey {
        group: ns_res.group.clone(),
        kind: ns_res.kind.clone(),
        namespace: None,
        name: namespace.to_string(),
    };
    let ns = records.freshest(&ns_key, ns_cache.get(None, namespace));
    if ns.is_none() {
        // No namespace yet: nothing of ours can exist in it. The caches of the kinds about to
        // be created are started (and listed) now all the same: their watches are what
        // reports later changes, so they must be watching before the objects exist.
        for d in desired.iter().filter(|o| o.namespace().is_some()) {
            if let Some((res, namespaced)) = served.find(d.api_version(), d.kind()) {
                caches
                    .owned
                    .synced(res, *namespaced, Labelled::Ours, timeout)
                    .await?;
            }
        }
        // MachineSets too: otherwise the first pass that finds the namespace lists them, and
        // a cluster that converges in one apply pass would pay that list on its first resync.
        if let Some((res, namespaced)) = served.find(&capi.api_version(), "MachineSet") {
            caches
                .owned
                .synced(res, *namespaced, Labelled::Anyone, timeout)
                .await?;
        }
        return Ok(live);
    }
    live.insert(&ns_res, Arc::unwrap_or_clone(ns.expect("checked above")));

    // Kinds by group: one object is served under every version of its kind, so each kind is
    // read once, in the version this round's desired objects use where they use it.
    let mut queue: Vec<(String, String)> = vec![(capi.api_version(), "MachineDeployment".into())];
    queue.extend(
        desired
            .iter()
            .filter(|o| o.namespace().is_some())
            .map(|o| (o.api_version().to_string(), o.kind().to_string())),
    );
    let mut listed = BTreeSet::new();
    while let Some((api_version, kind)) = queue.pop() {
        let group = api_version
            .rsplit_once('/')
            .map_or("", |(g, _)| g)
            .to_string();
        if !listed.insert((group, kind.clone())) {
            continue;
        }
        let Some((res, namespaced)) = served.find(&api_version, &kind).cloned() else {
            continue;
        };
        let cache = caches
            .owned
            .synced(&res, namespaced, Labelled::Ours, timeout)
            .await?;
        let mut seen = BTreeSet::new();
        for obj in cache.in_namespace(namespace) {
            if !ours(&obj, cluster) {
                continue;
            }
            if res.kind == "MachineDeployment"
                && let Some((group, kind, _)) = template_ref(&obj)
                && let Some((r, _)) = find_in_group(&served, &group, &kind, desired)
            {
                queue.push((r.api_version.clone(), kind));
            }
            let key = ObjectKey::of_live(&res, &obj);
            if let Some(o) = records.freshest(&key, Some(obj)) {
                seen.insert(key);
                live.insert(&res, Arc::unwrap_or_clone(o));
            }
        }
        // Applied by us and not yet in the cache.
        for d in desired
            .iter()
            .filter(|d| d.resource.group == res.group && d.kind() == kind)
        {
            let key = ObjectKey::of_desired(d);
            if !seen.contains(&key)
                && let Some(o) = records.freshest(&key, None)
            {
                live.insert(&res, Arc::unwrap_or_clone(o));
            }
        }
    }

    // MachineSets are CAPI's (not labelled by us); the namespace is this cluster's alone.
    if let Some((res, namespaced)) = served.find(&capi.api_version(), "MachineSet").cloned() {
        let cache = caches
            .owned
            .synced(&res, namespaced, Labelled::Anyone, timeout)
            .await?;
        for ms in cache.in_namespace(namespace) {
            if let Some((_, kind, name)) = template_ref(&ms) {
                live.machine_set_refs.insert((kind, name));
            }
        }
    }
    Ok(live)
}

/// The served resource of `group`/`kind`: the version a desired object uses, else the newest.
fn find_in_group<'a>(
    served: &'a Served,
    group: &str,
    kind: &str,
    desired: &[DesiredObject],
) -> Option<&'a (ApiResource, bool)> {
    desired
        .iter()
        .find(|d| d.kind() == kind && d.resource.group == group)
        .and_then(|d| served.find(d.api_version(), kind))
        .or_else(|| served.newest_in_group(group, kind))
}
