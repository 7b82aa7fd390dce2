//! Identity of an object across the desired set and the live listing.

use kube::api::{ApiResource, DynamicObject};
use platform_api::desired::DesiredObject;
use std::fmt;

/// API group, kind, namespace and name: enough to match a desired object with a live one. The
/// version is left out on purpose: the API server serves one object under every version of its
/// kind, so a key with the version would see one object twice across a CAPI upgrade, and prune
/// the copy it did not ask for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectKey {
    pub fn of_desired(obj: &DesiredObject) -> Self {
        Self {
            group: obj.resource.group.clone(),
            kind: obj.kind().to_string(),
            namespace: obj.namespace().map(str::to_string),
            name: obj.name().to_string(),
        }
    }

    /// Of a typed object (HostedCluster, NodePool).
    pub fn of_typed<K: kube::Resource<DynamicType = ()>>(obj: &K) -> Self {
        Self {
            group: K::group(&()).to_string(),
            kind: K::kind(&()).to_string(),
            namespace: obj.meta().namespace.clone(),
            name: obj.meta().name.clone().unwrap_or_default(),
        }
    }

    pub fn of_live(resource: &ApiResource, obj: &DynamicObject) -> Self {
        Self {
            group: resource.group.clone(),
            kind: resource.kind.clone(),
            namespace: obj.metadata.namespace.clone(),
            name: obj.metadata.name.clone().unwrap_or_default(),
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}
