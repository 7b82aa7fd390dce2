//! The operator against its limit. Creates N HostedClusters (default 100; `-- --clusters N`)
//! with a NodePool each and prints:
//! - time to converge (every cluster's objects exist and its status is written), and the time a
//!   bare server-side-apply writer takes for the same rendered objects with the same number of
//!   connections, and their ratio;
//! - API writes per HostedCluster;
//! - reads per reconcile and writes during a full resync (every cluster reconciled with
//!   nothing changed; both should be 0);
//! - writes after a restart with nothing to do (should be 0);
//! - the process's peak RSS.
//!
//! `--capi v1beta1|v1beta2` picks the upstream CRD set (CAPI v1.10.10 + CAPMAAS v4.9.5, or CAPI
//! v1.13.4 + CAPMAAS v0.9.0; default v1beta2); `--concurrency C` (default 4) is the operator's
//! concurrency and the bare writer's connection count. Runs against `KUBECONFIG_E2E` when set
//! (then `E2E_CAPI` must name the CRD set installed there, as for the e2e suite), otherwise
//! against kube-fake in the same process (the RSS then includes the in-memory API server).

#[path = "../tests/support/mod.rs"]
mod support;

use futures::StreamExt;
use hosted_cluster_operator::runtime::controller::Options;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use platform_api::api::HostedCluster;
use platform_api::desired::DesiredObject;
use platform_api::desired::capi::CapiVersion;
use serde_json::json;
use std::time::{Duration, Instant};
use support::e2e::{Fixture, Operator, Target, install_crds, object_api};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn fixture(ns: &str, i: usize, capi: CapiVersion) -> Fixture {
    let mut fx = Fixture::in_namespace(ns);
    fx.capi = capi;
    let name = format!("bench-{i}");
    fx.hc.metadata.name = Some(name.clone());
    fx.hc.spec.infra_id = Some(format!("bench-{i}-infra"));
    fx.np.metadata.name = Some(format!("bench-{i}-workers"));
    fx.np.spec.cluster_name = name;
    fx
}

struct Args {
    clusters: usize,
    capi: Option<CapiVersion>,
    concurrency: u16,
}

fn args() -> Args {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    Args {
        clusters: value("--clusters")
            .or_else(|| std::env::var("BENCH_CLUSTERS").ok())
            .map(|v| v.parse().expect("--clusters takes a number"))
            .unwrap_or(100),
        capi: value("--capi").map(|v| v.parse().unwrap_or_else(|e| panic!("--capi: {e}"))),
        concurrency: value("--concurrency")
            .map(|v| v.parse().expect("--concurrency takes a number"))
            .unwrap_or(4),
    }
}

/// Applies every fixture's rendered objects with server-side apply, `connections` at a time.
async fn bare_writer(client: &kube::Client, fixtures: &[Fixture], connections: usize) -> Duration {
    let per_cluster: Vec<Vec<DesiredObject>> = fixtures.iter().map(Fixture::expected).collect();
    let started = Instant::now();
    futures::stream::iter(per_cluster)
        .for_each_concurrent(connections, |objects| async move {
            let params = PatchParams::apply("bench-bare-writer").force();
            for o in &objects {
                object_api(client, o)
                    .patch(o.name(), &params, &Patch::Apply(&o.to_value()))
                    .await
                    .unwrap_or_else(|e| panic!("bare apply of {}: {e}", o.display_name()));
            }
        })
        .await;
    started.elapsed()
}

async fn converged(t: &Target, n: usize, capi: CapiVersion) -> bool {
    let hcs: Api<HostedCluster> = Api::namespaced(t.client.clone(), &t.namespace);
    let mds: Api<DynamicObject> =
        Api::all_with(t.client.clone(), &capi.resource("MachineDeployment"));
    let with_status = hcs
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .iter()
        .filter(|h| h.status.as_ref().is_some_and(|s| !s.conditions.is_empty()))
        .count();
    let machine_deployments = mds
        .list(&ListParams::default().labels("app.kubernetes.io/managed-by=hosted-cluster"))
        .await
        .map(|l| l.items.len())
        .unwrap_or(0);
    with_status == n && machine_deployments >= n
}

/// The operator as the bench runs it: 30 s polling, `concurrency` reconciles at once.
async fn start_operator(t: &Target, concurrency: u16) -> Operator {
    Operator::start_with(
        &t.operator_client,
        Duration::from_secs(30),
        concurrency,
        Options::default(),
    )
    .await
}

/// Polls `done` until true. The interval grows with N so that the bench's own LISTs stay small
/// next to the operator's work (kube-fake shares this process's two cores).
async fn until(what: &str, every: Duration, mut done: impl AsyncFnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "{what}: not within 15 min"
        );
        tokio::time::sleep(every).await;
    }
    started.elapsed()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let a = args();
    let n = a.clusters;
    let mut t = match Target::from_env().await {
        Some(t) => t,
        None => Target::fake(a.capi.unwrap_or_default()).await,
    };
    if let Some(c) = a.capi {
        t.set = c;
    }
    let capi = t.set;
    println!(
        "API: {}; CRD set: CAPI storing {capi}; clusters: {n}; concurrency: {}",
        t.name, a.concurrency
    );
    install_crds(&t.client, capi).await;
    let fixtures: Vec<Fixture> = (0..n).map(|i| fixture(&t.namespace, i, capi)).collect();
    // The Secret is shared; creating it once per fixture is an idempotent apply.
    for fx in &fixtures {
        fx.create(&t.client).await;
    }
    t.clear_log();

    // 1. Converge from nothing.
    let op = start_operator(&t, a.concurrency).await;
    let every = Duration::from_millis((n as u64 / 2).clamp(100, 1000));
    let converge = until("convergence", every, async || converged(&t, n, capi).await).await;
    let converge_reconciles = op.reconciles();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let writes = t.writes().len();

    // 2. One full resync: the shared Secret maps to every cluster.
    t.clear_log();
    let before = op.reconciles();
    let secret = fixtures[0].secret.metadata.name.clone().unwrap();
    Api::<k8s_openapi::api::core::v1::Secret>::namespaced(t.client.clone(), &t.namespace)
        .patch(
            &secret,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"bench/touched": "1"}}})),
        )
        .await
        .unwrap();
    let resync = until("the resync", every, async || {
        op.reconciles() >= before + n as u64
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let resync_reconciles = op.reconciles() - before;
    let (resync_writes, resync_reads) = (t.writes().len(), t.reads().len());
    op.stop().await;

    // 3. A restart with nothing to do.
    t.clear_log();
    let op = start_operator(&t, a.concurrency).await;
    let restart = until("the restart", every, async || op.reconciles() >= n as u64).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (restart_writes, restart_reads) = (t.writes().len(), t.reads().len());
    op.stop().await;
    let rss = peak_rss_kib();

    // 4. The bare writer: the same rendered objects in a namespace of their own.
    let bare_ns = format!("{}-bare", t.namespace);
    let bare: Vec<Fixture> = (0..n).map(|i| fixture(&bare_ns, i, capi)).collect();
    support::e2e::apply(
        &t.client,
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": bare_ns}}),
        false,
    )
    .await;
    let bare_time = bare_writer(&t.client, &bare, a.concurrency.into()).await;
    support::e2e::cleanup(&t).await;
    let _ = Api::<k8s_openapi::api::core::v1::Namespace>::all(t.client.clone())
        .delete(&bare_ns, &Default::default())
        .await;

    let secs = |d: Duration| d.as_secs_f64();
    println!("time to converge:                 {:.2} s", secs(converge));
    println!(
        "bare server-side-apply writer:    {:.2} s ({} objects, {} connections)",
        secs(bare_time),
        bare.iter().map(|f| f.expected().len()).sum::<usize>(),
        a.concurrency
    );
    println!(
        "ratio operator / bare writer:     {:.2}x",
        secs(converge) / secs(bare_time).max(1e-9)
    );
    println!(
        "API writes per HostedCluster:     {:.1} ({writes} in total; {:.1} reconciles per HostedCluster to converge)",
        writes as f64 / n as f64,
        converge_reconciles as f64 / n as f64
    );
    println!(
        "full resync:                      {resync_writes} writes, {resync_reads} reads over {resync_reconciles} reconciles ({:.2} reads per reconcile; took {:.2} s)",
        resync_reads as f64 / resync_reconciles.max(1) as f64,
        secs(resync)
    );
    println!(
        "restart with nothing to do:       {restart_writes} writes ({restart_reads} reads: the caches' initial lists and discovery; every cluster reconciled in {:.2} s)",
        secs(restart)
    );
    match rss {
        Some(kib) => println!(
            "peak RSS:                         {:.1} MiB{}",
            kib as f64 / 1024.0,
            if t.name == "kube-fake" {
                " (includes kube-fake)"
            } else {
                ""
            }
        ),
        None => println!("peak RSS:                         unavailable (/proc/self/status)"),
    }
}
