//! Pure: what the HostedCluster's conditions say, from the facts one reconcile gathered.

use super::conditions::{
    AVAILABLE, Cond, INFRASTRUCTURE_READY, LEGACY_CREDENTIALS, PLATFORM_CREDENTIALS_FOUND,
    RECONCILIATION_ACTIVE, UNKNOWN, VALID_CONFIGURATION,
};
use platform_api::api::ApiEndpoint;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Validity {
    Valid,
    /// `spec.platform.type` is not linked into this operator.
    UnknownPlatform(String),
    /// `reason` is the build error's stable reason.
    Invalid {
        reason: String,
        message: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialsFact {
    /// The platform has no credentials Secret.
    NotRequired,
    Found {
        name: String,
        /// What `hosted-cluster migrate credentials` would change; empty when the Secret is in
        /// the current format.
        legacy: Vec<String>,
    },
    Missing {
        namespace: String,
        name: String,
    },
    /// Present but unusable (reason from the platform error).
    Invalid {
        reason: String,
        message: String,
    },
    /// Not known (the platform itself is unknown).
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InfraFact {
    /// The platform builds no infrastructure object.
    NotRequired,
    /// Whether the infrastructure object reports itself ready ([`infra_reports_ready`]).
    Ready(bool),
    /// Not applied yet (blocked earlier).
    NotCreated,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterFacts {
    pub validity: Validity,
    pub credentials: CredentialsFact,
    pub infra: InfraFact,
    /// `status.ready` of the HostedControlPlane, if it exists.
    pub control_plane_ready: Option<bool>,
    pub endpoint: Option<ApiEndpoint>,
    /// Name of the admin kubeconfig copy next to the HostedCluster, once it is live
    /// (`status.kubeconfig`).
    pub kubeconfig: Option<String>,
    /// NodePools whose objects could not be built.
    pub invalid_node_pools: Vec<String>,
}

pub fn conditions(f: &ClusterFacts) -> Vec<Cond> {
    let valid = match &f.validity {
        Validity::Valid if f.invalid_node_pools.is_empty() => Cond::yes(
            VALID_CONFIGURATION,
            "AsExpected",
            "Configuration passes validation",
        ),
        Validity::Valid => Cond::no(
            VALID_CONFIGURATION,
            "InvalidNodePool",
            format!(
                "NodePools with invalid configuration (see their conditions): {}",
                f.invalid_node_pools.join(", ")
            ),
        ),
        Validity::UnknownPlatform(msg) => Cond::no(VALID_CONFIGURATION, "UnknownPlatform", msg),
        Validity::Invalid { reason, message } => Cond::no(VALID_CONFIGURATION, reason, message),
    };
    let creds = match &f.credentials {
        CredentialsFact::NotRequired => Cond::yes(
            PLATFORM_CREDENTIALS_FOUND,
            "NotRequired",
            "The platform needs no credentials Secret",
        ),
        CredentialsFact::Found { name, .. } => Cond::yes(
            PLATFORM_CREDENTIALS_FOUND,
            "AsExpected",
            format!("Secret {name} found"),
        ),
        CredentialsFact::Missing { namespace, name } => Cond::no(
            PLATFORM_CREDENTIALS_FOUND,
            "PlatformCredentialsNotFound",
            format!(
                "Secret {namespace}/{name} not found; create it (the operator picks it up without a restart)"
            ),
        ),
        CredentialsFact::Invalid { reason, message } => {
            Cond::no(PLATFORM_CREDENTIALS_FOUND, reason, message)
        }
        CredentialsFact::Unknown => Cond::new(
            PLATFORM_CREDENTIALS_FOUND,
            UNKNOWN,
            "UnknownPlatform",
            "The platform is unknown, so its credentials are too",
        ),
    };
    let infra_ready = matches!(f.infra, InfraFact::NotRequired | InfraFact::Ready(true));
    let infra = match f.infra {
        InfraFact::NotRequired => Cond::yes(
            INFRASTRUCTURE_READY,
            "NotRequired",
            "The platform has no infrastructure object",
        ),
        InfraFact::Ready(true) => Cond::yes(
            INFRASTRUCTURE_READY,
            "AsExpected",
            "The infrastructure object reports ready",
        ),
        InfraFact::Ready(false) => Cond::no(
            INFRASTRUCTURE_READY,
            "WaitingForInfrastructure",
            "Waiting for the platform's CAPI provider to report the infrastructure object ready",
        ),
        InfraFact::NotCreated => Cond::no(
            INFRASTRUCTURE_READY,
            "InfrastructureNotCreated",
            "The infrastructure object has not been created; see ValidConfiguration and PlatformCredentialsFound",
        ),
    };
    // An invalid NodePool does not make the control plane unavailable; only cluster-level
    // problems block it.
    let cluster_valid = f.validity == Validity::Valid;
    let blocked = [(&valid, !cluster_valid), (&creds, creds.status != "True")]
        .into_iter()
        .find_map(|(c, bad)| bad.then_some(c));
    let available = if let Some(c) = blocked {
        Cond::no(AVAILABLE, &c.reason, c.message.clone())
    } else if f.control_plane_ready != Some(true) || f.endpoint.as_ref().is_none_or(|e| !e.is_set())
    {
        Cond::no(
            AVAILABLE,
            "WaitingForControlPlane",
            "Waiting for the HostedControlPlane to report ready with an endpoint",
        )
    } else if !infra_ready {
        Cond::no(AVAILABLE, &infra.reason, infra.message.clone())
    } else {
        Cond::yes(
            AVAILABLE,
            "AsExpected",
            "The hosted control plane is available",
        )
    };
    let mut conds = vec![
        valid,
        creds,
        infra,
        available,
        Cond::yes(RECONCILIATION_ACTIVE, "AsExpected", "Reconciliation active"),
    ];
    // Only about a Secret that was read: one not found says nothing about its format.
    if let CredentialsFact::Found { name, legacy } = &f.credentials {
        conds.push(if legacy.is_empty() {
            Cond::no(
                LEGACY_CREDENTIALS,
                "AsExpected",
                format!("Secret {name} is in the current format"),
            )
        } else {
            Cond::yes(
                LEGACY_CREDENTIALS,
                "DeprecatedCredentialsFormat",
                format!(
                    "Secret {name} uses a deprecated format ({}); run `hosted-cluster migrate credentials --name <cluster>` to rewrite it",
                    legacy.join("; ")
                ),
            )
        });
    }
    conds
}

/// The one condition a paused cluster gets; the others keep what they said before the pause.
pub fn paused(message: String) -> Cond {
    Cond::no(RECONCILIATION_ACTIVE, "ReconciliationPaused", message)
}

/// An infrastructure object is ready when its provider says so under either CAPI contract:
/// `status.ready` (v1beta1, e.g. CAPMAAS v4.9.5-spectro) or `status.initialization.provisioned`
/// (v1beta2, which CAPMAAS v0.9.0 also reports).
pub fn infra_reports_ready(object: &serde_json::Value) -> bool {
    ["/status/ready", "/status/initialization/provisioned"]
        .iter()
        .any(|p| object.pointer(p).and_then(serde_json::Value::as_bool) == Some(true))
}
