//! `hosted-cluster create cluster maas`: the MAAS flags and how they become the MAAS sections
//! and the credentials Secret (through [`crate::create`]). Built only with the `cli` feature.

use crate::create::{FIELD_FLAGS, MaasCreateOptions};
use crate::spec::PLATFORM_TYPE;
use clap::{Args, FromArgMatches};
use cli_plugin::{PlatformCli, PlatformParts};
use platform_api::api::PlatformSpec;
use platform_api::manifests::ClusterTemplate;
use platform_api::platform::{FieldError, FieldErrors};

#[derive(Args, Debug, Clone)]
pub struct MaasCreateArgs {
    /// MAAS URL, e.g. http://maas.example.com:5240/MAAS.
    #[arg(long, env = "MAAS_ENDPOINT")]
    pub maas_endpoint: Option<String>,
    /// MAAS API key (consumer:token:secret).
    #[arg(long, env = "MAAS_API_KEY", hide_env_values = true)]
    pub maas_api_key: Option<String>,
    /// Default MAAS zone of the cluster's machines.
    #[arg(long)]
    pub maas_zone: Option<String>,
    /// DNS domain of the machines in MAAS (default maas.local).
    #[arg(long)]
    pub maas_dns_domain: Option<String>,
    /// Name of the credentials Secret (default <name>-maas-credentials).
    #[arg(long)]
    pub credentials_name: Option<String>,
    /// Create the credentials Secret from --maas-endpoint/--maas-api-key (the default).
    #[arg(long, conflicts_with = "no_create_secret")]
    pub create_secret: bool,
    /// Use an existing credentials Secret instead of creating one.
    #[arg(long)]
    pub no_create_secret: bool,
    /// MAAS image to deploy on the workers, e.g. ubuntu/jammy. Required when replicas > 0.
    #[arg(long)]
    pub maas_image: Option<String>,
    /// Minimum CPU cores per worker.
    #[arg(long, allow_negative_numbers = true)]
    pub min_cpu: Option<i32>,
    /// Minimum memory per worker, in MiB (at least 1024).
    #[arg(long, allow_negative_numbers = true)]
    pub min_memory: Option<i32>,
    /// MAAS tags every worker must carry (comma-separated, at most 10).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// MAAS resource pool to allocate workers from.
    #[arg(long)]
    pub resource_pool: Option<String>,
    /// Failure domain (MAAS zone) of the workers.
    #[arg(long)]
    pub failure_domain: Option<String>,
    /// Compose the workers as LXD VMs on MAAS VM hosts instead of allocating bare metal.
    #[arg(long)]
    pub lxd: bool,
    /// Root disk of each LXD VM, in GB (with --lxd; CAPMAAS's default 60).
    #[arg(long, value_name = "GB", allow_negative_numbers = true)]
    pub lxd_disk_size: Option<i32>,
    /// LXD storage pool of the VMs' disks on the VM hosts (with --lxd).
    #[arg(long, value_name = "POOL")]
    pub lxd_storage_pool: Option<String>,
    /// LXD network the VMs attach to (with --lxd).
    #[arg(long, value_name = "NETWORK")]
    pub lxd_network: Option<String>,
}

impl MaasCreateArgs {
    pub fn options(&self) -> MaasCreateOptions {
        MaasCreateOptions {
            endpoint: self.maas_endpoint.clone(),
            api_key: self.maas_api_key.clone(),
            zone: self.maas_zone.clone(),
            dns_domain: self.maas_dns_domain.clone(),
            credentials_name: self.credentials_name.clone(),
            create_secret: !self.no_create_secret,
            image: self.maas_image.clone(),
            min_cpu: self.min_cpu,
            min_memory: self.min_memory,
            tags: self.tags.iter().map(|t| t.trim().to_string()).collect(),
            resource_pool: self.resource_pool.clone(),
            failure_domain: self.failure_domain.clone(),
            lxd: self.lxd,
            lxd_disk_size: self.lxd_disk_size,
            lxd_storage_pool: self.lxd_storage_pool.clone(),
            lxd_network: self.lxd_network.clone(),
        }
    }
}

/// The MAAS part of `create cluster`.
pub struct MaasCli;

impl PlatformCli for MaasCli {
    fn name(&self) -> &'static str {
        "maas"
    }
    fn platform_type(&self) -> &'static str {
        PLATFORM_TYPE
    }
    fn about(&self) -> &'static str {
        "A hosted cluster whose workers are MAAS machines (bare metal or LXD VMs)"
    }
    fn create_args(&self, command: clap::Command) -> clap::Command {
        MaasCreateArgs::augment_args(command)
    }
    fn longest_name_suffix(&self) -> usize {
        crate::create::CREDENTIALS_SUFFIX.len()
    }
    fn create_parts(
        &self,
        matches: &clap::ArgMatches,
        template: &ClusterTemplate,
    ) -> Result<PlatformParts, FieldErrors> {
        let args = MaasCreateArgs::from_arg_matches(matches).map_err(|e| {
            FieldErrors(vec![FieldError::new(
                "create cluster maas",
                e.to_string(),
                "",
            )])
        })?;
        // With an existing Secret, a key on the command line would be silently unused (the key
        // in the environment is fine: it may be set for other tools).
        if args.no_create_secret
            && matches.value_source("maas_api_key") == Some(clap::parser::ValueSource::CommandLine)
        {
            return Err(FieldErrors(vec![FieldError::new(
                "--no-create-secret",
                "uses an existing credentials Secret, but --maas-api-key was given too",
                "drop --maas-api-key, or drop --no-create-secret to create the Secret from it",
            )]));
        }
        let parts = args.options().build(template)?;
        Ok(PlatformParts {
            hosted_cluster: PlatformSpec::typed(&parts.cluster),
            node_pool: PlatformSpec::typed(&parts.node_pool),
            secrets: parts.credentials_secret.into_iter().collect(),
            field_flags: FIELD_FLAGS,
        })
    }
}

cli_plugin::register_platform_cli!(MaasCli);
