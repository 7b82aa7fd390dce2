//! The real `hosted-cluster-operator` process against kube-fake served over HTTP on loopback:
//! kubeconfig, leader election, /readyz after the watches sync, reconciling, /metrics, and a
//! clean exit on SIGTERM.

#[path = "support/fake.rs"]
mod fake;
mod support;

use axum::extract::State;
use kube_fake::FakeApiServer;
use serde_json::json;
use std::process::Command;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::Service;

async fn proxy(
    State(mut api): State<FakeApiServer>,
    req: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let req = http::Request::from_parts(parts, kube::client::Body::from(bytes.to_vec()));
    futures::future::poll_fn(|cx| api.poll_ready(cx))
        .await
        .unwrap();
    let resp = api.call(req).await.unwrap();
    let (parts, body) = resp.into_parts();
    axum::response::Response::from_parts(parts, axum::body::Body::new(body))
}

async fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).await.ok()?;
    Some((out.get(9..12)?.parse().ok()?, out))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_runs_reconciles_and_stops_on_sigterm() {
    let api = fake::server();
    api.create(
        "namespaces",
        json!({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"hypershift"}}),
    )
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(proxy).with_state(api.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let dir = std::env::temp_dir().join(format!("hc-operator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: http://127.0.0.1:{api_port}\nusers:\n- name: u\n  user: {{}}\ncontexts:\n- name: c\n  context:\n    cluster: fake\n    user: u\ncurrent-context: c\n"
        ),
    )
    .unwrap();
    let metrics_port = free_port();
    let log = std::fs::File::create(dir.join("operator.log")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hosted-cluster-operator"))
        .args([
            "--metrics-addr",
            &format!("127.0.0.1:{metrics_port}"),
            "--leader-elect",
            "--lease-namespace",
            "hypershift",
            "--pod-name",
            "operator-0",
            "--log-json",
        ])
        .env("KUBECONFIG", &kubeconfig)
        .env("RUST_LOG", "info")
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();

    // Kill the child if anything below panics, so no process outlives the test.
    struct Guard(u32);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
    let guard = Guard(child.id());
    fake::wait_for_async(30, "/readyz 200", || async {
        (get(metrics_port, "/readyz").await?.0 == 200).then_some(())
    })
    .await;
    let lease = api
        .get("leases", Some("hypershift"), "hosted-cluster-operator")
        .expect("the Lease is taken");
    assert_eq!(lease["spec"]["holderIdentity"], "operator-0");

    let secret = support::credentials();
    api.create(
        "secrets",
        fake::with_kind(serde_json::to_value(&secret).unwrap(), "v1", "Secret"),
    )
    .unwrap();
    let hc = support::hosted_cluster();
    api.create(
        "hostedclusters",
        fake::with_kind(
            serde_json::to_value(&hc).unwrap(),
            "hypershift.openshift.io/v1beta1",
            "HostedCluster",
        ),
    )
    .unwrap();
    let cp = hc.control_plane_namespace();
    fake::wait_for(30, "the HostedControlPlane", || {
        api.get(
            "hostedcontrolplanes",
            Some(&cp),
            hc.metadata.name.as_deref().unwrap(),
        )
    })
    .await;
    let metrics = fake::wait_for_async(30, "reconcile metrics", || async {
        let (_, body) = get(metrics_port, "/metrics").await?;
        body.contains("hosted_cluster_operator_objects_applied_total{kind=\"HostedControlPlane\"}")
            .then_some(body)
    })
    .await;
    assert!(metrics.contains("hosted_cluster_operator_reconciles_total{result=\"success\"}"));

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = fake::wait_for(15, "exit after SIGTERM", || child.try_wait().unwrap()).await;
    assert!(
        status.success(),
        "exit status {status}; log in {}",
        dir.display()
    );
    let log = std::fs::read_to_string(dir.join("operator.log")).unwrap();
    assert!(log.contains("SIGTERM"), "{log}");
    std::mem::forget(guard);
    let _ = std::fs::remove_dir_all(&dir);
}
