//! Client settings with defaults that suit a controller talking to one MAAS.

use std::time::Duration;

use crate::RetryPolicy;

/// Timeouts and retries for one [`crate::MaasClient`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Limit for a whole request (connect, send, answer). MAAS answers most
    /// calls in well under a second, but compose and refresh wait on the
    /// VM host, hence the generous default of 30 s.
    pub timeout: Duration,
    /// Limit for the TCP (and TLS) connect alone. Short, so a wrong address
    /// is reported quickly. Default 5 s.
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
        }
    }
}
