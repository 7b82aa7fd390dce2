//! The kube-runtime Controller: HostedClusters, plus what maps back to them — NodePools (by
//! `spec.clusterName`), credentials Secrets (by the platform's Secret name, so a fixed Secret
//! recovers a cluster without a restart), and every object we built (by our cluster
//! annotation). Each of those watches also fills the cache reconciles read from.

use super::outage::{self, ApiHealth};
use crate::apply::{ObjectKey, Records};
use crate::cache::kind::Triggers;
use crate::cache::{Caches, Catalog, Owned, Synced, Typed};
use crate::context::Context;
use crate::events::Events;
use crate::reconcile;
use crate::reconcile::inputs::credentials_ref;
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::ResourceExt;
use kube::api::Api;
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{Controller, WatchStreamExt, watcher};
use platform_api::api::{HostedCluster, HostedControlPlane, NodePool};
use platform_api::desired::capi::CapiVersion;
use platform_api::desired::labels::{CLUSTER_ANNOTATION, MANAGED_BY_LABEL, MANAGER};
use platform_api::platform::PlatformSettings;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

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

/// Marks `flag` once a watch stream has listed everything.
fn mark_synced<K>(flag: Arc<Synced>) -> impl FnMut(&Result<watcher::Event<K>, watcher::Error>) {
    move |e| {
        if matches!(e, Ok(watcher::Event::InitDone)) {
            flag.set();
        }
    }
}

/// Reports each watch event to `health`: a failure is classified and logged (rate-limited), any
/// event means the API server answers.
fn report_to<K>(
    health: Option<Arc<ApiHealth>>,
    what: &'static str,
) -> impl FnMut(&Result<watcher::Event<K>, watcher::Error>) {
    move |e| {
        let Some(h) = &health else { return };
        match e {
            Ok(_) => h.answered(),
            Err(e) => {
                if let Some(f) = outage::classify_watch(&h.server, e) {
                    h.failed(f, &format!("watching {what}"));
                }
            }
        }
    }
}

/// A reflector over `api` whose stream feeds a Controller trigger, and the store it fills.
fn reflected<K>(
    api: Api<K>,
    config: watcher::Config,
    what: &'static str,
    records: Option<Arc<Records>>,
    first_listing_triggers: bool,
    health: Option<Arc<ApiHealth>>,
) -> (
    Typed<K>,
    impl futures::Stream<Item = Result<K, watcher::Error>> + Send + 'static,
)
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let (store, writer) = reflector::store();
    let synced = Arc::new(Synced::default());
    let mut first_listing = !first_listing_triggers;
    let stream = watcher(api, config)
        .default_backoff()
        .modify(|o: &mut K| o.managed_fields_mut().clear())
        .reflect(writer)
        .inspect(mark_synced(synced.clone()))
        .inspect(report_to(health, what))
        .filter_map(move |event| {
            let object = match event {
                Ok(watcher::Event::Apply(o) | watcher::Event::Delete(o)) => Some(Ok(o)),
                // For the streams that map to HostedClusters, the first listing only fills the
                // store: every HostedCluster is reconciled at start-up anyway. A later
                // re-listing (a lost watch) may hide changes: it triggers.
                Ok(watcher::Event::InitApply(o)) if !first_listing => Some(Ok(o)),
                Ok(watcher::Event::InitDone) => {
                    first_listing = false;
                    None
                }
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            };
            std::future::ready(object)
        })
        // Our own writes come back as watch events; they are not news.
        .try_filter(move |o| {
            let echo = records.as_ref().is_some_and(|r| {
                r.is_echo(
                    &ObjectKey::of_typed(o),
                    o.meta().resource_version.as_deref(),
                )
            });
            std::future::ready(!echo)
        });
    (
        Typed {
            store,
            synced,
            what,
        },
        stream,
    )
}

/// What the operator is built from.
#[derive(Clone, Default)]
pub struct Options {
    /// Watch HostedClusters, NodePools and Secrets in this namespace only.
    pub watch_namespace: Option<String>,
    pub settings: PlatformSettings,
    /// Write CAPI objects in this version rather than the newest served one.
    pub capi_override: Option<CapiVersion>,
    /// Where watch failures are classified, logged at a bounded rate, and shown by `/readyz`.
    pub api: Option<Arc<ApiHealth>>,
}

/// Runs discovery, then builds the Controller and the caches its reconciles read, sharing the
/// watches: each cache's stream is also a trigger of the Controller.
pub async fn build(
    client: &kube::Client,
    options: Options,
    events: Events,
) -> Result<(Controller<HostedCluster>, Context), kube::Error> {
    let catalog = Catalog::discover(client).await?;
    let records = Arc::new(Records::default());
    let ns = options.watch_namespace.as_deref();
    let wc = watcher::Config::default();
    let (hcs, hc_stream) = reflected(
        api::<HostedCluster>(client, ns),
        wc.clone(),
        "hostedclusters",
        Some(records.clone()),
        true,
        options.api.clone(),
    );
    let controller = Controller::for_stream(hc_stream, hcs.store.clone());
    let hosted_clusters = hcs.store;
    let ours = format!("{MANAGED_BY_LABEL}={MANAGER}");
    let (node_pools, np_stream) = reflected(
        api::<NodePool>(client, ns),
        wc.clone(),
        "nodepools",
        Some(records.clone()),
        false,
        options.api.clone(),
    );
    // Secrets we build are in the owned caches already; these are the ones users make.
    let (secrets, secret_stream) = reflected(
        api::<Secret>(client, ns),
        wc.clone().labels(&format!("{MANAGED_BY_LABEL}!={MANAGER}")),
        "secrets",
        None,
        false,
        options.api.clone(),
    );
    // Control planes live in per-cluster namespaces: cluster-wide, limited to ours.
    let (control_planes, hcp_stream) = reflected(
        Api::<HostedControlPlane>::all(client.clone()),
        wc.clone().labels(&ours),
        "hostedcontrolplanes",
        Some(records.clone()),
        false,
        options.api.clone(),
    );
    let (trigger, triggered) = mpsc::unbounded_channel();
    let owned = Owned::new(
        client.clone(),
        ours,
        Triggers {
            send: trigger,
            map: |o| cluster_of_built(&o.metadata),
            records: records.clone(),
        },
    );
    let follower = tokio::spawn(catalog.clone().follow_crds(client.clone(), |served| {
        tracing::debug!(capi = ?served.capi, "CAPI version after discovery");
    }));
    let store = hosted_clusters.clone();
    let triggered = futures::stream::unfold(triggered, |mut rx| async move {
        rx.recv().await.map(|r| (r, rx))
    });
    let controller = controller
        .watches_stream(np_stream, |np| cluster_of_node_pool(&np))
        .watches_stream(secret_stream, move |s| clusters_using_secret(&store, &s))
        .watches_stream(hcp_stream, |hcp| cluster_of_control_plane(&hcp))
        // Everything else we built: its cache starts on first use and sends its changes here.
        .reconcile_on(triggered);
    let caches = Caches {
        hosted_clusters,
        node_pools,
        secrets,
        control_planes,
        owned,
        catalog,
        sync_timeout: Duration::from_secs(60),
        records,
        tasks: vec![follower.abort_handle()],
    };
    let mut ctx = Context::new(client.clone(), options.settings, events, caches);
    ctx.capi_override = options.capi_override;
    Ok((controller, ctx))
}

/// Runs `controller` with `ctx` until `shutdown` resolves (in-flight reconciles finish).
pub async fn run(
    controller: Controller<HostedCluster>,
    ctx: Arc<Context>,
    concurrency: u16,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    controller
        .with_config(kube::runtime::controller::Config::default().concurrency(concurrency))
        .graceful_shutdown_on(shutdown)
        .run(reconcile::reconcile, reconcile::error_policy, ctx)
        .for_each(|r| async move {
            match r {
                Ok((obj, _)) => tracing::debug!(name = obj.name, "reconciled"),
                Err(e) => tracing::debug!(error = %e, "reconcile loop"),
            }
        })
        .await;
}
