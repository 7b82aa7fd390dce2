//! `kube-fake`: a small in-memory Kubernetes API server behind a `tower::Service`, so that a real
//! kube-runtime `Controller` can run whole flows in tests.
//!
//! ```no_run
//! # async fn demo() {
//! let api = kube_fake::FakeApiServer::new();
//! let client: kube::Client = api.client();
//! // ... run a Controller with `client`, then inspect `api.requests()`, `api.get(..)` ...
//! # }
//! ```
//!
//! It keeps to what a real apiserver does so that the same tests can run against a real cluster:
//! see the README of this crate for the semantics and what is left out.

mod apply;
mod discovery;
mod gc;
mod meta;
mod ops;
mod ops_apply;
mod record;
mod resources;
mod router;
mod schema;
mod secret;
mod selector;
mod service;
mod smp;
mod status;
mod store;
mod watch;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;

pub use record::RecordedRequest;
pub use resources::ResourceInfo;
pub use selector::Selector;
pub use service::FakeBody;
pub use status::{ApiError, ErrorDetails};

use apply::Scope;
use record::Fault;
use store::{State, Write};

/// The namespaces a fresh server has, as a new cluster does.
pub const DEFAULT_NAMESPACES: &[&str] =
    &["default", "kube-system", "kube-public", "kube-node-lease"];

/// The fake API server. Cheap to clone: clones share one store.
#[derive(Clone)]
pub struct FakeApiServer {
    pub(crate) state: Arc<Mutex<State>>,
}

impl Default for FakeApiServer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for FakeApiServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = self.lock();
        f.debug_struct("FakeApiServer")
            .field("resource_version", &st.rv)
            .field("requests", &st.requests.len())
            .finish()
    }
}

fn direct_write(scope: Scope) -> Write {
    Write {
        scope,
        manager: "kube-fake".into(),
        dry_run: false,
        managers: None,
    }
}

impl FakeApiServer {
    /// A server with the built-in kinds registered and the default namespaces created.
    pub fn new() -> Self {
        let api = FakeApiServer {
            state: Arc::new(Mutex::new(State::new())),
        };
        for ns in DEFAULT_NAMESPACES {
            api.create("namespaces", serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}))
                .expect("default namespace");
        }
        api
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A `kube::Client` whose requests this server answers (default namespace "default").
    pub fn client(&self) -> kube::Client {
        self.client_in("default")
    }

    /// A `kube::Client` with another default namespace.
    pub fn client_in(&self, default_namespace: &str) -> kube::Client {
        kube::Client::new(self.clone(), default_namespace)
    }

    /// Registers a resource type (or adds a version to a known one).
    pub fn register_resource(
        &self,
        group: &str,
        version: &str,
        kind: &str,
        plural: &str,
        namespaced: bool,
        has_status_subresource: bool,
    ) {
        let builtin_group = group.is_empty() || group.ends_with(".k8s.io") || !group.contains('.');
        self.lock().registry.add(ResourceInfo {
            group: group.into(),
            versions: vec![version.into()],
            kind: kind.into(),
            plural: plural.into(),
            namespaced,
            status_subresource: has_status_subresource,
            generation: !builtin_group,
            unconditional_update: builtin_group,
            return_deleted_object: !builtin_group,
            strategic_merge: builtin_group,
            field_labels: vec![],
        });
    }

    /// Registers a resource type with every detail spelled out.
    pub fn register_resource_info(&self, info: ResourceInfo) {
        self.lock().registry.add(info);
    }

    /// Creates (or replaces) the `CustomResourceDefinition`s of a YAML stream, which registers their
    /// types, as applying them to a cluster does.
    pub fn register_crd_from_yaml(&self, yaml: &str) -> Result<(), ApiError> {
        let docs: Vec<Value> = serde_saphyr::from_multiple(yaml)
            .map_err(|e| ApiError::bad_request(format!("CRD YAML: {e}")))?;
        for doc in docs.into_iter().filter(|d| !d.is_null()) {
            self.register_crd(doc)?;
        }
        Ok(())
    }

    /// Creates (or replaces) one `CustomResourceDefinition` object and registers its type.
    pub fn register_crd(&self, crd: Value) -> Result<(), ApiError> {
        resources::from_crd(&crd)?;
        let name = meta::meta_str(&crd, "name").unwrap_or_default().to_string();
        if self.get("customresourcedefinitions", None, &name).is_some() {
            self.update_with("customresourcedefinitions", None, &name, |o| {
                o["spec"] = crd["spec"].clone();
            })?;
        } else {
            self.create("customresourcedefinitions", crd)?;
        }
        Ok(())
    }

    /// The known resource types.
    pub fn resources(&self) -> Vec<ResourceInfo> {
        self.lock().registry.items.clone()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.lock().requests.clear();
    }

    /// How many requests were writes (not GET: lists and watches are GETs).
    pub fn write_count(&self) -> usize {
        self.lock().requests.iter().filter(|r| r.is_write()).count()
    }

    /// A direct write as a write in the object's `apiVersion` (the storage version if that is not
    /// served) would store it: pruned, converted and defaulted (custom resources only).
    fn admit(&self, info: &ResourceInfo, obj: Value) -> Value {
        let Some(schemas) = self.lock().registry.schemas.get(&info.key()).cloned() else {
            return obj;
        };
        let storage = info.storage_version().to_string();
        let version = obj
            .get("apiVersion")
            .and_then(Value::as_str)
            .and_then(|av| info.versions.iter().find(|v| info.api_version(v) == av))
            .cloned()
            .unwrap_or_else(|| storage.clone());
        schemas.admit(obj, &version, info.api_version(&storage))
    }

    /// The `x-kubernetes-validations` rules of an installed CRD that this server does not evaluate
    /// (they do not parse or call a function it lacks), as `(version, rule)`. Every other rule is
    /// checked on each write, as the apiserver does; see `testkit::validate::cel`.
    pub fn skipped_cel_rules(
        &self,
        resource: &str,
    ) -> Vec<(String, testkit::validate::cel::SkippedRule)> {
        let Ok(info) = self.info(resource) else {
            return vec![];
        };
        self.lock()
            .registry
            .schemas
            .get(&info.key())
            .map(|s| s.skipped_cel_rules())
            .unwrap_or_default()
    }

    fn info(&self, resource: &str) -> Result<ResourceInfo, ApiError> {
        self.lock()
            .registry
            .lookup(resource)
            .cloned()
            .ok_or_else(|| {
                ApiError::bad_request(format!("kube-fake: unknown resource {resource:?}"))
            })
    }

    /// One stored object. `resource` is a plural ("configmaps"), `plural.group`
    /// ("events.events.k8s.io") or a kind ("ConfigMap").
    pub fn get(&self, resource: &str, namespace: Option<&str>, name: &str) -> Option<Value> {
        let info = self.info(resource).ok()?;
        self.lock()
            .stored(&info.key(), namespace.unwrap_or_default(), name)
            .map(|s| s.obj.clone())
    }

    /// All stored objects of a type, in (namespace, name) order.
    pub fn objects(&self, resource: &str) -> Vec<Value> {
        let Ok(info) = self.info(resource) else {
            return vec![];
        };
        self.lock()
            .list(&info.key())
            .map(|(_, s)| s.obj.clone())
            .collect()
    }

    /// Creates an object as a POST would (without recording a request). The namespace comes from
    /// the object's metadata.
    pub fn create(&self, resource: &str, obj: Value) -> Result<Value, ApiError> {
        let info = self.info(resource)?;
        let ns = meta::meta_str(&obj, "namespace").map(str::to_string);
        let version = info.storage_version().to_string();
        let obj = self.admit(&info, obj);
        self.lock().create(
            &info,
            &version,
            ns.as_deref(),
            obj,
            direct_write(Scope::All),
        )
    }

    /// Changes a stored object with `f` as an update would (status included, resourceVersion and
    /// events as usual; finalizers emptied on a deleting object remove it).
    pub fn update_with(
        &self,
        resource: &str,
        namespace: Option<&str>,
        name: &str,
        mut f: impl FnMut(&mut Value),
    ) -> Result<Value, ApiError> {
        let info = self.info(resource)?;
        let ns = namespace.unwrap_or_default();
        let read = || {
            self.lock()
                .stored(&info.key(), ns, name)
                .map(|s| s.obj.clone())
                .ok_or_else(|| ApiError::not_found(&info.plural, &info.group, name))
        };
        // `f` runs without the lock (it may call this server); retry if the object changed meanwhile.
        loop {
            let before = read()?;
            let mut obj = before.clone();
            f(&mut obj);
            let obj = self.admit(&info, obj);
            let mut st = self.lock();
            let now = st.stored(&info.key(), ns, name).map(|s| &s.obj);
            if now.is_some() && now != Some(&before) {
                continue;
            }
            return st.update(&info, ns, name, obj, direct_write(Scope::All));
        }
    }

    /// Replaces an object's status as a `/status` write would.
    pub fn set_status(
        &self,
        resource: &str,
        namespace: Option<&str>,
        name: &str,
        status: Value,
    ) -> Result<Value, ApiError> {
        let info = self.info(resource)?;
        let mut obj = serde_json::json!({});
        obj["apiVersion"] = serde_json::json!(info.api_version(info.storage_version()));
        obj["status"] = status;
        let obj = self.admit(&info, obj);
        self.lock().update(
            &info,
            namespace.unwrap_or_default(),
            name,
            obj,
            direct_write(Scope::Status),
        )
    }

    /// Deletes an object as a DELETE would (finalizers respected, dependents collected).
    /// Returns whether it is gone.
    pub fn delete(
        &self,
        resource: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<bool, ApiError> {
        let info = self.info(resource)?;
        let (_, gone) =
            self.lock()
                .mark_deleted(&info, namespace.unwrap_or_default(), name, false, false)?;
        Ok(gone)
    }

    /// Makes the next `times` requests with `method` ("GET", "PATCH", ... or "*") whose path starts
    /// with `path_prefix` fail with `status` (a `Status` body with the usual reason).
    pub fn fail_next(&self, method: &str, path_prefix: &str, status: u16, times: usize) {
        self.lock().faults.push(Fault {
            method: method.to_string(),
            path_prefix: path_prefix.to_string(),
            status,
            remaining: times,
        });
    }

    /// The current (last issued) resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    /// Ends every open watch stream (as an apiserver restart would); clients re-watch.
    pub fn close_watches(&self) {
        self.lock().watchers.clear();
    }

    /// How many watch streams are open.
    pub fn open_watches(&self) -> usize {
        let mut st = self.lock();
        st.watchers.retain(|w| !w.tx.is_closed());
        st.watchers.len()
    }

    /// How often an idle watch that asked for bookmarks gets one (default 60 s, as an apiserver).
    pub fn set_bookmark_interval(&self, every: Duration) {
        self.lock().bookmark_interval = every;
    }

    /// How many changes are kept for watches that resume from an old resourceVersion (default
    /// 10000); older resourceVersions get `410 Expired`.
    pub fn set_history_limit(&self, changes: usize) {
        self.lock().history_limit = changes.max(1);
    }

    /// Runs the garbage collector over every object: objects none of whose owners exist are
    /// deleted. (Dependents of an owner deleted through the API are collected at once; this sweep
    /// is for references that dangle from the start.) Returns how many objects it changed.
    pub fn collect_garbage(&self) -> usize {
        self.lock().collect_garbage()
    }
}
