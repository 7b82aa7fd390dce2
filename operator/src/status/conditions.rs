//! Conditions as we compute them, and the merge into an object's existing conditions that keeps
//! `lastTransitionTime` stable, so an unchanged state produces an identical status (no write).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

pub const VALID_CONFIGURATION: &str = "ValidConfiguration";
pub const PLATFORM_CREDENTIALS_FOUND: &str = "PlatformCredentialsFound";
/// True while the credentials Secret is in a deprecated format (`migrate credentials` fixes it).
pub const LEGACY_CREDENTIALS: &str = "LegacyCredentials";
pub const INFRASTRUCTURE_READY: &str = "InfrastructureReady";
pub const AVAILABLE: &str = "Available";
pub const READY: &str = "Ready";
pub const RECONCILIATION_ACTIVE: &str = "ReconciliationActive";
/// True while deletion is stuck on an error (reason: the cleanup error's variant).
pub const DEGRADED: &str = "Degraded";

pub const TRUE: &str = "True";
pub const FALSE: &str = "False";
pub const UNKNOWN: &str = "Unknown";

/// A condition without timestamps or generation (those are added by [`merge`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cond {
    pub type_: String,
    pub status: &'static str,
    pub reason: String,
    pub message: String,
}

impl Cond {
    pub fn new(
        type_: impl Into<String>,
        status: &'static str,
        reason: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            type_: type_.into(),
            status,
            reason: reason.into(),
            message: message.into(),
        }
    }
    pub fn yes(type_: &str, reason: &str, message: impl Into<String>) -> Self {
        Self::new(type_, TRUE, reason, message)
    }
    pub fn no(type_: &str, reason: &str, message: impl Into<String>) -> Self {
        Self::new(type_, FALSE, reason, message)
    }
}

/// Kubernetes limits a condition message to 32768 bytes; we keep them far shorter.
fn clip(message: &str) -> String {
    const MAX: usize = 4096;
    if message.len() <= MAX {
        return message.to_string();
    }
    let mut end = MAX;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &message[..end])
}

/// `new` (in its order) followed by existing conditions of other types (in theirs).
/// `lastTransitionTime` only moves when a condition's status changes.
pub fn merge(
    existing: &[Condition],
    new: &[Cond],
    generation: Option<i64>,
    now: &Time,
) -> Vec<Condition> {
    let mut out: Vec<Condition> = new
        .iter()
        .map(|c| {
            let old = existing.iter().find(|o| o.type_ == c.type_);
            let last_transition_time = match old {
                Some(o) if o.status == c.status => o.last_transition_time.clone(),
                _ => now.clone(),
            };
            Condition {
                type_: c.type_.clone(),
                status: c.status.to_string(),
                reason: if c.reason.is_empty() {
                    "AsExpected".into()
                } else {
                    c.reason.clone()
                },
                message: clip(&c.message),
                observed_generation: generation,
                last_transition_time,
            }
        })
        .collect();
    out.extend(
        existing
            .iter()
            .filter(|o| !new.iter().any(|c| c.type_ == o.type_))
            .cloned(),
    );
    out
}

pub fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}
