//! platform-api: the HostedCluster/NodePool API, the [`Platform`] trait, the link-time platform
//! registry, the one desired-state builder ([`desired`]), and CRD assembly ([`crd`]).
//!
//! Nothing here names a platform. A platform (MAAS, `None`, ...) lives in its own crate,
//! implements [`Platform`] and registers with [`register_platform!`]; the operator, the CLI
//! and `crdgen` find it through [`registry()`] once the crate is linked.
//!
//! # Writing a platform
//!
//! A platform answers a handful of questions [`desired::build`] asks while it turns a
//! HostedCluster and its NodePools into objects: what its `spec.platform.<type>` section looks
//! like, whether a given section is valid, which credentials to copy into the control-plane
//! namespace, which CAPI infrastructure objects to create. The smallest useful platform has no
//! infrastructure at all:
//!
//! ```
//! use k8s_openapi::api::apps::v1::DeploymentSpec;
//! use k8s_openapi::api::core::v1::Secret;
//! use kube::api::DynamicObject;
//! use platform_api::api::{HostedCluster, NodePool};
//! use platform_api::crd::section_schema;
//! use platform_api::platform::{ClusterContext, FieldErrors, NodePoolContext, PlatformError};
//! use platform_api::Platform;
//! use schemars::{Schema, SchemaGenerator};
//!
//! /// `spec.platform.bare`: nothing to configure.
//! #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
//! struct BareSpec {}
//!
//! #[derive(Clone, Default)]
//! struct Bare;
//!
//! #[async_trait::async_trait]
//! impl Platform for Bare {
//!     fn platform_type(&self) -> &'static str {
//!         "Bare"
//!     }
//!     fn hosted_cluster_schema(&self, generator: &mut SchemaGenerator) -> Schema {
//!         section_schema::<BareSpec>(generator)
//!     }
//!     fn node_pool_schema(&self, generator: &mut SchemaGenerator) -> Schema {
//!         section_schema::<BareSpec>(generator)
//!     }
//!     fn validate_hosted_cluster(&self, _: &HostedCluster) -> Result<(), FieldErrors> {
//!         Ok(())
//!     }
//!     fn validate_node_pool(&self, _: &HostedCluster, _: &NodePool) -> Result<(), FieldErrors> {
//!         Ok(())
//!     }
//!     fn credentials_secret_name(&self, _: &HostedCluster) -> Option<String> {
//!         None // no credentials to read
//!     }
//!     fn credentials(&self, _: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError> {
//!         Ok(Vec::new())
//!     }
//!     fn infra_cr(&self, _: &ClusterContext<'_>) -> Result<Option<DynamicObject>, PlatformError> {
//!         Ok(None) // no CAPI infrastructure cluster
//!     }
//!     fn capi_provider_deployment_spec(
//!         &self,
//!         _: &ClusterContext<'_>,
//!     ) -> Result<Option<DeploymentSpec>, PlatformError> {
//!         Ok(None) // no CAPI provider to run
//!     }
//!     fn machine_template(
//!         &self,
//!         _: &NodePoolContext<'_>,
//!     ) -> Result<Option<DynamicObject>, PlatformError> {
//!         Ok(None) // workers are added by hand
//!     }
//! }
//!
//! // In the platform crate: makes `Bare` known to every binary that links the crate.
//! platform_api::register_platform!("Bare", || Box::new(Bare));
//!
//! // The registry now serves it by its `spec.platform.type`.
//! let platform = platform_api::platform_for("Bare").unwrap();
//! assert_eq!(platform.platform_type(), "Bare");
//! ```
//!
//! The example crate under `examples/` is the same platform, complete, and `platform-maas` a
//! full one (credentials, an infrastructure cluster, a CAPI provider, machine templates).
//! Each runs the shared conformance suite (`testing::conformance`, behind the `testing`
//! feature) from its tests; a new platform should too.
//!
//! # Modules
//!
//! * [`api`]: the HostedCluster, NodePool and HostedControlPlane types, with the platform
//!   section held opaquely ([`api::PlatformSpec`]).
//! * [`platform`]: the [`Platform`] trait, its inputs and its errors.
//! * [`control_plane`]: the [`ControlPlane`] trait (what runs the control plane and bootstraps
//!   the workers) and its registry.
//! * [`registry`](mod@registry): the link-time platform registry.
//! * [`desired`]: [`desired::build`], the one function that decides the objects of a cluster.
//! * [`crd`]: the CRDs, with each registered platform's section schema.
//! * [`manifests`]: the objects a user creates (what `create cluster` writes).
//! * [`yaml`]: YAML in and out.
#![warn(missing_docs)]

pub mod api;
pub mod control_plane;
pub mod crd;
pub mod desired;
pub mod manifests;
pub mod platform;
pub mod registry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod yaml;

pub use control_plane::ControlPlane;
pub use platform::Platform;
pub use registry::{PlatformRegistration, Registry, RegistryError, platform_for, registry};

// Re-exported for `register_platform!` so platform crates need no direct inventory dependency.
#[doc(hidden)]
pub use inventory;
