//! Orphaned machines on teardown (B5), through the whole operator against kube-fake and the
//! MAAS simulator: the MaasMachines' system IDs are recorded before anything is deleted, and
//! after the CAPI Cluster is gone exactly those still allocated to the cluster's MAAS user are
//! released (an LXD VM CAPMAAS composed is decomposed); a machine of the same user that was not
//! recorded is never touched. A MAAS that does not answer is retried and shown in `Degraded`,
//! and teardown gives up after `--orphan-cleanup-timeout` with a Warning Event.

#[path = "support/fake.rs"]
mod fake;
mod support;

use fake::{condition, run_configured, server, wait_for, with_kind};
use hosted_cluster_operator::reconcile::record::RECORD_NAME;
use hosted_cluster_operator::runtime::controller;
use kube_fake::FakeApiServer;
use maas_client::{
    AllocateConstraints, ApiKey, ClientOptions, ComposeRequest, MaasClient, MaasEndpoint,
};
use maas_simulator::{MachineStatus, SimHandle, SimOptions, testing};
use serde_json::{Value, json};
use std::time::Duration;

const HC: &str = "hostedclusters";
const MAAS_MACHINES: &str = "maasmachines.infrastructure.cluster.x-k8s.io";

fn hc_obj(api: &FakeApiServer) -> Option<Value> {
    let name = support::hosted_cluster().metadata.name.unwrap();
    api.get(HC, Some("clusters"), &name)
}

fn cp_ns() -> String {
    support::hosted_cluster().control_plane_namespace()
}

/// The example cluster and pool, with credentials pointing at `endpoint`.
fn create(api: &FakeApiServer, endpoint: &str, key: &str) {
    let mut secret = with_kind(
        serde_json::to_value(support::credentials()).unwrap(),
        "v1",
        "Secret",
    );
    secret["stringData"] = json!({"MAAS_ENDPOINT": endpoint, "MAAS_API_KEY": key});
    api.create("secrets", secret).unwrap();
    let hc = support::hosted_cluster();
    let _ = api.create("namespaces", support::control_plane_namespace(&hc));
    let _ = api.create("secrets", support::ignition_ca_secret(&hc));
    api.create(
        HC,
        with_kind(
            serde_json::to_value(&hc).unwrap(),
            "hypershift.openshift.io/v1beta1",
            "HostedCluster",
        ),
    )
    .unwrap();
    api.create(
        "nodepools",
        with_kind(
            serde_json::to_value(support::node_pool()).unwrap(),
            "hypershift.openshift.io/v1beta1",
            "NodePool",
        ),
    )
    .unwrap();
}

/// A MaasMachine as CAPMAAS leaves it once it has a machine.
fn maas_machine(api: &FakeApiServer, name: &str, system_id: &str, lxd: bool) {
    api.create(
        MAAS_MACHINES,
        json!({
            "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
            "kind": "MaasMachine",
            "metadata": {"name": name, "namespace": cp_ns()},
            "spec": {
                "image": "ubuntu", "minCPU": 2, "minMemory": 4096,
                "systemID": system_id,
                "providerID": format!("maas:///az-1/{system_id}"),
                "lxd": {"enabled": lxd},
            },
        }),
    )
    .unwrap();
}

fn admin(sim: &SimHandle) -> MaasClient {
    MaasClient::new(
        MaasEndpoint::parse(&sim.base_url()).unwrap(),
        ApiKey::parse(&sim.api_key()).unwrap(),
        ClientOptions::default(),
    )
    .unwrap()
}

async fn allocate(client: &MaasClient, system_id: &str) {
    client
        .allocate(&AllocateConstraints {
            system_id: Some(system_id.into()),
            ..AllocateConstraints::default()
        })
        .await
        .unwrap();
}

fn start(api: &FakeApiServer, timeout: Duration) -> fake::Running {
    run_configured(
        api,
        Duration::from_millis(100),
        controller::Options::default(),
        move |ctx| ctx.orphan_cleanup_timeout = timeout,
    )
}

async fn wait_for_record(api: &FakeApiServer) {
    wait_for(20, "the CAPI Cluster", || {
        api.objects("clusters.cluster.x-k8s.io")
            .into_iter()
            .next()
            .map(drop)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_cluster_releases_only_its_recorded_machines() {
    let sim = testing::start(SimOptions::instant()).await;
    let maas = admin(&sim);
    let id = |host: &str| sim.machine_by_hostname(host).unwrap().system_id;
    let metal = id("node-01");
    allocate(&maas, &metal).await;
    let host = sim
        .vm_hosts()
        .into_iter()
        .find(|h| h.name == "lxd-01")
        .unwrap();
    let vm = maas
        .compose(
            host.id.into(),
            &ComposeRequest {
                cores: 2,
                memory: 4096,
                hostname: Some("pool-vm-1".into()),
                ..ComposeRequest::default()
            },
        )
        .await
        .unwrap()
        .system_id;
    allocate(&maas, &vm).await;
    // Same MAAS user, another cluster: no MaasMachine here names it.
    let unrecorded = id("node-02");
    allocate(&maas, &unrecorded).await;

    let api = server();
    create(&api, &sim.base_url(), &sim.api_key());
    let op = start(&api, Duration::from_secs(600));
    wait_for_record(&api).await;
    maas_machine(&api, "pool-a", &metal, false);
    maas_machine(&api, "pool-b", &vm, true);

    api.delete(
        HC,
        Some("clusters"),
        &support::hosted_cluster().metadata.name.unwrap(),
    )
    .unwrap();
    wait_for(30, "HostedCluster gone", || {
        hc_obj(&api).is_none().then_some(())
    })
    .await;

    // Recorded before anything that deletes machines is deleted.
    let requests = api.requests();
    let at = |method: &str, needle: &str| {
        requests
            .iter()
            .position(|r| r.method == method && r.path.contains(needle))
            .unwrap_or_else(|| panic!("no {method} of {needle}"))
    };
    let recorded = at("PATCH", &format!("/configmaps/{RECORD_NAME}"));
    assert!(recorded < at("DELETE", "/nodepools/"));
    assert!(recorded < at("DELETE", "/machinedeployments/"));

    let m = sim.machine(&metal).unwrap();
    assert_eq!((m.status, m.owner), (MachineStatus::Ready, None));
    assert!(sim.machine(&vm).is_none(), "the LXD VM is decomposed");
    let other = sim.machine(&unrecorded).unwrap();
    assert_eq!(
        (other.status, other.owner.as_deref()),
        (MachineStatus::Allocated, Some("admin")),
        "never releases a machine it did not record"
    );
    let events = op.events.lock().unwrap().clone();
    let released = events
        .iter()
        .find(|e| e.reason == "ReleasedOrphanedMachines")
        .expect("an Event names what was released");
    assert!(
        released.note.contains(&metal) && released.note.contains(&vm),
        "{}",
        released.note
    );
    assert!(
        !events
            .iter()
            .any(|e| e.warning && e.reason.starts_with("Orphaned"))
    );
    op.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_maas_is_retried_shown_then_given_up_with_a_warning() {
    let sim = testing::start(SimOptions::instant()).await;
    let url = sim.base_url();
    let key = sim.api_key();
    let metal = sim.machine_by_hostname("node-01").unwrap().system_id;
    allocate(&admin(&sim), &metal).await;

    let api = server();
    create(&api, &url, &key);
    let op = start(&api, Duration::from_secs(4));
    wait_for_record(&api).await;
    maas_machine(&api, "pool-a", &metal, false);
    // MAAS goes away before the teardown.
    sim.shutdown().await;

    api.delete(
        HC,
        Some("clusters"),
        &support::hosted_cluster().metadata.name.unwrap(),
    )
    .unwrap();
    // Retried, and shown while it is.
    let cond = wait_for(20, "Degraded=True OrphanedMachineCleanupFailed", || {
        let hc = hc_obj(&api)?;
        let (status, reason) = condition(&hc, "Degraded")?;
        (status == "True" && reason == "OrphanedMachineCleanupFailed").then_some(hc)
    })
    .await;
    let message = cond["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Degraded")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains(&metal), "{message}");
    assert!(message.contains("--orphan-cleanup-timeout"), "{message}");
    assert!(!message.contains(&key), "no key in conditions: {message}");
    let record = api
        .get("configmaps", Some(&cp_ns()), RECORD_NAME)
        .expect("the record");
    assert_eq!(record["data"][&metal], "machine", "{record:#}");
    // Never blocks forever: after the timeout the cluster goes, with a Warning.
    wait_for(30, "HostedCluster gone", || {
        hc_obj(&api).is_none().then_some(())
    })
    .await;
    let events = op.events.lock().unwrap().clone();
    let gave_up = events
        .iter()
        .find(|e| e.reason == "OrphanedMachineCleanupAbandoned")
        .expect("a Warning Event when giving up");
    assert!(gave_up.warning);
    let warnings = events
        .iter()
        .filter(|e| e.reason == "OrphanedMachineCleanupAbandoned")
        .count();
    assert_eq!(warnings, 1, "given up once: {events:#?}");
    assert!(gave_up.note.contains(&metal), "{}", gave_up.note);
    op.stop().await;
}
