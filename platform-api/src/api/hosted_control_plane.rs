//! A minimal HostedControlPlane (`hypershift.openshift.io/v1beta1`).
//!
//! The CAPI Cluster points its `controlPlaneRef` here. Running the control plane is the job of an
//! external controller; we only declare the spec it needs and read back the endpoint it reports.

use super::common::{ApiEndpoint, LocalObjectReference};
use super::etcd::{EtcdSpec, SecretEncryptionSpec};
use super::hosted_cluster::{DnsSpec, HostedClusterSpec};
use super::networking::ClusterNetworking;
use super::platform_spec::PlatformSpec;
use super::services::ServicePublishingStrategyMapping;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "hypershift.openshift.io",
    version = "v1beta1",
    kind = "HostedControlPlane",
    plural = "hostedcontrolplanes",
    namespaced,
    status = "HostedControlPlaneStatus",
    shortname = "hcp",
    printcolumn = r#"{"name":"Ready","type":"boolean","jsonPath":".status.ready"}"#,
    printcolumn = r#"{"name":"Endpoint","type":"string","jsonPath":".status.controlPlaneEndpoint.host"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct HostedControlPlaneSpec {
    pub release_image: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_release_image: Option<String>,
    #[serde(rename = "infraID")]
    pub infra_id: String,
    #[serde(default, rename = "clusterID", skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    pub platform: PlatformSpec,
    pub dns: DnsSpec,
    pub networking: ClusterNetworking,
    pub services: Vec<ServicePublishingStrategyMapping>,
    pub pull_secret: LocalObjectReference,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<LocalObjectReference>,
    #[serde(default, rename = "issuerURL", skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
    pub etcd: EtcdSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_encryption: Option<SecretEncryptionSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fips: Option<bool>,
}

impl HostedControlPlaneSpec {
    /// The control plane's spec is the cluster's, minus what only the management side uses.
    pub fn from_hosted_cluster(spec: &HostedClusterSpec, infra_id: String) -> Self {
        Self {
            release_image: spec.release.image.clone(),
            control_plane_release_image: spec
                .control_plane_release
                .as_ref()
                .map(|r| r.image.clone()),
            infra_id,
            cluster_id: spec.cluster_id.clone(),
            platform: spec.platform.clone(),
            dns: spec.dns.clone(),
            networking: spec.networking.clone(),
            services: spec.services.clone(),
            pull_secret: spec.pull_secret.clone(),
            ssh_key: spec.ssh_key.clone(),
            issuer_url: spec.issuer_url.clone(),
            etcd: spec.etcd.clone(),
            secret_encryption: spec.secret_encryption.clone(),
            fips: spec.fips,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostedControlPlaneStatus {
    /// CAPI's control-plane contract: the control plane can take requests.
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub initialized: bool,
    /// Tells CAPI that no Machines back this control plane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_managed_control_plane: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<ApiEndpoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config: Option<LocalObjectReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
