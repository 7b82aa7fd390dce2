//! Read-only lookups: version, user, zones, pools, tags, boot resources.

use reqwest::Method;

use super::path_id;
use crate::transport::Call;
use crate::types::{BootResource, ResourcePool, Tag, User, Version, Zone};
use crate::{MaasClient, MaasError, ObjectKind, Operation};

impl MaasClient {
    /// The MAAS version; also a cheap check that MAAS is reachable.
    pub async fn version(&self) -> Result<Version, MaasError> {
        let op = Operation::collection("get the MAAS version", ObjectKind::Version);
        self.json(Call::new(op, Method::GET, self.url(&["version"])))
            .await
    }

    /// The user the API key belongs to; proves the key works.
    pub async fn whoami(&self) -> Result<User, MaasError> {
        let op = Operation::collection("look up the API key's user", ObjectKind::User);
        self.json(Call::new(op, Method::GET, self.url(&["users"])).op("whoami"))
            .await
    }

    pub async fn zones(&self) -> Result<Vec<Zone>, MaasError> {
        let op = Operation::collection("list zones", ObjectKind::Zone);
        self.json(Call::new(op, Method::GET, self.url(&["zones"])))
            .await
    }

    pub async fn zone(&self, name: &str) -> Result<Zone, MaasError> {
        let op = Operation::on("get", ObjectKind::Zone, name);
        let name = path_id(&op, "zone name", name)?;
        let url = self.url(&["zones", name]);
        self.json(Call::new(op, Method::GET, url)).await
    }

    pub async fn resource_pools(&self) -> Result<Vec<ResourcePool>, MaasError> {
        let op = Operation::collection("list resource pools", ObjectKind::ResourcePool);
        self.json(Call::new(op, Method::GET, self.url(&["resourcepools"])))
            .await
    }

    /// One pool by id (MAAS serves single pools under `resourcepool/`).
    pub async fn resource_pool(&self, id: u64) -> Result<ResourcePool, MaasError> {
        let op = Operation::on("get", ObjectKind::ResourcePool, id);
        let url = self.url(&["resourcepool", &id.to_string()]);
        self.json(Call::new(op, Method::GET, url)).await
    }

    pub async fn tags(&self) -> Result<Vec<Tag>, MaasError> {
        let op = Operation::collection("list tags", ObjectKind::Tag);
        self.json(Call::new(op, Method::GET, self.url(&["tags"])))
            .await
    }

    pub async fn boot_resources(&self) -> Result<Vec<BootResource>, MaasError> {
        let op = Operation::collection("list boot resources", ObjectKind::BootResource);
        self.json(Call::new(op, Method::GET, self.url(&["boot-resources"])))
            .await
    }

    /// The deployable synced images as `os/series`, e.g. `ubuntu/jammy`:
    /// what `DeployOptions::distro_series` can name.
    pub async fn synced_images(&self) -> Result<Vec<String>, MaasError> {
        Ok(BootResource::synced_image_names(
            &self.boot_resources().await?,
        ))
    }
}
