//! How each control-plane service is published to the hosted cluster's nodes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(
    Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, JsonSchema,
)]
pub enum ServiceType {
    APIServer,
    OAuthServer,
    OIDC,
    Konnectivity,
    Ignition,
    OVNSbDb,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServicePublishingStrategyMapping {
    pub service: ServiceType,
    pub service_publishing_strategy: ServicePublishingStrategy,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServicePublishingStrategy {
    #[serde(rename = "type")]
    pub type_: PublishingStrategyType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_port: Option<NodePortPublishingStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_balancer: Option<HostnamePublishingStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<HostnamePublishingStrategy>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum PublishingStrategyType {
    LoadBalancer,
    NodePort,
    Route,
    None,
    S3,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, JsonSchema)]
pub struct NodePortPublishingStrategy {
    #[schemars(length(min = 1, max = 253))]
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
pub struct HostnamePublishingStrategy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub hostname: Option<String>,
}

impl ServicePublishingStrategyMapping {
    pub fn new(service: ServiceType, strategy: ServicePublishingStrategy) -> Self {
        Self {
            service,
            service_publishing_strategy: strategy,
        }
    }
}

impl ServicePublishingStrategy {
    pub fn of(type_: PublishingStrategyType) -> Self {
        Self {
            type_,
            node_port: None,
            load_balancer: None,
            route: None,
        }
    }
    pub fn route() -> Self {
        Self::of(PublishingStrategyType::Route)
    }
    pub fn load_balancer() -> Self {
        Self::of(PublishingStrategyType::LoadBalancer)
    }
}
