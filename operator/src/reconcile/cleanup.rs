//! Deletion, in order: NodePools → MachineDeployments → CAPI Cluster (each waited for) →
//! the platform's orphaned-machine cleanup → credential objects → the admin kubeconfig copy →
//! cluster-scoped objects → control-plane namespace.
//! Every pass first (the first before anything is deleted) adds what the platform wants
//! remembered of its machines to the teardown record ([`record`](super::record)), which the
//! cleanup gets.
//! Every step looks at the live state first, so a restart at any point resumes where it left
//! off; objects already being deleted are not deleted again (no write while waiting).

use super::inputs::{self, namespace_of};
use super::kinds;
use crate::apply::{ObjectKey, delete_if_present};
use crate::cache::Served;
use crate::context::Context;
use crate::error::Error;
use crate::names::{FINALIZER, SKIP_NAMESPACE_DELETION_ANNOTATION};
use crate::status;
use crate::status::conditions::{self, Cond, DEGRADED};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::Resource;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use platform_api::api::{CLUSTER_LABEL, HostedCluster, HostedControlPlane, NodePool};
use platform_api::desired::labels::{
    CONTROL_PLANE_NAMESPACE_REF_LABEL, MANAGED_BY_LABEL, MANAGER, cluster_selector,
};
use platform_api::platform::{CleanupContext, PlatformError};

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
pub enum CleanupError {
    #[error("listing {kind} for deletion failed: {source}; check the operator's RBAC")]
    DeletionListFailed { kind: String, source: kube::Error },
    #[error("deleting {object} failed: {source}; check the operator's RBAC, or delete it by hand")]
    DeleteFailed { object: String, source: kube::Error },
    #[error(
        "releasing orphaned machines failed: {source}; fix access to the platform (its credentials Secret): the operator retries until {give_up_at} (--orphan-cleanup-timeout), then deletes the cluster without releasing them"
    )]
    OrphanedMachineCleanupFailed {
        source: PlatformError,
        give_up_at: String,
    },
    #[error(
        "reading or writing the teardown record ConfigMap {}: {source}; check the operator's RBAC for configmaps in the control-plane namespace",
        super::record::RECORD_NAME
    )]
    TeardownRecordFailed { source: kube::Error },
    #[error(
        "spec.platform.type: {0}; this operator cannot release the platform's machines and credential objects, so deletion waits. Run an operator that links the platform, or remove the finalizer {FINALIZER} by hand to leave them behind"
    )]
    UnknownPlatform(String),
    #[error(
        "the platform names a credential object {kind} {name} with apiVersion {api_version:?}, which is not group/version; this is a bug in the platform crate"
    )]
    InvalidCredentialObject {
        api_version: String,
        kind: String,
        name: String,
    },
}

impl CleanupError {
    pub fn reason(&self) -> &'static str {
        self.into()
    }
}

/// Where deletion stands after one pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Waiting for something to go away; the message says what.
    Waiting(String),
    Done,
}

/// One deletion pass. `Ok(Done)` lets the finalizer go.
pub async fn run(hc: &HostedCluster, ctx: &Context) -> Result<Progress, Error> {
    let client = &ctx.client;
    let ns = namespace_of(hc);
    let cp_ns = hc.control_plane_namespace();
    let selector = cluster_selector(hc);

    // 0. While the machines exist, remember what the platform's cleanup will need about
    // them. An unknown platform records nothing; step 4 reports it.
    let platform = platform_api::platform_for(&hc.spec.platform.type_).ok();
    if let Some(p) = &platform {
        ctx.caches
            .inputs_synced()
            .await
            .map_err(inputs::ReadError::from)?;
        super::record::update(hc, ctx, p.as_ref(), &cp_ns).await?;
    }

    // 1. NodePools of this cluster.
    let pools: Api<NodePool> = Api::namespaced(client.clone(), &ns);
    let all = pools
        .list(&ListParams::default())
        .await
        .map_err(|source| CleanupError::DeletionListFailed {
            kind: "NodePool".into(),
            source,
        })?
        .items;
    let mine = inputs::pools_of(hc, all);
    if !mine.is_empty() {
        for np in &mine {
            if np.metadata.deletion_timestamp.is_none() {
                delete(
                    &pools,
                    np.metadata.name.as_deref().unwrap_or_default(),
                    "NodePool",
                )
                .await?;
            }
        }
        return Ok(Progress::Waiting(format!(
            "{} NodePool(s) to go",
            mine.len()
        )));
    }

    // 2. MachineDeployments, 3. the CAPI Cluster: CAPI drains and deletes machines.
    for kind in ["MachineDeployment", "Cluster"] {
        let res = ctx.capi().resource(kind);
        let left = delete_labelled(client, Some(&cp_ns), &res, &selector).await?;
        if left > 0 {
            return Ok(Progress::Waiting(format!("{left} {kind}(s) to go")));
        }
    }

    // 4. Machines CAPI did not release. An operator without the platform cannot do this (nor
    // step 5): that is an error to show, not a step to skip.
    let platform = match platform {
        Some(p) => p,
        None => platform_api::platform_for(&hc.spec.platform.type_)
            .map_err(|e| CleanupError::UnknownPlatform(e.to_string()))?,
    };
    // Credentials as the apply pipeline reads them (a cache that has not synced is an error);
    // a Secret that is gone is passed as none: the platform decides what it can do without.
    ctx.caches
        .inputs_synced()
        .await
        .map_err(inputs::ReadError::from)?;
    let creds = inputs::credentials(&ctx.caches, hc, platform.as_ref());
    let record = super::record::read(ctx, &cp_ns).await?;
    // Given up on by an earlier pass (which said so): neither tried nor reported again.
    let result = if record.abandoned.is_some() {
        Ok(Default::default())
    } else {
        platform
            .cleanup_orphaned_machines(&CleanupContext {
                hosted_cluster: hc,
                credentials: creds.data(),
                recorded: &record.entries,
            })
            .await
    };
    if let Ok(outcome) = &result
        && !outcome.released.is_empty()
    {
        ctx.events
            .normal(
                &hc.object_ref(&()),
                "ReleasedOrphanedMachines",
                outcome.released.join(", "),
            )
            .await;
    }
    let unfinished = match result {
        Ok(outcome) if outcome.pending.is_empty() => None,
        Ok(outcome) => Some(Ok(format!(
            "platform cleanup pending: {}",
            outcome.pending.join(", ")
        ))),
        Err(e) => Some(Err(e)),
    };
    if let Some(unfinished) = unfinished {
        // Retried (the error shows in Degraded) until the timeout, counted from the first
        // pass that got here; then teardown goes on, and a Warning Event says what is left.
        let started = super::record::cleanup_started(hc, ctx, &cp_ns, &record).await?;
        let give_up_at = started
            .checked_add(ctx.orphan_cleanup_timeout)
            .unwrap_or(started);
        if k8s_openapi::jiff::Timestamp::now() < give_up_at {
            return match unfinished {
                Ok(waiting) => Ok(Progress::Waiting(waiting)),
                Err(source) => Err(CleanupError::OrphanedMachineCleanupFailed {
                    source,
                    give_up_at: give_up_at.to_string(),
                }
                .into()),
            };
        }
        let why = match unfinished {
            Ok(waiting) => waiting,
            Err(e) => e.to_string(),
        };
        super::record::abandon(hc, ctx, &cp_ns, &record).await?;
        let left: Vec<&str> = record.entries.keys().map(String::as_str).collect();
        ctx.events
            .warning(
                &hc.object_ref(&()),
                "OrphanedMachineCleanupAbandoned",
                format!(
                    "gave up releasing orphaned machines after {:?} (--orphan-cleanup-timeout): {why}; \
                     check these machines in the platform by hand: {}",
                    ctx.orphan_cleanup_timeout,
                    if left.is_empty() { "none recorded".to_string() } else { left.join(", ") }
                ),
            )
            .await;
    }

    // 5. Credential objects; a missing one is fine.
    for r in platform.credential_objects(hc, &cp_ns) {
        let gv = r
            .api_version
            .parse::<kube::core::GroupVersion>()
            .map_err(|_| CleanupError::InvalidCredentialObject {
                api_version: r.api_version.clone(),
                kind: r.kind.clone(),
                name: r.name.clone(),
            })?;
        let res = ApiResource::from_gvk(&gv.with_kind(&r.kind));
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &r.namespace, &res);
        delete(&api, &r.name, &r.kind).await?;
    }

    // 5b. The admin kubeconfig copy next to the HostedCluster: outside the control-plane
    // namespace, so neither an owner nor the namespace's deletion reaches it. Only ours (by
    // label): a user's Secret of that name stays.
    delete_kubeconfig_copy(client, hc).await?;

    // 6. Cluster-scoped objects (no owner can reach them, nor the namespace's deletion), of
    // the kinds recorded on the namespace; 7. the namespace (cascades to everything in it),
    // or, when asked to keep it, everything we labelled in it, kind by kind from that list.
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let ns =
        namespaces
            .get_opt(&cp_ns)
            .await
            .map_err(|source| CleanupError::DeletionListFailed {
                kind: "Namespace".into(),
                source,
            })?;
    let recorded = ns
        .as_ref()
        .map(|n| kinds::recorded(n.metadata.annotations.as_ref()))
        .unwrap_or_default();
    let served = ctx.caches.catalog.current();
    let cluster_scoped = format!("{selector},{CONTROL_PLANE_NAMESPACE_REF_LABEL}={cp_ns}");
    for res in cluster_scoped_kinds(&recorded, &served) {
        delete_labelled(client, None, &res, &cluster_scoped).await?;
    }
    if skip_namespace_deletion(hc) {
        let records: Api<k8s_openapi::api::core::v1::ConfigMap> =
            Api::namespaced(client.clone(), &cp_ns);
        delete(&records, super::record::RECORD_NAME, "ConfigMap").await?;
        for res in applied_kinds(recorded, &served) {
            delete_labelled(client, Some(&cp_ns), &res, &selector).await?;
        }
    } else if ns.is_some_and(|n| n.metadata.deletion_timestamp.is_none()) {
        delete(&namespaces, &cp_ns, "Namespace").await?;
    }
    Ok(Progress::Done)
}

/// Deletes `<name>-admin-kubeconfig` in the HostedCluster's namespace if we made it.
async fn delete_kubeconfig_copy(
    client: &kube::Client,
    hc: &HostedCluster,
) -> Result<(), CleanupError> {
    let name = platform_api::desired::kubeconfig::admin_kubeconfig_name(
        hc.metadata.name.as_deref().unwrap_or_default(),
    );
    let api: Api<Secret> = Api::namespaced(client.clone(), &namespace_of(hc));
    let copy = api
        .get_opt(&name)
        .await
        .map_err(|source| CleanupError::DeletionListFailed {
            kind: "Secret".into(),
            source,
        })?;
    let ours = copy.is_some_and(|s| {
        let labels = s.metadata.labels.unwrap_or_default();
        labels.get(MANAGED_BY_LABEL).map(String::as_str) == Some(MANAGER)
            && labels.get(CLUSTER_LABEL) == hc.metadata.name.as_ref()
    });
    if ours {
        delete(&api, &name, "Secret").await?;
    }
    Ok(())
}

/// The cluster-scoped kinds recorded as applied that the server serves, but the Namespace.
fn cluster_scoped_kinds(recorded: &[kinds::GroupKind], served: &Served) -> Vec<ApiResource> {
    recorded
        .iter()
        .filter(|(group, kind)| !(group.is_empty() && kind == "Namespace"))
        .filter_map(|(group, kind)| match served.newest_in_group(group, kind) {
            Some((res, false)) => Some(res.clone()),
            _ => None,
        })
        .collect()
}

/// The namespaced kinds recorded as applied that the server serves (a kind it does not serve
/// has no objects), in their newest served version; the HostedControlPlane always.
fn applied_kinds(recorded: Vec<kinds::GroupKind>, served: &Served) -> Vec<ApiResource> {
    let hcp = ApiResource::erase::<HostedControlPlane>(&());
    let mut out = vec![hcp.clone()];
    for (group, kind) in recorded {
        if (group.as_str(), kind.as_str()) == (hcp.group.as_str(), hcp.kind.as_str()) {
            continue;
        }
        if let Some((res, true)) = served.newest_in_group(&group, &kind) {
            out.push(res.clone());
        }
    }
    out
}

pub fn skip_namespace_deletion(hc: &HostedCluster) -> bool {
    hc.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(SKIP_NAMESPACE_DELETION_ANNOTATION))
}

/// Deletes by name; a missing object is fine.
async fn delete<K>(api: &Api<K>, name: &str, kind: &str) -> Result<(), CleanupError>
where
    K: Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    delete_if_present(api, name)
        .await
        .map(drop)
        .map_err(|source| CleanupError::DeleteFailed {
            object: format!("{kind} {name}"),
            source,
        })
}

/// Deletes every labelled object of one kind (in `namespace`, or cluster-scoped) that is not
/// already going; returns how many exist.
async fn delete_labelled(
    client: &kube::Client,
    namespace: Option<&str>,
    resource: &ApiResource,
    selector: &str,
) -> Result<usize, CleanupError> {
    let api = crate::apply::api_for(client, resource, namespace);
    let items = match api.list(&ListParams::default().labels(selector)).await {
        Ok(l) => l.items,
        // No CRD means no objects of that kind.
        Err(kube::Error::Api(s)) if s.code == 404 => Vec::new(),
        Err(source) => {
            return Err(CleanupError::DeletionListFailed {
                kind: resource.kind.clone(),
                source,
            });
        }
    };
    for o in &items {
        if o.metadata.deletion_timestamp.is_none() {
            let key = ObjectKey::of_live(resource, o);
            delete(&api, &key.name, &resource.kind).await?;
        }
    }
    Ok(items.len())
}

/// One teardown pass with its Event and log line; the caller requeues while waiting.
///
/// A failed pass is also put on the HostedCluster as `Degraded=True` (the error policy
/// publishes the Warning Event and counts the reason), so `kubectl get` shows why deletion
/// does not progress; the next pass that gets further clears it.
pub async fn reconcile(hc: &HostedCluster, ctx: &Context) -> Result<Progress, Error> {
    let progress = match run(hc, ctx).await {
        Ok(p) => p,
        Err(e) => {
            let cond = Cond::yes(DEGRADED, e.reason(), format!("deletion failed: {e}"));
            degraded(hc, ctx, cond).await;
            return Err(e);
        }
    };
    match &progress {
        Progress::Done => {
            ctx.events
                .normal(
                    &hc.object_ref(&()),
                    "Deleted",
                    "infrastructure torn down; releasing the finalizer".into(),
                )
                .await;
        }
        Progress::Waiting(what) => {
            tracing::info!(what, "deletion waiting");
            let was_degraded = hc
                .status
                .as_ref()
                .and_then(|s| conditions::find(&s.conditions, DEGRADED))
                .is_some_and(|c| c.status == conditions::TRUE);
            if was_degraded {
                let cond = Cond::no(DEGRADED, "AsExpected", format!("deleting: {what}"));
                degraded(hc, ctx, cond).await;
            }
        }
    }
    Ok(progress)
}

/// Writes the Degraded condition. A failure to write it is logged, not returned: the error
/// being reported matters more, and the next pass writes it again.
async fn degraded(hc: &HostedCluster, ctx: &Context, cond: Cond) {
    let endpoint = hc
        .status
        .as_ref()
        .and_then(|s| s.control_plane_endpoint.as_ref());
    if let Err(e) =
        status::write_hosted_cluster(&ctx.client, &ctx.records, hc, &[cond], endpoint, None).await
    {
        tracing::warn!(error = %e, "could not write the Degraded condition of a deleting HostedCluster");
    }
}
