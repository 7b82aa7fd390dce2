//! End-to-end suite against a real API server: set `KUBECONFIG_E2E` to a kubeconfig of a
//! disposable cluster (CRDs are installed, objects are created in a fresh `e2e-*` namespace).
//! `E2E_CAPI=v1beta1|v1beta2` names the upstream CRD set to install (CAPI v1.10.10 + CAPMAAS
//! v4.9.5, or CAPI v1.13.4 + CAPMAAS v0.9.0; default v1beta2).
//! Without it every test prints why and passes. The same flows run against kube-fake in
//! `e2e_fake.rs`, so this code is exercised on every run.

mod support;

use support::e2e::{Target, flow_create_resync_delete, flow_kill_and_restart};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_create_resync_delete() {
    let Some(t) = Target::from_env_or_skip().await else {
        return;
    };
    flow_create_resync_delete(&t).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e2e_kill_and_restart_converges() {
    let Some(mut t) = Target::from_env_or_skip().await else {
        return;
    };
    flow_kill_and_restart(&mut t).await;
}
