//! The verbs: list, get, create, replace, patch (merge, JSON, apply), delete, deletecollection, watch.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::apply::Scope;
use crate::meta::meta_str;
use crate::router::{Reply, Req, Target};
use crate::selector::{Filter, Selector};
use crate::status::{self, ApiError};
use crate::store::{State, Watcher, Write, check_types};
use crate::watch::{self, WatchSpec};

/// A stored object as the request's version shows it (for CRDs: pruned and defaulted with that
/// version's schema).
pub(crate) fn present(t: &Target, obj: &Value) -> Value {
    let api_version = t.info.api_version(&t.version);
    match &t.schemas {
        Some(s) => s.view(obj, api_version, &t.version),
        None => {
            let mut obj = obj.clone();
            obj["apiVersion"] = json!(api_version);
            obj
        }
    }
}

/// How a write came in, for the shape of a strict field-validation error.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    /// POST or PUT: the body is decoded strictly (400 BadRequest).
    Write,
    /// Merge or JSON patch: the patched object is (422 Invalid).
    Patch,
    /// Server-side apply: the applied configuration is typed against the schema (422 Invalid).
    Apply,
}

/// `fieldValidation=Strict`: the fields of `obj` (the body, the patched object or the applied
/// configuration) that the request version's schema does not declare are an error.
pub(crate) fn check_strict(req: &Req, t: &Target, obj: &Value, verb: Verb) -> Result<(), ApiError> {
    let Some(schemas) = t.schemas.as_ref().filter(|_| req.strict()) else {
        return Ok(());
    };
    let unknown = schemas.unknown_fields(obj, &t.version);
    if unknown.is_empty() {
        return Ok(());
    }
    let kind = &t.info.kind;
    let decoding = || {
        let fields: Vec<String> = unknown
            .iter()
            .map(|f| format!("unknown field \"{f}\""))
            .collect();
        format!("strict decoding error: {}", fields.join(", "))
    };
    Err(match verb {
        Verb::Write => ApiError::bad_request(format!(
            "{kind} in version \"{}\" cannot be handled as a {kind}: {}",
            t.version,
            decoding()
        )),
        Verb::Patch => ApiError::invalid(
            kind,
            name(t),
            format!("patch: Invalid value: \"{kind}\": {}", decoding()),
        ),
        Verb::Apply => {
            let nn = match meta_str(obj, "namespace").or(t.ns.as_deref()) {
                Some(ns) if t.info.namespaced => format!("{ns}/{}", name(t)),
                _ => format!("/{}", name(t)),
            };
            let fields: Vec<String> = unknown
                .iter()
                .map(|f| format!(".{f}: field not declared in schema"))
                .collect();
            ApiError::invalid(
                kind,
                name(t),
                format!(
                    "failed to create typed patch object ({nn}; {}, Kind={kind}): {}",
                    t.info.api_version(&t.version),
                    fields.join(", ")
                ),
            )
        }
    })
}

/// What a write in the request's version stores: pruned and defaulted with that version's schema,
/// converted to the storage version (only `apiVersion` changes), pruned and defaulted with the
/// storage schema. Built-ins are stored as sent.
pub(crate) fn admit(t: &Target, obj: Value) -> Value {
    match &t.schemas {
        Some(s) => s.admit(
            obj,
            &t.version,
            t.info.api_version(t.info.storage_version()),
        ),
        None => obj,
    }
}

pub(crate) fn name(t: &Target) -> &str {
    t.name.as_deref().unwrap_or_default()
}

fn filter(req: &Req, t: &Target) -> Result<Filter, ApiError> {
    Ok(Filter {
        namespace: t.ns.clone(),
        labels: Selector::parse_labels(req.q("labelSelector").unwrap_or_default())?,
        fields: Selector::parse_fields(
            req.q("fieldSelector").unwrap_or_default(),
            &t.info.field_labels,
        )?,
    })
}

/// The write scope of a request on `t`.
pub(crate) fn scope(t: &Target) -> Scope {
    if t.sub.is_some() {
        Scope::Status
    } else if t.info.status_subresource {
        Scope::Main
    } else {
        Scope::All
    }
}

pub(crate) fn write(req: &Req, t: &Target) -> Write {
    Write {
        scope: scope(t),
        manager: req.manager(),
        dry_run: req.dry_run(),
        managers: None,
    }
}

fn list_body(
    t: &Target,
    rv: u64,
    items: Vec<Value>,
    cont: Option<String>,
    remaining: usize,
) -> Value {
    let mut meta = json!({ "resourceVersion": rv.to_string() });
    if let Some(c) = cont {
        meta["continue"] = json!(c);
        meta["remainingItemCount"] = json!(remaining);
    }
    json!({
        "kind": format!("{}List", t.info.kind),
        "apiVersion": t.info.api_version(&t.version),
        "metadata": meta,
        "items": items,
    })
}

pub(crate) fn list(st: &State, req: &Req, t: &Target) -> Result<Reply, ApiError> {
    let f = filter(req, t)?;
    let limit = req
        .q("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    // Continue tokens are "{listRV}/{namespace}/{name}" of the last item returned.
    let (list_rv, after) = match req.q("continue") {
        Some(c) => {
            let mut parts = c.splitn(3, '/');
            let rv = parts.next().and_then(|r| r.parse::<u64>().ok());
            let key = (
                parts.next().unwrap_or_default().to_string(),
                parts.next().unwrap_or_default().to_string(),
            );
            (
                rv.ok_or_else(|| ApiError::bad_request("invalid continue token"))?,
                Some(key),
            )
        }
        None => (st.rv, None),
    };
    let matching: Vec<_> = st
        .list(&t.info.key())
        .filter(|(k, _)| after.as_ref().is_none_or(|a| *k > a))
        .filter(|(_, s)| f.matches(&s.obj))
        .collect();
    let take = limit.unwrap_or(usize::MAX).min(matching.len());
    let cont = (take < matching.len()).then(|| {
        let ((ns, name), _) = matching[take - 1];
        format!("{list_rv}/{ns}/{name}")
    });
    let items = matching[..take]
        .iter()
        .map(|(_, s)| present(t, &s.obj))
        .collect();
    Ok(Reply::Json(
        200,
        list_body(t, list_rv, items, cont, matching.len() - take),
    ))
}

pub(crate) fn get(st: &State, t: &Target) -> Result<Reply, ApiError> {
    let s = st
        .stored(&t.info.key(), t.ns_or_empty(), name(t))
        .ok_or_else(|| ApiError::not_found(&t.info.plural, &t.info.group, name(t)))?;
    Ok(Reply::Json(200, present(t, &s.obj)))
}

pub(crate) fn create(st: &mut State, req: &Req, t: &Target) -> Result<Reply, ApiError> {
    let body = req.json()?;
    check_types(&t.info, &t.version, &body)?;
    check_strict(req, t, &body, Verb::Write)?;
    let body = admit(t, body);
    let obj = st.create(&t.info, &t.version, t.ns.as_deref(), body, write(req, t))?;
    Ok(Reply::Json(201, present(t, &obj)))
}

/// The body's name and namespace, if set, must be the URL's.
pub(crate) fn check_identity(t: &Target, body: &Value) -> Result<(), ApiError> {
    if let Some(n) = meta_str(body, "name")
        && n != name(t)
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({n}) does not match the name on the URL ({})",
            name(t)
        )));
    }
    if let Some(ns) = meta_str(body, "namespace")
        && t.info.namespaced
        && Some(ns) != t.ns.as_deref()
    {
        return Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        ));
    }
    Ok(())
}

pub(crate) fn current(st: &State, t: &Target) -> Result<Value, ApiError> {
    st.stored(&t.info.key(), t.ns_or_empty(), name(t))
        .map(|s| s.obj.clone())
        .ok_or_else(|| ApiError::not_found(&t.info.plural, &t.info.group, name(t)))
}

/// A body `metadata.resourceVersion` is a precondition.
pub(crate) fn check_rv(t: &Target, old: &Value, new: &Value) -> Result<(), ApiError> {
    match meta_str(new, "resourceVersion") {
        Some(rv) if Some(rv) != meta_str(old, "resourceVersion") => {
            Err(ApiError::modified(&t.info.plural, &t.info.group, name(t)))
        }
        _ => Ok(()),
    }
}

pub(crate) fn replace(st: &mut State, req: &Req, t: &Target) -> Result<Reply, ApiError> {
    let body = req.json()?;
    check_types(&t.info, &t.version, &body)?;
    check_identity(t, &body)?;
    let old = current(st, t)?;
    if meta_str(&body, "resourceVersion").is_none() && !t.info.unconditional_update {
        return Err(ApiError::invalid(
            &t.info.kind,
            name(t),
            "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update",
        ));
    }
    check_rv(t, &old, &body)?;
    check_strict(req, t, &body, Verb::Write)?;
    let body = admit(t, body);
    let obj = st.update(&t.info, t.ns_or_empty(), name(t), body, write(req, t))?;
    Ok(Reply::Json(200, present(t, &obj)))
}

pub(crate) fn patch(st: &mut State, req: &Req, t: &Target) -> Result<Reply, ApiError> {
    let ct = req
        .content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim();
    match ct {
        "application/apply-patch+yaml" | "application/apply-patch+json" => {
            return crate::ops_apply::apply(st, req, t);
        }
        "application/merge-patch+json"
        | "application/strategic-merge-patch+json"
        | "application/json-patch+json" => {}
        other => return Err(ApiError::unsupported_media_type(other)),
    }
    let old = current(st, t)?;
    let body = req.json()?;
    // A patch applies to the object as the request's version shows it.
    let mut candidate = present(t, &old);
    match ct {
        "application/json-patch+json" => json_patch_evanphx(&mut candidate, &body)?,
        "application/strategic-merge-patch+json" if !t.info.strategic_merge => {
            return Err(ApiError::unsupported_media_type(ct));
        }
        "application/strategic-merge-patch+json" => crate::smp::patch(&mut candidate, &body),
        _ => json_patch::merge(&mut candidate, &body),
    }
    check_rv(t, &old, &candidate)?;
    check_strict(req, t, &candidate, Verb::Patch)?;
    let candidate = admit(t, candidate);
    let obj = st.update(&t.info, t.ns_or_empty(), name(t), candidate, write(req, t))?;
    Ok(Reply::Json(200, present(t, &obj)))
}

/// RFC 6902 as the apiserver's library applies it: a `test` for `null` passes on a missing path.
fn json_patch_evanphx(doc: &mut Value, body: &Value) -> Result<(), ApiError> {
    let ops: json_patch::Patch = serde_json::from_value(body.clone())
        .map_err(|e| ApiError::bad_request(format!("invalid JSON patch: {e}")))?;
    let mut work = doc.clone();
    for op in &ops.0 {
        if let json_patch::PatchOperation::Test(t) = op
            && t.value.is_null()
            && work.pointer(t.path.as_str()).is_none()
        {
            continue;
        }
        json_patch::patch(&mut work, std::slice::from_ref(op)).map_err(|e| {
            ApiError::new(
                422,
                "Invalid",
                format!("the server rejected our request due to an error in our request: {e}"),
            )
        })?;
    }
    *doc = work;
    Ok(())
}

fn delete_options(req: &Req) -> Value {
    serde_json::from_slice(&req.body).unwrap_or(Value::Null)
}

pub(crate) fn delete(st: &mut State, req: &Req, t: &Target) -> Result<Reply, ApiError> {
    let opts = delete_options(req);
    let old = current(st, t)?;
    for (field, what) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
        if let Some(want) = opts
            .pointer(&format!("/preconditions/{field}"))
            .and_then(Value::as_str)
        {
            let have = meta_str(&old, field).unwrap_or_default();
            if want != have {
                let why = format!(
                    "Precondition failed: {what} in precondition: {want}, {what} in object meta: {have}"
                );
                return Err(ApiError::conflict(
                    &t.info.plural,
                    &t.info.group,
                    name(t),
                    &why,
                ));
            }
        }
    }
    let orphan = opts.get("propagationPolicy").and_then(Value::as_str) == Some("Orphan")
        || opts.get("orphanDependents").and_then(Value::as_bool) == Some(true);
    let (obj, gone) = st.mark_deleted(&t.info, t.ns_or_empty(), name(t), orphan, req.dry_run())?;
    if gone && !t.info.return_deleted_object {
        let uid = meta_str(&obj, "uid").unwrap_or_default();
        return Ok(Reply::Json(
            200,
            status::success_deleted(name(t), &t.info.group, &t.info.plural, uid),
        ));
    }
    Ok(Reply::Json(200, present(t, &obj)))
}

pub(crate) fn delete_collection(st: &mut State, req: &Req, t: &Target) -> Result<Reply, ApiError> {
    let f = filter(req, t)?;
    let names: Vec<(String, String)> = st
        .list(&t.info.key())
        .filter(|(_, s)| f.matches(&s.obj))
        .map(|(k, _)| k.clone())
        .collect();
    let mut items = vec![];
    for (ns, n) in names {
        if let Ok((obj, _)) = st.mark_deleted(&t.info, &ns, &n, false, req.dry_run()) {
            items.push(present(t, &obj));
        }
    }
    Ok(Reply::Json(200, list_body(t, st.rv, items, None, 0)))
}

pub(crate) fn watch(state: &Arc<Mutex<State>>, req: &Req, t: Target) -> Result<Reply, ApiError> {
    let spec = WatchSpec {
        filter: filter(req, &t)?,
        bookmarks: req.flag("allowWatchBookmarks"),
        timeout: Duration::from_secs(
            req.q("timeoutSeconds")
                .and_then(|s| s.parse().ok())
                .unwrap_or(1800),
        ),
        metadata_only: req.accept.contains("as=PartialObjectMetadata"),
        info: t.info,
        version: t.version,
        schemas: t.schemas,
    };
    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
    let key = spec.info.key();
    let mut initial = vec![];
    let current = |st: &State, initial: &mut Vec<_>| {
        for (_, s) in st.list(&key) {
            if spec.filter.matches(&s.obj) {
                initial.push(spec.line("ADDED", &s.obj));
            }
        }
    };
    let rx = if req.flag("sendInitialEvents") {
        current(&st, &mut initial);
        initial.push(spec.initial_end(st.rv));
        true
    } else {
        match req.q("resourceVersion").unwrap_or("0") {
            "0" => {
                current(&st, &mut initial);
                true
            }
            asked => {
                let from: u64 = asked.parse().map_err(|_| {
                    ApiError::bad_request(format!("invalid resource version: {asked}"))
                })?;
                if from < st.compacted_rv {
                    initial.push(spec.expired(asked, st.compacted_rv + 1));
                    false
                } else {
                    for ch in st.history.iter().filter(|c| c.rv > from && c.key == key) {
                        initial.extend(spec.render(ch));
                    }
                    true
                }
            }
        }
    };
    let rx = rx.then(|| {
        let (tx, rx) = mpsc::unbounded_channel();
        st.watchers.push(Watcher {
            key: key.clone(),
            tx,
        });
        rx
    });
    let interval = st.bookmark_interval;
    drop(st);
    Ok(Reply::Watch(
        watch::stream(spec, initial, rx, state.clone(), interval).boxed(),
    ))
}
