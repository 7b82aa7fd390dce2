//! `maas simulate`: the maas-simulator program inside hosted-cluster, so a demo needs one
//! binary. Serves until Ctrl-C and prints the URL and API keys (demo keys, not secrets) to
//! stdout itself, as the standalone `maas-simulator` does.

use crate::error::{CliError, Result};
use clap::Args;
use maas_simulator::{SimOptions, run_cli};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// Port on 127.0.0.1 (MAAS's own default is 5240).
    #[arg(long, default_value_t = 5240)]
    pub port: u16,
    /// Inventory file (YAML, or JSON with a .json extension); the built-in lab otherwise.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// How long deploying takes: 2s, 500ms, 1m, or seconds (0 = done by the next request).
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub deploy_time: Duration,
    /// How long releasing takes.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub release_time: Duration,
    /// How long commissioning takes (composed VMs are Ready at once when 0).
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    pub commission_time: Duration,
    /// Answer vm-hosts/ and pods/ with 410 Gone, as MAAS does since VM hosts were removed.
    #[arg(long)]
    pub vm_hosts_removed: bool,
    /// Make allocate answer 409 instead of composing a VM when no machine matches.
    #[arg(long)]
    pub no_allocate_compose: bool,
}

/// `2s`, `500ms`, `1m`, `1.5` (seconds); the same syntax as the standalone simulator.
fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60.0)
    } else {
        (text, 1.0)
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(Duration::from_secs_f64(v * scale)),
        _ => Err(format!(
            "{text:?} is not a duration such as 2s, 500ms or 1m"
        )),
    }
}

pub async fn run(args: &SimulateArgs) -> Result<()> {
    let opts = SimOptions {
        deploy_time: args.deploy_time,
        release_time: args.release_time,
        commission_time: args.commission_time,
        vm_hosts_removed: args.vm_hosts_removed,
        allocate_composes: !args.no_allocate_compose,
        ..SimOptions::default()
    };
    run_cli(args.port, args.inventory.clone(), opts)
        .await
        .map_err(|e| CliError::new(format!("maas simulate: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert!(parse_duration("-1s").is_err());
    }
}
