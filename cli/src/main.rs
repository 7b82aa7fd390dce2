use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    hosted_cluster_cli::install_crypto_provider();
    let code = hosted_cluster_cli::run(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
    .await;
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
