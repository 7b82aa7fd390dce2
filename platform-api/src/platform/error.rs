//! Errors a platform reports. Messages name the field and say how to fix it.

use std::fmt;

/// One invalid field: where, what is wrong, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path in the object, e.g. `spec.platform.maas.identityRef.name`.
    pub path: String,
    pub message: String,
    pub fix: String,
}

impl FieldError {
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
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
    }
    /// Prefixes every path, e.g. to report a pool's errors as `nodepools/<name>: ...`.
    pub fn prefixed(mut self, prefix: &str) -> Self {
        for e in &mut self.0 {
            e.path = format!("{prefix}{}", e.path);
        }
        self
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

/// What can go wrong in a platform builder.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("invalid spec:\n{0}")]
    Invalid(FieldErrors),
    #[error(
        "credentials Secret {namespace}/{name} not found: create it (keys {expected_keys}) or fix the reference at {reference_path}"
    )]
    CredentialsNotFound {
        namespace: String,
        name: String,
        expected_keys: String,
        reference_path: String,
    },
    #[error("credentials Secret {namespace}/{name} is unusable: {reason}")]
    CredentialsInvalid {
        namespace: String,
        name: String,
        reason: String,
    },
    /// The platform built something malformed: a bug in the platform crate, not in the input.
    #[error("platform bug: {0}")]
    Bug(String),
    /// Talking to the platform's own API failed (cleanup hooks).
    #[error("{platform} API: {message}")]
    Api {
        platform: String,
        message: String,
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
            PlatformError::Api { .. } => "PlatformAPIError",
        }
    }
}

impl From<FieldErrors> for PlatformError {
    fn from(e: FieldErrors) -> Self {
        PlatformError::Invalid(e)
    }
}
