//! The loop guard against a server that keeps normalising what we write. kube-fake stores CAPI
//! v1.13's Clusters in v1beta2 and prunes a v1beta1 write to that schema, as a real API server
//! does: the refs lose `apiVersion` and `namespace`. An operator forced to write v1beta1 there
//! (`--capi-version v1beta1`) must converge and stay quiet. Within one process the records of
//! what the server returned already prevent the loop; after a restart they are gone, so the
//! first resync re-applies, the server changes nothing, and the guard must say once which
//! fields the server does not keep and then never write them again.

#[path = "support/fake.rs"]
mod fake;
mod support;

use fake::{run_with, server, wait_for, with_kind};
use hosted_cluster_operator::runtime::controller::Options;
use platform_api::desired::capi::CapiVersion;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_guard_stops_reapplying_what_the_server_prunes() {
    let api = server(); // CAPI v1.13.4 CRDs: v1beta2 stored
    api.create(
        "secrets",
        with_kind(
            serde_json::to_value(support::credentials()).unwrap(),
            "v1",
            "Secret",
        ),
    )
    .unwrap();
    let hc = support::hosted_cluster();
    api.create(
        "hostedclusters",
        with_kind(
            serde_json::to_value(&hc).unwrap(),
            "hypershift.openshift.io/v1beta1",
            "HostedCluster",
        ),
    )
    .unwrap();
    let np = support::node_pool();
    api.create(
        "nodepools",
        with_kind(
            serde_json::to_value(&np).unwrap(),
            "hypershift.openshift.io/v1beta1",
            "NodePool",
        ),
    )
    .unwrap();
    let options = Options {
        capi_override: Some(CapiVersion::V1Beta1),
        ..Options::default()
    };
    let op = run_with(&api, Duration::from_millis(100), options.clone());
    let cp = hc.control_plane_namespace();
    let cluster = hc.infra_id();
    let stored = wait_for(20, "the CAPI Cluster", || {
        api.get("clusters.cluster.x-k8s.io", Some(&cp), &cluster)
    })
    .await;
    // What the server kept: the v1beta2 shape, whatever version we wrote.
    assert!(
        stored["spec"]["controlPlaneRef"]
            .get("apiVersion")
            .is_none()
    );

    // Converged and quiet within one process: the record of what the server returned is what
    // drift is measured against.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    api.clear_requests();
    let before = op.metrics.reconciles_total();
    api.update_with(
        "secrets",
        Some("clusters"),
        &support::credentials().metadata.name.unwrap(),
        |s| s["metadata"]["annotations"] = serde_json::json!({ "touched": "first" }),
    )
    .unwrap();
    op.reconciled_after(before).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !api.requests()
            .iter()
            .any(|r| r.is_write() && r.path.contains("/cluster.x-k8s.io/")),
        "a resync re-applied a CAPI object"
    );
    op.stop().await;

    // A restart: no records. The first pass re-applies what looks drifted; the guard fires.
    let op = run_with(&api, Duration::from_millis(100), options);
    // The guard names the object and the fields, once per object.
    let warning = wait_for(20, "a ServerNormalizes Warning", || {
        op.events
            .lock()
            .unwrap()
            .iter()
            .find(|e| e.warning && e.reason == "ServerNormalizes" && e.note.contains("Cluster "))
            .cloned()
    })
    .await;
    assert!(
        warning.note.contains("spec.controlPlaneRef.apiVersion")
            && warning.note.contains("spec.controlPlaneRef.namespace"),
        "{}",
        warning.note
    );
    assert!(
        op.metrics
            .encode()
            .contains("field=\"spec.controlPlaneRef.apiVersion\""),
        "{}",
        op.metrics.encode()
    );

    // Then quiet: let it settle, trigger reconciles, and count writes of CAPI objects.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    api.clear_requests();
    for i in 0..3 {
        let before = op.metrics.reconciles_total();
        api.update_with(
            "secrets",
            Some("clusters"),
            &support::credentials().metadata.name.unwrap(),
            |s| s["metadata"]["annotations"] = serde_json::json!({ "touched": i.to_string() }),
        )
        .unwrap();
        op.reconciled_after(before).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let capi_writes: Vec<String> = api
        .requests()
        .iter()
        .filter(|r| r.is_write() && r.path.contains("/cluster.x-k8s.io/"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        capi_writes.is_empty(),
        "re-applied after the guard: {capi_writes:#?}"
    );
    let warnings = op
        .events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.reason == "ServerNormalizes" && e.note.contains("Cluster "))
        .count();
    assert!(
        warnings <= 2,
        "one Warning per normalised object, got {warnings}"
    );
    op.stop().await;
}
