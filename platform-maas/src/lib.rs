//! The MAAS platform for hosted clusters: `spec.platform.maas` types, builders for the objects
//! cluster-api-provider-maas (CAPMAAS) reads, the credentials format, and registration.
//!
//! Linking this crate registers platform type `MAAS`. A binary must name the crate
//! (`use platform_maas as _;`) or the linker drops it and the registration with it.

pub mod capacity;
#[cfg(feature = "cli")]
pub mod cli;
pub mod create;
pub mod credentials;
pub mod infra;
pub mod lxd;
pub mod machine_status;
pub mod machine_template;
pub mod orphans;
pub mod platform;
pub mod provider;
pub mod provider_id;
pub mod provider_version;
pub mod spec;
pub mod validate;

pub use platform::Maas;
pub use spec::{MaasNodePoolPlatform, MaasPlatformSpec, PLATFORM_TYPE};

platform_api::register_platform!(PLATFORM_TYPE, || Box::new(Maas));
