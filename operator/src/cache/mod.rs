//! Watch-backed caches: every read a reconcile makes comes from here, so a reconcile with
//! nothing to do makes no API request at all.
//!
//! * HostedClusters come from the Controller's own store.
//! * NodePools, Secrets (the credentials the platforms read) and HostedControlPlanes are
//!   reflectors whose watch streams also trigger the Controller (see `runtime::controller`).
//! * The objects we build are cached per kind, started the first time a desired object of that
//!   kind shows up and only once discovery says the kind is served ([`owned::Owned`]).

pub mod catalog;
pub mod kind;
pub mod owned;

pub use catalog::{Catalog, Served};
pub use kind::{KindCache, Synced};
pub use owned::Owned;

use k8s_openapi::api::core::v1::Secret;
use kube::runtime::reflector::{ObjectRef, Store};
use platform_api::api::{HostedCluster, HostedControlPlane, NodePool};
use std::sync::Arc;
use std::time::Duration;

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
pub enum CacheError {
    #[error(
        "the watch of {what} did not list within {secs} s; check the operator may list and watch {what} (its log names the failure)"
    )]
    CacheNotSynced { what: String, secs: u64 },
}

impl CacheError {
    pub fn reason(&self) -> &'static str {
        self.into()
    }
}

/// A typed store with its sync flag.
#[derive(Clone)]
pub struct Typed<K: kube::Resource<DynamicType = ()> + Clone + 'static> {
    pub store: Store<K>,
    pub synced: Arc<Synced>,
    pub what: &'static str,
}

impl<K> Typed<K>
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    /// A store that never watches, holding `objects`.
    pub fn fixed(what: &'static str, objects: impl IntoIterator<Item = K>) -> Self {
        let mut writer = kube::runtime::reflector::store::Writer::<K>::default();
        writer.apply_watcher_event(&kube::runtime::watcher::Event::Init);
        for o in objects {
            writer.apply_watcher_event(&kube::runtime::watcher::Event::InitApply(o));
        }
        writer.apply_watcher_event(&kube::runtime::watcher::Event::InitDone);
        let synced = Arc::new(Synced::default());
        synced.set();
        Self {
            store: writer.as_reader(),
            synced,
            what,
        }
    }

    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<K>> {
        self.store.get(&ObjectRef::new(name).within(namespace))
    }
}

/// Every cache a reconcile reads.
pub struct Caches {
    pub hosted_clusters: Store<HostedCluster>,
    pub node_pools: Typed<NodePool>,
    pub secrets: Typed<Secret>,
    pub control_planes: Typed<HostedControlPlane>,
    pub owned: Owned,
    pub catalog: Catalog,
    /// How long a reconcile waits for a cache's first listing.
    pub sync_timeout: Duration,
    /// Our own writes, so that their watch events do not trigger reconciles (shared with the
    /// Context, which records them).
    pub records: Arc<crate::apply::Records>,
    /// Background work that lives as long as the caches (re-discovery on CRD changes).
    pub tasks: Vec<tokio::task::AbortHandle>,
}

impl Drop for Caches {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl Caches {
    /// Caches that never watch, filled from `objects` (any kinds, as JSON with apiVersion and
    /// kind), for tests that call a reconcile directly. `served` stands in for discovery.
    pub fn fixed(served: Served, objects: impl IntoIterator<Item = serde_json::Value>) -> Self {
        use kube::api::DynamicObject;
        use std::collections::BTreeMap;
        let mut hcs = Vec::new();
        let mut pools = Vec::new();
        let mut secrets = Vec::new();
        let mut hcps = Vec::new();
        let mut other: BTreeMap<(String, String), Vec<DynamicObject>> = BTreeMap::new();
        for v in objects {
            let api_version = v["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = v["kind"].as_str().unwrap_or_default().to_string();
            match (api_version.as_str(), kind.as_str()) {
                ("hypershift.openshift.io/v1beta1", "HostedCluster") => hcs.push(parse(v)),
                ("hypershift.openshift.io/v1beta1", "NodePool") => pools.push(parse(v)),
                ("hypershift.openshift.io/v1beta1", "HostedControlPlane") => {
                    hcps.push(parse(v.clone()));
                    other.entry((api_version, kind)).or_default().push(parse(v));
                }
                ("v1", "Secret") => {
                    secrets.push(parse(v.clone()));
                    other.entry((api_version, kind)).or_default().push(parse(v));
                }
                _ => other.entry((api_version, kind)).or_default().push(parse(v)),
            }
        }
        let kinds = other
            .into_iter()
            .filter_map(|((api_version, kind), objects)| {
                let (res, namespaced) = served.find(&api_version, &kind)?.clone();
                Some(KindCache::fixed(&res, namespaced, objects))
            });
        let owned = Owned::fixed(kinds.collect::<Vec<_>>());
        Self {
            hosted_clusters: Typed::fixed("hostedclusters", hcs).store,
            node_pools: Typed::fixed("nodepools", pools),
            secrets: Typed::fixed("secrets", secrets),
            control_planes: Typed::fixed("hostedcontrolplanes", hcps),
            owned,
            catalog: Catalog::fixed(served),
            sync_timeout: Duration::from_secs(1),
            records: Arc::default(),
            tasks: Vec::new(),
        }
    }

    /// Waits until the NodePool, Secret and HostedControlPlane caches have listed once (at once
    /// after the first time).
    pub async fn inputs_synced(&self) -> Result<(), CacheError> {
        for (flag, what) in [
            (&self.node_pools.synced, self.node_pools.what),
            (&self.secrets.synced, self.secrets.what),
            (&self.control_planes.synced, self.control_planes.what),
        ] {
            wait(flag, what, self.sync_timeout).await?;
        }
        Ok(())
    }
}

fn parse<K: serde::de::DeserializeOwned>(v: serde_json::Value) -> K {
    serde_json::from_value(v).expect("a fixture object of its kind")
}

pub async fn wait(flag: &Synced, what: &str, timeout: Duration) -> Result<(), CacheError> {
    if flag.is_set() {
        return Ok(());
    }
    tokio::time::timeout(timeout, flag.wait())
        .await
        .map_err(|_| CacheError::CacheNotSynced {
            what: what.to_string(),
            secs: timeout.as_secs(),
        })
}
