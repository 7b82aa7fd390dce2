//! One error type for every way a MAAS call can fail.
//!
//! MAAS reports most problems as short plain-text bodies (and field errors
//! as JSON); the variants below keep MAAS's own words, add which call failed
//! and on which object, and say whether trying again can help. Every text
//! that came from MAAS passes through [`crate::ApiKey::redact`] first: some
//! 401 bodies quote the token key or even the token secret.

mod decode;
mod http;
mod transport;

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

pub(crate) use decode::decode_json;
pub(crate) use http::{HttpFailure, parse_retry_after};
pub use transport::TransportFailure;

use crate::operation::{ObjectKind, Operation};

/// Everything that can go wrong, from a malformed URL to MAAS refusing a
/// compose. Match on the variant for decisions; `Display` for people.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MaasError {
    #[error("invalid MAAS endpoint: {reason}")]
    InvalidEndpoint { reason: String },

    #[error("invalid MAAS API key: {reason}")]
    InvalidApiKey { reason: String },

    #[error("cannot set up the HTTP client: {reason}")]
    ClientSetup { reason: String },

    /// Refused before sending: the request itself is malformed.
    #[error("{operation}: invalid request: {reason}")]
    InvalidRequest {
        operation: Operation,
        reason: String,
    },

    /// No HTTP answer at all: refused, reset, timed out, DNS or TLS failure.
    #[error("{operation}: MAAS at {host} {}: {failure}", reached(failure))]
    Unreachable {
        operation: Operation,
        host: String,
        failure: TransportFailure,
    },

    /// HTTP 401. `hint` says which part of the key MAAS did not accept.
    #[error("{operation}: bad API key: {message}{}", suffix(hint))]
    BadApiKey {
        operation: Operation,
        message: String,
        hint: &'static str,
    },

    /// HTTP 403, e.g. an admin-only call made with a non-admin key.
    #[error("{operation}: forbidden: {message}{}", suffix(forbidden_hint(*admin_only)))]
    Forbidden {
        operation: Operation,
        message: String,
        admin_only: bool,
    },

    /// HTTP 404 for a single object (collection 404s on vm-hosts become
    /// [`MaasError::VmHostsUnsupported`]).
    #[error("{operation}: no such {object}{}: {message}", id.as_deref().map(|i| format!(" {i}")).unwrap_or_default())]
    NotFound {
        operation: Operation,
        object: ObjectKind,
        id: Option<String>,
        message: String,
    },

    /// HTTP 400: form validation failed (per field) or the operation is
    /// unknown to this MAAS.
    #[error(
        "{operation}: MAAS rejected the request: {}",
        bad_request_text(message, field_errors)
    )]
    BadRequest {
        operation: Operation,
        message: String,
        field_errors: FieldErrors,
    },

    /// HTTP 409 from allocate: no free machine fits the constraints.
    /// Not retryable: waiting rarely frees a matching machine, and a caller
    /// that wants to wait should poll deliberately.
    #[error("{operation}: no machine matches: {message}")]
    NoMachineMatches {
        operation: Operation,
        message: String,
    },

    /// HTTP 409: wrong machine state, or (with `Retry-After`) a database
    /// conflict MAAS asks us to retry.
    #[error("{operation}: conflict: {message}{}", retry_text(*retry_after))]
    Conflict {
        operation: Operation,
        message: String,
        retry_after: Option<Duration>,
    },

    /// HTTP 410 on a vm-hosts endpoint, or 404 on the vm-hosts collection:
    /// this MAAS has no VM host support (removed on MAAS main, absent in
    /// MAAS 2.x).
    #[error(
        "{operation}: VM hosts unsupported by this MAAS (HTTP {status}): {message}; \
         use a MAAS 3.x release that still manages LXD VM hosts"
    )]
    VmHostsUnsupported {
        operation: Operation,
        status: u16,
        message: String,
    },

    /// HTTP 503 from a VM host call whose text is MAAS's PodProblem "Unable
    /// to compose": the VM does not fit the host. A verdict on this request,
    /// not an outage, so it is not retried.
    #[error("{operation}: MAAS refused: {message}")]
    VmHostRefused {
        operation: Operation,
        message: String,
    },

    /// HTTP 502/503/504/429: MAAS or a rack controller is busy or down.
    #[error("{operation}: MAAS is temporarily unavailable (HTTP {status}): {message}{}", retry_text(*retry_after))]
    Unavailable {
        operation: Operation,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },

    /// Any other non-success status.
    #[error("{operation}: MAAS answered HTTP {status}: {message}")]
    Http {
        operation: Operation,
        status: u16,
        message: String,
    },

    /// A 2xx answer that is not the JSON shape we expect. The detail names
    /// the JSON path, never the values.
    #[error("{operation}: cannot decode MAAS's answer: {detail}")]
    Decode {
        operation: Operation,
        detail: String,
    },
}

/// A refused endpoint or key keeps its variant and its words.
impl From<maas_credentials::CredentialError> for MaasError {
    fn from(e: maas_credentials::CredentialError) -> Self {
        use maas_credentials::CredentialError as C;
        match e {
            C::InvalidEndpoint { reason } => Self::InvalidEndpoint { reason },
            C::InvalidApiKey { reason } => Self::InvalidApiKey { reason },
        }
    }
}

impl MaasError {
    /// Whether the same request may succeed if sent again after a pause.
    ///
    /// True for 503-style unavailability, 409 with `Retry-After`, timeouts
    /// and dropped connections. False for a refused connection (nothing
    /// listens: fail fast), DNS/TLS failures, and all 4xx verdicts,
    /// including "no machine matches".
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable { failure, .. } => failure.is_retryable(),
            Self::Conflict { retry_after, .. } => retry_after.is_some(),
            Self::Unavailable { .. } => true,
            _ => false,
        }
    }

    /// Whether MAAS may have carried out the request although we saw no
    /// success: the request was sent but the answer was lost, MAAS timed
    /// out waiting for a rack controller (504), or a proxy in front of MAAS
    /// lost the answer (502). Retrying a non-idempotent call (allocate,
    /// compose) after such an error could do it twice.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Unreachable { failure, .. } => failure.request_was_sent(),
            Self::Unavailable { status, .. } => matches!(status, 502 | 504),
            _ => false,
        }
    }

    /// The HTTP status MAAS answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::BadApiKey { .. } => Some(401),
            Self::Forbidden { .. } => Some(403),
            Self::NotFound { .. } => Some(404),
            Self::BadRequest { .. } => Some(400),
            Self::NoMachineMatches { .. } | Self::Conflict { .. } => Some(409),
            Self::VmHostRefused { .. } => Some(503),
            Self::VmHostsUnsupported { status, .. }
            | Self::Unavailable { status, .. }
            | Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long MAAS asked us to wait, when it said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Conflict { retry_after, .. } | Self::Unavailable { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }

    /// The call that failed, for errors raised by a call.
    pub fn operation(&self) -> Option<&Operation> {
        match self {
            Self::InvalidEndpoint { .. }
            | Self::InvalidApiKey { .. }
            | Self::ClientSetup { .. } => None,
            Self::InvalidRequest { operation, .. }
            | Self::Unreachable { operation, .. }
            | Self::BadApiKey { operation, .. }
            | Self::Forbidden { operation, .. }
            | Self::NotFound { operation, .. }
            | Self::BadRequest { operation, .. }
            | Self::NoMachineMatches { operation, .. }
            | Self::Conflict { operation, .. }
            | Self::VmHostsUnsupported { operation, .. }
            | Self::VmHostRefused { operation, .. }
            | Self::Unavailable { operation, .. }
            | Self::Http { operation, .. }
            | Self::Decode { operation, .. } => Some(operation),
        }
    }

    pub(crate) fn invalid_request(operation: Operation, reason: impl Into<String>) -> Self {
        Self::InvalidRequest {
            operation,
            reason: reason.into(),
        }
    }
}

/// MAAS's per-field validation messages (`{"field": ["msg", ...]}`), in
/// field order so messages are stable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&[String]> {
        self.0.get(field).map(Vec::as_slice)
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (field, messages) in &self.0 {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            // Django files form-wide errors under __all__.
            if field != "__all__" {
                write!(f, "{field}: ")?;
            }
            f.write_str(&messages.join(" "))?;
        }
        Ok(())
    }
}

fn suffix(hint: &str) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!(" ({hint})")
    }
}

fn forbidden_hint(admin_only: bool) -> &'static str {
    if admin_only {
        "use the API key of a MAAS administrator"
    } else {
        "this MAAS user may not access that object"
    }
}

fn retry_text(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|d| format!(" (MAAS asks to retry after {} s)", d.as_secs()))
        .unwrap_or_default()
}

fn bad_request_text(message: &str, fields: &FieldErrors) -> String {
    if fields.is_empty() {
        message.to_string()
    } else {
        fields.to_string()
    }
}

/// Whether MAAS was reached at all: a broken answer is not an unreachable MAAS.
fn reached(failure: &TransportFailure) -> &'static str {
    if failure.answered() {
        "answered but the answer broke off"
    } else {
        "is unreachable"
    }
}
