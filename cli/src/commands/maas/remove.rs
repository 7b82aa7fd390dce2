//! `maas vm-hosts decompose` and `maas vm-hosts delete`. MAAS decomposes a VM by deleting its
//! machine. Deleting a host removes its VMs' machines from MAAS either way; `decompose=true`
//! also destroys the VMs on the LXD server. The two commands keep those apart so neither can
//! surprise.

use super::credentials::{MaasConnArgs, maas_error};
use super::report::{OutputArgs, emit};
use crate::error::{CliError, Result};
use clap::Args;
use platform_api::platform::{FieldError, FieldErrors};
use serde_json::json;
use std::io::Write;

#[derive(Args, Debug)]
pub struct DecomposeArgs {
    #[command(flatten)]
    pub conn: MaasConnArgs,
    /// System id of the composed VM's machine.
    #[arg(value_name = "MACHINE_ID", required_unless_present = "machine")]
    pub machine_id: Option<String>,
    /// The same as MACHINE_ID.
    #[arg(long, value_name = "SYSTEM_ID", conflicts_with = "machine_id")]
    pub machine: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct DeleteArgs {
    #[command(flatten)]
    pub conn: MaasConnArgs,
    /// VM host id.
    #[arg(value_name = "ID")]
    pub id: u64,
    /// Also destroy the host's VMs on the LXD server. Either way MAAS forgets their machines;
    /// without this the VMs keep running on the server, unmanaged.
    #[arg(long)]
    pub decompose: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn decompose(args: &DecomposeArgs, out: &mut dyn Write) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.conn.validate(&mut errors);
    let system_id = args
        .machine_id
        .as_deref()
        .or(args.machine.as_deref())
        .unwrap_or("")
        .trim();
    if system_id.is_empty() {
        errors.push(FieldError::new(
            "MACHINE_ID",
            "is empty",
            "give the machine's system id",
        ));
    }
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let client = conn.expect("validated").client(true)?;

    // Deleting a bare-metal machine would remove real hardware from MAAS: only VMs qualify.
    let machine = client.machine(system_id).await.map_err(maas_error)?;
    let Some(host_id) = machine.vm_host_id() else {
        return Err(CliError::new(format!(
            "machine {system_id} ({}) is not a composed VM (it has no VM host); refusing to \
             delete it. Use MAAS itself to delete bare-metal machines",
            machine.hostname
        )));
    };
    client.delete_machine(system_id).await.map_err(maas_error)?;
    let text = format!(
        "decomposed machine {system_id} ({}) from vm-host {host_id}\n",
        machine.hostname
    );
    let object = json!({ "systemId": system_id, "hostname": machine.hostname,
                         "vmHost": host_id, "decomposed": true });
    emit(out, args.output.output, &text, &object)
}

pub async fn delete(args: &DeleteArgs, out: &mut dyn Write) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.conn.validate(&mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let client = conn.expect("validated").client(true)?;
    // Read first so the output names what was deleted, and a wrong id deletes nothing.
    let host = client.vm_host(args.id).await.map_err(maas_error)?;
    client
        .delete_vm_host(args.id, args.decompose)
        .await
        .map_err(maas_error)?;
    let text = format!(
        "deleted vm-host {} ({}); {}\n",
        host.id,
        host.name,
        if args.decompose {
            "its VMs were decomposed"
        } else {
            "its VMs were removed from MAAS but left on the LXD server"
        }
    );
    let object = json!({ "id": host.id, "name": host.name, "deleted": true,
                         "decomposed": args.decompose });
    emit(out, args.output.output, &text, &object)
}
