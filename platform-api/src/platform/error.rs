//! Errors a platform reports. Messages name the field and say how to fix it, because they end
//! up in a HostedCluster condition or a CLI error that the user acts on.

use std::fmt;

/// One invalid field: where, what is wrong, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path in the object, e.g. `spec.platform.maas.identityRef.name`.
    pub path: String,
    /// What is wrong with the value, e.g. `"Zone 1" is not a valid name`.
    pub message: String,
    /// What the user should do about it; empty when the message says it all.
    pub fix: String,
}

impl FieldError {
    /// An error at `path` (from the object root) with its message and fix.
    pub fn new(
        path: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        if !self.fix.is_empty() {
            write!(f, " (fix: {})", self.fix)?;
        }
        Ok(())
    }
}

/// Every invalid field found, so the user can fix them all in one go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Records one more invalid field.
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    /// `true` while nothing invalid was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(())` when nothing was found, else the errors: the usual end of a `validate_*`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
    /// Appends the errors of another check, e.g. the platform's after the generic ones.
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// What can go wrong in a platform builder. The variant tells the caller whose fault it is and
/// whether trying again can help (see the [`Platform`](crate::Platform) docs).
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    /// The user's input is invalid; nothing is built until it is fixed.
    #[error("invalid spec:\n{0}")]
    Invalid(FieldErrors),
    /// The credentials Secret the platform names does not exist (operator mode only; `render`
    /// uses placeholders instead).
    #[error(
        "credentials Secret {namespace}/{name} not found: create it (keys {expected_keys}) or fix the reference at {reference_path}"
    )]
    CredentialsNotFound {
        /// Namespace of the missing Secret (the HostedCluster's).
        namespace: String,
        /// Name of the missing Secret.
        name: String,
        /// The keys it must hold, for the message, e.g. `MAAS_ENDPOINT, MAAS_API_KEY`.
        expected_keys: String,
        /// Where the HostedCluster names the Secret, e.g. `spec.platform.maas.identityRef.name`.
        reference_path: String,
    },
    /// The credentials Secret exists but its content cannot be used.
    #[error("credentials Secret {namespace}/{name} is unusable: {reason}")]
    CredentialsInvalid {
        /// Namespace of the Secret.
        namespace: String,
        /// Name of the Secret.
        name: String,
        /// Which key is wrong and how; never the secret value itself.
        reason: String,
    },
    /// The platform built something malformed: a bug in the platform crate, not in the input.
    #[error("platform bug: {0}")]
    Bug(String),
    /// An input the server has not produced yet is missing (e.g. a CA a control-plane
    /// component writes once it runs). Not the user's fault: the operator waits and retries.
    #[error("waiting for {0}")]
    Waiting(String),
    /// Talking to the platform's own API failed (the cleanup and capacity hooks).
    #[error("{platform} API: {message}")]
    Api {
        /// The platform type, for the message.
        platform: String,
        /// What failed.
        message: String,
        /// Whether trying again later can succeed (a timeout) or not (a rejected credential).
        /// Nothing reads it yet: the operator retries every `Api` error with backoff.
        retryable: bool,
    },
}

impl PlatformError {
    /// Short stable name: the metric label and the Event reason.
    pub fn reason(&self) -> &'static str {
        match self {
            PlatformError::Invalid(_) => "InvalidSpec",
            PlatformError::CredentialsNotFound { .. } => "PlatformCredentialsNotFound",
            PlatformError::CredentialsInvalid { .. } => "PlatformCredentialsInvalid",
            PlatformError::Bug(_) => "PlatformBug",
            PlatformError::Waiting(_) => "Waiting",
            PlatformError::Api { .. } => "PlatformAPIError",
        }
    }
}

impl From<FieldErrors> for PlatformError {
    fn from(e: FieldErrors) -> Self {
        PlatformError::Invalid(e)
    }
}
