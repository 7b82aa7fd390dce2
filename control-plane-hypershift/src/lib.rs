//! The `hypershift` control-plane backend (the default): HyperShift's control-plane operator
//! runs the control plane from a HostedControlPlane, and NodePools bootstrap from Ignition
//! served by HyperShift's ignition server, as HyperShift's own NodePool controller sets up.
//!
//! * [`hcp`]: the HostedControlPlane, with the platform's answers in the fields the
//!   control-plane operator reads.
//! * [`operator`]: the control-plane operator's Deployment and RBAC, when its image is known.
//! * [`bootstrap`]: a NodePool's token and user-data Secrets.
//! * [`observe`](mod@observe): what the operator reads back from the live HostedControlPlane.
//!
//! CAPI core and the infrastructure provider run in each control-plane namespace
//! ([`ProviderScope::PerNamespace`]), as HyperShift runs them.

pub mod bootstrap;
mod gzip;
pub mod hcp;
pub mod ignition;
pub mod observe;
pub mod operator;
mod unsupported;

use kube::api::{ApiResource, DynamicObject};
use platform_api::Platform;
use platform_api::api::{HostedCluster, HostedControlPlane, NodePool};
use platform_api::control_plane::{
    ControlPlane, ControlPlaneRef, ControlPlaneStatus, NodePoolBootstrap, ProviderScope,
    SecretKeyRef,
};
use platform_api::desired::DesiredObject;
use platform_api::platform::{ClusterContext, FieldErrors, NodePoolContext, PlatformError};

/// The backend's registry name and `hosted-cluster.io/control-plane` value.
pub const CONTROL_PLANE: &str = "hypershift";

/// The `hypershift` backend.
#[derive(Clone, Copy, Debug, Default)]
pub struct HyperShift;

impl ControlPlane for HyperShift {
    fn name(&self) -> &'static str {
        CONTROL_PLANE
    }

    fn provider_scope(&self) -> ProviderScope {
        ProviderScope::PerNamespace
    }

    fn validate(&self, hc: &HostedCluster) -> Result<(), FieldErrors> {
        operator::validate(hc)
    }

    fn validate_node_pool(&self, np: &NodePool) -> Result<(), FieldErrors> {
        unsupported::node_pool(np)
    }

    fn control_plane(
        &self,
        ctx: &ClusterContext<'_>,
        platform: &dyn Platform,
    ) -> Result<Vec<DesiredObject>, PlatformError> {
        let mut objects = vec![hcp::hosted_control_plane(ctx, platform)];
        objects.extend(operator::objects(ctx));
        Ok(objects)
    }

    fn control_plane_ref(&self, hc: &HostedCluster) -> ControlPlaneRef {
        ControlPlaneRef {
            resource: ApiResource::erase::<HostedControlPlane>(&()),
            // HyperShift names the HostedControlPlane after its HostedCluster.
            name: hc.metadata.name.clone().unwrap_or_default(),
        }
    }

    fn node_pool_bootstrap(
        &self,
        ctx: &NodePoolContext<'_>,
    ) -> Result<NodePoolBootstrap, PlatformError> {
        bootstrap::node_pool_bootstrap(ctx)
    }

    fn observe(&self, live: &DynamicObject) -> ControlPlaneStatus {
        observe::observe(live)
    }

    fn input_secrets(&self, _: &HostedCluster) -> Vec<String> {
        vec![ignition::CA_SECRET.to_string()]
    }

    fn bootstrap_token_secret(&self, np: &NodePool) -> Option<SecretKeyRef> {
        Some(SecretKeyRef {
            name: bootstrap::token_secret_name(np),
            key: bootstrap::TOKEN_KEY.to_string(),
        })
    }
}

platform_api::register_control_plane!(CONTROL_PLANE, || Box::new(HyperShift));
