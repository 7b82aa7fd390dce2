//! A MAAS 3.7 REST API 2.0 simulator served over real HTTP on 127.0.0.1.
//!
//! It serves the parts of MAAS that machine and VM-host clients use (machines and their
//! lifecycle, VM hosts with resource accounting and compose, zones, pools, tags, images,
//! users), checks OAuth like MAAS, answers errors with MAAS's status codes and texts, and
//! generates `describe/` from its own route table so python-libmaas works against it.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use maas_simulator::{Inventory, SimOptions, Simulator};
//! let sim = Simulator::start_on(
//!     "127.0.0.1:0".parse().unwrap(),
//!     Inventory::default_inventory(),
//!     SimOptions::instant(),
//! )
//! .await?;
//! println!("{} {}", sim.base_url(), sim.api_key());
//! sim.faults().fail_next("POST machines/?op=allocate", 1, 10).unwrap();
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod body;
mod cli;
mod describe;
mod faults;
mod handlers;
mod http;
mod inventory;
mod oauth;
mod options;
mod routes;
mod server;
mod snapshot;
mod state;
mod status;
#[cfg(feature = "testing")]
pub mod testing;

/// The parsers that read untrusted request bytes, for the fuzz targets in `fuzz/`.
#[cfg(feature = "fuzzing")]
pub mod fuzzing {
    /// Parses an `Authorization` header as the simulator does; the number of OAuth parameters.
    pub fn oauth_header(header: &str) -> Option<usize> {
        crate::oauth::parse_header(header).map(|p| p.len())
    }

    /// Parses a request body of `content_type` as the simulator does; the number of fields.
    pub fn form_body(content_type: &str, body: &[u8]) -> Result<usize, String> {
        crate::body::Form::from_body(Some(content_type), body).map(|f| f.lists().len())
    }
}

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use cli::{CliError, SimulateArgs, load_inventory, run_cli};
pub use faults::{Fault, FaultInjector, InvalidRoute};
pub use inventory::{
    BootResourceSpec, BootResourceType, DomainSpec, HardwareSpec, Inventory, InventoryError,
    MachineSpec, PoolSpec, StoragePoolSpec, TagSpec, UserSpec, VmHostSpec, VmHostType, ZoneSpec,
};
pub use options::SimOptions;
pub use server::RecordedRequest;
pub use snapshot::{MachineSnapshot, Resources, StoragePoolSnapshot, VmHostSnapshot};
pub use status::MachineStatus;

use server::{Shared, lock};

/// Root of the REST API below the server.
pub(crate) const API: &str = "/MAAS/api/2.0/";

/// Starts simulators.
pub struct Simulator;

impl Simulator {
    /// Serve `inventory` on an ephemeral port of 127.0.0.1 with default options.
    pub async fn start(inventory: Inventory) -> io::Result<SimHandle> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        Self::start_on(addr, inventory, SimOptions::default()).await
    }

    /// Serve `inventory` on `addr`. Fails with `InvalidInput` when the inventory is
    /// inconsistent (e.g. a machine in an unknown zone) and with the bind error otherwise.
    pub async fn start_on(
        addr: SocketAddr,
        inventory: Inventory,
        opts: SimOptions,
    ) -> io::Result<SimHandle> {
        let state = state::build::build(&inventory, opts.seed)
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidInput, err))?;
        let api_key = state
            .users
            .iter()
            .find(|u| u.is_admin)
            .and_then(|u| u.keys.first())
            .map(|k| k.joined())
            .expect("build() requires an admin with an API key");
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            opts,
            faults: FaultInjector::default(),
            log: Mutex::new(Vec::new()),
            addr,
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, shared.clone(), shutdown_rx));
        Ok(SimHandle {
            shared,
            shutdown,
            task: Some(task),
            api_key,
        })
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    api_key: String,
}

impl std::fmt::Debug for SimHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The API key stays out of Debug output.
        f.debug_struct("SimHandle")
            .field("addr", &self.shared.addr)
            .finish_non_exhaustive()
    }
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// `http://127.0.0.1:PORT/MAAS/`, what MAAS clients take as the server URL.
    pub fn base_url(&self) -> String {
        format!("http://{}/MAAS/", self.shared.addr)
    }

    /// `http://127.0.0.1:PORT/MAAS/api/2.0/`.
    pub fn api_url(&self) -> String {
        format!("http://{}{API}", self.shared.addr)
    }

    /// The first admin user's API key, `consumer:token:secret`.
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }

    /// The first API key of `username`, if the user exists and has one.
    pub fn api_key_for(&self, username: &str) -> Option<String> {
        let state = lock(&self.shared.state);
        state.user(username)?.keys.first().map(|k| k.joined())
    }

    /// Fault rules of this simulator (clones share them).
    pub fn faults(&self) -> FaultInjector {
        self.shared.faults.clone()
    }

    pub fn options(&self) -> &SimOptions {
        &self.shared.opts
    }

    /// All machines, ordered by creation, with due transitions applied.
    pub fn machines(&self) -> Vec<MachineSnapshot> {
        let mut state = lock(&self.shared.state);
        state.advance(Instant::now());
        state
            .machines
            .iter()
            .map(|m| state.machine_snapshot(m))
            .collect()
    }

    pub fn machine(&self, system_id: &str) -> Option<MachineSnapshot> {
        let mut state = lock(&self.shared.state);
        state.advance(Instant::now());
        state.machine(system_id).map(|m| state.machine_snapshot(m))
    }

    pub fn machine_by_hostname(&self, hostname: &str) -> Option<MachineSnapshot> {
        let mut state = lock(&self.shared.state);
        state.advance(Instant::now());
        let m = state.machines.iter().find(|m| m.hostname == hostname)?;
        Some(state.machine_snapshot(m))
    }

    pub fn vm_hosts(&self) -> Vec<VmHostSnapshot> {
        let mut state = lock(&self.shared.state);
        state.advance(Instant::now());
        let ids: Vec<u32> = state.vm_hosts.iter().map(|h| h.id).collect();
        ids.into_iter()
            .filter_map(|id| state.vm_host_snapshot(id))
            .collect()
    }

    pub fn vm_host(&self, id: u32) -> Option<VmHostSnapshot> {
        let mut state = lock(&self.shared.state);
        state.advance(Instant::now());
        state.vm_host_snapshot(id)
    }

    /// Every request served so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Stop accepting connections, close open ones and wait for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
