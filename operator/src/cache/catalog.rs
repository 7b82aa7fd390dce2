//! What the API server serves, from discovery: which kinds exist, so that a cache is started only
//! for a kind whose CRD is installed (a watch of a missing kind 404s forever), and which
//! `cluster.x-k8s.io` version CAPI objects are written in (the newest served one, which is the
//! one CAPI stores). Discovery runs once at start-up and again whenever a CRD changes.

use futures::StreamExt;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ApiResource};
use kube::core::PartialObjectMeta;
use kube::discovery::{Discovery, Scope};
use kube::runtime::watcher::{self, watcher};
use platform_api::desired::capi::{CAPI_GROUP, CapiVersion};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// One discovery result.
#[derive(Debug, Default)]
pub struct Served {
    /// `(apiVersion, kind)` → (resource, namespaced).
    kinds: HashMap<(String, String), (ApiResource, bool)>,
    /// The newest served `cluster.x-k8s.io` version; `None` when CAPI is not installed.
    pub capi: Option<CapiVersion>,
}

impl Served {
    /// The resource (with its plural) and scope of `apiVersion`/`kind`, if served.
    pub fn find(&self, api_version: &str, kind: &str) -> Option<&(ApiResource, bool)> {
        self.kinds.get(&(api_version.to_string(), kind.to_string()))
    }

    /// The newest served version of `group`/`kind` (by Kubernetes version order).
    pub fn newest_in_group(&self, group: &str, kind: &str) -> Option<&(ApiResource, bool)> {
        self.kinds
            .values()
            .filter(|(r, _)| r.group == group && r.kind == kind)
            .max_by(|(a, _), (b, _)| version_order(&a.version).cmp(&version_order(&b.version)))
    }

    fn from_discovery(d: &Discovery) -> Self {
        let mut kinds = HashMap::new();
        for group in d.groups() {
            for version in group.versions() {
                for (res, caps) in group.versioned_resources(version) {
                    // Subresources (`deployments/status`) are listed as resources of their own.
                    if res.plural.contains('/') {
                        continue;
                    }
                    let key = (res.api_version.clone(), res.kind.clone());
                    kinds.insert(key, (res, caps.scope == Scope::Namespaced));
                }
            }
        }
        let capi = d
            .get(CAPI_GROUP)
            .and_then(|g| CapiVersion::newest_served(g.versions()));
        Self { kinds, capi }
    }

    /// For tests: a catalog that serves exactly `kinds`.
    pub fn with_kinds(
        kinds: impl IntoIterator<Item = (ApiResource, bool)>,
        capi: Option<CapiVersion>,
    ) -> Self {
        let kinds = kinds
            .into_iter()
            .map(|(r, n)| ((r.api_version.clone(), r.kind.clone()), (r, n)))
            .collect();
        Self { kinds, capi }
    }
}

/// Kubernetes version ordering: GA > beta > alpha, then by number (v1 > v1beta2 > v1beta1).
fn version_order(v: &str) -> (u8, u32, u32) {
    let rest = v.strip_prefix('v').unwrap_or(v);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse().unwrap_or(0);
    let tail = &rest[digits.len()..];
    let (level, n) = if let Some(n) = tail.strip_prefix("beta") {
        (1, n)
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (0, n)
    } else {
        (2, "0")
    };
    (level, major, n.parse().unwrap_or(0))
}

/// The current discovery result, replaced as a whole when CRDs change.
#[derive(Clone)]
pub struct Catalog {
    current: Arc<RwLock<Arc<Served>>>,
}

impl Catalog {
    /// Runs discovery once (aggregated discovery: two requests on a current API server).
    pub async fn discover(client: &kube::Client) -> Result<Self, kube::Error> {
        let served = Self::run(client).await?;
        Ok(Self::fixed(served))
    }

    /// A catalog that never changes (tests, and callers that run discovery themselves).
    pub fn fixed(served: Served) -> Self {
        Self {
            current: Arc::new(RwLock::new(Arc::new(served))),
        }
    }

    async fn run(client: &kube::Client) -> Result<Served, kube::Error> {
        let d = Discovery::new(client.clone()).run_aggregated().await?;
        Ok(Served::from_discovery(&d))
    }

    pub fn current(&self) -> Arc<Served> {
        self.current.read().expect("catalog lock").clone()
    }

    /// Runs discovery again after any CRD is added, changed or removed (debounced, since a
    /// provider install adds its CRDs in a burst). Calls `changed` after each refresh.
    pub async fn follow_crds(self, client: kube::Client, changed: impl Fn(&Served)) {
        let crds: Api<PartialObjectMeta<CustomResourceDefinition>> = Api::all(client.clone());
        let mut events = watcher(crds, watcher::Config::default()).boxed();
        let mut initialised = false;
        loop {
            let dirty = match events.next().await {
                None => return,
                Some(Ok(watcher::Event::InitDone)) => {
                    // A re-list after a lost watch may hide changes: refresh then too.
                    let was = initialised;
                    initialised = true;
                    was
                }
                Some(Ok(watcher::Event::Apply(_) | watcher::Event::Delete(_))) => true,
                Some(Ok(_)) => false,
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "watching CustomResourceDefinitions failed; retrying in 5 s");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    false
                }
            };
            if !dirty {
                continue;
            }
            // Take the rest of the burst before asking the server again.
            while let Ok(Some(_)) =
                tokio::time::timeout(Duration::from_millis(300), events.next()).await
            {}
            match Self::run(&client).await {
                Ok(served) => {
                    changed(&served);
                    *self.current.write().expect("catalog lock") = Arc::new(served);
                    tracing::info!("CRDs changed: discovery refreshed");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "discovery after a CRD change failed; keeping the previous result")
                }
            }
        }
    }
}
