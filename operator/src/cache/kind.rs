//! One watch-backed cache of a dynamic kind: a kube-runtime reflector over a watch (limited to
//! our label where the objects are ours), with `managedFields` dropped to keep memory down. Each
//! change to an object we built wakes the HostedCluster it belongs to.

use crate::apply::{ObjectKey, Records};
use futures::StreamExt;
use kube::ResourceExt;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::{WatchStreamExt, watcher};
use platform_api::api::HostedCluster;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{Notify, mpsc};
use tokio::task::AbortHandle;

/// Where changes to cached objects are sent: the HostedCluster each belongs to.
pub type Trigger = mpsc::UnboundedSender<ObjectRef<HostedCluster>>;

/// Maps a changed object to the HostedCluster to reconcile.
pub type Mapper = fn(&DynamicObject) -> Option<ObjectRef<HostedCluster>>;

/// Where changes go, and how to tell our own writes' echoes from news.
#[derive(Clone)]
pub struct Triggers {
    pub send: Trigger,
    pub map: Mapper,
    pub records: Arc<Records>,
}

/// Whether a reflector has listed everything once; waiters are woken when it has.
#[derive(Default)]
pub struct Synced {
    done: AtomicBool,
    notify: Notify,
}

impl Synced {
    pub fn set(&self) {
        self.done.store(true, Ordering::Release);
        self.notify.notify_waiters();
    }

    pub fn is_set(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    pub async fn wait(&self) {
        loop {
            let notified = self.notify.notified();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }
}

/// A running cache of one kind in one API version.
pub struct KindCache {
    pub resource: ApiResource,
    pub namespaced: bool,
    pub store: Store<DynamicObject>,
    pub synced: Arc<Synced>,
    task: Option<AbortHandle>,
}

impl Drop for KindCache {
    fn drop(&mut self) {
        if let Some(t) = &self.task {
            t.abort();
        }
    }
}

impl KindCache {
    /// Starts watching `resource` cluster-wide, limited to `selector` when given.
    pub fn start(
        client: &kube::Client,
        resource: &ApiResource,
        namespaced: bool,
        selector: Option<&str>,
        trigger: Option<Triggers>,
    ) -> Self {
        let api: Api<DynamicObject> = Api::all_with(client.clone(), resource);
        let mut config = watcher::Config::default();
        if let Some(s) = selector {
            config = config.labels(s);
        }
        let writer = reflector::store::Writer::new(resource.clone());
        let store = writer.as_reader();
        let synced = Arc::new(Synced::default());
        let flag = synced.clone();
        let kind = resource.kind.clone();
        let res = resource.clone();
        let stream = watcher(api, config)
            .default_backoff()
            .modify(|o: &mut DynamicObject| o.managed_fields_mut().clear())
            .reflect(writer);
        let task = tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            let mut last_error = None;
            while let Some(event) = stream.next().await {
                match event {
                    Ok(watcher::Event::InitDone) => flag.set(),
                    Ok(watcher::Event::Apply(o)) => {
                        if let Some(t) = &trigger
                            && !t.records.is_echo(
                                &ObjectKey::of_live(&res, &o),
                                o.metadata.resource_version.as_deref(),
                            )
                            && let Some(hc) = (t.map)(&o)
                        {
                            let _ = t.send.send(hc);
                        }
                    }
                    Ok(watcher::Event::Delete(o)) => {
                        if let Some(t) = &trigger
                            && let Some(hc) = (t.map)(&o)
                        {
                            let _ = t.send.send(hc);
                        }
                    }
                    Ok(_) => {}
                    // The watcher retries with backoff; say so once per distinct failure.
                    Err(e) => {
                        let text = e.to_string();
                        if last_error.as_ref() != Some(&text) {
                            tracing::warn!(kind, error = %text, "watch failed; retrying with backoff");
                            last_error = Some(text);
                        }
                    }
                }
            }
        })
        .abort_handle();
        Self {
            resource: resource.clone(),
            namespaced,
            store,
            synced,
            task: Some(task),
        }
    }

    /// A cache that never watches, holding `objects` (tests that call a reconcile directly).
    pub fn fixed(
        resource: &ApiResource,
        namespaced: bool,
        objects: impl IntoIterator<Item = DynamicObject>,
    ) -> Self {
        let mut writer = reflector::store::Writer::new(resource.clone());
        writer.apply_watcher_event(&watcher::Event::Init);
        for o in objects {
            writer.apply_watcher_event(&watcher::Event::InitApply(o));
        }
        writer.apply_watcher_event(&watcher::Event::InitDone);
        let synced = Arc::new(Synced::default());
        synced.set();
        Self {
            resource: resource.clone(),
            namespaced,
            store: writer.as_reader(),
            synced,
            task: None,
        }
    }

    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<Arc<DynamicObject>> {
        let mut r = ObjectRef::new_with(name, self.resource.clone());
        if let Some(ns) = namespace.filter(|_| self.namespaced) {
            r = r.within(ns);
        }
        self.store.get(&r)
    }

    /// Every cached cluster-scoped object carrying `label` = `value`.
    pub fn cluster_scoped_with(&self, label: &str, value: &str) -> Vec<Arc<DynamicObject>> {
        self.store.state_filter(|o| {
            o.metadata.namespace.is_none()
                && o.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(label))
                    .is_some_and(|v| v == value)
        })
    }

    /// Every cached object in `namespace`.
    pub fn in_namespace(&self, namespace: &str) -> Vec<Arc<DynamicObject>> {
        self.store
            .state_filter(|o| o.metadata.namespace.as_deref() == Some(namespace))
    }
}
