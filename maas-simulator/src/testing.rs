//! Starting a simulator from a test, in one line (the `testing` feature).
//!
//! Tests across the workspace start the default inventory on an ephemeral loopback port and
//! cannot go on without it, so these helpers panic instead of returning the error.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::{Inventory, SimHandle, SimOptions, Simulator};

/// The default inventory on an ephemeral port of 127.0.0.1, with `opts`.
pub async fn start(opts: SimOptions) -> SimHandle {
    start_with(Inventory::default_inventory(), opts).await
}

/// `inventory` on an ephemeral port of 127.0.0.1, with `opts`.
pub async fn start_with(inventory: Inventory, opts: SimOptions) -> SimHandle {
    Simulator::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), inventory, opts)
        .await
        .expect("simulator starts")
}

/// Short but non-zero deploy and release times, so that a client's waits really poll.
pub fn polling_options() -> SimOptions {
    SimOptions {
        deploy_time: Duration::from_millis(600),
        release_time: Duration::from_millis(300),
        ..SimOptions::default()
    }
}
