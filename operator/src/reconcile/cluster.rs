//! The HostedCluster apply pipeline: read inputs → plan (validate + build) → apply → status.

use super::inputs::{self, Inputs};
use super::pause::{Pause, pause};
use super::plan;
use crate::apply::{self, Live, ObjectKey, hash};
use crate::context::Context;
use crate::error::Error;
use crate::status::{self, conditions, hosted_cluster as hc_status, node_pool as np_status};
use hc_status::{ClusterFacts, CredentialsFact, InfraFact, Validity};
use kube::Resource;
use kube::runtime::controller::Action;
use platform_api::api::HostedCluster;
use platform_api::desired::capi::CapiVersion;
use platform_api::desired::{DesiredObject, DesiredState, Role};
use std::collections::BTreeSet;

/// What one apply pass did, for the caller's decision on requeueing and for tests.
#[derive(Debug, Default)]
pub struct Report {
    pub applied: Vec<ObjectKey>,
    pub pruned: Vec<ObjectKey>,
    pub status_written: bool,
    /// Objects the server did not store as applied (the loop guard fired for them).
    pub normalised: Vec<apply::Normalised>,
    pub facts: Option<ClusterFacts>,
    /// Every NodePool reports Ready.
    pub pools_ready: bool,
    /// Set when `spec.pausedUntil` stopped this pass before it read anything.
    pub paused: Option<Pause>,
}

/// Reconciles a HostedCluster that holds our finalizer and is not being deleted.
pub async fn reconcile(hc: &HostedCluster, ctx: &Context) -> Result<Action, Error> {
    let report = run(hc, ctx).await?;
    Ok(next(&report, ctx))
}

/// When to look again: never on its own while blocked on the user's input (a change to the
/// HostedCluster, a NodePool or the Secret triggers us); soon while converging; rarely when done.
fn next(report: &Report, ctx: &Context) -> Action {
    if let Some(Pause::Until(t)) = &report.paused {
        let left = t.duration_since(k8s_openapi::jiff::Timestamp::now());
        let left = std::time::Duration::try_from(left).unwrap_or_default();
        return Action::requeue(left + std::time::Duration::from_secs(1));
    }
    let Some(f) = &report.facts else {
        return Action::await_change();
    };
    let blocked = f.validity != Validity::Valid
        || matches!(
            f.credentials,
            CredentialsFact::Missing { .. } | CredentialsFact::Invalid { .. }
        );
    if blocked {
        return Action::await_change();
    }
    let converged = report.pools_ready
        && f.control_plane_ready == Some(true)
        && matches!(f.infra, InfraFact::NotRequired | InfraFact::Ready(true));
    if converged {
        Action::requeue(ctx.resync_interval)
    } else {
        Action::requeue(ctx.poll_interval)
    }
}

pub async fn run(hc: &HostedCluster, ctx: &Context) -> Result<Report, Error> {
    match pause(
        hc.spec.paused_until.as_deref(),
        k8s_openapi::jiff::Timestamp::now(),
    ) {
        Pause::Active => {}
        Pause::Invalid(v) => tracing::warn!(
            value = v,
            "spec.pausedUntil is neither true/false nor an RFC 3339 time; not pausing"
        ),
        p => {
            let message = match &p {
                Pause::Until(t) => format!("Reconciliation paused until {t} (spec.pausedUntil)"),
                _ => "Reconciliation paused until spec.pausedUntil changes".to_string(),
            };
            let change = status::write_hosted_cluster(
                &ctx.client,
                &ctx.records,
                hc,
                &[hc_status::paused(message)],
                hc.status
                    .as_ref()
                    .and_then(|s| s.control_plane_endpoint.as_ref()),
            )
            .await?;
            return Ok(Report {
                status_written: change.is_some(),
                paused: Some(p),
                ..Default::default()
            });
        }
    }
    // Everything platform-specific goes through the registry; an unknown type is a condition.
    let lookup = platform_api::platform_for(&hc.spec.platform.type_);
    let platform = match lookup {
        Ok(p) => p,
        Err(e) => {
            let facts = ClusterFacts {
                validity: Validity::UnknownPlatform(format!("spec.platform.type: {e}")),
                credentials: CredentialsFact::Unknown,
                infra: InfraFact::NotCreated,
                control_plane_ready: None,
                endpoint: None,
                invalid_node_pools: Vec::new(),
            };
            let written = write_status(hc, &facts, ctx).await?;
            return Ok(Report {
                status_written: written,
                facts: Some(facts),
                ..Default::default()
            });
        }
    };
    // The control-plane backend, by annotation or the operator's default; an unknown one is
    // the user's mistake, reported like an invalid spec.
    let backend = match plan::control_plane(hc, &ctx.settings) {
        Ok(b) => b,
        Err(e) => {
            let facts = ClusterFacts {
                validity: Validity::Invalid {
                    reason: "InvalidHostedCluster".into(),
                    message: e,
                },
                credentials: CredentialsFact::Unknown,
                infra: InfraFact::NotCreated,
                control_plane_ready: None,
                endpoint: None,
                invalid_node_pools: Vec::new(),
            };
            let written = write_status(hc, &facts, ctx).await?;
            return Ok(Report {
                status_written: written,
                facts: Some(facts),
                ..Default::default()
            });
        }
    };
    let inputs = inputs::read(&ctx.caches, hc, platform.as_ref(), backend.as_ref()).await?;
    let capi = ctx.capi();
    let planned = plan::plan(
        hc,
        &inputs,
        platform.as_ref(),
        backend.as_ref(),
        &ctx.settings,
        capi,
    )?;
    let mut report = Report::default();
    let mut facts = ClusterFacts {
        validity: planned.validity.clone(),
        credentials: planned.credentials.clone(),
        infra: InfraFact::NotCreated,
        control_plane_ready: inputs.control_plane_ready(),
        endpoint: inputs.endpoint().cloned(),
        invalid_node_pools: Vec::new(),
    };
    if let Some(state) = planned.state {
        let (final_state, live) = apply_state(hc, ctx, state, capi, &mut report).await?;
        facts.infra = infra_fact(&final_state, &live);
        facts.invalid_node_pools = final_state
            .node_pool_errors()
            .map(|(n, _)| n.to_string())
            .collect();
        report.pools_ready = write_node_pools(ctx, &inputs, &final_state, &live).await?;
    }
    report.status_written = write_status(hc, &facts, ctx).await?;
    report.facts = Some(facts);
    Ok(report)
}

/// Stamps the desired hash on every object, in apply order.
fn stamped(state: &DesiredState) -> Vec<DesiredObject> {
    state
        .objects()
        .cloned()
        .map(|mut o| {
            hash::stamp(&mut o);
            o
        })
        .collect()
}

/// Applies the desired state. The HostedControlPlane must exist before anything that it owns,
/// so on the first pass the namespace and the HostedControlPlane go first; then its uid is the
/// owner of the rest.
async fn apply_state(
    hc: &HostedCluster,
    ctx: &Context,
    mut state: DesiredState,
    capi: CapiVersion,
    report: &mut Report,
) -> Result<(DesiredState, Live), Error> {
    // Live state first (from the caches): the owner of everything is the live
    // HostedControlPlane, so its uid must be known before anything is stamped.
    let desired: Vec<DesiredObject> = state.objects().cloned().collect();
    let cluster = hc.metadata.name.as_deref().unwrap_or_default();
    let mut live = apply::live::read(
        &ctx.caches,
        &ctx.records,
        &state.control_plane_namespace,
        cluster,
        capi,
        &desired,
    )
    .await?;
    let mut normalised = Vec::new();
    let hcp_key = desired
        .iter()
        .find(|o| o.role == Role::ControlPlane)
        .map(ObjectKey::of_desired)
        .expect("desired::build always emits a HostedControlPlane");
    if live.get(&hcp_key).is_none() {
        // The namespace and the HostedControlPlane are never owned, so their stamps do not
        // change once the owner is known.
        for mut obj in desired
            .into_iter()
            .filter(|o| matches!(o.role, Role::Namespace | Role::ControlPlane))
        {
            hash::stamp(&mut obj);
            normalised.extend(apply::apply_one(&ctx.client, &ctx.records, &obj, &mut live).await?);
            ctx.metrics.applied(obj.kind());
            report.applied.push(ObjectKey::of_desired(&obj));
        }
    }
    if let Some(owner) = live.get(&hcp_key).and_then(plan::owner_ref) {
        state.set_owner(&owner);
    }
    let objects = stamped(&state);
    let keep_pools: BTreeSet<String> = state
        .node_pool_errors()
        .map(|(n, _)| n.to_string())
        .collect();
    let diff = apply::diff::diff(&objects, &live, &ctx.records, &keep_pools);
    let outcome = apply::execute(&ctx.client, &ctx.records, &diff, &mut live).await?;
    for k in &outcome.applied {
        ctx.metrics.applied(&k.kind);
    }
    normalised.extend(outcome.normalised);
    report.applied.extend(outcome.applied);
    report.pruned.extend(outcome.pruned);
    let obj_ref = hc.object_ref(&());
    for n in &normalised {
        for field in &n.fields {
            ctx.metrics.normalised(&n.object.kind, field);
        }
        ctx.events
            .warning(
                &obj_ref,
                "ServerNormalizes",
                format!(
                    "the API server does not store {} as applied (fields {}); it is no longer re-applied for them. The server's CRD version or schema differs from what the operator writes: check the CRDs installed",
                    n.object,
                    n.fields.join(", ")
                ),
            )
            .await;
    }
    report.normalised.extend(normalised);
    if !report.applied.is_empty() {
        let names: Vec<String> = report.applied.iter().map(|k| k.to_string()).collect();
        ctx.events
            .normal(
                &obj_ref,
                "Applied",
                format!("applied {} object(s): {}", names.len(), names.join(", ")),
            )
            .await;
    }
    if !report.pruned.is_empty() {
        let names: Vec<String> = report.pruned.iter().map(|k| k.to_string()).collect();
        ctx.events
            .normal(
                &obj_ref,
                "Pruned",
                format!(
                    "deleted {} object(s) no longer desired: {}",
                    names.len(),
                    names.join(", ")
                ),
            )
            .await;
    }
    Ok((state, live))
}

fn infra_fact(state: &DesiredState, live: &Live) -> InfraFact {
    let Some(infra) = state.objects().find(|o| o.role == Role::InfraCluster) else {
        return InfraFact::NotRequired;
    };
    match live.get(&ObjectKey::of_desired(infra)) {
        None => InfraFact::NotCreated,
        Some(o) => InfraFact::Ready(crate::status::hosted_cluster::infra_reports_ready(&o.data)),
    }
}

/// Writes each NodePool's status when it changed; returns whether all of them are Ready.
async fn write_node_pools(
    ctx: &Context,
    inputs: &Inputs,
    state: &DesiredState,
    live: &Live,
) -> Result<bool, Error> {
    let now = status::now();
    let mut all_ready = true;
    for np in &inputs.node_pools {
        let name = np.metadata.name.clone().unwrap_or_default();
        let build_error = state
            .node_pools
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.result.as_ref().err())
            .map(|e| (e.reason(), e.to_string()));
        let md_key = ObjectKey {
            group: platform_api::desired::capi::CAPI_GROUP.into(),
            kind: "MachineDeployment".into(),
            namespace: Some(state.control_plane_namespace.clone()),
            name: name.clone(),
        };
        let desired = np_status::desired_status(np, build_error.clone(), live.get(&md_key), &now);
        all_ready &= conditions::find(&desired.conditions, conditions::READY)
            .is_some_and(|c| c.status == conditions::TRUE);
        let was_valid = np
            .status
            .as_ref()
            .and_then(|s| conditions::find(&s.conditions, conditions::VALID_CONFIGURATION))
            .map(|c| c.status == conditions::TRUE);
        // Warn when a pool becomes invalid, not on every pass while it stays so.
        if status::write_node_pool(&ctx.client, &ctx.records, np, &desired).await?
            && let Some((reason, message)) = build_error.filter(|_| was_valid != Some(false))
        {
            ctx.events
                .warning(&np.object_ref(&()), reason, message)
                .await;
        }
    }
    Ok(all_ready)
}

/// Writes the HostedCluster's status when it changed, with an Event per changed condition.
async fn write_status(
    hc: &HostedCluster,
    facts: &ClusterFacts,
    ctx: &Context,
) -> Result<bool, Error> {
    let conds = hc_status::conditions(facts);
    let change = status::write_hosted_cluster(
        &ctx.client,
        &ctx.records,
        hc,
        &conds,
        facts.endpoint.as_ref(),
    )
    .await?;
    let Some(change) = change else {
        return Ok(false);
    };
    let obj_ref = hc.object_ref(&());
    for (type_, status, reason) in change.changed {
        let message = conds
            .iter()
            .find(|c| c.type_ == type_)
            .map(|c| c.message.clone())
            .unwrap_or_default();
        let note = format!("{type_}={status}: {message}");
        if status == conditions::TRUE {
            ctx.events.normal(&obj_ref, &reason, note).await;
        } else {
            ctx.events.warning(&obj_ref, &reason, note).await;
        }
    }
    Ok(true)
}
