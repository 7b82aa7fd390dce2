//! `maas simulate`: the maas-simulator program inside hosted-cluster, so a demo needs one
//! binary. Serves until Ctrl-C and prints the URL and API keys (demo keys, not secrets) to
//! stdout itself, as the standalone `maas-simulator` does. The flags are the simulator's own.

use crate::error::{CliError, Result};
use clap::Args;
pub use maas_simulator::SimulateArgs;

// The flags are built when `maas simulate` is invoked (deferred); flattened into a struct of our
// own so that this help line, not the simulator's struct doc, is the command's description.
/// Serve a simulated MAAS 3.7 on 127.0.0.1 until Ctrl-C (prints its URL and API keys).
#[derive(Args, Debug)]
pub struct SimulateCommand {
    #[command(flatten)]
    pub args: SimulateArgs,
}

pub async fn run(command: &SimulateCommand) -> Result<()> {
    command
        .args
        .run()
        .await
        .map_err(|e| CliError::new(format!("maas simulate: {e}")))
}
