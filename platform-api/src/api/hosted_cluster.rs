//! The HostedCluster resource (`hypershift.openshift.io/v1beta1`).

use super::common::{ApiEndpoint, LocalObjectReference, Release};
use super::etcd::{EtcdSpec, SecretEncryptionSpec};
use super::networking::ClusterNetworking;
use super::platform_spec::PlatformSpec;
use super::services::ServicePublishingStrategyMapping;
use k8s_openapi::api::core::v1::Toleration;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "hypershift.openshift.io",
    version = "v1beta1",
    kind = "HostedCluster",
    plural = "hostedclusters",
    namespaced,
    status = "HostedClusterStatus",
    shortname = "hc",
    shortname = "hcs",
    printcolumn = r#"{"name":"Platform","type":"string","jsonPath":".spec.platform.type"}"#,
    printcolumn = r#"{"name":"KubeConfig","type":"string","jsonPath":".status.kubeconfig.name"}"#,
    printcolumn = r#"{"name":"Available","type":"string","jsonPath":".status.conditions[?(@.type==\"Available\")].status"}"#,
    printcolumn = r#"{"name":"Message","type":"string","jsonPath":".status.conditions[?(@.type==\"Available\")].message"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct HostedClusterSpec {
    pub release: Release,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_release: Option<Release>,
    #[serde(default, rename = "clusterID", skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 36))]
    pub cluster_id: Option<String>,
    /// Names the infrastructure objects of this cluster (the MaasCluster, the CAPI Cluster, ...).
    #[serde(default, rename = "infraID", skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub infra_id: Option<String>,
    pub platform: PlatformSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 100))]
    pub channel: Option<String>,
    #[serde(default)]
    pub dns: DnsSpec,
    #[serde(default)]
    pub networking: ClusterNetworking,
    #[schemars(length(max = 6))]
    pub services: Vec<ServicePublishingStrategyMapping>,
    pub pull_secret: LocalObjectReference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<LocalObjectReference>,
    #[serde(default, rename = "issuerURL", skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub issuer_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_signing_key: Option<LocalObjectReference>,
    #[serde(default)]
    pub etcd: EtcdSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_encryption: Option<SecretEncryptionSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_trust_bundle: Option<LocalObjectReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fips: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_availability_policy: Option<AvailabilityPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_availability_policy: Option<AvailabilityPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub olm_catalog_placement: Option<OlmCatalogPlacement>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 25))]
    pub tolerations: Vec<Toleration>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// RFC3339 time or `true`/`false`: while set, the operator does not reconcile this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 35))]
    pub paused_until: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DnsSpec {
    #[schemars(length(max = 253))]
    pub base_domain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub base_domain_prefix: Option<String>,
    #[serde(
        default,
        rename = "publicZoneID",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(length(min = 1, max = 258))]
    pub public_zone_id: Option<String>,
    #[serde(
        default,
        rename = "privateZoneID",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(length(min = 1, max = 265))]
    pub private_zone_id: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum AvailabilityPolicy {
    HighlyAvailable,
    SingleReplica,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OlmCatalogPlacement {
    Management,
    Guest,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostedClusterStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeconfig: Option<LocalObjectReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeadmin_password: Option<LocalObjectReference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub ignition_endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<ApiEndpoint>,
    #[serde(
        default,
        rename = "oauthCallbackURLTemplate",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(length(max = 1024))]
    pub oauth_callback_url_template: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 100))]
    pub conditions: Vec<Condition>,
}

impl HostedCluster {
    /// The namespace that holds this cluster's control plane and infrastructure objects:
    /// `<namespace>-<name>`, with dots turned into dashes so it stays a DNS label.
    pub fn control_plane_namespace(&self) -> String {
        let ns = self.metadata.namespace.as_deref().unwrap_or("default");
        let name = self.metadata.name.as_deref().unwrap_or_default();
        format!("{ns}-{name}").replace('.', "-")
    }

    /// The infrastructure ID; falls back to the cluster name so builders stay total.
    pub fn infra_id(&self) -> String {
        match self.spec.infra_id.as_deref() {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => self.metadata.name.clone().unwrap_or_default(),
        }
    }
}
