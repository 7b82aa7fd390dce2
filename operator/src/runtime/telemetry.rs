//! Logging: tracing with an EnvFilter (`RUST_LOG`, default `info`), text or JSON lines.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber; a `RUST_LOG` that does not parse is an error naming it.
pub fn init(json: bool) -> Result<(), String> {
    let filter = match std::env::var("RUST_LOG") {
        Ok(value) => super::flags::log_filter(&value)?,
        Err(std::env::VarError::NotPresent) => EnvFilter::new("info"),
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
