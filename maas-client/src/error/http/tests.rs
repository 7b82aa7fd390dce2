//! Every case of the MAAS error table (shared/fixtures/maas/error_responses.json)
//! mapped through the same path real answers take: redaction, then mapping.

use std::time::Duration;

use serde_json::Value;

use super::*;
use crate::ApiKey;

const TABLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/maas/error_responses.json"
);

const CONSUMER: &str = "CnsmrKeyAbCdEfGhIj";
const TOKEN: &str = "TknKeyKlMnOpQrStUv";
const SECRET: &str = "ScrtWxYz0123456789ScrtWxYz012345";

fn key() -> ApiKey {
    ApiKey::parse(&format!("{CONSUMER}:{TOKEN}:{SECRET}")).unwrap()
}

/// The operation a case is realistically answered to.
fn operation_for(case: &str) -> Operation {
    let c = case.to_ascii_lowercase();
    if c.contains("vm host endpoints") || c.contains("vm-host/pod") || c.contains("pod problem") {
        Operation::on("get", ObjectKind::VmHost, 99)
    } else if c.contains("admin-only") || c.contains("podproblem") || c.contains("field errors") {
        Operation::on("compose on", ObjectKind::VmHost, 3)
    } else if c.contains("unknown machine") || c.contains("wrong state") {
        Operation::on("deploy", ObjectKind::Machine, "abc123")
    } else if c.contains("zone") {
        Operation::on("get", ObjectKind::Zone, "nowhere")
    } else if c.contains("resource pool") {
        Operation::on("get", ObjectKind::ResourcePool, 42)
    } else if c.contains("allocate") || c.contains("serialization") {
        Operation::collection("allocate a machine", ObjectKind::Machine)
    } else if c.contains("permission") {
        Operation::on("get", ObjectKind::Machine, "abc123")
    } else {
        Operation::collection("who am I", ObjectKind::User)
    }
}

/// Fills the `<...>` templates the way MAAS would, with this key's parts,
/// so the test proves they are redacted.
fn realise(body: &str) -> String {
    body.replace("<token_key>", TOKEN)
        .replace("<token_secret>", SECRET)
        .replace("<ts>", "1700000000")
        .replace("<now>", "1700000400")
        .replace("<nonce>", "1234")
        .replace("<METHOD>", "POST")
        .replace("<op>", "frobnicate")
        .replace("<system_id>", "abc123")
        .replace(
            "<error message>",
            "Unable to connect to any rack controller",
        )
}

fn bodies(case: &Value) -> Vec<String> {
    if let Some(examples) = case.get("body_examples").and_then(Value::as_array) {
        examples
            .iter()
            .map(|e| match e {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    } else {
        vec![case["body"].as_str().unwrap_or_default().to_string()]
    }
}

fn header(case: &Value, name: &str) -> Option<String> {
    case.get("headers")?
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str().map(str::to_string))
}

#[derive(Debug)]
struct Mapped {
    error: MaasError,
    text: String,
}

fn map(case: &Value, body: &str) -> Mapped {
    let redacted = key().redact(body);
    let failure = HttpFailure {
        status: case["status"].as_u64().unwrap() as u16,
        retry_after: parse_retry_after(header(case, "Retry-After").as_deref()),
        body: &redacted,
    };
    let error = failure.into_error(operation_for(case["case"].as_str().unwrap()));
    let text = error.to_string();
    for secret in [CONSUMER, TOKEN, SECRET] {
        assert!(!text.contains(secret), "key part leaked: {text}");
        assert!(
            !format!("{error:?}").contains(secret),
            "key part leaked: {error:?}"
        );
    }
    Mapped { error, text }
}

fn check(case_name: &str, m: &Mapped) {
    let e = &m.error;
    let t = &m.text;
    let contains = |s: &str| assert!(t.contains(s), "{case_name}: {t:?} lacks {s:?}");
    match case_name {
        "bad consumer key (unknown API key)" => {
            assert!(matches!(e, MaasError::BadApiKey { .. }), "{e:?}");
            contains("bad API key: Authorization Error: Invalid API key.");
            contains("consumer key");
        }
        "unknown token key" => {
            assert!(matches!(e, MaasError::BadApiKey { .. }), "{e:?}");
            contains("Invalid access token: <redacted>");
            contains("revoked");
        }
        "wrong token secret (PLAINTEXT signature mismatch)" => {
            assert!(matches!(e, MaasError::BadApiKey { .. }), "{e:?}");
            contains("Invalid signature");
            contains("token secret");
        }
        "oauth_timestamp older than 300 s" => {
            assert!(matches!(e, MaasError::BadApiKey { .. }), "{e:?}");
            contains("Expired timestamp");
            contains("clock");
        }
        "nonce reused for same consumer+token" => {
            assert!(matches!(e, MaasError::BadApiKey { .. }), "{e:?}");
            contains("Nonce already used");
        }
        "oauth_timestamp not an integer" => {
            assert!(matches!(e, MaasError::BadRequest { .. }), "{e:?}");
            contains("rejected the request: Bad Request: the following problems");
            assert!(!t.ends_with('\''), "repr quotes kept: {t}");
        }
        "no Authorization header on a restricted endpoint" => {
            assert!(matches!(e, MaasError::BadApiKey { .. }), "{e:?}");
            contains("bad API key: Forbidden");
        }
        c if c.starts_with("authenticated non-admin calls admin-only op") => {
            assert!(
                matches!(
                    e,
                    MaasError::Forbidden {
                        admin_only: true,
                        ..
                    }
                ),
                "{e:?}"
            );
            contains("compose on vm-host 3: forbidden: This method is reserved for admin users.");
            contains("administrator");
        }
        c if c.starts_with("object exists but user lacks permission") => {
            assert!(
                matches!(
                    e,
                    MaasError::Forbidden {
                        admin_only: false,
                        ..
                    }
                ),
                "{e:?}"
            );
            contains("get machine abc123: forbidden");
            contains("may not access");
        }
        "unknown machine system_id" => {
            assert!(
                matches!(
                    e,
                    MaasError::NotFound {
                        object: ObjectKind::Machine,
                        ..
                    }
                ),
                "{e:?}"
            );
            contains("no such machine abc123: No Machine matches the given query.");
        }
        "unknown vm-host/pod id" => {
            assert!(
                matches!(
                    e,
                    MaasError::NotFound {
                        object: ObjectKind::VmHost,
                        ..
                    }
                ),
                "{e:?}"
            );
            contains("no such vm-host 99");
        }
        "unknown zone name" => {
            assert!(
                matches!(
                    e,
                    MaasError::NotFound {
                        object: ObjectKind::Zone,
                        ..
                    }
                ),
                "{e:?}"
            );
            contains("no such zone nowhere");
        }
        "unknown resource pool id" => {
            assert!(
                matches!(
                    e,
                    MaasError::NotFound {
                        object: ObjectKind::ResourcePool,
                        ..
                    }
                ),
                "{e:?}"
            );
            contains("no such resource pool 42");
        }
        "unknown op / wrong HTTP method for op" => {
            assert!(matches!(e, MaasError::BadRequest { .. }), "{e:?}");
            contains("Unrecognised signature: method=POST op=frobnicate");
            contains("does not offer that operation");
        }
        c if c.starts_with("form validation error with field errors") => {
            let MaasError::BadRequest { field_errors, .. } = e else {
                panic!("{e:?}")
            };
            assert_eq!(field_errors.0.len(), 1, "{field_errors:?}");
            let (field, msgs) = field_errors.0.iter().next().unwrap();
            contains(&format!("{field}: {}", msgs[0]));
            contains("compose on vm-host 3: MAAS rejected the request");
        }
        "validation error with a single non-field message" => {
            let MaasError::BadRequest { field_errors, .. } = e else {
                panic!("{e:?}")
            };
            assert!(field_errors.is_empty());
            contains("rejected the request: VM host does not support composability.");
        }
        "allocate: no machine matches" => {
            assert!(matches!(e, MaasError::NoMachineMatches { .. }), "{e:?}");
            contains("allocate a machine: no machine matches: No");
        }
        "deploy/release in wrong state" => {
            assert!(
                matches!(
                    e,
                    MaasError::Conflict {
                        retry_after: None,
                        ..
                    }
                ),
                "{e:?}"
            );
            contains("deploy machine abc123: conflict:");
        }
        "request lost a DB serialization conflict after all retries" => {
            assert!(
                matches!(e, MaasError::Conflict { retry_after: Some(d), .. } if *d == Duration::from_secs(5)),
                "{e:?}"
            );
            contains("retry after 5 s");
        }
        c if c.starts_with("rack/region RPC unavailable") => {
            assert!(
                matches!(e, MaasError::Unavailable { status: 503, retry_after: Some(d), .. } if *d == Duration::from_secs(10)),
                "{e:?}"
            );
            contains(
                "temporarily unavailable (HTTP 503): Unable to connect to any rack controller",
            );
        }
        "VM host unreachable / LXD auth failure (PodProblem)" => {
            assert!(
                matches!(
                    e,
                    MaasError::Unavailable {
                        status: 503,
                        retry_after: None,
                        ..
                    }
                ),
                "{e:?}"
            );
            contains("Failed talking to VM host: Failed to authenticate to the VM host.");
        }
        "RPC timeout" => {
            assert!(
                matches!(e, MaasError::Unavailable { status: 504, .. }),
                "{e:?}"
            );
            assert!(e.outcome_unknown());
        }
        c if c.starts_with("VM host endpoints on MAAS main") => {
            assert!(
                matches!(e, MaasError::VmHostsUnsupported { status: 410, .. }),
                "{e:?}"
            );
            contains("VM hosts unsupported by this MAAS");
            contains("support has been removed");
        }
        other => panic!("error_responses.json has a case this test does not know: {other:?}"),
    }
}

fn expected_retryable(case_name: &str) -> bool {
    case_name.starts_with("request lost a DB serialization")
        || case_name.starts_with("rack/region RPC unavailable")
        || case_name.starts_with("VM host unreachable")
        || case_name == "RPC timeout"
}

#[test]
fn every_error_table_case_maps_to_a_helpful_typed_error() {
    let table: Value = serde_json::from_str(&std::fs::read_to_string(TABLE).unwrap()).unwrap();
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 20, "table shrank: {}", cases.len());
    let mut mapped = 0;
    for case in cases {
        let name = case["case"].as_str().unwrap();
        let status = case["status"].as_u64().unwrap();
        if (200..300).contains(&status) {
            // Success is decided by the transport (see tests/http.rs,
            // delete_vm_host_accepts_204); nothing to map here.
            continue;
        }
        for body in bodies(case) {
            let m = map(case, &realise(&body));
            check(name, &m);
            assert_eq!(
                m.error.is_retryable(),
                expected_retryable(name),
                "{name}: retryable? {:?}",
                m.error
            );
            assert_eq!(m.error.status(), Some(status as u16), "{name}");
            mapped += 1;
        }
    }
    assert!(mapped >= 28, "only {mapped} bodies mapped");
}

#[test]
fn vm_hosts_collection_404_means_unsupported() {
    let e = HttpFailure {
        status: 404,
        retry_after: None,
        body: "<html><body><h1>Not Found</h1></body></html>",
    }
    .into_error(Operation::collection("list vm-hosts", ObjectKind::VmHost));
    assert!(
        matches!(e, MaasError::VmHostsUnsupported { status: 404, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("Not Found"), "{e}");
}

#[test]
fn long_html_bodies_are_reduced_to_a_line() {
    let body = format!("<html><body><p>{}</p></body></html>", "x ".repeat(1000));
    let s = summarise(&body);
    assert!(s.chars().count() <= MAX_MESSAGE_CHARS + 1);
    assert!(s.ends_with('…') && !s.contains('<'));
    assert_eq!(summarise("  \n "), "(no message)");
    assert_eq!(summarise("'quoted'"), "quoted");
}

#[test]
fn retry_after_accepts_seconds_only() {
    assert_eq!(parse_retry_after(Some(" 5 ")), Some(Duration::from_secs(5)));
    assert_eq!(
        parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")),
        None
    );
    assert_eq!(parse_retry_after(None), None);
}

#[test]
fn generic_statuses_keep_status_and_message() {
    let e = HttpFailure {
        status: 500,
        retry_after: None,
        body: "boom",
    }
    .into_error(Operation::on("get", ObjectKind::Machine, "x"));
    assert!(matches!(e, MaasError::Http { status: 500, .. }));
    assert!(!e.is_retryable());
    assert_eq!(e.to_string(), "get machine x: MAAS answered HTTP 500: boom");
    let e = HttpFailure {
        status: 410,
        retry_after: None,
        body: "gone",
    }
    .into_error(Operation::on("get", ObjectKind::Machine, "x"));
    assert!(matches!(e, MaasError::Http { status: 410, .. }));
    for (status, unknown) in [(502, true), (503, false), (504, true), (429, false)] {
        let e = HttpFailure {
            status,
            retry_after: None,
            body: "busy",
        }
        .into_error(Operation::on("compose on", ObjectKind::VmHost, 1));
        assert!(matches!(e, MaasError::Unavailable { .. }), "{e:?}");
        assert!(e.is_retryable());
        assert_eq!(e.outcome_unknown(), unknown, "{status}");
    }
}
