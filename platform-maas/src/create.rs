//! What `hosted-cluster create cluster maas` adds to the generic cluster template: the MAAS
//! sections and the credentials Secret. Errors name the command-line option they came from.

use crate::credentials;
use crate::spec::{MaasLxdMachine, MaasNodePoolPlatform, MaasPlatformSpec};
use k8s_openapi::api::core::v1::Secret;
use platform_api::manifests::ClusterTemplate;
use platform_api::platform::{FieldError, FieldErrors};

/// What the default credentials Secret's name appends to the cluster name.
pub const CREDENTIALS_SUFFIX: &str = "-maas-credentials";

/// The MAAS options of `create cluster maas`, as given (unvalidated).
#[derive(Clone, Debug, Default)]
pub struct MaasCreateOptions {
    pub endpoint: Option<String>,
    pub api_key: Option<String>,
    pub zone: Option<String>,
    pub dns_domain: Option<String>,
    pub credentials_name: Option<String>,
    pub create_secret: bool,
    pub image: Option<String>,
    pub min_cpu: Option<i32>,
    pub min_memory: Option<i32>,
    pub tags: Vec<String>,
    pub resource_pool: Option<String>,
    pub failure_domain: Option<String>,
    /// `--lxd`: compose LXD VMs instead of allocating bare metal.
    pub lxd: bool,
    pub lxd_disk_size: Option<i32>,
    pub lxd_storage_pool: Option<String>,
    pub lxd_network: Option<String>,
}

/// The MAAS parts of the manifests.
#[derive(Clone, Debug)]
pub struct MaasManifests {
    pub cluster: MaasPlatformSpec,
    pub node_pool: MaasNodePoolPlatform,
    /// Present when the CLI creates the credentials Secret.
    pub credentials_secret: Option<Secret>,
}

impl MaasCreateOptions {
    pub fn credentials_name(&self, cluster_name: &str) -> String {
        self.credentials_name
            .clone()
            .unwrap_or_else(|| format!("{cluster_name}{CREDENTIALS_SUFFIX}"))
    }

    /// Validates what only the options can tell (endpoint, key) and builds the sections.
    /// Field-level checks of the result run in the platform's validators afterwards.
    pub fn build(&self, template: &ClusterTemplate) -> Result<MaasManifests, FieldErrors> {
        let mut errors = FieldErrors::default();
        let secret_name = self.credentials_name(&template.name);
        let credentials_secret = if self.create_secret {
            let endpoint = match self.endpoint.as_deref() {
                None => {
                    errors.push(FieldError::new("--maas-endpoint", "is required to create the credentials Secret", "pass --maas-endpoint or set MAAS_ENDPOINT, or use --no-create-secret with an existing Secret"));
                    None
                }
                Some(e) => credentials::normalize_endpoint(e)
                    .map_err(|m| errors.push(FieldError::new("--maas-endpoint", m, "")))
                    .ok(),
            };
            let key = match self.api_key.as_deref() {
                None => {
                    errors.push(FieldError::new("--maas-api-key", "is required to create the credentials Secret", "pass --maas-api-key or set MAAS_API_KEY, or use --no-create-secret with an existing Secret"));
                    None
                }
                Some(k) => credentials::parse_api_key(k)
                    .map_err(|m| errors.push(FieldError::new("--maas-api-key", m, "")))
                    .ok(),
            };
            match (endpoint, key) {
                (Some(e), Some(k)) => Some(credentials::user_secret(
                    &template.namespace,
                    &secret_name,
                    &e,
                    &k,
                    template.owned_labels(),
                )),
                _ => None,
            }
        } else {
            None
        };
        if self.min_cpu == Some(0) || self.min_cpu.is_some_and(|c| c < 0) {
            errors.push(FieldError::new(
                "--min-cpu",
                format!("is {}", self.min_cpu.unwrap_or_default()),
                "use 1 or more cores",
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &self.tags {
            if t.is_empty() {
                errors.push(FieldError::new(
                    "--tags",
                    "has an empty tag",
                    "give tag names separated by ',' without empty entries",
                ));
            } else if !seen.insert(t.as_str()) {
                errors.push(FieldError::new(
                    "--tags",
                    format!("names {t:?} twice"),
                    "give each tag once",
                ));
            }
        }
        if let Some(m) = self.min_memory.filter(|m| *m < 1024) {
            errors.push(FieldError::new(
                "--min-memory",
                format!("is {m} MiB"),
                "use at least 1024 MiB",
            ));
        }
        let lxd_only = [
            ("--lxd-disk-size", self.lxd_disk_size.is_some()),
            ("--lxd-storage-pool", self.lxd_storage_pool.is_some()),
            ("--lxd-network", self.lxd_network.is_some()),
        ];
        for (flag, _) in lxd_only.iter().filter(|(_, set)| *set && !self.lxd) {
            errors.push(FieldError::new(
                *flag,
                "only applies to LXD VMs",
                "add --lxd, or leave it out for bare metal",
            ));
        }
        errors.into_result()?;

        let cluster = MaasPlatformSpec {
            identity_ref: platform_api::api::LocalObjectReference::new(secret_name),
            dns_domain: self.dns_domain.clone(),
            zone: self.zone.clone(),
        };
        let node_pool = MaasNodePoolPlatform {
            identity_ref: None,
            machine_type: None,
            zone: None,
            tags: self.tags.clone(),
            resource_pool: self.resource_pool.clone(),
            min_cpu: self.min_cpu,
            min_memory: self.min_memory,
            min_disk_size: None,
            image: self.image.clone(),
            failure_domain: self.failure_domain.clone(),
            lxd: self.lxd.then(|| MaasLxdMachine {
                enabled: true,
                auto_start: None,
                disk_size: self.lxd_disk_size,
                storage_pool: self.lxd_storage_pool.clone(),
                network: self.lxd_network.clone(),
            }),
        };
        Ok(MaasManifests {
            cluster,
            node_pool,
            credentials_secret,
        })
    }
}

/// Which option sets a field, so validation errors on the built objects name the flag.
pub const FIELD_FLAGS: &[(&str, &str)] = &[
    ("spec.platform.maas.image", "--maas-image"),
    ("spec.platform.maas.lxd.diskSize", "--lxd-disk-size"),
    ("spec.platform.maas.lxd.storagePool", "--lxd-storage-pool"),
    ("spec.platform.maas.lxd.network", "--lxd-network"),
    ("spec.platform.maas.minCpu", "--min-cpu"),
    ("spec.platform.maas.minMemory", "--min-memory"),
    ("spec.platform.maas.tags", "--tags"),
    ("spec.platform.maas.resourcePool", "--resource-pool"),
    ("spec.platform.maas.failureDomain", "--failure-domain"),
    ("spec.platform.maas.zone", "--maas-zone"),
    ("spec.platform.maas.dnsDomain", "--maas-dns-domain"),
    ("spec.platform.maas.identityRef.name", "--credentials-name"),
];
