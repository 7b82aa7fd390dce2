//! PATCH with `application/apply-patch+yaml`: server-side apply.

use serde_json::{Value, json};

use crate::apply::{self, Managers, Scope};
use crate::meta::meta_mut;
use crate::ops::{
    Verb, admit, check_identity, check_rv, check_strict, current, name, present, scope, write,
};
use crate::router::{Reply, Req, Target};
use crate::status::ApiError;
use crate::store::{State, check_types};

fn parse_body(req: &Req) -> Result<Value, ApiError> {
    if let Ok(v) = serde_json::from_slice::<Value>(&req.body) {
        return Ok(v);
    }
    let text = std::str::from_utf8(&req.body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    serde_saphyr::from_str::<Value>(text)
        .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))
}

pub(crate) fn apply(st: &mut State, req: &Req, t: &Target) -> Result<Reply, ApiError> {
    let Some(manager) = req.q("fieldManager").map(str::to_string) else {
        return Err(ApiError::invalid(
            "PatchOptions.meta.k8s.io",
            "",
            "fieldManager: Required value: is required for apply patch",
        ));
    };
    let body = parse_body(req)?;
    check_types(&t.info, &t.version, &body)?;
    check_identity(t, &body)?;
    check_strict(req, t, &body, Verb::Apply)?;
    let force = req.flag("force");
    let s = scope(t);
    let w = write(req, t);
    let exists = st.stored(&t.info.key(), t.ns_or_empty(), name(t)).is_some();
    if !exists {
        if s == Scope::Status {
            return Err(ApiError::not_found(&t.info.plural, &t.info.group, name(t)));
        }
        let mut managers = Managers::new();
        let mut obj = apply::apply(&apply::empty(), &body, &manager, force, s, &mut managers)
            .map_err(|m| ApiError::new(409, "Conflict", m))?;
        meta_mut(&mut obj).insert("name".into(), json!(name(t)));
        let obj = admit(t, obj);
        let w = crate::store::Write {
            managers: Some(managers),
            ..w
        };
        let obj = st.create(&t.info, &t.version, t.ns.as_deref(), obj, w)?;
        return Ok(Reply::Json(201, present(t, &obj)));
    }
    let old = current(st, t)?;
    check_rv(t, &old, &body)?;
    // The apply merges into the object as the request's version shows it.
    let old = present(t, &old);
    let mut managers = st
        .stored(&t.info.key(), t.ns_or_empty(), name(t))
        .map(|s| s.managers.clone())
        .unwrap_or_default();
    let candidate = apply::apply(&old, &body, &manager, force, s, &mut managers).map_err(|m| {
        ApiError::new(409, "Conflict", m).with_details(name(t), &t.info.group, &t.info.plural)
    })?;
    let candidate = admit(t, candidate);
    let w = crate::store::Write {
        managers: Some(managers),
        ..w
    };
    let obj = st.update(&t.info, t.ns_or_empty(), name(t), candidate, w)?;
    Ok(Reply::Json(200, present(t, &obj)))
}
