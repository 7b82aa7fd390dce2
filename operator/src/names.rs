//! Names the operator writes into the API: finalizer, field manager, annotations.

/// Held on every HostedCluster until its infrastructure is torn down (as in HyperShift).
pub const FINALIZER: &str = "hypershift.openshift.io/finalizer";

/// The one field manager of every server-side apply the operator makes. Distinct from the CLI's
/// (`hosted-cluster`), so managed fields tell who wrote what.
pub const FIELD_MANAGER: &str = "hosted-cluster-operator";

/// Hash of the desired object as last applied. A resync compares it with the hash of what it
/// would apply now and skips the write when they match (zero writes on a no-op resync).
pub const DESIRED_HASH_ANNOTATION: &str = "hypershift.openshift.io/desired-hash";

/// On a HostedCluster: keep the control-plane namespace on deletion (our objects in it are still
/// deleted). Useful when the namespace holds things we do not own, e.g. for debugging.
pub const SKIP_NAMESPACE_DELETION_ANNOTATION: &str =
    "hypershift.openshift.io/skip-namespace-deletion";

/// Controller name for Events and leader election.
pub const CONTROLLER_NAME: &str = "hosted-cluster-operator";

/// On the control-plane Namespace: every kind we have applied objects of in it (`Kind.group`,
/// comma-separated, sorted). Deletion with the namespace kept removes our objects kind by kind
/// from this list, so it never has to build the desired state again to learn them.
pub const APPLIED_KINDS_ANNOTATION: &str = "hypershift.openshift.io/applied-kinds";
