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

// --- Waiting on the operator: `create cluster --wait`, `create kubeconfig`, `destroy`. ---
// A task on the test's runtime plays the operator: it writes the HostedCluster's status (or
// removes its finalizer) while the CLI runs, as the real operator would.

fn args(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

fn condition(type_: &str, status: &str, reason: &str, message: &str) -> Value {
    serde_json::json!({
        "type": type_, "status": status, "reason": reason, "message": message,
        "lastTransitionTime": "2026-01-01T00:00:00Z", "observedGeneration": 1,
    })
}

fn set_conditions(api: &FakeApiServer, conditions: Vec<Value>) {
    set_status(api, serde_json::json!({ "conditions": conditions }));
}

fn set_status(api: &FakeApiServer, status: Value) {
    api.set_status("hostedclusters", Some("clusters"), "demo", status)
        .unwrap();
}

/// Waits until the CLI watches (so each status step below is a separate event it sees).
async fn until_watched(api: &FakeApiServer) {
    while api.open_watches() == 0 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// The conditions of a cluster that comes up, one step at a time (the order in which they turn
/// True, which is also their order in the list).
fn coming_up(step: usize) -> Vec<Value> {
    let t = |i: usize| if step > i { "True" } else { "False" };
    vec![
        condition(
            "ValidConfiguration",
            "True",
            "AsExpected",
            "Configuration passes validation",
        ),
        condition(
            "PlatformCredentialsFound",
            t(0),
            "AsExpected",
            "Credentials found",
        ),
        condition(
            "InfrastructureReady",
            t(1),
            "AsExpected",
            "Infrastructure is ready",
        ),
        condition(
            "Available",
            t(2),
            if step > 2 {
                "AsExpected"
            } else {
                "WaitingForInfrastructure"
            },
            if step > 2 {
                ""
            } else {
                "waiting for the infrastructure"
            },
        ),
    ]
}

#[tokio::test]
async fn create_wait_prints_each_condition_as_it_turns_true_and_ends_when_available() {
    let api = server();
    let operator = {
        let api = api.clone();
        tokio::spawn(async move {
            until_watched(&api).await;
            for step in 0..=3 {
                set_conditions(&api, coming_up(step));
                tokio::time::sleep(std::time::Duration::from_millis(30)).await;
            }
        })
    };
    let mut create = create_args();
    create.extend(args(&["--wait", "--timeout", "30s"]));
    let run = cli(&api, &create).await;
    operator.await.unwrap();
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let after_apply: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("waiting"))
        .collect();
    assert_eq!(
        after_apply,
        [
            "waiting up to 30s for HostedCluster clusters/demo to become Available...",
            "ValidConfiguration=True (AsExpected): Configuration passes validation",
            "PlatformCredentialsFound=True (AsExpected): Credentials found",
            "InfrastructureReady=True (AsExpected): Infrastructure is ready",
            "Available=True (AsExpected)",
            "HostedCluster clusters/demo is Available",
        ],
        "{}",
        run.stdout
    );
    assert!(run.stdout.starts_with("Namespace clusters created\n"));
}

#[tokio::test]
async fn create_wait_times_out_with_the_last_conditions() {
    let api = server();
    let operator = {
        let api = api.clone();
        tokio::spawn(async move {
            until_watched(&api).await;
            set_conditions(&api, coming_up(1));
        })
    };
    let mut create = create_args();
    create.extend(args(&["--wait", "--timeout", "1s"]));
    let run = cli(&api, &create).await;
    operator.await.unwrap();
    assert_eq!(
        run.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout
            .contains("PlatformCredentialsFound=True (AsExpected): Credentials found\n"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("is Available"), "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "HostedCluster clusters/demo is not Available after 1s; its conditions:\n  \
             ValidConfiguration=True (AsExpected): Configuration passes validation\n  \
             PlatformCredentialsFound=True (AsExpected): Credentials found\n  \
             InfrastructureReady=False (AsExpected): Infrastructure is ready\n  \
             Available=False (WaitingForInfrastructure): waiting for the infrastructure"
        ),
        "{}",
        run.stderr
    );
    // The cluster was created all the same: only the wait failed.
    assert_eq!(names_in(&api, "hostedclusters", "clusters"), ["demo"]);
}

#[tokio::test]
async fn create_wait_is_not_for_render() {
    let api = server();
    let mut create = acceptance_create_args(&pull_secret_file());
    create.push("--wait".into());
    let run = cli(&api, &create).await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--wait"), "{}", run.stderr);
    let run = cli(&api, &[create_args(), args(&["--timeout", "1m"])].concat()).await;
    assert_eq!(run.code, 2, "--timeout needs --wait: {}", run.stderr);
}

#[tokio::test]
async fn create_kubeconfig_prints_the_secret_that_the_status_names() {
    let api = server();
    let kubeconfig = args(&["create", "kubeconfig", "--name", "demo"]);

    let run = cli(&api, &kubeconfig).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("HostedCluster clusters/demo does not exist"),
        "{}",
        run.stderr
    );

    assert_eq!(cli(&api, &create_args()).await.code, 0);
    let run = cli(&api, &kubeconfig).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("HostedCluster clusters/demo has no kubeconfig yet: it is not ready")
            && run.stderr.contains("no conditions yet"),
        "{}",
        run.stderr
    );

    set_conditions(&api, coming_up(2));
    let run = cli(&api, &kubeconfig).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "Conditions not True:\n  Available=False (WaitingForInfrastructure): waiting for the infrastructure"
        ) && !run.stderr.contains("ValidConfiguration"),
        "{}",
        run.stderr
    );

    set_status(
        &api,
        serde_json::json!({ "conditions": coming_up(3), "kubeconfig": {"name": "demo-admin-kubeconfig"} }),
    );
    let run = cli(&api, &kubeconfig).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("names Secret clusters/demo-admin-kubeconfig as its kubeconfig, but that Secret does not exist"),
        "{}",
        run.stderr
    );

    let text = "apiVersion: v1\nkind: Config\nclusters: []\n";
    let secret = |data: Value| {
        serde_json::json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "demo-admin-kubeconfig", "namespace": "clusters"},
            "data": data,
        })
    };
    // Base64, as Secret data is on the wire.
    let encoded = serde_json::to_value(k8s_openapi::ByteString(text.as_bytes().to_vec())).unwrap();
    api.create("secrets", secret(serde_json::json!({ "value": encoded })))
        .unwrap();
    let run = cli(&api, &kubeconfig).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("has no \"kubeconfig\" key"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(text),
        "the Secret's data stays out of messages"
    );

    api.update_with("secrets", Some("clusters"), "demo-admin-kubeconfig", |s| {
        s["data"] = serde_json::json!({ "kubeconfig": encoded });
    })
    .unwrap();
    let run = cli(&api, &kubeconfig).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, text);
    assert_eq!(run.stderr, "");
}

fn destroy_args(timeout: &str) -> Vec<String> {
    args(&["destroy", "cluster", "--name", "demo", "--timeout", timeout])
}

/// Creates the cluster and puts the operator's finalizer on it, as the operator would.
async fn created_with_finalizer(api: &FakeApiServer) {
    assert_eq!(cli(api, &create_args()).await.code, 0);
    api.update_with("hostedclusters", Some("clusters"), "demo", |hc| {
        hc["metadata"]["finalizers"] = serde_json::json!(["hypershift.openshift.io/finalizer"]);
    })
    .unwrap();
}

#[tokio::test]
async fn destroy_waits_for_the_teardown_before_deleting_the_secrets() {
    let api = server();
    created_with_finalizer(&api).await;
    let operator = {
        let api = api.clone();
        tokio::spawn(async move {
            // The teardown starts when the HostedCluster is being deleted; it still needs the
            // credentials, so they must all be there until the finalizer goes.
            loop {
                let hc = api.get("hostedclusters", Some("clusters"), "demo").unwrap();
                if hc["metadata"]["deletionTimestamp"].is_string() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            until_watched(&api).await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let secrets_during_teardown = names_in(&api, "secrets", "clusters");
            api.update_with("hostedclusters", Some("clusters"), "demo", |hc| {
                hc["metadata"]["finalizers"] = serde_json::json!([]);
            })
            .unwrap();
            secrets_during_teardown
        })
    };
    let run = cli(&api, &destroy_args("30s")).await;
    let secrets_during_teardown = operator.await.unwrap();
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        secrets_during_teardown.contains(&"demo-maas-credentials".to_string())
            && secrets_during_teardown.contains(&"demo-pull-secret".to_string()),
        "{secrets_during_teardown:?}"
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = |text: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(text))
            .unwrap_or_else(|| panic!("no line {text:?} in\n{}", run.stdout))
    };
    assert!(
        at("HostedCluster clusters/demo deleted")
            < at("waiting up to 30s for the operator to tear down HostedCluster clusters/demo")
    );
    assert!(at("waiting up to 30s") < at("HostedCluster clusters/demo is gone"));
    assert!(
        at("HostedCluster clusters/demo is gone")
            < at("Secret clusters/demo-maas-credentials deleted")
    );
    assert!(names_in(&api, "secrets", "clusters").is_empty());
    assert!(names_in(&api, "hostedclusters", "clusters").is_empty());
}

#[tokio::test]
async fn destroy_times_out_naming_the_finalizer_and_keeps_the_secrets() {
    let api = server();
    created_with_finalizer(&api).await;
    set_conditions(&api, coming_up(3));
    let run = cli(&api, &destroy_args("1s")).await;
    assert_eq!(
        run.code, 1,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr
            .contains("HostedCluster clusters/demo still exists after 1s")
            && run
                .stderr
                .contains("the operator removes its finalizer (hypershift.openshift.io/finalizer)")
            && run
                .stderr
                .contains("Secrets created with the cluster are kept")
            && run.stderr.contains("\n  Available=True (AsExpected)"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("Secret "), "{}", run.stdout);
    let secrets = names_in(&api, "secrets", "clusters");
    assert!(
        secrets.contains(&"demo-maas-credentials".to_string()),
        "{secrets:?}"
    );

    // Once the operator lets go, destroy again finishes the job.
    api.update_with("hostedclusters", Some("clusters"), "demo", |hc| {
        hc["metadata"]["finalizers"] = serde_json::json!([]);
    })
    .unwrap();
    let run = cli(&api, &destroy_args("30s")).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(names_in(&api, "secrets", "clusters").is_empty());
}

/// `migrate credentials` (issue 11): a legacy Secret is rewritten in place, the zone moves to
/// the HostedCluster, a dry run changes nothing, and a second run finds nothing to do.
#[tokio::test]
async fn migrate_credentials_rewrites_a_legacy_secret_once() {
    let api = server();
    let ns: Value = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "clusters"}});
    api.create("namespaces", ns).unwrap();
    let mut hc = suite::docs(
        &std::fs::read_to_string(suite::examples_dir().join("hostedcluster.yaml")).unwrap(),
    )
    .remove(0);
    hc["spec"]["platform"]["maas"]
        .as_object_mut()
        .unwrap()
        .remove("zone");
    api.create("hostedclusters", hc).unwrap();
    let legacy = suite::docs(
        &std::fs::read_to_string(suite::examples_dir().join("legacy-credentials-secret.yaml"))
            .unwrap(),
    )
    .remove(0);
    api.create("secrets", legacy).unwrap();
    let args = |extra: &[&str]| -> Vec<String> {
        ["migrate", "credentials", "--name", "my-maas-cluster"]
            .iter()
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };

    api.clear_requests();
    let run = cli(&api, &args(&["--dry-run"])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("rename endpoint to MAAS_ENDPOINT"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("dry run: nothing was changed"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("exampleSecret"),
        "values are never printed"
    );
    assert_eq!(api.write_count(), 0, "a dry run writes nothing");

    let run = cli(&api, &args(&[])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let secret = api
        .get("secrets", Some("clusters"), "maas-credentials")
        .unwrap();
    let data = secret["data"].as_object().unwrap();
    let keys: Vec<&str> = data.keys().map(String::as_str).collect();
    assert_eq!(keys, ["MAAS_API_KEY", "MAAS_ENDPOINT"], "{secret}");
    let hc = api
        .get("hostedclusters", Some("clusters"), "my-maas-cluster")
        .unwrap();
    assert_eq!(hc["spec"]["platform"]["maas"]["zone"], "zone1");

    api.clear_requests();
    let run = cli(&api, &args(&[])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("already in the current format"),
        "{}",
        run.stdout
    );
    assert_eq!(api.write_count(), 0, "idempotent");
}
