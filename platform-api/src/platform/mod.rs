//! The [`Platform`] trait: everything the operator, `render` and the CLI need from an
//! infrastructure provider, with its inputs ([`inputs`]), errors ([`error`]) and the answers of
//! the control-plane hooks ([`hooks`]).
//!
//! Builders are pure: they get what they need as input and return desired objects, so `render`
//! shows exactly what the operator applies and every builder can be tested without a cluster.
//! Only the orphaned-machine cleanup talks to the platform's own API, and it is `async` to say so.

pub mod error;
pub mod hooks;
pub mod inputs;
pub mod migration;

pub use error::{FieldError, FieldErrors, PlatformError};
pub use hooks::{ImageRegistryStorage, IngressPublishingStrategy, OpenShiftVersion};
pub use inputs::{
    ClusterContext, MissingSecrets, NodePoolContext, PlatformSettings, SecretData, Warnings,
};
pub use migration::CredentialsMigration;

use crate::api::{HostedCluster, NodePool};
use k8s_openapi::api::apps::v1::DeploymentSpec;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::rbac::v1::PolicyRule;
use kube::api::DynamicObject;
use schemars::{Schema, SchemaGenerator};

/// An object the platform created outside [`desired::build`](crate::desired::build)'s labelled
/// set, or wants deleted explicitly on teardown (see [`Platform::credential_objects`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// `apiVersion` of the object, e.g. `v1`; an unparsable one is skipped with a warning.
    pub api_version: String,
    /// `kind` of the object, e.g. `Secret`.
    pub kind: String,
    /// Namespace of the object (normally the control-plane namespace).
    pub namespace: String,
    /// Name of the object.
    pub name: String,
}

/// What [`Platform::cleanup_orphaned_machines`] achieved. The operator reports `released` in an
/// Event and keeps the HostedCluster's finalizer while `pending` is not empty.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct CleanupOutcome {
    /// Human-readable description of each machine released or deleted.
    pub released: Vec<String>,
    /// Work that remains (the caller retries later).
    pub pending: Vec<String>,
}

/// Input for [`Platform::cleanup_orphaned_machines`], which runs during teardown after the
/// CAPI Cluster and its MachineDeployments are gone.
#[derive(Debug)]
pub struct CleanupContext<'a> {
    /// The HostedCluster being deleted.
    pub hosted_cluster: &'a HostedCluster,
    /// The platform's credentials Secret, if it still exists (it may already be gone).
    pub credentials: Option<&'a SecretData>,
}

/// An infrastructure provider for hosted clusters: the answer to every question that depends
/// on `spec.platform.type`.
///
/// # How it is used
///
/// A platform crate implements this trait for a small `Clone` type (usually a unit struct) and
/// registers it with [`register_platform!`](crate::register_platform). Callers look it up by
/// the HostedCluster's `spec.platform.type` in the [registry](crate::registry()).
///
/// [`desired::build`](crate::desired::build) (shared by the operator and `render`) calls the
/// builder methods in this order, for one HostedCluster and its NodePools:
///
/// 1. [`validate_hosted_cluster`](Self::validate_hosted_cluster), next to the generic checks.
///    Any error stops the build.
/// 2. [`credentials`](Self::credentials) and [`secret_encryption`](Self::secret_encryption).
/// 3. [`infra_cr`](Self::infra_cr); the CAPI Cluster is then pointed at its result.
/// 4. Unless the HostedCluster disables machine management:
///    [`capi_provider_deployment_spec`](Self::capi_provider_deployment_spec), and
///    [`capi_provider_policy_rules`](Self::capi_provider_policy_rules) and
///    [`capi_provider_cluster_policy_rules`](Self::capi_provider_cluster_policy_rules) when
///    there is a provider.
/// 5. For each NodePool: [`validate_node_pool`](Self::validate_node_pool) next to the generic
///    checks, then [`machine_template`](Self::machine_template). An error here fails that pool
///    only; the cluster and the other pools are still built.
///
/// The builders are given everything as input ([`ClusterContext`], [`NodePoolContext`]): the
/// caller has already read the credentials Secret and the control plane's endpoint. They must
/// not do I/O, and must be deterministic: the same input must give the same objects, because
/// the operator hashes them to decide what changed since its last apply. `build` then names
/// the machine templates, puts every object in the control-plane namespace and stamps the
/// cluster's labels and annotations, so builders need not.
///
/// Outside `build`: the CRD assembly asks for [`platform_type`](Self::platform_type) and the
/// two schemas; the operator and `render` ask
/// [`credentials_secret_name`](Self::credentials_secret_name) before building; the operator's teardown calls
/// [`cleanup_orphaned_machines`](Self::cleanup_orphaned_machines) and deletes
/// [`credential_objects`](Self::credential_objects). The remaining methods are hooks for the
/// control-plane backend (see below).
///
/// # Errors
///
/// What a builder returns decides what the operator does:
///
/// * [`PlatformError::Invalid`]: the user's input is wrong. Reported in the HostedCluster's
///   conditions (or by `render`); nothing is applied until the input is fixed. Paths start at
///   the object root, e.g. `spec.platform.maas.zone`.
/// * [`PlatformError::CredentialsNotFound`] / [`PlatformError::CredentialsInvalid`]: the
///   credentials Secret is missing or unusable; reported in the conditions, and nothing is
///   applied until the Secret is fixed.
/// * [`PlatformError::Bug`]: the platform produced something it should not have; reported as
///   a bug and retried with backoff.
/// * [`PlatformError::Api`]: the platform's own API failed (only the cleanup talks to it);
///   retried with backoff.
///
/// # Hooks
///
/// [`infrastructure_platform_type`](Self::infrastructure_platform_type),
/// [`ingress_publishing_strategy`](Self::ingress_publishing_strategy),
/// [`image_registry_storage`](Self::image_registry_storage),
/// and [`kas_port`](Self::kas_port) answer questions HyperShift settles with a `switch` on the
/// platform type inside its control-plane operator. `desired::build` does not call them: the
/// control-plane backend ([`ControlPlane`](crate::ControlPlane)) does, in the control-plane
/// object it builds. Every hook has a default that suits a platform with cloud-like
/// infrastructure; override the ones that differ.
///
/// # Testing
///
/// The conformance suite (`platform_api::testing::conformance`, `testing` feature) checks the
/// properties above on a platform and fixtures the platform crate supplies.
#[async_trait::async_trait]
pub trait Platform: dyn_clone::DynClone + Send + Sync + 'static {
    /// The `spec.platform.type` value this platform serves, e.g. `MAAS`.
    ///
    /// Must be constant and equal to the name the platform registers under (the registry
    /// refuses a mismatch). The platform's section lives under the lower-cased type
    /// (`spec.platform.maas`).
    fn platform_type(&self) -> &'static str;

    /// The schema of the platform's section (`spec.platform.<type lower-cased>`) in the
    /// HostedCluster and HostedControlPlane CRDs.
    ///
    /// Called when the CRDs are assembled (`crdgen`, the operator's install), with a generator
    /// configured like kube-derive's ([`crd::schema_generator`](crate::crd::schema_generator)).
    /// Must return a structural object schema; [`crd::section_schema`](crate::crd::section_schema)
    /// makes one from a `JsonSchema` type.
    fn hosted_cluster_schema(&self, generator: &mut SchemaGenerator) -> Schema;

    /// The schema of the platform's section in the NodePool CRD; see
    /// [`hosted_cluster_schema`](Self::hosted_cluster_schema).
    fn node_pool_schema(&self, generator: &mut SchemaGenerator) -> Schema;

    /// Checks the platform section of a HostedCluster, beyond what its schema enforces.
    ///
    /// Called first by `build`, after the generic checks of the same object; the errors of
    /// both are reported together, so report every problem found rather than the first. Paths
    /// start at the object root (`spec.platform.maas.identityRef.name`). Any error stops the
    /// build: nothing of the cluster is applied.
    fn validate_hosted_cluster(&self, hosted_cluster: &HostedCluster) -> Result<(), FieldErrors>;

    /// Checks the platform section of a NodePool against its HostedCluster.
    ///
    /// Called by `build` for each pool, after the generic checks of that pool passed, and only
    /// once the HostedCluster is valid. Paths start at the NodePool's root. An error fails this
    /// pool only: its objects are neither applied nor pruned.
    fn validate_node_pool(
        &self,
        hosted_cluster: &HostedCluster,
        node_pool: &NodePool,
    ) -> Result<(), FieldErrors>;

    /// The name of the Secret (in the HostedCluster's namespace) that holds the platform's
    /// credentials, or `None` if the platform needs none.
    ///
    /// Called before `build` by the operator and `render`, which read that Secret and pass its
    /// content back as [`ClusterContext::credentials`]. May be called on an invalid
    /// HostedCluster: return `None` when the reference cannot be read.
    fn credentials_secret_name(&self, hosted_cluster: &HostedCluster) -> Option<String>;

    /// The rewrite that brings the credentials Secret `secret` of `hosted_cluster` to the current
    /// format, or `None` when it is current (so a second migration changes nothing).
    ///
    /// Called by `hosted-cluster migrate credentials` and by the operator (its
    /// `LegacyCredentials` condition). Platforms without a deprecated format keep the default.
    fn credentials_migration(
        &self,
        _hosted_cluster: &HostedCluster,
        _secret: &SecretData,
    ) -> Option<CredentialsMigration> {
        None
    }

    /// The Secrets the CAPI provider reads, for the control-plane namespace.
    ///
    /// Called by `build` once the HostedCluster is valid. With [`ClusterContext::credentials`]
    /// set, the result is marked sensitive (hidden by `render`). Without it, return
    /// [`PlatformError::CredentialsNotFound`] under [`MissingSecrets::Fail`], or Secrets with
    /// clearly marked placeholder values under [`MissingSecrets::Placeholder`]. A Secret whose
    /// content is unusable is [`PlatformError::CredentialsInvalid`]; never echo its values.
    fn credentials(&self, ctx: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError>;

    /// Extra Secrets for etcd secret encryption (e.g. a KMS provider's configuration), treated
    /// like [`credentials`](Self::credentials). Most platforms have none: the default returns
    /// none.
    fn secret_encryption(&self, _ctx: &ClusterContext<'_>) -> Result<Vec<Secret>, PlatformError> {
        Ok(Vec::new())
    }

    /// The CAPI infrastructure cluster object (e.g. a MaasCluster), or `None` for platforms
    /// without one.
    ///
    /// Called by `build` after the credentials. The object must have `apiVersion` and `kind`
    /// set (else `build` fails with [`PlatformError::Bug`]) and a name; `build` adds the
    /// namespace, labels and annotations, and points the CAPI Cluster's `infrastructureRef`
    /// at it. [`ClusterContext::api_endpoint`] is `None` until the control plane reports it.
    fn infra_cr(&self, ctx: &ClusterContext<'_>) -> Result<Option<DynamicObject>, PlatformError>;

    /// The spec of the CAPI provider's Deployment, or `None` for platforms without a CAPI
    /// provider.
    ///
    /// Called by `build` only when [`ClusterContext::provider_scope`] is
    /// [`ProviderScope::PerNamespace`](crate::control_plane::ProviderScope::PerNamespace) and
    /// the HostedCluster does not carry the disable-machine-management annotation (with a
    /// cluster-wide scope a provider installed by `clusterctl` serves the cluster).
    /// A provider version that cannot run per namespace is [`PlatformError::Invalid`], naming
    /// where its image came from. `build` sets the Deployment's name, labels, selector and
    /// service account, annotates its pod template with a hash of the
    /// [`credentials`](Self::credentials) (a rotated key rolls the provider), and creates the
    /// ServiceAccount and RBAC it runs with.
    fn capi_provider_deployment_spec(
        &self,
        ctx: &ClusterContext<'_>,
    ) -> Result<Option<DeploymentSpec>, PlatformError>;

    /// RBAC rules the provider needs in the control-plane namespace beyond the base CAPI
    /// provider rules ([`base_policy_rules`](crate::desired::provider::base_policy_rules)),
    /// typically access to its own infrastructure kinds. Called only when
    /// [`capi_provider_deployment_spec`](Self::capi_provider_deployment_spec) returned a spec.
    /// Name resources and verbs explicitly: no wildcards.
    fn capi_provider_policy_rules(&self) -> Vec<PolicyRule> {
        Vec::new()
    }

    /// RBAC rules on cluster-scoped resources (nodes, namespaces, CRDs) the provider needs.
    /// `build` grants them through a ClusterRole and ClusterRoleBinding per hosted cluster
    /// ([`cluster_rbac_name`](crate::desired::provider::cluster_rbac_name)), labelled like the
    /// cluster's other objects; none (the default) means no cluster-scoped RBAC. Called only
    /// when [`capi_provider_deployment_spec`](Self::capi_provider_deployment_spec) returned a
    /// spec. Namespaced resources belong in
    /// [`capi_provider_policy_rules`](Self::capi_provider_policy_rules); no wildcards.
    fn capi_provider_cluster_policy_rules(&self) -> Vec<PolicyRule> {
        Vec::new()
    }

    /// The machine template for a NodePool (e.g. a MaasMachineTemplate), or `None` when the pool
    /// gets no machines from CAPI (then it gets no MachineDeployment either).
    ///
    /// Called by `build` for each pool that passed validation. The object must have
    /// `apiVersion`, `kind` and `spec` set. `build` names it `<nodepool>-<hash of spec>`:
    /// providers treat templates as immutable, so a changed spec rolls a new template and the
    /// MachineDeployment replaces its machines. Put in `spec` exactly what should cause that,
    /// and nothing that should not (replicas, for one, do not belong there).
    fn machine_template(
        &self,
        ctx: &NodePoolContext<'_>,
    ) -> Result<Option<DynamicObject>, PlatformError>;

    /// Objects the operator deletes explicitly when the cluster is torn down, after the
    /// orphaned-machine cleanup: typically the credentials Secret the CAPI provider read until
    /// the end. A missing object is fine. The default lists none.
    fn credential_objects(
        &self,
        _hosted_cluster: &HostedCluster,
        _control_plane_namespace: &str,
    ) -> Vec<ObjectRef> {
        Vec::new()
    }

    /// Releases machines this cluster allocated that CAPI did not give back.
    ///
    /// Called by the operator's teardown after the CAPI Cluster is gone, with the credentials
    /// if the Secret still exists, and again until it returns no `pending` work. Must be safe
    /// to repeat. A failure to reach the platform's API is [`PlatformError::Api`] (retried).
    /// The default releases nothing.
    async fn cleanup_orphaned_machines(
        &self,
        _ctx: &CleanupContext<'_>,
    ) -> Result<CleanupOutcome, PlatformError> {
        Ok(CleanupOutcome::default())
    }

    // ---- hooks: consumed by the control-plane backend, not by `desired::build` directly ----

    /// The platform type the hosted cluster reports in OpenShift's `Infrastructure` object.
    ///
    /// Consumed by the control-plane backend (see the trait docs).
    /// OpenShift accepts only the types it knows, and the set depends on the release (`None`
    /// when the release image says nothing); a platform OpenShift does not know must answer
    /// `None`. The default is [`platform_type`](Self::platform_type).
    fn infrastructure_platform_type(&self, _release: Option<OpenShiftVersion>) -> &'static str {
        self.platform_type()
    }

    /// How the hosted cluster's default ingress controller is published.
    ///
    /// Consumed by the control-plane backend (see the trait docs).
    /// The default, [`IngressPublishingStrategy::LoadBalancer`], needs a platform that provides
    /// load balancers to the hosted cluster.
    fn ingress_publishing_strategy(&self) -> IngressPublishingStrategy {
        IngressPublishingStrategy::LoadBalancer
    }

    /// Where the hosted cluster's image registry stores images.
    ///
    /// Consumed by the control-plane backend (see the trait docs).
    /// The default, [`ImageRegistryStorage::PlatformDefault`], needs object storage the image
    /// registry operator knows for this platform; answer [`ImageRegistryStorage::EmptyDir`]
    /// otherwise.
    fn image_registry_storage(&self) -> ImageRegistryStorage {
        ImageRegistryStorage::PlatformDefault
    }

    /// The port the hosted kube-apiserver listens on.
    ///
    /// Consumed by the control-plane backend (see the trait docs).
    /// The default is [`DEFAULT_KAS_PORT`](hooks::DEFAULT_KAS_PORT).
    fn kas_port(&self) -> i32 {
        hooks::DEFAULT_KAS_PORT
    }
}

dyn_clone::clone_trait_object!(Platform);
