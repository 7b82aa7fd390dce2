//! Who LXD trusts on its HTTPS API: a client certificate (added to the trust store), a join
//! token (LXD 5.0 and newer; MAAS hands it to LXD as the "password" when registering), or the
//! trust password of LXD releases that still have `core.trust_password` (before 5.21).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use maas_client::SecretString;
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{Change, LxdClient, LxdError, Server, Step};

/// A PEM certificate: its DER bytes and LXD's fingerprint of them (SHA-256, hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// The PEM text as read.
    pub pem: String,
    der: Vec<u8>,
    /// Lower-case hex SHA-256 of the DER bytes, as LXD lists it.
    pub fingerprint: String,
}

impl Certificate {
    /// Parses the first `CERTIFICATE` block of `pem`; `origin` names it in errors.
    pub fn parse(origin: &str, pem: &str) -> Result<Self, LxdError> {
        let fail = |reason: &str| LxdError::Certificate {
            path: origin.into(),
            reason: reason.into(),
        };
        let begin = "-----BEGIN CERTIFICATE-----";
        let start = pem
            .find(begin)
            .ok_or_else(|| fail("no BEGIN CERTIFICATE line"))?;
        let body = &pem[start + begin.len()..];
        let end = body
            .find("-----END CERTIFICATE-----")
            .ok_or_else(|| fail("no END CERTIFICATE line"))?;
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        let der = STANDARD
            .decode(b64)
            .map_err(|_| fail("the body is not base64"))?;
        if der.first() != Some(&0x30) {
            return Err(fail("the body is not a DER certificate"));
        }
        let fingerprint = hex(&Sha256::digest(&der));
        Ok(Self {
            pem: pem.to_string(),
            der,
            fingerprint,
        })
    }

    /// Reads and parses a PEM file.
    pub fn read(path: &Path) -> Result<Self, LxdError> {
        let text = std::fs::read_to_string(path).map_err(|e| LxdError::Certificate {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::parse(&path.display().to_string(), &text)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct Trusted {
    fingerprint: String,
}

/// Adds `certificate` to LXD's trust store as a client named `name`, unless it is there.
pub async fn ensure_certificate(
    client: &LxdClient,
    name: &str,
    certificate: &Certificate,
) -> Result<Step, LxdError> {
    let short = &certificate.fingerprint[..12];
    let trusted: Vec<Trusted> = client
        .get("list trusted certificates", "/1.0/certificates?recursion=1")
        .await?;
    if trusted
        .iter()
        .any(|t| t.fingerprint == certificate.fingerprint)
    {
        return Ok(Step::new(
            "trust-certificate",
            name,
            Change::Unchanged,
            format!("fingerprint {short} already trusted"),
        ));
    }
    let body =
        json!({"type": "client", "name": name, "certificate": STANDARD.encode(&certificate.der)});
    client
        .send(
            "trust a client certificate",
            Method::POST,
            "/1.0/certificates",
            &body,
        )
        .await?;
    Ok(Step::new(
        "trust-certificate",
        name,
        Change::Created,
        format!("fingerprint {short} trusted"),
    ))
}

/// Sets `core.trust_password` when none is set. LXD shows only *that* a password is set (it
/// keeps a hash), so an existing one is left alone rather than compared.
pub async fn ensure_trust_password(
    client: &LxdClient,
    server: &Server,
    password: &SecretString,
) -> Result<Step, LxdError> {
    if !server.has_trust_password() {
        return Err(LxdError::Unsupported {
            version: server.environment.server_version.clone(),
            feature: "core.trust_password (removed in LXD 5.21)".into(),
            fix: "trust MAAS by certificate, or let `lxd register` issue a token".into(),
        });
    }
    if !server.config_str("core.trust_password").is_empty() {
        return Ok(Step::new(
            "trust-password",
            "core.trust_password",
            Change::Unchanged,
            "a trust password is set (LXD keeps only its hash, so it is not compared)",
        ));
    }
    client
        .send(
            "set core.trust_password",
            Method::PATCH,
            "/1.0",
            &json!({"config": {"core.trust_password": password.expose()}}),
        )
        .await?;
    Ok(Step::new(
        "trust-password",
        "core.trust_password",
        Change::Created,
        "set",
    ))
}

#[derive(Deserialize)]
struct Operations {
    #[serde(default)]
    running: Vec<Operation>,
}

#[derive(Deserialize)]
struct Operation {
    id: String,
    class: String,
    #[serde(default)]
    metadata: Value,
}

/// Issues a one-time join token for a client named `name`, first cancelling the unused tokens
/// of that name (left by a registration that failed), so tokens never pile up. The token is
/// what `lxc config trust add` prints: base64 of its JSON.
pub async fn issue_token(client: &LxdClient, name: &str) -> Result<SecretString, LxdError> {
    let ops: Operations = client
        .get("list operations", "/1.0/operations?recursion=1")
        .await?;
    for op in ops
        .running
        .iter()
        .filter(|o| o.class == "token" && o.metadata.pointer("/request/name") == Some(&json!(name)))
    {
        client
            .delete(
                "cancel an unused token",
                &format!("/1.0/operations/{}", op.id),
            )
            .await?;
    }
    let meta = client
        .send(
            "issue a trust token",
            Method::POST,
            "/1.0/certificates",
            &json!({"type": "client", "name": name, "token": true}),
        )
        .await?;
    let field = |k: &str| meta.get(k).cloned().unwrap_or(Value::Null);
    if !field("secret").is_string() {
        return Err(LxdError::Decode {
            operation: "issue a trust token".into(),
            reason: "the answer has no secret".into(),
        });
    }
    let token = json!({
        "client_name": name,
        "fingerprint": field("fingerprint"),
        "addresses": field("addresses"),
        "secret": field("secret"),
        "expires_at": meta.get("expires_at").cloned().unwrap_or(json!("0001-01-01T00:00:00Z")),
    });
    Ok(SecretString::new(STANDARD.encode(token.to_string())))
}

/// The unused tokens issued for `name` (for tests and reports; never their secrets).
pub async fn pending_tokens(client: &LxdClient, name: &str) -> Result<usize, LxdError> {
    let ops: Operations = client
        .get("list operations", "/1.0/operations?recursion=1")
        .await?;
    Ok(ops
        .running
        .iter()
        .filter(|o| o.class == "token" && o.metadata.pointer("/request/name") == Some(&json!(name)))
        .count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_is_not_a_certificate() {
        assert!(Certificate::parse("x", "hello").is_err());
        let not_der = "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        assert!(Certificate::parse("x", not_der).is_err());
        let der = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
        let c = Certificate::parse("x", der).unwrap();
        assert_eq!(c.fingerprint, hex(&Sha256::digest([0x30, 0x00])));
    }
}
