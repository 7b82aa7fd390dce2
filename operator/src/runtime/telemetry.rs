//! Logging: tracing with an EnvFilter (`RUST_LOG`, default `info`), text or JSON lines.

use tracing_subscriber::EnvFilter;

pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // `try_init`: a second call (tests) keeps the first subscriber instead of panicking.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
