//! `maas-simulator`: serve a simulated MAAS 3.7 on 127.0.0.1 until Ctrl-C.

use std::process::ExitCode;

use clap::Parser;
use maas_simulator::SimulateArgs;

/// A MAAS 3.7 REST API 2.0 simulator for tests and demos.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    simulate: SimulateArgs,
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
    match Args::parse().simulate.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("maas-simulator: {err}");
            ExitCode::FAILURE
        }
    }
}
