//! `hosted-cluster create cluster <platform>`: build a HostedCluster, its first NodePool and the
//! Secrets they need; print them (`--render`) or apply them all-or-nothing.
//!
//! The `<platform>` subcommands come from the linked platforms' command-line parts
//! ([`cli_plugin::PlatformCli`]): each gets the flags every platform shares ([`CreateCommon`])
//! plus its own, and turns its own into its parts of the objects. This file names no platform.

use super::kubeconfig::KubeconfigArgs;
use crate::apply::{Item, apply_all};
use crate::error::{CliError, Result};
use crate::kube_args::KubeArgs;
use crate::output::{self, Format};
use crate::progress::Stdout;
use crate::wait;
use clap::{ArgMatches, Args, FromArgMatches, Subcommand};
use cli_plugin::PlatformParts;
use hosted_cluster_operator::json::to_value;
use k8s_openapi::api::core::v1::Secret;
use kube::discovery::ApiResource;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::desired::labels::{CONTROL_PLANE_ANNOTATION, KUBERNETES_VERSION_ANNOTATION};
use platform_api::desired::validate;
use platform_api::manifests::{ClusterTemplate, Publishing};
use platform_api::platform::{FieldError, FieldErrors};
use rand::Rng;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// `create <what>`. Parsed by hand (not derived) because the platforms under `cluster` are
/// known only at run time, from the registry.
#[derive(Debug, Clone)]
pub enum CreateCommand {
    /// `create cluster <platform> ...`
    Cluster(CreateCluster),
    /// `create kubeconfig --name N`
    Kubeconfig(KubeconfigArgs),
}

/// `create cluster <platform>` as parsed.
#[derive(Debug, Clone)]
pub struct CreateCluster {
    /// The subcommand: a registered [`cli_plugin::PlatformCli`] name.
    pub platform: String,
    pub common: CreateCommon,
    /// Everything given to the subcommand; the platform reads its own flags from here.
    pub matches: ArgMatches,
}

/// `create cluster`, with one subcommand per linked platform. Built only when `create cluster`
/// is invoked, and each platform's arguments only when that platform is (start-up cost).
fn cluster_command() -> clap::Command {
    clap::Command::new("cluster")
        .about("Create a hosted cluster")
        .long_about(None)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .defer(add_platforms)
}

fn add_platforms(mut cluster: clap::Command) -> clap::Command {
    // A broken registry (a duplicate) is reported by `run` before parsing; here it just adds
    // no platforms.
    if let Ok(clis) = cli_plugin::platform_clis() {
        for p in clis.iter() {
            cluster = cluster.subcommand(
                clap::Command::new(p.name())
                    .about(p.about())
                    .long_about(None)
                    .defer(platform_args),
            );
        }
    }
    cluster
}

/// The shared flags and the platform's own, for `create cluster <name>`.
fn platform_args(sub: clap::Command) -> clap::Command {
    let name = sub.get_name().to_string();
    let sub = CreateCommon::augment_args(sub);
    match cli_plugin::platform_clis().and_then(|clis| clis.get(&name)) {
        Ok(p) => p.create_args(sub).about(p.about()).long_about(None),
        Err(_) => sub,
    }
}

impl FromArgMatches for CreateCommand {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        match matches.subcommand() {
            Some(("cluster", cluster)) => match cluster.subcommand() {
                Some((platform, m)) => Ok(Self::Cluster(CreateCluster {
                    platform: platform.to_string(),
                    common: CreateCommon::from_arg_matches(m)?,
                    matches: m.clone(),
                })),
                None => Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand)),
            },
            Some(("kubeconfig", m)) => Ok(Self::Kubeconfig(KubeconfigArgs::from_arg_matches(m)?)),
            _ => Err(clap::Error::new(clap::error::ErrorKind::MissingSubcommand)),
        }
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Subcommand for CreateCommand {
    fn augment_subcommands(command: clap::Command) -> clap::Command {
        command.subcommand(cluster_command()).subcommand(
            clap::Command::new("kubeconfig")
                .about("Print the admin kubeconfig of a hosted cluster")
                .long_about(None)
                .defer(KubeconfigArgs::augment_args),
        )
    }
    fn augment_subcommands_for_update(command: clap::Command) -> clap::Command {
        Self::augment_subcommands(command)
    }
    fn has_subcommand(name: &str) -> bool {
        matches!(name, "cluster" | "kubeconfig")
    }
}

/// Flags every platform's `create cluster` shares.
#[derive(Args, Debug, Clone)]
pub struct CreateCommon {
    /// Name of the HostedCluster (a DNS label: lowercase letters, digits, '-').
    #[arg(long)]
    pub name: String,
    /// Namespace of the HostedCluster and NodePool.
    #[arg(long, default_value = "clusters")]
    pub namespace: String,
    /// OpenShift release image, e.g. quay.io/openshift-release-dev/ocp-release:4.19.0-x86_64.
    #[arg(long)]
    pub release_image: String,
    /// File with the pull secret (a docker config JSON with "auths").
    #[arg(long, value_name = "FILE")]
    pub pull_secret: PathBuf,
    /// Base DNS domain of the cluster.
    #[arg(long, default_value = "")]
    pub base_domain: String,
    /// Infrastructure ID (default: <name>-<5 random characters>).
    #[arg(long)]
    pub infra_id: Option<String>,
    /// Workers in the first NodePool.
    #[arg(long, default_value_t = 2)]
    pub node_pool_replicas: i32,
    /// File with an SSH public key for the nodes.
    #[arg(long, value_name = "FILE")]
    pub ssh_key: Option<PathBuf>,
    /// Publish every control-plane service as a NodePort on this address instead of a
    /// LoadBalancer (APIServer) and Routes (the rest).
    #[arg(long)]
    pub api_server_address: Option<String>,
    /// Extra HostedCluster annotations, KEY=VALUE (repeatable).
    #[arg(long = "annotations", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// What runs the control plane (the hosted-cluster.io/control-plane annotation); default:
    /// the operator's default backend.
    #[arg(long, value_name = "BACKEND", value_parser = control_plane_names())]
    pub control_plane: Option<String>,
    /// Kubernetes version of the hosted cluster, e.g. v1.33.0 (the
    /// hosted-cluster.io/kubernetes-version annotation), for backends that run plain Kubernetes.
    #[arg(long, value_name = "VERSION")]
    pub kubernetes_version: Option<String>,
    /// Print the objects instead of creating them.
    #[arg(long)]
    pub render: bool,
    /// Write the rendered objects to FILE (implies --render).
    #[arg(long, value_name = "FILE")]
    pub render_into: Option<PathBuf>,
    /// Include Secrets (pull secret, credentials, keys) in the rendered output.
    #[arg(long)]
    pub render_sensitive: bool,
    /// Output format of --render.
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Yaml)]
    pub output: Format,
    /// After creating, wait until the HostedCluster is Available, printing each condition as it
    /// turns True.
    #[arg(long, conflicts_with_all = ["render", "render_into"])]
    pub wait: bool,
    /// How long --wait waits, e.g. 30s, 20m, 1h.
    #[arg(long, default_value = "20m", value_parser = duration_arg::parse, requires = "wait")]
    pub timeout: Duration,
    #[command(flatten)]
    pub kube: KubeArgs,
}

const COMMON_FIELD_FLAGS: &[(&str, &str)] = &[
    ("metadata.name", "--name"),
    ("metadata.namespace", "--namespace"),
    ("spec.release.image", "--release-image"),
    ("spec.dns.baseDomain", "--base-domain"),
    ("spec.infraID", "--infra-id"),
    ("spec.replicas", "--node-pool-replicas"),
];

/// The registered control-plane backends, for `--control-plane` (its help lists them).
fn control_plane_names() -> clap::builder::PossibleValuesParser {
    let names = platform_api::control_plane::control_plane_registry()
        .map(|r| r.names())
        .unwrap_or_default();
    clap::builder::PossibleValuesParser::new(names)
}

/// `v1.33.0` or `1.33.0`: what a Kubernetes release is called.
fn is_kubernetes_version(v: &str) -> bool {
    let parts: Vec<&str> = v.strip_prefix('v').unwrap_or(v).split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

fn random_suffix(len: usize) -> String {
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

impl CreateCommon {
    /// Checks the flags that are not fields, and builds the template.
    pub fn template(&self) -> Result<(ClusterTemplate, Vec<Secret>), CliError> {
        let mut errors = FieldErrors::default();
        validate::check_name("--name", &self.name, &mut errors);
        validate::check_name("--namespace", &self.namespace, &mut errors);
        if self.node_pool_replicas < 0 {
            errors.push(FieldError::new(
                "--node-pool-replicas",
                format!("is {}", self.node_pool_replicas),
                "use 0 or more",
            ));
        }
        let pull_secret = read_pull_secret(&self.pull_secret)
            .map_err(|m| errors.push(m))
            .ok();
        let ssh_key = match &self.ssh_key {
            Some(p) => std::fs::read(p)
                .map_err(|e| {
                    errors.push(FieldError::new(
                        "--ssh-key",
                        format!("cannot read {}: {e}", p.display()),
                        "give the path of a public key file",
                    ))
                })
                .ok(),
            None => None,
        };
        let mut annotations = BTreeMap::new();
        for a in &self.annotations {
            match a.split_once('=') {
                Some((k, v)) if !k.is_empty() => {
                    annotations.insert(k.to_string(), v.to_string());
                }
                _ => errors.push(FieldError::new(
                    "--annotations",
                    format!("{a:?} is not KEY=VALUE"),
                    "use e.g. --annotations example.com/key=value",
                )),
            }
        }
        if let Some(backend) = &self.control_plane {
            annotations.insert(CONTROL_PLANE_ANNOTATION.to_string(), backend.clone());
        }
        if let Some(version) = &self.kubernetes_version {
            if is_kubernetes_version(version) {
                annotations.insert(KUBERNETES_VERSION_ANNOTATION.to_string(), version.clone());
            } else {
                errors.push(FieldError::new(
                    "--kubernetes-version",
                    format!("{version:?} is not a Kubernetes version"),
                    "use MAJOR.MINOR.PATCH, e.g. v1.33.0",
                ));
            }
        }
        errors.into_result().map_err(|e| CliError::invalid(&e))?;

        let template = ClusterTemplate {
            name: self.name.clone(),
            namespace: self.namespace.clone(),
            infra_id: self
                .infra_id
                .clone()
                .unwrap_or_else(|| format!("{}-{}", self.name, random_suffix(5))),
            release_image: self.release_image.clone(),
            base_domain: self.base_domain.clone(),
            pull_secret_name: format!("{}-pull-secret", self.name),
            ssh_key_name: ssh_key.as_ref().map(|_| format!("{}-ssh-key", self.name)),
            etcd_encryption_key_name: Some(format!("{}-etcd-encryption-key", self.name)),
            publishing: match &self.api_server_address {
                Some(a) => Publishing::NodePort { address: a.clone() },
                None => Publishing::LoadBalancerAndRoutes,
            },
            node_pool_name: self.name.clone(),
            node_pool_replicas: self.node_pool_replicas,
            annotations,
        };
        let mut secrets = vec![template.owned_secret(
            &template.pull_secret_name,
            "kubernetes.io/dockerconfigjson",
            BTreeMap::from([(
                ".dockerconfigjson".to_string(),
                pull_secret.unwrap_or_default(),
            )]),
        )];
        if let (Some(name), Some(key)) = (&template.ssh_key_name, ssh_key) {
            secrets.push(template.owned_secret(
                name,
                "Opaque",
                BTreeMap::from([("id_rsa.pub".to_string(), key)]),
            ));
        }
        if let Some(name) = &template.etcd_encryption_key_name {
            let key: [u8; 32] = rand::rng().random();
            secrets.push(template.owned_secret(
                name,
                "Opaque",
                BTreeMap::from([("key".to_string(), key.to_vec())]),
            ));
        }
        Ok((template, secrets))
    }
}

fn read_pull_secret(path: &PathBuf) -> Result<Vec<u8>, FieldError> {
    let bytes = std::fs::read(path).map_err(|e| {
        FieldError::new(
            "--pull-secret",
            format!("cannot read {}: {e}", path.display()),
            "give the path of your pull secret file (from console.redhat.com)",
        )
    })?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
        FieldError::new(
            "--pull-secret",
            format!("{} is not JSON: {e}", path.display()),
            "use the docker config JSON file as downloaded",
        )
    })?;
    if !json.get("auths").is_some_and(Value::is_object) {
        return Err(FieldError::new(
            "--pull-secret",
            format!("{} has no \"auths\" object", path.display()),
            "use a docker config JSON pull secret",
        ));
    }
    Ok(bytes)
}

/// Names the flag for each error on the built objects, falling back to the field path.
fn name_flags(errors: FieldErrors, tables: &[&[(&str, &str)]]) -> FieldErrors {
    FieldErrors(
        errors
            .0
            .into_iter()
            .map(|mut e| {
                let field = e.path.clone();
                if let Some((_, flag)) = tables
                    .iter()
                    .flat_map(|t| t.iter())
                    .find(|(p, _)| field == *p || field.starts_with(&format!("{p}[")))
                {
                    e.path = format!("{flag} ({field})");
                }
                e
            })
            .collect(),
    )
}

/// `create cluster <platform>`: the template from the shared flags, the platform's parts from its
/// own, then [`run`].
pub async fn run_cluster(
    cluster: &CreateCluster,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdout: Stdout,
) -> Result<()> {
    let platform = cli_plugin::platform_clis()
        .and_then(|clis| clis.get(&cluster.platform))
        .map_err(|e| CliError::new(e.to_string()))?;
    let (template, secrets) = cluster.common.template()?;
    let parts = platform
        .create_parts(&cluster.matches, &template)
        .map_err(|e| CliError::invalid(&e))?;
    run(&cluster.common, &template, secrets, parts, out, err, stdout).await
}

/// Builds, validates and then renders or applies (and with `--wait`, waits until Available).
pub async fn run(
    common: &CreateCommon,
    template: &ClusterTemplate,
    mut secrets: Vec<Secret>,
    parts: PlatformParts,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdout: Stdout,
) -> Result<()> {
    let hc = template.hosted_cluster(parts.hosted_cluster);
    let np = template.node_pool(parts.node_pool);
    validate_objects(&hc, &np)
        .map_err(|e| CliError::invalid(&name_flags(e, &[COMMON_FIELD_FLAGS, parts.field_flags])))?;
    secrets.extend(parts.secrets);

    let mut objects: Vec<(bool, Value, ApiResource, bool)> = Vec::new();
    let ns = template.namespace_object();
    objects.push((
        false,
        to_value(&ns),
        ApiResource::erase::<k8s_openapi::api::core::v1::Namespace>(&()),
        false,
    ));
    for s in &secrets {
        objects.push((true, to_value(s), ApiResource::erase::<Secret>(&()), true));
    }
    objects.push((
        false,
        to_value(&hc),
        ApiResource::erase::<HostedCluster>(&()),
        true,
    ));
    objects.push((
        false,
        to_value(&np),
        ApiResource::erase::<NodePool>(&()),
        true,
    ));

    if common.render || common.render_into.is_some() {
        let shown: Vec<Value> = objects
            .iter()
            .filter(|(sensitive, ..)| common.render_sensitive || !sensitive)
            .map(|(_, v, ..)| v.clone())
            .collect();
        let text = output::render(&shown, common.output);
        match &common.render_into {
            Some(path) => {
                std::fs::write(path, text).map_err(|e| {
                    CliError::new(format!(
                        "cannot write --render-into {}: {e}",
                        path.display()
                    ))
                })?;
                writeln!(err, "wrote {} objects to {}", shown.len(), path.display())?;
            }
            None => out.write_all(text.as_bytes())?,
        }
        if !common.render_sensitive {
            writeln!(
                err,
                "note: {} Secret(s) left out; pass --render-sensitive to include them",
                objects.iter().filter(|o| o.0).count()
            )?;
        }
        return Ok(());
    }

    let client = common.kube.client().await?;
    let items: Vec<Item> = objects
        .into_iter()
        .map(|(_, object, resource, namespaced)| Item {
            resource,
            namespaced,
            object,
        })
        .collect();
    let mut lines = Vec::new();
    let result = apply_all(&client, &items, &mut |l| lines.push(l)).await;
    for l in lines {
        writeln!(out, "{l}")?;
    }
    result?;
    if common.wait {
        let clusters = kube::Api::namespaced(client, &template.namespace);
        wait::available(&clusters, &template.name, common.timeout, out, stdout).await?;
    }
    Ok(())
}

fn validate_objects(hc: &HostedCluster, np: &NodePool) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    let platform = platform_api::platform_for(&hc.spec.platform.type_).map_err(|e| {
        FieldErrors(vec![FieldError::new(
            "spec.platform.type",
            e.to_string(),
            "",
        )])
    })?;
    for r in [
        validate::hosted_cluster(hc),
        platform.validate_hosted_cluster(hc),
        validate::node_pool(hc, np),
        platform.validate_node_pool(hc, np),
    ] {
        if let Err(e) = r {
            errors.extend(e);
        }
    }
    errors.into_result()
}
