//! `hosted-cluster render -f FILE`: print every object the operator would apply for the
//! HostedClusters (and their NodePools and Secrets) in FILE. Same builder as the operator.

use crate::error::{CliError, Result};
use crate::output::{self, Format};
use clap::Args;
use platform_api::api::{ApiEndpoint, NodePool};
use platform_api::control_plane::{BootstrapTokens, control_plane_registry};
use platform_api::desired::capi::{CAPI_GROUP, CapiVersion};
use platform_api::desired::{self, ClusterInputs};
use platform_api::platform::{MissingSecrets, PlatformSettings, SecretData};
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct RenderArgs {
    /// YAML or JSON file with HostedCluster, NodePool and Secret objects; `-` reads stdin.
    /// Repeat to read several files. Each holds at most 8 MiB; a directory, FIFO or device is
    /// refused.
    #[arg(short = 'f', long = "filename", value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// The hosted API server endpoint (HOST:PORT), as the control plane would report it.
    #[arg(long, value_name = "HOST:PORT")]
    pub api_endpoint: Option<String>,
    /// CAPI provider image by platform type, TYPE=IMAGE (repeatable), as the operator's
    /// configuration would set it.
    #[arg(long = "provider-image", value_name = "TYPE=IMAGE")]
    pub provider_images: Vec<String>,
    /// Image of the CAPI core manager run in each control-plane namespace, as the operator's
    /// `--capi-manager-image` would set it (default: CAPI's release matching `--capi`).
    #[arg(long = "capi-manager-image", value_name = "IMAGE")]
    pub capi_manager_image: Option<String>,
    /// The `cluster.x-k8s.io` version to write CAPI objects (Cluster, MachineDeployment) in:
    /// the one the management cluster's CAPI stores. v1beta2 for CAPI 1.11 and newer, v1beta1
    /// for CAPI 1.10 and older.
    #[arg(long = "capi", value_name = "v1beta1|v1beta2", default_value_t = CapiVersion::V1Beta2)]
    pub capi: CapiVersion,
    /// Include Secret values.
    #[arg(long)]
    pub render_sensitive: bool,
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Yaml)]
    pub output: Format,
}

fn parse_endpoint(s: &str) -> Result<ApiEndpoint> {
    let bad = || {
        CliError::new(format!(
            "--api-endpoint {s:?} is not HOST:PORT; use e.g. api.demo.example.com:6443"
        ))
    };
    let (host, port) = s.rsplit_once(':').ok_or_else(bad)?;
    let port: i32 = port.parse().map_err(|_| bad())?;
    if host.is_empty() || !(1..=65535).contains(&port) {
        return Err(bad());
    }
    // IPv6 hosts come bracketed: [fd00::1]:6443.
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Some(why) = platform_api::desired::syntax::host_problem(bare) {
        return Err(CliError::new(format!(
            "--api-endpoint {s:?}: the host {why}"
        )));
    }
    Ok(ApiEndpoint {
        host: host.to_string(),
        port,
    })
}

pub fn run(args: &RenderArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let input = super::render_input::read(&args.files)?;
    for w in &input.warnings {
        writeln!(err, "warning: {w}")?;
    }
    let super::render_input::Input {
        clusters,
        pools,
        secrets,
        ..
    } = input;
    if clusters.is_empty() {
        return Err(CliError::new(
            "no HostedCluster in the input; render needs at least one",
        ));
    }

    let endpoint = args
        .api_endpoint
        .as_deref()
        .map(parse_endpoint)
        .transpose()?;
    let mut settings =
        PlatformSettings::from_provider_images("--provider-image", &args.provider_images)
            .map_err(CliError::new)?;
    settings.capi_manager_image = args.capi_manager_image.clone();

    let mut rendered = Vec::new();
    for mut hc in clusters {
        if hc.metadata.namespace.is_none() {
            hc.metadata.namespace = Some("default".into());
        }
        let ns = hc.metadata.namespace.clone().unwrap_or_default();
        let name = hc.metadata.name.clone().unwrap_or_default();
        let platform = platform_api::platform_for(&hc.spec.platform.type_).map_err(|e| {
            CliError::new(format!(
                "HostedCluster {ns}/{name}: spec.platform.type: {e}"
            ))
        })?;
        let my_pools: Vec<NodePool> = pools
            .iter()
            .filter(|p| {
                p.spec.cluster_name == name && p.metadata.namespace.as_deref().unwrap_or(&ns) == ns
            })
            .cloned()
            .collect();
        let credentials = platform.credentials_secret_name(&hc).and_then(|secret| {
            secrets
                .iter()
                .find(|s| {
                    s.metadata.name.as_deref() == Some(&secret)
                        && s.metadata.namespace.as_deref().unwrap_or(&ns) == ns
                })
                .map(|s| {
                    let mut d = SecretData::from_secret(s);
                    d.namespace = ns.clone();
                    d
                })
        });
        if credentials.is_none() {
            if let Some(secret) = platform.credentials_secret_name(&hc) {
                writeln!(
                    err,
                    "warning: Secret {ns}/{secret} is not in the input; credentials are rendered as PLACEHOLDER values"
                )?;
            }
        }
        // The backend from the annotation, else the linked default (as the operator's).
        let backend = control_plane_registry()
            .map_err(|e| CliError::new(e.to_string()))?
            .for_cluster(&hc, None)
            .map_err(|e| CliError::new(format!("HostedCluster {ns}/{name}: {e}")))?;
        let inputs = ClusterInputs {
            hosted_cluster: &hc,
            node_pools: &my_pools,
            credentials: credentials.as_ref(),
            api_endpoint: endpoint.as_ref(),
            missing_secrets: MissingSecrets::Placeholder,
            settings: &settings,
            capi: args.capi,
            // No live control plane and no tokens: its objects show placeholders.
            control_plane_status: None,
            control_plane_secrets: &[],
            bootstrap_tokens: &BootstrapTokens::default(),
            // Only the operator makes key material: render shows a marked placeholder.
            capi_webhook_tls: None,
        };
        let state = desired::build(&inputs, platform.as_ref(), backend.as_ref())
            .map_err(|e| CliError::new(e.to_string()))?;
        for w in &state.warnings {
            writeln!(err, "warning: {w}")?;
        }
        let failures: Vec<String> = state
            .node_pool_errors()
            .map(|(n, e)| format!("NodePool {ns}/{n}: {e}"))
            .collect();
        if !failures.is_empty() {
            return Err(CliError {
                message: failures.join("\n"),
                code: 2,
            });
        }
        for obj in state.objects() {
            let v = obj.to_value();
            rendered.push(if obj.sensitive && !args.render_sensitive {
                output::redact_secret(v)
            } else {
                v
            });
        }
    }
    if rendered.iter().any(|o| {
        o["apiVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with(&format!("{CAPI_GROUP}/")))
    }) {
        writeln!(err, "{}", capi_note(args.capi))?;
    }
    out.write_all(output::render(&rendered, args.output).as_bytes())?;
    Ok(())
}

/// Which CAPI version the output assumes, and how to get the other one.
fn capi_note(version: CapiVersion) -> String {
    let other = match version {
        CapiVersion::V1Beta1 => CapiVersion::V1Beta2,
        CapiVersion::V1Beta2 => CapiVersion::V1Beta1,
    };
    format!(
        "note: CAPI objects are {} ({}); use --capi {other} for {}",
        version.api_version(),
        version.capi_releases(),
        other.capi_releases()
    )
}
