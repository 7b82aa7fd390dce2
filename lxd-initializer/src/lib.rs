//! The LXD initializer (seed 001): prepares the local LXD for MAAS over its unix socket (storage
//! pool, network, MAAS profile, HTTPS address, trust) and registers the node as a MAAS VM host.
//! Every step is idempotent: it reads first and changes only what differs, and says which.
//! The `daemon` module keeps both current on a node and serves `/readyz`; `manifests` builds
//! the DaemonSet that runs it.
#![warn(missing_docs)]

mod client;
pub mod daemon;
mod error;
pub mod init;
pub mod manifests;
pub mod names;
mod outcome;
pub mod register;
pub mod route;
mod server;

pub use client::{DEFAULT_SOCKET, LxdClient, SNAP_SOCKET};
pub use error::LxdError;
pub use outcome::{Change, Step, changed};
pub use server::{Environment, Server, StorageDriver};
