//! The client against a scripted server on 127.0.0.1: retries, timeouts,
//! unreachable hosts and error mapping as they happen on the wire.

mod support;

use std::time::{Duration, Instant};

use maas_client::{
    AllocateConstraints, ApiKey, ClientOptions, ComposeRequest, MaasClient, MaasEndpoint,
    MaasError, MachineFilter, RetryPolicy, TransportFailure,
};
use support::{Behaviour, KEY, Reply, SECRET, TestServer, fast_options, fixture};

fn nonce(header: &str) -> String {
    let start = header.find("oauth_nonce=\"").unwrap() + "oauth_nonce=\"".len();
    header[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn retries_503_with_retry_after_then_succeeds() {
    let server = TestServer::start(|_, n| {
        Behaviour::Reply(if n == 0 {
            Reply::text(503, "Unable to connect to any rack controller").header("Retry-After", "1")
        } else {
            Reply::json(fixture("version.json"))
        })
    })
    .await;
    let client = server.client(fast_options());
    let started = Instant::now();
    let version = client.version().await.unwrap();
    assert_eq!(version.version, "2.5.0 from source");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "one failure, one retry");
    // Retry-After: 1 was honoured (a lower bound, so not flaky).
    assert!(started.elapsed() >= Duration::from_millis(900));
    // Each attempt is signed afresh.
    let auth: Vec<&str> = requests
        .iter()
        .map(|r| r.header("Authorization").unwrap())
        .collect();
    assert_ne!(nonce(auth[0]), nonce(auth[1]));
}

#[tokio::test]
async fn gives_up_after_max_attempts_with_the_last_error() {
    let server =
        TestServer::start(|_, _| Behaviour::Reply(Reply::text(503, "region is restarting"))).await;
    let client = server.client(fast_options());
    let err = client.zones().await.unwrap_err();
    assert!(
        matches!(err, MaasError::Unavailable { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        err.to_string(),
        "list zones: MAAS is temporarily unavailable (HTTP 503): region is restarting"
    );
}

#[tokio::test]
async fn unauthorized_is_not_retried_and_never_shows_the_key() {
    // MAAS echoes the expected signature, i.e. the token secret.
    let server = TestServer::start(|_, _| {
        Behaviour::Reply(
            Reply::text(
                401,
                format!(
                    "Authorization Error: 'Invalid signature. Expected signature base string: &{SECRET}'"
                ),
            )
            .header("WWW-Authenticate", "OAuth realm=\"OAuth\""),
        )
    })
    .await;
    let client = server.client(fast_options());
    let err = client.whoami().await.unwrap_err();
    assert!(matches!(err, MaasError::BadApiKey { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 1);
    let text = err.to_string();
    assert!(text.contains("bad API key: Authorization Error"), "{text}");
    assert!(text.contains("token secret"), "{text}");
    assert!(
        !text.contains(SECRET) && !format!("{err:?}").contains(SECRET),
        "{text}"
    );
    assert!(!format!("{client:?}").contains(SECRET));
}

#[tokio::test]
async fn gone_vm_hosts_map_to_vm_hosts_unsupported() {
    let server = TestServer::start(|_, _| {
        Behaviour::Reply(Reply::text(
            410,
            "VM host (KVM) support has been removed from MAAS.",
        ))
    })
    .await;
    let client = server.client(fast_options());
    let err = client.vm_hosts().await.unwrap_err();
    assert!(
        matches!(err, MaasError::VmHostsUnsupported { status: 410, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("list vm-hosts: VM hosts unsupported by this MAAS"),
        "{err}"
    );
    let err = client
        .compose(3, &ComposeRequest::new(2, 2048))
        .await
        .unwrap_err();
    assert!(
        matches!(err, MaasError::VmHostsUnsupported { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("compose on vm-host 3: "),
        "{err}"
    );
    assert_eq!(server.requests().len(), 2, "410 is not retried");
}

#[tokio::test]
async fn closed_port_fails_fast_with_an_unreachable_message() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let options = ClientOptions {
        // Were refusals retried, these delays would add up to over 6 s.
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(4),
        },
        ..ClientOptions::default()
    };
    let client = MaasClient::new(
        MaasEndpoint::parse(&format!("http://127.0.0.1:{port}/MAAS")).unwrap(),
        ApiKey::parse(KEY).unwrap(),
        options,
    )
    .unwrap();
    let started = Instant::now();
    let err = client.version().await.unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(
            err,
            MaasError::Unreachable {
                failure: TransportFailure::Refused,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "MAAS at 127.0.0.1:{port} is unreachable: connection refused"
        )),
        "{text}"
    );
}

#[tokio::test]
async fn hanging_request_hits_the_timeout_and_get_is_retried() {
    let server = TestServer::start(|_, _| Behaviour::Hang).await;
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        },
        ..ClientOptions::default()
    };
    let client = server.client(options);
    let started = Instant::now();
    let err = client.machine("abc123").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(
        matches!(
            err,
            MaasError::Unreachable {
                failure: TransportFailure::Timeout {
                    connecting: false,
                    ..
                },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable() && err.outcome_unknown());
    assert_eq!(server.requests().len(), 2, "GET is safe to repeat");
    let text = err.to_string();
    assert!(
        text.starts_with("get machine abc123: MAAS at 127.0.0.1:"),
        "{text}"
    );
    assert!(
        text.contains("is unreachable: timed out: no answer within 0.3 s"),
        "{text}"
    );
}

#[tokio::test]
async fn hanging_compose_is_not_repeated() {
    let server = TestServer::start(|_, _| Behaviour::Hang).await;
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        ..fast_options()
    };
    let client = server.client(options);
    let err = client
        .compose(8, &ComposeRequest::new(2, 2048))
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert_eq!(
        server.requests().len(),
        1,
        "a POST whose answer was lost must not be sent twice"
    );
}

#[tokio::test]
async fn db_conflict_with_retry_after_is_retried_even_for_post() {
    let server = TestServer::start(|_, n| {
        Behaviour::Reply(if n == 0 {
            Reply::text(409, "(rendered 409.html template)").header("Retry-After", "0")
        } else {
            Reply::json(fixture("machine_allocate.json"))
        })
    })
    .await;
    let client = server.client(fast_options());
    let machine = client
        .allocate(&AllocateConstraints::default())
        .await
        .unwrap();
    assert_eq!(machine.system_id, "thr3am");
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn no_machine_matches_is_typed_and_final() {
    let server = TestServer::start(|_, _| {
        Behaviour::Reply(Reply::text(
            409,
            "No available machine matches constraints: [('cpu_count', ['64'])] (resolved to \"cpu_count=64.0\")",
        ))
    })
    .await;
    let client = server.client(fast_options());
    let err = client
        .allocate(&AllocateConstraints {
            cpu_count: Some(64),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, MaasError::NoMachineMatches { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 1);
    assert!(
        err.to_string()
            .starts_with("allocate a machine: no machine matches: No available machine"),
        "{err}"
    );
}

#[tokio::test]
async fn field_errors_from_compose_are_parsed() {
    let server = TestServer::start(|_, _| {
        Behaviour::Reply(Reply {
            status: 400,
            headers: vec![(
                "Content-Type".into(),
                "application/json; charset=utf-8".into(),
            )],
            body: r#"{"cores": ["Ensure this value is less than or equal to 8."]}"#.into(),
        })
    })
    .await;
    let client = server.client(fast_options());
    let err = client
        .compose(3, &ComposeRequest::new(64, 2048))
        .await
        .unwrap_err();
    let MaasError::BadRequest { field_errors, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        field_errors.get("cores"),
        Some(&["Ensure this value is less than or equal to 8.".to_string()][..])
    );
    assert_eq!(
        err.to_string(),
        "compose on vm-host 3: MAAS rejected the request: cores: Ensure this value is less than or equal to 8."
    );
}

#[tokio::test]
async fn delete_vm_host_accepts_204() {
    let server = TestServer::start(|_, _| Behaviour::Reply(Reply::text(204, ""))).await;
    let client = server.client(fast_options());
    client.delete_vm_host(3, true).await.unwrap();
    client.delete_machine("abc123").await.unwrap();
}

#[tokio::test]
async fn delete_whose_answer_was_lost_treats_404_as_done() {
    let server = TestServer::start(|_, n| {
        if n == 0 {
            Behaviour::Hang
        } else {
            Behaviour::Reply(Reply::text(404, "No Machine matches the given query."))
        }
    })
    .await;
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        ..fast_options()
    };
    let client = server.client(options);
    client.delete_machine("abc123").await.unwrap();
    assert_eq!(server.requests().len(), 2);

    // Without a lost answer a 404 stays an error.
    let server = TestServer::start(|_, _| {
        Behaviour::Reply(Reply::text(404, "No Machine matches the given query."))
    })
    .await;
    let err = server
        .client(fast_options())
        .delete_machine("abc123")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "delete machine abc123: no such machine abc123: No Machine matches the given query."
    );
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let server = TestServer::start(|_, _| {
        Behaviour::Reply(
            Reply::text(301, "")
                .header("Location", "https://maas.example:5443/MAAS/api/2.0/zones/"),
        )
    })
    .await;
    let err = server.client(fast_options()).zones().await.unwrap_err();
    assert!(
        matches!(err, MaasError::Http { status: 301, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("https://maas.example:5443/MAAS/api/2.0/zones/")
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn html_instead_of_json_is_a_decode_error_naming_the_call() {
    let server = TestServer::start(|_, _| {
        Behaviour::Reply(Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: "<html>Please log in</html>".into(),
        })
    })
    .await;
    let err = server
        .client(fast_options())
        .machines(&MachineFilter::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MaasError::Decode { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("list machines: cannot decode MAAS's answer"),
        "{text}"
    );
    assert!(
        text.contains("text/html") && !text.contains("log in"),
        "{text}"
    );
}

#[tokio::test]
async fn invalid_requests_are_refused_before_sending() {
    let server = TestServer::start(|_, _| Behaviour::Reply(Reply::json("{}"))).await;
    let client = server.client(fast_options());
    let err = client.machine(" ").await.unwrap_err();
    assert!(matches!(err, MaasError::InvalidRequest { .. }), "{err:?}");
    assert!(err.to_string().contains("system_id is empty"), "{err}");
    let err = client
        .compose(1, &ComposeRequest::new(0, 1024))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("compose on vm-host 1: invalid request: cores"),
        "{err}"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn zero_timeouts_are_refused() {
    let err = MaasClient::new(
        MaasEndpoint::parse("http://127.0.0.1:1/MAAS").unwrap(),
        ApiKey::parse(KEY).unwrap(),
        ClientOptions {
            timeout: Duration::ZERO,
            ..ClientOptions::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, MaasError::ClientSetup { .. }), "{err:?}");
}

#[test]
fn https_endpoints_build_with_the_platform_verifier() {
    // Building must work without any process-wide rustls provider.
    MaasClient::new(
        MaasEndpoint::parse("https://maas.example/MAAS").unwrap(),
        ApiKey::parse(KEY).unwrap(),
        ClientOptions::default(),
    )
    .unwrap();
}
