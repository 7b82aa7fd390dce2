//! The HostedControlPlane: the HostedCluster's spec, with the answers of the platform hooks
//! in the fields HyperShift's control-plane operator reads.
//!
//! * `spec.platform.type` ← [`Platform::infrastructure_platform_type`] (OpenShift knows only
//!   its own platforms: MAAS answers `None`).
//! * `spec.networking.apiServer.port` ← [`Platform::kas_port`], unless the cluster sets it.
//! * `spec.operatorConfiguration.ingressOperator.endpointPublishingStrategy` ←
//!   [`Platform::ingress_publishing_strategy`] (the hosted cluster config operator publishes
//!   the default IngressController that way).
//! * `spec.capabilities.disabled: [ImageRegistry]` ← [`Platform::image_registry_storage`]
//!   `Removed`. Which storage a deployed registry gets follows the platform type in
//!   HyperShift (object storage for the clouds, `emptyDir` otherwise): the HostedControlPlane
//!   has no field for it, so `PlatformDefault` and `EmptyDir` both leave the capability on.

use platform_api::Platform;
use platform_api::api::hosted_control_plane::{
    Capabilities, EndpointPublishingStrategy, IngressOperatorSpec, OperatorConfiguration,
};
use platform_api::api::networking::ApiServerNetworking;
use platform_api::api::{HostedControlPlane, HostedControlPlaneSpec};
use platform_api::desired::{DesiredObject, Role};
use platform_api::platform::{
    ClusterContext, ImageRegistryStorage, IngressPublishingStrategy, OpenShiftVersion,
};

/// The HostedControlPlane of `ctx`'s cluster, named after it, in the control-plane namespace.
pub fn hosted_control_plane(ctx: &ClusterContext<'_>, platform: &dyn Platform) -> DesiredObject {
    let hc = ctx.hosted_cluster;
    let release = OpenShiftVersion::from_release_image(&hc.spec.release.image);
    let mut spec = HostedControlPlaneSpec::from_hosted_cluster(
        &hc.spec,
        hc.infra_id(),
        platform.infrastructure_platform_type(release),
    );
    let api_server = spec
        .networking
        .api_server
        .get_or_insert_with(ApiServerNetworking::default);
    api_server.port.get_or_insert(platform.kas_port());
    spec.operator_configuration = Some(OperatorConfiguration {
        ingress_operator: Some(IngressOperatorSpec {
            endpoint_publishing_strategy: Some(EndpointPublishingStrategy {
                type_: publishing_type(platform.ingress_publishing_strategy()).to_string(),
            }),
        }),
    });
    if platform.image_registry_storage() == ImageRegistryStorage::Removed {
        spec.capabilities = Some(Capabilities {
            disabled: vec!["ImageRegistry".to_string()],
        });
    }
    let mut hcp = HostedControlPlane::new(hc.metadata.name.as_deref().unwrap_or_default(), spec);
    hcp.metadata.namespace = Some(ctx.control_plane_namespace.to_string());
    DesiredObject::typed(Role::ControlPlane, &hcp)
}

/// OpenShift's `EndpointPublishingStrategy` type for each answer.
fn publishing_type(strategy: IngressPublishingStrategy) -> &'static str {
    match strategy {
        IngressPublishingStrategy::LoadBalancer => "LoadBalancerService",
        IngressPublishingStrategy::NodePort => "NodePortService",
        IngressPublishingStrategy::HostNetwork => "HostNetwork",
    }
}
