//! `lxd register`: make this node a MAAS VM host. MAAS is asked first, so a second run changes
//! nothing (and issues no token).

use super::args::{RegisterFlags, SocketArgs, TrustFlags};
use crate::commands::maas::report::OutputArgs;
use crate::error::{CliError, Result};
use clap::Args;
use platform_api::platform::FieldErrors;
use std::io::Write;

#[derive(Args, Debug)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub socket: SocketArgs,
    #[command(flatten)]
    pub register: RegisterFlags,
    #[command(flatten)]
    pub trust: TrustFlags,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(args: &RegisterArgs, out: &mut dyn Write) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.register.conn.validate(&mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let spec = args.register.spec(&args.trust)?;
    let maas = conn.expect("validated").client(true)?;
    let lxd = args.socket.client()?;
    let steps = lxd_initializer::register::run(&lxd, &maas, &spec)
        .await
        .map_err(super::lxd_error)?;
    super::report(out, args.output.output, &steps)
}
