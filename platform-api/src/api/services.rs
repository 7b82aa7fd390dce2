//! How each control-plane service is published to the hosted cluster's nodes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A control-plane service the hosted cluster's nodes or users must reach.
#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, JsonSchema,
)]
#[schemars(description = "")]
pub enum ServiceType {
    /// The hosted kube-apiserver.
    APIServer,
    /// The OAuth server (console and `oc login`).
    OAuthServer,
    /// The OIDC discovery endpoint.
    OIDC,
    /// The konnectivity server the nodes' agents tunnel to.
    Konnectivity,
    /// The ignition server new machines fetch their configuration from.
    Ignition,
    /// The OVN southbound database (older HyperShift releases).
    OVNSbDb,
}

/// How one control-plane service is published.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct ServicePublishingStrategyMapping {
    /// The service.
    #[schemars(description = "")]
    pub service: ServiceType,
    /// How it is published.
    #[schemars(description = "")]
    pub service_publishing_strategy: ServicePublishingStrategy,
}

/// How a service is exposed; the matching optional section holds the details.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(description = "")]
pub struct ServicePublishingStrategy {
    /// The kind of exposure.
    #[schemars(description = "")]
    #[serde(rename = "type")]
    pub type_: PublishingStrategyType,
    /// Details for `NodePort`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<NodePortPublishingStrategy>,
    /// Details for `LoadBalancer`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<HostnamePublishingStrategy>,
    /// Details for `Route`.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<HostnamePublishingStrategy>,
}

/// The kind of exposure of a control-plane service.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub enum PublishingStrategyType {
    /// A LoadBalancer Service on the management cluster.
    LoadBalancer,
    /// A NodePort Service on a management-cluster address.
    NodePort,
    /// An OpenShift Route on the management cluster's ingress.
    Route,
    /// Not published.
    None,
    /// Served from an S3 bucket (the OIDC documents on AWS).
    S3,
}

/// Details of a NodePort-published service.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct NodePortPublishingStrategy {
    /// The management-cluster address the nodes use.
    #[schemars(description = "")]
    #[schemars(length(min = 1, max = 253))]
    pub address: String,
    /// A fixed node port; unset lets Kubernetes pick one.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
}

/// Details of a service published under a hostname (LoadBalancer or Route).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[schemars(description = "")]
pub struct HostnamePublishingStrategy {
    /// The hostname; unset lets the platform pick one.
    #[schemars(description = "")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub hostname: Option<String>,
}

impl ServicePublishingStrategyMapping {
    /// `service` published with `strategy`.
    pub fn new(service: ServiceType, strategy: ServicePublishingStrategy) -> Self {
        Self {
            service,
            service_publishing_strategy: strategy,
        }
    }
}

impl ServicePublishingStrategy {
    /// A strategy of `type_` with no details.
    pub fn of(type_: PublishingStrategyType) -> Self {
        Self {
            type_,
            node_port: None,
            load_balancer: None,
            route: None,
        }
    }
    /// Published as a Route with a generated hostname.
    pub fn route() -> Self {
        Self::of(PublishingStrategyType::Route)
    }
    /// Published as a LoadBalancer with a generated hostname.
    pub fn load_balancer() -> Self {
        Self::of(PublishingStrategyType::LoadBalancer)
    }
}
