//! Command-line wiring. Each subcommand lives in its own file; libraries stay clap-free.

pub mod create;
pub mod destroy;
pub mod install;
pub mod maas;
pub mod render;

use clap::{Parser, Subcommand};

/// Create, destroy and render hosted clusters whose workers come from a pluggable platform.
#[derive(Parser, Debug)]
#[command(name = "hosted-cluster", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create resources (a hosted cluster).
    #[command(subcommand)]
    Create(create::CreateCommand),
    /// Destroy resources (a hosted cluster).
    #[command(subcommand)]
    Destroy(destroy::DestroyCommand),
    /// Print every object the operator would apply for the HostedClusters in a file.
    Render(render::RenderArgs),
    /// Install the operator: `--render` prints its CRDs, RBAC and Deployment.
    Install(install::InstallArgs),
    /// Check a MAAS, manage its LXD VM hosts, or serve a simulated MAAS.
    #[command(subcommand)]
    Maas(maas::MaasCommand),
    /// Prepare this node's LXD and register it as a VM host (the LXD initializer).
    #[command(subcommand)]
    Lxd(maas::lxd::LxdCommand),
}
