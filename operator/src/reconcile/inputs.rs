//! Step 1: read everything `desired::build` needs — the cluster's NodePools, its platform
//! credentials Secret, and the HostedControlPlane (for the endpoint it reports) — from the
//! watch-backed caches.

use crate::cache::owned::Labelled;
use crate::cache::{CacheError, Caches};
use kube::api::DynamicObject;
use platform_api::api::{ApiEndpoint, HostedCluster, HostedControlPlane, NodePool};
use platform_api::control_plane::{BootstrapTokens, ControlPlaneStatus, ProviderScope};
use platform_api::desired::capi::manager::WEBHOOK_TLS_SECRET;
use platform_api::desired::capi::webhook_tls::ServingCert;
use platform_api::platform::SecretData;
use platform_api::{ControlPlane, Platform};
use std::sync::Arc;

/// Variant names are the metric label and the Event reason.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    NotSynced(#[from] CacheError),
    /// The CAPI manager's webhook certificate could not be made (no key from the crypto
    /// library): nothing the user can fix; retried.
    #[error("cannot generate the CAPI manager's webhook certificate ({WEBHOOK_TLS_SECRET}): {0}")]
    WebhookCertificate(String),
}

impl ReadError {
    pub fn reason(&self) -> &'static str {
        match self {
            ReadError::NotSynced(e) => e.reason(),
            ReadError::WebhookCertificate(_) => "WebhookCertificate",
        }
    }
}

/// The platform credentials Secret, as found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credentials {
    /// The platform names no Secret.
    NotRequired,
    Found(SecretData),
    Missing {
        namespace: String,
        name: String,
    },
}

impl Credentials {
    pub fn data(&self) -> Option<&SecretData> {
        match self {
            Credentials::Found(d) => Some(d),
            _ => None,
        }
    }
}

/// Everything read for one reconcile.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// Pools whose `spec.clusterName` is this cluster, sorted by name.
    pub node_pools: Vec<NodePool>,
    pub credentials: Credentials,
    pub control_plane: Option<HostedControlPlane>,
    /// The backend's reading of the live control-plane object (whatever its kind).
    pub control_plane_status: Option<ControlPlaneStatus>,
    /// The control-plane namespace's Secrets the backend reads (and the kubeconfig Secret).
    pub control_plane_secrets: Vec<SecretData>,
    /// Each pool's bootstrap token: read back from its Secret, or generated.
    pub bootstrap_tokens: BootstrapTokens,
    /// The per-namespace CAPI manager's webhook certificate: read back from its Secret, or
    /// made anew when missing or due; `None` when no manager runs in the namespace.
    pub capi_webhook_tls: Option<ServingCert>,
}

impl Inputs {
    /// The endpoint the control plane reports, once it has one (the backend's reading, so
    /// any backend's object counts, not only a HostedControlPlane).
    pub fn endpoint(&self) -> Option<&ApiEndpoint> {
        self.control_plane_status
            .as_ref()?
            .endpoint
            .as_ref()
            .filter(|e| e.is_set())
    }

    /// Whether the backend's control-plane object reports ready; `None` before it exists.
    pub fn control_plane_ready(&self) -> Option<bool> {
        self.control_plane_status.as_ref().map(|c| c.ready)
    }
}

pub fn namespace_of(hc: &HostedCluster) -> String {
    hc.metadata
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into())
}

/// The pools of `hc` among `pools`, sorted by name (pure; used by the mapper and by `read`).
pub fn pools_of(hc: &HostedCluster, pools: impl IntoIterator<Item = NodePool>) -> Vec<NodePool> {
    let name = hc.metadata.name.as_deref().unwrap_or_default();
    let mut out: Vec<NodePool> = pools
        .into_iter()
        .filter(|p| p.spec.cluster_name == name)
        .collect();
    out.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    out
}

/// The Secret the platform reads credentials from, as `(namespace, name)`.
pub fn credentials_ref(hc: &HostedCluster, platform: &dyn Platform) -> Option<(String, String)> {
    platform
        .credentials_secret_name(hc)
        .map(|n| (namespace_of(hc), n))
}

/// The platform's credentials Secret, from the Secret cache.
pub fn credentials(caches: &Caches, hc: &HostedCluster, platform: &dyn Platform) -> Credentials {
    match credentials_ref(hc, platform) {
        None => Credentials::NotRequired,
        Some((namespace, name)) => match caches.secrets.get(&namespace, &name) {
            Some(s) => Credentials::Found(SecretData::from_secret(&s)),
            None => Credentials::Missing { namespace, name },
        },
    }
}

/// Reads the inputs from the caches (no API request once they have listed).
pub async fn read(
    caches: &Caches,
    hc: &HostedCluster,
    platform: &dyn Platform,
    backend: &dyn ControlPlane,
) -> Result<Inputs, ReadError> {
    caches.inputs_synced().await?;
    let ns = namespace_of(hc);
    let node_pools = caches
        .node_pools
        .store
        .state_filter(|np| np.metadata.namespace.as_deref() == Some(ns.as_str()))
        .into_iter()
        .map(Arc::unwrap_or_clone);
    let node_pools = pools_of(hc, node_pools);

    let credentials = credentials(caches, hc, platform);

    let cp_ns = hc.control_plane_namespace();
    let cp_ref = backend.control_plane_ref(hc);
    // HostedControlPlanes have their own typed cache; any other backend's object (a
    // KamajiControlPlane) is read from the owned cache of its kind, which we applied it through.
    let hcp_resource = kube::api::ApiResource::erase::<HostedControlPlane>(&());
    let is_hcp =
        cp_ref.resource.group == hcp_resource.group && cp_ref.resource.kind == hcp_resource.kind;
    let control_plane = if is_hcp {
        caches
            .control_planes
            .get(&cp_ns, &cp_ref.name)
            .map(Arc::unwrap_or_clone)
    } else {
        None
    };
    let live_control_plane: Option<DynamicObject> = match &control_plane {
        Some(hcp) => Some(
            serde_json::to_value(hcp)
                .and_then(serde_json::from_value)
                .expect("a typed object is a valid dynamic object"),
        ),
        None if !is_hcp => caches
            .owned
            .running(&cp_ref.resource.api_version, &cp_ref.resource.kind)
            .and_then(|c| c.get(Some(&cp_ns), &cp_ref.name))
            .map(Arc::unwrap_or_clone),
        None => None,
    };
    let control_plane_status = live_control_plane
        .as_ref()
        .map(|live| backend.observe(live));
    let mut wanted = backend.input_secrets(hc);
    wanted.extend(
        control_plane_status
            .as_ref()
            .and_then(|s| s.kubeconfig.as_ref())
            .map(|k| k.name.clone()),
    );
    let control_plane_secrets = wanted
        .iter()
        .filter_map(|name| secret(caches, &cp_ns, name))
        .collect();
    let mut bootstrap_tokens = BootstrapTokens::default();
    let runs_manager = backend.provider_scope() == ProviderScope::PerNamespace
        && !platform_api::desired::machine_management_disabled(hc);
    if runs_manager
        || node_pools
            .iter()
            .any(|np| backend.bootstrap_token_secret(np).is_some())
    {
        // Token and webhook-certificate Secrets are ours: read them from the owned cache once
        // it has listed, or a restart would mint new tokens and keys for Secrets that exist.
        let secrets = kube::api::ApiResource::erase::<k8s_openapi::api::core::v1::Secret>(&());
        caches
            .owned
            .synced(&secrets, true, Labelled::Ours, caches.sync_timeout)
            .await?;
    }
    for np in &node_pools {
        let Some(at) = backend.bootstrap_token_secret(np) else {
            continue;
        };
        let existing = secret(caches, &cp_ns, &at.name).and_then(|s| s.text(&at.key));
        let token = existing.unwrap_or_else(new_token);
        bootstrap_tokens =
            bootstrap_tokens.with(np.metadata.name.clone().unwrap_or_default(), token);
    }
    let capi_webhook_tls = if runs_manager {
        let existing = own_secret(caches, &cp_ns, WEBHOOK_TLS_SECRET)
            .and_then(|s| ServingCert::from_secret(&s));
        let cert =
            super::webhook_cert::current(existing, &cp_ns, k8s_openapi::jiff::Timestamp::now())
                .map_err(|e| ReadError::WebhookCertificate(e.to_string()))?;
        Some(cert)
    } else {
        None
    };
    Ok(Inputs {
        capi_webhook_tls,
        node_pools,
        credentials,
        control_plane,
        control_plane_status,
        control_plane_secrets,
        bootstrap_tokens,
    })
}

/// A Secret of the control-plane namespace: one a component wrote (the Secret cache), or one
/// we built (the owned caches; the Secret cache leaves ours out).
fn secret(caches: &Caches, namespace: &str, name: &str) -> Option<SecretData> {
    if let Some(s) = caches.secrets.get(namespace, name) {
        return Some(SecretData::from_secret(&s));
    }
    Some(SecretData::from_secret(&own_secret(
        caches, namespace, name,
    )?))
}

/// A Secret we built, from the owned caches, whole (annotations included).
fn own_secret(
    caches: &Caches,
    namespace: &str,
    name: &str,
) -> Option<k8s_openapi::api::core::v1::Secret> {
    let ours = caches
        .owned
        .running("v1", "Secret")?
        .get(Some(namespace), name)?;
    serde_json::to_value(&*ours)
        .and_then(serde_json::from_value)
        .ok()
}

/// A fresh bootstrap token: a random UUID (version 4), as HyperShift generates them. It is
/// kept in the Secret the backend builds and read back from there on the next reconcile.
fn new_token() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
