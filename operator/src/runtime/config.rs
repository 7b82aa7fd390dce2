//! Command-line flags (each also read from the environment).

use clap::Parser;
use platform_api::platform::PlatformSettings;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "hosted-cluster-operator",
    version,
    about = "Reconciles HostedClusters and NodePools through the linked platforms"
)]
pub struct Config {
    /// Watch HostedClusters, NodePools and Secrets in this namespace only (default: all).
    #[arg(long, env = "WATCH_NAMESPACE", value_parser = super::flags::namespace)]
    pub watch_namespace: Option<String>,
    /// CAPI provider image for a platform type, TYPE=IMAGE; repeat or comma-separate.
    #[arg(
        long = "default-provider-image",
        env = "DEFAULT_PROVIDER_IMAGE",
        value_name = "TYPE=IMAGE",
        value_delimiter = ','
    )]
    pub default_provider_images: Vec<String>,
    /// Control-plane backend of HostedClusters without the hosted-cluster.io/control-plane
    /// annotation (default: the first linked backend).
    #[arg(long, env = "DEFAULT_CONTROL_PLANE", value_name = "BACKEND")]
    pub default_control_plane: Option<String>,
    /// Image of a control-plane backend's own component (e.g. the control-plane operator a
    /// HyperShift control plane runs), BACKEND=IMAGE; repeat or comma-separate.
    #[arg(
        long = "control-plane-image",
        env = "CONTROL_PLANE_IMAGE",
        value_name = "BACKEND=IMAGE",
        value_delimiter = ','
    )]
    pub control_plane_images: Vec<String>,
    /// Image of the CAPI core manager run in each control-plane namespace (default: CAPI's
    /// release whose CRDs match the CAPI version written).
    #[arg(
        long = "capi-manager-image",
        env = "CAPI_MANAGER_IMAGE",
        value_name = "IMAGE"
    )]
    pub capi_manager_image: Option<String>,
    /// Write CAPI objects as cluster.x-k8s.io/VERSION (v1beta1 or v1beta2) instead of the newest
    /// version the API server serves (which is the one CAPI stores).
    #[arg(long, env = "CAPI_VERSION", value_name = "VERSION")]
    pub capi_version: Option<platform_api::desired::capi::CapiVersion>,
    /// HostedClusters reconciled at the same time.
    #[arg(long, env = "CONCURRENCY", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrency: u16,
    /// Address of the /metrics, /livez and /readyz server.
    #[arg(long, env = "METRICS_ADDR", default_value = "0.0.0.0:8080")]
    pub metrics_addr: SocketAddr,
    /// Log JSON lines instead of text. Levels come from RUST_LOG (default info).
    #[arg(long, env = "LOG_JSON")]
    pub log_json: bool,
    /// Run only while holding the Lease (for more than one replica).
    #[arg(long, env = "LEADER_ELECT")]
    pub leader_elect: bool,
    /// Namespace of the leader-election Lease (the operator's own namespace).
    #[arg(long, env = "POD_NAMESPACE", default_value = "hypershift",
          value_parser = super::flags::namespace)]
    pub lease_namespace: String,
    /// After SIGTERM, how long in-flight reconciles may run before the process exits anyway
    /// (status 0), whether or not the API server answers: 10s by default.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", value_name = "DURATION", default_value = "10s",
          value_parser = duration_arg::parse)]
    pub shutdown_timeout: Duration,
    /// On deletion, how long the platform's release of orphaned machines is retried (e.g. while
    /// MAAS is unreachable) before the cluster is deleted without it, with a Warning Event
    /// naming the machines to check by hand: 15m by default.
    #[arg(long, env = "ORPHAN_CLEANUP_TIMEOUT", value_name = "DURATION", default_value = "15m",
          value_parser = duration_arg::parse)]
    pub orphan_cleanup_timeout: Duration,
    /// This replica's identity for the Lease and for Events (the pod name).
    #[arg(long, env = "POD_NAME")]
    pub pod_name: Option<String>,
}

impl Config {
    /// `--default-provider-image`, `--control-plane-image`, `--default-control-plane` and
    /// `--capi-manager-image` as
    /// settings; names the bad flag value, and a platform TYPE that is none of `known` (the
    /// registry's types), listing them.
    pub fn settings(&self, known: &[&str]) -> Result<PlatformSettings, String> {
        let mut settings = PlatformSettings::from_provider_images(
            "--default-provider-image",
            &self.default_provider_images,
        )
        .map_err(|e| format!("{e} (e.g. None=registry.example.com/capi-provider:v1)"))?;
        if let Some(unknown) = settings
            .provider_images
            .keys()
            .find(|t| !known.contains(&t.as_str()))
        {
            return Err(format!(
                "--default-provider-image: {unknown:?} is not a platform type of this operator \
                 (known: {})",
                known.join(", ")
            ));
        }
        let backends =
            platform_api::control_plane::control_plane_registry().map_err(|e| e.to_string())?;
        for entry in &self.control_plane_images {
            let (backend, image) = entry
                .split_once('=')
                .filter(|(b, i)| !b.is_empty() && !i.is_empty())
                .ok_or_else(|| format!("--control-plane-image {entry:?} is not BACKEND=IMAGE"))?;
            backends
                .get(backend)
                .map_err(|e| format!("--control-plane-image {entry:?}: {e}"))?;
            settings
                .control_plane_images
                .insert(backend.to_string(), image.to_string());
        }
        if let Some(name) = &self.default_control_plane {
            backends
                .get(name)
                .map_err(|e| format!("--default-control-plane: {e}"))?;
            settings.default_control_plane = Some(name.clone());
        }
        if let Some(image) = &self.capi_manager_image {
            if image.trim().is_empty() {
                return Err(
                    "--capi-manager-image is empty; give an image reference or leave \
                            the flag out for the default"
                        .into(),
                );
            }
            settings.capi_manager_image = Some(image.clone());
        }
        Ok(settings)
    }
}
