//! Parameters of the VM host calls.

use std::fmt;

use super::check_plain;
use crate::SecretString;
use crate::form::Pairs;
use crate::types::VmHost;

/// How MAAS proves itself to a new LXD host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LxdAuth {
    /// LXD's trust password (or, on newer LXD, a trust token); MAAS then
    /// generates and registers its own certificate.
    TrustPassword(SecretString),
    /// A client certificate already trusted by LXD, with its private key.
    Certificate {
        certificate: String,
        key: SecretString,
    },
    /// MAAS's certificate is already in LXD's trust store.
    AlreadyTrusted,
}

/// `POST vm-hosts/` with `type=lxd`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterLxdHost {
    /// `host` or `host:port` of the LXD HTTPS API (port 8443 by default).
    pub power_address: String,
    pub name: Option<String>,
    /// LXD project MAAS manages; created if missing; `default` if unset.
    pub project: Option<String>,
    pub auth: LxdAuth,
    /// Zone name.
    pub zone: Option<String>,
    /// Resource pool name; composed machines land in it by default.
    pub pool: Option<String>,
    pub tags: Vec<String>,
}

impl RegisterLxdHost {
    pub fn new(power_address: impl Into<String>, auth: LxdAuth) -> Self {
        Self {
            power_address: power_address.into(),
            name: None,
            project: None,
            auth,
            zone: None,
            pool: None,
            tags: Vec::new(),
        }
    }

    pub(crate) fn to_form(&self) -> Result<Vec<(&'static str, String)>, String> {
        if self.power_address.trim().is_empty() {
            return Err("power_address is empty; give the LXD host as host or host:8443".into());
        }
        for tag in &self.tags {
            check_plain("tag", tag)?;
        }
        let mut pairs = Pairs::new()
            .put("type", "lxd")
            .put("power_address", self.power_address.trim())
            .opt("name", self.name.as_deref())
            .opt("project", self.project.as_deref());
        pairs = match &self.auth {
            LxdAuth::TrustPassword(password) => {
                if password.is_empty() {
                    return Err("the LXD trust password is empty".into());
                }
                // MAAS's form takes the LXD driver's setting names; the
                // docstring's `power_pass` is virsh's and is ignored for lxd.
                pairs.put("password", password.expose())
            }
            LxdAuth::Certificate { certificate, key } => {
                if certificate.trim().is_empty() || key.is_empty() {
                    return Err("certificate authentication needs both certificate and key".into());
                }
                pairs
                    .put("certificate", certificate)
                    .put("key", key.expose())
            }
            LxdAuth::AlreadyTrusted => pairs,
        };
        Ok(pairs
            .opt("zone", self.zone.as_deref())
            .opt("pool", self.pool.as_deref())
            .joined("tags", &self.tags)
            .into_vec())
    }
}

/// `PUT vm-hosts/{id}/`: the placement settings a registration keeps current. Unset fields are
/// left as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateVmHost {
    /// Zone name.
    pub zone: Option<String>,
    /// Resource pool name.
    pub pool: Option<String>,
    /// Replaces the host's tags when set.
    pub tags: Option<Vec<String>>,
}

impl UpdateVmHost {
    pub(crate) fn to_form(&self) -> Result<Vec<(&'static str, String)>, String> {
        let tags = self.tags.clone().unwrap_or_default();
        for tag in &tags {
            check_plain("tag", tag)?;
        }
        let pairs = Pairs::new()
            .opt("zone", self.zone.as_deref())
            .opt("pool", self.pool.as_deref())
            .joined("tags", &tags)
            .into_vec();
        if pairs.is_empty() {
            return Err("nothing to update".into());
        }
        Ok(pairs)
    }
}

/// One disk of a composed VM: `label:size_gb(pool)` in MAAS's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageSpec {
    pub label: String,
    /// Decimal gigabytes (10^9 bytes), as MAAS reads the size.
    pub size_gb: u64,
    /// Storage pool name on the VM host; the host's default pool if unset.
    pub pool: Option<String>,
}

impl StorageSpec {
    pub fn new(label: impl Into<String>, size_gb: u64) -> Self {
        Self {
            label: label.into(),
            size_gb,
            pool: None,
        }
    }

    pub fn in_pool(mut self, pool: impl Into<String>) -> Self {
        self.pool = Some(pool.into());
        self
    }

    pub fn size_bytes(&self) -> u64 {
        self.size_gb.saturating_mul(1_000_000_000)
    }

    fn validate(&self) -> Result<(), String> {
        check_plain("storage label", &self.label)?;
        if self.size_gb == 0 {
            return Err(format!("storage {:?} has size 0 GB", self.label));
        }
        if let Some(pool) = &self.pool {
            check_plain("storage pool", pool)?;
        }
        Ok(())
    }
}

impl fmt::Display for StorageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.label, self.size_gb)?;
        if let Some(pool) = &self.pool {
            write!(f, "({pool})")?;
        }
        Ok(())
    }
}

/// `POST vm-hosts/{id}/?op=compose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComposeRequest {
    pub cores: u32,
    /// MiB.
    pub memory: u64,
    /// Disks; empty means MAAS's default, one 8 GB disk in the default pool.
    pub storage: Vec<StorageSpec>,
    pub hostname: Option<String>,
    /// Zone *id* (compose takes ids, unlike allocate).
    pub zone: Option<u64>,
    /// Resource pool *id*.
    pub pool: Option<u64>,
    /// MAAS interface constraints, e.g. `eth0:space=internal`.
    pub interfaces: Option<String>,
    /// E.g. `amd64/generic`; must be one the VM host supports.
    pub architecture: Option<String>,
}

/// MAAS's own compose defaults, used when a request leaves them out.
const DEFAULT_STORAGE_GB: u64 = 8;

impl Default for ComposeRequest {
    fn default() -> Self {
        Self::new(1, 2048)
    }
}

impl ComposeRequest {
    pub fn new(cores: u32, memory_mib: u64) -> Self {
        Self {
            cores,
            memory: memory_mib,
            storage: Vec::new(),
            hostname: None,
            zone: None,
            pool: None,
            interfaces: None,
            architecture: None,
        }
    }

    /// The `storage` field: `label:size(pool),…`, or `None` when no disks
    /// are given.
    pub fn storage_constraint(&self) -> Option<String> {
        if self.storage.is_empty() {
            return None;
        }
        Some(
            self.storage
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )
    }

    /// The disks MAAS will create: the given ones, or its single default.
    pub fn effective_storage(&self) -> Vec<StorageSpec> {
        if self.storage.is_empty() {
            vec![StorageSpec::new("root", DEFAULT_STORAGE_GB)]
        } else {
            self.storage.clone()
        }
    }

    pub(crate) fn to_form(&self) -> Result<Vec<(&'static str, String)>, String> {
        if self.cores == 0 {
            return Err("cores must be at least 1".into());
        }
        if self.memory == 0 {
            return Err("memory must be at least 1 MiB".into());
        }
        for spec in &self.storage {
            spec.validate()?;
        }
        if let Some(hostname) = &self.hostname {
            check_hostname(hostname)?;
        }
        Ok(Pairs::new()
            .put("cores", self.cores)
            .put("memory", self.memory)
            .opt("storage", self.storage_constraint())
            .opt("hostname", self.hostname.as_deref())
            .opt("zone", self.zone)
            .opt("pool", self.pool)
            .opt("interfaces", self.interfaces.as_deref())
            .opt("architecture", self.architecture.as_deref())
            .into_vec())
    }
}

/// A DNS label, as MAAS requires for machine hostnames.
fn check_hostname(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "hostname {name:?} is not a DNS label (letters, digits, '-', at most 63)"
        ))
    }
}

/// Client-side filter for `query_vm_hosts()`; unset fields match anything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmHostQuery {
    /// `lxd` or `virsh`.
    pub type_: Option<String>,
    /// Zone name.
    pub zone: Option<String>,
    /// Resource pool name.
    pub pool: Option<String>,
    /// The host must carry every one of these tags.
    pub tags: Vec<String>,
}

impl VmHostQuery {
    pub fn matches(&self, host: &VmHost) -> bool {
        self.type_
            .as_deref()
            .is_none_or(|t| host.type_.eq_ignore_ascii_case(t))
            && self
                .zone
                .as_deref()
                .is_none_or(|z| host.zone_name() == Some(z))
            && self
                .pool
                .as_deref()
                .is_none_or(|p| host.pool_name() == Some(p))
            && self.tags.iter().all(|t| host.tags.contains(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_string_uses_maas_syntax() {
        let req = ComposeRequest {
            storage: vec![
                StorageSpec::new("root", 20).in_pool("default"),
                StorageSpec::new("data", 100).in_pool("fast-ssd"),
                StorageSpec::new("scratch", 5),
            ],
            ..ComposeRequest::new(2, 4096)
        };
        assert_eq!(
            req.storage_constraint().as_deref(),
            Some("root:20(default),data:100(fast-ssd),scratch:5")
        );
        assert_eq!(ComposeRequest::default().storage_constraint(), None);
        assert_eq!(StorageSpec::new("root", 8).size_bytes(), 8_000_000_000);
    }

    #[test]
    fn compose_form_fields() {
        let req = ComposeRequest {
            storage: vec![StorageSpec::new("root", 8).in_pool("maas")],
            hostname: Some("cp-1".into()),
            zone: Some(1),
            pool: Some(0),
            architecture: Some("amd64/generic".into()),
            ..ComposeRequest::new(2, 2048)
        };
        assert_eq!(
            req.to_form().unwrap(),
            vec![
                ("cores", "2".to_string()),
                ("memory", "2048".to_string()),
                ("storage", "root:8(maas)".to_string()),
                ("hostname", "cp-1".to_string()),
                ("zone", "1".to_string()),
                ("pool", "0".to_string()),
                ("architecture", "amd64/generic".to_string()),
            ]
        );
    }

    #[test]
    fn compose_rejects_what_maas_would_misparse() {
        let bad = |req: ComposeRequest| req.to_form().unwrap_err();
        assert!(bad(ComposeRequest::new(0, 1)).contains("cores"));
        assert!(bad(ComposeRequest::new(1, 0)).contains("memory"));
        let mut r = ComposeRequest {
            storage: vec![StorageSpec::new("a,b", 1)],
            ..Default::default()
        };
        assert!(bad(r.clone()).contains("storage label"));
        r.storage = vec![StorageSpec::new("root", 1).in_pool("p(x)")];
        assert!(bad(r.clone()).contains("storage pool"));
        r.storage = vec![StorageSpec::new("root", 0)];
        assert!(bad(r.clone()).contains("size 0"));
        r.storage = vec![];
        r.hostname = Some("bad host".into());
        assert!(bad(r).contains("DNS label"));
    }

    #[test]
    fn register_lxd_sends_the_right_credential_fields() {
        let mut reg = RegisterLxdHost::new(
            "10.0.0.5:8443",
            LxdAuth::TrustPassword(SecretString::new("trust-me-123")),
        );
        reg.project = Some("capi".into());
        reg.tags = vec!["cp".into(), "lxd".into()];
        let form = reg.to_form().unwrap();
        assert_eq!(
            form,
            vec![
                ("type", "lxd".to_string()),
                ("power_address", "10.0.0.5:8443".to_string()),
                ("project", "capi".to_string()),
                ("password", "trust-me-123".to_string()),
                ("tags", "cp,lxd".to_string()),
            ]
        );
        assert!(!format!("{reg:?}").contains("trust-me-123"));

        let cert = RegisterLxdHost::new(
            "h",
            LxdAuth::Certificate {
                certificate: "-----BEGIN CERTIFICATE-----".into(),
                key: SecretString::new("PRIVATE-KEY-BYTES"),
            },
        );
        let form = cert.to_form().unwrap();
        assert!(form.contains(&("key", "PRIVATE-KEY-BYTES".to_string())));
        assert!(!form.iter().any(|(k, _)| *k == "password"));
        assert!(!format!("{cert:?}").contains("PRIVATE-KEY-BYTES"));

        let empty = RegisterLxdHost::new(" ", LxdAuth::AlreadyTrusted);
        assert!(empty.to_form().unwrap_err().contains("power_address"));
    }
}
