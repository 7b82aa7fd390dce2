//! The per-namespace CAPI manager's webhook serving certificate: kept while valid, made anew
//! (self-signed, with rcgen) when missing or due for rotation. What to keep and how the Secret
//! looks is decided in `platform_api::desired::capi::webhook_tls`; this file only adds the
//! randomness and the clock, as `inputs::new_token` does for bootstrap tokens.
//!
//! Self-signed is enough: nothing verifies the certificate against a CA bundle (no webhook
//! configuration points at the manager), and a CA of our own would be one more secret to keep.

use k8s_openapi::jiff::Timestamp;
use platform_api::desired::capi::webhook_tls::{self, ServingCert, VALIDITY};

/// The certificate to use at `now`: `existing` while it is not [due](ServingCert::due), else a
/// new one for `namespace`.
pub fn current(
    existing: Option<ServingCert>,
    namespace: &str,
    now: Timestamp,
) -> Result<ServingCert, rcgen::Error> {
    match existing {
        Some(cert) if !cert.due(now) => Ok(cert),
        _ => generate(namespace, now),
    }
}

/// A new self-signed ECDSA P-256 certificate for the manager's Service names in `namespace`,
/// valid for [`VALIDITY`] from `now` (whole seconds, as X.509 stores them).
pub fn generate(namespace: &str, now: Timestamp) -> Result<ServingCert, rcgen::Error> {
    let not_before = Timestamp::from_second(now.as_second()).unwrap_or(now);
    let not_after = not_before.saturating_add(VALIDITY).unwrap_or(not_before);
    let names = webhook_tls::dns_names(namespace);
    let mut params = rcgen::CertificateParams::new(names.clone())?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, names[0].clone());
    params.not_before = offset(not_before)?;
    params.not_after = offset(not_after)?;
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(ServingCert {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        not_before,
        not_after,
    })
}

fn offset(t: Timestamp) -> Result<time::OffsetDateTime, rcgen::Error> {
    time::OffsetDateTime::from_unix_timestamp(t.as_second()).map_err(|_| rcgen::Error::Time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn a_new_certificate_is_valid_for_a_year_and_names_the_service() {
        let cert = generate("clusters-demo", ts("2026-12-01T04:00:00.5Z")).unwrap();
        assert_eq!(cert.not_before, ts("2026-12-01T04:00:00Z"));
        assert_eq!(cert.not_after, ts("2027-12-01T04:00:00Z"));
        assert!(cert.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(cert.key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
        // The DER carries the DNS name (a SAN) as plain ASCII.
        let body: String = cert
            .cert_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        use base64::Engine as _;
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        let text = String::from_utf8_lossy(&der);
        assert!(text.contains("capi-webhooks.clusters-demo.svc"), "{text}");
    }

    #[test]
    fn a_valid_certificate_is_kept_and_a_due_one_replaced() {
        let made = ts("2026-01-01T00:00:00Z");
        let cert = generate("clusters-demo", made).unwrap();
        let kept = current(
            Some(cert.clone()),
            "clusters-demo",
            ts("2026-08-01T00:00:00Z"),
        );
        assert_eq!(kept.unwrap(), cert);
        // Two thirds of a year (243⅓ days) after issue is 2026-09-01T08:00Z.
        let kept = current(
            Some(cert.clone()),
            "clusters-demo",
            ts("2026-09-01T07:59:59Z"),
        );
        assert_eq!(kept.unwrap(), cert);
        let rotated = current(
            Some(cert.clone()),
            "clusters-demo",
            ts("2026-09-01T08:00:00Z"),
        )
        .unwrap();
        assert_ne!(rotated.key_pem, cert.key_pem);
        assert_eq!(rotated.not_before, ts("2026-09-01T08:00:00Z"));
        let fresh = current(None, "clusters-demo", made).unwrap();
        assert_ne!(fresh.key_pem, cert.key_pem);
    }
}
