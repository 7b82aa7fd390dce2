//! The [`ControlPlane`] implementation: the builders of this crate behind the trait.

use crate::{CONTROL_PLANE, bootstrap, control_plane, observe, version};
use kube::api::DynamicObject;
use platform_api::Platform;
use platform_api::api::{ApiEndpoint, HostedCluster};
use platform_api::control_plane::{
    Bootstrap, ControlPlane, ControlPlaneRef, ControlPlaneStatus, NodePoolBootstrap, ProviderScope,
    SecretKeyRef,
};
use platform_api::desired::DesiredObject;
use platform_api::platform::{ClusterContext, FieldErrors, NodePoolContext, PlatformError};

/// The kamaji backend: plain Kubernetes run by Kamaji, workers joined by kubeadm.
#[derive(Clone, Copy, Debug, Default)]
pub struct Kamaji;

impl ControlPlane for Kamaji {
    fn name(&self) -> &'static str {
        CONTROL_PLANE
    }

    /// CAPI core, the kubeadm bootstrap provider, Kamaji and the infrastructure provider are
    /// installed once for the management cluster (`clusterctl init`).
    fn provider_scope(&self) -> ProviderScope {
        ProviderScope::ClusterWide
    }

    fn validate(&self, hosted_cluster: &HostedCluster) -> Result<(), FieldErrors> {
        control_plane::validate(hosted_cluster)
    }

    fn control_plane(
        &self,
        ctx: &ClusterContext<'_>,
        _platform: &dyn Platform,
    ) -> Result<Vec<DesiredObject>, PlatformError> {
        let kcp =
            control_plane::kamaji_control_plane(ctx.hosted_cluster, ctx.control_plane_namespace)
                .map_err(PlatformError::Invalid)?;
        Ok(vec![kcp])
    }

    fn control_plane_ref(&self, hosted_cluster: &HostedCluster) -> ControlPlaneRef {
        ControlPlaneRef {
            resource: control_plane::resource(),
            name: hosted_cluster.metadata.name.clone().unwrap_or_default(),
        }
    }

    fn node_pool_bootstrap(
        &self,
        ctx: &NodePoolContext<'_>,
    ) -> Result<NodePoolBootstrap, PlatformError> {
        let template = bootstrap::kubeadm_config_template(
            ctx.cluster.capi,
            ctx.node_pool,
            ctx.cluster.control_plane_namespace,
        );
        Ok(NodePoolBootstrap {
            bootstrap: Bootstrap::ConfigRef {
                resource: template.resource.clone(),
                name: template.name().to_string(),
            },
            objects: vec![template],
        })
    }

    fn observe(&self, live: &DynamicObject) -> ControlPlaneStatus {
        let seen = observe::observe(live);
        let message = (!seen.ready).then(|| {
            if seen.initialized {
                "Kamaji initialized the control plane; waiting for it to report ready".into()
            } else {
                "waiting for Kamaji to bring up the control plane".into()
            }
        });
        ControlPlaneStatus {
            ready: seen.ready,
            endpoint: seen.endpoint.map(|(host, port)| ApiEndpoint { host, port }),
            kubeconfig: seen
                .kubeconfig
                .map(|(name, key)| SecretKeyRef { name, key }),
            message,
        }
    }

    fn kubernetes_version(&self, hosted_cluster: &HostedCluster) -> Option<String> {
        version::kubernetes_version(hosted_cluster).ok()
    }
}
