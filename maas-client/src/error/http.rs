//! Turning a non-success MAAS answer into a [`MaasError`].

use std::collections::BTreeMap;
use std::time::Duration;

use super::{FieldErrors, MaasError};
use crate::operation::{ObjectKind, Operation};

/// Longest MAAS message kept in an error; 409 answers can be whole HTML
/// pages, which help nobody in a log line.
const MAX_MESSAGE_CHARS: usize = 400;

/// The parts of an HTTP answer the mapping looks at. `body` must already be
/// redacted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpFailure<'a> {
    pub status: u16,
    pub retry_after: Option<Duration>,
    pub body: &'a str,
}

impl HttpFailure<'_> {
    pub(crate) fn into_error(self, operation: Operation) -> MaasError {
        let message = summarise(self.body);
        let retry_after = self.retry_after;
        match self.status {
            400 => bad_request(operation, self.body, message),
            401 => MaasError::BadApiKey {
                hint: bad_key_hint(&message),
                operation,
                message,
            },
            403 => MaasError::Forbidden {
                admin_only: message.contains("reserved for admin users"),
                operation,
                message,
            },
            404 if operation.object() == ObjectKind::VmHost && operation.id().is_none() => {
                MaasError::VmHostsUnsupported {
                    operation,
                    status: 404,
                    message,
                }
            }
            404 => MaasError::NotFound {
                object: operation.object(),
                id: operation.id().map(str::to_string),
                operation,
                message,
            },
            409 if retry_after.is_none() && is_no_machine_available(&message) => {
                MaasError::NoMachineMatches { operation, message }
            }
            409 => MaasError::Conflict {
                operation,
                message,
                retry_after,
            },
            410 if operation.object() == ObjectKind::VmHost => MaasError::VmHostsUnsupported {
                operation,
                status: 410,
                message,
            },
            503 if retry_after.is_none()
                && operation.object() == ObjectKind::VmHost
                && is_compose_refusal(&message) =>
            {
                MaasError::VmHostRefused { operation, message }
            }
            429 | 502 | 503 | 504 => MaasError::Unavailable {
                operation,
                status: self.status,
                message,
                retry_after,
            },
            status => MaasError::Http {
                operation,
                status,
                message,
            },
        }
    }
}

/// `Retry-After` in seconds. The HTTP-date form is ignored (MAAS only sends
/// seconds); the caller then falls back to its own backoff.
pub(crate) fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn bad_request(operation: Operation, body: &str, message: String) -> MaasError {
    let field_errors = parse_field_errors(body);
    let message = if message.starts_with("Unrecognised signature") {
        format!("{message} (this MAAS does not offer that operation; is it older than 3.0?)")
    } else {
        message
    };
    MaasError::BadRequest {
        operation,
        message,
        field_errors,
    }
}

/// MAAS sends validation errors as `{"field": ["msg", ...]}`; a bare
/// string per field is accepted too.
fn parse_field_errors(body: &str) -> FieldErrors {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(body) else {
        return FieldErrors::default();
    };
    let mut fields = BTreeMap::new();
    for (field, value) in map {
        let messages: Vec<String> = match value {
            serde_json::Value::Array(items) => items
                .into_iter()
                .map(|m| match m {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
            serde_json::Value::String(s) => vec![s],
            other => vec![other.to_string()],
        };
        fields.insert(field, messages);
    }
    FieldErrors(fields)
}

fn bad_key_hint(message: &str) -> &'static str {
    if message.contains("Invalid API key") {
        "MAAS does not know this consumer key; check the key belongs to this MAAS"
    } else if message.contains("Invalid access token") {
        "MAAS does not know this token; it may have been revoked"
    } else if message.contains("Invalid signature") {
        "the token secret (third part of the key) is wrong"
    } else if message.contains("Expired timestamp") {
        "this machine's clock and MAAS's differ by more than 300 s; fix the clock"
    } else if message.contains("Nonce already used") {
        "a signed request was replayed; check for proxies that resend requests"
    } else {
        "check the API key, format consumer_key:token_key:token_secret"
    }
}

/// The texts of MAAS's NodesNotAvailable, the one 409 that means "nothing
/// fits" rather than "wrong state".
fn is_no_machine_available(message: &str) -> bool {
    message.starts_with("No machine available")
        || message.starts_with("No available machine")
        || (message.starts_with("No machine with") && message.contains("available"))
}

/// MAAS's PodProblem text for a compose the host cannot hold (sent as 503).
/// Only this one is a verdict: "Failed talking to VM host" may be a host
/// that is rebooting, so it stays a retryable outage.
fn is_compose_refusal(message: &str) -> bool {
    message.starts_with("Unable to compose")
}

/// MAAS's body as one readable line: outer quotes from `repr()` dropped,
/// HTML reduced to text, whitespace collapsed, length bounded.
pub(crate) fn summarise(body: &str) -> String {
    let mut text = body.trim();
    if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') {
        text = &text[1..text.len() - 1];
    }
    let text = if text.starts_with('<') {
        strip_tags(text)
    } else {
        text.to_string()
    };
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return "(no message)".to_string();
    }
    if collapsed.chars().count() > MAX_MESSAGE_CHARS {
        let cut: String = collapsed.chars().take(MAX_MESSAGE_CHARS).collect();
        format!("{cut}…")
    } else {
        collapsed
    }
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
