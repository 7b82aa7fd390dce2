//! Command-line wiring. Each subcommand lives in its own file; libraries stay clap-free.

pub mod create;
pub mod destroy;
pub mod install;
pub mod kubeconfig;
pub mod maas;
pub mod migrate;
pub mod render;
pub mod render_input;

use clap::{Parser, Subcommand};

/// Create, destroy and render hosted clusters whose workers come from a pluggable platform.
#[derive(Parser, Debug)]
#[command(name = "hosted-cluster", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// A subcommand's arguments are built only when it is the one invoked: building every
// subcommand's arguments up front was most of the start-up of a short command.
impl Cli {
    /// Whether the command only reads files and prints (`render`, `install`, `create cluster
    /// ... --render`): it needs no network, timers or signals, so `main` starts no I/O driver
    /// for it.
    pub fn is_offline(&self) -> bool {
        match &self.command {
            Command::Render(_) | Command::Install(_) => true,
            Command::Create(create::CreateCommand::Cluster(c)) => {
                c.common.render || c.common.render_into.is_some()
            }
            _ => false,
        }
    }
}

#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum Command {
    /// Create resources (a hosted cluster, a hosted cluster's kubeconfig).
    #[command(subcommand)]
    Create(create::CreateCommand),
    /// Destroy resources (a hosted cluster).
    #[command(subcommand)]
    Destroy(destroy::DestroyCommand),
    /// Print every object the operator would apply for the HostedClusters in a file.
    Render(render::RenderArgs),
    /// Install the operator: `--render` prints its CRDs, RBAC and Deployment.
    Install(install::InstallArgs),
    /// Rewrite objects still in a deprecated format (credentials Secrets).
    #[command(subcommand)]
    Migrate(migrate::MigrateCommand),
    /// Check a MAAS, manage its LXD VM hosts, or serve a simulated MAAS.
    #[command(subcommand)]
    Maas(maas::MaasCommand),
    /// Prepare this node's LXD and register it as a VM host (the LXD initializer).
    #[command(subcommand)]
    Lxd(maas::lxd::LxdCommand),
}
