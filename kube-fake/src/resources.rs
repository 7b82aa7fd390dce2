//! The resource types the fake serves: built-in kinds and registered CRDs.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::schema::CrdSchemas;
use crate::status::ApiError;

/// One served resource type. All versions of a type share one storage, in the storage version.
/// For types from CRDs, writes and reads in other versions are pruned and defaulted with their
/// schemas (conversion strategy `None`: only `apiVersion` is rewritten); see `schema.rs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceInfo {
    /// "" for the core group.
    pub group: String,
    /// Served versions; the first one is the storage version.
    pub versions: Vec<String>,
    pub kind: String,
    pub plural: String,
    pub namespaced: bool,
    /// Has a `/status` subresource: main-resource writes keep the stored status, `/status` writes
    /// touch only the status.
    pub status_subresource: bool,
    /// Maintains `metadata.generation` (custom resources, Deployments; not ConfigMaps or Secrets).
    pub generation: bool,
    /// A PUT without `metadata.resourceVersion` is allowed (built-ins); custom resources refuse it.
    pub unconditional_update: bool,
    /// DELETE answers with the deleted object (custom resources) instead of a `Status`.
    pub return_deleted_object: bool,
    /// Accepts strategic merge patches (built-ins; custom resources answer 415).
    pub strategic_merge: bool,
    /// Field-selector labels beyond `metadata.name` and `metadata.namespace`.
    pub field_labels: Vec<String>,
}

/// Storage identity of a resource type: (group, plural).
pub(crate) type ResKey = (String, String);

impl ResourceInfo {
    pub(crate) fn key(&self) -> ResKey {
        (self.group.clone(), self.plural.clone())
    }

    pub(crate) fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    pub(crate) fn storage_version(&self) -> &str {
        &self.versions[0]
    }

    /// `plural` or `plural.group`.
    pub fn qualified(&self) -> String {
        crate::status::qualified(&self.plural, &self.group)
    }
}

fn builtin(
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
    namespaced: bool,
    status: bool,
) -> ResourceInfo {
    ResourceInfo {
        group: group.into(),
        versions: vec![version.into()],
        kind: kind.into(),
        plural: plural.into(),
        namespaced,
        status_subresource: status,
        generation: false,
        unconditional_update: true,
        return_deleted_object: false,
        strategic_merge: true,
        field_labels: vec![],
    }
}

pub(crate) fn builtins() -> Vec<ResourceInfo> {
    let rbac = "rbac.authorization.k8s.io";
    let mut ns = builtin("", "v1", "Namespace", "namespaces", false, true);
    ns.field_labels = vec!["status.phase".into()];
    let mut secret = builtin("", "v1", "Secret", "secrets", true, false);
    secret.field_labels = vec!["type".into()];
    let mut deploy = builtin("apps", "v1", "Deployment", "deployments", true, true);
    deploy.generation = true;
    let mut crd = builtin(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        true,
    );
    crd.generation = true;
    vec![
        ns,
        secret,
        builtin("", "v1", "ConfigMap", "configmaps", true, false),
        builtin("", "v1", "ServiceAccount", "serviceaccounts", true, false),
        builtin("", "v1", "Service", "services", true, true),
        builtin("", "v1", "Event", "events", true, false),
        deploy,
        builtin(rbac, "v1", "Role", "roles", true, false),
        builtin(rbac, "v1", "RoleBinding", "rolebindings", true, false),
        builtin(rbac, "v1", "ClusterRole", "clusterroles", false, false),
        builtin(
            rbac,
            "v1",
            "ClusterRoleBinding",
            "clusterrolebindings",
            false,
            false,
        ),
        builtin("coordination.k8s.io", "v1", "Lease", "leases", true, false),
        builtin("events.k8s.io", "v1", "Event", "events", true, false),
        crd,
    ]
}

/// The resource types of a `CustomResourceDefinition` object (one per CRD; all served versions).
pub(crate) fn from_crd(crd: &Value) -> Result<ResourceInfo, ApiError> {
    let bad = |what: &str| ApiError::bad_request(format!("CustomResourceDefinition: {what}"));
    let spec = crd.get("spec").ok_or_else(|| bad("missing spec"))?;
    let s = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let group = s(spec, "/group").ok_or_else(|| bad("missing spec.group"))?;
    let kind = s(spec, "/names/kind").ok_or_else(|| bad("missing spec.names.kind"))?;
    let plural = s(spec, "/names/plural").ok_or_else(|| bad("missing spec.names.plural"))?;
    let namespaced = s(spec, "/scope").as_deref() != Some("Cluster");
    let versions = spec
        .get("versions")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("missing spec.versions"))?;
    // The storage version first, then the other served versions.
    let mut served: Vec<(bool, String, bool)> = versions
        .iter()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(true))
        .filter_map(|v| {
            let name = s(v, "/name")?;
            let storage = v.get("storage").and_then(Value::as_bool).unwrap_or(false);
            let status = v.pointer("/subresources/status").is_some();
            Some((storage, name, status))
        })
        .collect();
    if served.is_empty() {
        return Err(bad("no served version"));
    }
    served.sort_by_key(|(storage, _, _)| !*storage);
    Ok(ResourceInfo {
        group,
        status_subresource: served.iter().any(|(_, _, st)| *st),
        versions: served.into_iter().map(|(_, n, _)| n).collect(),
        kind,
        plural,
        namespaced,
        generation: true,
        unconditional_update: false,
        return_deleted_object: true,
        strategic_merge: false,
        field_labels: vec![],
    })
}

/// All known resource types.
#[derive(Clone, Debug, Default)]
pub(crate) struct Registry {
    pub items: Vec<ResourceInfo>,
    /// The schemas of the types that come from CRDs (built-ins have none: not pruned or defaulted).
    pub schemas: BTreeMap<ResKey, Arc<CrdSchemas>>,
}

impl Registry {
    pub fn with_builtins() -> Self {
        Registry {
            items: builtins(),
            schemas: BTreeMap::new(),
        }
    }

    /// Registers (or re-registers) the type of a CRD object: its served versions replace the known
    /// ones (a version no longer served answers 404), and its schemas replace the known ones.
    pub fn set_crd(&mut self, crd: &Value) -> Result<(), ApiError> {
        let info = from_crd(crd)?;
        let key = info.key();
        match self.items.iter_mut().find(|i| i.key() == key) {
            Some(existing) => *existing = info,
            None => self.items.push(info),
        }
        match CrdSchemas::from_crd(crd) {
            Some(s) => {
                self.schemas.insert(key, Arc::new(s));
            }
            None => {
                self.schemas.remove(&key);
            }
        }
        Ok(())
    }

    /// Forgets a CRD's type and schemas.
    pub fn remove(&mut self, key: &ResKey) {
        self.items.retain(|i| i.key() != *key);
        self.schemas.remove(key);
    }

    /// Adds a type, or adds versions to a known (group, plural).
    pub fn add(&mut self, info: ResourceInfo) {
        if let Some(existing) = self
            .items
            .iter_mut()
            .find(|i| i.group == info.group && i.plural == info.plural)
        {
            for v in &info.versions {
                if !existing.versions.contains(v) {
                    existing.versions.push(v.clone());
                }
            }
            existing.status_subresource |= info.status_subresource;
            existing.kind = info.kind;
            existing.namespaced = info.namespaced;
        } else {
            self.items.push(info);
        }
    }

    /// Looks up a type by the group, version and plural of a URL.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceInfo> {
        self.items.iter().find(|i| {
            i.group == group && i.plural == plural && i.versions.iter().any(|v| v == version)
        })
    }

    pub fn by_key(&self, key: &ResKey) -> Option<&ResourceInfo> {
        self.items
            .iter()
            .find(|i| i.group == key.0 && i.plural == key.1)
    }

    /// Looks up `plural` (core group first) or `plural.group`, or a `Kind` name.
    pub fn lookup(&self, name: &str) -> Option<&ResourceInfo> {
        let (plural, group) = name.split_once('.').unwrap_or((name, ""));
        self.items
            .iter()
            .find(|i| i.plural == plural && i.group == group)
            .or_else(|| self.items.iter().find(|i| i.plural == plural))
            .or_else(|| self.items.iter().find(|i| i.kind == name))
    }
}
