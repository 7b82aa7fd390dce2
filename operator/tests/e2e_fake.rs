//! The e2e flows (see `e2e_operator.rs`) against kube-fake: CRDs installed through the API,
//! the operator's requests counted by a client layer, random kills during create and delete.

mod support;

use support::e2e::{Target, flow_create_resync_delete, flow_kill_and_restart};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_flows_on_kube_fake_create_resync_delete() {
    let t = Target::fake().await;
    flow_create_resync_delete(&t).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_flows_on_kube_fake_kill_and_restart() {
    let mut t = Target::fake().await;
    flow_kill_and_restart(&mut t).await;
}
