//! `maas simulate`: the maas-simulator program inside hosted-cluster, so a demo needs one
//! binary. Serves until Ctrl-C and prints the URL and API keys (demo keys, not secrets) to
//! stdout itself, as the standalone `maas-simulator` does. The flags are the simulator's own.

use crate::error::{CliError, Result};
pub use maas_simulator::SimulateArgs;

pub async fn run(args: &SimulateArgs) -> Result<()> {
    args.run()
        .await
        .map_err(|e| CliError::new(format!("maas simulate: {e}")))
}
