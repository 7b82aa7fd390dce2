//! Leader election on a coordination.k8s.io Lease, with kube-lease-manager (built on kube 5).

use kube_lease_manager::{LeaseManagerBuilder, LeaseParams};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub const LEASE_NAME: &str = crate::names::CONTROLLER_NAME;

pub struct Leadership {
    /// `true` while this replica holds the Lease.
    pub state: watch::Receiver<bool>,
    pub task:
        JoinHandle<Result<kube_lease_manager::LeaseManager, kube_lease_manager::LeaseManagerError>>,
}

/// Lease validity and the margin before expiry at which the holder renews, in seconds.
pub const LEASE_DURATION: u64 = 15;
pub const LEASE_GRACE: u64 = 5;

/// Starts competing for the Lease and returns once this replica holds it.
pub async fn acquire(
    client: kube::Client,
    namespace: &str,
    identity: &str,
) -> Result<Leadership, kube_lease_manager::LeaseManagerError> {
    acquire_with(client, namespace, identity, LEASE_DURATION, LEASE_GRACE).await
}

/// [`acquire`] with explicit timings (`grace` < `duration`).
pub async fn acquire_with(
    client: kube::Client,
    namespace: &str,
    identity: &str,
    duration: u64,
    grace: u64,
) -> Result<Leadership, kube_lease_manager::LeaseManagerError> {
    let manager = LeaseManagerBuilder::new(client, LEASE_NAME)
        .with_namespace(namespace)
        .with_parameters(LeaseParams::new(identity, duration, grace))
        .build()
        .await?;
    let (mut state, task) = manager.watch().await;
    tracing::info!(
        lease = LEASE_NAME,
        namespace,
        identity,
        "waiting for leadership"
    );
    while !*state.borrow_and_update() {
        if state.changed().await.is_err() {
            // The manager stopped before this replica held the Lease: say why, rather than
            // carry on as leader.
            return Err(match task.await {
                Ok(Err(e)) => e,
                Ok(Ok(_)) => kube_lease_manager::LeaseManagerError::InconsistentState(
                    "the lease manager stopped before leadership was acquired".into(),
                ),
                Err(e) => kube_lease_manager::LeaseManagerError::InconsistentState(e.to_string()),
            });
        }
    }
    tracing::info!("acquired leadership");
    Ok(Leadership { state, task })
}

impl Leadership {
    /// Hands the Lease back on a clean shutdown, so the next replica need not wait for it to
    /// expire. Stopping the watch (dropping its channel) returns the manager.
    pub async fn release(self) {
        drop(self.state);
        match self.task.await {
            Ok(Ok(manager)) => {
                if let Err(e) = manager.release().await {
                    tracing::warn!(error = %e, "could not release the Lease; it expires on its own");
                }
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "lease manager stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "lease manager task failed"),
        }
    }

    /// Resolves when leadership is lost (or the manager stopped).
    pub async fn lost(&mut self) {
        loop {
            if !*self.state.borrow_and_update() {
                return;
            }
            if self.state.changed().await.is_err() {
                return;
            }
        }
    }
}
