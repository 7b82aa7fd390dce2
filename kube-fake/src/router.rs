//! Parses an HTTP request into a resource target and dispatches it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::stream::BoxStream;
use http::Method;
use serde_json::Value;

use crate::discovery;
use crate::ops;
use crate::record::RecordedRequest;
use crate::resources::{Registry, ResourceInfo};
use crate::schema::CrdSchemas;
use crate::status::ApiError;
use crate::store::State;

/// A request, its body read.
pub(crate) struct Req {
    pub method: Method,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub content_type: String,
    pub accept: String,
    pub body: Bytes,
}

impl Req {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .get(k)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn flag(&self, k: &str) -> bool {
        matches!(self.q(k), Some("true" | "1"))
    }

    pub fn json(&self) -> Result<Value, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })
    }

    /// `dryRun=All` in the query or `dryRun: ["All"]` in the body.
    pub fn dry_run(&self) -> bool {
        self.q("dryRun") == Some("All")
            || serde_json::from_slice::<Value>(&self.body)
                .ok()
                .and_then(|b| b.get("dryRun").cloned())
                .and_then(|d| d.as_array().cloned())
                .is_some_and(|a| a.iter().any(|v| v == "All"))
    }

    /// `fieldValidation=Strict`: unknown fields are an error instead of being pruned.
    pub fn strict(&self) -> bool {
        self.q("fieldValidation") == Some("Strict")
    }

    pub fn manager(&self) -> String {
        self.q("fieldManager").unwrap_or("unknown").to_string()
    }
}

/// What the handler answers.
pub(crate) enum Reply {
    Json(u16, Value),
    /// A JSON reply with `Warning` headers (one per text).
    Warned(u16, Value, Vec<String>),
    Watch(BoxStream<'static, Bytes>),
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        Reply::Json(e.code, e.to_status())
    }
}

/// The resource a URL names.
pub(crate) struct Target {
    pub info: ResourceInfo,
    pub version: String,
    pub ns: Option<String>,
    pub name: Option<String>,
    /// `Some("status")` for the status subresource.
    pub sub: Option<String>,
    /// The CRD's schemas (`None` for built-ins).
    pub schemas: Option<Arc<CrdSchemas>>,
}

impl Target {
    pub fn ns_or_empty(&self) -> &str {
        self.ns.as_deref().unwrap_or("")
    }
}

/// Parses `/api/v1/...` and `/apis/{group}/{version}/...`; `Ok(None)` for discovery paths.
pub(crate) fn parse_target(reg: &Registry, path: &str) -> Result<Option<Target>, ApiError> {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Ok(None),
    };
    if rest.is_empty() {
        return Ok(None);
    }
    let namespaced_path = rest[0] == "namespaces"
        && rest.len() >= 3
        && !(rest.len() == 3 && matches!(rest[2], "status" | "finalize"));
    let (ns, rest) = if namespaced_path {
        (Some(rest[1].to_string()), &rest[2..])
    } else {
        (None, rest)
    };
    if rest.len() > 3 {
        return Err(ApiError::no_resource());
    }
    let info = reg
        .find(group, version, rest[0])
        .cloned()
        .ok_or_else(ApiError::no_resource)?;
    let name = rest.get(1).map(|s| s.to_string());
    let sub = rest.get(2).map(|s| s.to_string());
    if (ns.is_some() && !info.namespaced) || (info.namespaced && ns.is_none() && name.is_some()) {
        return Err(ApiError::no_resource());
    }
    if let Some(sub) = &sub
        && (sub != "status" || !info.status_subresource)
    {
        return Err(ApiError::no_resource());
    }
    let schemas = reg.schemas.get(&info.key()).cloned();
    Ok(Some(Target {
        info,
        version: version.to_string(),
        ns,
        name,
        sub,
        schemas,
    }))
}

pub(crate) fn record(req: &Req) -> RecordedRequest {
    RecordedRequest {
        method: req.method.to_string(),
        path: req.path.clone(),
        query: req.query.clone(),
        content_type: Some(req.content_type.clone()).filter(|c| !c.is_empty()),
        field_manager: req.q("fieldManager").map(str::to_string),
        dry_run: req.dry_run(),
        force: req.flag("force"),
        body: serde_json::from_slice(&req.body).ok(),
    }
}

/// Records the request, applies injected faults, and routes it.
pub(crate) fn handle(state: &Arc<Mutex<State>>, req: Req) -> Reply {
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    st.requests.push(record(&req));
    if let Some(f) = st
        .faults
        .iter_mut()
        .find(|f| f.matches(req.method.as_str(), &req.path))
    {
        f.remaining -= 1;
        let code = f.status;
        st.faults.retain(|f| f.remaining > 0);
        return ApiError::for_code(
            code,
            format!("injected fault for {} {}", req.method, req.path),
        )
        .into();
    }
    let target = match parse_target(&st.registry, &req.path) {
        Ok(Some(t)) => t,
        Ok(None) => return discovery::handle(&st, &req),
        Err(e) => return e.into(),
    };
    let result = match (&req.method, target.name.is_some()) {
        (&Method::GET, false) if req.flag("watch") => {
            drop(st);
            return ops::watch(state, &req, target).unwrap_or_else(Reply::from);
        }
        (&Method::GET, false) => ops::list(&st, &req, &target),
        (&Method::GET, true) => ops::get(&st, &target),
        (&Method::POST, false) => ops::create(&mut st, &req, &target),
        (&Method::PUT, true) => ops::replace(&mut st, &req, &target),
        (&Method::PATCH, true) => ops::patch(&mut st, &req, &target),
        (&Method::DELETE, true) => ops::delete(&mut st, &req, &target),
        (&Method::DELETE, false) => ops::delete_collection(&mut st, &req, &target),
        _ => Err(ApiError::method_not_allowed()),
    };
    match result {
        Ok(Reply::Json(code, body)) if req.accept.contains("as=PartialObjectMetadata") => {
            Reply::Json(code, partial_reply(body))
        }
        Ok(Reply::Json(code, body)) => match warn_unknown_fields(&req, &target) {
            warnings if warnings.is_empty() => Reply::Json(code, body),
            warnings => Reply::Warned(code, body, warnings),
        },
        Ok(reply) => reply,
        Err(e) => e.into(),
    }
}

/// `fieldValidation=Warn` on a write of a custom resource: one warning per field of the body that
/// the request version's schema does not declare (the body of a create, update, apply or merge
/// patch has the object's shape; JSON patches are not checked).
fn warn_unknown_fields(req: &Req, t: &Target) -> Vec<String> {
    let Some(schemas) = &t.schemas else {
        return vec![];
    };
    let json_patch = req.content_type.starts_with("application/json-patch+json");
    let write = matches!(req.method, Method::POST | Method::PUT | Method::PATCH);
    if req.q("fieldValidation") != Some("Warn") || !write || json_patch {
        return vec![];
    }
    let body = serde_json::from_slice::<Value>(&req.body).ok().or_else(|| {
        let text = std::str::from_utf8(&req.body).ok()?;
        serde_saphyr::from_str::<Value>(text).ok()
    });
    let Some(body) = body.filter(Value::is_object) else {
        return vec![];
    };
    schemas
        .unknown_fields(&body, &t.version)
        .into_iter()
        .map(|f| format!("unknown field \"{f}\""))
        .collect()
}

/// An object as `PartialObjectMetadata` (what metadata-only requests get).
pub(crate) fn partial(obj: Value) -> Value {
    if obj.get("kind").and_then(Value::as_str) == Some("Status") {
        return obj;
    }
    serde_json::json!({
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata").cloned().unwrap_or_default(),
    })
}

/// A list or object reply as `PartialObjectMetadata[List]`.
fn partial_reply(mut body: Value) -> Value {
    match body.get_mut("items").and_then(Value::as_array_mut) {
        Some(items) => {
            for item in items.iter_mut() {
                *item = partial(item.take());
            }
            body["kind"] = serde_json::json!("PartialObjectMetadataList");
            body["apiVersion"] = serde_json::json!("meta.k8s.io/v1");
            body
        }
        None => partial(body),
    }
}
