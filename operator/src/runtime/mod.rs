//! The operator process: flags, logging, the HTTP server, leader election, the Controller, and
//! graceful shutdown on SIGTERM.

pub mod config;
pub mod controller;
pub mod leader;
pub mod server;
pub mod telemetry;

pub use config::Config;

use crate::events::Events;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::oneshot;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Resolves on SIGTERM or Ctrl-C.
async fn termination() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler");
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs until SIGTERM, or until leadership is lost (then returns an error so the pod restarts
/// and competes again, the usual controller pattern).
pub async fn run(config: Config) -> Result<(), BoxError> {
    // kube (ring) and any reqwest-based platform client must share one rustls provider.
    let _ = rustls::crypto::ring::default_provider().install_default();
    telemetry::init(config.log_json);
    let settings = config.settings()?;
    let registry = platform_api::registry()?;
    tracing::info!(platforms = ?registry.names(), "platforms linked");
    let client = kube::Client::try_default().await?;

    let options = controller::Options {
        watch_namespace: config.watch_namespace.clone(),
        settings,
        capi_override: config.capi_version,
    };
    let events = Events::kube(client.clone(), config.pod_name.clone());
    let (controller, ctx) = controller::build(&client, options, events).await?;
    tracing::info!(capi = %ctx.capi(), "writing CAPI objects in this cluster.x-k8s.io version");
    let ctx = Arc::new(ctx);
    let health = server::Health {
        ready: Arc::new(AtomicBool::new(false)),
        metrics: ctx.metrics.clone(),
    };

    // One signal fans out to the server and the controller.
    let (server_tx, server_rx) = oneshot::channel::<()>();
    let (ctrl_tx, ctrl_rx) = oneshot::channel::<()>();
    let (lost_tx, mut lost_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(server::serve(config.metrics_addr, health.clone(), async {
        let _ = server_rx.await;
    }));

    // With leader election: wait for the Lease first; losing it later stops the controller
    // and the process exits with an error (the pod restarts and competes again).
    let (release_tx, release_rx) = oneshot::channel::<()>();
    let mut leader_task = None;
    if config.leader_elect {
        let identity = config
            .pod_name
            .clone()
            .unwrap_or_else(|| format!("{}-{}", crate::names::CONTROLLER_NAME, std::process::id()));
        let mut l = tokio::select! {
            l = leader::acquire(client.clone(), &config.lease_namespace, &identity) => l?,
            _ = termination() => {
                let _ = server_tx.send(());
                let _ = server.await;
                return Ok(());
            }
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
    tokio::spawn(async move {
        tokio::select! {
            _ = termination() => tracing::info!("SIGTERM: finishing in-flight reconciles"),
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
    let _ = server_tx.send(());
    let _ = server.await;
    if lost_flag.load(Ordering::SeqCst) {
        return Err("leadership lost".into());
    }
    Ok(())
}
