//! Whole flows with a real kube-runtime Controller against kube-fake (an in-memory API server
//! with watches, finalizers and /status): create → every object → control plane reports →
//! resync writes nothing → delete in order → finalizer released; missing credentials →
//! condition → Secret created → recovery without restart; unknown platform → condition, then
//! silence (no hot loop).

#[path = "support/fake.rs"]
mod fake;
mod support;

use fake::{condition, run, server, wait_for, with_kind};
use hosted_cluster_operator::names::FINALIZER;
use kube_fake::FakeApiServer;
use platform_api::desired::{DesiredObject, Role};
use serde_json::{Value, json};
use std::time::Duration;

const HC: &str = "hostedclusters";
const NP: &str = "nodepools";

fn hc_name() -> String {
    support::hosted_cluster().metadata.name.unwrap()
}

fn create_secret(api: &FakeApiServer) {
    let s = with_kind(
        serde_json::to_value(support::credentials()).unwrap(),
        "v1",
        "Secret",
    );
    api.create("secrets", s).unwrap();
    // Written by HyperShift's control-plane operator in a real cluster.
    // The operator may have made the namespace already.
    let _ = api.create(
        "namespaces",
        support::control_plane_namespace(&support::hosted_cluster()),
    );
    let _ = api.create(
        "secrets",
        support::ignition_ca_secret(&support::hosted_cluster()),
    );
}

fn create_cluster(api: &FakeApiServer, platform_type: Option<&str>) {
    create_cluster_with(api, platform_type, json!({}));
}

fn create_cluster_with(api: &FakeApiServer, platform_type: Option<&str>, annotations: Value) {
    let mut hc = with_kind(
        serde_json::to_value(support::hosted_cluster()).unwrap(),
        "hypershift.openshift.io/v1beta1",
        "HostedCluster",
    );
    if let Some(t) = platform_type {
        hc["spec"]["platform"]["type"] = json!(t);
        // The CRD's CEL rule allows `maas` only with type MAAS (kube-fake evaluates it).
        if t != "MAAS" {
            hc["spec"]["platform"]
                .as_object_mut()
                .map(|p| p.remove("maas"));
        }
    }
    hc["metadata"]["annotations"] = annotations;
    api.create(HC, hc).unwrap();
    let np = with_kind(
        serde_json::to_value(support::node_pool()).unwrap(),
        "hypershift.openshift.io/v1beta1",
        "NodePool",
    );
    api.create(NP, np).unwrap();
}

/// What the operator should create, from the same builder it uses.
fn expected() -> Vec<DesiredObject> {
    support::expected_objects(
        &support::hosted_cluster(),
        &support::node_pool(),
        &support::credentials(),
    )
}

fn resource_name(o: &DesiredObject) -> String {
    if o.resource.group.is_empty() {
        o.resource.plural.clone()
    } else {
        format!("{}.{}", o.resource.plural, o.resource.group)
    }
}

fn live(api: &FakeApiServer, o: &DesiredObject) -> Option<Value> {
    api.get(&resource_name(o), o.namespace(), o.name())
}

fn hc_obj(api: &FakeApiServer) -> Option<Value> {
    api.get(HC, Some("clusters"), &hc_name())
}

async fn wait_all_objects(api: &FakeApiServer) {
    let want = expected();
    wait_for(20, "every desired object", || {
        want.iter().all(|o| live(api, o).is_some()).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_converge_resync_delete() {
    let api = server();
    create_secret(&api);
    create_cluster(&api, None);
    let op = run(&api);

    wait_all_objects(&api).await;
    let hc = hc_obj(&api).unwrap();
    assert_eq!(hc["metadata"]["finalizers"], json!([FINALIZER]));
    wait_for(10, "PlatformCredentialsFound=True", || {
        (condition(&hc_obj(&api)?, "PlatformCredentialsFound")?.0 == "True").then_some(())
    })
    .await;

    // Creation order as the API saw it: namespace, then the HostedControlPlane, then the rest in
    // `desired::build` order.
    let applies: Vec<String> = api
        .requests()
        .iter()
        .filter(|r| r.is_apply())
        .map(|r| r.path.clone())
        .collect();
    let want = expected();
    let first_paths: Vec<usize> = want
        .iter()
        .map(|o| {
            applies
                .iter()
                .position(|p| p.ends_with(&format!("/{}/{}", o.resource.plural, o.name())))
                .unwrap_or_else(|| panic!("{} never applied", o.display_name()))
        })
        .collect();
    assert!(
        first_paths.windows(2).all(|w| w[0] < w[1]),
        "first applies out of order: {first_paths:?}"
    );
    for r in api.requests().iter().filter(|r| r.is_apply()) {
        assert_eq!(r.field_manager.as_deref(), Some("hosted-cluster-operator"));
        assert!(r.force, "{}", r.path);
    }

    // The control plane comes up (an external controller's job; simulated here), and the
    // platform's provider reports its infrastructure ready.
    let hcp = want.iter().find(|o| o.role == Role::ControlPlane).unwrap();
    api.set_status(
        &resource_name(hcp),
        hcp.namespace(),
        hcp.name(),
        json!({"ready": true, "initialized": true, "controlPlaneEndpoint": {"host": "api.example.com", "port": 6443}}),
    )
    .unwrap();
    let infra = want.iter().find(|o| o.role == Role::InfraCluster).unwrap();
    api.set_status(
        &resource_name(infra),
        infra.namespace(),
        infra.name(),
        json!({"ready": true}),
    )
    .unwrap();
    wait_for(10, "the endpoint in the infrastructure object", || {
        (live(&api, infra)?.pointer("/spec/controlPlaneEndpoint/host")? == "api.example.com")
            .then_some(())
    })
    .await;
    // The infra status was set after the last reconcile may have read it; the poll picks it up.
    wait_for(10, "Available=True", || {
        (condition(&hc_obj(&api)?, "Available")? == ("True".into(), "AsExpected".into()))
            .then_some(())
    })
    .await;
    assert_eq!(
        hc_obj(&api).unwrap()["status"]["controlPlaneEndpoint"]["port"],
        6443
    );

    // Resync with nothing changed must write nothing. Trigger one by touching the credentials
    // Secret (mapped to the cluster) and wait for the reconcile it causes.
    tokio::time::sleep(Duration::from_millis(300)).await;
    api.clear_requests();
    let before = op.metrics.reconciles_total();
    api.update_with(
        "secrets",
        Some("clusters"),
        &support::credentials().metadata.name.unwrap(),
        |s| {
            s["metadata"]["annotations"] = json!({"touched": "yes"});
        },
    )
    .unwrap();
    op.reconciled_after(before).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reads: Vec<String> = api
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && !r.is_watch())
        .map(|r| r.path.clone())
        .collect();
    assert!(
        reads.is_empty(),
        "a resync read from the API, not the caches: {reads:#?}"
    );
    let writes: Vec<String> = api
        .requests()
        .iter()
        .filter(|r| r.is_write())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(writes.is_empty(), "resync wrote: {writes:#?}");

    // Delete: ordered teardown, then the finalizer goes and the HostedCluster with it.
    api.clear_requests();
    api.delete(HC, Some("clusters"), &hc_name()).unwrap();
    wait_for(20, "HostedCluster gone", || {
        hc_obj(&api).is_none().then_some(())
    })
    .await;
    let deletes: Vec<String> = api
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE")
        .map(|r| r.path.clone())
        .collect();
    if std::env::var("DEBUG_FLOW").is_ok() {
        for r in api.requests().iter().filter(|r| !r.is_watch()) {
            eprintln!("{} {} {:?}", r.method, r.path, r.query);
        }
    }
    let pos = |needle: &str| {
        deletes
            .iter()
            .position(|p| p.contains(needle))
            .unwrap_or_else(|| panic!("no DELETE of {needle}: {deletes:#?}"))
    };
    let cp = support::hosted_cluster().control_plane_namespace();
    let order = [
        pos("/nodepools/"),
        pos("/machinedeployments/"),
        pos(&format!("/namespaces/{cp}/clusters/")),
        pos(&format!("/namespaces/{cp}/secrets/")),
        deletes
            .iter()
            .position(|p| {
                *p == format!(
                    "/api/v1/namespaces/{}",
                    support::hosted_cluster().control_plane_namespace()
                )
            })
            .expect("the control-plane namespace is deleted"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{deletes:#?}");
    // Cluster-scoped RBAC has no owner and is not in the namespace: deleted by label, before
    // the namespace, and nothing of it is left.
    let cluster_rbac = pos("/clusterroles/hosted-cluster-capi-provider-");
    assert!(cluster_rbac < order[4], "{deletes:#?}");
    pos("/clusterrolebindings/hosted-cluster-capi-provider-");
    for plural in ["clusterroles", "clusterrolebindings"] {
        let left: Vec<Value> = api
            .objects(plural)
            .into_iter()
            .filter(|o| o["metadata"]["labels"]["hypershift.openshift.io/cluster"] == hc_name())
            .collect();
        assert!(left.is_empty(), "{plural} left behind: {left:#?}");
    }
    assert!(
        api.get(
            NP,
            Some("clusters"),
            &support::node_pool().metadata.name.unwrap()
        )
        .is_none()
    );
    let events = op.events.lock().unwrap().clone();
    assert!(events.iter().any(|e| e.reason == "Applied"));
    assert!(events.iter().any(|e| e.reason == "Deleted"));
    op.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_recover_when_the_secret_appears() {
    let api = server();
    create_cluster(&api, None);
    let op = run(&api);
    wait_for(10, "PlatformCredentialsNotFound", || {
        (condition(&hc_obj(&api)?, "PlatformCredentialsFound")?
            == ("False".into(), "PlatformCredentialsNotFound".into()))
            .then_some(())
    })
    .await;
    let applied = api.requests().iter().filter(|r| r.is_apply()).count();
    assert_eq!(applied, 0, "nothing is applied without credentials");

    create_secret(&api);
    wait_all_objects(&api).await;
    wait_for(10, "PlatformCredentialsFound=True", || {
        (condition(&hc_obj(&api)?, "PlatformCredentialsFound")?.0 == "True").then_some(())
    })
    .await;
    op.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_platform_is_a_condition_without_a_hot_loop() {
    let api = server();
    create_cluster(&api, Some("NoSuchPlatform"));
    let op = run(&api);
    wait_for(10, "UnknownPlatform", || {
        (condition(&hc_obj(&api)?, "ValidConfiguration")?.1 == "UnknownPlatform").then_some(())
    })
    .await;
    // Let the status write's own watch event settle, then count over a window.
    tokio::time::sleep(Duration::from_millis(300)).await;
    api.clear_requests();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let reqs: Vec<String> = api
        .requests()
        .iter()
        .filter(|r| !r.is_watch())
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        reqs.is_empty(),
        "requests while waiting for a change: {reqs:#?}"
    );
    op.stop().await;
}

/// A stop (crash) mid-way and failing API calls: a new operator process picks up where the old
/// one left off, on create and on delete, because every step starts from the live state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarts_and_api_failures_converge() {
    let api = server();
    create_secret(&api);
    let cp = support::hosted_cluster().control_plane_namespace();
    // The first apply into the control-plane namespace fails twice: the error policy retries.
    api.fail_next(
        "PATCH",
        &format!("/api/v1/namespaces/{cp}/secrets/"),
        500,
        2,
    );
    create_cluster(&api, None);
    let op = run(&api);
    // Stop as soon as the namespace exists: part of the cluster is applied, part is not.
    wait_for(20, "the control-plane namespace", || {
        api.get("namespaces", None, &cp).map(|_| ())
    })
    .await;
    op.stop().await;

    let op = run(&api);
    wait_all_objects(&api).await;
    let errors = api
        .requests()
        .iter()
        .filter(|r| r.is_apply() && r.path.contains(&format!("/namespaces/{cp}/secrets/")))
        .count();
    assert!(
        errors >= 3,
        "two failed applies and a successful one, got {errors}"
    );
    op.stop().await;

    // Delete while no operator runs, start one that crashes after the first teardown step
    // (the NodePool is gone), then a last one that finishes.
    api.delete(HC, Some("clusters"), &hc_name()).unwrap();
    assert!(hc_obj(&api).is_some(), "held by the finalizer");
    // Deleting the CAPI Cluster fails twice, whichever operator gets there first.
    api.fail_next(
        "DELETE",
        // The operator deletes in the version the server serves newest (v1beta2 here).
        &format!("/apis/cluster.x-k8s.io/v1beta2/namespaces/{cp}/clusters/"),
        500,
        2,
    );
    let op = run(&api);
    wait_for(20, "NodePool deleted", || {
        api.get(
            NP,
            Some("clusters"),
            &support::node_pool().metadata.name.unwrap(),
        )
        .is_none()
        .then_some(())
    })
    .await;
    op.stop().await;
    let op = run(&api);
    wait_for(20, "HostedCluster gone", || {
        hc_obj(&api).is_none().then_some(())
    })
    .await;
    let cluster_deletes = api
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" && r.path.contains(&format!("/namespaces/{cp}/clusters/")))
        .count();
    assert!(cluster_deletes >= 3, "{cluster_deletes}");
    assert!(
        api.get("namespaces", None, &cp)
            .is_none_or(|n| n["metadata"]["deletionTimestamp"].is_string()),
        "the control-plane namespace is deleted"
    );
    let warnings: Vec<String> = op
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.warning)
        .map(|e| e.reason.clone())
        .collect();
    assert!(warnings.iter().any(|r| r == "DeleteFailed"), "{warnings:?}");
    op.stop().await;
}

/// Deletion of a cluster whose platform this operator does not link: not a silent skip of the
/// platform's cleanup but a Warning Event and `Degraded=True`, and the finalizer stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_with_an_unknown_platform_is_a_condition_and_an_event() {
    let api = server();
    create_cluster(&api, Some("NoSuchPlatform"));
    let op = run(&api);
    wait_for(10, "the finalizer", || {
        (hc_obj(&api)?["metadata"]["finalizers"] == json!([FINALIZER])).then_some(())
    })
    .await;
    api.delete(HC, Some("clusters"), &hc_name()).unwrap();
    // Generous: on a loaded 2-core CI machine one pass took over 10 s once.
    wait_for(30, "Degraded=True", || {
        let (status, reason) = condition(&hc_obj(&api)?, "Degraded")?;
        (status == "True" && reason == "UnknownPlatform").then_some(())
    })
    .await;
    // The Event is recorded after the status write: under load it may trail the condition.
    wait_for(5, "a Warning Event", || {
        op.events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.warning && e.reason == "UnknownPlatform")
            .then_some(())
    })
    .await;
    assert!(hc_obj(&api).is_some(), "the finalizer is held");
    op.stop().await;
}

/// `hypershift.openshift.io/skip-namespace-deletion`: the namespace stays, everything we put in
/// it goes (found by label, kind by kind from the list the operator recorded on the namespace).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_namespace_deletion_keeps_the_namespace_only() {
    let api = server();
    create_secret(&api);
    create_cluster_with(
        &api,
        None,
        json!({ hosted_cluster_operator::names::SKIP_NAMESPACE_DELETION_ANNOTATION: "true" }),
    );
    let op = run(&api);
    wait_all_objects(&api).await;
    api.delete(HC, Some("clusters"), &hc_name()).unwrap();
    wait_for(20, "HostedCluster gone", || {
        hc_obj(&api).is_none().then_some(())
    })
    .await;
    let cp = support::hosted_cluster().control_plane_namespace();
    let ns = api.get("namespaces", None, &cp).expect("namespace kept");
    assert!(ns["metadata"]["deletionTimestamp"].is_null());
    let recorded = ns["metadata"]["annotations"]
        [hosted_cluster_operator::names::APPLIED_KINDS_ANNOTATION]
        .as_str()
        .unwrap_or_default();
    assert!(
        recorded.contains("MachineDeployment.cluster.x-k8s.io"),
        "{recorded}"
    );
    let left: Vec<String> = expected()
        .iter()
        .filter(|o| o.role != Role::Namespace && live(&api, o).is_some())
        .map(|o| o.display_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    op.stop().await;
}

/// NodePool status follows its MachineDeployment through a watch: with polling an hour away,
/// a status change of the MachineDeployment still reaches the NodePool at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn machine_deployment_changes_reach_the_node_pool_without_polling() {
    let api = server();
    create_secret(&api);
    create_cluster(&api, None);
    let op = fake::run_polling_every(&api, Duration::from_secs(3600));
    wait_all_objects(&api).await;
    let md = expected()
        .into_iter()
        .find(|o| o.kind() == "MachineDeployment")
        .unwrap();
    let pool = support::node_pool().metadata.name.unwrap();
    api.set_status(
        &resource_name(&md),
        md.namespace(),
        md.name(),
        json!({"replicas": 2, "readyReplicas": 2, "availableReplicas": 2}),
    )
    .unwrap();
    wait_for(5, "NodePool status.replicas = 2", || {
        (api.get(NP, Some("clusters"), &pool)?
            .pointer("/status/replicas")?
            .as_i64()?
            == 2)
            .then_some(())
    })
    .await;
    op.stop().await;
}
