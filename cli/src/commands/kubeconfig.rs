//! `hosted-cluster create kubeconfig --name N`: prints the hosted cluster's admin kubeconfig, as
//! HyperShift's command of the same name does: the Secret that `status.kubeconfig` names, in the
//! HostedCluster's namespace, key `kubeconfig`.
//!
//! The kubeconfig holds credentials: it goes to stdout (the purpose of the command) and never
//! into a message.

use crate::conditions;
use crate::error::{CliError, Result};
use crate::kube_args::{KubeArgs, describe_kube_error};
use clap::Args;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use platform_api::api::HostedCluster;
use std::io::Write;

/// The key of the kubeconfig in its Secret (HyperShift's).
const KUBECONFIG_KEY: &str = "kubeconfig";

#[derive(Args, Debug, Clone)]
pub struct KubeconfigArgs {
    /// Name of the HostedCluster.
    #[arg(long)]
    pub name: String,
    /// Namespace of the HostedCluster.
    #[arg(long, default_value = "clusters")]
    pub namespace: String,
    #[command(flatten)]
    pub kube: KubeArgs,
}

pub async fn run(args: &KubeconfigArgs, out: &mut dyn Write) -> Result<()> {
    crate::cluster_ref::check(&args.name, &args.namespace)?;

    let client = args.kube.client().await?;
    let kerr = |e: kube::Error| CliError::new(describe_kube_error(&e));
    let (ns, name) = (&args.namespace, &args.name);

    let clusters: Api<HostedCluster> = Api::namespaced(client.clone(), ns);
    let hc = crate::cluster_ref::existing(&clusters, name).await?;
    let status = hc.status.unwrap_or_default();
    let Some(reference) = status.kubeconfig.filter(|r| !r.name.is_empty()) else {
        return Err(CliError::new(format!(
            "HostedCluster {ns}/{name} has no kubeconfig yet: it is not ready. {}\n\
             `hosted-cluster create cluster ... --wait` waits until it is Available.",
            not_ready(&status.conditions)
        )));
    };

    let secret_name = &reference.name;
    let secrets: Api<Secret> = Api::namespaced(client, ns);
    let secret = secrets.get_opt(secret_name).await.map_err(kerr)?.ok_or_else(|| {
        CliError::new(format!(
            "HostedCluster {ns}/{name} names Secret {ns}/{secret_name} as its kubeconfig, but that \
             Secret does not exist (yet); try again shortly, or check the operator's logs"
        ))
    })?;
    let kubeconfig = secret
        .data
        .unwrap_or_default()
        .remove(KUBECONFIG_KEY)
        .filter(|v| !v.0.is_empty())
        .ok_or_else(|| {
            CliError::new(format!(
                "Secret {ns}/{secret_name} (the kubeconfig of HostedCluster {ns}/{name}) has no \
                 {KUBECONFIG_KEY:?} key"
            ))
        })?;
    out.write_all(&kubeconfig.0)?;
    Ok(())
}

/// Which conditions say why the cluster is not ready: those not `True`, Available first.
fn not_ready(all: &[k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition]) -> String {
    let pending = conditions::not_true(all);
    if pending.is_empty() {
        return if all.is_empty() {
            "It reports no conditions yet: is the operator running?".to_string()
        } else {
            "Every condition is True, but the control plane has not reported a kubeconfig yet."
                .to_string()
        };
    }
    let lines: String = pending
        .iter()
        .map(|c| format!("\n  {}", conditions::line(c)))
        .collect();
    format!("Conditions not True:{lines}")
}
