//! `/metrics`, `/livez` and `/readyz` over HTTP (axum).

use super::outage::ApiHealth;
use crate::metrics::Metrics;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Clone)]
pub struct Health {
    /// Set once the HostedCluster watch has listed everything (the Controller's store is ready).
    pub ready: Arc<AtomicBool>,
    pub metrics: Arc<Metrics>,
    /// The last API failure, if the last request failed: `/readyz` is 503 with it as the reason.
    pub api: Arc<ApiHealth>,
}

async fn livez() -> &'static str {
    "ok"
}

async fn readyz(State(h): State<Health>) -> impl IntoResponse {
    let failure = h.api.current();
    match (h.ready.load(Ordering::Relaxed), failure) {
        (_, Some(f)) => (StatusCode::SERVICE_UNAVAILABLE, format!("{f}\n")),
        (true, None) => (StatusCode::OK, "ok".to_string()),
        (false, None) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "watches not synced\n".to_string(),
        ),
    }
}

async fn metrics(State(h): State<Health>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        h.metrics.encode(),
    )
}

pub fn router(health: Health) -> Router {
    Router::new()
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(health)
}

/// Binds `--metrics-addr` at start-up, so a port in use stops the process before anything else
/// runs; the error names the flag and the address.
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("--metrics-addr {addr}: cannot listen: {e}"))?;
    tracing::info!(%addr, "serving /metrics /livez /readyz");
    Ok(listener)
}

/// Serves on a bound listener (tests bind port 0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    health: Health,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(health))
        .with_graceful_shutdown(shutdown)
        .await
}
