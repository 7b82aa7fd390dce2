//! `hosted-cluster maas ...`: talk to a MAAS directly, to check that a cluster's MAAS is usable
//! before creating one, to manage the LXD VM hosts its workers are composed on, and to serve a
//! simulated MAAS for demos. One file per command; the MAAS logic lives in maas-client.

pub mod check;
pub mod compose;
pub mod credentials;
pub mod hosts_table;
pub mod install_lxd;
pub mod lxd;
pub mod placement;
pub mod register;
pub mod remove;
pub mod report;
pub mod simulate;
pub mod vm_host_args;
pub mod vm_hosts;

use crate::error::Result;
use clap::Subcommand;
use std::io::Write;

// Each subcommand's arguments are built only when it is the one invoked (start-up cost).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum MaasCommand {
    /// Serve a simulated MAAS 3.7 on 127.0.0.1 until Ctrl-C (prints its URL and API keys).
    Simulate(simulate::SimulateCommand),
    /// Check that MAAS is reachable and the API key works; report what it offers.
    Check(check::CheckArgs),
    /// Preview where an LXD pool's VMs would land on the VM hosts, and what does not fit.
    Placement(placement::PlacementArgs),
    /// List, compose on, register and delete LXD VM hosts.
    #[command(subcommand, name = "vm-hosts")]
    VmHosts(vm_hosts::VmHostsCommand),
}

pub async fn run(cmd: &MaasCommand, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    match cmd {
        MaasCommand::Simulate(args) => simulate::run(args).await,
        MaasCommand::Check(args) => check::run(args, out, err).await,
        MaasCommand::VmHosts(cmd) => vm_hosts::run(cmd, out).await,
        MaasCommand::Placement(args) => placement::run(args, out).await,
    }
}
