//! `lxd init`: prepare the local LXD for MAAS. Safe to run again: it reports what it changed,
//! and a second run says "nothing changed".

use super::args::{InitFlags, SocketArgs, TrustFlags};
use crate::commands::maas::report::OutputArgs;
use crate::error::Result;
use clap::Args;
use std::io::Write;

#[derive(Args, Debug)]
pub struct InitArgs {
    #[command(flatten)]
    pub socket: SocketArgs,
    #[command(flatten)]
    pub init: InitFlags,
    #[command(flatten)]
    pub trust: TrustFlags,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub async fn run(args: &InitArgs, out: &mut dyn Write) -> Result<()> {
    let spec = args.init.spec(&args.trust)?;
    let client = args.socket.client()?;
    let steps = lxd_initializer::init::run(&client, &spec)
        .await
        .map_err(super::lxd_error)?;
    super::report(out, args.output.output, &steps)
}
