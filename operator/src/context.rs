//! What every reconcile shares.

use crate::apply::record::Records;
use crate::cache::Caches;
use crate::events::Events;
use crate::metrics::Metrics;
use platform_api::desired::capi::CapiVersion;
use platform_api::platform::PlatformSettings;
use std::sync::Arc;
use std::time::Duration;

pub struct Context {
    pub client: kube::Client,
    pub settings: PlatformSettings,
    pub events: Events,
    pub metrics: Arc<Metrics>,
    /// Every read of a reconcile comes from here.
    pub caches: Caches,
    /// What the server returned for each of our writes (drift detection, the loop guard, and
    /// telling our own writes' watch events from news). Shared with the caches.
    pub records: Arc<Records>,
    /// Write CAPI objects in this version rather than the newest one the server serves.
    pub capi_override: Option<CapiVersion>,
    /// Requeue while something is still converging that no watch reports (the control plane's
    /// own progress behind the HostedControlPlane is watched; this is the safety net).
    pub poll_interval: Duration,
    /// Requeue of a converged cluster: a safety net for missed events.
    pub resync_interval: Duration,
    /// Wait between deletion steps that wait for something to go away.
    pub deletion_poll: Duration,
    /// How long teardown retries the platform's orphaned-machine cleanup before it goes on
    /// without it (`--orphan-cleanup-timeout`).
    pub orphan_cleanup_timeout: Duration,
    /// The last capacity answer per NodePool (the platform's API is asked rarely).
    pub capacity: Arc<crate::reconcile::capacity::CapacityCache>,
}

impl Context {
    pub fn new(
        client: kube::Client,
        settings: PlatformSettings,
        events: Events,
        caches: Caches,
    ) -> Self {
        let records = caches.records.clone();
        Self {
            client,
            settings,
            events,
            metrics: Arc::new(Metrics::new()),
            caches,
            records,
            capi_override: None,
            poll_interval: Duration::from_secs(30),
            resync_interval: Duration::from_secs(600),
            deletion_poll: Duration::from_secs(5),
            orphan_cleanup_timeout: crate::reconcile::record::DEFAULT_ORPHAN_CLEANUP_TIMEOUT,
            capacity: Arc::default(),
        }
    }

    /// The `cluster.x-k8s.io` version CAPI objects are written and read in: the override, else
    /// the newest the server serves (the one CAPI stores), else v1beta2.
    pub fn capi(&self) -> CapiVersion {
        self.capi_override
            .or(self.caches.catalog.current().capi)
            .unwrap_or_default()
    }
}
