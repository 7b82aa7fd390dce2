//! The operator process: flags, logging, the HTTP server, leader election, the Controller, and
//! graceful shutdown on SIGTERM.

pub mod config;
pub mod controller;
pub mod flags;
pub mod leader;
pub mod outage;
pub mod server;
pub mod shutdown;
pub mod telemetry;

pub use config::Config;

use crate::events::Events;
use outage::ApiHealth;
use shutdown::Shutdown;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::oneshot;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// How long one start-up probe of the API server may take, and the longest pause between two.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
const PROBE_MAX_PAUSE: Duration = Duration::from_secs(10);
/// How long one attempt at discovery may take before it counts as a time-out.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs until SIGTERM, or until leadership is lost (then returns an error so the pod restarts
/// and competes again, the usual controller pattern). Flags and `--metrics-addr` are checked
/// before anything talks to the API server. After SIGTERM it returns within
/// `--shutdown-timeout`, whatever the API server does.
pub async fn run(config: Config) -> Result<(), BoxError> {
    // kube (ring) and any reqwest-based platform client must share one rustls provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // First, so that a SIGTERM during start-up is seen (and not the default: killed by it).
    let shutdown = Shutdown::install()?;
    telemetry::init(config.log_json)?;
    let registry = platform_api::registry()?;
    let settings = config.settings(&registry.names())?;
    tracing::info!(platforms = ?registry.names(), "platforms linked");
    let listener = server::bind(config.metrics_addr).await?;
    let bound = config.shutdown_timeout;
    tokio::select! {
        r = run_until_stopped(config, settings, listener, shutdown.clone()) => r,
        () = shutdown.deadline(bound) => {
            tracing::warn!(
                bound = ?bound,
                "in-flight work did not finish within --shutdown-timeout of SIGTERM: exiting anyway"
            );
            Ok(())
        }
    }
}

/// Runs one start-up step until it succeeds, logging each kind of failure once per interval
/// and keeping it as `/readyz`'s reason. Rejected credentials are fatal: they will not fix
/// themselves. `None` when SIGTERM came first.
async fn until_answered<T, E, F, Fut>(
    api: &ApiHealth,
    shutdown: &Shutdown,
    what: &str,
    attempt_timeout: Duration,
    mut step: F,
) -> Result<Option<T>, BoxError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: Into<StepError>,
{
    let mut pause = Duration::from_millis(500);
    loop {
        let attempt = tokio::select! {
            r = tokio::time::timeout(attempt_timeout, step()) => r,
            () = shutdown.requested() => return Ok(None),
        };
        let failure = match attempt {
            Ok(Ok(value)) => {
                api.answered();
                return Ok(Some(value));
            }
            Ok(Err(e)) => match e.into() {
                StepError::Kube(e) => outage::classify(&api.server, &e),
                StepError::Other(e) => return Err(format!("{what}: {e}").into()),
            },
            Err(_) => outage::timed_out(&api.server, attempt_timeout),
        };
        if failure.class == outage::FailureClass::BadCredentials {
            return Err(format!(
                "{failure}: the API server rejected the operator's credentials at start-up \
                 ({what}); fix the kubeconfig or the service account token and its RBAC \
                 (retrying would not help)"
            )
            .into());
        }
        api.failed(
            failure,
            &format!("start-up: waiting for the API server ({what})"),
        );
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = shutdown.requested() => return Ok(None),
        }
        pause = (pause * 2).min(PROBE_MAX_PAUSE);
    }
}

/// A start-up step's error: an API failure (retried unless 401/403) or anything else (fatal).
enum StepError {
    Kube(kube::Error),
    Other(String),
}

impl From<kube::Error> for StepError {
    fn from(e: kube::Error) -> Self {
        Self::Kube(e)
    }
}

impl From<kube_lease_manager::LeaseManagerError> for StepError {
    fn from(e: kube_lease_manager::LeaseManagerError) -> Self {
        match e {
            kube_lease_manager::LeaseManagerError::KubeError(e) => Self::Kube(e),
            other => Self::Other(other.to_string()),
        }
    }
}

/// The HTTP server task and its stop signal.
struct Serving {
    tx: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Serving {
    async fn stop(self) {
        let _ = self.tx.send(());
        let _ = self.task.await;
    }

    async fn stopped_early(self) -> Result<(), BoxError> {
        tracing::info!("SIGTERM before start-up finished: stopping");
        self.stop().await;
        Ok(())
    }
}

async fn run_until_stopped(
    config: Config,
    settings: platform_api::platform::PlatformSettings,
    listener: tokio::net::TcpListener,
    shutdown: Shutdown,
) -> Result<(), BoxError> {
    let kube_config = kube::Config::infer().await?;
    let server_url = kube_config.cluster_url.to_string();
    let api = Arc::new(ApiHealth::new(server_url.trim_end_matches('/')));
    // The probe must see a 503 as a 503: kube's default retry layer would retry it for minutes
    // and the probe would report a time-out instead of the server's answer.
    let mut probe_config = kube_config.clone();
    probe_config.default_retry = false;
    let probe_client = kube::Client::try_from(probe_config)?;
    let client = kube::Client::try_from(kube_config)?;
    let metrics = Arc::new(crate::metrics::Metrics::new());
    let health = server::Health {
        ready: Arc::new(AtomicBool::new(false)),
        metrics: metrics.clone(),
        api: api.clone(),
    };
    // The server runs from the start, so `/readyz` can say why the operator is not ready.
    let (server_tx, server_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve_on(listener, health.clone(), async {
        let _ = server_rx.await;
    }));
    let serving = Serving {
        tx: server_tx,
        task: server,
    };
    let probe = until_answered(&api, &shutdown, "version", PROBE_TIMEOUT, || {
        probe_client.apiserver_version()
    });
    if probe.await?.is_none() {
        return serving.stopped_early().await;
    }

    let options = controller::Options {
        watch_namespace: config.watch_namespace.clone(),
        settings,
        capi_override: config.capi_version,
        api: Some(api.clone()),
    };
    let events = Events::kube(client.clone(), config.pod_name.clone());
    let built = until_answered(&api, &shutdown, "discovery", START_TIMEOUT, || {
        controller::build(&client, options.clone(), events.clone())
    });
    let Some((controller, mut ctx)) = built.await? else {
        return serving.stopped_early().await;
    };
    tracing::info!(capi = %ctx.capi(), "writing CAPI objects in this cluster.x-k8s.io version");
    ctx.metrics = metrics;
    ctx.orphan_cleanup_timeout = config.orphan_cleanup_timeout;
    let ctx = Arc::new(ctx);

    let (ctrl_tx, ctrl_rx) = oneshot::channel::<()>();
    let (lost_tx, mut lost_rx) = oneshot::channel::<()>();

    // With leader election: wait for the Lease first; losing it later stops the controller
    // and the process exits with an error (the pod restarts and competes again).
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let mut leader_task = None;
    if config.leader_elect {
        let identity = config
            .pod_name
            .clone()
            .unwrap_or_else(|| format!("{}-{}", crate::names::CONTROLLER_NAME, std::process::id()));
        // No time-out per attempt: another replica may hold the Lease for as long as it lives.
        let acquired = until_answered(&api, &shutdown, "leader election", Duration::MAX, || {
            leader::acquire(client.clone(), &config.lease_namespace, &identity)
        });
        let Some(mut l) = acquired.await? else {
            return serving.stopped_early().await;
        };
        leader_task = Some(tokio::spawn(async move {
            tokio::select! {
                _ = l.lost() => {
                    let _ = lost_tx.send(());
                }
                _ = release_rx => l.release().await,
            }
        }));
    } else {
        drop(lost_tx);
    }
    let lost_flag = Arc::new(AtomicBool::new(false));
    let flag = lost_flag.clone();
    let electing = leader_task.is_some();
    let bound = config.shutdown_timeout;
    let signal = shutdown.clone();
    tokio::spawn(async move {
        tokio::select! {
            () = signal.requested() => tracing::info!(
                bound = ?bound,
                "SIGTERM: finishing in-flight reconciles (exiting within --shutdown-timeout)"
            ),
            r = &mut lost_rx, if electing => if r.is_ok() {
                tracing::error!("leadership lost: stopping");
                flag.store(true, Ordering::SeqCst);
            },
        }
        let _ = ctrl_tx.send(());
    });
    let reader = controller.store();
    let ready = health.ready.clone();
    tokio::spawn(async move {
        // `Store::wait_until_ready` sits on a oneshot receiver that keeps only the last
        // poller's waker, and the Controller waits on the same store: a second plain `.await`
        // is never woken. Re-polling on a short timer sees the readiness all the same.
        loop {
            match tokio::time::timeout(Duration::from_millis(200), reader.wait_until_ready()).await
            {
                Ok(Ok(())) => {
                    ready.store(true, Ordering::Relaxed);
                    tracing::info!("watches synced: ready");
                    return;
                }
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "HostedCluster watch ended before it synced");
                    return;
                }
                Err(_) => {}
            }
        }
    });
    controller::run(controller, ctx, config.concurrency, async {
        let _ = ctrl_rx.await;
    })
    .await;
    let _ = release_tx.send(());
    if let Some(t) = leader_task {
        let _ = t.await;
    }
    serving.stop().await;
    if lost_flag.load(Ordering::SeqCst) {
        return Err("leadership lost".into());
    }
    Ok(())
}
