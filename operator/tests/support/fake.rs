//! kube-fake set-up for flow tests: our CRDs, the upstream CAPI and provider CRDs from
//! `shared/fixtures/upstream/`, MachineSets, and a running Controller.
#![allow(dead_code)]

use futures::StreamExt;
use hosted_cluster_operator::Context;
use hosted_cluster_operator::events::{Events, Recorded};
use hosted_cluster_operator::reconcile;
use hosted_cluster_operator::runtime::controller;
use kube_fake::FakeApiServer;
use platform_api::platform::PlatformSettings;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

pub fn server() -> FakeApiServer {
    crate::support::install_crypto();
    let api = FakeApiServer::new();
    let root = crate::support::repo_root();
    for entry in std::fs::read_dir(root.join("crds")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        api.register_crd_from_yaml(&text).unwrap();
    }
    // Every upstream CRD except HyperShift's own (ours replace them), top level only.
    let upstream = testkit::upstream("");
    for dir in std::fs::read_dir(&upstream).unwrap().flatten() {
        if !dir.path().is_dir() || dir.file_name() == "hypershift" {
            continue;
        }
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            if f.path().extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(f.path()).unwrap();
                api.register_crd_from_yaml(&text).unwrap();
            }
        }
    }
    api.register_resource(
        "cluster.x-k8s.io",
        "v1beta1",
        "MachineSet",
        "machinesets",
        true,
        true,
    );
    api.create(
        "namespaces",
        json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"clusters"}}),
    )
    .unwrap();
    api
}

pub struct Running {
    pub events: Arc<Mutex<Vec<Recorded>>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
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
    let client = api.client();
    let (events, store) = Events::memory();
    let mut ctx = Context::new(client.clone(), PlatformSettings::default(), events);
    ctx.poll_interval = poll;
    ctx.deletion_poll = Duration::from_millis(50);
    let ctx = Arc::new(ctx);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        controller::build(&client, None)
            .graceful_shutdown_on(async {
                let _ = rx.await;
            })
            .run(reconcile::reconcile, reconcile::error_policy, ctx)
            .for_each(|_| async {})
            .await;
    });
    Running {
        events: store,
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
