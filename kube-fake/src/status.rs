//! `metav1.Status` error bodies, shaped like the ones a real apiserver sends so that kube parses them
//! into `kube::Error::Api`.

use serde_json::{Value, json};

/// An API error: the HTTP code, the `reason` and the message a real apiserver would send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub code: u16,
    pub reason: String,
    pub message: String,
    pub details: Option<Box<ErrorDetails>>,
}

/// `Status.details`: the object's name, its API group, and (as the apiserver sends it) the plural
/// resource name as `kind`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorDetails {
    pub name: String,
    pub group: String,
    pub kind: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason, self.message)
    }
}

impl std::error::Error for ApiError {}

/// `plural` or `plural.group`, as the apiserver names a resource in messages.
pub(crate) fn qualified(plural: &str, group: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}

impl ApiError {
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason: reason.to_string(),
            message: message.into(),
            details: None,
        }
    }

    pub(crate) fn with_details(mut self, name: &str, group: &str, plural: &str) -> Self {
        self.details = Some(Box::new(ErrorDetails {
            name: name.to_string(),
            group: group.to_string(),
            kind: plural.to_string(),
        }));
        self
    }

    pub fn not_found(plural: &str, group: &str, name: &str) -> Self {
        let msg = format!("{} \"{name}\" not found", qualified(plural, group));
        Self::new(404, "NotFound", msg).with_details(name, group, plural)
    }

    pub fn no_resource() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
    }

    pub fn already_exists(plural: &str, group: &str, name: &str) -> Self {
        let msg = format!("{} \"{name}\" already exists", qualified(plural, group));
        Self::new(409, "AlreadyExists", msg).with_details(name, group, plural)
    }

    pub fn conflict(plural: &str, group: &str, name: &str, why: &str) -> Self {
        let msg = format!(
            "Operation cannot be fulfilled on {} \"{name}\": {why}",
            qualified(plural, group)
        );
        Self::new(409, "Conflict", msg).with_details(name, group, plural)
    }

    pub fn modified(plural: &str, group: &str, name: &str) -> Self {
        Self::conflict(
            plural,
            group,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    pub fn invalid(kind: &str, name: &str, why: impl std::fmt::Display) -> Self {
        Self::new(
            422,
            "Invalid",
            format!("{kind} \"{name}\" is invalid: {why}"),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
    }

    pub fn unsupported_media_type(ct: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {ct:?})"
            ),
        )
    }

    /// An error with the reason a real apiserver gives for that code (used by fault injection).
    pub fn for_code(code: u16, message: impl Into<String>) -> Self {
        let reason = match code {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            409 => "Conflict",
            410 => "Expired",
            422 => "Invalid",
            429 => "TooManyRequests",
            500 => "InternalError",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "Unknown",
        };
        Self::new(code, reason, message)
    }

    /// The `Status` JSON body.
    pub fn to_status(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d0) = &self.details {
            let mut d = json!({ "name": d0.name, "kind": d0.kind });
            if !d0.group.is_empty() {
                d["group"] = json!(d0.group);
            }
            v["details"] = d;
        }
        v
    }
}

/// The `Status` a real apiserver returns for a successful delete of a built-in object.
pub(crate) fn success_deleted(name: &str, group: &str, plural: &str, uid: &str) -> Value {
    let mut details = json!({ "name": name, "kind": plural, "uid": uid });
    if !group.is_empty() {
        details["group"] = json!(group);
    }
    json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": details,
    })
}
