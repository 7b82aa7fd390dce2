//! The client handle: one connection pool, one endpoint, one key.

use std::fmt;
use std::sync::Arc;

use crate::{ApiKey, ClientOptions, MaasEndpoint, MaasError, tls};

const USER_AGENT: &str = concat!("maas-client-rs/", env!("CARGO_PKG_VERSION"));

/// A MAAS API client. Cloning is cheap and shares the connection pool, so
/// hand clones to tasks rather than building new clients.
#[derive(Clone)]
pub struct MaasClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub http: reqwest::Client,
    pub endpoint: MaasEndpoint,
    pub key: ApiKey,
    pub options: ClientOptions,
}

impl MaasClient {
    /// Builds the client. No request is made; the first call connects.
    pub fn new(
        endpoint: MaasEndpoint,
        key: ApiKey,
        options: ClientOptions,
    ) -> Result<Self, MaasError> {
        if options.timeout.is_zero() || options.connect_timeout.is_zero() {
            return Err(MaasError::ClientSetup {
                reason: "timeout and connect_timeout must be greater than zero".to_string(),
            });
        }
        let https = endpoint.api_url().scheme() == "https";
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls::client_config(https)?)
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            // A redirect would turn a POST into a GET and may drop the
            // Authorization header; report it instead (see transport).
            .redirect(reqwest::redirect::Policy::none())
            .https_only(https)
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| MaasError::ClientSetup {
                reason: e.to_string(),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                endpoint,
                key,
                options,
            }),
        })
    }

    pub fn endpoint(&self) -> &MaasEndpoint {
        &self.inner.endpoint
    }

    pub fn options(&self) -> &ClientOptions {
        &self.inner.options
    }
}

impl fmt::Debug for MaasClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MaasClient")
            .field("endpoint", &self.inner.endpoint)
            .field("key", &self.inner.key)
            .field("options", &self.inner.options)
            .finish()
    }
}
