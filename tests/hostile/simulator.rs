//! The MAAS simulator with hostile requests on the wire: bad or missing OAuth, oversized and
//! malformed bodies, bad parameters. Each case checks the status, that the body says what is
//! wrong, and that MAAS state (machines, VM hosts) did not change.

use maas_client::ApiKey;
use maas_simulator::{SimHandle, SimOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How a case authenticates.
#[derive(Clone, Copy)]
enum Auth {
    /// A valid PLAINTEXT OAuth header for the admin key.
    Valid,
    /// No header.
    None,
    /// This header value as given.
    Raw(&'static str),
    /// A valid header with the token secret replaced.
    WrongSecret,
    /// A valid header for an unknown consumer.
    UnknownConsumer,
}

/// The body of a case.
#[derive(Clone, Copy)]
enum Body {
    Empty,
    Form(&'static str),
    /// `n` bytes of 'a' with this content type, announced with Content-Length.
    Big(usize),
    /// A body as given, with this content type.
    Typed(&'static str, &'static [u8]),
    /// Chunked, `n` bytes in 64 KiB chunks.
    Chunked(usize),
}

/// (id, method, path and query, auth, body, expected status, what the body must say)
type Case = (
    &'static str,
    &'static str,
    &'static str,
    Auth,
    Body,
    u16,
    &'static [&'static str],
);

const MIB: usize = 1024 * 1024;

const CASES: &[Case] = &[
    (
        "allocate without auth",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::None,
        Body::Empty,
        401,
        &[],
    ),
    (
        "allocate with basic auth",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Raw("Basic YWRtaW46YWRtaW4="),
        Body::Empty,
        401,
        &[],
    ),
    (
        "oauth scheme only",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Raw("OAuth"),
        Body::Empty,
        401,
        &[],
    ),
    (
        "oauth missing params",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Raw("OAuth oauth_consumer_key=\"x\""),
        Body::Empty,
        401,
        &[],
    ),
    (
        "oauth garbage params",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Raw("OAuth ,,,=,=\"\",%%%"),
        Body::Empty,
        401,
        &[],
    ),
    (
        "oauth unknown consumer",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::UnknownConsumer,
        Body::Empty,
        401,
        &["Authorization Error"],
    ),
    (
        "oauth wrong secret",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::WrongSecret,
        Body::Empty,
        401,
        &["Authorization Error"],
    ),
    (
        "oauth bad method",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Raw(
            "OAuth oauth_consumer_key=\"a\", oauth_token=\"b\", oauth_signature=\"%26c\", oauth_signature_method=\"RSA-SHA1\", oauth_timestamp=\"1\", oauth_nonce=\"n\"",
        ),
        Body::Empty,
        401,
        &[],
    ),
    (
        "oauth timestamp word",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Raw(
            "OAuth oauth_consumer_key=\"a\", oauth_token=\"b\", oauth_signature=\"%26c\", oauth_signature_method=\"PLAINTEXT\", oauth_timestamp=\"soon\", oauth_nonce=\"n\"",
        ),
        Body::Empty,
        400,
        &["auth params"],
    ),
    (
        "oauth percent garbage",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Raw(
            "OAuth oauth_consumer_key=\"%zz%\", oauth_token=\"%\", oauth_signature=\"%2\", oauth_signature_method=\"PLAINTEXT\", oauth_timestamp=\"1\", oauth_nonce=\"%%\"",
        ),
        Body::Empty,
        401,
        &[],
    ),
    (
        "oauth huge header",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Raw(
            "OAuth oauth_consumer_key=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
        ),
        Body::Empty,
        401,
        &[],
    ),
    (
        "body over 10 MiB announced",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Big(11 * MIB),
        413,
        &["413"],
    ),
    (
        "body over 10 MiB chunked",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Chunked(11 * MIB),
        413,
        &["413"],
    ),
    (
        "body over 10 MiB unauthenticated",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::None,
        Body::Big(11 * MIB),
        413,
        &["413"],
    ),
    (
        "multipart without boundary",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Typed("multipart/form-data", b"--x\r\n\r\n"),
        400,
        &["boundary"],
    ),
    (
        "form body not utf-8",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Typed(
            "application/x-www-form-urlencoded",
            &[0xff, 0xfe, b'=', 0x80],
        ),
        400,
        &["UTF-8"],
    ),
    (
        "unknown op",
        "POST",
        "/MAAS/api/2.0/machines/?op=explode",
        Auth::Valid,
        Body::Empty,
        400,
        &["explode"],
    ),
    (
        "unknown endpoint",
        "GET",
        "/MAAS/api/2.0/spaceships/",
        Auth::Valid,
        Body::Empty,
        404,
        &["spaceships"],
    ),
    (
        "allocate cpu word",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Form("cpu_count=many"),
        400,
        &["cpu_count"],
    ),
    (
        "allocate memory negative",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Form("mem=-5"),
        400,
        &["mem"],
    ),
    (
        "allocate unknown zone",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Form("zone=nowhere"),
        400,
        &["nowhere"],
    ),
    (
        "allocate unknown tag",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Form("tags=no-such-tag"),
        400,
        &["no-such-tag"],
    ),
    (
        "allocate unknown pool",
        "POST",
        "/MAAS/api/2.0/machines/?op=allocate",
        Auth::Valid,
        Body::Form("pool=no-such-pool"),
        400,
        &["no-such-pool"],
    ),
    (
        "deploy unknown machine",
        "POST",
        "/MAAS/api/2.0/machines/nosuch/?op=deploy",
        Auth::Valid,
        Body::Empty,
        404,
        &["Machine"],
    ),
    (
        "release unknown machine",
        "POST",
        "/MAAS/api/2.0/machines/nosuch/?op=release",
        Auth::Valid,
        Body::Empty,
        404,
        &["Machine"],
    ),
    (
        "delete unknown machine",
        "DELETE",
        "/MAAS/api/2.0/machines/nosuch/",
        Auth::Valid,
        Body::Empty,
        404,
        &["Machine"],
    ),
    (
        "compose unknown host",
        "POST",
        "/MAAS/api/2.0/vm-hosts/9999/?op=compose",
        Auth::Valid,
        Body::Empty,
        404,
        &[],
    ),
    (
        "compose cores word",
        "POST",
        "/MAAS/api/2.0/vm-hosts/1/?op=compose",
        Auth::Valid,
        Body::Form("cores=lots"),
        400,
        &["cores"],
    ),
    (
        "compose memory word",
        "POST",
        "/MAAS/api/2.0/vm-hosts/1/?op=compose",
        Auth::Valid,
        Body::Form("memory=big"),
        400,
        &["memory"],
    ),
    (
        "compose cores huge",
        "POST",
        "/MAAS/api/2.0/vm-hosts/1/?op=compose",
        Auth::Valid,
        Body::Form("cores=100000"),
        400,
        &[],
    ),
    (
        "vm host id word",
        "GET",
        "/MAAS/api/2.0/vm-hosts/abc/",
        Auth::Valid,
        Body::Empty,
        404,
        &[],
    ),
    (
        "path traversal",
        "GET",
        "/MAAS/api/2.0/../../etc/passwd",
        Auth::Valid,
        Body::Empty,
        404,
        &[],
    ),
];

fn header_for(sim: &SimHandle, auth: Auth) -> Option<String> {
    let key = sim.api_key();
    let (ck, rest) = key.split_once(':').unwrap();
    match auth {
        Auth::Valid => Some(ApiKey::parse(&key).unwrap().authorization_header()),
        Auth::None => None,
        Auth::Raw(h) => Some(h.to_string()),
        Auth::WrongSecret => {
            let tk = rest.split_once(':').unwrap().0;
            Some(
                ApiKey::parse(&format!("{ck}:{tk}:WrongSecret0"))
                    .unwrap()
                    .authorization_header(),
            )
        }
        Auth::UnknownConsumer => Some(
            ApiKey::parse("NoSuchConsumer:NoSuchToken:NoSuchSecret")
                .unwrap()
                .authorization_header(),
        ),
    }
}

/// Sends one raw HTTP/1.1 request and returns (status, body text).
async fn send(
    sim: &SimHandle,
    method: &str,
    path: &str,
    auth: Option<String>,
    body: Body,
) -> (u16, String) {
    let mut sock = TcpStream::connect(sim.addr()).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        sim.addr()
    );
    if let Some(a) = auth {
        head.push_str(&format!("Authorization: {a}\r\n"));
    }
    let (content_type, bytes, chunked): (Option<&str>, Vec<u8>, bool) = match body {
        Body::Empty => (None, Vec::new(), false),
        Body::Form(f) => (
            Some("application/x-www-form-urlencoded"),
            f.as_bytes().to_vec(),
            false,
        ),
        Body::Big(n) => (
            Some("application/x-www-form-urlencoded"),
            vec![b'a'; n],
            false,
        ),
        Body::Typed(t, b) => (Some(t), b.to_vec(), false),
        Body::Chunked(n) => (
            Some("application/x-www-form-urlencoded"),
            vec![b'a'; n],
            true,
        ),
    };
    if let Some(t) = content_type {
        head.push_str(&format!("Content-Type: {t}\r\n"));
    }
    if chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
    } else {
        head.push_str(&format!("Content-Length: {}\r\n\r\n", bytes.len()));
    }
    let _ = sock.write_all(head.as_bytes()).await;
    // The server may answer 413 and close before the whole body is written: that is fine.
    if chunked {
        for chunk in bytes.chunks(64 * 1024) {
            if sock
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await
                .is_err()
                || sock.write_all(chunk).await.is_err()
                || sock.write_all(b"\r\n").await.is_err()
            {
                break;
            }
        }
        let _ = sock.write_all(b"0\r\n\r\n").await;
    } else {
        let _ = sock.write_all(&bytes).await;
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        sock.read_to_end(&mut answer),
    )
    .await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn state(sim: &SimHandle) -> String {
    format!("{:?}\n{:?}", sim.machines(), sim.vm_hosts())
}

#[tokio::test]
async fn hostile_simulator_requests() {
    let sim = maas_simulator::testing::start(SimOptions::instant()).await;
    let cases: Vec<&Case> = CASES.iter().filter(|c| super::selected(c.0)).collect();
    let mut failures = Vec::new();
    for (id, method, path, auth, body, status, names) in cases.iter().copied() {
        let before = state(&sim);
        let (got, text) = send(&sim, method, path, header_for(&sim, *auth), *body).await;
        let mut problems = Vec::new();
        if got != *status {
            problems.push(format!("status {got}, expected {status}"));
        }
        for n in *names {
            if !text.contains(n) {
                problems.push(format!("answer does not say {n:?}"));
            }
        }
        if state(&sim) != before {
            problems.push("MAAS state changed".to_string());
        }
        if !problems.is_empty() {
            let shown: String = text.chars().take(600).collect();
            failures.push(format!(
                "[simulator] {id}: {}\nanswer: {shown}",
                problems.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} simulator cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
