//! `maas check`: is this MAAS usable for hosted-cluster workers? Reachable, key accepted, and
//! what it offers (zones, pools, images, VM host capacity).
//!
//! Admin rights: reading all of this works with any user's key, but composing, registering and
//! deleting VM hosts need an administrator. A non-admin key is therefore a warning (bare-metal
//! workers still work), or an error with `--require-admin`.

use super::credentials::{MaasConnArgs, maas_error};
use super::hosts_table::{host_json, hosts_table, vm_counts};
use super::report::{OutputArgs, emit};
use crate::error::{CliError, Result};
use clap::Args;
use platform_api::platform::FieldErrors;
use serde_json::json;
use std::io::Write;

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub conn: MaasConnArgs,
    /// Fail (instead of warning) when the API key is not a MAAS administrator's.
    #[arg(long)]
    pub require_admin: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.conn.validate(&mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let conn = conn.expect("validated");
    let client = conn.client(false)?;

    // version/ answers without authentication, so it tells "unreachable" from "bad key".
    let version = client.version().await.map_err(maas_error)?;
    let user = client.whoami().await.map_err(maas_error)?;
    let mut warnings = Vec::new();
    if !user.is_superuser {
        let msg = format!(
            "user {} is not a MAAS administrator: composing, registering and deleting VM hosts \
             need an administrator's API key",
            user.username
        );
        if args.require_admin {
            return Err(CliError::new(format!("{msg} (--require-admin)")));
        }
        warnings.push(msg);
    }
    // Independent reads: one round-trip of latency instead of five.
    let (zones, pools, images, hosts, counts) = tokio::try_join!(
        client.zones(),
        client.resource_pools(),
        client.synced_images(),
        client.vm_hosts(),
        vm_counts(&client),
    )
    .map_err(maas_error)?;
    if hosts.is_empty() {
        warnings.push("no VM hosts: NodePools with `lxd` cannot compose VMs".to_string());
    }
    if images.is_empty() {
        warnings.push("no synced images: machines cannot be deployed".to_string());
    }
    for w in &warnings {
        writeln!(err, "warning: {w}")?;
    }

    let names = |v: Vec<&str>| {
        if v.is_empty() {
            "(none)".into()
        } else {
            v.join(", ")
        }
    };
    let mut text = format!(
        "MAAS      {} (version {})\nUser      {}{}\nZones     {}\nPools     {}\nImages    {}\n\
         VM hosts  {}\n",
        conn.endpoint,
        version.version,
        user.username,
        if user.is_superuser {
            " (administrator)"
        } else {
            " (not an administrator)"
        },
        names(zones.iter().map(|z| z.name.as_str()).collect()),
        names(pools.iter().map(|p| p.name.as_str()).collect()),
        names(images.iter().map(String::as_str).collect()),
        hosts.len(),
    );
    if !hosts.is_empty() {
        text.push('\n');
        text.push_str(&hosts_table(&hosts, counts.as_ref()));
    }
    let report = json!({
        "endpoint": conn.endpoint.to_string(),
        "version": version,
        "user": { "username": user.username, "admin": user.is_superuser },
        "zones": zones.iter().map(|z| json!({"id": z.id, "name": z.name, "description": z.description})).collect::<Vec<_>>(),
        "resourcePools": pools.iter().map(|p| json!({"id": p.id, "name": p.name, "description": p.description})).collect::<Vec<_>>(),
        "syncedImages": images,
        "vmHosts": hosts.iter().map(|h| host_json(h, counts.as_ref().map(|c| c.get(&h.id).copied().unwrap_or(0)))).collect::<Vec<_>>(),
        "warnings": warnings,
    });
    emit(out, args.output.output, &text, &report)
}
