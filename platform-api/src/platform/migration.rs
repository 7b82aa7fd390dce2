//! A credentials Secret still in a platform's deprecated format, and the rewrite that brings it
//! to the current one (`hosted-cluster migrate credentials`).

use std::collections::BTreeMap;

/// What to change so a credentials Secret is in the current format. Applying it twice is the
/// same as applying it once: afterwards the platform returns no migration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialsMigration {
    /// Keys to write (new or renamed), with their values. Secret material: never print them.
    pub set: BTreeMap<String, Vec<u8>>,
    /// Keys to remove.
    pub remove: Vec<String>,
    /// A JSON merge patch for the HostedCluster, for settings that move out of the Secret
    /// (e.g. a zone into the platform section).
    pub hosted_cluster_patch: Option<serde_json::Value>,
    /// One line per change, without values, for the user.
    pub changes: Vec<String>,
}
