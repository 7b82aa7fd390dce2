//! The copy of the hosted cluster's admin kubeconfig next to the HostedCluster, where users
//! (and `hosted-cluster create kubeconfig`) find it, as HyperShift does.

use super::object::{DesiredObject, Role};
use crate::platform::ClusterContext;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// The key of the copy that holds the kubeconfig (HyperShift's key).
pub const KUBECONFIG_KEY: &str = "kubeconfig";

/// `<hosted cluster>-admin-kubeconfig`: the copy's name, in the HostedCluster's namespace.
pub fn admin_kubeconfig_name(hosted_cluster_name: &str) -> String {
    format!("{hosted_cluster_name}-admin-kubeconfig")
}

/// The copy, once the control plane reports its kubeconfig Secret and the caller has read
/// it; `None` until then. Always sensitive.
pub fn admin_kubeconfig(ctx: &ClusterContext<'_>) -> Option<DesiredObject> {
    let source = ctx.control_plane_status?.kubeconfig.as_ref()?;
    let bytes = ctx
        .control_plane_secret(&source.name)?
        .data
        .get(&source.key)?;
    let hc = ctx.hosted_cluster;
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(admin_kubeconfig_name(
                hc.metadata.name.as_deref().unwrap_or_default(),
            )),
            namespace: hc.metadata.namespace.clone(),
            ..Default::default()
        },
        data: Some(BTreeMap::from([(
            KUBECONFIG_KEY.to_string(),
            ByteString(bytes.clone()),
        )])),
        ..Default::default()
    };
    Some(DesiredObject::typed(Role::AdminKubeconfig, &secret).sensitive_if(true))
}
