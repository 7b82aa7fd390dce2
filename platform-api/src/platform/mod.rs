//! The `Platform` trait: everything the operator, `render` and the CLI need from an
//! infrastructure provider. Builders are pure: they get what they need as input and return
//! desired objects. Only cleanup talks to the platform's own API, and it is `async` to say so.

pub mod error;
pub mod hooks;
pub mod inputs;

pub use error::{FieldError, FieldErrors, PlatformError};
pub use hooks::{
    ImageRegistryStorage, IngressPublishingStrategy, KonnectivityAgentSettings, OpenShiftVersion,
};
pub use inputs::{
    ClusterContext, MissingSecrets, NodePoolContext, PlatformSettings, SecretData, Warnings,
};

use crate::api::{HostedCluster, NodePool};
use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::rbac::v1::PolicyRule;
use kube::api::DynamicObject;
use schemars::{Schema, SchemaGenerator};

/// A reference to an object the platform created and wants deleted on teardown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// Result of a platform's orphaned-machine cleanup.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CleanupOutcome {
    /// Human-readable description of each machine released or deleted.
    pub released: Vec<String>,
    /// Work that remains (the caller retries later).
    pub pending: Vec<String>,
}

/// Input for the orphaned-machine cleanup, run after the CAPI Cluster is gone.
#[derive(Debug)]
pub struct CleanupContext<'a> {
    pub hosted_cluster: &'a HostedCluster,
    pub credentials: Option<&'a SecretData>,
}

#[async_trait::async_trait]
pub trait Platform: dyn_clone::DynClone + Send + Sync + 'static {
    /// The `spec.platform.type` value this platform serves, e.g. `MAAS`.
    fn platform_type(&self) -> &'static str;

    /// Schema of `spec.platform.<type lower-cased>` in HostedCluster.
    fn hosted_cluster_schema(&self, generator: &mut SchemaGenerator) -> Schema;

    /// Schema of `spec.platform.<type lower-cased>` in NodePool.
    fn node_pool_schema(&self, generator: &mut SchemaGenerator) -> Schema;

    /// Checks the platform section of a HostedCluster. Paths start at the object root.
    fn validate_hosted_cluster(&self, hosted_cluster: &HostedCluster) -> Result<(), FieldErrors>;

    /// Checks the platform section of a NodePool. Paths start at the object root.
    fn validate_node_pool(
        &self,
        hosted_cluster: &HostedCluster,
        node_pool: &NodePool,
    ) -> Result<(), FieldErrors>;

    /// The Secret (in the HostedCluster's namespace) holding platform credentials, if the
    /// platform has one. The caller reads it and passes it back in [`ClusterContext::credentials`].
    fn credentials_secret_name(&self, hosted_cluster: &HostedCluster) -> Option<String>;

    /// Credential objects for the control-plane namespace (what the CAPI provider reads).
    fn credentials(&self, ctx: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError>;

    /// Extra objects for etcd secret encryption (e.g. a KMS provider config). Most have none.
    fn secret_encryption(&self, _ctx: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError> {
        Ok(Vec::new())
    }

    /// The CAPI infrastructure cluster object (e.g. MaasCluster), with `apiVersion` and `kind`
    /// set. `None` for platforms without one.
    fn infra_cr(&self, ctx: &ClusterContext<'_>) -> Result<Option<DynamicObject>, PlatformError>;

    /// The CAPI provider's Deployment spec. The caller sets name, labels, selector and service
    /// account. `None` for platforms without a CAPI provider.
    fn capi_provider_deployment_spec(
        &self,
        ctx: &ClusterContext<'_>,
    ) -> Result<Option<DeploymentSpec>, PlatformError>;

    /// Rules the provider needs beyond the base CAPI provider rules, in the control-plane namespace.
    fn capi_provider_policy_rules(&self) -> Vec<PolicyRule> {
        Vec::new()
    }

    /// The machine template for a NodePool (e.g. MaasMachineTemplate), with `apiVersion`, `kind`
    /// and `spec` set. The caller names it after the pool and a hash of the spec, because
    /// providers treat templates as immutable.
    fn machine_template(
        &self,
        ctx: &NodePoolContext<'_>,
    ) -> Result<Option<DynamicObject>, PlatformError>;

    /// Objects to delete when credentials are torn down. A missing object is fine.
    fn credential_objects(
        &self,
        _hosted_cluster: &HostedCluster,
        _control_plane_namespace: &str,
    ) -> Vec<ObjectRef> {
        Vec::new()
    }

    /// Releases machines this cluster allocated that CAPI did not clean up. Optional.
    async fn cleanup_orphaned_machines(
        &self,
        _ctx: &CleanupContext<'_>,
    ) -> Result<CleanupOutcome, PlatformError> {
        Ok(CleanupOutcome::default())
    }

    // ---- hooks answered by a `switch` on the platform type in HyperShift ----

    /// The platform type reported in OpenShift's `Infrastructure` object. OpenShift only accepts
    /// the types it knows; others report `None`.
    fn infrastructure_platform_type(&self, _release: Option<OpenShiftVersion>) -> &'static str {
        self.platform_type()
    }

    fn ingress_publishing_strategy(&self) -> IngressPublishingStrategy {
        IngressPublishingStrategy::LoadBalancer
    }

    fn image_registry_storage(&self) -> ImageRegistryStorage {
        ImageRegistryStorage::PlatformDefault
    }

    fn konnectivity_agent(&self) -> KonnectivityAgentSettings {
        KonnectivityAgentSettings::default()
    }

    /// `--cloud-provider` for kube-controller-manager; `None` leaves it unset.
    fn kcm_cloud_provider(&self) -> Option<&'static str> {
        None
    }

    fn kas_port(&self) -> i32 {
        hooks::DEFAULT_KAS_PORT
    }
}

dyn_clone::clone_trait_object!(Platform);
