//! Deletion, in order: NodePools → MachineDeployments → CAPI Cluster (each waited for) →
//! the platform's orphaned-machine cleanup → credential objects → control-plane namespace.
//! Every step looks at the live state first, so a restart at any point resumes where it left
//! off; objects already being deleted are not deleted again (no write while waiting).

use super::inputs::{self, namespace_of};
use crate::apply::ObjectKey;
use crate::context::Context;
use crate::error::Error;
use crate::names::SKIP_NAMESPACE_DELETION_ANNOTATION;
use kube::Resource;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams};
use platform_api::api::{HostedCluster, NodePool};
use platform_api::desired::labels::cluster_selector;
use platform_api::platform::{CleanupContext, PlatformError};

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
pub enum CleanupError {
    #[error("listing {kind} for deletion failed: {source}; check the operator's RBAC")]
    DeletionListFailed { kind: String, source: kube::Error },
    #[error("deleting {object} failed: {source}; check the operator's RBAC, or delete it by hand")]
    DeleteFailed { object: String, source: kube::Error },
    #[error(
        "releasing orphaned machines failed: {0}; fix access to the platform (its credentials Secret) and the operator retries"
    )]
    OrphanedMachineCleanupFailed(PlatformError),
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
        let left = delete_labelled(client, &cp_ns, &res, &selector).await?;
        if left > 0 {
            return Ok(Progress::Waiting(format!("{left} {kind}(s) to go")));
        }
    }

    // 4. Machines CAPI did not release. Credentials are read again (missing is fine: the
    // platform decides what it can do without them).
    if let Ok(platform) = platform_api::platform_for(&hc.spec.platform.type_) {
        ctx.caches
            .inputs_synced()
            .await
            .map_err(inputs::ReadError::from)?;
        let creds = inputs::credentials(&ctx.caches, hc, platform.as_ref());
        let outcome = platform
            .cleanup_orphaned_machines(&CleanupContext {
                hosted_cluster: hc,
                credentials: creds.data(),
            })
            .await
            .map_err(CleanupError::OrphanedMachineCleanupFailed)?;
        if !outcome.released.is_empty() {
            ctx.events
                .normal(
                    &hc.object_ref(&()),
                    "ReleasedOrphanedMachines",
                    outcome.released.join(", "),
                )
                .await;
        }
        if !outcome.pending.is_empty() {
            return Ok(Progress::Waiting(format!(
                "platform cleanup pending: {}",
                outcome.pending.join(", ")
            )));
        }

        // 5. Credential objects; a missing one is fine.
        for r in platform.credential_objects(hc, &cp_ns) {
            let Ok(gv) = r.api_version.parse::<kube::core::GroupVersion>() else {
                tracing::warn!(
                    api_version = r.api_version,
                    "platform named a credential object with an invalid apiVersion; skipped"
                );
                continue;
            };
            let res = ApiResource::from_gvk(&gv.with_kind(&r.kind));
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &r.namespace, &res);
            delete(&api, &r.name, &r.kind).await?;
        }
    }

    // 6. The namespace (cascades to everything in it), or, when asked to keep it, everything we
    // labelled in it.
    if skip_namespace_deletion(hc) {
        for res in owned_kinds(hc, client, ctx.capi()).await? {
            delete_labelled(client, &cp_ns, &res, &selector).await?;
        }
    } else {
        let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
        match api.get_opt(&cp_ns).await {
            Ok(Some(n)) if n.metadata.deletion_timestamp.is_none() => {
                delete(&api, &cp_ns, "Namespace").await?;
            }
            Ok(_) => {}
            Err(source) => {
                return Err(CleanupError::DeletionListFailed {
                    kind: "Namespace".into(),
                    source,
                }
                .into());
            }
        }
    }
    Ok(Progress::Done)
}

/// CAPI's convention: every infrastructure provider serves its kinds from this group.
const INFRASTRUCTURE_GROUP: &str = "infrastructure.cluster.x-k8s.io";

/// Kinds we may have created in the control-plane namespace: those of the cluster-level build
/// (credentials as placeholders: only the kinds matter) and every namespaced kind of the CAPI
/// infrastructure group, found by discovery (machine templates: their NodePools, which would
/// tell their kind, are gone by now).
async fn owned_kinds(
    hc: &HostedCluster,
    client: &kube::Client,
    capi: platform_api::desired::capi::CapiVersion,
) -> Result<Vec<ApiResource>, CleanupError> {
    let mut kinds = std::collections::BTreeMap::new();
    let hcp = ApiResource::erase::<platform_api::api::HostedControlPlane>(&());
    kinds.insert((hcp.api_version.clone(), hcp.kind.clone()), hcp);
    if let Ok(platform) = platform_api::platform_for(&hc.spec.platform.type_) {
        let settings = platform_api::platform::PlatformSettings::default();
        let inputs = platform_api::desired::ClusterInputs {
            hosted_cluster: hc,
            node_pools: &[],
            credentials: None,
            api_endpoint: None,
            missing_secrets: platform_api::platform::MissingSecrets::Placeholder,
            settings: &settings,
            capi,
            control_plane_status: None,
            control_plane_secrets: &[],
            bootstrap_tokens: &Default::default(),
        };
        let backend = super::plan::control_plane(hc, &settings);
        let state = backend.ok().and_then(|b| {
            platform_api::desired::build(&inputs, platform.as_ref(), b.as_ref()).ok()
        });
        if let Some(state) = state {
            for o in state
                .cluster_objects
                .iter()
                .filter(|o| o.namespace().is_some())
            {
                kinds
                    .entry((o.api_version().to_string(), o.kind().to_string()))
                    .or_insert_with(|| o.resource.clone());
            }
        }
    }
    let discovery = kube::discovery::Discovery::new(client.clone())
        .filter(&[INFRASTRUCTURE_GROUP])
        .run()
        .await
        .map_err(|source| CleanupError::DeletionListFailed {
            kind: format!("API discovery of {INFRASTRUCTURE_GROUP}"),
            source,
        })?;
    for group in discovery.groups() {
        for (res, caps) in group.recommended_resources() {
            if caps.scope == kube::discovery::Scope::Namespaced {
                kinds
                    .entry((res.api_version.clone(), res.kind.clone()))
                    .or_insert(res);
            }
        }
    }
    Ok(kinds.into_values().collect())
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
    match api.delete(name, &DeleteParams::background()).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
        Err(source) => Err(CleanupError::DeleteFailed {
            object: format!("{kind} {name}"),
            source,
        }),
    }
}

/// Deletes every labelled object of one kind that is not already going; returns how many exist.
async fn delete_labelled(
    client: &kube::Client,
    namespace: &str,
    resource: &ApiResource,
    selector: &str,
) -> Result<usize, CleanupError> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, resource);
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
pub async fn reconcile(hc: &HostedCluster, ctx: &Context) -> Result<Progress, Error> {
    let progress = run(hc, ctx).await?;
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
        Progress::Waiting(what) => tracing::info!(what, "deletion waiting"),
    }
    Ok(progress)
}
