//! kube-fake set-up for flow tests: our CRDs, the upstream CAPI and provider CRDs from
//! `shared/fixtures/upstream/`, MachineSets, and a running Controller.
#![allow(dead_code)]

use hosted_cluster_operator::events::{Events, Recorded};
use hosted_cluster_operator::metrics::Metrics;
use hosted_cluster_operator::runtime::controller;
use kube_fake::FakeApiServer;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// kube-fake with our CRDs and the default upstream CRD set (CAPI v1.13.4 + CAPMAAS v0.9.0).
pub fn server() -> FakeApiServer {
    server_with(platform_api::desired::capi::CapiVersion::V1Beta2)
}

/// kube-fake with our CRDs and the upstream CRD set whose CAPI stores `set`.
pub fn server_with(set: platform_api::desired::capi::CapiVersion) -> FakeApiServer {
    crate::support::install_crypto();
    let api = FakeApiServer::new();
    let root = crate::support::repo_root();
    for entry in std::fs::read_dir(root.join("crds")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        api.register_crd_from_yaml(&text).unwrap();
    }
    for crd in crate::support::crd_sets::crds(set) {
        api.register_crd(crd).unwrap();
    }
    api.create(
        "namespaces",
        json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"clusters"}}),
    )
    .unwrap();
    api
}

pub struct Running {
    pub events: Arc<Mutex<Vec<Recorded>>>,
    pub metrics: Arc<Metrics>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Waits for a reconcile to finish after `since` reconciles had.
    pub async fn reconciled_after(&self, since: u64) {
        wait_for(10, "a reconcile", || {
            (self.metrics.reconciles_total() > since).then_some(())
        })
        .await;
    }

    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
        }
    }
}

/// Runs the operator's Controller against `api` with short intervals.
pub fn run(api: &FakeApiServer) -> Running {
    run_polling_every(api, Duration::from_millis(100))
}

/// Runs the operator's Controller against `api`, requeueing converging clusters every `poll`
/// (a long one proves a reaction came from a watch).
pub fn run_polling_every(api: &FakeApiServer, poll: Duration) -> Running {
    run_with(api, poll, controller::Options::default())
}

/// Runs the operator's Controller against `api` with `options`.
pub fn run_with(api: &FakeApiServer, poll: Duration, options: controller::Options) -> Running {
    run_configured(api, poll, options, |_| {})
}

/// [`run_with`], then `configure` changes the context before the Controller starts.
pub fn run_configured(
    api: &FakeApiServer,
    poll: Duration,
    options: controller::Options,
    configure: impl FnOnce(&mut hosted_cluster_operator::context::Context) + Send + 'static,
) -> Running {
    let client = api.client();
    let (events, store) = Events::memory();
    let (tx, rx) = oneshot::channel::<()>();
    let metrics = Arc::new(Metrics::new());
    let shared = metrics.clone();
    let task = tokio::spawn(async move {
        let (ctrl, mut ctx) = controller::build(&client, options, events)
            .await
            .expect("discovery against kube-fake");
        ctx.metrics = shared;
        ctx.poll_interval = poll;
        ctx.deletion_poll = Duration::from_millis(50);
        configure(&mut ctx);
        controller::run(ctrl, Arc::new(ctx), 4, async {
            let _ = rx.await;
        })
        .await;
    });
    Running {
        events: store,
        metrics,
        stop: Some(tx),
        task: Some(task),
    }
}

/// Polls `check` every 20 ms until it returns Some, or panics after `secs` with `what`.
pub async fn wait_for<T>(secs: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check() {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// [`wait_for`] with an async check.
pub async fn wait_for_async<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub fn with_kind(mut v: Value, api_version: &str, kind: &str) -> Value {
    v["apiVersion"] = api_version.into();
    v["kind"] = kind.into();
    v
}

pub fn condition(obj: &Value, type_: &str) -> Option<(String, String)> {
    obj["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)
        .map(|c| {
            (
                c["status"].as_str().unwrap_or_default().to_string(),
                c["reason"].as_str().unwrap_or_default().to_string(),
            )
        })
}
