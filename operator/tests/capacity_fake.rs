//! The capacity preflight through the whole operator against kube-fake and the MAAS simulator:
//! an LXD NodePool that does not fit gets `CapacityAvailable=False` naming the shortfall, one
//! that fits gets True, a MAAS without VM hosts says so, and resyncs do not query MAAS again.

#[path = "support/fake.rs"]
mod fake;
mod support;

use fake::{run_configured, server, wait_for, with_kind};
use hosted_cluster_operator::reconcile::capacity::{CAPACITY_AVAILABLE, CapacityCache};
use hosted_cluster_operator::runtime::controller;
use kube_fake::FakeApiServer;
use maas_simulator::{SimHandle, SimOptions, testing};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const NP: &str = "nodepools";

/// The example cluster with credentials for `sim`, and the LXD example pool in the simulator's
/// zone az-1 with `memory` MiB per VM.
fn create(api: &FakeApiServer, sim: &SimHandle, memory: i64) {
    let mut secret = with_kind(
        serde_json::to_value(support::credentials()).unwrap(),
        "v1",
        "Secret",
    );
    secret["stringData"] = json!({"MAAS_ENDPOINT": sim.base_url(), "MAAS_API_KEY": sim.api_key()});
    api.create("secrets", secret).unwrap();
    let hc = support::hosted_cluster();
    let _ = api.create("namespaces", support::control_plane_namespace(&hc));
    let _ = api.create("secrets", support::ignition_ca_secret(&hc));
    api.create(
        "hostedclusters",
        with_kind(
            serde_json::to_value(&hc).unwrap(),
            "hypershift.openshift.io/v1beta1",
            "HostedCluster",
        ),
    )
    .unwrap();
    let mut np: Value = support::fixture("nodepool-lxd.yaml");
    np["spec"]["platform"]["maas"]["zone"] = json!("az-1");
    np["spec"]["platform"]["maas"]["minMemory"] = json!(memory);
    api.create(NP, np).unwrap();
}

fn capacity(api: &FakeApiServer) -> Option<Value> {
    let np = api.get(NP, Some("clusters"), "my-maas-lxd-nodepool")?;
    np["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == CAPACITY_AVAILABLE)
        .cloned()
}

fn start(api: &FakeApiServer, cache: Arc<CapacityCache>) -> fake::Running {
    run_configured(
        api,
        Duration::from_millis(100),
        controller::Options::default(),
        move |ctx| {
            ctx.capacity = cache;
            // Resync often, to show that resyncs do not query MAAS.
            ctx.resync_interval = Duration::from_millis(100);
        },
    )
}

fn vm_host_lists(sim: &SimHandle) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path.contains("/vm-hosts/"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_that_does_not_fit_says_what_is_short() {
    let sim = testing::start(SimOptions::instant()).await;
    let api = server();
    create(&api, &sim, 262_144);
    let cache = Arc::new(CapacityCache::default());
    let op = start(&api, cache.clone());
    let cond = wait_for(20, "CapacityAvailable", || capacity(&api)).await;
    assert_eq!(cond["status"], "False", "{cond:#}");
    assert_eq!(cond["reason"], "InsufficientCapacity", "{cond:#}");
    let message = cond["message"].as_str().unwrap();
    assert!(message.contains("3 of 3 VM(s)"), "{message}");
    assert!(message.contains("memory") && message.contains("needs 262144"), "{message}");

    // Many resyncs later, MAAS was asked once.
    let since = op.metrics.reconciles_total();
    wait_for(20, "several resyncs", || {
        (op.metrics.reconciles_total() > since + 5).then_some(())
    })
    .await;
    assert_eq!(cache.asked(), 1);
    assert_eq!(vm_host_lists(&sim), 1, "{:?}", sim.requests());

    // A smaller pool is a changed spec: asked again at once, and it fits.
    api.update_with(NP, Some("clusters"), "my-maas-lxd-nodepool", |np| {
        np["spec"]["platform"]["maas"]["minMemory"] = json!(8192);
    })
    .unwrap();
    let cond = wait_for(20, "CapacityAvailable=True", || {
        capacity(&api).filter(|c| c["status"] == "True")
    })
    .await;
    assert_eq!(cond["reason"], "AsExpected", "{cond:#}");
    assert_eq!(cache.asked(), 2);
    op.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maas_without_vm_hosts_says_so_once() {
    let sim = testing::start(SimOptions {
        vm_hosts_removed: true,
        ..SimOptions::instant()
    })
    .await;
    let api = server();
    create(&api, &sim, 8192);
    let cache = Arc::new(CapacityCache::default());
    let op = start(&api, cache.clone());
    let cond = wait_for(20, "CapacityAvailable", || capacity(&api)).await;
    assert_eq!(cond["status"], "False", "{cond:#}");
    assert_eq!(cond["reason"], "VMHostsUnsupported", "{cond:#}");
    assert!(cond["message"].as_str().unwrap().contains("no VM hosts"), "{cond:#}");
    let since = op.metrics.reconciles_total();
    wait_for(20, "several resyncs", || {
        (op.metrics.reconciles_total() > since + 5).then_some(())
    })
    .await;
    assert_eq!(vm_host_lists(&sim), 1, "a 410 is not retried: {:?}", sim.requests());
    op.stop().await;
}
