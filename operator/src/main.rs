//! `hosted-cluster-operator`: the operator binary.

use clap::Parser;
use hosted_cluster_operator::runtime::{self, Config};
// The one place the operator links platforms: through a crate that names them all, so no
// platform is named here (tests/architecture.rs).
use linked_plugins as _;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let config = Config::parse();
    if let Err(e) = linked_plugins::check_registered() {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    match runtime::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
