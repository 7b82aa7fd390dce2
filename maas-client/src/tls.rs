//! The TLS setup handed to reqwest.
//!
//! The workspace links exactly one rustls crypto provider (ring, as kube
//! does). Building the config with an explicit provider, instead of relying
//! on a process-wide default, keeps this crate working in any binary and
//! test without `install_default` races.

use std::sync::Arc;

use crate::MaasError;

/// A rustls config verifying servers against the platform's trust store.
///
/// Without system CA certificates the platform verifier cannot be built.
/// That only matters for `https` endpoints; for plain `http` the client gets
/// a config that trusts nothing, so it still works on a bare machine while
/// any accidental HTTPS use fails closed.
pub(crate) fn client_config(https: bool) -> Result<rustls::ClientConfig, MaasError> {
    use rustls_platform_verifier::BuilderVerifierExt;

    let setup = |e: rustls::Error| MaasError::ClientSetup {
        reason: format!("TLS: {e}"),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(setup)?;
    match builder.clone().with_platform_verifier() {
        Ok(with_verifier) => Ok(with_verifier.with_no_client_auth()),
        Err(e) if https => Err(MaasError::ClientSetup {
            reason: format!(
                "cannot load this machine's trusted CA certificates for https ({e}); \
                 install the system CA bundle (e.g. the ca-certificates package)"
            ),
        }),
        Err(_) => Ok(builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds_without_a_process_default_provider() {
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
        super::client_config(false).unwrap();
        assert!(rustls::crypto::CryptoProvider::get_default().is_none());
    }
}
