//! What every reconcile shares.

use crate::events::Events;
use crate::metrics::Metrics;
use platform_api::platform::PlatformSettings;
use std::sync::Arc;
use std::time::Duration;

pub struct Context {
    pub client: kube::Client,
    pub settings: PlatformSettings,
    pub events: Events,
    pub metrics: Arc<Metrics>,
    /// Requeue while something is still converging (infrastructure, control plane, machines);
    /// none of those are watched, so this is how their progress is noticed.
    pub poll_interval: Duration,
    /// Requeue of a converged cluster: a safety net for missed events.
    pub resync_interval: Duration,
    /// Wait between deletion steps that wait for something to go away.
    pub deletion_poll: Duration,
}

impl Context {
    pub fn new(client: kube::Client, settings: PlatformSettings, events: Events) -> Self {
        Self {
            client,
            settings,
            events,
            metrics: Arc::new(Metrics::new()),
            poll_interval: Duration::from_secs(30),
            resync_interval: Duration::from_secs(600),
            deletion_poll: Duration::from_secs(5),
        }
    }
}
