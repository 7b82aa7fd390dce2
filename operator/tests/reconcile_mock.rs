//! Reconcile against kube's tower-test mock, asserting the exact requests: no reads (every input
//! comes from the caches, here filled from the mock's objects as a watch would), server-side
//! applies in creation order (each with our field manager and force), status written once; and
//! a second reconcile of the unchanged cluster makes no request at all.

mod support;

use hosted_cluster_operator::Context;
use hosted_cluster_operator::events::Events;
use hosted_cluster_operator::names::{FIELD_MANAGER, FINALIZER};
use hosted_cluster_operator::reconcile::cluster;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::desired::{self};
use platform_api::platform::PlatformSettings;
use serde_json::{Value, json};
use support::mock::{Mock, Recorded};

fn paths() -> (String, String, String) {
    let hc = support::hosted_cluster();
    let np = support::node_pool();
    let secret = support::credentials();
    let hc_path = format!(
        "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/hostedclusters/{}",
        hc.metadata.name.unwrap()
    );
    let np_path = format!(
        "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools/{}",
        np.metadata.name.unwrap()
    );
    let secret_path = format!(
        "/api/v1/namespaces/clusters/secrets/{}",
        secret.metadata.name.unwrap()
    );
    (hc_path, np_path, secret_path)
}

fn seeded(with_secret: bool) -> Mock {
    let mock = Mock::default();
    let (hc_path, np_path, secret_path) = paths();
    let mut hc = serde_json::to_value(support::hosted_cluster()).unwrap();
    hc["apiVersion"] = "hypershift.openshift.io/v1beta1".into();
    hc["kind"] = "HostedCluster".into();
    hc["metadata"]["finalizers"] = json!([FINALIZER]);
    hc["metadata"]["generation"] = json!(1);
    hc["metadata"]["uid"] = json!("hc-uid");
    mock.seed(&hc_path, hc);
    let mut np = serde_json::to_value(support::node_pool()).unwrap();
    np["apiVersion"] = "hypershift.openshift.io/v1beta1".into();
    np["kind"] = "NodePool".into();
    mock.seed(&np_path, np);
    let ca = support::ignition_ca_secret(&support::hosted_cluster());
    mock.seed(
        &format!(
            "/api/v1/namespaces/{}/secrets/{}",
            ca["metadata"]["namespace"].as_str().unwrap(),
            ca["metadata"]["name"].as_str().unwrap()
        ),
        ca,
    );
    if with_secret {
        let mut s = serde_json::to_value(support::credentials()).unwrap();
        s["apiVersion"] = "v1".into();
        s["kind"] = "Secret".into();
        mock.seed(&secret_path, s);
    }
    mock
}

fn context(mock: &Mock) -> Context {
    support::install_crypto();
    Context::new(
        mock.client(),
        PlatformSettings::default(),
        Events::Off,
        support::caches_of(mock.objects()),
    )
}

/// One reconcile, after the caches caught up with the mock (as the watches would).
async fn run(mock: &Mock, ctx: &mut Context) -> cluster::Report {
    ctx.caches = support::caches_of(mock.objects());
    cluster::run(&current_hc(mock), ctx).await.unwrap()
}

fn current_hc(mock: &Mock) -> HostedCluster {
    serde_json::from_value(mock.get(&paths().0).unwrap()).unwrap()
}

/// Where the API server serves a desired object.
fn object_path(obj: &desired::DesiredObject) -> String {
    let base = if obj.resource.group.is_empty() {
        format!("/api/{}", obj.resource.version)
    } else {
        format!("/apis/{}/{}", obj.resource.group, obj.resource.version)
    };
    match obj.namespace() {
        Some(ns) => format!(
            "{base}/namespaces/{ns}/{}/{}",
            obj.resource.plural,
            obj.name()
        ),
        None => format!("{base}/{}/{}", obj.resource.plural, obj.name()),
    }
}

/// The creation order `desired::build` gives (the same function the operator calls).
fn expected_apply_paths() -> Vec<String> {
    support::expected_objects(
        &support::hosted_cluster(),
        &support::node_pool(),
        &support::credentials(),
    )
    .iter()
    .map(object_path)
    .collect()
}

/// The HostedCluster's condition of `type_` as the mock stores it now.
fn condition(mock: &Mock, type_: &str) -> Condition {
    current_hc(mock)
        .status
        .unwrap()
        .conditions
        .into_iter()
        .find(|c| c.type_ == type_)
        .unwrap_or_else(|| panic!("no {type_} condition"))
}

fn writes(reqs: &[Recorded]) -> Vec<&Recorded> {
    reqs.iter().filter(|r| r.is_write()).collect()
}

#[tokio::test]
async fn first_reconcile_applies_in_order_then_resync_writes_nothing() {
    let mock = seeded(true);
    let mut ctx = context(&mock);
    let (_, np_path, _) = paths();

    let report = run(&mock, &mut ctx).await;
    let reqs = mock.take_requests();

    // Every input came from the caches: not one read.
    let reads: Vec<&str> = reqs
        .iter()
        .filter(|r| !r.is_write())
        .map(|r| r.path.as_str())
        .collect();
    assert!(reads.is_empty(), "{reads:#?}");

    let w = writes(&reqs);
    let applies: Vec<&Recorded> = w
        .iter()
        .copied()
        .filter(|r| r.content_type.starts_with("application/apply-patch"))
        .collect();
    let applied_paths: Vec<String> = applies.iter().map(|r| r.path.clone()).collect();
    assert_eq!(applied_paths, expected_apply_paths(), "creation order");
    for r in &applies {
        assert_eq!(r.method, "PATCH");
        assert!(
            r.query.contains(&format!("fieldManager={FIELD_MANAGER}"))
                && r.query.contains("force=true"),
            "{} {}",
            r.path,
            r.query
        );
        let ann = &r.body.as_ref().unwrap()["metadata"]["annotations"];
        assert!(
            ann["hypershift.openshift.io/desired-hash"].is_string(),
            "{}",
            r.path
        );
    }
    // Objects in the control-plane namespace (except the HostedControlPlane itself) are owned
    // by the HostedControlPlane, whose uid came back from its apply.
    let hcp_uid = applies[1]
        .body
        .as_ref()
        .map(|_| mock.get(&applies[1].path).unwrap()["metadata"]["uid"].clone());
    // Cluster-scoped objects (the provider's ClusterRole and binding) cannot have a namespaced
    // owner: they go by label on teardown.
    for r in applies[2..]
        .iter()
        .filter(|r| r.path.contains("/namespaces/"))
    {
        let owners = &r.body.as_ref().unwrap()["metadata"]["ownerReferences"];
        assert_eq!(owners[0]["kind"], "HostedControlPlane", "{}", r.path);
        assert_eq!(Some(owners[0]["uid"].clone()), hcp_uid, "{}", r.path);
    }
    // Then the statuses: HostedCluster and NodePool, merge patches on /status.
    let status_writes: Vec<String> = w
        .iter()
        .filter(|r| r.path.ends_with("/status"))
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        status_writes,
        vec![format!("{np_path}/status"), format!("{}/status", paths().0)]
    );
    assert_eq!(w.len(), applies.len() + 2, "no other writes");
    assert_eq!(report.applied.len(), applies.len());
    let hc = current_hc(&mock);
    let conds = &hc.status.as_ref().unwrap().conditions;
    let creds = conds
        .iter()
        .find(|c| c.type_ == "PlatformCredentialsFound")
        .unwrap();
    assert_eq!(creds.status, "True");
    assert!(conds.iter().all(|c| c.observed_generation == Some(1)));

    // Resync of the unchanged cluster: no request at all.
    let report = run(&mock, &mut ctx).await;
    let reqs = mock.take_requests();
    assert!(
        writes(&reqs).is_empty(),
        "a no-op resync wrote: {:#?}",
        writes(&reqs)
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect::<Vec<_>>()
    );
    assert!(report.applied.is_empty() && report.pruned.is_empty() && !report.status_written);
    assert!(reqs.is_empty(), "{reqs:#?}");
}

#[tokio::test]
async fn changed_node_pool_reapplies_only_what_changed() {
    let mock = seeded(true);
    let mut ctx = context(&mock);
    let (_, np_path, _) = paths();
    run(&mock, &mut ctx).await;
    mock.take_requests();

    let mut np: Value = mock.get(&np_path).unwrap();
    np["spec"]["replicas"] = json!(7);
    mock.seed(&np_path, np);
    run(&mock, &mut ctx).await;
    let reqs = mock.take_requests();
    let applied: Vec<String> = writes(&reqs)
        .iter()
        .filter(|r| r.content_type.starts_with("application/apply-patch"))
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(applied.len(), 1, "{applied:?}");
    assert!(applied[0].contains("/machinedeployments/"), "{applied:?}");
    let np: NodePool = serde_json::from_value(mock.get(&np_path).unwrap()).unwrap();
    assert_eq!(np.spec.replicas, Some(7));
}

#[tokio::test]
async fn missing_credentials_write_only_the_condition() {
    let mock = seeded(false);
    let mut ctx = context(&mock);
    let report = run(&mock, &mut ctx).await;
    let reqs = mock.take_requests();
    let w = writes(&reqs);
    assert_eq!(w.len(), 1, "only the status: {w:#?}");
    assert_eq!(w[0].path, format!("{}/status", paths().0));
    assert!(report.applied.is_empty());
    let c = condition(&mock, "PlatformCredentialsFound");
    assert_eq!(c.reason, "PlatformCredentialsNotFound");
    assert!(
        c.message
            .contains(&support::credentials().metadata.name.unwrap())
    );

    // Nothing changed: the next pass does not even rewrite the condition.
    run(&mock, &mut ctx).await;
    assert!(writes(&mock.take_requests()).is_empty());
}

#[tokio::test]
async fn unknown_platform_sets_a_condition_once_and_reads_nothing_else() {
    let mock = seeded(true);
    let mut hc: Value = mock.get(&paths().0).unwrap();
    hc["spec"]["platform"]["type"] = json!("NoSuchPlatform");
    mock.seed(&paths().0, hc);
    let mut ctx = context(&mock);
    run(&mock, &mut ctx).await;
    let reqs = mock.take_requests();
    assert_eq!(reqs.len(), 1, "{reqs:#?}");
    assert_eq!(reqs[0].path, format!("{}/status", paths().0));
    let c = condition(&mock, "ValidConfiguration");
    assert_eq!(c.reason, "UnknownPlatform");
    assert!(c.message.contains("NoSuchPlatform"), "{}", c.message);

    run(&mock, &mut ctx).await;
    assert!(
        mock.take_requests().is_empty(),
        "no request at all on the second pass"
    );
}

#[tokio::test]
async fn invalid_node_pool_is_a_condition_and_the_cluster_still_applies() {
    let mock = seeded(true);
    let (_, np_path, _) = paths();
    let mut np: Value = mock.get(&np_path).unwrap();
    // Break the pool's platform section (its image), whatever the platform's key is.
    let platform = np["spec"]["platform"].as_object_mut().unwrap();
    let key = platform.keys().find(|k| *k != "type").unwrap().clone();
    platform[&key]["image"] = json!("");
    mock.seed(&np_path, np);
    let mut ctx = context(&mock);
    let report = run(&mock, &mut ctx).await;
    let kinds: Vec<&str> = report.applied.iter().map(|k| k.kind.as_str()).collect();
    assert!(!kinds.contains(&"MachineDeployment"), "{kinds:?}");
    assert!(
        kinds.contains(&"Cluster"),
        "the cluster itself is still applied: {kinds:?}"
    );

    let np: NodePool = serde_json::from_value(mock.get(&np_path).unwrap()).unwrap();
    let c = np
        .status
        .unwrap()
        .conditions
        .into_iter()
        .find(|c| c.type_ == "ValidConfiguration")
        .unwrap();
    assert_eq!(
        (c.status.as_str(), c.reason.as_str()),
        ("False", "InvalidSpec")
    );
    assert!(c.message.contains("image"), "{}", c.message);
    let v = condition(&mock, "ValidConfiguration");
    assert_eq!(v.reason, "InvalidNodePool");
}

#[tokio::test]
async fn paused_cluster_only_says_so() {
    let mock = seeded(true);
    let mut hc: Value = mock.get(&paths().0).unwrap();
    hc["spec"]["pausedUntil"] = json!("true");
    mock.seed(&paths().0, hc);
    let mut ctx = context(&mock);
    let report = run(&mock, &mut ctx).await;
    let reqs = mock.take_requests();
    assert_eq!(reqs.len(), 1, "only the status write: {reqs:#?}");
    assert_eq!(reqs[0].path, format!("{}/status", paths().0));
    assert!(report.applied.is_empty());
    let c = condition(&mock, "ReconciliationActive");
    assert_eq!(
        (c.status.as_str(), c.reason.as_str()),
        ("False", "ReconciliationPaused")
    );
    run(&mock, &mut ctx).await;
    assert!(mock.take_requests().is_empty(), "no request while paused");

    // Unpaused: the cluster is built and ReconciliationActive flips back.
    let mut hc: Value = mock.get(&paths().0).unwrap();
    hc["spec"]["pausedUntil"] = json!("false");
    mock.seed(&paths().0, hc);
    let report = run(&mock, &mut ctx).await;
    assert!(!report.applied.is_empty());
    let c = condition(&mock, "ReconciliationActive");
    assert_eq!(c.status, "True");
}
