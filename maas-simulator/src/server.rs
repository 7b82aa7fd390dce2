//! The HTTP side: an accept loop on hyper, fault injection, and dispatch of each request
//! through authentication and the route table.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{
    AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, EXPECT, HOST, HeaderValue,
};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::API;
use crate::body::Form;
use crate::describe::describe;
use crate::faults::{Fault, FaultInjector};
use crate::handlers::Call;
use crate::http::{ApiError, json_response, json_response_typed};
use crate::oauth;
use crate::options::SimOptions;
use crate::routes::{Access, Verb, match_path};
use crate::state::SimState;
use crate::state::catalog::ApiKey;
use crate::state::names;

/// One request as the simulator saw it, for tests that assert which calls a client made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The op, whichever way it was given (`?op=`, `/op-<name>` or a body field).
    pub op: Option<String>,
    /// `None` when the connection was dropped by a fault.
    pub status: Option<u16>,
}

/// State shared by every connection of one simulator.
pub(crate) struct Shared {
    pub state: Mutex<SimState>,
    pub opts: SimOptions,
    pub faults: FaultInjector,
    pub log: Mutex<Vec<RecordedRequest>>,
    pub addr: SocketAddr,
}

/// Lock a mutex, recovering from poisoning: handlers validate before they mutate, so a
/// panicking request leaves consistent state behind.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Marker error: makes hyper close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    // Dropping the set at the end aborts every open connection.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = shared.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |req| handle(shared.clone(), req));
                        if let Err(err) = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await
                        {
                            tracing::debug!(%err, "connection ended");
                        }
                    });
                }
                Err(err) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            _ = shutdown.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// The parts of a request dispatch needs, with the body already read and parsed.
struct RequestData {
    method: String,
    path: String,
    host: String,
    authorization: Option<String>,
    query: Form,
    body: Result<Form, String>,
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = request.into_parts();
    let body = match read_body(&parts, body).await {
        Ok(body) => body,
        Err(BodyProblem::TooLarge) => {
            // Refused in front of MAAS: no fault rule or handler sees it, the log does.
            let refused = RequestData {
                method: parts.method.as_str().to_string(),
                path: parts.uri.path().to_string(),
                host: String::new(),
                authorization: None,
                query: Form::from_query(parts.uri.query().unwrap_or_default()),
                body: Ok(Form::default()),
            };
            let op = op_of(&refused);
            record(&shared, &refused, op, Some(413));
            let mut response = too_large();
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            return Ok(response);
        }
        Err(BodyProblem::Broken) => return Err(DropConnection),
    };
    let header = |name| {
        parts
            .headers
            .get(name)
            .and_then(|v: &hyper::header::HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let incoming = RequestData {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        host: header(HOST).unwrap_or_else(|| shared.addr.to_string()),
        authorization: header(AUTHORIZATION),
        query: Form::from_query(parts.uri.query().unwrap_or_default()),
        body: Form::from_body(header(CONTENT_TYPE).as_deref(), &body),
    };
    let op = op_of(&incoming);
    let chosen = shared
        .faults
        .take(&incoming.method, &incoming.path, op.as_deref());
    if let Some(delay) = chosen.latency {
        tokio::time::sleep(delay).await;
    }
    let response = match chosen.fault {
        Some(Fault::DropConnection) => {
            record(&shared, &incoming, op, None);
            return Err(DropConnection);
        }
        Some(Fault::ServiceUnavailable { retry_after_secs }) => ApiError::service_unavailable(
            "Unable to get RPC connection for any rack controller (injected fault).",
            retry_after_secs,
        )
        .into_response(),
        Some(Fault::Conflict { retry_after_secs }) => ApiError::retryable_conflict(
            "The request conflicted with a concurrent change; retry it (injected fault).",
            retry_after_secs,
        )
        .into_response(),
        Some(Fault::ComposeRefused) => ApiError::pod_problem(
            "Unable to compose KVM instance. Not enough resources left on the VM host (injected fault).",
        )
        .into_response(),
        Some(Fault::Latency(_)) | None => dispatch(&shared, &incoming),
    };
    record(&shared, &incoming, op, Some(response.status().as_u16()));
    tracing::debug!(
        method = %incoming.method,
        path = %incoming.path,
        status = response.status().as_u16(),
        "request"
    );
    Ok(response)
}

/// Largest request body accepted, in bytes: 10 MiB, the `client_max_body_size 10M` of the
/// nginx MAAS (3.x) puts in front of its region API. Larger bodies get nginx's 413 page.
pub(crate) const MAX_BODY_BYTES: u64 = 10 * 1024 * 1024;

/// How long an oversized body is read and thrown away before the 413 goes out, so that a
/// client still sending gets the answer instead of a reset connection (nginx lingers the same
/// way after its 413).
const DRAIN_TIME: Duration = Duration::from_secs(5);

enum BodyProblem {
    TooLarge,
    /// The connection broke while the body was read.
    Broken,
}

/// Read a request body of at most `MAX_BODY_BYTES`, frame by frame: a declared
/// `Content-Length` above the limit is refused before anything is read, and a chunked body
/// is refused as soon as it passes the limit, so an oversized body is never held in memory.
async fn read_body(
    parts: &hyper::http::request::Parts,
    mut body: Incoming,
) -> Result<Bytes, BodyProblem> {
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        // A client waiting for `100 Continue` has sent nothing yet: answer at once.
        let expects_continue = parts
            .headers
            .get(EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        if !expects_continue {
            drain(body).await;
        }
        return Err(BodyProblem::TooLarge);
    }
    let mut collected = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(BodyProblem::Broken);
        };
        if let Ok(data) = frame.into_data() {
            if collected.len() as u64 + data.len() as u64 > MAX_BODY_BYTES {
                drain(body).await;
                return Err(BodyProblem::TooLarge);
            }
            collected.extend_from_slice(&data);
        }
    }
    Ok(collected.freeze())
}

/// Read and discard the rest of a body, for at most `DRAIN_TIME`.
async fn drain(mut body: Incoming) {
    let discard = async { while let Some(Ok(_)) = body.frame().await {} };
    let _ = tokio::time::timeout(DRAIN_TIME, discard).await;
}

/// nginx's 413 page, as MAAS's proxy sends it.
fn too_large() -> Response<Full<Bytes>> {
    let page = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
    let mut response = Response::new(Full::new(Bytes::from_static(page.as_bytes())));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// The op of a request: path suffix, then query, then (for POST/PUT) the body.
fn op_of(incoming: &RequestData) -> Option<String> {
    let path_op = incoming
        .path
        .strip_prefix(API)
        .and_then(|rel| crate::routes::split_op_suffix(rel).1);
    let body_op = match incoming.method.as_str() {
        "POST" | "PUT" => incoming
            .body
            .as_ref()
            .ok()
            .and_then(|b| b.get("op"))
            .map(str::to_string),
        _ => None,
    };
    path_op
        .or_else(|| incoming.query.get("op").map(str::to_string))
        .or(body_op)
        .filter(|op| !op.is_empty())
}

fn record(shared: &Shared, incoming: &RequestData, op: Option<String>, status: Option<u16>) {
    lock(&shared.log).push(RecordedRequest {
        method: incoming.method.clone(),
        path: incoming.path.clone(),
        op,
        status,
    });
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn dispatch(shared: &Shared, incoming: &RequestData) -> Response<Full<Bytes>> {
    if incoming.path == format!("{API}describe/") {
        // describe/ needs no credentials; libmaas fetches it before it signs anything.
        return json_response_typed(
            StatusCode::OK,
            &describe(&incoming.host),
            "application/json",
        );
    }
    if incoming.path == "/MAAS/accounts/authenticate/" && incoming.method == "POST" {
        return authenticate_password(shared, incoming);
    }
    let Some(matched) = incoming.path.strip_prefix(API).and_then(match_path) else {
        return ApiError::unknown_endpoint(&incoming.path).into_response();
    };
    let resource = matched.resource;
    let mut st = lock(&shared.state);
    let now = Instant::now();
    st.advance(now);
    let signed = oauth::SignedRequest {
        method: &incoming.method,
        host: &incoming.host,
        path: &incoming.path,
        query: &incoming.query,
        body: incoming.body.as_ref().ok(),
    };
    let caller = match oauth::authenticate(
        incoming.authorization.as_deref(),
        &signed,
        &mut st,
        unix_now(),
    ) {
        Ok(caller) => caller,
        Err(err) => return err.into_response(),
    };
    let Some(verb) = Verb::parse(&incoming.method) else {
        let mut response = Response::new(Full::new(Bytes::new()));
        *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
        return response;
    };
    if caller.is_none() && !resource.has_anonymous() {
        return ApiError::no_credentials().into_response();
    }
    if resource.vm_host_api && shared.opts.vm_hosts_removed {
        return ApiError::gone("VM host (KVM) support has been removed from MAAS.").into_response();
    }
    let op = op_of(incoming);
    let Some(action) = resource.find(verb, op.as_deref(), caller.is_some()) else {
        if caller.is_none() && resource.find(verb, op.as_deref(), true).is_some() {
            return ApiError::no_credentials().into_response();
        }
        return ApiError::unrecognised(verb.as_str(), op.as_deref()).into_response();
    };
    if action.access == Access::Admin && !caller.as_ref().is_some_and(|c| c.is_admin) {
        return ApiError::admin_only().into_response();
    }
    let data = match verb {
        Verb::Get | Verb::Delete => incoming.query.without("op"),
        Verb::Post | Verb::Put => match &incoming.body {
            Ok(body) => body.without("op"),
            Err(problem) => return ApiError::bad_request(problem.clone()).into_response(),
        },
    };
    let mut call = Call {
        st: &mut st,
        opts: &shared.opts,
        caller,
        resource,
        path_params: matched.params,
        data,
        now,
    };
    match (action.run)(&mut call) {
        Ok(reply) => reply.into_response(),
        Err(err) => err.into_response(),
    }
}

/// `POST /MAAS/accounts/authenticate/` (python-libmaas `login`): trade a username and password
/// for a new API token.
fn authenticate_password(shared: &Shared, incoming: &RequestData) -> Response<Full<Bytes>> {
    let Ok(form) = &incoming.body else {
        return ApiError::bad_request("Malformed request body.").into_response();
    };
    let mut st = lock(&shared.state);
    let username = form.get("username").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    let Some(index) = st
        .users
        .iter()
        .position(|u| u.username == username && u.password.as_deref() == Some(password))
    else {
        return ApiError::forbidden("Invalid username or password.").into_response();
    };
    let mut random = |len| names::token(&mut st.rng, len);
    let key = ApiKey {
        consumer_key: random(18),
        token_key: random(18),
        token_secret: random(32),
    };
    let name = form.get("consumer").unwrap_or("API token").to_string();
    let body = json!({
        "consumer_key": key.consumer_key,
        "token_key": key.token_key,
        "token_secret": key.token_secret,
        "name": name,
    });
    st.users[index].keys.push(key);
    json_response(StatusCode::OK, &body)
}
