//! The e2e flows (see `e2e_operator.rs`) against kube-fake, with each upstream CRD set (CAPI
//! v1.13.4 + CAPMAAS v0.9.0, which store v1beta2; CAPI v1.10.10 + CAPMAAS v4.9.5, which store
//! v1beta1): CRDs installed through the API, the operator's requests counted by a client layer,
//! random kills during create and delete.

mod support;

use platform_api::desired::capi::CapiVersion;
use support::e2e::{Target, flow_create_resync_delete, flow_kill_and_restart};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_flows_on_kube_fake_create_resync_delete_capi_v1beta2() {
    let t = Target::fake(CapiVersion::V1Beta2).await;
    flow_create_resync_delete(&t).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_flows_on_kube_fake_create_resync_delete_capi_v1beta1() {
    let t = Target::fake(CapiVersion::V1Beta1).await;
    flow_create_resync_delete(&t).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_flows_on_kube_fake_kill_and_restart_capi_v1beta2() {
    let mut t = Target::fake(CapiVersion::V1Beta2).await;
    flow_kill_and_restart(&mut t).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_flows_on_kube_fake_kill_and_restart_capi_v1beta1() {
    let mut t = Target::fake(CapiVersion::V1Beta1).await;
    flow_kill_and_restart(&mut t).await;
}
