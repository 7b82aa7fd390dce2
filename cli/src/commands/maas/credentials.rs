//! The MAAS credentials every `maas` subcommand takes (named as in `create cluster maas`), the
//! client built from them, and how MAAS errors become one-line CLI errors.

use crate::error::{CliError, Result};
use clap::Args;
use maas_client::{
    ApiKey, ClientOptions, CredentialError, MaasClient, MaasEndpoint, MaasError, RetryPolicy,
};
use platform_api::platform::{FieldError, FieldErrors};
use std::time::Duration;

#[derive(Args, Debug, Clone)]
pub struct MaasConnArgs {
    /// MAAS URL, e.g. http://maas.example.com:5240/MAAS.
    #[arg(long, env = "MAAS_ENDPOINT")]
    pub maas_endpoint: Option<String>,
    /// MAAS API key (consumer:token:secret).
    #[arg(long, env = "MAAS_API_KEY", hide_env_values = true)]
    pub maas_api_key: Option<String>,
}

/// Validated credentials; nothing has been sent yet.
pub struct Conn {
    pub endpoint: MaasEndpoint,
    key: ApiKey,
}

impl MaasConnArgs {
    /// Checks both flags, adding each problem to `errors` (so a command reports all bad input
    /// at once). Never quotes the key: the client's messages already leave it out.
    pub fn validate(&self, errors: &mut FieldErrors) -> Option<Conn> {
        let endpoint = match self.maas_endpoint.as_deref() {
            None => missing(
                errors,
                "--maas-endpoint",
                "MAAS_ENDPOINT",
                "http://maas:5240/MAAS",
            ),
            Some(e) => MaasEndpoint::parse(e)
                .map_err(|e| errors.push(FieldError::new("--maas-endpoint", reason(e), "")))
                .ok(),
        };
        let key = match self.maas_api_key.as_deref() {
            None => missing(
                errors,
                "--maas-api-key",
                "MAAS_API_KEY",
                "consumer:token:secret",
            ),
            Some(k) => ApiKey::parse(k)
                .map_err(|e| errors.push(FieldError::new("--maas-api-key", reason(e), "")))
                .ok(),
        };
        Some(Conn {
            endpoint: endpoint?,
            key: key?,
        })
    }
}

fn missing<T>(errors: &mut FieldErrors, flag: &str, env: &str, example: &str) -> Option<T> {
    errors.push(FieldError::new(
        flag,
        "is not set",
        format!("pass {flag} {example} or set {env}"),
    ));
    None
}

/// The parse error's reason without the "invalid MAAS ...:" prefix the flag name replaces.
fn reason(e: CredentialError) -> String {
    e.reason().to_string()
}

impl Conn {
    /// A client tuned for a person waiting at a terminal: a refused connection fails at once
    /// (the client never retries it), a silent address after 3 s per attempt, and at most one
    /// retry, so an unreachable MAAS is reported in well under 10 s. Commands that change
    /// things (`mutating`) never retry: a refused compose is reported once, never done twice.
    pub fn client(&self, mutating: bool) -> Result<MaasClient> {
        let retry = if mutating {
            RetryPolicy::none()
        } else {
            RetryPolicy {
                max_attempts: 2,
                base_delay: Duration::from_millis(250),
                max_delay: Duration::from_secs(2),
            }
        };
        let options = ClientOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(3),
            retry,
        };
        MaasClient::new(self.endpoint.clone(), self.key.clone(), options).map_err(maas_error)
    }
}

/// One line saying what failed and what to do. MAAS texts in `MaasError` are already redacted.
pub fn maas_error(e: MaasError) -> CliError {
    match e {
        MaasError::Unreachable { host, failure, .. } => CliError::new(format!(
            "MAAS at {host} is unreachable: nothing answered ({failure})"
        )),
        other => CliError::new(other.to_string()),
    }
}
