//! Writes our CRDs (with every linked platform's schema) to a directory, one file each.
//! `crdgen [DIR]`, default `crds/`. A test regenerates them and fails on any difference.

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("crds"));
    match hosted_cluster_cli::crds::write_all(&dir) {
        Ok(files) => {
            for f in files {
                println!("wrote {}", f.display());
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
