//! `hosted-cluster destroy cluster --name N`: delete the NodePools, then the HostedCluster; wait
//! until the operator has torn it down (the HostedCluster is gone once the operator removes its
//! finalizer); then delete the Secrets this CLI created for it. Idempotent: what is already gone
//! is skipped.
//!
//! Destroying needs nothing from the platform (the operator releases the infrastructure), so the
//! command takes none. `destroy cluster <platform> --name N`, the older spelling, still works: a
//! hidden alias per linked platform, generated from the registry.

use crate::error::{CliError, Result};
use crate::kube_args::{KubeArgs, describe_kube_error};
use crate::progress::Stdout;
use crate::wait;
use clap::{ArgMatches, Args, FromArgMatches, Subcommand};
use hosted_cluster_operator::apply::delete_if_present;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use platform_api::api::{CLUSTER_LABEL, HostedCluster, NodePool};
use platform_api::manifests::SAFE_TO_DELETE_LABEL;
use std::io::Write;
use std::time::Duration;

// `cluster`'s arguments (and its per-platform aliases) are built only when it is invoked.
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum DestroyCommand {
    /// Destroy a hosted cluster.
    Cluster(DestroyCluster),
}

/// `destroy cluster [<platform>] --name N`: [`DestroyArgs`], given directly or after a platform
/// name (the hidden alias).
#[derive(Debug, Clone)]
pub struct DestroyCluster {
    pub args: DestroyArgs,
}

impl Args for DestroyCluster {
    fn augment_args(command: clap::Command) -> clap::Command {
        let mut command = DestroyArgs::augment_args(command)
            .args_conflicts_with_subcommands(true)
            .subcommand_negates_reqs(true);
        if let Ok(clis) = cli_plugin::platform_clis() {
            for p in clis.iter() {
                command = command.subcommand(
                    DestroyArgs::augment_args(clap::Command::new(p.name()))
                        .about("Same as `destroy cluster` (the platform is not needed)")
                        .hide(true),
                );
            }
        }
        command
    }
    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for DestroyCluster {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let m = matches.subcommand().map_or(matches, |(_, m)| m);
        Ok(Self {
            args: DestroyArgs::from_arg_matches(m)?,
        })
    }
    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

#[derive(Args, Debug, Clone)]
pub struct DestroyArgs {
    /// Name of the HostedCluster.
    #[arg(long)]
    pub name: String,
    /// Namespace of the HostedCluster.
    #[arg(long, default_value = "clusters")]
    pub namespace: String,
    /// Accepted for older scripts: destroy always waits for the teardown now.
    #[arg(long, hide = true)]
    pub wait: bool,
    /// How long to wait for the operator's teardown, e.g. 30s, 10m, 1h30m.
    #[arg(long, default_value = "10m", value_parser = duration_arg::parse, allow_hyphen_values = true)]
    pub timeout: Duration,
    #[command(flatten)]
    pub kube: KubeArgs,
}

pub async fn run(args: &DestroyArgs, out: &mut dyn Write, stdout: Stdout) -> Result<()> {
    crate::cluster_ref::check(&args.name, &args.namespace)?;

    let client = args.kube.client().await?;
    let kerr = |e: kube::Error| CliError::new(describe_kube_error(&e));

    let pools: Api<NodePool> = Api::namespaced(client.clone(), &args.namespace);
    for np in pools
        .list(&ListParams::default())
        .await
        .map_err(kerr)?
        .items
    {
        if np.spec.cluster_name == args.name {
            let name = np.metadata.name.clone().unwrap_or_default();
            if delete_if_present(&pools, &name).await.map_err(kerr)? {
                writeln!(out, "NodePool {}/{name} deleted", args.namespace)?;
            }
        }
    }

    let clusters: Api<HostedCluster> = Api::namespaced(client.clone(), &args.namespace);
    let existed = delete_if_present(&clusters, &args.name)
        .await
        .map_err(kerr)?;
    if existed {
        writeln!(
            out,
            "HostedCluster {}/{} deleted",
            args.namespace, args.name
        )?;
    } else {
        writeln!(
            out,
            "HostedCluster {}/{} not found (already deleted)",
            args.namespace, args.name
        )?;
    }

    // The operator still needs the cluster's Secrets (platform credentials above all) to release
    // the infrastructure, so they go only once it has let go of the HostedCluster.
    if existed {
        wait::gone(&clusters, &args.name, args.timeout, out, stdout).await?;
    }

    // Only Secrets this CLI created (labelled at creation); a user's own Secrets stay.
    let secrets: Api<Secret> = Api::namespaced(client, &args.namespace);
    let selector = format!("{SAFE_TO_DELETE_LABEL}=true,{CLUSTER_LABEL}={}", args.name);
    for s in secrets
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(kerr)?
        .items
    {
        let name = s.metadata.name.unwrap_or_default();
        if delete_if_present(&secrets, &name).await.map_err(kerr)? {
            writeln!(out, "Secret {}/{name} deleted", args.namespace)?;
        }
    }
    Ok(())
}
