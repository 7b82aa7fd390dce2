//! The ClusterRole from `install` allows every request a reconcile makes (checked request by
//! request on the tower-test mock), so least privilege is not paid for with a broken operator.

#[path = "support/fake.rs"]
mod fake;
mod support;

use hosted_cluster_operator::Context;
use hosted_cluster_operator::events::Events;
use hosted_cluster_operator::install::cluster_role_rules;
use hosted_cluster_operator::names::FINALIZER;
use hosted_cluster_operator::reconcile::cluster;
use k8s_openapi::api::rbac::v1::PolicyRule;
use platform_api::platform::PlatformSettings;
use serde_json::json;
use support::mock::{Mock, Recorded};

/// `(verb, group, resource)` of a request, the way RBAC sees it; discovery paths (`/api`,
/// `/apis`, `/apis/<group>[/<version>]`) are non-resource URLs every client may read.
fn attributes(r: &Recorded) -> Vec<(String, String, String)> {
    let segs: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
    let discovery = match segs[0] {
        "api" => segs.len() <= 2,
        "apis" => segs.len() <= 3,
        _ => true,
    };
    if discovery {
        return Vec::new();
    }
    let (group, rest) = if segs[0] == "api" {
        ("", &segs[2..])
    } else {
        (segs[1], &segs[3..])
    };
    // namespaces/{ns}/{plural}[/{name}[/{sub}]] or {plural}[/{name}]
    let (resource, name, sub) = if rest[0] == "namespaces" && rest.len() >= 3 {
        (rest[2], rest.get(3), rest.get(4))
    } else {
        (rest[0], rest.get(1), rest.get(2))
    };
    let resource = match sub {
        Some(s) => format!("{resource}/{s}"),
        None => resource.to_string(),
    };
    let verbs: Vec<&str> = match (r.method.as_str(), name) {
        ("GET", None) if r.query.contains("watch=true") || r.query.contains("watch=1") => {
            vec!["watch"]
        }
        ("GET", None) => vec!["list"],
        ("GET", Some(_)) => vec!["get"],
        // Server-side apply may create.
        ("PATCH", _) if r.content_type.starts_with("application/apply-patch") => {
            vec!["patch", "create"]
        }
        ("PATCH", _) => vec!["patch"],
        ("DELETE", _) => vec!["delete"],
        ("POST", _) => vec!["create"],
        (m, _) => panic!("unexpected method {m}"),
    };
    verbs
        .into_iter()
        .map(|v| (v.to_string(), group.to_string(), resource.clone()))
        .collect()
}

/// Every request attribute the rules do not allow, as `METHOD path -> (verb, group, resource)`.
fn denied(rules: &[PolicyRule], requests: &[Recorded]) -> Vec<String> {
    requests
        .iter()
        .flat_map(|r| attributes(r).into_iter().map(move |a| (r, a)))
        .filter(|(_, a)| !allowed(rules, a))
        .map(|(r, a)| format!("{} {} -> {a:?}", r.method, r.path))
        .collect()
}

fn allowed(rules: &[PolicyRule], (verb, group, resource): &(String, String, String)) -> bool {
    let has = |list: &Option<Vec<String>>, v: &str| {
        list.as_ref()
            .is_some_and(|l| l.iter().any(|x| x == v || x == "*"))
    };
    rules.iter().any(|r| {
        r.verbs.iter().any(|v| v == verb || v == "*")
            && has(&r.api_groups, group)
            && has(&r.resources, resource)
    })
}

#[tokio::test]
async fn cluster_role_covers_every_reconcile_request() {
    support::install_crypto();
    let mock = Mock::default();
    let hc = support::hosted_cluster();
    let np = support::node_pool();
    let secret = support::credentials();
    let hc_path = format!(
        "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/hostedclusters/{}",
        hc.metadata.name.as_deref().unwrap()
    );
    let mut v = serde_json::to_value(&hc).unwrap();
    v["metadata"]["finalizers"] = json!([FINALIZER]);
    mock.seed(&hc_path, v);
    mock.seed(
        &format!(
            "/apis/hypershift.openshift.io/v1beta1/namespaces/clusters/nodepools/{}",
            np.metadata.name.as_deref().unwrap()
        ),
        serde_json::to_value(&np).unwrap(),
    );
    mock.seed(
        &format!(
            "/api/v1/namespaces/clusters/secrets/{}",
            secret.metadata.name.as_deref().unwrap()
        ),
        serde_json::to_value(&secret).unwrap(),
    );
    let mut ctx = Context::new(
        mock.client(),
        PlatformSettings::default(),
        Events::Off,
        support::caches_of(mock.objects()),
    );
    cluster::run(&hc, &ctx).await.unwrap();
    let hc = serde_json::from_value(mock.get(&hc_path).unwrap()).unwrap();
    ctx.caches = support::caches_of(mock.objects());
    cluster::run(&hc, &ctx).await.unwrap();

    let rules = cluster_role_rules(platform_api::registry().unwrap());
    let requests = mock.take_requests();
    assert!(requests.len() > 10, "{requests:#?}");
    let denied = denied(&rules, &requests);
    assert!(
        denied.is_empty(),
        "not allowed by the ClusterRole:\n{}",
        denied.join("\n")
    );
}

/// Create, resync and delete (namespace deleted, and kept) with the real Controller against
/// kube-fake, including the watches, the finalizer patches and discovery.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_role_covers_a_whole_lifecycle() {
    use hosted_cluster_operator::names::SKIP_NAMESPACE_DELETION_ANNOTATION;
    let rules = cluster_role_rules(platform_api::registry().unwrap());
    for skip_namespace in [false, true] {
        let api = fake::server();
        let secret = support::credentials();
        api.create(
            "secrets",
            fake::with_kind(serde_json::to_value(&secret).unwrap(), "v1", "Secret"),
        )
        .unwrap();
        api.create(
            "namespaces",
            support::control_plane_namespace(&support::hosted_cluster()),
        )
        .unwrap();
        api.create(
            "secrets",
            support::ignition_ca_secret(&support::hosted_cluster()),
        )
        .unwrap();
        let hc = support::hosted_cluster();
        let mut v = fake::with_kind(
            serde_json::to_value(&hc).unwrap(),
            "hypershift.openshift.io/v1beta1",
            "HostedCluster",
        );
        if skip_namespace {
            v["metadata"]["annotations"] = json!({ SKIP_NAMESPACE_DELETION_ANNOTATION: "true" });
        }
        api.create("hostedclusters", v).unwrap();
        let np = support::node_pool();
        api.create(
            "nodepools",
            fake::with_kind(
                serde_json::to_value(&np).unwrap(),
                "hypershift.openshift.io/v1beta1",
                "NodePool",
            ),
        )
        .unwrap();
        let op = fake::run(&api);
        let name = hc.metadata.name.clone().unwrap();
        let cp = hc.control_plane_namespace();
        fake::wait_for(20, "the MachineDeployment", || {
            api.get(
                "machinedeployments.cluster.x-k8s.io",
                Some(&cp),
                np.metadata.name.as_deref().unwrap(),
            )
        })
        .await;
        api.delete("hostedclusters", Some("clusters"), &name)
            .unwrap();
        fake::wait_for(20, "HostedCluster gone", || {
            api.get("hostedclusters", Some("clusters"), &name)
                .is_none()
                .then_some(())
        })
        .await;
        op.stop().await;

        let requests: Vec<Recorded> = api
            .requests()
            .into_iter()
            .map(|r| Recorded {
                method: r.method.clone(),
                path: r.path.clone(),
                query: r
                    .query
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("&"),
                content_type: r.content_type.clone().unwrap_or_default(),
                body: None,
            })
            .collect();
        let verbs: std::collections::BTreeSet<String> = requests
            .iter()
            .flat_map(attributes)
            .map(|(v, _, _)| v)
            .collect();
        for v in ["watch", "list", "patch", "create", "delete"] {
            assert!(verbs.contains(v), "no {v} request checked: {verbs:?}");
        }
        let denied = denied(&rules, &requests);
        assert!(
            denied.is_empty(),
            "skip_namespace={skip_namespace}: not allowed by the ClusterRole:\n{}",
            denied.join("\n")
        );
    }
}
