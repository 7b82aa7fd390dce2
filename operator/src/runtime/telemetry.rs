//! Logging: tracing with an EnvFilter (`RUST_LOG`, default [`DEFAULT_FILTER`]), text or JSON
//! lines.

use tracing_subscriber::EnvFilter;

/// `info`, without kube-client's own line per failed request: during an outage that would be
/// one ERROR per retry, where the operator logs each distinct failure once, then at a bounded
/// rate (`runtime::outage`). `RUST_LOG=kube_client=debug` brings it back.
pub const DEFAULT_FILTER: &str = "info,kube_client::client::builder=off";

/// Installs the subscriber; a `RUST_LOG` that does not parse is an error naming it.
pub fn init(json: bool) -> Result<(), String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(value) => super::flags::log_filter(&value)?,
        Err(std::env::VarError::NotPresent) => EnvFilter::new(DEFAULT_FILTER),
        Err(std::env::VarError::NotUnicode(_)) => return Err("RUST_LOG is not UTF-8".into()),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // `try_init`: a second call (tests) keeps the first subscriber instead of panicking.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
    Ok(())
}
