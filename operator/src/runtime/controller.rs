//! The kube-runtime Controller: HostedClusters, plus what maps back to them — NodePools (by
//! `spec.clusterName`), credentials Secrets (by the platform's Secret name, so a fixed Secret
//! recovers a cluster without a restart) and HostedControlPlanes (by our cluster annotation).

use crate::reconcile::inputs::credentials_ref;
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::runtime::Controller;
use kube::runtime::reflector::{ObjectRef, Store};
use kube::runtime::watcher;
use platform_api::api::{HostedCluster, HostedControlPlane, NodePool};
use platform_api::desired::labels::{CLUSTER_ANNOTATION, MANAGED_BY_LABEL, MANAGER};

fn api<K>(client: &kube::Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// HostedClusters in `store` whose platform reads credentials from `secret`.
pub fn clusters_using_secret(
    store: &Store<HostedCluster>,
    secret: &Secret,
) -> Vec<ObjectRef<HostedCluster>> {
    let ns = secret.metadata.namespace.as_deref().unwrap_or_default();
    let name = secret.metadata.name.as_deref().unwrap_or_default();
    store
        .state()
        .iter()
        .filter(|hc| {
            platform_api::platform_for(&hc.spec.platform.type_)
                .ok()
                .and_then(|p| credentials_ref(hc, p.as_ref()))
                .is_some_and(|(n, s)| n == ns && s == name)
        })
        .map(|hc| ObjectRef::from_obj(hc.as_ref()))
        .collect()
}

/// The HostedCluster a HostedControlPlane was built for (`<namespace>/<name>` annotation).
pub fn cluster_of_control_plane(hcp: &HostedControlPlane) -> Option<ObjectRef<HostedCluster>> {
    let value = hcp.metadata.annotations.as_ref()?.get(CLUSTER_ANNOTATION)?;
    let (ns, name) = value.split_once('/')?;
    Some(ObjectRef::new(name).within(ns))
}

pub fn cluster_of_node_pool(np: &NodePool) -> Option<ObjectRef<HostedCluster>> {
    Some(ObjectRef::new(&np.spec.cluster_name).within(np.metadata.namespace.as_deref()?))
}

pub fn build(client: &kube::Client, watch_namespace: Option<&str>) -> Controller<HostedCluster> {
    let wc = watcher::Config::default();
    let controller = Controller::new(api::<HostedCluster>(client, watch_namespace), wc.clone());
    let store = controller.store();
    controller
        .watches(api::<NodePool>(client, watch_namespace), wc.clone(), |np| {
            cluster_of_node_pool(&np)
        })
        .watches(
            api::<Secret>(client, watch_namespace),
            wc.clone(),
            move |s| clusters_using_secret(&store, &s),
        )
        // Control planes live in per-cluster namespaces, so this watch is cluster-wide, limited
        // to objects we built.
        .watches(
            Api::<HostedControlPlane>::all(client.clone()),
            wc.labels(&format!("{MANAGED_BY_LABEL}={MANAGER}")),
            |hcp| cluster_of_control_plane(&hcp),
        )
}
