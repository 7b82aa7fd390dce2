//! Shared test helpers: fixtures from `examples/` and the crypto provider.
#![allow(dead_code)]

pub mod crd_sets;

// Links every in-tree platform into this test binary (the examples are for one of them).
use linked_plugins as _;

use hosted_cluster_operator::cache::{Caches, Served};
use k8s_openapi::api::core::v1::Secret;
use kube::api::ApiResource;
use platform_api::api::{HostedCluster, NodePool};
use platform_api::control_plane::{BootstrapTokens, control_plane_registry};
use platform_api::desired::capi::CapiVersion;
use platform_api::desired::{self, ClusterInputs, DesiredObject};
use platform_api::platform::{MissingSecrets, PlatformSettings, SecretData};
use std::path::PathBuf;

/// The CAPI version the tests build and serve.
pub const CAPI: CapiVersion = CapiVersion::V1Beta2;

/// What discovery would find on a server with our CRDs and the ones the example objects use.
pub fn served() -> Served {
    let objects = expected_objects(&hosted_cluster(), &node_pool(), &credentials());
    let mut kinds: Vec<(ApiResource, bool)> = objects
        .iter()
        .map(|o| (o.resource.clone(), o.namespace().is_some()))
        .collect();
    kinds.push((ApiResource::erase::<HostedCluster>(&()), true));
    kinds.push((ApiResource::erase::<NodePool>(&()), true));
    kinds.push((ApiResource::erase::<Secret>(&()), true));
    kinds.push((CAPI.resource("MachineSet"), true));
    Served::with_kinds(kinds, Some(CAPI))
}

/// Caches holding `objects`, as the watches would after listing them.
pub fn caches_of(objects: Vec<serde_json::Value>) -> Caches {
    Caches::fixed(served(), objects)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn fixture<T: serde::de::DeserializeOwned>(file: &str) -> T {
    let text = std::fs::read_to_string(repo_root().join("examples").join(file))
        .unwrap_or_else(|e| panic!("examples/{file}: {e}"));
    let mut docs: Vec<T> = platform_api::yaml::from_yaml_stream(&text).expect("fixture parses");
    docs.remove(0)
}

pub fn hosted_cluster() -> HostedCluster {
    fixture("hostedcluster.yaml")
}

pub fn node_pool() -> NodePool {
    fixture("nodepool.yaml")
}

pub fn credentials() -> Secret {
    fixture("credentials-secret.yaml")
}

/// Every object the operator should create for `hc` with one pool and its credentials, in
/// creation order: from `desired::build`, the function the operator itself calls.
pub fn expected_objects(hc: &HostedCluster, np: &NodePool, secret: &Secret) -> Vec<DesiredObject> {
    expected_objects_in(hc, np, secret, CAPI)
}

/// [`expected_objects`] with CAPI objects in `capi`.
pub fn expected_objects_in(
    hc: &HostedCluster,
    np: &NodePool,
    secret: &Secret,
    capi: CapiVersion,
) -> Vec<DesiredObject> {
    let creds = SecretData::from_secret(secret);
    let settings = PlatformSettings::default();
    let platform = platform_api::platform_for(&hc.spec.platform.type_).unwrap();
    let pools = [np.clone()];
    desired::build(
        &ClusterInputs {
            hosted_cluster: hc,
            node_pools: &pools,
            credentials: Some(&creds),
            api_endpoint: None,
            missing_secrets: MissingSecrets::Fail,
            settings: &settings,
            capi,
            control_plane_status: None,
            control_plane_secrets: &[ignition_ca()],
            bootstrap_tokens: &BootstrapTokens::default()
                .with(np.metadata.name.clone().unwrap_or_default(), TEST_TOKEN),
            capi_webhook_tls: None,
        },
        platform.as_ref(),
        control_plane_registry()
            .unwrap()
            .for_cluster(hc, None)
            .unwrap()
            .as_ref(),
    )
    .unwrap()
    .objects()
    .cloned()
    .collect()
}

/// The bootstrap token `expected_objects` builds with (the operator generates its own).
pub const TEST_TOKEN: &str = "00000000-0000-4000-8000-000000000000";

/// The ignition server's CA Secret, as HyperShift's control-plane operator writes it in the
/// control-plane namespace (tests create it by hand: no control-plane operator runs).
pub fn ignition_ca() -> SecretData {
    SecretData::new("", "ignition-server-ca-cert").with(
        "tls.crt",
        "-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n",
    )
}

/// [`ignition_ca`] as the Secret the control-plane operator writes in `hc`'s control-plane
/// namespace (JSON with apiVersion and kind), for tests to create by hand.
pub fn ignition_ca_secret(hc: &HostedCluster) -> serde_json::Value {
    let ca = ignition_ca();
    let mut s = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": { "name": ca.name, "namespace": hc.control_plane_namespace() },
        "data": {},
    });
    for (k, v) in &ca.data {
        use base64::Engine;
        s["data"][k] = base64::engine::general_purpose::STANDARD.encode(v).into();
    }
    s
}

/// `hc`'s control-plane namespace (JSON), for tests that create Secrets in it before the
/// operator does.
pub fn control_plane_namespace(hc: &HostedCluster) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": { "name": hc.control_plane_namespace() },
    })
}

pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
pub mod e2e;
pub mod mock;
