//! Boot resources: the images MAAS can deploy.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::nullable;

/// Boot loaders are listed among boot resources as `<loader>/<firmware>`;
/// they are not deployable images.
const BOOTLOADER_OS: &[&str] = &[
    "grub-efi",
    "grub-efi-signed",
    "grub-ieee1275",
    "pxelinux",
    "uboot",
    "uefi",
];

/// One boot resource (`boot-resources/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootResource {
    pub id: u64,
    /// `Synced`, `Uploaded` or `Generated`.
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    pub type_: String,
    /// `os/series` for synced images, a free name for uploaded ones.
    pub name: String,
    /// `arch/subarch`, e.g. `amd64/ga-18.04`.
    #[serde(default, deserialize_with = "nullable")]
    pub architecture: String,
    #[serde(default, deserialize_with = "nullable")]
    pub subarches: String,
    #[serde(default)]
    pub title: Option<String>,
    /// The OS an uploaded image is based on (MAAS 3.5+), e.g. `rhel/9`.
    #[serde(default)]
    pub base_image: Option<String>,
    #[serde(default)]
    pub last_deployed: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub resource_uri: String,
    /// Only in `boot-resources/{id}/`.
    #[serde(default, deserialize_with = "nullable")]
    pub sets: BTreeMap<String, BootResourceSet>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BootResourceSet {
    #[serde(deserialize_with = "nullable")]
    pub version: String,
    #[serde(deserialize_with = "nullable")]
    pub label: String,
    pub size: u64,
    pub complete: bool,
    #[serde(deserialize_with = "nullable")]
    pub files: BTreeMap<String, BootResourceFile>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BootResourceFile {
    #[serde(deserialize_with = "nullable")]
    pub filename: String,
    #[serde(deserialize_with = "nullable")]
    pub filetype: String,
    #[serde(deserialize_with = "nullable")]
    pub sha256: String,
    pub size: u64,
    pub complete: bool,
}

impl BootResource {
    pub fn is_synced(&self) -> bool {
        self.type_.eq_ignore_ascii_case("synced")
    }

    pub fn is_bootloader(&self) -> bool {
        let os = self.name.split('/').next().unwrap_or_default();
        BOOTLOADER_OS.contains(&os)
    }

    /// The deployable synced images as sorted, unique `os/series` names
    /// (one per series, whatever the architectures), e.g. `ubuntu/jammy`.
    pub fn synced_image_names(resources: &[BootResource]) -> Vec<String> {
        resources
            .iter()
            .filter(|r| r.is_synced() && !r.is_bootloader() && r.name.contains('/'))
            .map(|r| r.name.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}
