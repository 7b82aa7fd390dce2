//! Prometheus metrics (prometheus-client, OpenMetrics text at `/metrics`).

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::time::Duration;

type Labels = Vec<(String, String)>;

pub struct Metrics {
    registry: Registry,
    reconciles: Family<Labels, Counter>,
    errors: Family<Labels, Counter>,
    duration: Histogram,
    applied: Family<Labels, Counter>,
    normalised: Family<Labels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("hosted_cluster_operator");
        let reconciles = Family::<Labels, Counter>::default();
        let errors = Family::<Labels, Counter>::default();
        let duration = Histogram::new(exponential_buckets(0.01, 2.0, 12));
        let applied = Family::<Labels, Counter>::default();
        let normalised = Family::<Labels, Counter>::default();
        registry.register(
            "reconciles",
            "HostedCluster reconciles, by result",
            reconciles.clone(),
        );
        registry.register(
            "reconcile_errors",
            "Failed reconciles, by reason (the error variant)",
            errors.clone(),
        );
        registry.register(
            "reconcile_duration_seconds",
            "Time spent in one reconcile",
            duration.clone(),
        );
        registry.register(
            "objects_applied",
            "Objects written with server-side apply, by kind",
            applied.clone(),
        );
        registry.register(
            "fields_normalised",
            "Fields the API server did not store as applied (the loop guard stopped re-applying them), by kind and field",
            normalised.clone(),
        );
        Self {
            registry,
            reconciles,
            errors,
            duration,
            applied,
            normalised,
        }
    }

    pub fn reconciled(&self, result: &str, took: Duration) {
        self.reconciles
            .get_or_create(&vec![("result".into(), result.into())])
            .inc();
        self.duration.observe(took.as_secs_f64());
    }

    /// Reconciles finished, whatever their result.
    pub fn reconciles_total(&self) -> u64 {
        ["success", "error"]
            .iter()
            .map(|r| {
                self.reconciles
                    .get_or_create(&vec![("result".into(), (*r).into())])
                    .get()
            })
            .sum()
    }

    pub fn error(&self, reason: &str) {
        self.errors
            .get_or_create(&vec![("reason".into(), reason.into())])
            .inc();
    }

    pub fn applied(&self, kind: &str) {
        self.applied
            .get_or_create(&vec![("kind".into(), kind.into())])
            .inc();
    }

    pub fn normalised(&self, kind: &str, field: &str) {
        self.normalised
            .get_or_create(&vec![
                ("kind".into(), kind.into()),
                ("field".into(), field.into()),
            ])
            .inc();
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}
