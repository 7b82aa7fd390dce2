//! `maas vm-hosts register`: add an LXD server as a VM host. The trust password and the private
//! key are read from files, never taken from argv (which other users can see in `ps`).

use super::credentials::{MaasConnArgs, maas_error};
use super::hosts_table::host_json;
use super::report::{OutputArgs, emit};
use super::vm_host_args::VmHostArgs;
use crate::error::{CliError, Result};
use clap::Args;
use maas_client::{LxdAuth, RegisterLxdHost, SecretString};
use platform_api::platform::{FieldError, FieldErrors};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Args, Debug)]
pub struct RegisterArgs {
    #[command(flatten)]
    pub conn: MaasConnArgs,
    /// The LXD server's HTTPS API as host or host:port (LXD listens on 8443 by default).
    #[arg(long, value_name = "HOST[:PORT]")]
    pub address: String,
    /// File holding LXD's trust password (or trust token); MAAS then installs its own
    /// certificate on the server.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["certificate", "key"])]
    pub trust_password_file: Option<PathBuf>,
    /// PEM client certificate that the LXD server already trusts (needs --key).
    #[arg(long, value_name = "FILE", requires = "key")]
    pub certificate: Option<PathBuf>,
    /// PEM private key of --certificate.
    #[arg(long, value_name = "FILE", requires = "certificate")]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub host: VmHostArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// A file's text without the trailing newline editors add; `None` after recording the problem.
fn read(flag: &str, path: &Path, errors: &mut FieldErrors) -> Option<String> {
    match crate::input::read_text(path, crate::input::SECRET_LIMIT) {
        Ok(text) if text.trim().is_empty() => {
            errors.push(FieldError::new(
                flag,
                format!("{} is empty", path.display()),
                "give a non-empty file",
            ));
            None
        }
        Ok(text) => Some(text.trim_end_matches(['\r', '\n']).to_string()),
        Err(why) => {
            errors.push(FieldError::new(flag, why, "give a readable file"));
            None
        }
    }
}

impl RegisterArgs {
    fn request(&self, errors: &mut FieldErrors) -> Option<RegisterLxdHost> {
        let address = self.address.trim();
        if address.is_empty() || address.chars().any(char::is_whitespace) {
            errors.push(FieldError::new(
                "--address",
                format!("{:?} is not a host name or address", self.address),
                "use host or host:8443, e.g. 10.0.0.5:8443",
            ));
        }
        let auth = match (&self.trust_password_file, &self.certificate, &self.key) {
            (Some(f), _, _) => read("--trust-password-file", f, errors)
                .map(|p| LxdAuth::TrustPassword(SecretString::new(p))),
            (None, Some(c), Some(k)) => {
                let certificate = read("--certificate", c, errors);
                let key = read("--key", k, errors);
                Some(LxdAuth::Certificate {
                    certificate: certificate?,
                    key: SecretString::new(key?),
                })
            }
            _ => {
                errors.push(FieldError::new(
                    "--trust-password-file",
                    "no credentials for the LXD server",
                    "pass --trust-password-file FILE, or --certificate FILE --key FILE",
                ));
                None
            }
        };
        let tags = self.host.tags(errors);
        Some(RegisterLxdHost {
            name: self.host.name.clone(),
            project: self.host.project.clone(),
            zone: self.host.zone.clone(),
            pool: self.host.pool.clone(),
            tags,
            ..RegisterLxdHost::new(address, auth?)
        })
    }
}

pub async fn run(args: &RegisterArgs, out: &mut dyn Write) -> Result<()> {
    let mut errors = FieldErrors::default();
    let conn = args.conn.validate(&mut errors);
    let request = args.request(&mut errors);
    errors.into_result().map_err(|e| CliError::invalid(&e))?;
    let (conn, request) = (conn.expect("validated"), request.expect("validated"));
    let client = conn.client(true)?;
    let host = client
        .register_lxd_vm_host(&request)
        .await
        .map_err(maas_error)?;
    let text = format!(
        "registered vm-host {} ({}) at {}\n",
        host.id, host.name, request.power_address
    );
    emit(out, args.output.output, &text, &host_json(&host, None))
}
