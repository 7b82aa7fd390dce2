//! The orphan release (B5) against the MAAS simulator: what was recorded and is still ours is
//! released (an LXD VM CAPMAAS composed is also decomposed); what was not recorded, or is
//! another user's, is never touched; a MAAS that does not answer is an `Api` error to retry.

use maas_client::{
    AllocateConstraints, ApiKey, ClientOptions, ComposeRequest, MaasClient, MaasEndpoint,
};
use maas_simulator::{MachineStatus, SimHandle, SimOptions, testing};
use platform_api::Platform;
use platform_api::api::HostedCluster;
use platform_api::platform::{CleanupContext, PlatformError, SecretData};
use platform_maas::Maas;
use platform_maas::orphans::{LXD_VM, MACHINE};
use std::collections::BTreeMap;

fn hosted_cluster() -> HostedCluster {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/hostedcluster.yaml"
    );
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn secret(endpoint: &str, key: &str) -> SecretData {
    SecretData::new("clusters", "maas-credentials")
        .with("MAAS_ENDPOINT", endpoint)
        .with("MAAS_API_KEY", key)
}

fn admin(sim: &SimHandle) -> MaasClient {
    MaasClient::new(
        MaasEndpoint::parse(&sim.base_url()).unwrap(),
        ApiKey::parse(&sim.api_key()).unwrap(),
        ClientOptions::default(),
    )
    .unwrap()
}

async fn cleanup(
    creds: &SecretData,
    recorded: &BTreeMap<String, String>,
) -> Result<platform_api::platform::CleanupOutcome, PlatformError> {
    let hc = hosted_cluster();
    Maas.cleanup_orphaned_machines(&CleanupContext {
        hosted_cluster: &hc,
        credentials: Some(creds),
        recorded,
    })
    .await
}

async fn allocate(client: &MaasClient, system_id: &str) {
    client
        .allocate(&AllocateConstraints {
            system_id: Some(system_id.into()),
            ..AllocateConstraints::default()
        })
        .await
        .unwrap();
}

fn status(sim: &SimHandle, id: &str) -> (MachineStatus, Option<String>) {
    let m = sim.machine(id).unwrap_or_else(|| panic!("{id} exists"));
    (m.status, m.owner)
}

#[tokio::test]
async fn releases_only_what_was_recorded_and_is_still_ours() {
    let sim = testing::start(SimOptions::instant()).await;
    let maas = admin(&sim);
    let id = |host: &str| sim.machine_by_hostname(host).unwrap().system_id;
    // Ours, recorded: a bare-metal machine and a VM CAPMAAS composed on lxd-01.
    let metal = id("node-01");
    allocate(&maas, &metal).await;
    let host = sim
        .vm_hosts()
        .into_iter()
        .find(|h| h.name == "lxd-01")
        .unwrap();
    let vm = maas
        .compose(
            host.id.into(),
            &ComposeRequest {
                cores: 2,
                memory: 4096,
                hostname: Some("capmaas-vm-1".into()),
                ..ComposeRequest::default()
            },
        )
        .await
        .unwrap()
        .system_id;
    allocate(&maas, &vm).await;
    // Ours but not recorded (another cluster of the same MAAS user): never touched.
    let other_cluster = id("node-02");
    allocate(&maas, &other_cluster).await;
    // Recorded but another user's now: never touched.
    let alices = id("node-06");
    assert_eq!(status(&sim, &alices).1.as_deref(), Some("alice"));

    let recorded = BTreeMap::from([
        (metal.clone(), MACHINE.to_string()),
        (vm.clone(), LXD_VM.to_string()),
        (alices.clone(), MACHINE.to_string()),
        // Already gone from MAAS: skipped.
        ("gone42".to_string(), MACHINE.to_string()),
    ]);
    let creds = secret(&sim.base_url(), &sim.api_key());
    let before = sim.machines();
    sim.clear_requests();
    let out = cleanup(&creds, &recorded).await.unwrap();
    // Cost: whoami, a GET per recorded machine, then release (metal), and release, GET,
    // DELETE (the VM).
    let calls: Vec<String> = sim
        .requests()
        .iter()
        .map(|r| format!("{} {} {:?}", r.method, r.path, r.op))
        .collect();
    assert_eq!(calls.len(), 1 + 4 + 1 + 3, "{calls:#?}");
    assert!(out.pending.is_empty(), "{out:?}");
    assert_eq!(out.released.len(), 3, "{out:?}");
    assert!(
        out.released.iter().any(|r| r.starts_with("decomposed VM")),
        "{out:?}"
    );

    assert_eq!(status(&sim, &metal), (MachineStatus::Ready, None));
    assert!(sim.machine(&vm).is_none(), "the composed VM is decomposed");
    assert_eq!(
        status(&sim, &alices),
        (MachineStatus::Allocated, Some("alice".into()))
    );
    assert_eq!(
        status(&sim, &other_cluster),
        (MachineStatus::Allocated, Some("admin".into()))
    );
    // Nothing unrecorded changed at all.
    for m in before {
        if m.system_id != metal && m.system_id != vm {
            assert_eq!(
                sim.machine(&m.system_id),
                Some(m.clone()),
                "{} untouched",
                m.hostname
            );
        }
    }

    // Again: nothing left to do, nothing written.
    sim.clear_requests();
    let again = cleanup(&creds, &recorded).await.unwrap();
    assert_eq!(again, Default::default());
    assert!(
        sim.requests().iter().all(|r| r.method == "GET"),
        "{:?}",
        sim.requests()
    );
}

#[tokio::test]
async fn nothing_recorded_asks_nothing() {
    let sim = testing::start(SimOptions::instant()).await;
    let creds = secret(&sim.base_url(), &sim.api_key());
    let out = cleanup(&creds, &BTreeMap::new()).await.unwrap();
    assert_eq!(out, Default::default());
    assert!(sim.requests().is_empty(), "{:?}", sim.requests());
}

#[tokio::test]
async fn an_unreachable_maas_is_an_api_error_naming_the_recorded_machines() {
    let sim = testing::start(SimOptions::instant()).await;
    let url = sim.base_url();
    let key = sim.api_key();
    let metal = sim.machine_by_hostname("node-01").unwrap().system_id;
    let recorded = BTreeMap::from([(metal.clone(), MACHINE.to_string())]);
    // Busy: 503 on every attempt of this pass.
    sim.faults().fail_next("GET users/", 10, 0).unwrap();
    let err = cleanup(&secret(&url, &key), &recorded).await.unwrap_err();
    assert!(matches!(err, PlatformError::Api { .. }), "{err}");
    assert!(err.to_string().contains(&metal), "{err}");
    assert!(!err.to_string().contains(&key), "no key in errors: {err}");
    // Gone: connection refused.
    sim.shutdown().await;
    let started = std::time::Instant::now();
    let err = cleanup(&secret(&url, &key), &recorded).await.unwrap_err();
    assert!(matches!(err, PlatformError::Api { .. }), "{err}");
    assert!(err.to_string().contains("unreachable"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "one pass is bounded"
    );
}

#[tokio::test]
async fn a_missing_credentials_secret_with_machines_recorded_is_an_error() {
    let hc = hosted_cluster();
    let recorded = BTreeMap::from([("abc123".to_string(), MACHINE.to_string())]);
    let err = Maas
        .cleanup_orphaned_machines(&CleanupContext {
            hosted_cluster: &hc,
            credentials: None,
            recorded: &recorded,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, PlatformError::CredentialsNotFound { .. }),
        "{err}"
    );
}
