//! Where new machines fetch their Ignition configuration, and the CA they trust it with.
//!
//! HyperShift's ignition server runs in the control-plane namespace, published as the
//! HostedCluster's `Ignition` service says, and serves with a certificate signed by the CA in
//! the `ignition-server-ca-cert` Secret. The operator reads that Secret (the backend names it
//! in `input_secrets`); `render` prints placeholders.

use platform_api::api::HostedCluster;
use platform_api::api::services::{PublishingStrategyType, ServiceType};
use platform_api::platform::{ClusterContext, MissingSecrets, PlatformError};

/// The Secret holding the ignition server's CA, in the control-plane namespace.
pub const CA_SECRET: &str = "ignition-server-ca-cert";
/// Its key holding the CA certificate (PEM).
pub const CA_KEY: &str = "tls.crt";
/// What `render` writes where the CA and the endpoint are not known yet.
pub const PLACEHOLDER: &str = "PLACEHOLDER-set-by-the-operator";

/// `host[:port]` of the ignition server as the nodes reach it, from the HostedCluster's
/// `Ignition` service: a Route's or LoadBalancer's hostname, or a NodePort's address and port.
/// `None` when it is left to the server to pick (a generated hostname, a random node port).
pub fn endpoint(hc: &HostedCluster) -> Option<String> {
    let strategy = &hc
        .spec
        .services
        .iter()
        .find(|s| s.service == ServiceType::Ignition)?
        .service_publishing_strategy;
    match strategy.type_ {
        PublishingStrategyType::Route => strategy.route.as_ref()?.hostname.clone(),
        PublishingStrategyType::LoadBalancer => strategy.load_balancer.as_ref()?.hostname.clone(),
        PublishingStrategyType::NodePort => {
            let np = strategy.node_port.as_ref()?;
            Some(format!("{}:{}", np.address, np.port?))
        }
        PublishingStrategyType::None | PublishingStrategyType::S3 => None,
    }
    .filter(|e| !e.is_empty())
}

/// The endpoint and the CA (PEM bytes) the user data points at: real ones, `render`'s
/// placeholders, or [`PlatformError::Waiting`] for what the server has not produced yet.
pub fn endpoint_and_ca(ctx: &ClusterContext<'_>) -> Result<(String, Vec<u8>), PlatformError> {
    let endpoint = endpoint(ctx.hosted_cluster);
    let ca = ctx
        .control_plane_secret(CA_SECRET)
        .and_then(|s| s.data.get(CA_KEY))
        .filter(|ca| !ca.is_empty())
        .cloned();
    match (endpoint, ca, ctx.missing_secrets) {
        (Some(e), Some(ca), _) => Ok((e, ca)),
        (e, ca, MissingSecrets::Placeholder) => Ok((
            e.unwrap_or_else(|| PLACEHOLDER.to_string()),
            ca.unwrap_or_else(|| PLACEHOLDER.as_bytes().to_vec()),
        )),
        (None, _, MissingSecrets::Fail) => Err(PlatformError::Waiting(
            "the ignition endpoint: give the Ignition service a Route or LoadBalancer hostname, or a NodePort address and port, in spec.services".into(),
        )),
        (Some(_), None, MissingSecrets::Fail) => Err(PlatformError::Waiting(format!(
            "Secret {}/{CA_SECRET} (the ignition server's CA, written by the control-plane operator)",
            ctx.control_plane_namespace
        ))),
    }
}
