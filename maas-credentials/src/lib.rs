//! What a MAAS user hands over to be reached: the region endpoint and the API key.
//!
//! Two sides need these parsers and must agree on them: the typed client (`maas-client`),
//! which signs requests with the key and builds URLs from the endpoint, and the MAAS platform
//! (`platform-maas`), which validates the credentials Secret and writes the normalised values
//! CAPMAAS reads. The platform is linked into the operator, and the operator must not link an
//! HTTP client stack (reqwest, its TLS and platform verifier) it never uses. So the parsers live
//! here, below both, with nothing heavier than `url` and `rand`: the client re-exports these
//! types (its API is unchanged), and the platform depends on this crate alone.
//!
//! ```
//! use maas_credentials::{ApiKey, MaasEndpoint};
//! let endpoint = MaasEndpoint::parse("http://maas.example:5240/MAAS/api/2.0/").unwrap();
//! assert_eq!(endpoint.base_url().as_str(), "http://maas.example:5240/MAAS/");
//! let key = ApiKey::parse("consumer:token:secret").unwrap();
//! assert_eq!(key.to_string(), "ApiKey(consumer=con…, <redacted>)");
//! ```

#![forbid(unsafe_code)]

mod api_key;
mod endpoint;
mod secret;

pub use api_key::ApiKey;
pub use endpoint::MaasEndpoint;
pub use secret::SecretString;

/// Why an endpoint or API key was refused. The reasons say how to fix the input and never
/// quote a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("invalid MAAS endpoint: {reason}")]
    InvalidEndpoint { reason: String },

    #[error("invalid MAAS API key: {reason}")]
    InvalidApiKey { reason: String },
}

impl CredentialError {
    /// The reason alone, without the "invalid MAAS …:" prefix (for callers that name the
    /// field themselves).
    pub fn reason(&self) -> &str {
        match self {
            Self::InvalidEndpoint { reason } | Self::InvalidApiKey { reason } => reason,
        }
    }
}
