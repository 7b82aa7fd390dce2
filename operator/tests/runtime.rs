//! Runtime pieces: flags and their environment, and the HTTP server's /livez, /readyz (not
//! ready until the watches have synced) and /metrics (OpenMetrics, with our series).

use clap::Parser;
use hosted_cluster_operator::metrics::Metrics;
use hosted_cluster_operator::runtime::Config;
use hosted_cluster_operator::runtime::outage::{ApiHealth, FailureClass};
use hosted_cluster_operator::runtime::server::{Health, serve_on};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn flags_parse_into_settings() {
    let c = Config::try_parse_from([
        "hosted-cluster-operator",
        "--watch-namespace",
        "clusters",
        "--default-provider-image",
        "None=registry.example.com/p:v1,Other=registry.example.com/o:v2",
        "--concurrency",
        "8",
        "--metrics-addr",
        "127.0.0.1:9090",
        "--log-json",
        "--leader-elect",
        "--capi-manager-image",
        "mirror.example.com/cluster-api-controller:v1.13.4",
    ])
    .unwrap();
    assert_eq!(c.watch_namespace.as_deref(), Some("clusters"));
    assert_eq!(c.concurrency, 8);
    assert!(c.log_json && c.leader_elect);
    let s = c.settings(&["None", "Other"]).unwrap();
    assert_eq!(s.provider_images["None"], "registry.example.com/p:v1");
    assert_eq!(s.provider_images["Other"], "registry.example.com/o:v2");
    assert_eq!(
        s.capi_manager_image.as_deref(),
        Some("mirror.example.com/cluster-api-controller:v1.13.4")
    );

    let bad = Config::try_parse_from(["x", "--default-provider-image", "no-equals"]).unwrap();
    let e = bad.settings(&["None"]).unwrap_err();
    assert!(e.contains("TYPE=IMAGE") && e.contains("no-equals"), "{e}");
}

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    let code = out[9..12].parse().unwrap();
    let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (code, body)
}

#[tokio::test]
async fn health_and_metrics_endpoints() {
    let metrics = Arc::new(Metrics::new());
    metrics.reconciled("success", Duration::from_millis(20));
    metrics.error("ApplyFailed");
    metrics.applied("Deployment");
    let health = Health {
        ready: Arc::new(AtomicBool::new(false)),
        metrics,
        api: Arc::new(ApiHealth::new("https://api.example:6443")),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_on(listener, health.clone(), async {
        let _ = rx.await;
    }));

    assert_eq!(get(addr, "/livez").await.0, 200);
    assert_eq!(
        get(addr, "/readyz").await.0,
        503,
        "not ready before the watches sync"
    );
    health.ready.store(true, Ordering::Relaxed);
    assert_eq!(get(addr, "/readyz").await.0, 200);
    // An API failure makes it 503 again, with the failure as the reason.
    health.api.failed(
        hosted_cluster_operator::runtime::outage::ApiFailure {
            server: health.api.server.clone(),
            class: FailureClass::Refused,
            status: None,
            detail: "connection refused".into(),
        },
        "test",
    );
    let (code, body) = get(addr, "/readyz").await;
    assert_eq!(code, 503);
    assert!(
        body.contains("https://api.example:6443") && body.contains("refused"),
        "{body}"
    );
    health.api.answered();
    assert_eq!(get(addr, "/readyz").await.0, 200);
    let (code, body) = get(addr, "/metrics").await;
    assert_eq!(code, 200);
    for series in [
        "hosted_cluster_operator_reconciles_total{result=\"success\"} 1",
        "hosted_cluster_operator_reconcile_errors_total{reason=\"ApplyFailed\"} 1",
        "hosted_cluster_operator_objects_applied_total{kind=\"Deployment\"} 1",
        "hosted_cluster_operator_reconcile_duration_seconds_count 1",
    ] {
        assert!(body.contains(series), "missing {series} in\n{body}");
    }
    // Graceful shutdown ends the server.
    tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
