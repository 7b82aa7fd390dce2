//! Pipeline step 2 (pure): validate and build, once. Turns the inputs into the desired state with
//! `platform_api::desired::build` — the same function `hosted-cluster render` calls — or into
//! the reason it cannot be built yet (reported as conditions, not as an error).

use super::inputs::{Credentials, Inputs};
use crate::status::hosted_cluster::{CredentialsFact, Validity};
use platform_api::Platform;
use platform_api::api::HostedCluster;
use platform_api::desired::capi::CapiVersion;
use platform_api::desired::{self, BuildError, ClusterInputs, DesiredState};
use platform_api::platform::{MissingSecrets, PlatformError, PlatformSettings};

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

fn credentials_fact(c: &Credentials) -> CredentialsFact {
    match c {
        Credentials::NotRequired => CredentialsFact::NotRequired,
        Credentials::Found(d) => CredentialsFact::Found {
            name: d.name.clone(),
        },
        Credentials::Missing { namespace, name } => CredentialsFact::Missing {
            namespace: namespace.clone(),
            name: name.clone(),
        },
    }
}

pub fn build(
    hc: &HostedCluster,
    inputs: &Inputs,
    platform: &dyn Platform,
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
    };
    let mut credentials = credentials_fact(&inputs.credentials);
    let (state, validity) = match desired::build(&cluster_inputs, platform) {
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
