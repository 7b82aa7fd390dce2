//! `lxd daemon`: what the lxd-initializer DaemonSet runs. Logs go to stderr; `/readyz` answers
//! 200 once init and registration have both succeeded.

use super::args::{InitFlags, RegisterFlags, SocketArgs, TrustFlags};
use crate::error::{CliError, Result};
use clap::Args;
use lxd_initializer::daemon::{self, DaemonSpec};
use platform_api::platform::FieldErrors;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct DaemonArgs {
    #[command(flatten)]
    pub socket: SocketArgs,
    #[command(flatten)]
    pub init: InitFlags,
    #[command(flatten)]
    pub register: RegisterFlags,
    #[command(flatten)]
    pub trust: TrustFlags,
    /// Time between passes (e.g. 30s, 5m).
    #[arg(long, default_value = "5m", value_parser = duration_arg::parse, allow_hyphen_values = true)]
    pub interval: Duration,
    /// Where /readyz and /healthz are served.
    #[arg(long, default_value = "0.0.0.0:8089")]
    pub readyz_addr: SocketAddr,
}

pub async fn run(args: &DaemonArgs) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.register.conn.validate(&mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let spec = DaemonSpec {
        init: args.init.spec(&args.trust)?,
        register: args.register.spec(&args.trust)?,
        interval: args.interval,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .try_init();
    // The daemon retries on its own schedule, so its MAAS client does not retry within a pass.
    let maas = conn.expect("validated").client(true)?;
    let lxd = args.socket.client()?;
    let listener = tokio::net::TcpListener::bind(args.readyz_addr)
        .await
        .map_err(|e| CliError::new(format!("cannot listen on {}: {e}", args.readyz_addr)))?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    daemon::run(lxd, maas, spec, listener, shutdown)
        .await
        .map_err(|e| CliError::new(format!("/readyz server: {e}")))
}
