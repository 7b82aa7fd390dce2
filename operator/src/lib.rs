//! The hosted-cluster operator as a library: reconcile, apply, status, runtime and install
//! builders. It knows platforms only through `platform_api::registry`; the binary links them.
//!
//! A reconcile is a pipeline of separate steps, each with its own error type, ordered in one
//! place (`reconcile::cluster`): `reconcile::inputs` (read, from the caches) →
//! `reconcile::desired` (pure: validate + `desired::build`, once) → `apply::live` → owner and
//! hash stamped once (`reconcile::owner`) → `apply::diff` → `apply` (server-side apply, prune)
//! → `status` (conditions, written only when they change). Deletion is `reconcile::cleanup`.

pub mod apply;
pub mod cache;
pub mod context;
pub mod error;
pub mod events;
pub mod install;
pub mod json;
pub mod metrics;
pub mod names;
pub mod reconcile;
pub mod runtime;
pub mod status;

pub use context::Context;
pub use error::Error;
