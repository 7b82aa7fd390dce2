//! `GET /MAAS/api/2.0/describe/`, generated from the route table.
//!
//! python-libmaas builds its whole client from this document and sends each call to the
//! handler's `uri`, so `uri` is built from the request's `Host` header, as MAAS does.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::API;
use crate::routes::{Access, RESOURCES, Resource};

fn handler_json(resource: &Resource, name: String, anonymous: bool, host: &str) -> Value {
    let mut actions: Vec<Value> = resource
        .actions
        .iter()
        .filter(|a| (a.access == Access::Anonymous) == anonymous)
        .map(|a| {
            json!({
                "doc": a.doc,
                "method": a.verb.as_str(),
                "name": a.name,
                "op": a.op,
                "restful": a.op.is_none(),
            })
        })
        .collect();
    actions.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let path = format!("{API}{}", resource.path);
    json!({
        "actions": actions,
        "doc": resource.doc,
        "name": name,
        "params": resource.params(),
        "uri": format!("http://{host}{path}"),
        "path": path,
    })
}

/// The describe document for requests that reached us as `host` (`127.0.0.1:5240`).
pub(crate) fn describe(host: &str) -> Value {
    let mut resources = Vec::new();
    let mut anon_handlers = Vec::new();
    let mut auth_handlers = Vec::new();
    for resource in RESOURCES {
        let auth = resource
            .has_authenticated()
            .then(|| handler_json(resource, resource.name.to_string(), false, host));
        // A resource with both kinds names its anonymous handler `Anon<Name>`.
        let anon = resource.has_anonymous().then(|| {
            let name = if auth.is_some() {
                format!("Anon{}", resource.name)
            } else {
                resource.name.to_string()
            };
            handler_json(resource, name, true, host)
        });
        anon_handlers.extend(anon.clone());
        auth_handlers.extend(auth.clone());
        resources.push(json!({"name": resource.name, "anon": anon, "auth": auth}));
    }
    let mut handlers = anon_handlers;
    handlers.extend(auth_handlers);
    json!({
        "doc": "MAAS API",
        "handlers": handlers,
        "resources": resources,
        "hash": hash(),
    })
}

/// A digest of the API shape, independent of the host it is served from, so clients that
/// cache the description can tell when it changed.
fn hash() -> String {
    let shape = describe_without_hash("localhost");
    let digest = Sha256::digest(shape.to_string().as_bytes());
    digest.iter().take(20).map(|b| format!("{b:02x}")).collect()
}

fn describe_without_hash(host: &str) -> Value {
    RESOURCES
        .iter()
        .map(|r| handler_json(r, r.name.to_string(), false, host))
        .chain(
            RESOURCES
                .iter()
                .map(|r| handler_json(r, r.name.to_string(), true, host)),
        )
        .collect()
}
