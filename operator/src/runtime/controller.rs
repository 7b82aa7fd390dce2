//! The kube-runtime Controller: HostedClusters, plus what maps back to them — NodePools (by
//! `spec.clusterName`), credentials Secrets (by the platform's Secret name, so a fixed Secret
//! recovers a cluster without a restart), and the HostedControlPlanes and CAPI
//! MachineDeployments we built (by our cluster annotation).

use crate::apply::live::capi_resource;
use crate::reconcile::inputs::credentials_ref;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DynamicObject};
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

/// The HostedCluster an object we built belongs to (our `<namespace>/<name>` annotation).
pub fn cluster_of_built(meta: &ObjectMeta) -> Option<ObjectRef<HostedCluster>> {
    let value = meta.annotations.as_ref()?.get(CLUSTER_ANNOTATION)?;
    let (ns, name) = value.split_once('/')?;
    Some(ObjectRef::new(name).within(ns))
}

/// The HostedCluster a HostedControlPlane was built for.
pub fn cluster_of_control_plane(hcp: &HostedControlPlane) -> Option<ObjectRef<HostedCluster>> {
    cluster_of_built(&hcp.metadata)
}

pub fn cluster_of_node_pool(np: &NodePool) -> Option<ObjectRef<HostedCluster>> {
    Some(ObjectRef::new(&np.spec.cluster_name).within(np.metadata.namespace.as_deref()?))
}

pub fn build(client: &kube::Client, watch_namespace: Option<&str>) -> Controller<HostedCluster> {
    let wc = watcher::Config::default();
    let controller = Controller::new(api::<HostedCluster>(client, watch_namespace), wc.clone());
    let store = controller.store();
    let ours = wc.clone().labels(&format!("{MANAGED_BY_LABEL}={MANAGER}"));
    let machine_deployments = capi_resource("MachineDeployment");
    controller
        .watches(api::<NodePool>(client, watch_namespace), wc.clone(), |np| {
            cluster_of_node_pool(&np)
        })
        .watches(
            api::<Secret>(client, watch_namespace),
            wc.clone(),
            move |s| clusters_using_secret(&store, &s),
        )
        // Control planes and MachineDeployments live in per-cluster namespaces, so these
        // watches are cluster-wide, limited to objects we built. MachineDeployments are CAPI's
        // kind whatever the platform; watching them lets NodePool status follow their replicas
        // at once instead of at the next poll. Without the CAPI CRDs the watch backs off.
        .watches(
            Api::<HostedControlPlane>::all(client.clone()),
            ours.clone(),
            |hcp| cluster_of_control_plane(&hcp),
        )
        .watches_with(
            Api::<DynamicObject>::all_with(client.clone(), &machine_deployments),
            machine_deployments.clone(),
            ours,
            |md| cluster_of_built(&md.metadata),
        )
}
