//! Sending one call: signing, retrying, and turning answers into results.

use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, LOCATION, RETRY_AFTER};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{HttpFailure, TransportFailure, decode_json, parse_retry_after};
use crate::{MaasClient, MaasError, Operation};

/// One API call as the operations describe it. No `Debug`: the form may
/// carry an LXD trust password or private key.
pub(crate) struct Call {
    pub operation: Operation,
    pub method: Method,
    pub url: Url,
    /// Query pairs; `op` comes first when present, as MAAS's tools send it.
    pub query: Vec<(&'static str, String)>,
    /// Form-encoded body for POST/PUT; `None` sends no body.
    pub form: Option<Vec<(&'static str, String)>>,
}

impl Call {
    pub fn new(operation: Operation, method: Method, url: Url) -> Self {
        Self {
            operation,
            method,
            url,
            query: Vec::new(),
            form: None,
        }
    }

    /// A MAAS named operation, sent as `?op=<name>`.
    pub fn op(mut self, name: &'static str) -> Self {
        self.query.insert(0, ("op", name.to_string()));
        self
    }

    pub fn query(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.query.extend(pairs);
        self
    }

    pub fn form(mut self, pairs: Vec<(&'static str, String)>) -> Self {
        self.form = Some(pairs);
        self
    }
}

/// A successful answer.
pub(crate) struct Answer {
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl MaasClient {
    /// Sends `call` and decodes the JSON answer.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, MaasError> {
        let answer = self.send(&call).await?;
        decode_json(
            &call.operation,
            &answer.body,
            answer.content_type.as_deref(),
        )
    }

    /// Sends `call` and ignores the body (204 on DELETE).
    pub(crate) async fn empty(&self, call: Call) -> Result<(), MaasError> {
        self.send(&call).await.map(drop)
    }

    /// Sends `call`, retrying as the policy allows.
    ///
    /// A failed request is retried only when the error says a retry can
    /// help and, for calls that are not idempotent (allocate, compose,
    /// deploy...), only when MAAS certainly did not act on it: a POST whose
    /// answer was lost is reported, not repeated, so one call never
    /// composes two VMs.
    pub(crate) async fn send(&self, call: &Call) -> Result<Answer, MaasError> {
        let policy = &self.inner.options.retry;
        let idempotent = matches!(
            call.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        let mut earlier_outcome_unknown = false;
        let mut attempt = 1;
        loop {
            let err = match self.attempt(call).await {
                Ok(answer) => return Ok(answer),
                Err(err) => err,
            };
            // A DELETE whose first answer was lost may have worked; a 404
            // now means the object is gone, which is what was asked.
            if call.method == Method::DELETE
                && earlier_outcome_unknown
                && matches!(err, MaasError::NotFound { .. })
            {
                return Ok(Answer {
                    content_type: None,
                    body: Vec::new(),
                });
            }
            let may_retry = err.is_retryable() && (idempotent || !err.outcome_unknown());
            if !may_retry || attempt >= policy.attempts() {
                return Err(err);
            }
            earlier_outcome_unknown |= err.outcome_unknown();
            let delay = policy.delay_after(attempt, err.retry_after());
            tracing::warn!(
                operation = %call.operation,
                attempt,
                max_attempts = policy.attempts(),
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                error = %err,
                "MAAS call failed; retrying"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, call: &Call) -> Result<Answer, MaasError> {
        let inner = &self.inner;
        let mut auth = HeaderValue::from_str(&inner.key.authorization_header()).map_err(|_| {
            MaasError::invalid_request(
                call.operation.clone(),
                "the API key contains characters that cannot go into an HTTP header",
            )
        })?;
        auth.set_sensitive(true);
        let mut request = inner
            .http
            .request(call.method.clone(), call.url.clone())
            .header(AUTHORIZATION, auth)
            .header(ACCEPT, "application/json");
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(form) = &call.form {
            request = request.form(form);
        }
        tracing::debug!(operation = %call.operation, method = %call.method, url = %call.url, "MAAS call");

        let response = request
            .send()
            .await
            .map_err(|e| self.unreachable(call, &e))?;
        let status = response.status();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let retry_after = parse_retry_after(header(RETRY_AFTER).as_deref());
        let content_type = header(CONTENT_TYPE);
        let location = header(LOCATION);
        // The headers came: a failure now is a broken answer, not an unreachable MAAS.
        let body = response.bytes().await.map_err(|e| MaasError::Unreachable {
            operation: call.operation.clone(),
            host: inner.endpoint.authority(),
            failure: TransportFailure::from_body_error(&e, status.as_u16(), inner.options.timeout),
        })?;

        if status.is_success() {
            return Ok(Answer {
                content_type,
                body: body.to_vec(),
            });
        }
        if status.is_redirection() {
            return Err(MaasError::Http {
                operation: call.operation.clone(),
                status: status.as_u16(),
                message: format!(
                    "MAAS redirects to {}; configure that URL as the MAAS endpoint",
                    location.as_deref().unwrap_or("(no Location header)")
                ),
            });
        }
        let text = inner.key.redact(&String::from_utf8_lossy(&body));
        Err(HttpFailure {
            status: status.as_u16(),
            retry_after,
            body: &text,
        }
        .into_error(call.operation.clone()))
    }

    fn unreachable(&self, call: &Call, err: &reqwest::Error) -> MaasError {
        let options = &self.inner.options;
        MaasError::Unreachable {
            operation: call.operation.clone(),
            host: self.inner.endpoint.authority(),
            failure: TransportFailure::from_reqwest(
                err,
                (options.connect_timeout, options.timeout),
            ),
        }
    }
}
