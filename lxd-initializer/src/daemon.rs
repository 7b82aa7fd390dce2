//! `lxd daemon`: runs `init` and `register` on a timer, so trust and registration stay current
//! (a VM host deleted in MAAS is registered again; a profile someone edited is corrected), and
//! serves `/readyz`: 200 once both have succeeded in the latest pass, 503 with the reason
//! before. A MAAS without VM hosts (HTTP 410) is final: the daemon stops asking MAAS and
//! `/readyz` says why.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use maas_client::{MaasClient, MaasError};
use tokio::net::TcpListener;

use crate::init::{self, InitSpec};
use crate::register::{self, RegisterSpec};
use crate::{LxdClient, LxdError, changed};

/// What the daemon does and how often.
#[derive(Clone, Debug)]
pub struct DaemonSpec {
    /// The `lxd init` steps.
    pub init: InitSpec,
    /// The `lxd register` step.
    pub register: RegisterSpec,
    /// Time between passes.
    pub interval: Duration,
}

/// The latest pass's result, as `/readyz` reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Readiness {
    /// `lxd init` succeeded.
    pub initialized: bool,
    /// `lxd register` succeeded.
    pub registered: bool,
    /// Why not ready (never secrets).
    pub reason: Option<String>,
    /// MAAS has no VM hosts: registration is not tried again.
    pub final_failure: bool,
}

/// Shared readiness.
pub type Shared = Arc<Mutex<Readiness>>;

async fn readyz(State(state): State<Shared>) -> (StatusCode, String) {
    let r = state.lock().expect("readiness lock").clone();
    if r.initialized && r.registered {
        (StatusCode::OK, "ok\n".into())
    } else {
        let reason = r.reason.unwrap_or_else(|| "first pass not finished".into());
        (StatusCode::SERVICE_UNAVAILABLE, format!("{reason}\n"))
    }
}

/// Serves `/readyz` and `/healthz` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, state: Shared) -> std::io::Result<()> {
    let app = Router::new()
        .route("/readyz", get(readyz))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(state);
    axum::serve(listener, app).await
}

/// One pass: init, then register (unless MAAS already said it has no VM hosts).
pub async fn pass(lxd: &LxdClient, maas: &MaasClient, spec: &DaemonSpec, state: &Shared) {
    let final_failure = state.lock().expect("readiness lock").final_failure;
    let init = init::run(lxd, &spec.init).await;
    let register = match (&init, final_failure) {
        (Err(_), _) | (_, true) => None,
        (Ok(_), false) => Some(register::run(lxd, maas, &spec.register).await),
    };
    let mut r = state.lock().expect("readiness lock");
    r.initialized = init.is_ok();
    match (&init, &register) {
        (Err(e), _) => {
            tracing::warn!(reason = e.reason(), "lxd init failed: {e}");
            r.reason = Some(format!("lxd init: {e}"));
        }
        (Ok(steps), Some(Ok(reg))) => {
            if changed(steps) || changed(reg) {
                tracing::info!("lxd init and register changed the node");
            }
            r.registered = true;
            r.reason = None;
        }
        (Ok(_), Some(Err(e))) => {
            tracing::warn!(reason = e.reason(), "lxd register failed: {e}");
            r.registered = false;
            r.final_failure = matches!(e, LxdError::Maas(MaasError::VmHostsUnsupported { .. }));
            r.reason = Some(format!("lxd register: {e}"));
        }
        (Ok(_), None) => {}
    }
}

/// Runs passes every `spec.interval` and serves `/readyz` on `listener`, until `shutdown`.
pub async fn run(
    lxd: LxdClient,
    maas: MaasClient,
    spec: DaemonSpec,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let state = Shared::default();
    let server = tokio::spawn(serve(listener, state.clone()));
    let passes = async {
        loop {
            pass(&lxd, &maas, &spec, &state).await;
            tokio::time::sleep(spec.interval).await;
        }
    };
    tokio::select! {
        () = passes => {}
        () = shutdown => {}
    }
    server.abort();
    Ok(())
}
