//! `lxd register`: this node as a MAAS VM host, in the asked zone, pool and project. MAAS is
//! asked first: a host already registered at this address and project is left alone (or only
//! moved to the asked zone/pool/tags), so a second run sends no change and issues no token.

use std::path::PathBuf;

use maas_client::{LxdAuth, MaasClient, RegisterLxdHost, SecretString, UpdateVmHost, VmHost};

use crate::init::trust::{self, Certificate};
use crate::{Change, LxdClient, LxdError, Server, Step, route};

/// How MAAS gets trusted by this LXD.
#[derive(Clone, Debug)]
pub enum RegisterTrust {
    /// Issue a one-time join token over the socket and give it to MAAS (the default).
    Token,
    /// A certificate and key: the certificate is trusted over the socket, both go to MAAS.
    Certificate {
        /// PEM certificate file.
        certificate: PathBuf,
        /// PEM private key file.
        key: PathBuf,
    },
    /// LXD's trust password (LXD before 5.21, set by `lxd init --trust-password-file`).
    Password(SecretString),
}

/// What to register.
#[derive(Clone, Debug)]
pub struct RegisterSpec {
    /// `host[:port]` MAAS reaches LXD on; by default this node's default-route address and the
    /// port of `core.https_address`.
    pub address: Option<String>,
    /// VM host name in MAAS (MAAS picks one when unset).
    pub name: Option<String>,
    /// LXD project MAAS manages (`default` when unset).
    pub project: Option<String>,
    /// MAAS zone.
    pub zone: Option<String>,
    /// MAAS resource pool.
    pub pool: Option<String>,
    /// VM host tags.
    pub tags: Vec<String>,
    /// How MAAS is trusted.
    pub trust: RegisterTrust,
    /// The name MAAS's certificate or token is trusted under in LXD.
    pub trust_name: String,
}

const DEFAULT_PORT: u16 = 8443;

/// `host:port` with LXD's default port added and any scheme or trailing slash removed, so
/// `https://10.0.0.5:8443/` and `10.0.0.5` compare equal.
pub fn normalize_address(address: &str) -> String {
    let a = address.trim();
    let a = a.strip_prefix("https://").unwrap_or(a);
    let a = a.trim_end_matches('/');
    let has_port = match a.rfind(']') {
        Some(close) => a[close..].contains(':'),
        None => a.matches(':').count() == 1,
    };
    if has_port {
        a.to_string()
    } else if a.contains(':') && !a.starts_with('[') {
        format!("[{a}]:{DEFAULT_PORT}")
    } else {
        format!("{a}:{DEFAULT_PORT}")
    }
}

/// The address to register: the given one, or the default-route source address with the port
/// LXD listens on.
pub fn address(spec: &RegisterSpec, server: &Server) -> Result<String, LxdError> {
    if let Some(a) = &spec.address {
        return Ok(normalize_address(a));
    }
    let listen = server.config_str("core.https_address");
    if listen.is_empty() {
        return Err(LxdError::Invalid {
            field: "core.https_address".into(),
            reason: "LXD does not listen on the network; run `hosted-cluster lxd init` first"
                .into(),
        });
    }
    let port = listen
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .unwrap_or(DEFAULT_PORT);
    let source = route::default_source_address(&route::default_route()?)?;
    Ok(format!("{source}:{port}"))
}

/// The LXD VM host MAAS already has at `address` in `project`.
async fn find(maas: &MaasClient, address: &str, project: &str) -> Result<Option<VmHost>, LxdError> {
    for host in maas.vm_hosts().await? {
        if !host.type_.eq_ignore_ascii_case("lxd") {
            continue;
        }
        let params = maas.vm_host_parameters(host.id).await?;
        let same_address = params
            .power_address()
            .is_some_and(|a| normalize_address(a) == address);
        let same_project = params.get_str("project").unwrap_or("default") == project;
        if same_address && same_project {
            return Ok(Some(host));
        }
    }
    Ok(None)
}

/// Registers this node with MAAS, or keeps an existing registration's zone, pool and tags.
pub async fn run(
    lxd: &LxdClient,
    maas: &MaasClient,
    spec: &RegisterSpec,
) -> Result<Vec<Step>, LxdError> {
    let server = Server::read(lxd).await?;
    let address = address(spec, &server)?;
    let project = spec.project.as_deref().unwrap_or("default");
    if let Some(host) = find(maas, &address, project).await? {
        return Ok(vec![keep_current(maas, &host, spec, &address).await?]);
    }
    let mut steps = Vec::new();
    let auth = match &spec.trust {
        RegisterTrust::Token => {
            LxdAuth::TrustPassword(trust::issue_token(lxd, &spec.trust_name).await?)
        }
        RegisterTrust::Password(p) => LxdAuth::TrustPassword(p.clone()),
        RegisterTrust::Certificate { certificate, key } => {
            let cert = Certificate::read(certificate)?;
            let key = std::fs::read_to_string(key).map_err(|e| LxdError::Certificate {
                path: key.display().to_string(),
                reason: e.to_string(),
            })?;
            steps.push(trust::ensure_certificate(lxd, &spec.trust_name, &cert).await?);
            LxdAuth::Certificate {
                certificate: cert.pem.clone(),
                key: SecretString::new(key),
            }
        }
    };
    let request = RegisterLxdHost {
        name: spec.name.clone(),
        project: spec.project.clone(),
        zone: spec.zone.clone(),
        pool: spec.pool.clone(),
        tags: spec.tags.clone(),
        ..RegisterLxdHost::new(address.clone(), auth)
    };
    let host = maas.register_lxd_vm_host(&request).await?;
    steps.push(Step::new(
        "vm-host",
        host.name.clone(),
        Change::Created,
        format!(
            "registered as vm-host {} at {address}{}",
            host.id,
            placement(&host)
        ),
    ));
    Ok(steps)
}

fn placement(host: &VmHost) -> String {
    format!(
        " (zone {}, pool {})",
        host.zone_name().unwrap_or("-"),
        host.pool_name().unwrap_or("-")
    )
}

async fn keep_current(
    maas: &MaasClient,
    host: &VmHost,
    spec: &RegisterSpec,
    address: &str,
) -> Result<Step, LxdError> {
    let differs = |wanted: &Option<String>, have: Option<&str>| {
        wanted
            .as_deref()
            .filter(|w| Some(*w) != have)
            .map(str::to_string)
    };
    let missing_tags = spec.tags.iter().any(|t| !host.tags.contains(t));
    let update = UpdateVmHost {
        zone: differs(&spec.zone, host.zone_name()),
        pool: differs(&spec.pool, host.pool_name()),
        tags: missing_tags.then(|| {
            let mut tags = host.tags.clone();
            tags.extend(spec.tags.iter().filter(|t| !host.tags.contains(t)).cloned());
            tags
        }),
    };
    if update == UpdateVmHost::default() {
        return Ok(Step::new(
            "vm-host",
            host.name.clone(),
            Change::Unchanged,
            format!(
                "already registered as vm-host {} at {address}{}",
                host.id,
                placement(host)
            ),
        ));
    }
    let updated = maas.update_vm_host(host.id, &update).await?;
    Ok(Step::new(
        "vm-host",
        updated.name.clone(),
        Change::Updated,
        format!(
            "vm-host {} at {address} moved to{}",
            updated.id,
            placement(&updated)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::normalize_address;

    #[test]
    fn addresses_compare_with_the_default_port() {
        assert_eq!(normalize_address("10.0.0.5"), "10.0.0.5:8443");
        assert_eq!(normalize_address("https://10.0.0.5:8443/"), "10.0.0.5:8443");
        assert_eq!(normalize_address("lxd1.maas:9443"), "lxd1.maas:9443");
        assert_eq!(normalize_address("fd00::5"), "[fd00::5]:8443");
        assert_eq!(normalize_address("[fd00::5]:8443"), "[fd00::5]:8443");
    }
}
