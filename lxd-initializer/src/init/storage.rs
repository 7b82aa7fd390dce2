//! The storage pool MAAS composes VM disks in.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::{Change, LxdClient, LxdError, Server, Step};

/// The pool to ensure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoragePoolSpec {
    /// Pool name.
    pub name: String,
    /// LXD driver: `dir`, `zfs`, `btrfs`, `lvm`, ...
    pub driver: String,
    /// Size in GB of a loop-backed pool; `dir` pools have none.
    pub size_gb: Option<u64>,
}

#[derive(Deserialize)]
struct Pool {
    driver: String,
    #[serde(default)]
    config: BTreeMap<String, String>,
}

impl StoragePoolSpec {
    fn size(&self) -> Option<String> {
        self.size_gb.map(|gb| format!("{gb}GB"))
    }

    /// Checks the request without asking the daemon.
    pub fn validate(&self) -> Result<(), LxdError> {
        crate::names::check("--storage-pool", &self.name, crate::names::NAME_MAX)?;
        if self.size_gb == Some(0) {
            return Err(LxdError::Invalid {
                field: "--storage-size".into(),
                reason: "must be a positive number of GB".into(),
            });
        }
        if self.driver == "dir" && self.size_gb.is_some() {
            return Err(LxdError::Invalid {
                field: "--storage-size".into(),
                reason: "a dir pool uses the host's file system and has no size; leave it out"
                    .into(),
            });
        }
        Ok(())
    }
}

/// Creates the pool, or checks that the existing one has the same driver (a driver cannot be
/// changed in place) and size.
pub async fn ensure(
    client: &LxdClient,
    server: &Server,
    spec: &StoragePoolSpec,
) -> Result<Step, LxdError> {
    let path = format!("/1.0/storage-pools/{}", spec.name);
    let what = format!("storage pool {:?}", spec.name);
    let existing: Option<Pool> = client.get_opt(&format!("read {what}"), &path).await?;
    let Some(pool) = existing else {
        if !server.supports_driver(&spec.driver) {
            return Err(LxdError::Unsupported {
                version: server.environment.server_version.clone(),
                feature: format!("the {:?} storage driver", spec.driver),
                fix: "pick a driver from `lxc info` (storage_supported_drivers)".into(),
            });
        }
        let mut config = serde_json::Map::new();
        if let Some(size) = spec.size() {
            config.insert("size".into(), json!(size));
        }
        let body = json!({"name": spec.name, "driver": spec.driver, "config": config});
        client
            .send(
                &format!("create {what}"),
                Method::POST,
                "/1.0/storage-pools",
                &body,
            )
            .await?;
        return Ok(Step::new(
            "storage-pool",
            &spec.name,
            Change::Created,
            format!("driver {}", spec.driver),
        ));
    };
    if pool.driver != spec.driver {
        return Err(LxdError::Conflict {
            what,
            found: format!("driver {}", pool.driver),
            wanted: format!("driver {}", spec.driver),
            fix: "pick another --storage-pool name, or the existing driver".into(),
        });
    }
    match spec.size() {
        Some(size) if pool.config.get("size") != Some(&size) => {
            client
                .send(
                    &format!("resize {what}"),
                    Method::PATCH,
                    &path,
                    &json!({"config": {"size": size}}),
                )
                .await?;
            Ok(Step::new(
                "storage-pool",
                &spec.name,
                Change::Updated,
                format!("size {size}"),
            ))
        }
        _ => Ok(Step::new(
            "storage-pool",
            &spec.name,
            Change::Unchanged,
            format!("driver {}", pool.driver),
        )),
    }
}
