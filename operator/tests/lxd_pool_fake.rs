//! LXD NodePools through the whole operator against kube-fake and the MAAS simulator:
//! - the capacity preflight: a pool that does not fit gets `CapacityAvailable=False` naming the
//!   shortfall, one that fits gets True, a MAAS without VM hosts says so, and resyncs do not
//!   query MAAS again;
//! - `LXDHostSelected`, `VMCreated` and `Deployed` follow the pool's MaasMachines.

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
    assert!(
        message.contains("memory") && message.contains("needs 262144"),
        "{message}"
    );

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
    assert!(
        cond["message"].as_str().unwrap().contains("no VM hosts"),
        "{cond:#}"
    );
    let since = op.metrics.reconciles_total();
    wait_for(20, "several resyncs", || {
        (op.metrics.reconciles_total() > since + 5).then_some(())
    })
    .await;
    assert_eq!(
        vm_host_lists(&sim),
        1,
        "a 410 is not retried: {:?}",
        sim.requests()
    );
    op.stop().await;
}

fn pool_condition(api: &FakeApiServer, type_: &str) -> Option<(String, String, String)> {
    let np = api.get(NP, Some("clusters"), "my-maas-lxd-nodepool")?;
    let c = np["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == type_)?
        .clone();
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    Some((s("status"), s("reason"), s("message")))
}

/// A MaasMachine of the pool as CAPI and CAPMAAS leave it.
fn maas_machine(api: &FakeApiServer, name: &str, spec: Value, status: Value) {
    let mut m = json!({
        "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
        "kind": "MaasMachine",
        "metadata": {
            "name": name,
            "namespace": support::hosted_cluster().control_plane_namespace(),
            "labels": {"cluster.x-k8s.io/deployment-name": "my-maas-lxd-nodepool"},
        },
        "spec": {"image": "ubuntu", "minCPU": 4, "minMemory": 8192},
    });
    for (k, v) in spec.as_object().unwrap() {
        m["spec"][k] = v.clone();
    }
    api.create("maasmachines.infrastructure.cluster.x-k8s.io", m)
        .unwrap();
    if !status.is_null() {
        api.set_status(
            "maasmachines.infrastructure.cluster.x-k8s.io",
            Some(&support::hosted_cluster().control_plane_namespace()),
            name,
            status,
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lxd_conditions_follow_the_maas_machines() {
    let sim = testing::start(SimOptions::instant()).await;
    let api = server();
    create(&api, &sim, 8192);
    let op = start(&api, Arc::new(CapacityCache::default()));
    let (status, reason, message) =
        wait_for(20, "VMCreated", || pool_condition(&api, "VMCreated")).await;
    assert_eq!(
        (status.as_str(), reason.as_str()),
        ("False", "WaitingForMachines")
    );
    assert_eq!(message, "0 of 3 VM(s) composed");

    // One VM deployed on host01, one composed on host02, one waiting for a host.
    maas_machine(
        &api,
        "vm-a",
        json!({"parent": "host01", "systemID": "vm0001", "providerID": "maas:///az-1/vm0001"}),
        json!({"machineState": "Deployed", "conditions": [{"type": "MachineDeployed", "status": "True", "reason": "MachineDeployed", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}),
    );
    maas_machine(
        &api,
        "vm-b",
        json!({"parent": "host02", "systemID": "vm0002"}),
        Value::Null,
    );
    maas_machine(&api, "vm-c", json!({}), Value::Null);
    let (status, _, message) = wait_for(20, "LXDHostSelected 2 of 3", || {
        pool_condition(&api, "LXDHostSelected").filter(|c| c.2.starts_with("2 of 3"))
    })
    .await;
    assert_eq!(status, "False");
    assert!(message.contains("host01, host02"), "{message}");
    assert_eq!(
        pool_condition(&api, "VMCreated").unwrap().2,
        "2 of 3 VM(s) composed"
    );
    assert_eq!(
        pool_condition(&api, "Deployed").unwrap().2,
        "1 of 3 VM(s) deployed"
    );

    // A MaasMachine of another pool is not counted.
    api.create(
        "maasmachines.infrastructure.cluster.x-k8s.io",
        json!({
            "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
            "kind": "MaasMachine",
            "metadata": {
                "name": "other",
                "namespace": support::hosted_cluster().control_plane_namespace(),
                "labels": {"cluster.x-k8s.io/deployment-name": "another-pool"},
            },
            "spec": {"image": "ubuntu", "minCPU": 4, "minMemory": 8192, "systemID": "zzz999"},
        }),
    )
    .unwrap();
    let since = op.metrics.reconciles_total();
    wait_for(20, "more resyncs", || {
        (op.metrics.reconciles_total() > since + 3).then_some(())
    })
    .await;
    assert_eq!(
        pool_condition(&api, "VMCreated").unwrap().2,
        "2 of 3 VM(s) composed"
    );
    op.stop().await;
}
