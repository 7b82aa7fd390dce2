//! Request bodies above 10 MiB get the 413 of the nginx in front of MAAS, without the
//! simulator holding them in memory; smaller ones are served as before.

mod common;

use common::{Api, oauth_header};
use maas_simulator::SimOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LIMIT: usize = 10 * 1024 * 1024;

#[tokio::test]
async fn bodies_above_10_mib_get_413() {
    let api = Api::start(SimOptions::instant()).await;

    // Declared length over the limit.
    let response = api
        .http
        .post(api.url("zones/"))
        .header("Authorization", oauth_header(&api.admin))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; LIMIT + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/html"
    );
    let page = response.text().await.unwrap();
    assert!(
        page.contains("<title>413 Request Entity Too Large</title>"),
        "{page}"
    );
    let logged = api.sim.requests();
    assert_eq!(logged.last().unwrap().status, Some(413));

    // At the limit the request reaches MAAS (which rejects the nonsense form, but not as 413).
    let response = api
        .http
        .post(api.url("zones/"))
        .header("Authorization", oauth_header(&api.admin))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; LIMIT])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);

    // The server still answers normally afterwards.
    assert_eq!(api.get("zones/").await.status, 200);
}

/// Send raw HTTP/1.1 and return the status line and the rest of the response.
async fn raw_exchange(stream: &mut TcpStream) -> String {
    let mut response = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&response).into_owned()
}

#[tokio::test]
async fn a_chunked_body_is_cut_off_at_the_limit() {
    let api = Api::start(SimOptions::instant()).await;
    let mut stream = TcpStream::connect(api.sim.addr()).await.unwrap();
    let head = format!(
        "POST /MAAS/api/2.0/zones/ HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
        api.sim.addr(),
        oauth_header(&api.admin)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // 40 MiB in 1 MiB chunks: far more than the limit, never buffered by the server.
    let chunk = vec![b'a'; 1024 * 1024];
    for _ in 0..40 {
        let framed = [
            format!("{:x}\r\n", chunk.len()).into_bytes(),
            chunk.clone(),
            b"\r\n".to_vec(),
        ]
        .concat();
        if stream.write_all(&framed).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let response = raw_exchange(&mut stream).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(
        response.to_ascii_lowercase().contains("connection: close"),
        "{response}"
    );
}

#[tokio::test]
async fn expect_continue_is_refused_before_the_body() {
    let api = Api::start(SimOptions::instant()).await;
    let mut stream = TcpStream::connect(api.sim.addr()).await.unwrap();
    // 200 MB announced, nothing sent: the 413 comes at once (as curl sees it).
    let head = format!(
        "POST /MAAS/api/2.0/zones/ HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000000\r\n\
         Expect: 100-continue\r\n\r\n",
        api.sim.addr(),
        oauth_header(&api.admin)
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let response =
        tokio::time::timeout(std::time::Duration::from_secs(3), raw_exchange(&mut stream))
            .await
            .expect("answered without waiting for the body");
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
}
