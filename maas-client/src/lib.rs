//! Async client for the MAAS REST API 2.0.
//!
//! The crate talks to MAAS the way MAAS's own tooling does (OAuth 1.0a
//! PLAINTEXT, form-encoded bodies, `?op=` operations) and turns MAAS's
//! free-text error answers into typed [`MaasError`]s so callers can decide
//! what to retry and what to report.
//!
//! Besides the raw REST calls it computes what MAAS does not serve directly:
//! the capacity of a VM host under over-commit ([`VmHostResources`]) and where
//! a new VM fits ([`placement::choose_vm_host`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), maas_client::MaasError> {
//! use maas_client::{ApiKey, ClientOptions, MaasClient, MaasEndpoint};
//! let client = MaasClient::new(
//!     MaasEndpoint::parse("http://maas.example:5240/MAAS")?,
//!     ApiKey::parse("consumer:token:secret")?,
//!     ClientOptions::default(),
//! )?;
//! let me = client.whoami().await?;
//! println!("logged in as {}", me.username);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

mod client;
pub mod composer;
mod error;
mod form;
mod operation;
mod ops;
mod options;
pub mod params;
pub mod placement;
mod resources;
mod retry;
mod tls;
mod transport;
pub mod types;

pub use client::MaasClient;
pub use composer::{ComposeError, Composed, Composer, Refusal};
// The endpoint and key parsers live in `maas-credentials` (the MAAS platform uses them without
// linking this crate's HTTP stack); re-exported so the client's API is unchanged.
pub use error::{FieldErrors, MaasError, TransportFailure};
pub use maas_credentials::{ApiKey, CredentialError, MaasEndpoint, SecretString};
pub use operation::{ObjectKind, Operation};
pub use options::ClientOptions;
pub use params::{
    AllocateConstraints, ComposeRequest, DeployOptions, LxdAuth, MachineFilter, RegisterLxdHost,
    ReleaseOptions, StorageSpec, UpdateVmHost, VmHostQuery,
};
pub use placement::pool::{PoolPlacement, PoolRequest, Slot, Unplaced, place_pool};
pub use placement::{PlacementError, PlacementStrategy, choose_vm_host};
pub use resources::{ResourceUsage, StoragePoolUsage, VmHostResources};
pub use retry::RetryPolicy;
pub use types::{
    BootResource, ComposedMachine, Machine, ResourcePool, Tag, User, Version, VmHost,
    VmHostParameters, Zone,
};
