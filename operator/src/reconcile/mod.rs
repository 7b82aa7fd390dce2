//! HostedCluster reconcile: the finalizer decides between the apply pipeline (`cluster`, which
//! reads as the pipeline and calls one module per step) and ordered deletion (`cleanup`).
//! NodePools are reconciled as part of their cluster: their objects come from the same
//! `desired::build` call.

pub mod announce;
pub mod capacity;
pub mod cleanup;
pub mod cluster;
pub mod desired;
pub mod inputs;
pub mod kinds;
pub mod next;
pub mod owner;
pub mod pause;
pub mod publish;
pub mod record;
pub mod webhook_cert;

use crate::context::Context;
use crate::error::Error;
use crate::names::FINALIZER;
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube::{Resource, ResourceExt};
use platform_api::api::HostedCluster;
use std::sync::Arc;
use std::time::Instant;

/// The Controller's reconcile function.
///
/// kube's `finalizer` helper adds the finalizer before the first apply and removes it after a
/// successful cleanup. It removes it after *any* successful cleanup, though, and teardown has
/// to wait (for CAPI to delete machines) without that being an error. So a deleting cluster
/// runs one teardown pass here first; only when the pass reports done does the helper run,
/// and then it just releases the finalizer.
pub async fn reconcile(hc: Arc<HostedCluster>, ctx: Arc<Context>) -> Result<Action, Error> {
    let started = Instant::now();
    let result = run(hc, &ctx).await;
    let outcome = if result.is_ok() { "success" } else { "error" };
    ctx.metrics.reconciled(outcome, started.elapsed());
    result
}

async fn run(hc: Arc<HostedCluster>, ctx: &Context) -> Result<Action, Error> {
    let api: Api<HostedCluster> = Api::namespaced(
        ctx.client.clone(),
        hc.metadata.namespace.as_deref().unwrap_or("default"),
    );
    let deleting = hc.metadata.deletion_timestamp.is_some();
    let ours = hc.finalizers().iter().any(|f| f == FINALIZER);
    if deleting && ours {
        match cleanup::reconcile(&hc, ctx).await? {
            cleanup::Progress::Waiting(_) => return Ok(Action::requeue(ctx.deletion_poll)),
            cleanup::Progress::Done => {}
        }
    }
    finalizer(&api, FINALIZER, hc, |event| async {
        match event {
            Event::Apply(hc) => cluster::reconcile(&hc, ctx).await,
            // Reached only after the teardown pass above reported done.
            Event::Cleanup(_) => Ok(Action::await_change()),
        }
    })
    .await
    .map_err(Error::from)
}

/// On error: count it by reason, tell the user with an Event, and retry with a pause.
pub fn error_policy(hc: Arc<HostedCluster>, error: &Error, ctx: Arc<Context>) -> Action {
    let reason = error.reason();
    ctx.metrics.error(reason);
    tracing::warn!(
        name = hc.metadata.name.as_deref().unwrap_or_default(),
        namespace = hc.metadata.namespace.as_deref().unwrap_or_default(),
        reason,
        error = %error,
        "reconcile failed"
    );
    let events = ctx.events.clone();
    let obj = hc.object_ref(&());
    let note = error.to_string();
    tokio::spawn(async move { events.warning(&obj, reason, note).await });
    Action::requeue(ctx.poll_interval.min(std::time::Duration::from_secs(15)))
}
