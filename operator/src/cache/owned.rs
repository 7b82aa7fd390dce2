//! Caches of the kinds we build, one per group and kind, started on first use.
//!
//! Which kinds a cluster needs is known only from its desired state (the platform decides), so
//! a cache starts the first time a reconcile asks for a kind, and only if discovery says the
//! kind is served. A kind asked for in another version (CAPI upgraded from v1beta1 to v1beta2)
//! replaces its cache, so one object is never seen twice under two versions.

use super::kind::{KindCache, Triggers};
use super::{CacheError, wait};
use kube::api::ApiResource;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Whether the objects of a kind carry our label (ours) or are another controller's (CAPI's
/// MachineSets), which are watched whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Labelled {
    Ours,
    Anyone,
}

pub struct Owned {
    /// `None`: caches never watch (a kind not preloaded is empty); for tests.
    client: Option<kube::Client>,
    selector: String,
    triggers: Option<Triggers>,
    kinds: Mutex<HashMap<(String, String), Arc<KindCache>>>,
}

fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

impl Owned {
    /// `selector` limits the watches of our kinds; changes other than our own writes' echoes go
    /// to `triggers`.
    pub fn new(client: kube::Client, selector: String, triggers: Triggers) -> Self {
        Self {
            client: Some(client),
            selector,
            triggers: Some(triggers),
            kinds: Mutex::new(HashMap::new()),
        }
    }

    /// Caches that never watch, holding `caches` (tests that call a reconcile directly).
    pub fn fixed(caches: impl IntoIterator<Item = KindCache>) -> Self {
        let kinds = caches
            .into_iter()
            .map(|c| {
                let key = (
                    group_of(&c.resource.api_version).to_string(),
                    c.resource.kind.clone(),
                );
                (key, Arc::new(c))
            })
            .collect();
        Self {
            client: None,
            selector: String::new(),
            triggers: None,
            kinds: Mutex::new(kinds),
        }
    }

    /// The cache of `resource`, started if needed.
    pub fn ensure(
        &self,
        resource: &ApiResource,
        namespaced: bool,
        who: Labelled,
    ) -> Arc<KindCache> {
        let key = (
            group_of(&resource.api_version).to_string(),
            resource.kind.clone(),
        );
        let mut kinds = self.kinds.lock().expect("owned caches lock");
        if let Some(c) = kinds.get(&key)
            && c.resource.api_version == resource.api_version
        {
            return c.clone();
        }
        let (selector, trigger) = match who {
            Labelled::Ours => (Some(self.selector.as_str()), self.triggers.clone()),
            Labelled::Anyone => (None, None),
        };
        let cache = Arc::new(match &self.client {
            Some(client) => {
                tracing::debug!(
                    api_version = resource.api_version,
                    kind = resource.kind,
                    "starting a cache"
                );
                KindCache::start(client, resource, namespaced, selector, trigger)
            }
            None => KindCache::fixed(resource, namespaced, []),
        });
        kinds.insert(key, cache.clone());
        cache
    }

    /// [`ensure`](Self::ensure), then wait for the first listing.
    pub async fn synced(
        &self,
        resource: &ApiResource,
        namespaced: bool,
        who: Labelled,
        timeout: Duration,
    ) -> Result<Arc<KindCache>, CacheError> {
        let cache = self.ensure(resource, namespaced, who);
        wait(
            &cache.synced,
            &format!("{} ({})", resource.plural, resource.api_version),
            timeout,
        )
        .await?;
        Ok(cache)
    }

    /// The running cache of a group and kind, in whatever version it watches.
    pub fn running(&self, api_version: &str, kind: &str) -> Option<Arc<KindCache>> {
        let key = (group_of(api_version).to_string(), kind.to_string());
        self.kinds
            .lock()
            .expect("owned caches lock")
            .get(&key)
            .cloned()
    }
}
