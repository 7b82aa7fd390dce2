//! `maas vm-hosts compose`: compose VMs on a given host, or let placement pick the host with
//! the most room that MAAS will accept (the same checks MAAS makes, so a refusal explains per
//! host why nothing fits, before anything is sent). Without `--host`, a host MAAS refuses for
//! capacity is skipped for the next fitting one; any other error stops. The hosts are listed
//! once and their zone and pool ids reused, so `--count N` costs N + 1 requests when nothing is
//! refused.

use super::credentials::{MaasConnArgs, maas_error};
use super::report::{Format, OutputArgs, emit};
use crate::error::{CliError, Result};
use clap::Args;
use maas_client::{
    ComposeError, ComposeRequest, Composer, MaasClient, PlacementStrategy, StorageSpec, VmHost,
    VmHostQuery,
};
use platform_api::platform::{FieldError, FieldErrors};
use serde_json::json;
use std::io::Write;

/// MAAS's compose form refuses less memory than this.
const MIN_MEMORY_MIB: u64 = 1024;

#[derive(Args, Debug)]
pub struct ComposeArgs {
    #[command(flatten)]
    pub conn: MaasConnArgs,
    /// VM host id to compose on (default: the fitting host with the most memory left).
    #[arg(long, value_name = "ID")]
    pub host: Option<u64>,
    /// CPU cores of the VM.
    #[arg(long)]
    pub cores: u32,
    /// Memory of the VM in MiB (at least 1024).
    #[arg(long, value_name = "MiB")]
    pub memory: u64,
    /// A disk as label:sizeGB or label:sizeGB(pool), e.g. root:20(default) (repeatable;
    /// default: MAAS's single 8 GB disk in the host's default pool).
    #[arg(long, value_name = "SPEC")]
    pub storage: Vec<String>,
    /// Hostname of the new machine (a DNS label; MAAS picks one otherwise).
    #[arg(long)]
    pub hostname: Option<String>,
    /// Zone of the new machine; without --host, also only hosts in this zone are considered.
    #[arg(long)]
    pub zone: Option<String>,
    /// Resource pool of the new machine; without --host, also only hosts in this pool.
    #[arg(long)]
    pub pool: Option<String>,
    /// How many VMs to compose (each on the best fitting host at that point).
    #[arg(long, default_value_t = 1)]
    pub count: u32,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `label:size` or `label:size(pool)`, size in whole decimal GB as MAAS reads it.
pub fn parse_storage(spec: &str) -> Result<StorageSpec, String> {
    let (label, rest) = spec
        .split_once(':')
        .ok_or("has no ':' between label and size")?;
    let (size, pool) = match rest.split_once('(') {
        Some((size, pool)) => (
            size,
            Some(
                pool.strip_suffix(')')
                    .ok_or("has '(' without a closing ')'")?,
            ),
        ),
        None => (rest, None),
    };
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if !plain(label) {
        return Err(format!(
            "label {label:?} must be letters, digits, '-', '_' or '.'"
        ));
    }
    let size_gb: u64 = size
        .parse()
        .ok()
        .filter(|s| *s > 0)
        .ok_or_else(|| format!("size {size:?} is not a whole number of GB above 0"))?;
    let mut disk = StorageSpec::new(label, size_gb);
    if let Some(pool) = pool {
        if !plain(pool) {
            return Err(format!(
                "pool {pool:?} must be letters, digits, '-', '_' or '.'"
            ));
        }
        disk = disk.in_pool(pool);
    }
    Ok(disk)
}

fn is_dns_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

impl ComposeArgs {
    /// The request, or every problem with the flags (checked before anything is sent).
    fn request(&self, errors: &mut FieldErrors) -> ComposeRequest {
        if self.cores == 0 {
            errors.push(FieldError::new("--cores", "is 0", "use 1 or more"));
        }
        if self.memory < MIN_MEMORY_MIB {
            errors.push(FieldError::new(
                "--memory",
                format!("is {} MiB", self.memory),
                format!("use at least {MIN_MEMORY_MIB} (MiB)"),
            ));
        }
        let mut storage = Vec::new();
        for spec in &self.storage {
            match parse_storage(spec) {
                Ok(disk) => storage.push(disk),
                Err(why) => errors.push(FieldError::new(
                    "--storage",
                    format!("{spec:?} {why}"),
                    "use label:sizeGB or label:sizeGB(pool), e.g. root:20(default)",
                )),
            }
        }
        if self.count == 0 {
            errors.push(FieldError::new("--count", "is 0", "use 1 or more"));
        }
        if self.count > 1 && self.hostname.is_some() {
            errors.push(FieldError::new(
                "--hostname",
                format!("names one machine, but --count is {}", self.count),
                "leave --hostname out (MAAS names each VM) or compose one VM",
            ));
        }
        if let Some(h) = &self.hostname
            && !is_dns_label(h)
        {
            errors.push(FieldError::new(
                "--hostname",
                format!("{h:?} is not a DNS label"),
                "use lowercase letters, digits and '-', at most 63",
            ));
        }
        ComposeRequest {
            storage,
            hostname: self.hostname.clone(),
            ..ComposeRequest::new(self.cores, self.memory)
        }
    }
}

/// Compose takes zone and pool ids; people know names.
async fn resolve_ids(
    client: &MaasClient,
    args: &ComposeArgs,
    req: &mut ComposeRequest,
) -> Result<()> {
    let unknown = |flag: &str, name: &str, known: Vec<String>| CliError {
        message: format!("{flag}: MAAS has no {name:?}; known: {}", known.join(", ")),
        code: 2,
    };
    if let Some(zone) = &args.zone {
        let zones = client.zones().await.map_err(maas_error)?;
        let found = zones.iter().find(|z| &z.name == zone);
        req.zone = Some(
            found
                .ok_or_else(|| {
                    unknown(
                        "--zone",
                        zone,
                        zones.iter().map(|z| z.name.clone()).collect(),
                    )
                })?
                .id,
        );
    }
    if let Some(pool) = &args.pool {
        let pools = client.resource_pools().await.map_err(maas_error)?;
        let found = pools.iter().find(|p| &p.name == pool);
        req.pool = Some(
            found
                .ok_or_else(|| {
                    unknown(
                        "--pool",
                        pool,
                        pools.iter().map(|p| p.name.clone()).collect(),
                    )
                })?
                .id,
        );
    }
    Ok(())
}

/// The zone and pool ids compose takes, from the chosen host (it was filtered by the same
/// names, so its ids are theirs): no extra lookups per VM.
fn ids_from(host: &VmHost, args: &ComposeArgs, req: &ComposeRequest) -> ComposeRequest {
    ComposeRequest {
        zone: args
            .zone
            .as_ref()
            .and(host.zone.as_ref().map(|z| z.id))
            .or(req.zone),
        pool: args
            .pool
            .as_ref()
            .and(host.pool.as_ref().map(|p| p.id))
            .or(req.pool),
        ..req.clone()
    }
}

fn composed_json(system_id: &str, host: &VmHost, req: &ComposeRequest) -> serde_json::Value {
    json!({
        "systemId": system_id,
        "vmHost": { "id": host.id, "name": host.name },
        "cores": req.cores,
        "memoryMiB": req.memory,
        "storage": req.effective_storage().iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

pub async fn run(args: &ComposeArgs, out: &mut dyn Write) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.conn.validate(&mut errors);
    let mut req = args.request(&mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let client = conn.expect("validated").client(true)?;
    let mut text = String::new();
    let mut composed = Vec::new();
    let mut reported = 0;
    if let Some(id) = args.host {
        resolve_ids(&client, args, &mut req).await?;
        let host = client.vm_host(id).await.map_err(maas_error)?;
        for _ in 0..args.count {
            let m = client.compose(host.id, &req).await.map_err(maas_error)?;
            text.push_str(&format!(
                "composed machine {} on vm-host {} ({})\n",
                m.system_id, host.id, host.name
            ));
            composed.push(composed_json(&m.system_id, &host, &req));
        }
    } else {
        let query = VmHostQuery {
            zone: args.zone.clone(),
            pool: args.pool.clone(),
            ..VmHostQuery::default()
        };
        let hosts = client.query_vm_hosts(&query).await.map_err(maas_error)?;
        if hosts.is_empty() {
            // Only now: a name MAAS does not know gets its list of known names.
            resolve_ids(&client, args, &mut req).await?;
        }
        let mut composer = Composer::new(hosts);
        let for_host = |h: &VmHost| ids_from(h, args, &req);
        for _ in 0..args.count {
            let result = composer
                .compose_with(&client, &req, &for_host, PlacementStrategy::MostFree)
                .await;
            refusals(&mut text, &composer, &mut reported);
            let c = match result {
                Ok(c) => c,
                Err(e) => {
                    // What was composed before the failure, for people; scripts get the error.
                    if args.output.output == Format::Table {
                        out.write_all(text.as_bytes())?;
                    }
                    return Err(match e {
                        ComposeError::Maas(m) => maas_error(m),
                        other => CliError::new(other.to_string()),
                    });
                }
            };
            text.push_str(&format!(
                "composed machine {} on vm-host {} ({})\n",
                c.machine.system_id, c.host.id, c.host.name
            ));
            composed.push(composed_json(
                &c.machine.system_id,
                &c.host,
                &for_host(&c.host),
            ));
        }
    }
    let object = if composed.len() == 1 {
        composed.remove(0)
    } else {
        json!({ "composed": composed })
    };
    emit(out, args.output.output, &text, &object)
}

/// The refusals not yet reported, one line each.
fn refusals(text: &mut String, composer: &Composer, reported: &mut usize) {
    for r in &composer.refused[*reported..] {
        text.push_str(&format!(
            "vm-host {} ({}) refused: {}; trying the next fitting host\n",
            r.host_id, r.host_name, r.message
        ));
    }
    *reported = composer.refused.len();
}
