//! Per-NodePool objects: the platform's machine template (hash-named), the control-plane
//! backend's bootstrap objects, and the MachineDeployment using both.

use super::capi;
use super::labels::NODE_POOL_LABEL;
use super::object::{DesiredObject, Role};
use crate::api::{HostedCluster, NodePool};
use crate::control_plane::ControlPlane;
use crate::platform::{NodePoolContext, Platform, PlatformError};
use sha2::{Digest, Sha256};

/// Short, stable hash of a template's spec. Providers treat machine templates as immutable, so
/// a changed spec must produce a new name and a rollout.
pub fn template_hash(spec: &serde_json::Value) -> String {
    // serde_json maps are sorted by key, so equal specs serialise identically.
    let bytes = serde_json::to_vec(spec).expect("JSON values serialise");
    let digest = Sha256::digest(&bytes);
    digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
}

/// `<nodepool>-<hash>`.
pub fn template_name(node_pool: &str, spec: &serde_json::Value) -> String {
    format!("{node_pool}-{}", template_hash(spec))
}

/// Template, bootstrap objects and MachineDeployment for one pool; empty when the platform
/// has no templates (then the pool gets no machines from CAPI, and needs no bootstrap).
pub fn objects(
    platform: &dyn Platform,
    control_plane: &dyn ControlPlane,
    ctx: &NodePoolContext<'_>,
) -> Result<Vec<DesiredObject>, PlatformError> {
    let hc: &HostedCluster = ctx.cluster.hosted_cluster;
    let np: &NodePool = ctx.node_pool;
    let namespace = ctx.cluster.control_plane_namespace;
    platform.validate_node_pool(hc, np)?;
    let Some(mut template) = platform.machine_template(ctx)? else {
        return Ok(Vec::new());
    };
    let np_name = np.metadata.name.clone().unwrap_or_default();
    let spec = template.data.get("spec").cloned().unwrap_or_default();
    template.metadata.name = Some(template_name(&np_name, &spec));
    template.metadata.namespace = Some(namespace.to_string());
    template
        .metadata
        .labels
        .get_or_insert_with(Default::default)
        .insert(NODE_POOL_LABEL.into(), np_name.clone());
    let template = DesiredObject::dynamic(Role::MachineTemplate, template).map_err(|reason| {
        PlatformError::Bug(format!("machine template for NodePool {np_name}: {reason}"))
    })?;
    let bootstrap = control_plane.node_pool_bootstrap(ctx)?;
    let mut md = capi::machine_deployment(
        ctx.cluster.capi,
        hc,
        np,
        namespace,
        &template,
        &bootstrap.bootstrap,
    )?;
    if let Some(version) = control_plane.kubernetes_version(hc) {
        md.object.data["spec"]["template"]["spec"]["version"] = version.into();
    }
    let mut objects = vec![template];
    objects.extend(bootstrap.objects);
    objects.push(md);
    for obj in &mut objects {
        obj.object
            .metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert(NODE_POOL_LABEL.into(), np_name.clone());
    }
    Ok(objects)
}
