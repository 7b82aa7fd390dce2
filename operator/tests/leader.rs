//! Leader election (kube-lease-manager on kube 5) against kube-fake: the first replica takes
//! the Lease, a second one waits until the first is gone.

mod support;

use hosted_cluster_operator::runtime::leader::{LEASE_NAME, acquire_with};
use kube_fake::FakeApiServer;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_leader_at_a_time() {
    support::install_crypto();
    let api = FakeApiServer::new();
    let first = tokio::time::timeout(
        Duration::from_secs(10),
        acquire_with(api.client(), "default", "replica-a", 3, 1),
    )
    .await
    .expect("the first replica gets the Lease at once")
    .unwrap();
    let lease = api.get("leases", Some("default"), LEASE_NAME).unwrap();
    assert_eq!(lease["spec"]["holderIdentity"], "replica-a");

    // While replica-a renews, replica-b does not get it.
    let second = tokio::spawn(acquire_with(api.client(), "default", "replica-b", 3, 1));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!second.is_finished(), "two leaders");
    assert!(*first.state.borrow());

    // replica-a stops renewing (its process died): replica-b takes over after the lease expires.
    first.task.abort();
    let second = tokio::time::timeout(Duration::from_secs(40), second)
        .await
        .expect("replica-b takes over once the Lease expires")
        .unwrap()
        .unwrap();
    assert!(*second.state.borrow());
    let lease = api.get("leases", Some("default"), LEASE_NAME).unwrap();
    assert_eq!(lease["spec"]["holderIdentity"], "replica-b");
}

/// A clean shutdown hands the Lease back, so a replica started afterwards (a restarted pod)
/// takes it at once instead of waiting for expiry. (A replica already waiting sleeps until the
/// expiry it saw: that is kube-lease-manager's design.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn release_on_shutdown_frees_the_lease_at_once() {
    support::install_crypto();
    let api = FakeApiServer::new();
    let first = acquire_with(api.client(), "default", "replica-a", 60, 5)
        .await
        .unwrap();
    first.release().await;
    let second = tokio::time::timeout(
        Duration::from_secs(5),
        acquire_with(api.client(), "default", "replica-b", 60, 5),
    )
    .await
    .expect("no wait for the 60 s expiry")
    .unwrap();
    assert!(*second.state.borrow());
    let lease = api.get("leases", Some("default"), LEASE_NAME).unwrap();
    assert_eq!(lease["spec"]["holderIdentity"], "replica-b");
}
