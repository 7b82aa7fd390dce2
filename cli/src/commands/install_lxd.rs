//! `hosted-cluster install lxd-initializer --render`: the DaemonSet that runs `lxd daemon` on
//! each node (privileged, host network, LXD's socket mounted, MAAS credentials from a Secret),
//! its ServiceAccount (no Role: the daemon never calls the Kubernetes API) and its Namespace.

use crate::error::{CliError, Result};
use crate::output::{self, Format};
use clap::Args;
use lxd_initializer::manifests::{self, InstallOptions};
use std::io::Write;

#[derive(Args, Debug, Clone)]
pub struct LxdInitializerArgs {
    /// Print the manifests (pipe them to `kubectl apply --server-side -f -`).
    #[arg(long)]
    pub render: bool,
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Yaml)]
    pub output: Format,
    /// Namespace of the DaemonSet (labelled for privileged pods).
    #[arg(long, default_value = manifests::DEFAULT_NAMESPACE)]
    pub namespace: String,
    /// Image with the hosted-cluster command.
    #[arg(long, default_value = manifests::DEFAULT_IMAGE)]
    pub image: String,
    /// Secret with MAAS_ENDPOINT and MAAS_API_KEY, in --namespace.
    #[arg(long, default_value = manifests::DEFAULT_SECRET)]
    pub credentials_secret: String,
    /// LXD's socket on the nodes.
    #[arg(long, default_value = lxd_initializer::DEFAULT_SOCKET)]
    pub socket: String,
    /// /readyz port on the host network.
    #[arg(long, default_value_t = manifests::DEFAULT_PORT)]
    pub port: u16,
    /// MAAS zone the nodes register in.
    #[arg(long)]
    pub zone: Option<String>,
    /// MAAS resource pool the nodes register in.
    #[arg(long)]
    pub pool: Option<String>,
    /// LXD project MAAS manages.
    #[arg(long)]
    pub project: Option<String>,
    /// Storage pool name / driver of `lxd init`.
    #[arg(long)]
    pub storage_pool: Option<String>,
    #[arg(long)]
    pub storage_backend: Option<String>,
    /// Host bridge VMs attach to (or --macvlan).
    #[arg(long, conflicts_with = "macvlan")]
    pub network_bridge: Option<String>,
    /// macvlan on each node's default-route interface.
    #[arg(long)]
    pub macvlan: bool,
}

pub fn run(args: &LxdInitializerArgs, out: &mut dyn Write) -> Result<()> {
    if !args.render {
        return Err(CliError {
            message: "install lxd-initializer without --render is not supported yet; run `hosted-cluster install lxd-initializer --render | kubectl apply --server-side -f -`".into(),
            code: 2,
        });
    }
    let mut daemon_args = Vec::new();
    for (flag, value) in [
        ("zone", &args.zone),
        ("pool", &args.pool),
        ("project", &args.project),
        ("storage-pool", &args.storage_pool),
        ("storage-backend", &args.storage_backend),
        ("network-bridge", &args.network_bridge),
    ] {
        if let Some(v) = value {
            daemon_args.push(format!("--{flag}={v}"));
        }
    }
    if args.macvlan {
        daemon_args.push("--macvlan".into());
    }
    let opts = InstallOptions {
        namespace: args.namespace.clone(),
        image: args.image.clone(),
        credentials_secret: args.credentials_secret.clone(),
        socket: args.socket.clone(),
        port: args.port,
        daemon_args,
    };
    out.write_all(output::render(&manifests::objects(&opts), args.output).as_bytes())?;
    Ok(())
}
