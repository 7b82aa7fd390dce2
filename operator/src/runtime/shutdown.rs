//! SIGTERM (or Ctrl-C) as a watch every part of the process can wait on, installed first so a
//! signal during start-up is not lost, and the bound on how long shutdown may take.

use std::time::Duration;
use tokio::sync::watch;

/// How long in-flight work may take after SIGTERM before the process exits anyway (status 0).
/// Kubernetes waits 30 s by default before SIGKILL; this leaves room.
pub const DEFAULT_BOUND: Duration = Duration::from_secs(10);

/// `true` once a termination signal arrived.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

impl Shutdown {
    /// Starts listening for SIGTERM and Ctrl-C.
    pub fn install() -> std::io::Result<Self> {
        let (tx, rx) = watch::channel(false);
        #[cfg(unix)]
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::spawn(async move {
            #[cfg(unix)]
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            #[cfg(not(unix))]
            let _ = tokio::signal::ctrl_c().await;
            let _ = tx.send(true);
        });
        Ok(Self(rx))
    }

    /// A shutdown that never comes (tests that drive the runtime without signals).
    pub fn never() -> Self {
        let (tx, rx) = watch::channel(false);
        std::mem::forget(tx);
        Self(rx)
    }

    /// Resolves once a termination signal arrived.
    pub async fn requested(&self) {
        let mut rx = self.0.clone();
        let _ = rx.wait_for(|t| *t).await;
    }

    /// Resolves `bound` after a termination signal: the moment to stop waiting for anything.
    pub async fn deadline(&self, bound: Duration) {
        self.requested().await;
        tokio::time::sleep(bound).await;
    }
}
