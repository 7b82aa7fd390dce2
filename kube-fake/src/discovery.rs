//! Discovery: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/{group}[/{version}]`, and the
//! aggregated `apidiscovery.k8s.io/v2` form of `/api` and `/apis`.

use std::collections::BTreeMap;

use http::Method;
use serde_json::{Value, json};

use crate::resources::ResourceInfo;
use crate::router::{Reply, Req};
use crate::status::ApiError;
use crate::store::State;

fn resources(infos: &[&ResourceInfo]) -> Vec<Value> {
    let verbs = json!([
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch"
    ]);
    let mut out = vec![];
    for i in infos {
        out.push(json!({
            "name": i.plural, "singularName": i.kind.to_lowercase(), "namespaced": i.namespaced,
            "kind": i.kind, "verbs": verbs,
        }));
        if i.status_subresource {
            out.push(json!({
                "name": format!("{}/status", i.plural), "singularName": "", "namespaced": i.namespaced,
                "kind": i.kind, "verbs": ["get", "patch", "update"],
            }));
        }
    }
    out
}

fn group_json(name: &str, versions: &[String]) -> Value {
    let gv = |v: &String| json!({ "groupVersion": format!("{name}/{v}"), "version": v });
    json!({
        "name": name,
        "versions": versions.iter().map(gv).collect::<Vec<_>>(),
        "preferredVersion": gv(&versions[0]),
    })
}

pub(crate) fn handle(st: &State, req: &Req) -> Reply {
    if req.method != Method::GET {
        return ApiError::method_not_allowed().into();
    }
    let segs: Vec<&str> = req
        .path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let mut groups: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for i in st.registry.items.iter().filter(|i| !i.group.is_empty()) {
        let vs = groups.entry(i.group.as_str()).or_default();
        for v in &i.versions {
            if !vs.contains(v) {
                vs.push(v.clone());
            }
        }
    }
    let in_gv = |g: &str, v: &str| -> Vec<&ResourceInfo> {
        st.registry
            .items
            .iter()
            .filter(|i| i.group == g && i.versions.iter().any(|x| x == v))
            .collect()
    };
    if req.accept.contains("apidiscovery.k8s.io") {
        return match segs.as_slice() {
            ["api"] => Reply::Json(200, aggregated(st, true)),
            ["apis"] => Reply::Json(200, aggregated(st, false)),
            _ => ApiError::new(
                406,
                "NotAcceptable",
                "aggregated discovery is served for /api and /apis only",
            )
            .into(),
        };
    }
    let body = match segs.as_slice() {
        ["version"] => json!({
            "major": "1", "minor": "34", "gitVersion": "v1.34.0-kube-fake", "gitCommit": "",
            "gitTreeState": "clean", "buildDate": "1970-01-01T00:00:00Z", "goVersion": "",
            "compiler": "rustc", "platform": "linux/amd64",
        }),
        ["api"] => {
            json!({ "kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [] })
        }
        ["apis"] => json!({
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": groups.iter().map(|(g, vs)| group_json(g, vs)).collect::<Vec<_>>(),
        }),
        ["apis", g] => match groups.get(g) {
            Some(vs) => {
                let mut v = group_json(g, vs);
                v["kind"] = json!("APIGroup");
                v["apiVersion"] = json!("v1");
                v
            }
            None => return ApiError::no_resource().into(),
        },
        ["api", "v1"] | ["apis", _, _] => {
            let (g, v) = if segs[0] == "api" {
                ("", "v1")
            } else {
                (segs[1], segs[2])
            };
            let infos = in_gv(g, v);
            if infos.is_empty() {
                return ApiError::no_resource().into();
            }
            let gv = if g.is_empty() {
                v.to_string()
            } else {
                format!("{g}/{v}")
            };
            json!({
                "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
                "resources": resources(&infos),
            })
        }
        _ => return ApiError::no_resource().into(),
    };
    Reply::Json(200, body)
}

/// `APIGroupDiscoveryList` of the core group (`core`) or of the named groups.
fn aggregated(st: &State, core: bool) -> Value {
    let verbs = json!([
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch"
    ]);
    let mut groups: BTreeMap<&str, BTreeMap<&str, Vec<Value>>> = BTreeMap::new();
    for i in st
        .registry
        .items
        .iter()
        .filter(|i| i.group.is_empty() == core)
    {
        for v in &i.versions {
            let kind = json!({ "group": i.group, "version": v, "kind": i.kind });
            let mut r = json!({
                "resource": i.plural, "responseKind": kind, "singularResource": i.kind.to_lowercase(),
                "scope": if i.namespaced { "Namespaced" } else { "Cluster" }, "verbs": verbs,
            });
            if i.status_subresource {
                r["subresources"] = json!([{ "subresource": "status", "responseKind": kind, "verbs": ["get", "patch", "update"] }]);
            }
            groups
                .entry(i.group.as_str())
                .or_default()
                .entry(v.as_str())
                .or_default()
                .push(r);
        }
    }
    let items: Vec<Value> = groups
        .into_iter()
        .map(|(g, versions)| {
            let versions: Vec<Value> = versions
                .into_iter()
                .map(|(v, resources)| json!({ "version": v, "resources": resources, "freshness": "Current" }))
                .collect();
            json!({ "metadata": { "name": g }, "versions": versions })
        })
        .collect();
    json!({
        "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items,
    })
}
