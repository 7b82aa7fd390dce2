//! The control-plane namespace, and the control-plane backend's objects in it.

use super::labels::CONTROL_PLANE_NAMESPACE_LABEL;
use super::object::{DesiredObject, Role};
use crate::Platform;
use crate::control_plane::ControlPlane;
use crate::platform::{ClusterContext, PlatformError};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// The control-plane namespace, labelled so it can be recognised as one.
pub fn namespace(name: &str) -> DesiredObject {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(BTreeMap::from([(
                CONTROL_PLANE_NAMESPACE_LABEL.to_string(),
                "true".to_string(),
            )])),
            ..Default::default()
        },
        ..Default::default()
    };
    DesiredObject::typed(Role::Namespace, &ns)
}

/// The backend's objects, checked against its contract: the control-plane object comes
/// first, exactly once, and is what the CAPI Cluster will point at.
pub fn objects(
    backend: &dyn ControlPlane,
    ctx: &ClusterContext<'_>,
    platform: &dyn Platform,
) -> Result<Vec<DesiredObject>, PlatformError> {
    let objects = backend.control_plane(ctx, platform)?;
    let bug = |what: String| {
        PlatformError::Bug(format!("control-plane backend {}: {what}", backend.name()))
    };
    let owners = objects
        .iter()
        .filter(|o| o.role == Role::ControlPlane)
        .count();
    if owners != 1 || objects.first().map(|o| o.role) != Some(Role::ControlPlane) {
        return Err(bug(format!(
            "built {owners} objects of role ControlPlane; exactly one, first, is required"
        )));
    }
    let wanted = backend.control_plane_ref(ctx.hosted_cluster);
    let first = &objects[0];
    if first.kind() != wanted.resource.kind
        || first.api_version() != wanted.resource.api_version
        || first.name() != wanted.name
    {
        return Err(bug(format!(
            "controlPlaneRef names {} {} {} but the control-plane object is {}",
            wanted.resource.api_version,
            wanted.resource.kind,
            wanted.name,
            first.display_name()
        )));
    }
    Ok(objects)
}
