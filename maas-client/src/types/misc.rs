//! The small objects: version, user, zone, resource pool, tag.

use serde::{Deserialize, Serialize};

use super::nullable;

/// `GET version/`. Also answers without authentication, which makes it the
/// cheapest reachability check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    pub version: String,
    /// A git hash on source builds, empty on MAAS 3.x packages.
    #[serde(default, deserialize_with = "nullable")]
    pub subversion: String,
    #[serde(default, deserialize_with = "nullable")]
    pub capabilities: Vec<String>,
}

/// `GET users/?op=whoami`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    #[serde(default)]
    pub email: Option<String>,
    /// Admin-only calls (VM host create/compose/delete/parameters) need it.
    #[serde(default, deserialize_with = "nullable")]
    pub is_superuser: bool,
    #[serde(default)]
    pub is_local: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
}

/// A physical availability zone (`zones/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    pub id: u64,
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
}

/// A resource pool (`resourcepools/`, single pool at `resourcepool/{id}/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourcePool {
    pub id: u64,
    pub name: String,
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
}

/// A machine tag (`tags/`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    /// XPath over hardware details; empty for manual tags.
    #[serde(default, deserialize_with = "nullable")]
    pub definition: String,
    #[serde(default, deserialize_with = "nullable")]
    pub comment: String,
    #[serde(default, deserialize_with = "nullable")]
    pub kernel_opts: String,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
}
