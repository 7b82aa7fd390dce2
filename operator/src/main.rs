//! `hosted-cluster-operator`: the operator binary.

use clap::Parser;
use hosted_cluster_operator::runtime::{self, Config};
// The one place the operator links platforms: through a crate that names them all, so no
// platform is named here (tests/architecture.rs).
use linked_plugins as _;

#[tokio::main]
async fn main() {
    let config = Config::parse();
    if let Err(e) = linked_plugins::check_registered() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    let code = match runtime::run(config).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    };
    // Exit here rather than by dropping the runtime: that would wait on blocking tasks (a DNS
    // lookup of an unreachable API server), past the --shutdown-timeout bound.
    std::process::exit(code);
}
