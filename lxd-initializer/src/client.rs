//! A small client for LXD's REST API over its unix socket (`/var/lib/lxd/unix.socket` for
//! Debian's LXD, `/var/snap/lxd/common/lxd/unix.socket` for the snap). The socket needs no
//! certificate: whoever can open it is an administrator of LXD.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::LxdError;

/// Debian's LXD package; the snap's socket is [`SNAP_SOCKET`].
pub const DEFAULT_SOCKET: &str = "/var/lib/lxd/unix.socket";
/// The snap's socket.
pub const SNAP_SOCKET: &str = "/var/snap/lxd/common/lxd/unix.socket";

/// LXD's response envelope, for every call.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    error_code: u16,
    #[serde(default)]
    error: String,
    #[serde(default)]
    metadata: Value,
}

/// A connection to one LXD daemon's unix socket.
#[derive(Clone, Debug)]
pub struct LxdClient {
    http: reqwest::Client,
    socket: PathBuf,
}

impl LxdClient {
    /// A client for the daemon behind `socket`. Nothing is sent yet.
    pub fn new(socket: impl AsRef<Path>) -> Result<Self, LxdError> {
        let socket = socket.as_ref().to_path_buf();
        // reqwest is built without a default crypto provider; plain HTTP over the socket never
        // uses TLS, but the builder still wants a config.
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map(|b| {
            b.with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth()
        })
        .map_err(|e| LxdError::Unreachable {
            socket: socket.display().to_string(),
            reason: format!("TLS setup: {e}"),
        })?;
        let http = reqwest::Client::builder()
            .unix_socket(socket.as_path())
            .tls_backend_preconfigured(tls)
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| LxdError::Unreachable {
                socket: socket.display().to_string(),
                reason: format!("client setup: {e}"),
            })?;
        Ok(Self { http, socket })
    }

    /// The first socket that exists of Debian's and the snap's, else Debian's.
    pub fn default_socket() -> PathBuf {
        [DEFAULT_SOCKET, SNAP_SOCKET]
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET))
    }

    /// The socket this client talks to.
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// `GET path`, decoded; `None` on 404.
    pub async fn get_opt<T: DeserializeOwned>(
        &self,
        operation: &str,
        path: &str,
    ) -> Result<Option<T>, LxdError> {
        match self.call(operation, Method::GET, path, None).await {
            Ok(v) => decode(operation, v).map(Some),
            Err(LxdError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET path`, decoded.
    pub async fn get<T: DeserializeOwned>(
        &self,
        operation: &str,
        path: &str,
    ) -> Result<T, LxdError> {
        decode(
            operation,
            self.call(operation, Method::GET, path, None).await?,
        )
    }

    /// A request with a JSON body; returns the envelope's metadata (for async operations, the
    /// operation's metadata: LXD answers before the operation ends, which is what a token
    /// needs, since a token's operation runs until the token is used).
    pub async fn send(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Value, LxdError> {
        self.call(operation, method, path, Some(body)).await
    }

    /// `DELETE path`; a missing object is not an error.
    pub async fn delete(&self, operation: &str, path: &str) -> Result<(), LxdError> {
        match self.call(operation, Method::DELETE, path, None).await {
            Ok(_) | Err(LxdError::Api { status: 404, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn call(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, LxdError> {
        // The host part is ignored on a unix socket; LXD's own clients use `unix.socket`.
        let mut request = self
            .http
            .request(method, format!("http://unix.socket{path}"));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| LxdError::Unreachable {
            socket: self.socket.display().to_string(),
            reason: error_chain(&e),
        })?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| LxdError::Decode {
            operation: operation.into(),
            reason: error_chain(&e),
        })?;
        let envelope: Envelope = serde_json::from_str(&text).map_err(|e| LxdError::Decode {
            operation: operation.into(),
            reason: format!("HTTP {status}: {e}"),
        })?;
        if envelope.kind == "error" || status >= 400 {
            return Err(LxdError::Api {
                operation: operation.into(),
                status: if envelope.error_code != 0 {
                    envelope.error_code
                } else {
                    status
                },
                message: envelope.error,
            });
        }
        Ok(match envelope.kind.as_str() {
            "async" => envelope
                .metadata
                .get("metadata")
                .cloned()
                .unwrap_or(Value::Null),
            _ => envelope.metadata,
        })
    }
}

fn decode<T: DeserializeOwned>(operation: &str, value: Value) -> Result<T, LxdError> {
    serde_json::from_value(value).map_err(|e| LxdError::Decode {
        operation: operation.into(),
        reason: e.to_string(),
    })
}

/// reqwest's top-level message is generic ("error sending request"); the cause says why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
