//! `spec.platform` of HostedCluster and NodePool, held opaquely.
//!
//! platform-api cannot know any platform's fields (platform crates depend on it, not the other
//! way round), so the platform section is `{type, <field>: <json>}`. The platform crate owns the
//! typed struct and reads it back through [`PlatformSpec::get`]. The CRD schema for `<field>` is
//! contributed by the registered platform (see `crd/`).

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A platform's own spec type (e.g. the MAAS section of a HostedCluster).
pub trait PlatformSpecType: Serialize + DeserializeOwned + JsonSchema {
    /// The value of `spec.platform.type` this section belongs to, e.g. `MAAS`.
    const PLATFORM_TYPE: &'static str;
}

/// The key under `spec.platform` that holds a platform's section. HyperShift's convention is the
/// lower-cased type (`AWS` → `aws`, `KubeVirt` → `kubevirt`), and we keep it so that no platform
/// can pick a key that disagrees with its type.
pub fn platform_field(platform_type: &str) -> String {
    platform_type.to_ascii_lowercase()
}

/// `spec.platform` of a HostedCluster or NodePool: the platform type and that platform's section,
/// kept as JSON (see the module docs).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct PlatformSpec {
    /// The platform type, e.g. `MAAS`; selects the [`Platform`](crate::Platform) that builds the
    /// cluster. Immutable once created.
    #[serde(rename = "type")]
    pub type_: String,
    /// Platform sections by key; normally exactly one, matching `type`.
    #[serde(flatten)]
    pub sections: BTreeMap<String, serde_json::Value>,
}

/// The platform section exists but does not match the platform's schema.
#[derive(Debug, thiserror::Error)]
#[error("spec.platform.{field}{at} is invalid: {source}")]
pub struct PlatformSpecError {
    /// The section's key, e.g. `maas`.
    pub field: String,
    /// Where in the section, e.g. `.minCpu` (empty for the section itself).
    pub at: String,
    /// What serde could not read.
    #[source]
    pub source: serde_json::Error,
}

impl PlatformSpec {
    /// A platform section for `T`, with `type` set to match.
    pub fn typed<T: PlatformSpecType>(section: &T) -> Self {
        let mut sections = BTreeMap::new();
        let value = serde_json::to_value(section).expect("platform spec types serialise to JSON");
        sections.insert(platform_field(T::PLATFORM_TYPE), value);
        Self {
            type_: T::PLATFORM_TYPE.to_string(),
            sections,
        }
    }

    /// Only `type`, no section (a platform with nothing to configure, such as `None`).
    pub fn of_type(platform_type: &str) -> Self {
        Self {
            type_: platform_type.to_string(),
            sections: BTreeMap::new(),
        }
    }

    /// The key of the section that belongs to `type`.
    pub fn field(&self) -> String {
        platform_field(&self.type_)
    }

    /// Typed read of `T`'s section. `Ok(None)` when the section is absent.
    pub fn get<T: PlatformSpecType>(&self) -> Result<Option<T>, PlatformSpecError> {
        let field = platform_field(T::PLATFORM_TYPE);
        match self.sections.get(&field) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => serde_path_to_error::deserialize(v).map(Some).map_err(|e| {
                let at = match e.path().to_string() {
                    p if p == "." => String::new(),
                    p => format!(".{p}"),
                };
                PlatformSpecError {
                    field,
                    at,
                    source: e.into_inner(),
                }
            }),
        }
    }
}

/// The base schema: `type` only. `crd/` adds each registered platform's section and the enum of
/// known types when it assembles the CRD.
impl JsonSchema for PlatformSpec {
    fn schema_name() -> Cow<'static, str> {
        "PlatformSpec".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "object",
            "description": "platform selects the infrastructure provider (type) and holds that provider's settings under the lower-cased type (e.g. type KubeVirt uses kubevirt).",
            "required": ["type"],
            "properties": {
                "type": {
                    "type": "string",
                    "maxLength": 100,
                    "description": "type is the infrastructure provider of the cluster. It cannot be changed after creation."
                }
            }
        })
    }
}
