//! Request recording and fault injection.

use std::collections::BTreeMap;

use serde_json::Value;

/// One request the fake received (recorded before fault injection and routing).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    /// "GET", "POST", "PUT", "PATCH" or "DELETE".
    pub method: String,
    pub path: String,
    /// Decoded query parameters.
    pub query: BTreeMap<String, String>,
    pub content_type: Option<String>,
    /// The `fieldManager` query parameter.
    pub field_manager: Option<String>,
    /// `dryRun=All` in the query, or `dryRun: ["All"]` in a DELETE body.
    pub dry_run: bool,
    /// `force=true` (server-side apply).
    pub force: bool,
    /// The body, when it was JSON.
    pub body: Option<Value>,
}

impl RecordedRequest {
    pub fn is_watch(&self) -> bool {
        self.query
            .get("watch")
            .is_some_and(|v| v == "true" || v == "1")
    }

    /// Non-GET requests (GETs include lists and watches).
    pub fn is_write(&self) -> bool {
        self.method != "GET"
    }

    /// Server-side apply (PATCH with `application/apply-patch+yaml`).
    pub fn is_apply(&self) -> bool {
        self.method == "PATCH"
            && self
                .content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("application/apply-patch"))
    }
}

/// An injected failure: the next `remaining` requests with `method` (or "*") whose path starts with
/// `path_prefix` fail with `status`.
#[derive(Clone, Debug)]
pub(crate) struct Fault {
    pub method: String,
    pub path_prefix: String,
    pub status: u16,
    pub remaining: usize,
}

impl Fault {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.remaining > 0
            && (self.method == "*" || self.method.eq_ignore_ascii_case(method))
            && path.starts_with(&self.path_prefix)
    }
}
