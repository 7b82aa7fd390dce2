//! The flag groups of `lxd init`, `lxd register` and `lxd daemon` (which takes both).

use crate::commands::maas::credentials::MaasConnArgs;
use crate::commands::maas::vm_host_args::VmHostArgs;
use crate::error::{CliError, Result};
use clap::Args;
use lxd_initializer::init::InitSpec;
use lxd_initializer::init::network::NetworkSpec;
use lxd_initializer::init::storage::StoragePoolSpec;
use lxd_initializer::register::{RegisterSpec, RegisterTrust};
use lxd_initializer::{LxdClient, route};
use maas_client::SecretString;
use platform_api::platform::FieldErrors;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct SocketArgs {
    /// LXD's unix socket (default: Debian's /var/lib/lxd/unix.socket, else the snap's).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

impl SocketArgs {
    pub fn client(&self) -> Result<LxdClient> {
        let path = self
            .socket
            .clone()
            .unwrap_or_else(LxdClient::default_socket);
        LxdClient::new(path).map_err(super::lxd_error)
    }
}

#[derive(Args, Debug, Clone)]
pub struct InitFlags {
    /// Storage pool for VM disks.
    #[arg(long, default_value = "default")]
    pub storage_pool: String,
    /// Storage driver of a new pool (dir, zfs, btrfs, lvm).
    #[arg(long, default_value = "dir")]
    pub storage_backend: String,
    /// Size in GB of a new loop-backed pool (not for dir).
    #[arg(long, value_name = "GB")]
    pub storage_size: Option<u64>,
    /// Bridge VMs attach to: a host bridge (e.g. br0) is used as it is; otherwise LXD creates it.
    #[arg(long, default_value = "lxdbr0", conflicts_with = "macvlan")]
    pub network_bridge: String,
    /// ipv4.address of a bridge LXD creates (CIDR, auto or none).
    #[arg(long, default_value = "auto", value_name = "CIDR")]
    pub bridge_ipv4: String,
    /// Attach VMs with macvlan on the default-route interface instead of a bridge.
    #[arg(long)]
    pub macvlan: bool,
    /// Name of the LXD macvlan network.
    #[arg(long, default_value = "macvlan0", requires = "macvlan")]
    pub macvlan_network: String,
    /// Host interface of the macvlan network (default: the default-route interface).
    #[arg(long, value_name = "IFACE", requires = "macvlan")]
    pub macvlan_parent: Option<String>,
    /// Profile for MAAS VMs.
    #[arg(long, default_value = lxd_initializer::init::profile::DEFAULT_PROFILE)]
    pub profile: String,
    /// core.https_address, where MAAS reaches LXD.
    #[arg(long, default_value = lxd_initializer::init::https::DEFAULT_HTTPS_ADDRESS)]
    pub https_address: String,
    /// A PEM client certificate to trust (e.g. MAAS's), under --trust-name.
    #[arg(long, value_name = "FILE")]
    pub trust_certificate: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct TrustFlags {
    /// Name MAAS's certificate or token is trusted under in LXD.
    #[arg(long, default_value = "maas")]
    pub trust_name: String,
    /// File with an LXD trust password (LXD before 5.21 only): `init` sets it, `register` hands
    /// it to MAAS. Without it, `register` issues a one-time token.
    #[arg(long, value_name = "FILE")]
    pub trust_password_file: Option<PathBuf>,
}

impl TrustFlags {
    pub fn password(&self) -> Result<Option<SecretString>> {
        let Some(path) = &self.trust_password_file else {
            return Ok(None);
        };
        let text =
            crate::input::read_text(path, crate::input::SECRET_LIMIT).map_err(|why| CliError {
                message: format!("--trust-password-file: {why}"),
                code: 2,
            })?;
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            return Err(CliError {
                message: format!("--trust-password-file: {} is empty", path.display()),
                code: 2,
            });
        }
        Ok(Some(SecretString::new(text)))
    }
}

impl InitFlags {
    pub fn spec(&self, trust: &TrustFlags) -> Result<InitSpec> {
        let network = if self.macvlan {
            let parent = match &self.macvlan_parent {
                Some(p) => p.clone(),
                None => route::default_route().map_err(super::lxd_error)?.interface,
            };
            NetworkSpec::Macvlan {
                name: self.macvlan_network.clone(),
                parent,
            }
        } else {
            NetworkSpec::Bridge {
                name: self.network_bridge.clone(),
                ipv4: self.bridge_ipv4.clone(),
            }
        };
        let spec = InitSpec {
            storage: StoragePoolSpec {
                name: self.storage_pool.clone(),
                driver: self.storage_backend.clone(),
                size_gb: self.storage_size,
            },
            network,
            profile: self.profile.clone(),
            https_address: self.https_address.clone(),
            trust_certificate: self
                .trust_certificate
                .clone()
                .map(|p| (trust.trust_name.clone(), p)),
            trust_password: trust.password()?,
        };
        spec.validate().map_err(super::lxd_error)?;
        Ok(spec)
    }
}

#[derive(Args, Debug, Clone)]
pub struct RegisterFlags {
    #[command(flatten)]
    pub conn: MaasConnArgs,
    /// HOST[:PORT] MAAS reaches LXD on (default: this node's default-route address and the
    /// port of core.https_address).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub address: Option<String>,
    #[command(flatten)]
    pub host: VmHostArgs,
    /// PEM client certificate for MAAS (trusted over the socket first; needs --key).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub certificate: Option<PathBuf>,
    /// PEM private key of --certificate.
    #[arg(long, value_name = "FILE", requires = "certificate")]
    pub key: Option<PathBuf>,
}

impl RegisterFlags {
    pub fn spec(&self, trust: &TrustFlags) -> Result<RegisterSpec> {
        let trust_mode = match (&self.certificate, &self.key, trust.password()?) {
            (Some(certificate), Some(key), _) => RegisterTrust::Certificate {
                certificate: certificate.clone(),
                key: key.clone(),
            },
            (_, _, Some(password)) => RegisterTrust::Password(password),
            _ => RegisterTrust::Token,
        };
        let mut errors = FieldErrors::default();
        let tags = self.host.tags(&mut errors);
        errors.into_result().map_err(|e| CliError::invalid(&e))?;
        Ok(RegisterSpec {
            address: self.address.clone(),
            name: self.host.name.clone(),
            project: self.host.project.clone(),
            zone: self.host.zone.clone(),
            pool: self.host.pool.clone(),
            tags,
            trust: trust_mode,
            trust_name: trust.trust_name.clone(),
        })
    }
}
