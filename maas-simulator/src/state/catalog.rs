//! The small objects around machines: zones, resource pools, tags, boot images and users, with
//! the JSON MAAS shows for each.

use serde_json::{Value, json};

use crate::API;
use crate::inventory::BootResourceType;

#[derive(Clone, Debug)]
pub(crate) struct Zone {
    pub id: u32,
    pub name: String,
    pub description: String,
}

impl Zone {
    pub fn json(&self) -> Value {
        json!({
            "name": self.name,
            "description": self.description,
            "id": self.id,
            "resource_uri": format!("{API}zones/{}/", self.name),
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Pool {
    pub id: u32,
    pub name: String,
    pub description: String,
}

impl Pool {
    pub fn json(&self) -> Value {
        // MAAS serves a single pool at the singular `resourcepool/{id}/`.
        json!({
            "name": self.name,
            "description": self.description,
            "id": self.id,
            "resource_uri": format!("{API}resourcepool/{}/", self.id),
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Tag {
    pub name: String,
    pub comment: String,
    pub definition: String,
    pub kernel_opts: String,
}

impl Tag {
    pub fn json(&self) -> Value {
        json!({
            "name": self.name,
            "definition": self.definition,
            "comment": self.comment,
            "kernel_opts": self.kernel_opts,
            "resource_uri": format!("{API}tags/{}/", self.name),
        })
    }
}

#[derive(Clone, Debug)]
pub(crate) struct BootResource {
    pub id: u32,
    pub kind: BootResourceType,
    pub name: String,
    pub architecture: String,
    pub subarches: Option<String>,
    pub title: Option<String>,
    pub base_image: Option<String>,
    pub size: u64,
}

impl BootResource {
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            BootResourceType::Synced => "Synced",
            BootResourceType::Uploaded => "Uploaded",
            BootResourceType::Generated => "Generated",
        }
    }

    /// The list entry (MAAS 3.5+ shape: `last_deployed`, and `title`/`base_image` for
    /// uploaded images).
    pub fn json(&self) -> Value {
        let mut value = json!({
            "id": self.id,
            "type": self.type_name(),
            "name": self.name,
            "architecture": self.architecture,
            "resource_uri": format!("{API}boot-resources/{}/", self.id),
            "last_deployed": null,
        });
        let obj = value.as_object_mut().expect("object literal");
        if let Some(subarches) = &self.subarches {
            obj.insert("subarches".into(), json!(subarches));
        }
        if let Some(title) = &self.title {
            obj.insert("title".into(), json!(title));
        }
        if let Some(base_image) = &self.base_image {
            obj.insert("base_image".into(), json!(base_image));
        }
        value
    }

    /// The detail view adds the image `sets` (one complete set per image here).
    pub fn detail_json(&self) -> Value {
        let mut value = self.json();
        let (version, label, filename, filetype) = match self.kind {
            BootResourceType::Uploaded => ("20250601", "uploaded", "root.tgz", "root-tgz"),
            _ => ("20250601", "stable", "squashfs", "squashfs"),
        };
        // Stable fake digest derived from the name, so repeated reads agree.
        let sha256 = crate::state::names::hex_digest(&self.name);
        value["sets"] = json!({
            version: {
                "version": version,
                "label": label,
                "size": self.size,
                "complete": true,
                "files": {
                    filename: {
                        "filename": filename,
                        "filetype": filetype,
                        "sha256": sha256,
                        "size": self.size,
                        "complete": true,
                    }
                }
            }
        });
        value
    }

    /// The `(osystem, series)` this image deploys as: `ubuntu/noble` gives
    /// (`ubuntu`, `noble`), an uploaded `rhcos-4.19` gives (`custom`, `rhcos-4.19`).
    pub fn os_series(&self) -> (String, String) {
        match self.name.split_once('/') {
            Some((os, series)) => (os.to_string(), series.to_string()),
            None => ("custom".to_string(), self.name.clone()),
        }
    }

    /// Whether the image boots a deployed OS (rather than a boot loader such as
    /// `grub-efi/uefi` or `pxelinux/pxe`).
    pub fn deployable(&self) -> bool {
        let (os, _) = self.os_series();
        !matches!(
            os.as_str(),
            "grub-efi" | "grub-efi-signed" | "grub-ieee1275" | "pxelinux" | "uboot"
        )
    }
}

#[derive(Clone, Debug)]
pub(crate) struct ApiKey {
    pub consumer_key: String,
    pub token_key: String,
    pub token_secret: String,
}

impl ApiKey {
    pub fn parse(key: &str) -> Option<Self> {
        let mut parts = key.split(':');
        let (consumer, token, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || [consumer, token, secret].iter().any(|p| p.is_empty()) {
            return None;
        }
        Some(Self {
            consumer_key: consumer.to_string(),
            token_key: token.to_string(),
            token_secret: secret.to_string(),
        })
    }

    pub fn joined(&self) -> String {
        format!(
            "{}:{}:{}",
            self.consumer_key, self.token_key, self.token_secret
        )
    }
}

#[derive(Clone, Debug)]
pub(crate) struct User {
    pub username: String,
    pub email: String,
    pub is_admin: bool,
    pub password: Option<String>,
    pub keys: Vec<ApiKey>,
}

impl User {
    pub fn json(&self) -> Value {
        json!({
            "is_superuser": self.is_admin,
            "username": self.username,
            "email": self.email,
            "is_local": true,
            "resource_uri": format!("{API}users/{}/", self.username),
        })
    }
}
