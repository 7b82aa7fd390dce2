//! The HostedCluster apply pipeline, top to bottom: read the inputs (from the caches) → build
//! the desired state once → read what we own live → record the kinds → stamp owner and hash
//! once → diff against live → apply → prune → status. Each step is a call into its own module;
//! this file only orders them.

use super::inputs;
use super::pause::{Pause, pause};
use super::{announce, desired, kinds, next, owner, publish};
use crate::apply::{self, Normalised, ObjectKey};
use crate::context::Context;
use crate::error::Error;
use crate::status::{self, hosted_cluster as hc_status};
use hc_status::{ClusterFacts, CredentialsFact, InfraFact, Validity};
use kube::Resource;
use kube::runtime::controller::Action;
use platform_api::api::HostedCluster;
use platform_api::desired::DesiredState;
use platform_api::desired::capi::CapiVersion;
use std::collections::BTreeSet;

/// What one apply pass did, for the caller's decision on requeueing and for tests.
#[derive(Debug, Default)]
pub struct Report {
    pub applied: Vec<ObjectKey>,
    pub pruned: Vec<ObjectKey>,
    pub status_written: bool,
    /// Objects the server did not store as applied (the loop guard fired for them).
    pub normalised: Vec<Normalised>,
    pub facts: Option<ClusterFacts>,
    /// Every NodePool reports Ready.
    pub pools_ready: bool,
    /// Set when `spec.pausedUntil` stopped this pass before it read anything.
    pub paused: Option<Pause>,
}

/// Reconciles a HostedCluster that holds our finalizer and is not being deleted.
pub async fn reconcile(hc: &HostedCluster, ctx: &Context) -> Result<Action, Error> {
    let report = run(hc, ctx).await?;
    Ok(next::action(&report, ctx))
}

/// One pass of the pipeline.
pub async fn run(hc: &HostedCluster, ctx: &Context) -> Result<Report, Error> {
    if let Some(report) = paused(hc, ctx).await? {
        return Ok(report);
    }
    // Everything platform-specific goes through the registry; an unknown type is a condition.
    let lookup = platform_api::platform_for(&hc.spec.platform.type_);
    let platform = match lookup {
        Ok(p) => p,
        Err(e) => {
            let validity = Validity::UnknownPlatform(format!("spec.platform.type: {e}"));
            return refused(hc, ctx, validity).await;
        }
    };
    // The control-plane backend, by annotation or the operator's default; an unknown one is
    // the user's mistake, reported like an invalid spec.
    let backend = match desired::control_plane(hc, &ctx.settings) {
        Ok(b) => b,
        Err(message) => {
            let validity = Validity::Invalid {
                reason: "InvalidHostedCluster".into(),
                message,
            };
            return refused(hc, ctx, validity).await;
        }
    };

    // 1. Inputs, from the caches.
    let inputs = inputs::read(&ctx.caches, hc, platform.as_ref(), backend.as_ref()).await?;
    // 2. The desired state, built once (or why it cannot be built: conditions, not errors).
    let capi = ctx.capi();
    let built = desired::build(
        hc,
        &inputs,
        platform.as_ref(),
        backend.as_ref(),
        &ctx.settings,
        capi,
    )?;
    let mut facts = ClusterFacts {
        validity: built.validity,
        credentials: built.credentials,
        infra: InfraFact::NotCreated,
        control_plane_ready: inputs.control_plane_ready(),
        endpoint: inputs.endpoint().cloned(),
        kubeconfig: None,
        invalid_node_pools: Vec::new(),
    };
    let mut report = Report::default();
    if let Some(state) = built.state {
        let state = converge(hc, ctx, state, capi, &mut report).await?;
        // 8a. Status of each NodePool, from what the pass left live.
        facts.infra = publish::infra_fact(&state.desired, &state.live);
        facts.kubeconfig = publish::kubeconfig_fact(&state.desired, &state.live);
        facts.invalid_node_pools = state
            .desired
            .node_pool_errors()
            .map(|(n, _)| n.to_string())
            .collect();
        report.pools_ready = publish::node_pools(
            ctx,
            hc,
            platform.as_ref(),
            &inputs,
            &state.desired,
            &state.live,
        )
        .await?;
    }
    // 8b. Status of the HostedCluster.
    report.status_written = publish::hosted_cluster(hc, &facts, ctx).await?;
    report.facts = Some(facts);
    Ok(report)
}

/// The desired state after the pass, and what is live.
struct Converged {
    desired: DesiredState,
    live: apply::Live,
}

/// Steps 3–7: from the built state to the API server.
async fn converge(
    hc: &HostedCluster,
    ctx: &Context,
    mut state: DesiredState,
    capi: CapiVersion,
    report: &mut Report,
) -> Result<Converged, Error> {
    // 3. What we own live (from the caches), and the kinds applied recorded on the namespace.
    let mut live = {
        let desired: Vec<_> = state.objects().cloned().collect();
        let cluster = hc.metadata.name.as_deref().unwrap_or_default();
        let ns = &state.control_plane_namespace;
        apply::live::read(&ctx.caches, &ctx.records, ns, cluster, capi, &desired).await?
    };
    kinds::record(&mut state, &live);
    // 4. Owner and hash, once each (the first pass applies the namespace and the
    //    HostedControlPlane first: the owner's uid is needed for the rest).
    let roots = owner::stamp_roots(&mut state);
    let (owner, roots) = owner::ensure(&ctx.client, &ctx.records, &roots, &mut live).await?;
    let objects = owner::stamp(&mut state, owner.as_ref());
    // 5. Diff against live. A NodePool that failed to build keeps its live objects.
    let keep_pools: BTreeSet<String> = state
        .node_pool_errors()
        .map(|(n, _)| n.to_string())
        .collect();
    let diff = apply::diff::diff(&objects, &live, &ctx.records, &keep_pools);
    // 6. Apply, then prune.
    let applied = apply::apply_all(&ctx.client, &ctx.records, &diff.apply, &mut live).await?;
    let pruned = apply::prune(&ctx.client, &ctx.records, &diff.prune, &mut live).await?;
    // 7. Say what was written.
    report.applied = roots.applied.into_iter().chain(applied.applied).collect();
    report.pruned = pruned;
    report.normalised = roots
        .normalised
        .into_iter()
        .chain(applied.normalised)
        .collect();
    let obj_ref = hc.object_ref(&());
    announce::writes(
        ctx,
        &obj_ref,
        &report.applied,
        &report.pruned,
        &report.normalised,
    )
    .await;
    Ok(Converged {
        desired: state,
        live,
    })
}

/// `spec.pausedUntil`: a paused cluster says so in its status and is not read or written
/// further (see `pause`).
async fn paused(hc: &HostedCluster, ctx: &Context) -> Result<Option<Report>, Error> {
    let p = pause(
        hc.spec.paused_until.as_deref(),
        k8s_openapi::jiff::Timestamp::now(),
    );
    let message = match &p {
        Pause::Active => return Ok(None),
        Pause::Invalid(v) => {
            tracing::warn!(
                value = v,
                "spec.pausedUntil is neither true/false nor an RFC 3339 time; not pausing"
            );
            return Ok(None);
        }
        Pause::Until(t) => format!("Reconciliation paused until {t} (spec.pausedUntil)"),
        Pause::Indefinitely => "Reconciliation paused until spec.pausedUntil changes".to_string(),
    };
    let change = status::write_hosted_cluster(
        &ctx.client,
        &ctx.records,
        hc,
        &[hc_status::paused(message)],
        hc.status
            .as_ref()
            .and_then(|s| s.control_plane_endpoint.as_ref()),
        None,
    )
    .await?;
    Ok(Some(Report {
        status_written: change.is_some(),
        paused: Some(p),
        ..Default::default()
    }))
}

/// A HostedCluster this operator cannot build at all (a platform or control-plane backend it
/// does not link): a condition, nothing else.
async fn refused(hc: &HostedCluster, ctx: &Context, validity: Validity) -> Result<Report, Error> {
    let facts = ClusterFacts {
        validity,
        credentials: CredentialsFact::Unknown,
        infra: InfraFact::NotCreated,
        control_plane_ready: None,
        endpoint: None,
        kubeconfig: None,
        invalid_node_pools: Vec::new(),
    };
    Ok(Report {
        status_written: publish::hosted_cluster(hc, &facts, ctx).await?,
        facts: Some(facts),
        ..Default::default()
    })
}
