//! kube's tower-test pattern: a `kube::Client` over `tower_test::mock`, with a responder that
//! records every request and answers from a small map of objects by URL path. It understands
//! only what the reconcile tests need (GET object/list, apply PATCH, merge PATCH on /status).
#![allow(dead_code)]

use http::{Request, Response, StatusCode};
use kube::client::Body;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub content_type: String,
    pub body: Option<Value>,
}

impl Recorded {
    pub fn is_write(&self) -> bool {
        self.method != "GET"
    }
}

#[derive(Default)]
pub struct State {
    pub objects: BTreeMap<String, Value>,
    pub requests: Vec<Recorded>,
    uid: u64,
}

#[derive(Clone, Default)]
pub struct Mock(pub Arc<Mutex<State>>);

/// `/api/v1/...` or `/apis/group/version/...`: the segments after the group-version.
fn rest(path: &str) -> Vec<&str> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let skip = if segs.first() == Some(&"api") { 2 } else { 3 };
    segs.into_iter().skip(skip).collect()
}

fn is_collection(path: &str) -> bool {
    let r = rest(path);
    if r.first() == Some(&"namespaces") {
        r.len() == 1 || r.len() == 3
    } else {
        r.len() == 1
    }
}

fn merge_patch(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        _ => *target = patch.clone(),
    }
}

/// As an API server does: a Secret's `stringData` is stored base64-encoded in `data`.
fn fold_string_data(obj: &mut Value) {
    use base64::Engine as _;
    if obj["kind"] != "Secret" {
        return;
    }
    let Some(Value::Object(strings)) = obj.as_object_mut().and_then(|m| m.remove("stringData"))
    else {
        return;
    };
    for (k, v) in strings {
        let text = v.as_str().unwrap_or_default();
        obj["data"][k] = base64::engine::general_purpose::STANDARD
            .encode(text)
            .into();
    }
}

fn respond(code: u16, body: &Value) -> Response<Body> {
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap())
        .header("content-type", "application/json")
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap()
}

fn not_found(path: &str) -> Response<Body> {
    respond(
        404,
        &json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":format!("{path} not found"),"reason":"NotFound","code":404}),
    )
}

impl Mock {
    /// Puts an object where the API server would serve it.
    pub fn seed(&self, path: &str, obj: Value) {
        self.0.lock().unwrap().objects.insert(path.to_string(), obj);
    }

    pub fn get(&self, path: &str) -> Option<Value> {
        self.0.lock().unwrap().objects.get(path).cloned()
    }

    /// Every stored object.
    pub fn objects(&self) -> Vec<Value> {
        self.0.lock().unwrap().objects.values().cloned().collect()
    }

    pub fn take_requests(&self) -> Vec<Recorded> {
        std::mem::take(&mut self.0.lock().unwrap().requests)
    }

    /// A client whose requests this mock answers until the client is dropped.
    pub fn client(&self) -> kube::Client {
        let (svc, mut handle) = tower_test::mock::pair::<Request<Body>, Response<Body>>();
        let me = self.clone();
        tokio::spawn(async move {
            while let Some((req, send)) = handle.next_request().await {
                let resp = me.handle(req).await;
                send.send_response(resp);
            }
        });
        kube::Client::new(svc, "default")
    }

    async fn handle(&self, req: Request<Body>) -> Response<Body> {
        let method = req.method().to_string();
        let path = req.uri().path().to_string();
        let query = req.uri().query().unwrap_or_default().to_string();
        let content_type = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = req.into_body().collect_bytes().await.unwrap();
        let body: Option<Value> = serde_json::from_slice(&bytes).ok();
        let mut st = self.0.lock().unwrap();
        st.requests.push(Recorded {
            method: method.clone(),
            path: path.clone(),
            query,
            content_type: content_type.clone(),
            body: body.clone(),
        });
        match method.as_str() {
            "GET" if is_collection(&path) => {
                let items: Vec<Value> = st
                    .objects
                    .iter()
                    .filter(|(p, _)| {
                        p.rsplit_once('/').map(|(parent, _)| parent) == Some(path.as_str())
                    })
                    .map(|(_, v)| v.clone())
                    .collect();
                respond(
                    200,
                    &json!({"apiVersion":"v1","kind":"List","metadata":{"resourceVersion":"1"},"items":items}),
                )
            }
            "GET" => match st.objects.get(&path) {
                Some(v) => respond(200, v),
                None => not_found(&path),
            },
            "PATCH" if path.ends_with("/status") => {
                let obj_path = path.trim_end_matches("/status").to_string();
                let Some(obj) = st.objects.get_mut(&obj_path) else {
                    return not_found(&path);
                };
                merge_patch(obj, &body.unwrap_or_default());
                respond(200, &obj.clone())
            }
            "PATCH" if content_type.starts_with("application/apply-patch") => {
                st.uid += 1;
                let uid = format!("uid-{}", st.uid);
                let mut obj = body.unwrap_or_default();
                fold_string_data(&mut obj);
                let old = st.objects.get(&path).cloned();
                obj["metadata"]["uid"] = old
                    .as_ref()
                    .and_then(|o| o["metadata"]["uid"].as_str().map(Value::from))
                    .unwrap_or(uid.into());
                if let Some(status) = old.as_ref().and_then(|o| o.get("status")) {
                    obj["status"] = status.clone();
                }
                st.objects.insert(path.clone(), obj.clone());
                respond(200, &obj)
            }
            _ => respond(
                500,
                &json!({"kind":"Status","apiVersion":"v1","status":"Failure","message":"mock: unsupported","code":500}),
            ),
        }
    }
}
