//! Running the simulator as a program: print how to reach it, serve until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::server::lock;
use crate::{Inventory, InventoryError, SimOptions, Simulator};

/// Why `run_cli` stopped early.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Inventory(#[from] InventoryError),
    /// The inventory parsed but is inconsistent (the message says how).
    #[error(transparent)]
    Inconsistent(std::io::Error),
    #[error("cannot serve on 127.0.0.1:{port}: {source}")]
    Serve { port: u16, source: std::io::Error },
    #[error("cannot wait for Ctrl-C: {0}")]
    Signal(std::io::Error),
}

/// Serve `inventory` (or the default inventory) on 127.0.0.1:`port` until Ctrl-C. Prints the
/// URL and the users' API keys: they are the simulator's demo keys, not secrets.
pub async fn run_cli(
    port: u16,
    inventory: Option<PathBuf>,
    opts: SimOptions,
) -> Result<(), CliError> {
    let inventory = match inventory {
        Some(path) => Inventory::from_file(path)?,
        None => Inventory::default_inventory(),
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let sim = Simulator::start_on(addr, inventory, opts)
        .await
        .map_err(|source| match source.kind() {
            std::io::ErrorKind::InvalidInput => CliError::Inconsistent(source),
            _ => CliError::Serve { port, source },
        })?;
    println!(
        "MAAS simulator (MAAS 3.7 API) listening on {}",
        sim.base_url()
    );
    let keys: Vec<(String, bool, String)> = {
        let state = lock(&sim.shared.state);
        state
            .users
            .iter()
            .flat_map(|u| {
                u.keys
                    .iter()
                    .map(|k| (u.username.clone(), u.is_admin, k.joined()))
            })
            .collect()
    };
    for (username, is_admin, key) in &keys {
        let role = if *is_admin { "admin" } else { "user" };
        println!("API key for {username} ({role}): {key}");
    }
    println!(
        "Try: maas login {} {}api/2.0/ {}",
        keys.iter().find(|k| k.1).map_or("admin", |k| k.0.as_str()),
        sim.base_url(),
        sim.api_key()
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await.map_err(CliError::Signal)?;
    sim.shutdown().await;
    Ok(())
}
