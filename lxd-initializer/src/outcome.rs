//! What each step did, so that a second run can say "nothing changed".

use serde::Serialize;

/// Whether a step changed the daemon (or MAAS).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The object did not exist and was created.
    Created,
    /// The object existed and was changed to match.
    Updated,
    /// The object already matched; nothing was sent.
    Unchanged,
}

impl Change {
    /// `created`, `updated` or `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Unchanged => "unchanged",
        }
    }
}

/// One step's result: which object, what happened, and a line for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The step, e.g. `storage-pool`.
    pub step: &'static str,
    /// The object, e.g. `default`.
    pub name: String,
    /// What happened.
    pub change: Change,
    /// Details for people (never secrets).
    pub detail: String,
}

impl Step {
    /// A step result.
    pub fn new(
        step: &'static str,
        name: impl Into<String>,
        change: Change,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            step,
            name: name.into(),
            change,
            detail: detail.into(),
        }
    }
}

/// Whether any of `steps` changed something.
pub fn changed(steps: &[Step]) -> bool {
    steps.iter().any(|s| s.change != Change::Unchanged)
}
