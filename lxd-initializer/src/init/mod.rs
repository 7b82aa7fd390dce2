//! `lxd init`: the steps that make the local LXD ready for MAAS, in order. Each step reads the
//! daemon first and sends nothing when it already matches, so a second run reports every step
//! `unchanged`.

pub mod https;
pub mod network;
pub mod profile;
pub mod storage;
pub mod trust;

use std::path::PathBuf;

use maas_client::SecretString;

use crate::{LxdClient, LxdError, Server, Step};
use network::NetworkSpec;
use storage::StoragePoolSpec;

/// Everything `lxd init` sets up.
#[derive(Clone, Debug)]
pub struct InitSpec {
    /// The storage pool for VM disks.
    pub storage: StoragePoolSpec,
    /// The network VMs attach to.
    pub network: NetworkSpec,
    /// The profile for MAAS VMs.
    pub profile: String,
    /// `core.https_address`.
    pub https_address: String,
    /// A client certificate to trust (e.g. MAAS's), with the name it is trusted under.
    pub trust_certificate: Option<(String, PathBuf)>,
    /// A trust password, for LXD releases that still have one.
    pub trust_password: Option<SecretString>,
}

impl InitSpec {
    /// Checks names and sizes before anything is sent.
    pub fn validate(&self) -> Result<(), LxdError> {
        self.storage.validate()?;
        self.network.validate()?;
        crate::names::check("--profile", &self.profile, crate::names::NAME_MAX)?;
        if self.https_address.trim().is_empty() {
            return Err(LxdError::Invalid {
                field: "--https-address".into(),
                reason: "is empty; use e.g. [::]:8443".into(),
            });
        }
        if let Some((name, _)) = &self.trust_certificate {
            crate::names::check("--trust-name", name, crate::names::NAME_MAX)?;
        }
        Ok(())
    }
}

/// Runs every step against the daemon behind `client`.
pub async fn run(client: &LxdClient, spec: &InitSpec) -> Result<Vec<Step>, LxdError> {
    spec.validate()?;
    // Read certificate files before changing anything, so a bad file changes nothing.
    let certificate = match &spec.trust_certificate {
        Some((name, path)) => Some((name, trust::Certificate::read(path)?)),
        None => None,
    };
    let server = Server::read(client).await?;
    if spec.trust_password.is_some() && !server.has_trust_password() {
        return Err(LxdError::Unsupported {
            version: server.environment.server_version.clone(),
            feature: "core.trust_password (removed in LXD 5.21)".into(),
            fix: "trust MAAS by certificate, or let `lxd register` issue a token".into(),
        });
    }
    let mut steps = vec![storage::ensure(client, &server, &spec.storage).await?];
    let (step, attachment) = network::ensure(client, &spec.network).await?;
    steps.push(step);
    steps.push(profile::ensure(client, &spec.profile, &spec.storage.name, &attachment).await?);
    steps.push(https::ensure(client, &server, &spec.https_address).await?);
    if let Some((name, certificate)) = &certificate {
        steps.push(trust::ensure_certificate(client, name, certificate).await?);
    }
    if let Some(password) = &spec.trust_password {
        steps.push(trust::ensure_trust_password(client, &server, password).await?);
    }
    Ok(steps)
}
