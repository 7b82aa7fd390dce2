use hosted_cluster_cli::progress::Stdout;
use std::process::ExitCode;

/// Start-up is kept near the process floor (`benches/startup.rs`). The command line is parsed
/// first, building only the subcommand invoked (the others are deferred), so `--version`,
/// `--help` and usage errors end before anything else starts. Offline commands (`render`,
/// `install`, `create ... --render`) then run on a current-thread runtime without I/O or timer
/// drivers (no epoll, eventfd or signal pipe to set up) and without a TLS provider; the rest get
/// both. The platform registries are built only by the commands that read them.
fn main() -> ExitCode {
    let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    let cli = match hosted_cluster_cli::parse(std::env::args_os(), &mut out, &mut err) {
        Ok(cli) => cli,
        Err(code) => return exit(code),
    };
    let mut builder = tokio::runtime::Builder::new_current_thread();
    let stdout = if cli.is_offline() {
        Stdout::Plain
    } else {
        // kube and reqwest build their TLS clients on it.
        hosted_cluster_cli::install_crypto_provider();
        builder.enable_all();
        Stdout::detect()
    };
    let runtime = match builder.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    exit(runtime.block_on(hosted_cluster_cli::execute(
        &cli, stdout, &mut out, &mut err,
    )))
}

fn exit(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
