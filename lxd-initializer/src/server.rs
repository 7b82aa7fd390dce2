//! `GET /1.0`: the daemon's version, configuration and API extensions.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::{LxdClient, LxdError};

/// The parts of `GET /1.0` the initializer reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Server {
    /// Server configuration (`core.https_address`, `core.trust_password`, ...).
    #[serde(default)]
    pub config: BTreeMap<String, serde_json::Value>,
    /// API extensions the daemon implements.
    #[serde(default)]
    pub api_extensions: Vec<String>,
    /// Environment (version, addresses, certificate).
    pub environment: Environment,
}

/// `environment` of `GET /1.0`.
#[derive(Clone, Debug, Deserialize)]
pub struct Environment {
    /// E.g. `5.0.2`.
    pub server_version: String,
    /// Addresses the HTTPS API listens on.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Storage drivers this daemon can use.
    #[serde(default)]
    pub storage_supported_drivers: Vec<StorageDriver>,
}

/// One entry of `storage_supported_drivers`.
#[derive(Clone, Debug, Deserialize)]
pub struct StorageDriver {
    /// E.g. `dir`, `zfs`.
    #[serde(rename = "Name")]
    pub name: String,
}

impl Server {
    /// Reads `GET /1.0`.
    pub async fn read(client: &LxdClient) -> Result<Self, LxdError> {
        client.get("read the server", "/1.0").await
    }

    /// A configuration value as text (`""` when unset).
    pub fn config_str(&self, key: &str) -> String {
        match self.config.get(key) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Bool(b)) => b.to_string(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }

    /// `(major, minor)` of the server version; `(0, 0)` if unreadable.
    pub fn version(&self) -> (u32, u32) {
        let mut parts = self
            .environment
            .server_version
            .split('.')
            .map(|p| p.parse::<u32>().unwrap_or(0));
        (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
    }

    /// LXD 5.21 removed `core.trust_password` (tokens replace it); 5.0 LTS still has it.
    pub fn has_trust_password(&self) -> bool {
        self.version() < (5, 21)
    }

    /// Whether `driver` is usable here (an empty list means the daemon did not say).
    pub fn supports_driver(&self, driver: &str) -> bool {
        let drivers = &self.environment.storage_supported_drivers;
        drivers.is_empty() || drivers.iter().any(|d| d.name == driver)
    }
}
