//! Running the simulator as a program: print how to reach it, serve until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::server::lock;
use crate::{Inventory, InventoryError, SimOptions, Simulator};

/// The simulator's flags, shared by the `maas-simulator` binary and `hosted-cluster maas
/// simulate` (both flatten it), so the two never drift apart.
#[derive(Debug, Clone, clap::Args)]
pub struct SimulateArgs {
    /// Port on 127.0.0.1 (MAAS's own default is 5240).
    #[arg(long, default_value_t = 5240)]
    pub port: u16,
    /// Inventory file (YAML, or JSON with a .json extension), or `demo` for the built-in
    /// inventory matching the repository's examples (zone1, tags production/compute,
    /// custom.maas.local); the built-in lab otherwise. A file named demo: ./demo.
    #[arg(long, value_name = "FILE|demo")]
    pub inventory: Option<PathBuf>,
    /// How long deploying takes: 2s, 500ms, 1m (0 = done by the next request).
    #[arg(long, default_value = "2s", value_parser = duration_arg::parse)]
    pub deploy_time: Duration,
    /// How long releasing takes.
    #[arg(long, default_value = "1s", value_parser = duration_arg::parse)]
    pub release_time: Duration,
    /// How long commissioning takes (composed VMs are Ready at once when 0).
    #[arg(long, default_value = "0s", value_parser = duration_arg::parse)]
    pub commission_time: Duration,
    /// Answer vm-hosts/ and pods/ with 410 Gone, as MAAS does since VM hosts were removed.
    #[arg(long)]
    pub vm_hosts_removed: bool,
    /// Make allocate answer 409 instead of composing a VM when no machine matches.
    #[arg(long)]
    pub no_allocate_compose: bool,
}

impl SimulateArgs {
    pub fn options(&self) -> SimOptions {
        SimOptions {
            deploy_time: self.deploy_time,
            release_time: self.release_time,
            commission_time: self.commission_time,
            vm_hosts_removed: self.vm_hosts_removed,
            allocate_composes: !self.no_allocate_compose,
            ..SimOptions::default()
        }
    }

    /// Serve until Ctrl-C, as the flags say.
    pub async fn run(&self) -> Result<(), CliError> {
        run_cli(self.port, self.inventory.clone(), self.options()).await
    }
}

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

/// The `--inventory` value naming the built-in demo inventory instead of a file.
const DEMO: &str = "demo";

/// The inventory `--inventory` names: `demo` is the built-in demo inventory, anything else a
/// file; without the flag, the default inventory.
pub fn load_inventory(inventory: Option<PathBuf>) -> Result<Inventory, InventoryError> {
    match inventory {
        Some(path) if path.as_os_str() == DEMO => Ok(Inventory::demo_inventory()),
        Some(path) => Inventory::from_file(path),
        None => Ok(Inventory::default_inventory()),
    }
}

/// Serve `inventory` (see `load_inventory`) on 127.0.0.1:`port` until Ctrl-C. Prints the
/// URL and the users' API keys: they are the simulator's demo keys, not secrets.
pub async fn run_cli(
    port: u16,
    inventory: Option<PathBuf>,
    opts: SimOptions,
) -> Result<(), CliError> {
    let inventory = load_inventory(inventory)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_flag() {
        let demo = load_inventory(Some(PathBuf::from("demo"))).unwrap();
        assert_eq!(demo, Inventory::demo_inventory());
        assert_eq!(
            load_inventory(None).unwrap(),
            Inventory::default_inventory()
        );
        let file = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/inventory/demo.yaml"));
        assert_eq!(load_inventory(Some(file)).unwrap(), demo);
        assert!(load_inventory(Some(PathBuf::from("./no-such-inventory.yaml"))).is_err());
    }
}
