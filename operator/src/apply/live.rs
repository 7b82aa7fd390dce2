//! Reads what we own in a control-plane namespace: listed by our labels, per kind we manage.
//!
//! Kinds we manage = the kinds of this round's desired objects, plus MachineDeployments, plus
//! the machine-template kinds live MachineDeployments point at. That last part finds templates
//! of a NodePool that was removed even when no pool wants that kind any more, without the
//! operator knowing any platform's kinds.

use super::ApplyError;
use super::key::ObjectKey;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::core::gvk::ParseGroupVersionError;
use platform_api::desired::DesiredObject;
use platform_api::desired::capi::CapiVersion;
use std::collections::{BTreeMap, BTreeSet};

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

pub fn capi_resource(kind: &str) -> ApiResource {
    CapiVersion::V1Beta1.resource(kind)
}

fn namespace_resource() -> ApiResource {
    ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&())
}

/// `(apiVersion, kind)` of the infrastructureRef in a CAPI object's machine template.
fn template_ref(obj: &DynamicObject) -> Option<(String, String, String)> {
    let r = obj.data.pointer("/spec/template/spec/infrastructureRef")?;
    Some((
        r.get("apiVersion")?.as_str()?.to_string(),
        r.get("kind")?.as_str()?.to_string(),
        r.get("name")?.as_str()?.to_string(),
    ))
}

fn resource_of(api_version: &str, kind: &str) -> Result<ApiResource, ParseGroupVersionError> {
    let gv: kube::core::GroupVersion = api_version.parse()?;
    Ok(ApiResource::from_gvk(&gv.with_kind(kind)))
}

/// A missing CRD (404) means no objects of that kind: CAPI may not be installed yet.
async fn list(
    client: &kube::Client,
    namespace: &str,
    resource: &ApiResource,
    selector: Option<&str>,
) -> Result<Vec<DynamicObject>, ApplyError> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, resource);
    let mut lp = ListParams::default();
    if let Some(s) = selector {
        lp = lp.labels(s);
    }
    match api.list(&lp).await {
        Ok(l) => Ok(l.items),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(Vec::new()),
        Err(source) => Err(ApplyError::ListFailed {
            kind: resource.kind.clone(),
            source,
        }),
    }
}

/// Reads the live state for `desired` in `namespace` (the control-plane namespace).
pub async fn read(
    client: &kube::Client,
    namespace: &str,
    selector: &str,
    desired: &[DesiredObject],
) -> Result<Live, ApplyError> {
    let mut live = Live::default();
    let ns_res = namespace_resource();
    let ns_api: Api<DynamicObject> = Api::all_with(client.clone(), &ns_res);
    let ns = ns_api
        .get_opt(namespace)
        .await
        .map_err(|source| ApplyError::ListFailed {
            kind: "Namespace".into(),
            source,
        })?;
    let Some(ns) = ns else {
        // No namespace yet: nothing of ours can exist in it; skip the lists.
        return Ok(live);
    };
    live.insert(&ns_res, ns);

    let mut resources: BTreeMap<(String, String), ApiResource> = BTreeMap::new();
    for obj in desired.iter().filter(|o| o.namespace().is_some()) {
        resources
            .entry((obj.api_version().into(), obj.kind().into()))
            .or_insert_with(|| obj.resource.clone());
    }
    let md = capi_resource("MachineDeployment");
    resources
        .entry((md.api_version.clone(), md.kind.clone()))
        .or_insert(md.clone());

    let mut listed = BTreeSet::new();
    let mut queue: Vec<ApiResource> = resources.into_values().collect();
    while let Some(res) = queue.pop() {
        if !listed.insert((res.api_version.clone(), res.kind.clone())) {
            continue;
        }
        for obj in list(client, namespace, &res, Some(selector)).await? {
            if res.kind == md.kind
                && let Some((api_version, kind, _)) = template_ref(&obj)
                && !listed.contains(&(api_version.clone(), kind.clone()))
                && let Ok(r) = resource_of(&api_version, &kind)
            {
                queue.push(r);
            }
            live.insert(&res, obj);
        }
    }

    // MachineSets are CAPI's (not labelled by us); the namespace is this cluster's alone.
    for ms in list(client, namespace, &capi_resource("MachineSet"), None).await? {
        if let Some((_, kind, name)) = template_ref(&ms) {
            live.machine_set_refs.insert((kind, name));
        }
    }
    Ok(live)
}
