//! Etcd placement and secret encryption, following HyperShift's `EtcdSpec` and `SecretEncryptionSpec`.

use super::common::LocalObjectReference;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the hosted cluster's etcd is run.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct EtcdSpec {
    /// Managed by the control plane or run by the user.
    #[schemars(description = "")]
    pub management_type: EtcdManagementType,
    /// Settings for `Managed`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<ManagedEtcdSpec>,
    /// Settings for `Unmanaged`.
    #[schemars(description = "")]
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

/// Who runs etcd.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub enum EtcdManagementType {
    /// The control plane runs etcd.
    Managed,
    /// The user runs etcd and gives its endpoint.
    Unmanaged,
}

/// Settings of an etcd the control plane runs.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct ManagedEtcdSpec {
    /// Where the data is kept.
    #[schemars(description = "")]
    pub storage: ManagedEtcdStorage,
}

/// Where a managed etcd keeps its data.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct ManagedEtcdStorage {
    /// The kind of storage.
    #[schemars(description = "")]
    #[serde(rename = "type")]
    pub type_: EtcdStorageType,
    /// Settings for `PersistentVolume`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume: Option<PersistentVolumeEtcdStorage>,
}

/// The kind of storage of a managed etcd.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub enum EtcdStorageType {
    /// A persistent volume per member.
    PersistentVolume,
}

/// A persistent volume for each etcd member.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct PersistentVolumeEtcdStorage {
    /// A Kubernetes quantity, e.g. `8Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// The StorageClass of the volume; the default class when unset.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub storage_class_name: Option<String>,
}

/// An etcd run outside the control plane.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct UnmanagedEtcdSpec {
    /// The etcd URL (`https://` only).
    #[schemars(description = "")]
    #[schemars(length(max = 255), regex(pattern = "^https://"))]
    pub endpoint: String,
    /// Client credentials.
    #[schemars(description = "")]
    pub tls: EtcdTlsConfig,
}

/// How the control plane authenticates to an unmanaged etcd.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct EtcdTlsConfig {
    /// The Secret with the client certificate, key and CA.
    #[schemars(description = "")]
    pub client_secret: LocalObjectReference,
}

/// Encryption of Secrets at rest in etcd.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct SecretEncryptionSpec {
    /// The kind of encryption.
    #[schemars(description = "")]
    #[serde(rename = "type")]
    pub type_: SecretEncryptionType,
    /// Keys for `aescbc`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aescbc: Option<AesCbcSpec>,
}

/// How Secrets are encrypted.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub enum SecretEncryptionType {
    /// AES-CBC with keys from Secrets ([`AesCbcSpec`]).
    #[serde(rename = "aescbc")]
    AesCbc,
    /// A KMS provider of the platform (see [`Platform::secret_encryption`](crate::Platform::secret_encryption)).
    #[serde(rename = "kms")]
    Kms,
}

/// Keys for AES-CBC encryption.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct AesCbcSpec {
    /// The Secret with the key new writes use.
    #[schemars(description = "")]
    pub active_key: LocalObjectReference,
    /// The Secret with the previous key, still used to read during rotation.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_key: Option<LocalObjectReference>,
}
