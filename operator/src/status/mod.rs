//! Status of HostedClusters and NodePools. Computing is pure (`hosted_cluster`, `node_pool`,
//! `conditions`); writing is a merge patch on `/status`, made only when the result differs from
//! what the object already has, so a no-op resync writes nothing.

pub mod conditions;
pub mod hosted_cluster;
pub mod node_pool;

use crate::apply::{ObjectKey, Records};
use conditions::{Cond, merge};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, Patch, PatchParams};
use platform_api::api::{ApiEndpoint, HostedCluster, NodePool, NodePoolStatus};
use serde_json::json;

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
pub enum StatusError {
    #[error(
        "writing the status of HostedCluster {name} failed: {source}; check the operator may patch hostedclusters/status"
    )]
    HostedClusterStatusFailed { name: String, source: kube::Error },
    #[error(
        "writing the status of NodePool {name} failed: {source}; check the operator may patch nodepools/status"
    )]
    NodePoolStatusFailed { name: String, source: kube::Error },
}

impl StatusError {
    pub fn reason(&self) -> &'static str {
        self.into()
    }
}

pub fn now() -> Time {
    Time(k8s_openapi::jiff::Timestamp::now())
}

/// What changed on the HostedCluster's status, for Events.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct StatusChange {
    /// `(type, status, reason)` of each condition whose status or reason changed.
    pub changed: Vec<(String, String, String)>,
}

/// Writes the HostedCluster's conditions, endpoint and, when given, `status.kubeconfig` (the
/// admin kubeconfig copy's name; `None` leaves it as it is) when they differ. Returns what
/// changed.
pub async fn write_hosted_cluster(
    client: &kube::Client,
    records: &Records,
    hc: &HostedCluster,
    conds: &[Cond],
    endpoint: Option<&ApiEndpoint>,
    kubeconfig: Option<&str>,
) -> Result<Option<StatusChange>, StatusError> {
    let status = hc.status.clone().unwrap_or_default();
    let merged = merge(&status.conditions, conds, hc.metadata.generation, &now());
    let endpoint = endpoint.filter(|e| e.is_set());
    let kubeconfig =
        kubeconfig.filter(|k| status.kubeconfig.as_ref().map(|r| r.name.as_str()) != Some(*k));
    if merged == status.conditions
        && status.control_plane_endpoint.as_ref() == endpoint
        && kubeconfig.is_none()
    {
        return Ok(None);
    }
    let changed = conds
        .iter()
        .filter(|c| {
            conditions::find(&status.conditions, &c.type_)
                .is_none_or(|o| o.status != c.status || o.reason != c.reason)
        })
        .map(|c| (c.type_.clone(), c.status.to_string(), c.reason.clone()))
        .collect();
    let mut patch = json!({ "status": { "conditions": merged, "controlPlaneEndpoint": endpoint } });
    if let Some(name) = kubeconfig {
        patch["status"]["kubeconfig"] = json!({ "name": name });
    }
    patch_status(client, records, hc, &patch)
        .await
        .map_err(|source| StatusError::HostedClusterStatusFailed {
            name: hc.metadata.name.clone().unwrap_or_default(),
            source,
        })?;
    Ok(Some(StatusChange { changed }))
}

/// Writes a NodePool's status when it differs. Returns whether it wrote.
pub async fn write_node_pool(
    client: &kube::Client,
    records: &Records,
    np: &NodePool,
    desired: &NodePoolStatus,
) -> Result<bool, StatusError> {
    if np.status.as_ref() == Some(desired) {
        return Ok(false);
    }
    patch_status(client, records, np, &json!({ "status": desired }))
        .await
        .map_err(|source| StatusError::NodePoolStatusFailed {
            name: np.metadata.name.clone().unwrap_or_default(),
            source,
        })?;
    Ok(true)
}

/// A merge patch of `obj`'s status, recorded as our own write so its watch event is known as an
/// echo (see `Records::is_echo`).
async fn patch_status<K>(
    client: &kube::Client,
    records: &Records,
    obj: &K,
    patch: &serde_json::Value,
) -> Result<K, kube::Error>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
{
    let api: Api<K> = Api::namespaced(
        client.clone(),
        obj.meta().namespace.as_deref().unwrap_or("default"),
    );
    let key = ObjectKey::of_typed(obj);
    records.writing(&key);
    let name = obj.meta().name.clone().unwrap_or_default();
    let written = api
        .patch_status(&name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .inspect_err(|_| records.wrote(&key, None))?;
    records.wrote(
        &ObjectKey::of_typed(&written),
        written.meta().resource_version.as_deref(),
    );
    Ok(written)
}
