//! `maas placement`: where an LXD pool's VMs would land on the VM hosts MAAS has now, and what
//! does not fit and why. The pool comes from a NodePool file (`-f`), flags, or both (flags win).
//! Read-only: it lists VM hosts and computes with maas-client's `place_pool`, the same function
//! a capacity preflight runs.

use super::credentials::{MaasConnArgs, maas_error};
use super::report::{OutputArgs, emit, table};
use crate::error::{CliError, Result};
use clap::Args;
use maas_client::{PoolPlacement, PoolRequest, place_pool};
use platform_api::platform::{FieldError, FieldErrors};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

/// CAPMAAS's defaults for a pool that leaves them out (minCPU, minMemory, lxd.vmConfig.diskSize).
const DEFAULT_CORES: u32 = 2;
const DEFAULT_MEMORY_MIB: u64 = 8192;
const DEFAULT_DISK_GB: u64 = 60;

#[derive(Args, Debug)]
pub struct PlacementArgs {
    #[command(flatten)]
    pub conn: MaasConnArgs,
    /// A NodePool YAML file (its spec.replicas and spec.platform.maas are read).
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Number of VMs.
    #[arg(long)]
    pub replicas: Option<u32>,
    /// Cores per VM.
    #[arg(long)]
    pub cores: Option<u32>,
    /// Memory per VM, MiB.
    #[arg(long, value_name = "MiB")]
    pub memory: Option<u64>,
    /// Root disk per VM, GB.
    #[arg(long, value_name = "GB")]
    pub disk_size: Option<u64>,
    /// LXD storage pool of the disks (default: each host's default pool).
    #[arg(long)]
    pub storage_pool: Option<String>,
    /// Zones the VMs may go to (repeatable; default: every zone).
    #[arg(long)]
    pub zone: Vec<String>,
    /// Resource pool of the VM hosts.
    #[arg(long)]
    pub pool: Option<String>,
    /// Tags every VM host must carry (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub tags: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn str_at<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    v.pointer(path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn u64_at(v: &Value, path: &str) -> Option<u64> {
    v.pointer(path).and_then(Value::as_u64)
}

/// The pool of the first NodePool in `text`.
fn from_nodepool(text: &str, file: &str, errors: &mut FieldErrors) -> PoolRequest {
    let docs: Vec<Value> = match platform_api::yaml::from_yaml_stream(text) {
        Ok(d) => d,
        Err(e) => {
            errors.push(FieldError::new(
                "-f",
                format!("{file}: {e}"),
                "give a NodePool YAML file",
            ));
            return PoolRequest::default();
        }
    };
    let Some(np) = docs.iter().find(|d| d["kind"] == "NodePool") else {
        errors.push(FieldError::new(
            "-f",
            format!("{file} has no NodePool"),
            "give a NodePool YAML file",
        ));
        return PoolRequest::default();
    };
    let m = "/spec/platform/maas";
    let mut tags: Vec<String> = str_at(np, &format!("{m}/machineType"))
        .map(String::from)
        .into_iter()
        .collect();
    for t in np
        .pointer(&format!("{m}/tags"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(t) = t.as_str().filter(|t| !tags.iter().any(|x| x == t)) {
            tags.push(t.to_string());
        }
    }
    let zone = str_at(np, &format!("{m}/zone")).or(str_at(np, &format!("{m}/failureDomain")));
    // CAPMAAS composes the larger of minDiskSize and lxd.vmConfig.diskSize (60 by default).
    let disk = u64_at(np, &format!("{m}/lxd/diskSize"))
        .unwrap_or(DEFAULT_DISK_GB)
        .max(u64_at(np, &format!("{m}/minDiskSize")).unwrap_or(0));
    PoolRequest {
        replicas: u64_at(np, "/spec/replicas").unwrap_or(1) as u32,
        cores: u64_at(np, &format!("{m}/minCpu")).map_or(DEFAULT_CORES, |c| c as u32),
        memory_mib: u64_at(np, &format!("{m}/minMemory")).unwrap_or(DEFAULT_MEMORY_MIB),
        disk_gb: disk,
        storage_pool: str_at(np, &format!("{m}/lxd/storagePool")).map(String::from),
        zones: zone.map(String::from).into_iter().collect(),
        resource_pool: str_at(np, &format!("{m}/resourcePool")).map(String::from),
        tags,
    }
}

impl PlacementArgs {
    fn request(&self, errors: &mut FieldErrors) -> PoolRequest {
        let mut r = match &self.file {
            Some(path) => {
                match crate::input::read_text(path, crate::commands::render_input::FILE_LIMIT) {
                    Ok(text) => from_nodepool(&text, &path.display().to_string(), errors),
                    Err(why) => {
                        errors.push(FieldError::new("-f", why, "give a readable NodePool file"));
                        PoolRequest::default()
                    }
                }
            }
            None => PoolRequest {
                replicas: 1,
                cores: DEFAULT_CORES,
                memory_mib: DEFAULT_MEMORY_MIB,
                disk_gb: DEFAULT_DISK_GB,
                ..PoolRequest::default()
            },
        };
        if let Some(v) = self.replicas {
            r.replicas = v;
        }
        if let Some(v) = self.cores {
            r.cores = v;
        }
        if let Some(v) = self.memory {
            r.memory_mib = v;
        }
        if let Some(v) = self.disk_size {
            r.disk_gb = v;
        }
        if self.storage_pool.is_some() {
            r.storage_pool = self.storage_pool.clone();
        }
        if !self.zone.is_empty() {
            r.zones = self.zone.clone();
        }
        if self.pool.is_some() {
            r.resource_pool = self.pool.clone();
        }
        if !self.tags.is_empty() {
            r.tags = self.tags.clone();
        }
        for (flag, zero) in [
            ("--cores", r.cores == 0),
            ("--memory", r.memory_mib == 0),
            ("--disk-size", r.disk_gb == 0),
        ] {
            if zero {
                errors.push(FieldError::new(flag, "is 0", "use a positive number"));
            }
        }
        r
    }
}

fn report(request: &PoolRequest, p: &PoolPlacement) -> (String, Value) {
    let rows: Vec<Vec<String>> = p
        .placed
        .iter()
        .map(|s| {
            vec![
                s.vm.to_string(),
                format!("{} ({})", s.host, s.host_id),
                s.zone.clone(),
                s.cores_left.to_string(),
                s.memory_left_mib.to_string(),
                if s.shares_host {
                    "shares host: no other host fits".into()
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    let mut text = format!(
        "{} VM(s) of {} cores, {} MiB, {} GB disk{} over {} candidate VM host(s)\n",
        request.replicas,
        request.cores,
        request.memory_mib,
        request.disk_gb,
        request
            .storage_pool
            .as_deref()
            .map(|s| format!(" in {s}"))
            .unwrap_or_default(),
        p.candidates
    );
    if !rows.is_empty() {
        text.push_str(&table(
            &[
                "VM",
                "HOST",
                "ZONE",
                "CORES LEFT",
                "MEMORY LEFT MiB",
                "NOTE",
            ],
            &rows,
        ));
    }
    for u in &p.unplaced {
        text.push_str(&format!(
            "VM {} does not fit: {}\n",
            u.vm,
            u.reasons.join("; ")
        ));
    }
    (
        text,
        json!({"request": request, "fits": p.fits(), "placed": p.placed, "unplaced": p.unplaced, "candidates": p.candidates}),
    )
}

pub async fn run(args: &PlacementArgs, out: &mut dyn Write) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.conn.validate(&mut errors);
    let request = args.request(&mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let client = conn.expect("validated").client(false)?;
    let hosts = client.vm_hosts().await.map_err(maas_error)?;
    let placement = place_pool(&hosts, &request);
    let (text, object) = report(&request, &placement);
    emit(out, args.output.output, &text, &object)?;
    if placement.fits() {
        Ok(())
    } else {
        Err(CliError::new(format!(
            "{} of {} VM(s) do not fit",
            placement.unplaced.len(),
            request.replicas
        )))
    }
}
