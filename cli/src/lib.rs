//! The `hosted-cluster` command as a library, so tests can run it in-process.

pub mod apply;
pub mod commands;
pub mod crds;
pub mod error;
pub mod kube_args;
pub mod output;

// The CLI links every in-tree platform (and its command-line part) through the one list. Without
// naming the crate the linker drops it, and the registrations with it.
use linked_plugins as _;

use clap::Parser;
use commands::{Cli, Command, create, destroy};
use std::ffi::OsString;
use std::io::Write;

/// Runs the command line `args` (including the program name). Returns the exit code.
pub async fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // The platforms' subcommands come from the registries; a broken one (a duplicate) is a bug
    // of the build, reported before anything is parsed.
    if let Err(e) = linked_plugins::check_registered() {
        let _ = writeln!(err, "error: {e}");
        return 1;
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = e.exit_code();
            let rendered = e.render();
            let _ = if code == 0 {
                write!(out, "{rendered}")
            } else {
                write!(err, "{rendered}")
            };
            return code;
        }
    };
    let result = match &cli.command {
        Command::Create(create::CreateCommand::Cluster(cluster)) => {
            create::run_cluster(cluster, out, err).await
        }
        Command::Destroy(destroy::DestroyCommand::Cluster(cluster)) => {
            destroy::run(&cluster.args, out).await
        }
        Command::Render(args) => commands::render::run(args, out, err),
        Command::Install(args) => commands::install::run(args, out),
        Command::Maas(cmd) => commands::maas::run(cmd, out, err).await,
        Command::Lxd(cmd) => commands::maas::lxd::run(cmd, out).await,
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            e.code
        }
    }
}

/// Runs the command line `args` as [`run`] does, but every command that talks to Kubernetes uses
/// `client` instead of one built from `--kubeconfig`/`--context` (for tests against a fake API
/// server).
pub async fn run_with_client<I, T>(
    args: I,
    client: kube::Client,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    kube_args::with_client(client, run(args, out, err)).await
}

/// kube (ring) and reqwest must share one rustls provider; install ring once per process.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
