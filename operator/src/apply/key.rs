//! Identity of an object across the desired set and the live listing.

use kube::api::{ApiResource, DynamicObject};
use platform_api::desired::DesiredObject;
use std::fmt;

/// `apiVersion`, `kind`, namespace and name: enough to match a desired object with a live one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectKey {
    pub fn of_desired(obj: &DesiredObject) -> Self {
        Self {
            api_version: obj.api_version().to_string(),
            kind: obj.kind().to_string(),
            namespace: obj.namespace().map(str::to_string),
            name: obj.name().to_string(),
        }
    }

    pub fn of_live(resource: &ApiResource, obj: &DynamicObject) -> Self {
        Self {
            api_version: resource.api_version.clone(),
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
