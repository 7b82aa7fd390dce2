//! `hosted-cluster create cluster maas` (without `--render`) and `destroy cluster maas` through the
//! real CLI code path, against kube-fake, starting from a cluster without the `clusters`
//! namespace (a dry run into a namespace that does not exist yet fails on a real apiserver).

use kube_fake::FakeApiServer;
use serde_json::Value;
use suite::{Run, acceptance_create_args, pull_secret_file, repo_root};

/// A fresh cluster with our CRDs installed (and no `clusters` namespace).
fn server() -> FakeApiServer {
    let api = FakeApiServer::new();
    install_crds(&api);
    api
}

fn install_crds(api: &FakeApiServer) {
    for file in [
        "hypershift.openshift.io_hostedclusters.yaml",
        "hypershift.openshift.io_nodepools.yaml",
    ] {
        let text = std::fs::read_to_string(repo_root().join("crds").join(file)).unwrap();
        api.register_crd_from_yaml(&text).unwrap();
    }
}

async fn cli(api: &FakeApiServer, args: &[String]) -> Run {
    hosted_cluster_cli::install_crypto_provider();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("hosted-cluster".to_string()).chain(args.iter().cloned());
    let code = hosted_cluster_cli::run_with_client(argv, api.client(), &mut out, &mut err).await;
    Run {
        code,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// `create cluster maas ...` as in the acceptance command line, but applied, not rendered.
fn create_args() -> Vec<String> {
    acceptance_create_args(&pull_secret_file())
        .into_iter()
        .filter(|a| a != "--render")
        .collect()
}

fn names_in(api: &FakeApiServer, resource: &str, ns: &str) -> Vec<String> {
    api.objects(resource)
        .iter()
        .filter(|o| o["metadata"]["namespace"] == ns)
        .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn create_on_a_fresh_cluster_then_destroy_leaves_nothing_behind() {
    let api = server();
    assert!(api.get("namespaces", None, "clusters").is_none());

    let run = cli(&api, &create_args()).await;
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let ns: Value = api
        .get("namespaces", None, "clusters")
        .expect("namespace created");
    assert_eq!(ns["status"]["phase"], "Active");
    assert_eq!(names_in(&api, "hostedclusters", "clusters"), ["demo"]);
    let pools = names_in(&api, "nodepools", "clusters");
    assert_eq!(pools.len(), 1, "{pools:?}");
    let secrets = names_in(&api, "secrets", "clusters");
    assert!(
        secrets.contains(&"demo-pull-secret".to_string())
            && secrets.contains(&"demo-maas-credentials".to_string()),
        "{secrets:?}"
    );
    assert!(
        run.stdout.lines().next() == Some("Namespace clusters created"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("HostedCluster clusters/demo created"));

    // Nothing runs the operator here, so nothing puts a finalizer on the HostedCluster: `--wait`
    // sees it gone at once (with the operator, it waits for the operator to release it).
    let destroy: Vec<String> = [
        "destroy",
        "cluster",
        "maas",
        "--name",
        "demo",
        "--wait",
        "--timeout",
        "30s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let run = cli(&api, &destroy).await;
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.contains("HostedCluster clusters/demo is gone"),
        "{}",
        run.stdout
    );
    assert!(names_in(&api, "hostedclusters", "clusters").is_empty());
    assert!(names_in(&api, "nodepools", "clusters").is_empty());
    assert!(
        names_in(&api, "secrets", "clusters").is_empty(),
        "{:?}",
        names_in(&api, "secrets", "clusters")
    );
    // `destroy` never deletes the namespace (it may hold other clusters); create made it.
    assert!(api.get("namespaces", None, "clusters").is_some());

    // A second create into the now existing namespace works as well.
    let run = cli(&api, &create_args()).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Namespace clusters configured"));
}

#[tokio::test]
async fn a_rejected_dry_run_removes_the_namespace_it_created() {
    // No HostedCluster CRD: the dry run of the HostedCluster answers 404 after the namespace
    // was created for the dry runs.
    let api = FakeApiServer::new();
    let run = cli(&api, &create_args()).await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr
            .contains("HostedCluster clusters/demo was rejected (nothing was changed)"),
        "{}",
        run.stderr
    );
    assert!(
        api.get("namespaces", None, "clusters").is_none(),
        "the namespace created for the dry run is gone"
    );
    assert!(names_in(&api, "secrets", "clusters").is_empty());
    assert!(
        api.requests()
            .iter()
            .any(|r| r.method == "DELETE" && r.path == "/api/v1/namespaces/clusters"),
        "deleted through the API"
    );

    // An injected rejection of a dry run: the same.
    install_crds(&api);
    api.fail_next("PATCH", "/apis/hypershift.openshift.io/", 422, 1);
    let run = cli(&api, &create_args()).await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("was rejected (nothing was changed)"),
        "{}",
        run.stderr
    );
    assert!(api.get("namespaces", None, "clusters").is_none());
    assert!(api.objects("hostedclusters").is_empty());
}

#[tokio::test]
async fn a_rejected_dry_run_keeps_a_namespace_that_existed() {
    let api = FakeApiServer::new();
    api.create(
        "namespaces",
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "clusters"}}),
    )
    .unwrap();
    let run = cli(&api, &create_args()).await;
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("was rejected (nothing was changed)"),
        "{}",
        run.stderr
    );
    assert!(api.get("namespaces", None, "clusters").is_some());
    assert!(names_in(&api, "secrets", "clusters").is_empty());
}
