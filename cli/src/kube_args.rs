//! `--kubeconfig` / `--context`: the one struct every command that talks to Kubernetes flattens.

use crate::error::{CliError, Result};
use clap::Args;
use std::path::PathBuf;

tokio::task_local! {
    /// The client of a [`crate::run_with_client`] run: it replaces the kubeconfig's.
    static CLIENT_OVERRIDE: kube::Client;
}

/// Runs `f` with every [`KubeArgs::client`] call inside it answering `client`.
pub(crate) async fn with_client<F: std::future::Future>(client: kube::Client, f: F) -> F::Output {
    CLIENT_OVERRIDE.scope(client, f).await
}

/// The most a kubeconfig file may hold (far above any real one).
const KUBECONFIG_LIMIT: u64 = 16 * 1024 * 1024;

#[derive(Args, Debug, Clone, Default)]
pub struct KubeArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context).
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
}

impl KubeArgs {
    /// A client for the selected cluster. Fails with a message that says which file and context.
    pub async fn client(&self) -> Result<kube::Client> {
        if let Ok(client) = CLIENT_OVERRIDE.try_with(kube::Client::clone) {
            return Ok(client);
        }
        let options = kube::config::KubeConfigOptions {
            context: self.context.clone(),
            ..Default::default()
        };
        let config = match &self.kubeconfig {
            Some(path) => {
                // Read bounded first: kube would read /dev/zero until memory runs out.
                let text = crate::input::read_text(path, KUBECONFIG_LIMIT)
                    .map_err(|why| CliError::new(format!("--kubeconfig {why}")))?;
                let kc = kube::config::Kubeconfig::from_yaml(&text)
                    .map_err(|e| CliError::new(format!("cannot read --kubeconfig {}: {e}", path.display())))?;
                kube::Config::from_custom_kubeconfig(kc, &options).await
            }
            None => {
                check_kubeconfig_env()?;
                kube::Config::from_kubeconfig(&options).await
            }
        }
        .map_err(|e| {
            CliError::new(format!(
                "cannot load a Kubernetes configuration: {e}; pass --kubeconfig FILE (and --context NAME) or set KUBECONFIG"
            ))
        })?;
        let url = config.cluster_url.clone();
        let client = kube::Client::try_from(config)
            .map_err(|e| CliError::new(format!("cannot create a client for {url}: {e}")))?;
        Ok(client)
    }
}

/// The files `KUBECONFIG` names must be regular files of a sane size: kube reads them whole.
fn check_kubeconfig_env() -> Result<()> {
    let Some(paths) = std::env::var_os("KUBECONFIG") else {
        return Ok(());
    };
    for path in std::env::split_paths(&paths).filter(|p| !p.as_os_str().is_empty()) {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue; // a missing file is kube's to report (it skips some)
        };
        if !meta.is_file() || meta.len() > KUBECONFIG_LIMIT {
            let why = crate::input::read_file(&path, KUBECONFIG_LIMIT)
                .err()
                .unwrap_or_default();
            return Err(CliError::new(format!("KUBECONFIG: {why}")));
        }
    }
    Ok(())
}

/// Turns a client error into a message that says whether the cluster could be reached.
pub fn describe_kube_error(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("the API server refused: {} ({})", s.message, s.reason),
        kube::Error::HyperError(_) | kube::Error::Service(_) => {
            format!(
                "cannot reach the Kubernetes API server ({e}); check that the cluster is up and --kubeconfig/--context point at it"
            )
        }
        other => other.to_string(),
    }
}
