//! The MAAS client against servers that misbehave on the wire. Each case must fail within the
//! whole-request bound and say what happened (refused, stalled, cut short, not TLS, status),
//! naming the host.

use maas_client::{ApiKey, ClientOptions, MaasClient, MaasEndpoint, MachineFilter, RetryPolicy};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the fake server does after reading the request.
#[derive(Clone, Copy)]
enum Then {
    /// Writes the bytes, then keeps the connection open and silent.
    Hang,
    /// Writes the bytes, then closes.
    Close,
}

#[derive(Clone, Copy)]
enum Call {
    Version,
    Machines,
}

/// (id, scheme, raw answer, then, call, what the error must name)
type Case = (
    &'static str,
    &'static str,
    &'static [u8],
    Then,
    Call,
    &'static [&'static str],
);

const CASES: &[Case] = &[
    ("body never finishes", "http", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":", Then::Hang, Call::Version, &["answered", "HTTP 200", "did not finish", "1.0 s"]),
    ("body shorter than content-length", "http", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\": 1}", Then::Close, Call::Version, &["answered", "HTTP 200", "closed before the whole body"]),
    ("chunked body cut", "http", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n", Then::Close, Call::Version, &["answered", "closed before the whole body"]),
    ("no answer at all", "http", b"", Then::Hang, Call::Version, &["unreachable", "timed out", "1.0 s"]),
    ("closed without answer", "http", b"", Then::Close, Call::Version, &["unreachable", "closed"]),
    ("https endpoint speaks http", "https", b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", Then::Close, Call::Version, &["plain HTTP", "http://"]),
    ("garbage instead of http", "http", b"SSH-2.0-OpenSSH_9.6\r\n", Then::Close, Call::Version, &["unreachable"]),
    ("500 html", "http", b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<h1>oops</h1>", Then::Close, Call::Version, &["500"]),
    ("401", "http", b"HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n\r\nAuthorization Error: nope", Then::Close, Call::Version, &["API key"]),
    ("not json", "http", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 14\r\n\r\n<html></html>\n", Then::Close, Call::Version, &["version"]),
    ("machines not a list", "http", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"a\": 1}", Then::Close, Call::Machines, &["machines"]),
    ("machines wrong field type", "http", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 36\r\n\r\n[{\"system_id\": 5, \"hostname\": true}]", Then::Close, Call::Machines, &["system_id"]),
    ("redirect", "http", b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://maas.example/MAAS/\r\nContent-Length: 0\r\n\r\n", Then::Close, Call::Version, &["redirects", "https://maas.example/MAAS/"]),
    ("503", "http", b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy", Then::Close, Call::Version, &["503"]),
    ("truncated json", "http", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"a\":", Then::Close, Call::Version, &["version"]),
];

async fn serve(answer: &'static [u8], then: Then) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = sock.write_all(answer).await;
                let _ = sock.flush().await;
                match then {
                    Then::Hang => tokio::time::sleep(Duration::from_secs(30)).await,
                    Then::Close => drop(sock),
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn hostile_maas_answers() {
    hosted_cluster_cli::install_crypto_provider();
    let mut failures = Vec::new();
    let cases: Vec<&Case> = CASES.iter().filter(|c| super::selected(c.0)).collect();
    for (id, scheme, answer, then, call, names) in cases.iter().copied() {
        let port = serve(answer, *then).await;
        let options = ClientOptions {
            timeout: Duration::from_secs(1),
            connect_timeout: Duration::from_secs(1),
            retry: RetryPolicy {
                max_attempts: 1,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(10),
            },
        };
        let client = MaasClient::new(
            MaasEndpoint::parse(&format!("{scheme}://127.0.0.1:{port}/MAAS")).unwrap(),
            ApiKey::parse("ck:tk:ts").unwrap(),
            options,
        )
        .unwrap();
        let started = Instant::now();
        let result = match call {
            Call::Version => client.version().await.map(drop),
            Call::Machines => client.machines(&MachineFilter::default()).await.map(drop),
        };
        let took = started.elapsed();
        let mut problems = Vec::new();
        let message = match result {
            Ok(()) => {
                problems.push("succeeded".to_string());
                String::new()
            }
            Err(e) => e.to_string(),
        };
        if took > Duration::from_secs(3) {
            problems.push(format!("took {took:?}, over the 1 s bound (plus slack)"));
        }
        for n in *names {
            if !message.contains(n) {
                problems.push(format!("message does not name {n:?}"));
            }
        }
        if message.contains("ts\"") || message.contains(":ts") {
            problems.push("message leaked the token secret".into());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "[client] {id}: {}\nmessage: {message}",
                problems.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} client cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
