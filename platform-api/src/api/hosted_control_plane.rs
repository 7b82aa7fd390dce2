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

/// The spec of a HostedControlPlane: the HostedCluster's spec, resolved (the infrastructure ID
/// filled in) and without what only the management side uses.
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
#[schemars(description = "")]
pub struct HostedControlPlaneSpec {
    /// The OpenShift release image.
    #[schemars(description = "")]
    pub release_image: String,
    /// A different release image for the control-plane components.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_release_image: Option<String>,
    /// The infrastructure ID (the HostedCluster's, or its name).
    #[schemars(description = "")]
    #[serde(rename = "infraID")]
    pub infra_id: String,
    /// The cluster's telemetry UUID.
    #[schemars(description = "")]
    #[serde(default, rename = "clusterID", skip_serializing_if = "Option::is_none")]
    pub cluster_id: Option<String>,
    /// The HostedCluster's platform section, unchanged.
    #[schemars(description = "")]
    pub platform: PlatformSpec,
    /// The HostedCluster's DNS settings.
    #[schemars(description = "")]
    pub dns: DnsSpec,
    /// The HostedCluster's networks.
    #[schemars(description = "")]
    pub networking: ClusterNetworking,
    /// How each control-plane service is published.
    #[schemars(description = "")]
    pub services: Vec<ServicePublishingStrategyMapping>,
    /// The pull secret for the release images.
    #[schemars(description = "")]
    pub pull_secret: LocalObjectReference,
    /// The SSH public key for the nodes.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<LocalObjectReference>,
    /// The OIDC issuer of service account tokens.
    #[schemars(description = "")]
    #[serde(default, rename = "issuerURL", skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
    /// How etcd is run.
    #[schemars(description = "")]
    pub etcd: EtcdSpec,
    /// Encryption of Secrets at rest.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_encryption: Option<SecretEncryptionSpec>,
    /// FIPS mode.
    #[schemars(description = "")]
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

/// What the control-plane backend reports; CAPI reads `ready`, `initialized` and
/// `controlPlaneEndpoint`, the operator reads the endpoint back into the infrastructure objects.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct HostedControlPlaneStatus {
    /// CAPI's control-plane contract: the control plane can take requests.
    #[serde(default)]
    pub ready: bool,
    /// CAPI's control-plane contract: the control plane has come up once.
    #[schemars(description = "")]
    #[serde(default)]
    pub initialized: bool,
    /// Tells CAPI that no Machines back this control plane.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_managed_control_plane: Option<bool>,
    /// Where the hosted API server can be reached.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<ApiEndpoint>,
    /// The OpenShift version the control plane runs.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The Secret holding the admin kubeconfig.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config: Option<LocalObjectReference>,
    /// The backend's conditions.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
