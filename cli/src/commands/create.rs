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
use crate::{input, ssh_key};
use clap::{ArgMatches, Args, FromArgMatches, Subcommand};
use cli_plugin::PlatformParts;
use hosted_cluster_operator::json::to_value;
use k8s_openapi::api::core::v1::Secret;
use kube::discovery::ApiResource;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::desired::labels::{CONTROL_PLANE_ANNOTATION, KUBERNETES_VERSION_ANNOTATION};
use platform_api::desired::{syntax, validate};
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
        Ok(p) => {
            let max = max_name_len("clusters", p.longest_name_suffix());
            p.create_args(sub)
                .mut_arg("name", |a| {
                    a.help(format!(
                        "Name of the HostedCluster (a DNS label: lowercase letters, digits, '-'); at most {max} characters in the default namespace, so that every name derived from it (control-plane namespace <namespace>-<name>, infrastructure ID, Secrets) stays within 63; fewer in a namespace longer than {}",
                        63 - max - 1
                    ))
                })
                .about(p.about())
                .long_about(None)
        }
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
    /// Name of the HostedCluster (a DNS label: lowercase letters, digits, '-'). At most 63
    /// characters minus what the names derived from it add: the control-plane namespace
    /// `<namespace>-<name>` (63 at most), the infrastructure ID `<name>-xxxxx` and the
    /// platform's own derived names (each platform's help states the number).
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
    /// Workers in the first NodePool (0 to 1000).
    #[arg(long, default_value_t = 2, allow_negative_numbers = true)]
    pub node_pool_replicas: i32,
    /// File with SSH public keys for the nodes (authorized_keys lines; a private key is refused).
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
    #[arg(long, default_value = "20m", value_parser = duration_arg::parse, requires = "wait", allow_hyphen_values = true)]
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
    /// `extra_suffix` is the longest suffix the platform appends to the name (e.g.
    /// a credentials Secret's), so the name's maximum covers the platform's derived names too.
    pub fn template(
        &self,
        extra_suffix: usize,
    ) -> Result<(ClusterTemplate, Vec<Secret>), CliError> {
        let mut errors = FieldErrors::default();
        validate::check_name("--name", &self.name, &mut errors);
        validate::check_name("--namespace", &self.namespace, &mut errors);
        if !(0..=MAX_REPLICAS).contains(&self.node_pool_replicas) {
            errors.push(FieldError::new(
                "--node-pool-replicas",
                format!("is {}", self.node_pool_replicas),
                format!("use 0 to {MAX_REPLICAS}"),
            ));
        }
        if self
            .infra_id
            .as_deref()
            .is_some_and(|id| id.trim().is_empty())
        {
            errors.push(FieldError::new(
                "--infra-id",
                "is empty",
                "leave --infra-id out for <name>-<random>, or give a DNS label",
            ));
        }
        let max = max_name_len(&self.namespace, extra_suffix);
        if validate::is_dns1123_label(&self.name) && self.name.len() > max {
            errors.push(FieldError::new(
                "--name",
                format!(
                    "is {} characters; at most {max} fit every name derived from it (the control-plane namespace {}-<name>, the infrastructure ID <name>-xxxxx and the platform's names such as its credentials Secret)",
                    self.name.len(),
                    self.namespace
                ),
                "use a shorter name",
            ));
        }
        if let Some(why) = syntax::image_problem(&self.release_image) {
            errors.push(FieldError::new("--release-image", why, ""));
        }
        if let Some(a) = &self.api_server_address {
            if let Some(why) = syntax::host_problem(a) {
                errors.push(FieldError::new("--api-server-address", why, ""));
            }
        }
        let pull_secret = read_pull_secret(&self.pull_secret)
            .map_err(|m| errors.push(m))
            .ok();
        let ssh_key = match &self.ssh_key {
            Some(p) => input::read_file(p, input::SECRET_LIMIT)
                .and_then(|bytes| ssh_key::check(&p.display().to_string(), &bytes).map(|()| bytes))
                .map_err(|why| errors.push(FieldError::new("--ssh-key", why, "")))
                .ok(),
            None => None,
        };
        let mut annotations = BTreeMap::new();
        for a in &self.annotations {
            match a.split_once('=') {
                Some((k, _)) if annotations.contains_key(k) => errors.push(FieldError::new(
                    "--annotations",
                    format!("key {k:?} is given twice"),
                    "give each key once",
                )),
                Some((k, v)) if !k.is_empty() => match syntax::annotation_key_problem(k) {
                    Some(why) => errors.push(FieldError::new("--annotations", why, "")),
                    None => {
                        annotations.insert(k.to_string(), v.to_string());
                    }
                },
                _ => errors.push(FieldError::new(
                    "--annotations",
                    format!("{a:?} is not KEY=VALUE"),
                    "use e.g. --annotations example.com/key=value",
                )),
            }
        }
        let size: usize = annotations.iter().map(|(k, v)| k.len() + v.len()).sum();
        if size as u64 > ANNOTATIONS_LIMIT {
            errors.push(FieldError::new(
                "--annotations",
                format!(
                    "total {size} bytes, over the API's {}",
                    input::limit_text(ANNOTATIONS_LIMIT)
                ),
                "keep large data out of annotations",
            ));
        }
        check_known_annotations(&annotations, &mut errors);
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

/// The most replicas `--node-pool-replicas` takes: a bound against typos (an extra digit), well
/// above what one pool holds in practice.
pub const MAX_REPLICAS: i32 = 1000;

/// An object's annotations together hold at most 256 KiB (the API server's limit).
pub const ANNOTATIONS_LIMIT: u64 = 256 * 1024;

/// Suffixes the shared code appends to the name where the result must stay a DNS label: the
/// infrastructure ID (`<name>-xxxxx`, a label value on the CAPI objects). The Secrets' names
/// (`<name>-pull-secret`, ...) may be up to 253 characters, so they bound nothing here.
const NAME_SUFFIXES: &[&str] = &["-xxxxx"];

/// The longest `--name` that keeps every derived name a valid DNS label (63): the control-plane
/// namespace `<namespace>-<name>`, and `<name><suffix>` for ours and the platform's suffixes
/// (`extra_suffix` long).
pub fn max_name_len(namespace: &str, extra_suffix: usize) -> usize {
    let longest = NAME_SUFFIXES
        .iter()
        .map(|s| s.len())
        .chain([extra_suffix, namespace.len() + 1])
        .max()
        .unwrap_or(0);
    63usize.saturating_sub(longest)
}

/// The annotations this CLI gives meaning to, checked as their flags are.
fn check_known_annotations(annotations: &BTreeMap<String, String>, errors: &mut FieldErrors) {
    if let Some(b) = annotations.get(CONTROL_PLANE_ANNOTATION) {
        let names = platform_api::control_plane::control_plane_registry()
            .map(|r| r.names())
            .unwrap_or_default();
        if !names.iter().any(|n| n == b) {
            errors.push(FieldError::new(
                &format!("--annotations {CONTROL_PLANE_ANNOTATION}"),
                format!(
                    "{b:?} is not a control-plane backend; known: {}",
                    names.join(", ")
                ),
                "use --control-plane",
            ));
        }
    }
    if let Some(v) = annotations.get(KUBERNETES_VERSION_ANNOTATION) {
        if !is_kubernetes_version(v) {
            errors.push(FieldError::new(
                &format!("--annotations {KUBERNETES_VERSION_ANNOTATION}"),
                format!("{v:?} is not a Kubernetes version"),
                "use MAJOR.MINOR.PATCH, e.g. v1.33.0 (or --kubernetes-version)",
            ));
        }
    }
    // Image annotations of the operator and backends (e.g. the CAPI provider image,
    // `hypershift.openshift.io/capi-provider-<platform>-image`).
    for (k, v) in annotations {
        let ours = k.starts_with("hypershift.openshift.io/") || k.starts_with("hosted-cluster.io/");
        if ours && k.ends_with("image") {
            if let Some(why) = syntax::image_problem(v) {
                errors.push(FieldError::new(&format!("--annotations {k}"), why, ""));
            }
        }
    }
}

fn read_pull_secret(path: &PathBuf) -> Result<Vec<u8>, FieldError> {
    let bytes = input::read_file(path, input::SECRET_LIMIT).map_err(|why| {
        FieldError::new(
            "--pull-secret",
            why,
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
    if !json
        .get("auths")
        .and_then(Value::as_object)
        .is_some_and(|a| !a.is_empty())
    {
        return Err(FieldError::new(
            "--pull-secret",
            format!("{} has no non-empty \"auths\" object", path.display()),
            "use a docker config JSON pull secret with at least one registry under \"auths\"",
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
    // `requires = "wait"` on a flag with a default is not checked by clap in every case.
    if !cluster.common.wait
        && cluster.matches.value_source("timeout") == Some(clap::parser::ValueSource::CommandLine)
    {
        return Err(CliError::invalid(&FieldErrors(vec![FieldError::new(
            "--timeout",
            "only applies with --wait",
            "add --wait, or drop --timeout",
        )])));
    }
    let (template, secrets) = cluster.common.template(platform.longest_name_suffix())?;
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
