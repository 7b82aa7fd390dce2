//! The capacity preflight of LXD NodePools against the MAAS simulator: a pool that fits says
//! where, one that does not names the shortfall, a MAAS without VM hosts (410) says so plainly,
//! and bare-metal pools are not checked.

use maas_simulator::{SimOptions, testing};
use platform_api::Platform;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::platform::{CapacityContext, CapacityReport, PlatformError, SecretData};
use platform_maas::Maas;
use serde_json::json;

fn example<T: serde::de::DeserializeOwned>(file: &str) -> T {
    let path = format!("{}/../examples/{file}", env!("CARGO_MANIFEST_DIR"));
    serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The LXD example in the simulator's zone az-1, with `memory` MiB per VM.
fn lxd_pool(memory: i64) -> NodePool {
    let mut np: NodePool = example("nodepool-lxd.yaml");
    let mut v = serde_json::to_value(&np).unwrap();
    v["spec"]["platform"]["maas"]["zone"] = json!("az-1");
    v["spec"]["platform"]["maas"]["minMemory"] = json!(memory);
    np = serde_json::from_value(v).unwrap();
    np
}

fn secret(endpoint: &str, key: &str) -> SecretData {
    SecretData::new("clusters", "maas-credentials")
        .with("MAAS_ENDPOINT", endpoint)
        .with("MAAS_API_KEY", key)
}

async fn check(np: &NodePool, creds: &SecretData) -> Result<CapacityReport, PlatformError> {
    let hc: HostedCluster = example("hostedcluster.yaml");
    Maas.node_pool_capacity(&CapacityContext {
        hosted_cluster: &hc,
        node_pool: np,
        credentials: Some(creds),
        machines: &[],
    })
    .await
}

#[tokio::test]
async fn a_pool_that_fits_and_one_that_does_not() {
    let sim = testing::start(SimOptions::instant()).await;
    let creds = secret(&sim.base_url(), &sim.api_key());
    let fits = check(&lxd_pool(8192), &creds).await.unwrap();
    assert!(fits.available, "{fits:?}");
    assert_eq!(fits.reason, "AsExpected");
    assert!(
        fits.message.contains("3 VM(s) of 4 cores, 8192 MiB"),
        "{}",
        fits.message
    );

    let short = check(&lxd_pool(262_144), &creds).await.unwrap();
    assert!(!short.available, "{short:?}");
    assert_eq!(short.reason, "InsufficientCapacity");
    // Names the shortfall: how many do not fit, the resource, what is free and what is needed.
    assert!(short.message.contains("3 of 3 VM(s)"), "{}", short.message);
    assert!(short.message.contains("memory"), "{}", short.message);
    assert!(short.message.contains("needs 262144"), "{}", short.message);
    // Read-only: one GET of the VM hosts per check.
    assert!(sim.requests().iter().all(|r| r.method == "GET"));
}

#[tokio::test]
async fn a_maas_without_vm_hosts_says_so() {
    let sim = testing::start(SimOptions {
        vm_hosts_removed: true,
        ..SimOptions::instant()
    })
    .await;
    let creds = secret(&sim.base_url(), &sim.api_key());
    let r = check(&lxd_pool(8192), &creds).await.unwrap();
    assert!(!r.available);
    assert_eq!(r.reason, "VMHostsUnsupported");
    assert!(
        r.message.contains("410") && r.message.contains("no VM hosts"),
        "{}",
        r.message
    );
    // Asked once: a 410 is not retried.
    assert_eq!(sim.requests().len(), 1, "{:?}", sim.requests());
}

fn ctx<'a>(hc: &'a HostedCluster, np: &'a NodePool, creds: &'a SecretData) -> CapacityContext<'a> {
    CapacityContext {
        hosted_cluster: hc,
        node_pool: np,
        credentials: Some(creds),
        machines: &[],
    }
}

#[tokio::test]
async fn only_lxd_pools_with_replicas_are_checked() {
    let hc: HostedCluster = example("hostedcluster.yaml");
    let creds = secret("http://127.0.0.1:1/MAAS", "a:b:c");
    let metal: NodePool = example("nodepool.yaml");
    assert_eq!(Maas.capacity_check_key(&ctx(&hc, &metal, &creds)), None);
    let lxd = lxd_pool(8192);
    let key = Maas.capacity_check_key(&ctx(&hc, &lxd, &creds)).unwrap();
    assert!(key.contains("127.0.0.1:1"), "{key}");
    // The key follows the spec: a bigger pool is asked about again.
    assert_ne!(
        Maas.capacity_check_key(&ctx(&hc, &lxd_pool(16384), &creds)),
        Some(key)
    );
}

#[tokio::test]
async fn an_unreachable_maas_is_an_api_error() {
    let sim = testing::start(SimOptions::instant()).await;
    let creds = secret(&sim.base_url(), &sim.api_key());
    sim.shutdown().await;
    let err = check(&lxd_pool(8192), &creds).await.unwrap_err();
    assert!(matches!(err, PlatformError::Api { .. }), "{err}");
}

#[tokio::test]
async fn vms_already_composed_are_not_placed_again() {
    let sim = testing::start(SimOptions::instant()).await;
    let creds = secret(&sim.base_url(), &sim.api_key());
    let hc: HostedCluster = example("hostedcluster.yaml");
    let composed = |id: &str| -> kube::api::DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "infrastructure.cluster.x-k8s.io/v1beta1",
            "kind": "MaasMachine",
            "metadata": {"name": id},
            "spec": {"systemID": id},
        }))
        .unwrap()
    };
    // 3 × 96 GiB do not fit on lxd-01 (at most 188416 MiB free); with 2 of them running, the
    // one left does.
    let np = lxd_pool(98_304);
    let check = async |machines: &[kube::api::DynamicObject]| {
        Maas.node_pool_capacity(&CapacityContext {
            hosted_cluster: &hc,
            node_pool: &np,
            credentials: Some(&creds),
            machines,
        })
        .await
        .unwrap()
    };
    assert!(!check(&[]).await.available);
    let r = check(&[composed("vm0001"), composed("vm0002")]).await;
    assert!(r.available, "{r:?}");
    assert!(
        r.message.contains("1 VM(s)") && r.message.contains("2 more already composed"),
        "{}",
        r.message
    );
    let requests = sim.requests().len();
    let r = check(&[composed("vm0001"), composed("vm0002"), composed("vm0003")]).await;
    assert!(r.available && r.message.contains("all 3 VM(s)"), "{r:?}");
    assert_eq!(
        sim.requests().len(),
        requests,
        "nothing left to place: MAAS not asked"
    );
}
