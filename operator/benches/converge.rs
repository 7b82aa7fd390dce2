//! Creates N HostedClusters (default 100; `-- --clusters N`) with a NodePool each, runs the
//! operator in-process, and prints: time to converge (every cluster's objects exist and its
//! status is written), API writes per HostedCluster, writes during one full resync (every
//! cluster reconciled with nothing changed; should be 0), and the process's peak RSS.
//! Runs against `KUBECONFIG_E2E` when set, otherwise against kube-fake (in the same process,
//! so the RSS figure then includes the in-memory API server).

#[path = "../tests/support/mod.rs"]
mod support;

use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use platform_api::api::HostedCluster;
use serde_json::json;
use std::time::{Duration, Instant};
use support::e2e::{Fixture, Operator, Target, install_crds};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn fixture(ns: &str, i: usize) -> Fixture {
    let mut fx = Fixture::new(ns);
    let name = format!("bench-{i}");
    fx.hc.metadata.name = Some(name.clone());
    fx.hc.spec.infra_id = Some(format!("bench-{i}-infra"));
    fx.np.metadata.name = Some(format!("bench-{i}-workers"));
    fx.np.spec.cluster_name = name;
    fx
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--clusters")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .or_else(|| std::env::var("BENCH_CLUSTERS").ok()?.parse().ok())
        .unwrap_or(100);
    let t = match Target::from_env().await {
        Some(t) => t,
        None => Target::fake().await,
    };
    println!("API: {}; clusters: {n}", t.name);
    install_crds(&t.client).await;
    let fixtures: Vec<Fixture> = (0..n).map(|i| fixture(&t.namespace, i)).collect();
    // The Secret is shared; creating it once per fixture is an idempotent apply.
    for fx in &fixtures {
        fx.create(&t.client).await;
    }
    t.clear_log();

    let started = Instant::now();
    let op = Operator::start_with(&t.operator_client, Duration::from_secs(30), 4);
    let hcs: Api<HostedCluster> = Api::namespaced(t.client.clone(), &t.namespace);
    let md = platform_api::desired::capi::CAPI_GROUP;
    let mds: Api<DynamicObject> = Api::all_with(
        t.client.clone(),
        &kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
            md,
            "v1beta1",
            "MachineDeployment",
        )),
    );
    loop {
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
        if with_status == n && machine_deployments >= n {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "no convergence in 10 min"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let converge = started.elapsed();
    let writes = t.writes().len();

    // One full resync: the shared Secret maps to every cluster.
    tokio::time::sleep(Duration::from_secs(1)).await;
    t.clear_log();
    let secret = fixtures[0].secret.metadata.name.clone().unwrap();
    Api::<k8s_openapi::api::core::v1::Secret>::namespaced(t.client.clone(), &t.namespace)
        .patch(
            &secret,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"bench/touched": "1"}}})),
        )
        .await
        .unwrap();
    let resync_started = Instant::now();
    loop {
        let reconciled = t
            .log
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, p)| m == "GET" && p.contains("/nodepools") && !p.contains("watch="))
            .count();
        if reconciled >= n {
            break;
        }
        assert!(
            resync_started.elapsed() < Duration::from_secs(600),
            "resync never finished"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let resync = resync_started.elapsed();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let resync_writes = t.writes().len();
    op.stop().await;
    support::e2e::cleanup(&t).await;

    println!(
        "time to converge:            {:.2} s",
        converge.as_secs_f64()
    );
    println!(
        "API writes per HostedCluster: {:.1} ({writes} in total)",
        writes as f64 / n as f64
    );
    println!(
        "writes during a full resync:  {resync_writes} (resync of {n} clusters took {:.2} s)",
        resync.as_secs_f64()
    );
    match peak_rss_kib() {
        Some(kib) => println!(
            "peak RSS:                     {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("peak RSS:                     unavailable (/proc/self/status)"),
    }
}
