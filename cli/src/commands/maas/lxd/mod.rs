//! `hosted-cluster lxd ...`: the LXD initializer of seed 001, run on a node. `init` prepares the
//! local LXD for MAAS over its unix socket, `register` makes the node a MAAS VM host, `daemon`
//! keeps both current and serves `/readyz` (the DaemonSet of `install lxd-initializer`). The
//! logic lives in the lxd-initializer crate; these files only turn flags into its specs.

pub mod args;
pub mod daemon;
pub mod init;
pub mod register;

use crate::commands::maas::report::{Format, emit, table};
use crate::error::{CliError, Result};
use clap::Subcommand;
use lxd_initializer::{LxdError, Step, changed};
use serde_json::json;
use std::io::Write;

#[derive(Subcommand, Debug)]
pub enum LxdCommand {
    /// Set up the local LXD for MAAS: storage pool, network, profile, HTTPS address, trust.
    Init(init::InitArgs),
    /// Register this node with MAAS as an LXD VM host (in a zone, pool and project).
    Register(register::RegisterArgs),
    /// Keep init and registration current, serving /readyz (what the DaemonSet runs).
    Daemon(daemon::DaemonArgs),
}

pub async fn run(cmd: &LxdCommand, out: &mut dyn Write) -> Result<()> {
    match cmd {
        LxdCommand::Init(args) => init::run(args, out).await,
        LxdCommand::Register(args) => register::run(args, out).await,
        LxdCommand::Daemon(args) => daemon::run(args).await,
    }
}

/// Bad input exits 2 (nothing was sent); everything else 1.
pub fn lxd_error(e: LxdError) -> CliError {
    let code = if matches!(e, LxdError::Invalid { .. }) {
        2
    } else {
        1
    };
    CliError {
        message: e.to_string(),
        code,
    }
}

/// Prints the steps as a table (with a closing line saying whether anything changed) or as one
/// object.
pub fn report(out: &mut dyn Write, format: Format, steps: &[Step]) -> Result<()> {
    let rows: Vec<Vec<String>> = steps
        .iter()
        .map(|s| {
            vec![
                s.step.to_string(),
                s.name.clone(),
                s.change.as_str().to_string(),
                s.detail.clone(),
            ]
        })
        .collect();
    let mut text = table(&["STEP", "NAME", "CHANGE", "DETAIL"], &rows);
    text.push_str(if changed(steps) {
        "changes applied\n"
    } else {
        "nothing changed\n"
    });
    emit(
        out,
        format,
        &text,
        &json!({"changed": changed(steps), "steps": steps}),
    )
}

#[cfg(test)]
mod tests {
    use crate::commands::maas::install_lxd::tests::run;

    #[tokio::test]
    async fn lxd_init_rejects_bad_names_before_any_request() {
        let (code, _, err) = run(&[
            "lxd",
            "init",
            "--socket",
            "/nonexistent/unix.socket",
            "--storage-pool",
            "0bad",
        ])
        .await;
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("--storage-pool"), "{err}");
        let (code, _, err) = run(&[
            "lxd",
            "init",
            "--socket",
            "/nonexistent/unix.socket",
            "--storage-size",
            "10",
        ])
        .await;
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("dir pool"), "{err}");
        let (code, _, err) = run(&["lxd", "init", "--socket", "/nonexistent/unix.socket"]).await;
        assert_eq!(code, 1);
        assert!(err.contains("unreachable"), "{err}");
    }
}
