//! The capacity preflight: the NodePool condition `CapacityAvailable`, from the platform's
//! [`node_pool_capacity`](platform_api::Platform::node_pool_capacity), for the pools the
//! platform gives a [`capacity_check_key`](platform_api::Platform::capacity_check_key).
//!
//! The platform's API is asked at most once per pool per [`RECHECK`] while the key stays the
//! same (a changed pool spec or endpoint asks at once), and once per [`RETRY_AFTER_ERROR`]
//! while it fails: a resync reuses the last answer, so no reconcile loop turns into a query loop.
//! The answers live in memory; after a restart the first reconcile asks again.

use super::inputs::Inputs;
use crate::context::Context;
use crate::status::conditions::{Cond, FALSE, TRUE, UNKNOWN};
use kube::api::DynamicObject;
use platform_api::Platform;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::platform::CapacityContext;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The NodePool condition.
pub const CAPACITY_AVAILABLE: &str = "CapacityAvailable";
/// How long an answer is reused while the pool does not change.
pub const RECHECK: Duration = Duration::from_secs(5 * 60);
/// How long a failed check waits before it is tried again.
pub const RETRY_AFTER_ERROR: Duration = Duration::from_secs(60);

struct Entry {
    key: String,
    at: Instant,
    ttl: Duration,
    cond: Cond,
}

/// The last answer per pool (namespace, name).
#[derive(Default)]
pub struct CapacityCache {
    entries: Mutex<HashMap<(String, String), Entry>>,
    asked: AtomicU64,
}

impl CapacityCache {
    fn fresh(&self, id: &(String, String), key: &str) -> Option<Cond> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(id)
            .filter(|e| e.key == key && e.at.elapsed() < e.ttl)
            .map(|e| e.cond.clone())
    }

    fn store(&self, id: (String, String), entry: Entry) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(id, entry);
    }

    /// How many times the platform was asked since start-up (tests check the rate limit).
    pub fn asked(&self) -> u64 {
        self.asked.load(Ordering::Relaxed)
    }
}

/// The pool's `CapacityAvailable` condition, or `None` when the platform does not check it.
pub async fn condition(
    ctx: &Context,
    hc: &HostedCluster,
    platform: &dyn Platform,
    inputs: &Inputs,
    np: &NodePool,
    machines: &[DynamicObject],
) -> Option<Cond> {
    let check = CapacityContext {
        hosted_cluster: hc,
        node_pool: np,
        credentials: inputs.credentials.data(),
        machines,
    };
    let key = platform.capacity_check_key(&check)?;
    let id = (
        np.metadata.namespace.clone().unwrap_or_default(),
        np.metadata.name.clone().unwrap_or_default(),
    );
    if let Some(c) = ctx.capacity.fresh(&id, &key) {
        return Some(c);
    }
    ctx.capacity.asked.fetch_add(1, Ordering::Relaxed);
    let answer = platform.node_pool_capacity(&check).await;
    let (cond, ttl) = match answer {
        Ok(r) => (
            Cond::new(
                CAPACITY_AVAILABLE,
                if r.available { TRUE } else { FALSE },
                r.reason,
                r.message,
            ),
            RECHECK,
        ),
        Err(e) => (
            Cond::new(
                CAPACITY_AVAILABLE,
                UNKNOWN,
                e.reason(),
                format!(
                    "the capacity check failed: {e}; it is tried again in {}s",
                    RETRY_AFTER_ERROR.as_secs()
                ),
            ),
            RETRY_AFTER_ERROR,
        ),
    };
    ctx.capacity.store(
        id,
        Entry {
            key,
            at: Instant::now(),
            ttl,
            cond: cond.clone(),
        },
    );
    Some(cond)
}
