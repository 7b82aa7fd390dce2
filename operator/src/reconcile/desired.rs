//! Pipeline step 2 (pure): validate and build, once. Turns the inputs into the desired state with
//! `platform_api::desired::build` — the same function `hosted-cluster render` calls — or into
//! the reason it cannot be built yet (reported as conditions, not as an error).

use super::inputs::{Credentials, Inputs};
use crate::status::hosted_cluster::{CredentialsFact, Validity};
use platform_api::api::HostedCluster;
use platform_api::control_plane::control_plane_registry;
use platform_api::desired::capi::CapiVersion;
use platform_api::desired::{self, BuildError, ClusterInputs, DesiredState};
use platform_api::platform::{MissingSecrets, PlatformError, PlatformSettings};
use platform_api::{ControlPlane, Platform};

/// A failure that is not the user's input: retried with backoff. Variant = metric label.
#[derive(Debug, thiserror::Error, strum::IntoStaticStr)]
pub enum DesiredError {
    #[error("{0}; this is a bug in the platform crate, report it with the HostedCluster attached")]
    PlatformBug(PlatformError),
    #[error("{0}; the operator retries with backoff")]
    PlatformAPIError(PlatformError),
}

impl DesiredError {
    pub fn reason(&self) -> &'static str {
        self.into()
    }
}

/// What the build step decided.
#[derive(Debug)]
pub struct Built {
    /// `None` when the cluster cannot be built (see `validity` and `credentials`).
    pub state: Option<DesiredState>,
    pub validity: Validity,
    pub credentials: CredentialsFact,
}

fn credentials_fact(
    c: &Credentials,
    hc: &HostedCluster,
    platform: &dyn Platform,
) -> CredentialsFact {
    match c {
        Credentials::NotRequired => CredentialsFact::NotRequired,
        Credentials::Found(d) => CredentialsFact::Found {
            name: d.name.clone(),
            // Still in a deprecated format: said in the LegacyCredentials condition until
            // `hosted-cluster migrate credentials` rewrites it.
            legacy: platform
                .credentials_migration(hc, d)
                .map(|m| m.changes)
                .unwrap_or_default(),
        },
        Credentials::Missing { namespace, name } => CredentialsFact::Missing {
            namespace: namespace.clone(),
            name: name.clone(),
        },
    }
}

/// The control-plane backend of `hc`: its annotation, else `--default-control-plane`, else
/// the linked default. The error is the message for the HostedCluster's conditions.
pub fn control_plane(
    hc: &HostedCluster,
    settings: &PlatformSettings,
) -> Result<Box<dyn ControlPlane>, String> {
    control_plane_registry()
        .map_err(|e| e.to_string())?
        .for_cluster(hc, settings.default_control_plane.as_deref())
        .map_err(|e| e.to_string())
}

pub fn build(
    hc: &HostedCluster,
    inputs: &Inputs,
    platform: &dyn Platform,
    control_plane: &dyn ControlPlane,
    settings: &PlatformSettings,
    capi: CapiVersion,
) -> Result<Built, DesiredError> {
    let cluster_inputs = ClusterInputs {
        hosted_cluster: hc,
        node_pools: &inputs.node_pools,
        credentials: inputs.credentials.data(),
        api_endpoint: inputs.endpoint(),
        missing_secrets: MissingSecrets::Fail,
        settings,
        capi,
        control_plane_status: inputs.control_plane_status.as_ref(),
        control_plane_secrets: &inputs.control_plane_secrets,
        bootstrap_tokens: &inputs.bootstrap_tokens,
        capi_webhook_tls: inputs.capi_webhook_tls.as_ref(),
    };
    let mut credentials = credentials_fact(&inputs.credentials, hc, platform);
    let (state, validity) = match desired::build(&cluster_inputs, platform, control_plane) {
        Ok(state) => (Some(state), Validity::Valid),
        Err(e @ BuildError::InvalidHostedCluster { .. }) => (
            None,
            Validity::Invalid {
                reason: e.reason().into(),
                message: e.to_string(),
            },
        ),
        Err(BuildError::Platform(e @ PlatformError::Invalid(_))) => (
            None,
            Validity::Invalid {
                reason: e.reason().into(),
                message: e.to_string(),
            },
        ),
        Err(BuildError::Platform(PlatformError::CredentialsNotFound {
            namespace, name, ..
        })) => {
            credentials = CredentialsFact::Missing { namespace, name };
            (None, Validity::Valid)
        }
        Err(BuildError::Platform(e @ PlatformError::CredentialsInvalid { .. })) => {
            credentials = CredentialsFact::Invalid {
                reason: e.reason().into(),
                message: e.to_string(),
            };
            (None, Validity::Valid)
        }
        Err(BuildError::Platform(e @ PlatformError::Bug(_))) => {
            return Err(DesiredError::PlatformBug(e));
        }
        Err(BuildError::Platform(e)) => return Err(DesiredError::PlatformAPIError(e)),
    };
    // Never apply with credentials we could not read, even if the platform tolerated it.
    let state = state.filter(|_| !matches!(credentials, CredentialsFact::Missing { .. }));
    Ok(Built {
        state,
        validity,
        credentials,
    })
}
