//! `maas-simulator`: serve a simulated MAAS 3.7 on 127.0.0.1 until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use maas_simulator::{SimOptions, run_cli};

/// A MAAS 3.7 REST API 2.0 simulator for tests and demos.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1 (MAAS's own default is 5240).
    #[arg(long, default_value_t = 5240)]
    port: u16,
    /// Inventory file (YAML, or JSON with a .json extension); the built-in lab otherwise.
    #[arg(long, value_name = "FILE")]
    inventory: Option<PathBuf>,
    /// How long deploying takes: 2s, 500ms, 1m, or seconds (0 = done by the next request).
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    deploy_time: Duration,
    /// How long releasing takes.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    release_time: Duration,
    /// How long commissioning takes (composed VMs are Ready at once when 0).
    #[arg(long, default_value = "0s", value_parser = parse_duration)]
    commission_time: Duration,
    /// Answer vm-hosts/ and pods/ with 410 Gone, as MAAS does since VM hosts were removed.
    #[arg(long)]
    vm_hosts_removed: bool,
    /// Make allocate answer 409 instead of composing a VM when no machine matches.
    #[arg(long)]
    no_allocate_compose: bool,
}

/// `2s`, `500ms`, `1m`, `1.5` (seconds).
fn parse_duration(text: &str) -> Result<Duration, String> {
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
        Ok(value) if value.is_finite() && value >= 0.0 => {
            Ok(Duration::from_secs_f64(value * scale))
        }
        _ => Err(format!(
            "{text:?} is not a duration such as 2s, 500ms or 1m"
        )),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let opts = SimOptions {
        deploy_time: args.deploy_time,
        release_time: args.release_time,
        commission_time: args.commission_time,
        vm_hosts_removed: args.vm_hosts_removed,
        allocate_composes: !args.no_allocate_compose,
        ..SimOptions::default()
    };
    match run_cli(args.port, args.inventory, opts).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("maas-simulator: {err}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("-1s").is_err());
        assert!(parse_duration("soon").is_err());
    }
}
