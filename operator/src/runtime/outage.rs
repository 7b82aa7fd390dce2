//! What went wrong talking to the API server, said the same way everywhere: the server, the
//! class of failure, the detail. Each distinct failure is logged once, then at a bounded rate,
//! and the latest one is the reason `/readyz` gives while the API server is not answering.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The class of an API failure, as the log and `/readyz` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::IntoStaticStr)]
#[strum(serialize_all = "kebab-case")]
pub enum FailureClass {
    /// Nothing listens at the address (or the name does not resolve).
    Refused,
    /// The TLS handshake or the server's certificate failed.
    Tls,
    /// Connected, but no answer came in time.
    Timeout,
    /// The server answered with an error status other than 401/403.
    HttpStatus,
    /// 401 or 403: the credentials are wrong or lack permissions; retrying will not help.
    BadCredentials,
    /// The connection broke or the answer could not be read.
    Connection,
}

/// One failure of a request to the API server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// The API server's URL.
    pub server: String,
    /// Its class.
    pub class: FailureClass,
    /// The HTTP status, for `HttpStatus` and `BadCredentials`.
    pub status: Option<u16>,
    /// What the lower layers said (never contains credentials: kube does not echo them).
    pub detail: String,
}

impl std::fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let class: &'static str = self.class.into();
        match self.status {
            Some(code) => write!(
                f,
                "API server {}: {class} (HTTP {code}): {}",
                self.server, self.detail
            ),
            None => write!(f, "API server {}: {class}: {}", self.server, self.detail),
        }
    }
}

/// The innermost message of an error chain, which is the one that says what happened.
fn root_message(e: &(dyn StdError + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// Looks through the error chain for what identifies the class.
fn class_of_chain(e: &(dyn StdError + 'static)) -> Option<FailureClass> {
    let mut current = Some(e);
    while let Some(err) = current {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Some(FailureClass::Refused),
                std::io::ErrorKind::TimedOut => return Some(FailureClass::Timeout),
                _ => {}
            }
            // rustls reports handshake failures as io errors wrapping its own error.
            if io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
            {
                return Some(FailureClass::Tls);
            }
        }
        if err.downcast_ref::<rustls::Error>().is_some() {
            return Some(FailureClass::Tls);
        }
        if err.downcast_ref::<tokio::time::error::Elapsed>().is_some() {
            return Some(FailureClass::Timeout);
        }
        current = err.source();
    }
    // Some layers only keep the text (hyper-util's connect errors, tower's timeouts).
    let text = root_message(e).to_ascii_lowercase();
    if text.contains("refused") || text.contains("dns error") || text.contains("resolve") {
        Some(FailureClass::Refused)
    } else if text.contains("timed out") || text.contains("deadline") {
        Some(FailureClass::Timeout)
    } else if text.contains("certificate") || text.contains("tls") || text.contains("handshake") {
        Some(FailureClass::Tls)
    } else {
        None
    }
}

/// Classifies an error of a request to `server`.
pub fn classify(server: &str, error: &kube::Error) -> ApiFailure {
    let failure = |class, status, detail: String| ApiFailure {
        server: server.to_string(),
        class,
        status,
        detail,
    };
    match error {
        kube::Error::Api(status) => {
            let class = if matches!(status.code, 401 | 403) {
                FailureClass::BadCredentials
            } else {
                FailureClass::HttpStatus
            };
            let detail = if status.message.is_empty() {
                status.reason.clone()
            } else {
                status.message.clone()
            };
            failure(class, Some(status.code), detail)
        }
        kube::Error::RustlsTls(e) => failure(FailureClass::Tls, None, root_message(e)),
        kube::Error::Auth(e) => failure(FailureClass::BadCredentials, None, root_message(e)),
        other => failure(
            class_of_chain(other).unwrap_or(FailureClass::Connection),
            None,
            root_message(other),
        ),
    }
}

/// Classifies a watch error; `None` for errors that are not about reaching the server.
pub fn classify_watch(server: &str, error: &kube::runtime::watcher::Error) -> Option<ApiFailure> {
    use kube::runtime::watcher::Error as W;
    match error {
        W::InitialListFailed(e) | W::WatchStartFailed(e) | W::WatchFailed(e) => {
            Some(classify(server, e))
        }
        // 410 Gone and the like are the watch protocol at work, not an outage.
        W::WatchError(_) | W::NoResourceVersion => None,
    }
}

/// A time-out on one request, reported as a [`FailureClass::Timeout`] of `server`.
pub fn timed_out(server: &str, after: Duration) -> ApiFailure {
    ApiFailure {
        server: server.to_string(),
        class: FailureClass::Timeout,
        status: None,
        detail: format!("no answer within {after:?}"),
    }
}

/// How often the same failure is logged again while it lasts.
pub const REPEAT_EVERY: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Seen {
    last_logged: Option<Instant>,
    suppressed: u64,
}

/// The API server's health as the operator sees it: the current failure (for `/readyz`) and a
/// log limiter keyed by server, class and status.
pub struct ApiHealth {
    /// The API server's URL.
    pub server: String,
    current: Mutex<Option<ApiFailure>>,
    seen: Mutex<HashMap<(FailureClass, Option<u16>), Seen>>,
    repeat_every: Duration,
}

impl ApiHealth {
    /// Health of `server`, logging a repeated failure every [`REPEAT_EVERY`].
    pub fn new(server: impl Into<String>) -> Self {
        Self::with_repeat(server, REPEAT_EVERY)
    }

    /// [`ApiHealth::new`] with another repeat interval (tests).
    pub fn with_repeat(server: impl Into<String>, repeat_every: Duration) -> Self {
        Self {
            server: server.into(),
            current: Mutex::new(None),
            seen: Mutex::new(HashMap::new()),
            repeat_every,
        }
    }

    /// Records `failure` as the current one and logs it unless the same class was logged within
    /// the repeat interval; returns whether it was logged.
    pub fn failed(&self, failure: ApiFailure, context: &str) -> bool {
        let key = (failure.class, failure.status);
        let logged = {
            let mut seen = self.seen.lock().expect("outage lock");
            let entry = seen.entry(key).or_default();
            let due = entry
                .last_logged
                .is_none_or(|t| t.elapsed() >= self.repeat_every);
            if due {
                let class: &'static str = failure.class.into();
                tracing::warn!(
                    server = %failure.server,
                    class,
                    repeated = entry.suppressed,
                    "{context}: {failure}"
                );
                entry.last_logged = Some(Instant::now());
                entry.suppressed = 0;
            } else {
                entry.suppressed += 1;
            }
            due
        };
        *self.current.lock().expect("outage lock") = Some(failure);
        logged
    }

    /// A request succeeded: the server answers again (logged once if it had not).
    pub fn answered(&self) {
        let previous = self.current.lock().expect("outage lock").take();
        if let Some(f) = previous {
            tracing::info!(server = %f.server, "API server answers again");
            self.seen.lock().expect("outage lock").clear();
        }
    }

    /// The current failure, if the last request failed.
    pub fn current(&self) -> Option<ApiFailure> {
        self.current.lock().expect("outage lock").clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> kube::Error {
        kube::Error::Api(Box::new(kube::core::Status {
            code,
            message: "nope".into(),
            ..Default::default()
        }))
    }

    #[test]
    fn statuses_are_classified() {
        let f = classify("https://api:6443", &status(401));
        assert_eq!(f.class, FailureClass::BadCredentials);
        assert_eq!(
            f.to_string(),
            "API server https://api:6443: bad-credentials (HTTP 401): nope"
        );
        assert_eq!(
            classify("s", &status(403)).class,
            FailureClass::BadCredentials
        );
        assert_eq!(classify("s", &status(500)).class, FailureClass::HttpStatus);
    }

    #[test]
    fn io_errors_are_classified() {
        let refused =
            kube::Error::ReadEvents(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(classify("s", &refused).class, FailureClass::Refused);
        let timeout = kube::Error::ReadEvents(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert_eq!(classify("s", &timeout).class, FailureClass::Timeout);
    }

    #[test]
    fn a_repeated_failure_is_logged_once_per_interval() {
        let h = ApiHealth::with_repeat("s", Duration::from_secs(3600));
        let f = timed_out("s", Duration::from_secs(1));
        assert!(h.failed(f.clone(), "probe"));
        assert!(!h.failed(f.clone(), "probe"));
        // Another class is news.
        assert!(h.failed(classify("s", &status(500)), "probe"));
        assert!(h.current().is_some());
        h.answered();
        assert!(h.current().is_none());
        assert!(
            h.failed(f, "probe"),
            "after recovery the failure is news again"
        );
    }
}
