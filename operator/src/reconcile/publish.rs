//! Pipeline step 8: status. The HostedCluster's conditions and each NodePool's status, written
//! only when they change, with an Event per changed condition.

use super::inputs::Inputs;
use crate::apply::{Live, ObjectKey};
use crate::cache::owned::Labelled;
use crate::context::Context;
use crate::error::Error;
use crate::status::{self, conditions, hosted_cluster as hc_status, node_pool as np_status};
use hc_status::{ClusterFacts, InfraFact};
use kube::Resource;
use kube::api::DynamicObject;
use platform_api::Platform;
use platform_api::api::HostedCluster;
use platform_api::desired::{DesiredState, Role};

/// Whether the infrastructure object (if the platform builds one) exists and reports ready.
pub fn infra_fact(state: &DesiredState, live: &Live) -> InfraFact {
    let Some(infra) = state.objects().find(|o| o.role == Role::InfraCluster) else {
        return InfraFact::NotRequired;
    };
    match live.get(&ObjectKey::of_desired(infra)) {
        None => InfraFact::NotCreated,
        Some(o) => InfraFact::Ready(hc_status::infra_reports_ready(&o.data)),
    }
}

/// The admin kubeconfig copy's name once it is live: what `status.kubeconfig` points at.
pub fn kubeconfig_fact(state: &DesiredState, live: &Live) -> Option<String> {
    let copy = state.objects().find(|o| o.role == Role::AdminKubeconfig)?;
    live.get(&ObjectKey::of_desired(copy))
        .map(|_| copy.name().to_string())
}

/// Writes each NodePool's status when it changed; returns whether all of them are Ready.
pub async fn node_pools(
    ctx: &Context,
    hc: &HostedCluster,
    platform: &dyn Platform,
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
        let mut desired =
            np_status::desired_status(np, build_error.clone(), live.get(&md_key), &now);
        // Only a valid pool is checked, and mirrors its machines; one that is not (or no
        // longer) has none of those conditions.
        let machines = match build_error {
            None => pool_machines(ctx, platform, &state.control_plane_namespace, &name).await?,
            Some(_) => Vec::new(),
        };
        let (capacity, mirrored) = match build_error {
            None => (
                super::capacity::condition(ctx, hc, platform, inputs, np, &machines).await,
                platform.node_pool_machine_conditions(np, &machines),
            ),
            Some(_) => (None, Vec::new()),
        };
        np_status::set_condition(
            &mut desired,
            super::capacity::CAPACITY_AVAILABLE,
            capacity,
            np.metadata.generation,
            &now,
        );
        for type_ in platform.machine_condition_types() {
            let cond = mirrored.iter().find(|c| c.type_ == type_).map(|c| {
                let status = match c.status {
                    Some(true) => conditions::TRUE,
                    Some(false) => conditions::FALSE,
                    None => conditions::UNKNOWN,
                };
                conditions::Cond::new(type_, status, c.reason.clone(), c.message.clone())
            });
            np_status::set_condition(&mut desired, type_, cond, np.metadata.generation, &now);
        }
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

/// The platform's machine objects of one pool: in the control-plane namespace, labelled by CAPI
/// with the pool's MachineDeployment (named after the pool). Read from a cache that watches
/// the kind whole (CAPI's objects carry no label of ours), started on first use.
async fn pool_machines(
    ctx: &Context,
    platform: &dyn Platform,
    namespace: &str,
    pool: &str,
) -> Result<Vec<DynamicObject>, Error> {
    let kinds = platform.machine_status_kinds();
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let served = ctx.caches.catalog.current();
    let mut out = Vec::new();
    for k in kinds {
        // A kind the server does not serve has no objects.
        let Some((res, true)) = served.newest_in_group(&k.group, &k.kind) else {
            continue;
        };
        let cache = ctx
            .caches
            .owned
            .synced(res, true, Labelled::Anyone, ctx.caches.sync_timeout)
            .await?;
        out.extend(
            cache
                .in_namespace(namespace)
                .into_iter()
                .filter(|o| {
                    o.metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get(MACHINE_DEPLOYMENT_NAME_LABEL))
                        .is_some_and(|v| v == pool)
                })
                .map(std::sync::Arc::unwrap_or_clone),
        );
    }
    Ok(out)
}

/// The label CAPI puts on a MachineDeployment's machines (and their infrastructure machines).
const MACHINE_DEPLOYMENT_NAME_LABEL: &str = "cluster.x-k8s.io/deployment-name";

/// Writes the HostedCluster's conditions from `facts` when they changed; returns whether it
/// wrote.
pub async fn hosted_cluster(
    hc: &HostedCluster,
    facts: &ClusterFacts,
    ctx: &Context,
) -> Result<bool, Error> {
    let conds = hc_status::conditions(facts);
    conditions_of(
        hc,
        &conds,
        facts.endpoint.as_ref(),
        facts.kubeconfig.as_deref(),
        ctx,
    )
    .await
}

/// Writes `conds` (merged into the HostedCluster's other conditions) when they changed, with a
/// Normal Event for each that turned True and a Warning for each that turned anything else.
pub async fn conditions_of(
    hc: &HostedCluster,
    conds: &[conditions::Cond],
    endpoint: Option<&platform_api::api::ApiEndpoint>,
    kubeconfig: Option<&str>,
    ctx: &Context,
) -> Result<bool, Error> {
    let change =
        status::write_hosted_cluster(&ctx.client, &ctx.records, hc, conds, endpoint, kubeconfig)
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
