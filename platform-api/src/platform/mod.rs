//! The [`Platform`] trait: everything the operator, `render` and the CLI need from an
//! infrastructure provider, with its inputs ([`inputs`]), errors ([`error`]) and the answers of
//! the control-plane hooks ([`hooks`]).
//!
//! Builders are pure: they get what they need as input and return desired objects, so `render`
//! shows exactly what the operator applies and every builder can be tested without a cluster.
//! Only the orphaned-machine cleanup and the capacity check talk to the platform's own API, and
//! they are `async` to say so.

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
use std::collections::BTreeMap;

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
    /// Everything [`Platform::teardown_record`] answered during teardown (the union over every
    /// pass, the first of which ran before anything was deleted; empty when the platform
    /// records nothing, or when the machines were gone before teardown started).
    pub recorded: &'a BTreeMap<String, String>,
}

/// Input for [`Platform::node_pool_capacity`].
#[derive(Debug)]
pub struct CapacityContext<'a> {
    /// The NodePool's HostedCluster.
    pub hosted_cluster: &'a HostedCluster,
    /// The NodePool to check.
    pub node_pool: &'a NodePool,
    /// The platform's credentials Secret, if it exists.
    pub credentials: Option<&'a SecretData>,
    /// The pool's machine objects (see [`Platform::machine_status_kinds`]), e.g. to leave out
    /// the machines that already exist.
    pub machines: &'a [DynamicObject],
}

/// The answer of [`Platform::node_pool_capacity`], shown as the NodePool's `CapacityAvailable`
/// condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacityReport {
    /// Whether the platform has room for every machine of the pool.
    pub available: bool,
    /// The condition's reason, CamelCase (e.g. `AsExpected`, `InsufficientCapacity`).
    pub reason: String,
    /// What fits where, or what is short and by how much, and what to do about it.
    pub message: String,
}

/// A NodePool condition the platform derives from its machine objects (see
/// [`Platform::node_pool_machine_conditions`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolCondition {
    /// Condition type, CamelCase (e.g. `Deployed`).
    pub type_: String,
    /// `Some(true)` True, `Some(false)` False, `None` Unknown.
    pub status: Option<bool>,
    /// CamelCase reason.
    pub reason: String,
    /// E.g. how many of the pool's machines are there yet.
    pub message: String,
}

/// A kind of object, by API group and kind (any served version), that
/// [`Platform::teardown_record`] reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedKind {
    /// API group, e.g. `infrastructure.cluster.x-k8s.io` (empty for the core group).
    pub group: String,
    /// Kind, e.g. `MaasMachine`.
    pub kind: String,
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
/// [`credentials_secret_name`](Self::credentials_secret_name) before building; the operator's
/// NodePool status asks [`capacity_check_key`](Self::capacity_check_key) /
/// [`node_pool_capacity`](Self::node_pool_capacity) and
/// [`node_pool_machine_conditions`](Self::node_pool_machine_conditions); its teardown calls
/// [`teardown_record`](Self::teardown_record) while the machines exist, then
/// [`cleanup_orphaned_machines`](Self::cleanup_orphaned_machines), and deletes
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
/// * [`PlatformError::Api`]: the platform's own API failed (only the cleanup and the capacity
///   check talk to it); retried with backoff.
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

    /// The kinds of objects in the control-plane namespace that
    /// [`teardown_record`](Self::teardown_record) reads (typically the infrastructure machines,
    /// e.g. MaasMachines). The default names none, and then `teardown_record` is never called.
    fn teardown_record_kinds(&self) -> Vec<RecordedKind> {
        Vec::new()
    }

    /// What the orphaned-machine cleanup must know about the machines once they are gone,
    /// read from the live objects of [`teardown_record_kinds`](Self::teardown_record_kinds).
    ///
    /// Called by the operator's teardown at the start of every pass, before anything is deleted
    /// (so the first pass sees the machines as they were), while the NodePools,
    /// MachineDeployments and Cluster go, and after (when the objects are gone, usually none),
    /// with every object of those kinds in the control-plane namespace, in the newest version
    /// the server serves. Returns entries (a key per machine, e.g. its ID in the platform, and
    /// what the cleanup needs about it). The operator keeps the union of every answer in an
    /// object it owns in the control-plane namespace: a key, once recorded, is never dropped, a
    /// later value replaces an earlier one. Keys must be valid ConfigMap keys
    /// (`[-._a-zA-Z0-9]+`); others are skipped with a log line. No secrets: the record is a
    /// plain ConfigMap. Must be pure. The default records nothing.
    fn teardown_record(&self, _objects: &[DynamicObject]) -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    /// Releases machines this cluster allocated that CAPI did not give back.
    ///
    /// Called by the operator's teardown after the CAPI Cluster is gone, with the credentials
    /// if the Secret still exists and what [`teardown_record`](Self::teardown_record)
    /// recorded ([`CleanupContext::recorded`]), and again until it returns no `pending` work.
    /// Must be safe to repeat, and must touch only recorded machines. A failure to reach the
    /// platform's API is [`PlatformError::Api`]: the operator retries it with backoff and shows
    /// it in the HostedCluster's `Degraded` condition, and gives up after its orphan-cleanup
    /// timeout (a Warning Event names what is left behind), so teardown never blocks forever
    /// on an unreachable platform. The default releases nothing.
    async fn cleanup_orphaned_machines(
        &self,
        _ctx: &CleanupContext<'_>,
    ) -> Result<CleanupOutcome, PlatformError> {
        Ok(CleanupOutcome::default())
    }

    /// What [`node_pool_capacity`](Self::node_pool_capacity)'s answer for this pool depends
    /// on, or `None` when the pool needs no capacity check (the default: no platform checks).
    ///
    /// Called by the operator for every valid NodePool on every reconcile, so it must be pure
    /// and cheap. The operator asks the platform again only when this key changes or its last
    /// answer is older than its re-check interval: never on every resync.
    fn capacity_check_key(&self, _ctx: &CapacityContext<'_>) -> Option<String> {
        None
    }

    /// Whether the platform has room for the pool's machines, before the CAPI provider tries
    /// to get them.
    ///
    /// Called by the operator for pools with a [`capacity_check_key`](Self::capacity_check_key),
    /// rate-limited as described there. Talks to the platform's API: a failure to reach it is
    /// [`PlatformError::Api`] (the condition turns `Unknown` and the operator asks again after
    /// a short pause); a platform that can never serve the pool is a report with
    /// `available: false` saying why, not an error. The default reports room.
    async fn node_pool_capacity(
        &self,
        _ctx: &CapacityContext<'_>,
    ) -> Result<CapacityReport, PlatformError> {
        Ok(CapacityReport {
            available: true,
            reason: "AsExpected".into(),
            message: "the platform does not check capacity".into(),
        })
    }

    /// The kinds of the platform's machine objects (e.g. MaasMachines) whose state
    /// [`node_pool_machine_conditions`](Self::node_pool_machine_conditions) turns into NodePool
    /// conditions. The default names none, and then that method is never called.
    fn machine_status_kinds(&self) -> Vec<RecordedKind> {
        Vec::new()
    }

    /// Every condition type [`node_pool_machine_conditions`](Self::node_pool_machine_conditions)
    /// may return: the operator removes those of these types it did not return this time (e.g.
    /// after a pool stopped using LXD). The default names none.
    fn machine_condition_types(&self) -> Vec<&'static str> {
        Vec::new()
    }

    /// NodePool conditions mirrored from the pool's machine objects.
    ///
    /// Called by the operator for every valid NodePool when it writes the pool's status, with
    /// the objects of [`machine_status_kinds`](Self::machine_status_kinds) in the control-plane
    /// namespace that CAPI labelled with the pool's MachineDeployment
    /// (`cluster.x-k8s.io/deployment-name`), read from a watch-backed cache. Pure. The default
    /// returns none.
    fn node_pool_machine_conditions(
        &self,
        _node_pool: &NodePool,
        _machines: &[DynamicObject],
    ) -> Vec<PoolCondition> {
        Vec::new()
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
