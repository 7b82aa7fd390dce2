//! The `tower::Service` that turns HTTP requests into store operations.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::StreamExt;
use futures::future::BoxFuture;
use http::{Request, Response, header};
use http_body::Frame;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};

use crate::FakeApiServer;
use crate::router::{self, Reply, Req};

/// The response body type of [`FakeApiServer`] as a service.
pub type FakeBody = UnsyncBoxBody<Bytes, Infallible>;

fn header_str(req: &Request<kube::client::Body>, name: header::HeaderName) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn to_req(req: Request<kube::client::Body>) -> Result<Req, String> {
    let path = req.uri().path().to_string();
    let query: BTreeMap<String, String> =
        form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let content_type = header_str(&req, header::CONTENT_TYPE);
    let accept = header_str(&req, header::ACCEPT);
    let method = req.method().clone();
    let body = req
        .into_body()
        .collect_bytes()
        .await
        .map_err(|e| e.to_string())?;
    Ok(Req {
        method,
        path,
        query,
        content_type,
        accept,
        body,
    })
}

fn respond(reply: Reply) -> Response<FakeBody> {
    match reply {
        Reply::Json(code, v) => respond(Reply::Warned(code, v, vec![])),
        Reply::Warned(code, v, warnings) => {
            let body =
                Full::new(Bytes::from(serde_json::to_vec(&v).unwrap_or_default())).boxed_unsync();
            let mut r = Response::builder()
                .status(code)
                .header(header::CONTENT_TYPE, "application/json");
            for w in warnings {
                // As an apiserver: `299 - "<text>"`, the text quoted with Go's %q rules.
                let quoted = serde_json::to_string(&w).unwrap_or_default();
                r = r.header(header::WARNING, format!("299 - {quoted}"));
            }
            r.body(body).expect("response")
        }
        Reply::Watch(stream) => {
            let body =
                StreamBody::new(stream.map(|b| Ok::<_, Infallible>(Frame::data(b)))).boxed_unsync();
            Response::builder()
                .status(200)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::TRANSFER_ENCODING, "chunked")
                .body(body)
                .expect("response")
        }
    }
}

impl tower::Service<Request<kube::client::Body>> for FakeApiServer {
    type Response = Response<FakeBody>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<kube::client::Body>) -> Self::Future {
        let state = self.state.clone();
        Box::pin(async move {
            let reply = match to_req(req).await {
                Ok(req) => router::handle(&state, req),
                Err(e) => {
                    crate::status::ApiError::bad_request(format!("reading the request body: {e}"))
                        .into()
                }
            };
            Ok(respond(reply))
        })
    }
}
