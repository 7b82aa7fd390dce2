//! platform-api: the HostedCluster/NodePool API, the `Platform` trait, the link-time platform
//! registry, the one desired-state builder (`desired`), and CRD assembly (`crd`).
//!
//! Platforms live in their own crates and register with [`register_platform!`]. Nothing here
//! names a platform.

pub mod api;
pub mod crd;
pub mod desired;
pub mod manifests;
pub mod platform;
pub mod registry;
pub mod yaml;

pub use platform::Platform;
pub use registry::{PlatformRegistration, Registry, RegistryError, platform_for, registry};

// Re-exported for `register_platform!` so platform crates need no direct inventory dependency.
#[doc(hidden)]
pub use inventory;
