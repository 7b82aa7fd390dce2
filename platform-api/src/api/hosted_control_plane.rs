//! The HostedControlPlane (`hypershift.openshift.io/v1beta1`): the fields of HyperShift's own
//! type that we write and read, so its CRD is a subset of HyperShift's and an object we build
//! validates against either.
//!
//! The CAPI Cluster points its `controlPlaneRef` here. HyperShift's control-plane operator runs
//! the control plane from it; we declare the spec it needs and read back what it reports.

use super::common::{ApiEndpoint, LocalObjectReference};
use super::etcd::{EtcdSpec, SecretEncryptionSpec};
use super::hosted_cluster::{DnsSpec, HostedClusterSpec};
use super::networking::ClusterNetworking;
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
    /// The platform as OpenShift's Infrastructure object names it (`None` for platforms
    /// OpenShift does not know). Platform sections stay on the HostedCluster: HyperShift's
    /// CRD has none for platforms outside OpenShift's list.
    #[schemars(description = "")]
    pub platform: ControlPlanePlatform,
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
    /// The SSH public key for the nodes; an empty name when there is none (HyperShift
    /// requires the field).
    #[schemars(description = "")]
    pub ssh_key: LocalObjectReference,
    /// The OIDC issuer of service account tokens ([`DEFAULT_ISSUER_URL`] unless set).
    #[schemars(description = "")]
    #[serde(rename = "issuerURL")]
    pub issuer_url: String,
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
    /// Settings of the hosted cluster's operators (the default ingress controller's
    /// publishing).
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator_configuration: Option<OperatorConfiguration>,
    /// Optional OpenShift capabilities switched off (e.g. the image registry).
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Capabilities>,
}

/// The issuer HyperShift defaults `issuerURL` to: the hosted API server's own service.
pub const DEFAULT_ISSUER_URL: &str = "https://kubernetes.default.svc";

/// `spec.platform` of a HostedControlPlane.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct ControlPlanePlatform {
    /// The Infrastructure platform type, e.g. `None`.
    #[schemars(description = "")]
    #[serde(rename = "type")]
    pub type_: String,
}

/// `spec.operatorConfiguration`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct OperatorConfiguration {
    /// The ingress operator's settings.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ingress_operator: Option<IngressOperatorSpec>,
}

/// `spec.operatorConfiguration.ingressOperator`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct IngressOperatorSpec {
    /// How the default ingress controller is published.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_publishing_strategy: Option<EndpointPublishingStrategy>,
}

/// How an ingress controller is published (OpenShift's `EndpointPublishingStrategy`, the
/// `type` only: each type's own settings keep their defaults).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct EndpointPublishingStrategy {
    /// `LoadBalancerService`, `NodePortService`, `HostNetwork` or `Private`.
    #[schemars(description = "")]
    #[serde(rename = "type")]
    pub type_: String,
}

/// `spec.capabilities`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct Capabilities {
    /// Capabilities switched off, e.g. `ImageRegistry`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled: Vec<String>,
}

/// A key of a Secret in the HostedControlPlane's namespace.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct KubeconfigSecretRef {
    /// The Secret's name.
    #[schemars(description = "")]
    pub name: String,
    /// The key holding the kubeconfig.
    #[schemars(description = "")]
    pub key: String,
}

impl HostedControlPlaneSpec {
    /// The control plane's spec is the cluster's, minus what only the management side uses,
    /// with `platform_type` as the Infrastructure platform type. The caller adds what the
    /// platform decides (operator configuration, capabilities, the API server port).
    pub fn from_hosted_cluster(
        spec: &HostedClusterSpec,
        infra_id: String,
        platform_type: &str,
    ) -> Self {
        Self {
            release_image: spec.release.image.clone(),
            control_plane_release_image: spec
                .control_plane_release
                .as_ref()
                .map(|r| r.image.clone()),
            infra_id,
            cluster_id: spec.cluster_id.clone(),
            platform: ControlPlanePlatform {
                type_: platform_type.to_string(),
            },
            dns: spec.dns.clone(),
            networking: spec.networking.clone(),
            services: spec.services.clone(),
            pull_secret: spec.pull_secret.clone(),
            ssh_key: spec.ssh_key.clone().unwrap_or_default(),
            issuer_url: spec
                .issuer_url
                .clone()
                .unwrap_or_else(|| DEFAULT_ISSUER_URL.to_string()),
            etcd: spec.etcd.clone(),
            secret_encryption: spec.secret_encryption.clone(),
            fips: spec.fips,
            operator_configuration: None,
            capabilities: None,
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
    /// The Secret and key holding the admin kubeconfig.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config: Option<KubeconfigSecretRef>,
    /// The backend's conditions.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}
