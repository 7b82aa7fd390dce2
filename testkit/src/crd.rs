//! A read-only view of a `CustomResourceDefinition`: what tests need to pick a version
//! and its schema. Full shape checking lives in [`crate::structural`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

/// Why a JSON value could not be read as a CRD.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a usable CustomResourceDefinition: {0}")]
pub struct CrdError(String);

impl CrdError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// One entry of `spec.versions`.
#[derive(Debug, Clone, PartialEq)]
pub struct CrdVersion {
    pub name: String,
    pub served: bool,
    pub storage: bool,
    pub deprecated: bool,
    /// `schema.openAPIV3Schema` (`Value::Null` if the version has none).
    pub schema: Value,
    /// `subresources` (`Value::Null` if absent).
    pub subresources: Value,
}

impl CrdVersion {
    /// Whether the `status` subresource is enabled (then an apiserver ignores `status` on
    /// create/update of the main resource).
    pub fn has_status_subresource(&self) -> bool {
        self.subresources.get("status").is_some()
    }
}

/// The parts of a CRD that object validation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Crd {
    /// `metadata.name` (`<plural>.<group>`).
    pub name: String,
    pub group: String,
    pub kind: String,
    pub plural: String,
    /// `Namespaced` or `Cluster`.
    pub scope: String,
    pub versions: BTreeMap<String, CrdVersion>,
}

impl Crd {
    /// Reads the fields from a CRD document (apiextensions.k8s.io/v1).
    pub fn from_value(crd: &Value) -> Result<Self, CrdError> {
        let str_at = |ptr: &str| -> Result<String, CrdError> {
            crd.pointer(ptr)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| CrdError::new(format!("missing string at {ptr}")))
        };
        if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            return Err(CrdError::new("kind is not CustomResourceDefinition"));
        }
        let mut versions = BTreeMap::new();
        let list = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .ok_or_else(|| CrdError::new("spec.versions is missing or not a list"))?;
        for (i, v) in list.iter().enumerate() {
            let name = v
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| CrdError::new(format!("spec.versions[{i}].name is missing")))?;
            let flag = |key: &str| v.get(key).and_then(Value::as_bool).unwrap_or(false);
            let version = CrdVersion {
                name: name.to_string(),
                served: flag("served"),
                storage: flag("storage"),
                deprecated: flag("deprecated"),
                schema: v
                    .pointer("/schema/openAPIV3Schema")
                    .cloned()
                    .unwrap_or(Value::Null),
                subresources: v.get("subresources").cloned().unwrap_or(Value::Null),
            };
            if versions.insert(name.to_string(), version).is_some() {
                return Err(CrdError::new(format!("version {name} is listed twice")));
            }
        }
        Ok(Self {
            name: str_at("/metadata/name").unwrap_or_default(),
            group: str_at("/spec/group")?,
            kind: str_at("/spec/names/kind")?,
            plural: str_at("/spec/names/plural")?,
            scope: str_at("/spec/scope")?,
            versions,
        })
    }

    /// The version called `name` (served or not).
    pub fn version(&self, name: &str) -> Option<&CrdVersion> {
        self.versions.get(name)
    }

    /// The `openAPIV3Schema` of version `name`.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.version(name)
            .map(|v| &v.schema)
            .filter(|s| !s.is_null())
    }

    /// The one version with `storage: true`.
    pub fn storage_version(&self) -> Option<&CrdVersion> {
        self.versions.values().find(|v| v.storage)
    }

    /// Names of the served versions.
    pub fn served_versions(&self) -> Vec<&str> {
        self.versions
            .values()
            .filter(|v| v.served)
            .map(|v| v.name.as_str())
            .collect()
    }

    /// `<group>/<version>`, the `apiVersion` an object of that version carries.
    pub fn api_version(&self, version: &str) -> String {
        format!("{}/{version}", self.group)
    }

    /// Loads a CRD file once per process and shares it: the HostedCluster CRD is ~600 KB
    /// and many tests validate against it. Panics like [`crate::fixtures::load_crd`].
    pub fn load_cached(path: impl AsRef<Path>) -> Arc<Crd> {
        type Slot = Arc<OnceLock<Arc<Crd>>>;
        static CACHE: OnceLock<Mutex<HashMap<PathBuf, Slot>>> = OnceLock::new();
        let path = path.as_ref();
        let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        // The map lock is held only to find the slot; parsing happens outside it so that
        // different CRDs load in parallel while the same CRD is parsed only once.
        let slot = {
            let mut map = CACHE
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            map.entry(key).or_default().clone()
        };
        slot.get_or_init(|| Arc::new(crate::fixtures::load_crd(path)))
            .clone()
    }
}
