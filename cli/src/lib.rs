//! The `hosted-cluster` command as a library, so tests can run it in-process.

pub mod apply;
pub mod cluster_ref;
pub mod commands;
pub mod conditions;
pub mod crds;
pub mod error;
pub mod input;
pub mod kube_args;
pub mod output;
pub mod progress;
pub mod ssh_key;
pub mod wait;

// The CLI links every in-tree platform (and its command-line part) through the one list. Without
// naming the crate the linker drops it, and the registrations with it.
use linked_plugins as _;

use clap::Parser;
pub use commands::Cli;
use commands::{Command, create, destroy};
use progress::Stdout;
use std::ffi::OsString;
use std::io::Write;

/// Runs the command line `args` (including the program name), writing plain lines (no
/// spinner: `out` is taken not to be a terminal). Returns the exit code.
pub async fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_on(args, Stdout::Plain, out, err).await
}

/// As [`run`], where `stdout` says whether `out` is a terminal (for spinners while waiting).
pub async fn run_on<I, T>(args: I, stdout: Stdout, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    match parse(args, out, err) {
        Ok(cli) => execute(&cli, stdout, out, err).await,
        Err(code) => code,
    }
}

/// Parses the command line. `--help`, `--version` and usage errors are printed here and give
/// their exit code as the error.
pub fn parse<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> Result<Cli, i32>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args).map_err(|e| {
        let code = e.exit_code();
        let rendered = e.render();
        if code == 0 {
            let _ = write!(out, "{rendered}");
            return code;
        }
        // A platform missing from `create cluster` may be a broken build (a duplicate
        // registration) rather than a typo: say so first.
        if let Err(broken) = linked_plugins::check_registered() {
            let _ = writeln!(err, "error: {broken}");
            return 1;
        }
        let _ = write!(err, "{rendered}");
        code
    })
}

/// Runs a parsed command line. Returns the exit code.
pub async fn execute(cli: &Cli, stdout: Stdout, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // The platforms' subcommands come from the registries; a broken one (a duplicate) is a bug
    // of the build, reported before any command runs (`--help` and `--version` skip the check).
    if let Err(e) = linked_plugins::check_registered() {
        let _ = writeln!(err, "error: {e}");
        return 1;
    }
    let result = match &cli.command {
        Command::Create(create::CreateCommand::Cluster(cluster)) => {
            create::run_cluster(cluster, out, err, stdout).await
        }
        Command::Create(create::CreateCommand::Kubeconfig(args)) => {
            commands::kubeconfig::run(args, out).await
        }
        Command::Destroy(destroy::DestroyCommand::Cluster(cluster)) => {
            destroy::run(&cluster.args, out, stdout).await
        }
        Command::Render(args) => commands::render::run(args, out, err),
        Command::Install(args) => commands::install::run(args, out),
        Command::Migrate(cmd) => commands::migrate::run(cmd, out).await,
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
