//! The control-plane backend the conformance suite builds with: platform-api cannot link the
//! real backends (they depend on it), and a platform's properties do not depend on which
//! backend runs the control plane. It builds a bare HostedControlPlane of the cluster's spec
//! and points each MachineDeployment at a `user-data-<nodepool>` Secret it does not build.

use crate::Platform;
use crate::api::{HostedCluster, HostedControlPlane, HostedControlPlaneSpec};
use crate::control_plane::{
    Bootstrap, ControlPlane, ControlPlaneRef, ControlPlaneStatus, NodePoolBootstrap, ProviderScope,
};
use crate::desired::{DesiredObject, Role};
use crate::platform::{ClusterContext, FieldErrors, NodePoolContext, PlatformError};
use kube::api::{ApiResource, DynamicObject};

/// A minimal per-namespace backend for tests of platforms (see the module docs).
#[derive(Clone, Copy, Debug, Default)]
pub struct ReferenceControlPlane;

impl ControlPlane for ReferenceControlPlane {
    fn name(&self) -> &'static str {
        "reference"
    }

    fn provider_scope(&self) -> ProviderScope {
        ProviderScope::PerNamespace
    }

    fn validate(&self, _: &HostedCluster) -> Result<(), FieldErrors> {
        Ok(())
    }

    fn control_plane(
        &self,
        ctx: &ClusterContext<'_>,
        platform: &dyn Platform,
    ) -> Result<Vec<DesiredObject>, PlatformError> {
        let hc = ctx.hosted_cluster;
        let mut hcp = HostedControlPlane::new(
            hc.metadata.name.as_deref().unwrap_or_default(),
            HostedControlPlaneSpec::from_hosted_cluster(
                &hc.spec,
                hc.infra_id(),
                platform.infrastructure_platform_type(None),
            ),
        );
        hcp.metadata.namespace = Some(ctx.control_plane_namespace.into());
        Ok(vec![DesiredObject::typed(Role::ControlPlane, &hcp)])
    }

    fn control_plane_ref(&self, hc: &HostedCluster) -> ControlPlaneRef {
        ControlPlaneRef {
            resource: ApiResource::erase::<HostedControlPlane>(&()),
            name: hc.metadata.name.clone().unwrap_or_default(),
        }
    }

    fn node_pool_bootstrap(
        &self,
        ctx: &NodePoolContext<'_>,
    ) -> Result<NodePoolBootstrap, PlatformError> {
        let name = ctx.node_pool.metadata.name.as_deref().unwrap_or_default();
        Ok(NodePoolBootstrap {
            objects: Vec::new(),
            bootstrap: Bootstrap::DataSecretName(format!("user-data-{name}")),
        })
    }

    fn observe(&self, _: &DynamicObject) -> ControlPlaneStatus {
        ControlPlaneStatus::default()
    }
}
