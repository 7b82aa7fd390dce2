//! The `--name`/`--namespace` pair of an existing HostedCluster, as `destroy`, `create kubeconfig`
//! and `migrate credentials` take it: checked before anything is asked of the cluster, and looked
//! up with one message when it is not there.

use crate::error::{CliError, Result};
use crate::kube_args::describe_kube_error;
use kube::Api;
use platform_api::api::HostedCluster;
use platform_api::desired::validate::check_name;
use platform_api::platform::FieldErrors;

/// Both names are valid Kubernetes names; the error names each bad flag.
pub fn check(name: &str, namespace: &str) -> Result<()> {
    let mut errors = FieldErrors::default();
    check_name("--name", name, &mut errors);
    check_name("--namespace", namespace, &mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))
}

/// The HostedCluster `name` in `clusters`' namespace; its absence is an error saying how to find
/// the right one.
pub async fn existing(clusters: &Api<HostedCluster>, name: &str) -> Result<HostedCluster> {
    let ns = clusters.namespace().unwrap_or_default();
    clusters
        .get_opt(name)
        .await
        .map_err(|e| CliError::new(describe_kube_error(&e)))?
        .ok_or_else(|| {
            CliError::new(format!(
                "HostedCluster {ns}/{name} does not exist; check --name and --namespace \
                 (`kubectl get hostedclusters -A` lists them)"
            ))
        })
}
