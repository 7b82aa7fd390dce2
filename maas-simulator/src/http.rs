//! Responses: the success shapes handlers return and the MAAS error responses, with the status
//! codes, content types and texts MAAS 3.7 uses (see `fixtures/maas/error_responses.json`).

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HeaderValue, RETRY_AFTER, WWW_AUTHENTICATE};
use hyper::{Response, StatusCode};
use serde_json::Value;

pub(crate) const JSON: &str = "application/json; charset=utf-8";
pub(crate) const TEXT_UTF8: &str = "text/plain; charset=utf-8";
const TEXT: &str = "text/plain";
const HTML_UTF8: &str = "text/html; charset=utf-8";

/// What a handler produced on success.
#[derive(Debug)]
pub(crate) enum Reply {
    Json(Value),
    /// 204 with an empty body (piston's `rc.DELETED`).
    Deleted,
}

/// An error response. Built through the named constructors so each case matches MAAS.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: String,
    pub retry_after: Option<u32>,
    pub oauth_challenge: bool,
}

impl ApiError {
    fn new(status: StatusCode, content_type: &'static str, body: impl Into<String>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
            retry_after: None,
            oauth_challenge: false,
        }
    }

    /// 401 for credentials that do not check out; `detail` is the OAuth error text.
    pub fn oauth(detail: &str) -> Self {
        Self {
            oauth_challenge: true,
            ..Self::new(
                StatusCode::UNAUTHORIZED,
                HTML_UTF8,
                format!("Authorization Error: {detail}"),
            )
        }
    }

    /// 401 when a restricted endpoint gets no credentials at all.
    pub fn no_credentials() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, TEXT, "Forbidden")
    }

    /// 400 for malformed OAuth parameters; MAAS sends the repr() of its message.
    pub fn bad_auth_params(problem: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            TEXT_UTF8,
            format!(
                "'Bad Request: the following problems were found among the auth params: {problem}'"
            ),
        )
    }

    pub fn admin_only() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            TEXT_UTF8,
            "This method is reserved for admin users.",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, TEXT_UTF8, message)
    }

    /// 403 with no message: the object exists but the caller may not touch it.
    pub fn permission_denied() -> Self {
        Self::new(StatusCode::FORBIDDEN, TEXT_UTF8, "")
    }

    /// 404 for an unknown object; `model` is the Django model name (`Machine`, `Pod`, ...).
    pub fn not_found(model: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            TEXT,
            format!("No {model} matches the given query."),
        )
    }

    pub fn unknown_endpoint(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            TEXT_UTF8,
            format!("Unknown API endpoint: {path}."),
        )
    }

    pub fn unrecognised(method: &str, op: Option<&str>) -> Self {
        Self::bad_request(format!(
            "Unrecognised signature: method={method} op={}",
            op.unwrap_or("None")
        ))
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, TEXT_UTF8, message)
    }

    /// 400 with a JSON object of field errors, as MAAS sends form validation errors.
    pub fn fields(errors: FieldErrors) -> Self {
        let map: serde_json::Map<String, Value> = errors
            .0
            .into_iter()
            .map(|(field, messages)| (field, Value::from(messages)))
            .collect();
        Self::new(
            StatusCode::BAD_REQUEST,
            JSON,
            Value::Object(map).to_string(),
        )
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        Self::fields(errors)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, TEXT_UTF8, message)
    }

    /// 503 `PodProblem`: no Retry-After, unlike RPC failures.
    pub fn pod_problem(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, TEXT_UTF8, message)
    }

    pub fn gone(message: impl Into<String>) -> Self {
        Self::new(StatusCode::GONE, TEXT_UTF8, message)
    }

    /// 503 with Retry-After, as MAAS answers when no rack controller is reachable.
    pub fn service_unavailable(message: impl Into<String>, retry_after: u32) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, TEXT_UTF8, message)
        }
    }

    /// 409 for a lost database conflict (MAAS sends `Retry-After: 5`).
    pub fn retryable_conflict(message: impl Into<String>, retry_after: Option<u32>) -> Self {
        Self {
            retry_after,
            ..Self::conflict(message)
        }
    }

    pub fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        if self.oauth_challenge {
            headers.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("OAuth realm=\"OAuth\""),
            );
        }
        if let Some(seconds) = self.retry_after {
            headers.insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl Reply {
    pub fn into_response(self) -> Response<Full<Bytes>> {
        match self {
            Reply::Json(value) => json_response(StatusCode::OK, &value),
            Reply::Deleted => {
                let mut response = Response::new(Full::new(Bytes::new()));
                *response.status_mut() = StatusCode::NO_CONTENT;
                response
            }
        }
    }
}

pub(crate) fn json_response(status: StatusCode, value: &Value) -> Response<Full<Bytes>> {
    json_response_typed(status, value, JSON)
}

pub(crate) fn json_response_typed(
    status: StatusCode,
    value: &Value,
    content_type: &'static str,
) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(value).expect("serde_json::Value always serialises");
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// Django form errors: field name to messages, in the order they were found.
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(Vec<(String, Vec<String>)>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        match self.0.iter_mut().find(|(name, _)| name == field) {
            Some((_, messages)) => messages.push(message.into()),
            None => self.0.push((field.to_string(), vec![message.into()])),
        }
    }

    /// `Err` with all collected errors, or `Ok` when there are none.
    pub fn check(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::fields(self))
        }
    }
}

/// Django's `IntegerField` checks, with its messages.
pub(crate) fn parse_int_field(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    min: Option<i64>,
    max: Option<i64>,
) -> Option<i64> {
    let raw = raw.map(str::trim).filter(|raw| !raw.is_empty())?;
    let Ok(value) = raw.parse::<i64>() else {
        errors.add(field, "Enter a whole number.");
        return None;
    };
    if let Some(max) = max
        && value > max
    {
        errors.add(
            field,
            format!("Ensure this value is less than or equal to {max}."),
        );
        return None;
    }
    if let Some(min) = min
        && value < min
    {
        errors.add(
            field,
            format!("Ensure this value is greater than or equal to {min}."),
        );
        return None;
    }
    Some(value)
}

/// Python's `str()` of a float (`1.0`, `2.5`), as MAAS messages print ratios.
pub(crate) fn py_float(value: f64) -> String {
    format!("{value:?}")
}

/// Python's `repr()` of a string, enough for the constraint lists in MAAS messages.
pub(crate) fn py_repr(text: &str) -> String {
    if text.contains('\'') && !text.contains('"') {
        format!("\"{text}\"")
    } else {
        format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

/// Django's boolean parsing of form values (`true`, `1`, `on`, ...).
pub(crate) fn parse_bool(raw: Option<&str>) -> bool {
    raw.is_some_and(|raw| {
        matches!(
            raw.trim().to_ascii_lowercase().as_str(),
            "true" | "1" | "on" | "yes" | "t"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_formatting() {
        assert_eq!(py_float(1.0), "1.0");
        assert_eq!(py_float(2.5), "2.5");
        assert_eq!(py_repr("64"), "'64'");
        assert_eq!(py_repr("it's"), "\"it's\"");
    }

    #[test]
    fn int_field_messages() {
        let mut errors = FieldErrors::default();
        assert_eq!(
            parse_int_field(&mut errors, "cores", Some("9"), Some(1), Some(8)),
            None
        );
        assert_eq!(
            parse_int_field(&mut errors, "memory", Some("x"), None, None),
            None
        );
        assert_eq!(
            parse_int_field(&mut errors, "n", Some("3"), Some(1), Some(8)),
            Some(3)
        );
        let body = ApiError::fields(errors).body;
        assert!(
            body.contains("Ensure this value is less than or equal to 8."),
            "{body}"
        );
        assert!(body.contains("Enter a whole number."), "{body}");
    }
}
