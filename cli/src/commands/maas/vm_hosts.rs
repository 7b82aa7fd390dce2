//! `maas vm-hosts ...`: the subcommands, and `list`.

use super::credentials::{MaasConnArgs, maas_error};
use super::hosts_table::{host_json, hosts_table, vm_counts};
use super::report::{OutputArgs, emit};
use super::{compose, register, remove};
use crate::error::{CliError, Result};
use clap::{Args, Subcommand};
use maas_client::VmHostQuery;
use platform_api::platform::FieldErrors;
use serde_json::json;
use std::io::Write;

// Each subcommand's arguments are built only when it is the one invoked (start-up cost).
#[derive(Subcommand, Debug)]
#[command(defer = true)]
pub enum VmHostsCommand {
    /// List VM hosts with their capacity under over-commit.
    List(ListArgs),
    /// Compose a VM on a VM host (on --host, or on the host with most room left).
    Compose(compose::ComposeArgs),
    /// Decompose a VM: delete the machine MAAS composed (only VMs, never bare metal).
    Decompose(remove::DecomposeArgs),
    /// Remove a VM host (and its VMs' machines) from MAAS; --decompose also destroys the VMs.
    Delete(remove::DeleteArgs),
    /// Register an LXD server as a VM host.
    Register(register::RegisterArgs),
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    pub conn: MaasConnArgs,
    /// Only hosts in this zone.
    #[arg(long)]
    pub zone: Option<String>,
    /// Only hosts in this resource pool.
    #[arg(long)]
    pub pool: Option<String>,
    /// Only hosts carrying every one of these tags (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Only hosts of this type (lxd or virsh).
    #[arg(long = "type", value_name = "TYPE")]
    pub type_: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(cmd: &VmHostsCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        VmHostsCommand::List(args) => list(args, out).await,
        VmHostsCommand::Compose(args) => compose::run(args, out).await,
        VmHostsCommand::Decompose(args) => remove::decompose(args, out).await,
        VmHostsCommand::Delete(args) => remove::delete(args, out).await,
        VmHostsCommand::Register(args) => register::run(args, out).await,
    }
}

async fn list(args: &ListArgs, out: &mut dyn Write) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.conn.validate(&mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let client = conn.expect("validated").client(false)?;
    let query = VmHostQuery {
        type_: args.type_.clone(),
        zone: args.zone.clone(),
        pool: args.pool.clone(),
        tags: args
            .tags
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
    };
    let hosts = client.query_vm_hosts(&query).await.map_err(maas_error)?;
    let counts = vm_counts(&client).await.map_err(maas_error)?;
    let text = if hosts.is_empty() {
        "No VM hosts match.\n".to_string()
    } else {
        hosts_table(&hosts, counts.as_ref())
    };
    let object = json!({
        "vmHosts": hosts.iter().map(|h| host_json(h, counts.as_ref().map(|c| c.get(&h.id).copied().unwrap_or(0)))).collect::<Vec<_>>(),
    });
    emit(out, args.output.output, &text, &object)
}
