use std::process::ExitCode;

/// Start-up is kept near the process floor. Most invocations (`--version`, `--help`, `render`,
/// `create ... --render`, flag errors) finish without waiting on any I/O, and the others make one
/// request after another, so the command runs on a current-thread runtime: no worker threads to
/// spawn and join. Nothing else runs before dispatch but the rustls provider install (one static
/// store, needed before kube or reqwest build a TLS client); the platform registry is built only
/// by the commands that read it.
fn main() -> ExitCode {
    hosted_cluster_cli::install_crypto_provider();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(hosted_cluster_cli::run_on(
        std::env::args_os(),
        hosted_cluster_cli::progress::Stdout::detect(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    ));
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
