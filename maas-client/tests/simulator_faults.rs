//! Acceptance checks of the client against the simulator's own fault injection and error
//! answers (tests/http.rs covers the same mappings against a scripted stub; these run the
//! real MAAS texts and state): 503 + Retry-After is retried, 401 is final and never shows the
//! key, 410 on vm-hosts is "VM hosts unsupported", and an oversized compose is a typed error
//! that leaks nothing.

use std::time::{Duration, Instant};

use maas_client::placement::PlacementError;
use maas_client::{
    AllocateConstraints, ApiKey, ClientOptions, ComposeRequest, MaasClient, MaasEndpoint,
    MaasError, MachineFilter, PlacementStrategy, RetryPolicy, StorageSpec, VmHostQuery,
    choose_vm_host,
};
use maas_simulator::{SimHandle, SimOptions, VmHostSnapshot};

use maas_simulator::testing::start;

fn options(max_attempts: u32) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(10),
            // Above the Retry-After: 1 the tests use, so it is honoured, not capped.
            max_delay: Duration::from_secs(2),
        },
        ..ClientOptions::default()
    }
}

fn client(sim: &SimHandle, key: &str, max_attempts: u32) -> MaasClient {
    MaasClient::new(
        MaasEndpoint::parse(&sim.base_url()).unwrap(),
        ApiKey::parse(key).unwrap(),
        options(max_attempts),
    )
    .unwrap()
}

fn statuses(sim: &SimHandle) -> Vec<Option<u16>> {
    sim.requests().iter().map(|r| r.status).collect()
}

// ---------------------------------------------------------------------------------------
// (a) 503 + Retry-After

#[tokio::test]
async fn unavailable_with_retry_after_is_retried_and_succeeds() {
    let sim = start(SimOptions::instant()).await;
    let client = client(&sim, &sim.api_key(), 4);
    sim.faults().fail_next("GET version/", 1, 1).unwrap();
    let started = Instant::now();
    let version = client.version().await.unwrap();
    assert_eq!(version.version, "3.7.3");
    // The simulator's Retry-After: 1 was honoured (a lower bound, so not flaky).
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(sim.faults().injected(), 1);
    assert_eq!(statuses(&sim), [Some(503), Some(200)], "one 503, one retry");
}

#[tokio::test]
async fn unavailable_allocate_is_retried_and_allocates_exactly_once() {
    // A 503 means MAAS did not act, so even a POST is safe to send again.
    let sim = start(SimOptions::instant()).await;
    let client = client(&sim, &sim.api_key(), 4);
    sim.faults()
        .fail_next("POST machines/?op=allocate", 2, 0)
        .unwrap();
    let owned_before = sim.machines().iter().filter(|m| m.owner.is_some()).count();
    let machine = client
        .allocate(&AllocateConstraints {
            name: Some("node-04".into()),
            ..AllocateConstraints::default()
        })
        .await
        .unwrap();
    assert_eq!(machine.hostname, "node-04");
    assert_eq!(machine.status_name, "Allocated");
    assert_eq!(sim.faults().injected(), 2);
    assert_eq!(
        statuses(&sim),
        [Some(503), Some(503), Some(200)],
        "three attempts seen by the simulator"
    );
    let owned_after = sim.machines().iter().filter(|m| m.owner.is_some()).count();
    assert_eq!(owned_after, owned_before + 1, "allocated once");
}

#[tokio::test]
async fn unavailable_beyond_max_attempts_reports_the_last_503() {
    let sim = start(SimOptions::instant()).await;
    let client = client(&sim, &sim.api_key(), 3);
    sim.faults().fail_next("GET zones/", 10, 0).unwrap();
    let err = client.zones().await.unwrap_err();
    assert!(
        matches!(err, MaasError::Unavailable { status: 503, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert_eq!(err.retry_after(), Some(Duration::ZERO));
    assert!(
        err.to_string().starts_with(
            "list zones: MAAS is temporarily unavailable (HTTP 503): Unable to get RPC connection"
        ),
        "{err}"
    );
    assert_eq!(statuses(&sim), [Some(503); 3], "max_attempts requests");
    assert_eq!(sim.faults().injected(), 3);
}

// ---------------------------------------------------------------------------------------
// (b) 401

/// Every part of `key`, which must appear in neither Display nor Debug of `err`.
fn assert_no_key_text(err: &MaasError, key: &str) {
    let shown = [err.to_string(), format!("{err:?}"), format!("{err:#?}")];
    for part in key.split(':') {
        for text in &shown {
            assert!(!text.contains(part), "key part {part:?} leaked in {text}");
        }
    }
}

#[tokio::test]
async fn unknown_consumer_key_is_a_bad_api_key_and_not_retried() {
    let sim = start(SimOptions::instant()).await;
    let wrong = "WrongConsumerKey01:WrongTokenKey00001:WrongTokenSecretWrongTokenSecret";
    let client = client(&sim, wrong, 4);
    let err = client.whoami().await.unwrap_err();
    assert!(matches!(err, MaasError::BadApiKey { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(err.status(), Some(401));
    assert_eq!(statuses(&sim), [Some(401)], "401 is not retried");
    let text = err.to_string();
    assert!(
        text.starts_with(
            "look up the API key's user: bad API key: Authorization Error: Invalid API key."
        ),
        "{text}"
    );
    assert!(text.contains("does not know this consumer key"), "{text}");
    assert_no_key_text(&err, wrong);
    assert!(!format!("{client:?}").contains("WrongTokenSecret"));
}

#[tokio::test]
async fn unknown_token_is_a_bad_api_key_and_the_echoed_token_is_redacted() {
    let sim = start(SimOptions::instant()).await;
    let real = sim.api_key();
    let consumer = real.split(':').next().unwrap();
    // MAAS quotes the token key it did not find: "Invalid access token: <token>".
    let wrong = format!("{consumer}:UnknownTokenKey000:UnknownSecretUnknownSecretUnknow");
    let client = client(&sim, &wrong, 4);
    let err = client
        .machines(&MachineFilter::default())
        .await
        .unwrap_err();
    assert!(matches!(err, MaasError::BadApiKey { .. }), "{err:?}");
    assert_eq!(statuses(&sim), [Some(401)], "401 is not retried");
    let text = err.to_string();
    assert!(text.contains("Invalid access token: <redacted>"), "{text}");
    assert!(text.contains("may have been revoked"), "{text}");
    assert_no_key_text(&err, &wrong);
}

#[tokio::test]
async fn wrong_signature_is_a_bad_api_key_without_our_key_in_the_message() {
    let sim = start(SimOptions::instant()).await;
    let real = sim.api_key();
    let mut parts: Vec<&str> = real.split(':').collect();
    parts[2] = "WrongSecretWrongSecretWrongSecre";
    let wrong = parts.join(":");
    let client = client(&sim, &wrong, 4);
    let err = client.version().await.unwrap_err();
    assert!(matches!(err, MaasError::BadApiKey { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(statuses(&sim), [Some(401)], "401 is not retried");
    let text = err.to_string();
    assert!(text.contains("Invalid signature"), "{text}");
    assert!(
        text.contains("the token secret (third part of the key) is wrong"),
        "{text}"
    );
    assert_no_key_text(&err, &wrong);
}

/// MAAS (piston's PLAINTEXT check) answers a wrong signature with
/// "Invalid signature. Expected signature base string: &<the real token secret>", and the
/// simulator does the same. The client redacts only the parts of the key it holds, so the
/// *correct* secret of that token would reach the error text; the client cuts whatever follows
/// "Expected signature base string:".
#[tokio::test]
async fn wrong_signature_does_not_reveal_the_real_secret() {
    let sim = start(SimOptions::instant()).await;
    let real = sim.api_key();
    let mut parts: Vec<&str> = real.split(':').collect();
    let real_secret = parts[2].to_string();
    parts[2] = "WrongSecretWrongSecretWrongSecre";
    let client = client(&sim, &parts.join(":"), 1);
    let err = client.version().await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains(&real_secret), "real secret leaked: {text}");
}

// ---------------------------------------------------------------------------------------
// (c) 410 on vm-hosts

#[tokio::test]
async fn gone_vm_hosts_are_reported_as_unsupported_and_not_retried() {
    let sim = start(SimOptions {
        vm_hosts_removed: true,
        ..SimOptions::instant()
    })
    .await;
    let client = client(&sim, &sim.api_key(), 4);

    let list = client.vm_hosts().await.unwrap_err();
    let one = client.vm_host(1).await.unwrap_err();
    let compose = client
        .compose(1, &ComposeRequest::new(2, 2048))
        .await
        .unwrap_err();
    let params = client.vm_host_parameters(1).await.unwrap_err();
    let query = client
        .query_vm_hosts(&VmHostQuery::default())
        .await
        .unwrap_err();
    for (call, err) in [
        ("list vm-hosts", &list),
        ("get vm-host 1", &one),
        ("compose on vm-host 1", &compose),
        ("read parameters of vm-host 1", &params),
        ("list vm-hosts", &query),
    ] {
        assert!(
            matches!(err, MaasError::VmHostsUnsupported { status: 410, .. }),
            "{call}: {err:?}"
        );
        assert!(!err.is_retryable(), "{call}");
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "{call}: VM hosts unsupported by this MAAS (HTTP 410)"
            )),
            "{text}"
        );
        assert!(
            text.contains("VM host (KVM) support has been removed from MAAS."),
            "{text}"
        );
    }
    assert_eq!(statuses(&sim), [Some(410); 5], "one request per call");
    // The rest of the API still works.
    assert!(
        !client
            .machines(&MachineFilter::default())
            .await
            .unwrap()
            .is_empty()
    );
}

// ---------------------------------------------------------------------------------------
// (d) compose beyond capacity

/// What must not change when a compose fails: per host the used resources, per-pool usage
/// and VMs, and the number of machines.
fn capacity(sim: &SimHandle) -> (Vec<VmHostSnapshot>, usize) {
    (sim.vm_hosts(), sim.machines().len())
}

#[tokio::test]
async fn compose_beyond_the_host_size_is_a_typed_400_and_leaks_nothing() {
    let sim = start(SimOptions::instant()).await;
    let client = client(&sim, &sim.api_key(), 4);
    let hosts = client.vm_hosts().await.unwrap();
    let lxd = hosts.iter().find(|h| h.name == "lxd-01").unwrap();
    let before = capacity(&sim);
    let used_before = client.vm_host(lxd.id).await.unwrap().used;
    sim.clear_requests();

    // More cores and memory than the host has at all: MAAS's form validation, HTTP 400.
    let err = client
        .compose(lxd.id, &ComposeRequest::new(64, 262_144))
        .await
        .unwrap_err();
    let MaasError::BadRequest { field_errors, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_retryable());
    assert_eq!(
        field_errors.get("cores"),
        Some(&["Ensure this value is less than or equal to 32.".to_string()][..]),
        "{err}"
    );
    assert_eq!(
        field_errors.get("memory"),
        Some(&["Ensure this value is less than or equal to 131072.".to_string()][..]),
        "{err}"
    );
    assert!(
        err.to_string().starts_with(&format!(
            "compose on vm-host {}: MAAS rejected the request: ",
            lxd.id
        )),
        "{err}"
    );
    assert_eq!(statuses(&sim), [Some(400)], "400 is not retried");

    assert_eq!(capacity(&sim), before, "nothing leaked");
    assert_eq!(client.vm_host(lxd.id).await.unwrap().used, used_before);
}

#[tokio::test]
async fn compose_beyond_free_storage_is_a_typed_error_and_leaks_nothing() {
    let sim = start(SimOptions::instant()).await;
    let client = client(&sim, &sim.api_key(), 2);
    let hosts = client.vm_hosts().await.unwrap();
    let lxd = hosts.iter().find(|h| h.name == "lxd-01").unwrap();
    let before = capacity(&sim);
    let request = ComposeRequest {
        // The default pool has 1900 GB.
        storage: vec![StorageSpec::new("root", 5000).in_pool("default")],
        ..ComposeRequest::new(2, 4096)
    };

    // Placement already refuses it, without a request.
    sim.clear_requests();
    let refused = choose_vm_host(
        std::slice::from_ref(lxd),
        &request,
        PlacementStrategy::MostFree,
    )
    .unwrap_err();
    assert!(matches!(refused, PlacementError::NoFit { .. }), "{refused}");
    assert!(
        refused
            .to_string()
            .contains("needs 5000.0 GB in storage pool default"),
        "{refused}"
    );
    assert!(sim.requests().is_empty());

    // Sent anyway, MAAS refuses it with a PodProblem, which MAAS answers as HTTP 503. Its
    // "Unable to compose" text makes it a verdict: typed, sent once, nothing composed.
    let err = client.compose(lxd.id, &request).await.unwrap_err();
    assert!(matches!(err, MaasError::VmHostRefused { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert!(
        err.to_string().contains(
            "Unable to compose machine because: Failed talking to pod: \
             Not enough storage space on storage pools: default"
        ),
        "{err}"
    );
    assert_eq!(statuses(&sim), [Some(503)], "a verdict is not retried");
    assert_eq!(capacity(&sim), before, "nothing leaked");
}

#[tokio::test]
async fn compose_beyond_over_commit_is_a_typed_error_and_leaks_nothing() {
    let sim = start(SimOptions::instant()).await;
    let client = client(&sim, &sim.api_key(), 1);
    let hosts = client.vm_hosts().await.unwrap();
    // lxd-02: 16 cores at ratio 2.0 = 32 schedulable; fill it, then ask for more.
    let lxd = hosts.iter().find(|h| h.name == "lxd-02").unwrap();
    let mut filled = Vec::new();
    for _ in 0..2 {
        let vm = client
            .compose(lxd.id, &ComposeRequest::new(16, 2048))
            .await
            .unwrap();
        filled.push(vm.system_id);
    }
    let host = client.vm_host(lxd.id).await.unwrap();
    assert_eq!(host.resources().cores.available, 0, "{:?}", host.used);
    let before = capacity(&sim);
    sim.clear_requests();

    let err = client
        .compose(lxd.id, &ComposeRequest::new(1, 2048))
        .await
        .unwrap_err();
    assert!(matches!(err, MaasError::VmHostRefused { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&format!(
            "Unable to compose KVM instance in '{}'. CPU overcommit ratio is 2.0",
            lxd.name
        )),
        "{err}"
    );
    assert_eq!(statuses(&sim), [Some(503)]);
    assert_eq!(capacity(&sim), before, "nothing leaked");

    // Deleting the VMs returns their resources.
    for id in &filled {
        client.delete_machine(id).await.unwrap();
    }
    let host = client.vm_host(lxd.id).await.unwrap();
    assert_eq!(host.used.cores, 0, "{:?}", host.used);
    assert_eq!(host.resources().cores.available, 32);
}
