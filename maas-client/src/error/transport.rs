//! Why no HTTP answer came back, in terms an operator can act on.

use std::error::Error as _;
use std::fmt;
use std::io;
use std::time::Duration;

/// The network-level reason a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportFailure {
    /// Nothing listens there. Not retried: a closed port stays closed, and
    /// the caller should hear about it at once.
    Refused,
    /// No connection or no answer within the configured time.
    Timeout { after: Duration, connecting: bool },
    /// The connection was dropped; `while_connecting` tells whether the
    /// request could have reached MAAS.
    Reset {
        while_connecting: bool,
        detail: String,
    },
    /// The host name does not resolve.
    Dns { detail: String },
    /// TLS handshake or certificate verification failed.
    Tls { detail: String },
    /// Any other connect-time failure (no route, network down, ...).
    Other { detail: String },
    /// The endpoint is `https://` but the server answered the TLS handshake in plain HTTP.
    PlainHttp,
    /// MAAS answered (`status`) but the body did not finish within the whole-request limit.
    BodyStalled { status: u16, after: Duration },
    /// MAAS answered (`status`) but the connection closed before the whole body came (a body
    /// shorter than its Content-Length, or a chunked body cut off).
    BodyCut { status: u16, detail: String },
}

impl TransportFailure {
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::Timeout { .. }
                | Self::Reset { .. }
                | Self::BodyStalled { .. }
                | Self::BodyCut { .. }
        )
    }

    /// Whether MAAS sent the status line and headers before the failure.
    pub fn answered(&self) -> bool {
        matches!(self, Self::BodyStalled { .. } | Self::BodyCut { .. })
    }

    /// Classifies a failure while reading the body of an answer with `status`; `timeout` is
    /// the whole-request limit.
    pub(crate) fn from_body_error(err: &reqwest::Error, status: u16, timeout: Duration) -> Self {
        if err.is_timeout() || io_kind(err) == Some(io::ErrorKind::TimedOut) {
            Self::BodyStalled {
                status,
                after: timeout,
            }
        } else {
            Self::BodyCut {
                status,
                detail: chain(err),
            }
        }
    }

    /// Whether the request may have reached MAAS before the failure.
    pub fn request_was_sent(&self) -> bool {
        match self {
            Self::Timeout { connecting, .. } => !connecting,
            Self::Reset {
                while_connecting, ..
            } => !while_connecting,
            Self::BodyStalled { .. } | Self::BodyCut { .. } => true,
            _ => false,
        }
    }

    /// Classifies a reqwest error. `timeouts` are the configured
    /// (connect, whole-request) limits, quoted back in the message.
    pub(crate) fn from_reqwest(err: &reqwest::Error, timeouts: (Duration, Duration)) -> Self {
        let connecting = err.is_connect();
        if err.is_timeout() {
            return Self::Timeout {
                after: if connecting { timeouts.0 } else { timeouts.1 },
                connecting,
            };
        }
        let detail = chain(err);
        match io_kind(err) {
            Some(io::ErrorKind::ConnectionRefused) => return Self::Refused,
            Some(io::ErrorKind::TimedOut) => {
                return Self::Timeout {
                    after: if connecting { timeouts.0 } else { timeouts.1 },
                    connecting,
                };
            }
            Some(
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe
                | io::ErrorKind::UnexpectedEof,
            ) => {
                return Self::Reset {
                    while_connecting: connecting,
                    detail,
                };
            }
            _ => {}
        }
        // rustls reads an HTTP answer to its ClientHello as a record of an unknown type.
        if detail.contains("InvalidContentType") {
            return Self::PlainHttp;
        }
        if has_source::<rustls::Error>(err) {
            return Self::Tls { detail };
        }
        let lower = detail.to_ascii_lowercase();
        if err.is_connect() {
            if lower.contains("dns") || lower.contains("resolve") || lower.contains("lookup") {
                Self::Dns { detail }
            } else if lower.contains("tls") || lower.contains("certificate") {
                Self::Tls { detail }
            } else {
                Self::Other { detail }
            }
        } else {
            // Failing after the connection was made (hyper's "connection
            // closed before message completed" and the like) is a dropped
            // connection, whatever the exact words.
            Self::Reset {
                while_connecting: false,
                detail,
            }
        }
    }
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused => f.write_str(
                "connection refused; check the host and port, and that MAAS (regiond) is running",
            ),
            Self::Timeout {
                after,
                connecting: true,
            } => write!(
                f,
                "timed out connecting after {:.1} s; check the address and firewalls",
                after.as_secs_f64()
            ),
            Self::Timeout {
                after,
                connecting: false,
            } => write!(
                f,
                "timed out: no answer within {:.1} s (raise the client timeout if MAAS is just slow)",
                after.as_secs_f64()
            ),
            Self::Reset {
                while_connecting, ..
            } if *while_connecting => {
                write!(f, "connection reset while connecting ({})", self.detail())
            }
            Self::Reset { .. } => write!(
                f,
                "connection reset or closed before MAAS answered ({})",
                self.detail()
            ),
            Self::Dns { detail } => write!(f, "cannot resolve the host name ({detail})"),
            Self::Tls { detail } => write!(
                f,
                "TLS failed ({detail}); check the certificate is trusted by this machine"
            ),
            Self::Other { detail } => f.write_str(detail),
            Self::PlainHttp => f.write_str(
                "the endpoint is https:// but the server there speaks plain HTTP, not TLS; use an http:// endpoint, or serve MAAS over TLS",
            ),
            Self::BodyStalled { status, after } => write!(
                f,
                "MAAS answered HTTP {status} but its body did not finish within {:.1} s (the limit on the whole request); MAAS or a proxy in front of it stalled mid-answer",
                after.as_secs_f64()
            ),
            Self::BodyCut { status, detail } => write!(
                f,
                "MAAS answered HTTP {status} but the connection closed before the whole body arrived (shorter than announced): {detail}"
            ),
        }
    }
}

impl TransportFailure {
    fn detail(&self) -> &str {
        match self {
            Self::Reset { detail, .. }
            | Self::Dns { detail }
            | Self::Tls { detail }
            | Self::Other { detail } => detail,
            _ => "",
        }
    }
}

/// The error and its sources as one line, each distinct message once.
fn chain(err: &reqwest::Error) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = e.source();
    }
    parts.join(": ")
}

fn io_kind(err: &reqwest::Error) -> Option<io::ErrorKind> {
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        source = e.source();
    }
    None
}

/// Whether `T` is in the source chain. `io::Error` hides the error it wraps
/// from `source()` (it returns the inner error's source), so look inside.
fn has_source<T: std::error::Error + 'static>(err: &reqwest::Error) -> bool {
    let mut source = err.source();
    while let Some(e) = source {
        if e.is::<T>() {
            return true;
        }
        if let Some(inner) = e.downcast_ref::<io::Error>().and_then(io::Error::get_ref)
            && inner.is::<T>()
        {
            return true;
        }
        source = e.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryability_and_sent_state() {
        assert!(!TransportFailure::Refused.is_retryable());
        assert!(!TransportFailure::Refused.request_was_sent());
        let t = TransportFailure::Timeout {
            after: Duration::from_secs(30),
            connecting: false,
        };
        assert!(t.is_retryable() && t.request_was_sent());
        assert!(t.to_string().contains("30.0 s"), "{t}");
        let c = TransportFailure::Timeout {
            after: Duration::from_secs(5),
            connecting: true,
        };
        assert!(c.is_retryable() && !c.request_was_sent());
        let r = TransportFailure::Reset {
            while_connecting: false,
            detail: "x".into(),
        };
        assert!(r.is_retryable() && r.request_was_sent());
        assert!(!TransportFailure::Dns { detail: "x".into() }.is_retryable());
        assert!(!TransportFailure::Tls { detail: "x".into() }.is_retryable());
        assert!(!TransportFailure::Other { detail: "x".into() }.is_retryable());
    }
}
