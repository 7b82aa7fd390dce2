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

/// The desired state of a hosted cluster, following HyperShift's HostedClusterSpec. The
/// operator builds the control-plane namespace, the HostedControlPlane and the CAPI objects
/// from it.
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
#[schemars(description = "")]
pub struct HostedClusterSpec {
    /// The OpenShift release of the cluster (and the default of its NodePools).
    #[schemars(description = "")]
    pub release: Release,
    /// A different release for the control-plane components only.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_release: Option<Release>,
    /// A UUID identifying the cluster to telemetry; generated when unset.
    #[schemars(description = "")]
    #[serde(default, rename = "clusterID", skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 36))]
    pub cluster_id: Option<String>,
    /// Names the infrastructure objects of this cluster (the MaasCluster, the CAPI Cluster, ...).
    #[serde(default, rename = "infraID", skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub infra_id: Option<String>,
    /// The infrastructure provider and its settings; see [`PlatformSpec`].
    #[schemars(description = "")]
    pub platform: PlatformSpec,
    /// The update channel the cluster follows, e.g. `stable-4.19`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 100))]
    pub channel: Option<String>,
    /// DNS zones and the base domain.
    #[schemars(description = "")]
    #[serde(default)]
    pub dns: DnsSpec,
    /// Pod, service and machine networks.
    #[schemars(description = "")]
    #[serde(default)]
    pub networking: ClusterNetworking,
    /// How each control-plane service is published; APIServer, OAuthServer, Konnectivity and
    /// Ignition must be present.
    #[schemars(description = "")]
    #[schemars(length(max = 6))]
    pub services: Vec<ServicePublishingStrategyMapping>,
    /// The Secret holding the pull secret for the release images.
    #[schemars(description = "")]
    pub pull_secret: LocalObjectReference,
    /// The Secret holding the SSH public key put on the nodes.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_key: Option<LocalObjectReference>,
    /// The OIDC issuer of the cluster's service account tokens.
    #[schemars(description = "")]
    #[serde(default, rename = "issuerURL", skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 255))]
    pub issuer_url: Option<String>,
    /// A Secret with the key that signs service account tokens; generated when unset.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_signing_key: Option<LocalObjectReference>,
    /// How etcd is run.
    #[schemars(description = "")]
    #[serde(default)]
    pub etcd: EtcdSpec,
    /// Encryption of Secrets at rest in etcd.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_encryption: Option<SecretEncryptionSpec>,
    /// A ConfigMap of extra CA certificates the nodes and components trust.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_trust_bundle: Option<LocalObjectReference>,
    /// Run the cluster in FIPS mode.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fips: Option<bool>,
    /// Replicas of the control-plane components.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller_availability_policy: Option<AvailabilityPolicy>,
    /// Replicas of the infrastructure components on the hosted cluster.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure_availability_policy: Option<AvailabilityPolicy>,
    /// Where the OLM catalogs run.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub olm_catalog_placement: Option<OlmCatalogPlacement>,
    /// Node selector for the control-plane pods on the management cluster.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: BTreeMap<String, String>,
    /// Tolerations for the control-plane pods on the management cluster.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 25))]
    pub tolerations: Vec<Toleration>,
    /// Labels for the control-plane pods.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// RFC3339 time or `true`/`false`: while set, the operator does not reconcile this cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 35))]
    pub paused_until: Option<String>,
}

/// DNS of the hosted cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct DnsSpec {
    /// The domain the cluster's DNS names end in, e.g. `example.com`.
    #[schemars(description = "")]
    #[schemars(length(max = 253))]
    pub base_domain: String,
    /// Prefix to the base domain; defaults to the cluster name.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253))]
    pub base_domain_prefix: Option<String>,
    #[serde(
        default,
        rename = "publicZoneID",
        skip_serializing_if = "Option::is_none"
    )]
    /// The public DNS zone the platform manages records in.
    #[schemars(description = "")]
    #[schemars(length(min = 1, max = 258))]
    pub public_zone_id: Option<String>,
    #[serde(
        default,
        rename = "privateZoneID",
        skip_serializing_if = "Option::is_none"
    )]
    /// The private DNS zone the platform manages records in.
    #[schemars(description = "")]
    #[schemars(length(min = 1, max = 265))]
    pub private_zone_id: Option<String>,
}

// The variant docs are for rustdoc only (`cfg_attr(doc, ...)`): seen by the JsonSchema derive,
// they would turn this optional enum's schema into a `oneOf` that loses the `null` value.
/// How many replicas a group of components runs.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
#[cfg_attr(not(doc), allow(missing_docs))]
pub enum AvailabilityPolicy {
    #[cfg_attr(doc, doc = "Several replicas spread over failure domains.")]
    HighlyAvailable,
    #[cfg_attr(doc, doc = "One replica each.")]
    SingleReplica,
}

// The variant docs are for rustdoc only (`cfg_attr(doc, ...)`): seen by the JsonSchema derive,
// they would turn this optional enum's schema into a `oneOf` that loses the `null` value.
/// Where the OLM catalog components run.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(description = "")]
#[cfg_attr(not(doc), allow(missing_docs))]
pub enum OlmCatalogPlacement {
    #[cfg_attr(
        doc,
        doc = "On the management cluster, in the control-plane namespace."
    )]
    Management,
    #[cfg_attr(doc, doc = "On the hosted cluster.")]
    Guest,
}

/// What the control plane reports back about a hosted cluster.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct HostedClusterStatus {
    /// The Secret holding the admin kubeconfig of the hosted cluster.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeconfig: Option<LocalObjectReference>,
    /// The Secret holding the kubeadmin password.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubeadmin_password: Option<LocalObjectReference>,
    /// Where new machines fetch their ignition configuration.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 1024))]
    pub ignition_endpoint: Option<String>,
    /// Where the hosted API server can be reached.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_plane_endpoint: Option<ApiEndpoint>,
    #[serde(
        default,
        rename = "oauthCallbackURLTemplate",
        skip_serializing_if = "Option::is_none"
    )]
    /// The OAuth callback URL of identity providers, with `[identity-provider-name]` to fill in.
    #[schemars(description = "")]
    #[schemars(length(max = 1024))]
    pub oauth_callback_url_template: Option<String>,
    /// The operator's conditions (Available, ValidConfiguration, ...).
    #[schemars(description = "")]
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
