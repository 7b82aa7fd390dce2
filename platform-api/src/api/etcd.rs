//! Etcd placement and secret encryption, following HyperShift's `EtcdSpec` and `SecretEncryptionSpec`.

use super::common::LocalObjectReference;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EtcdSpec {
    pub management_type: EtcdManagementType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<ManagedEtcdSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmanaged: Option<UnmanagedEtcdSpec>,
}

impl Default for EtcdSpec {
    /// HyperShift's default: managed etcd on an 8Gi persistent volume.
    fn default() -> Self {
        Self {
            management_type: EtcdManagementType::Managed,
            managed: Some(ManagedEtcdSpec {
                storage: ManagedEtcdStorage {
                    type_: EtcdStorageType::PersistentVolume,
                    persistent_volume: Some(PersistentVolumeEtcdStorage {
                        size: Some("8Gi".into()),
                        storage_class_name: None,
                    }),
                },
            }),
            unmanaged: None,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum EtcdManagementType {
    Managed,
    Unmanaged,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct ManagedEtcdSpec {
    pub storage: ManagedEtcdStorage,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ManagedEtcdStorage {
    #[serde(rename = "type")]
    pub type_: EtcdStorageType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume: Option<PersistentVolumeEtcdStorage>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum EtcdStorageType {
    PersistentVolume,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersistentVolumeEtcdStorage {
    /// A Kubernetes quantity, e.g. `8Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub storage_class_name: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct UnmanagedEtcdSpec {
    #[schemars(length(max = 255), regex(pattern = "^https://"))]
    pub endpoint: String,
    pub tls: EtcdTlsConfig,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EtcdTlsConfig {
    pub client_secret: LocalObjectReference,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct SecretEncryptionSpec {
    #[serde(rename = "type")]
    pub type_: SecretEncryptionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aescbc: Option<AesCbcSpec>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum SecretEncryptionType {
    #[serde(rename = "aescbc")]
    AesCbc,
    #[serde(rename = "kms")]
    Kms,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AesCbcSpec {
    pub active_key: LocalObjectReference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_key: Option<LocalObjectReference>,
}
