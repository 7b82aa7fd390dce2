//! The shared platform conformance suite (`platform_api::testing`), run on MAAS with the
//! example cluster, its credentials, and the MAAS fields that must roll a new machine template.

use platform_api::api::{HostedCluster, NodePool};
use platform_api::platform::SecretData;
use platform_api::testing::{Fixtures, conformance};
use platform_maas::Maas;
use serde_json::{Value, json};

fn example<T: serde::de::DeserializeOwned>(file: &str) -> T {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/");
    let text = std::fs::read_to_string(format!("{path}{file}")).unwrap();
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
    serde_json::from_value(docs.into_iter().next().unwrap()).unwrap()
}

fn maas(spec: &mut platform_api::api::PlatformSpec) -> &mut serde_json::Map<String, Value> {
    spec.sections
        .get_mut("maas")
        .and_then(Value::as_object_mut)
        .expect("the example has a maas section")
}

fn set(np: &mut NodePool, field: &str, value: Value) {
    maas(&mut np.spec.platform).insert(field.into(), value);
}

#[test]
fn maas_conforms() {
    let hc: HostedCluster = example("hostedcluster.yaml");
    let np: NodePool = example("nodepool.yaml");
    let credentials = SecretData::new("clusters", "maas-credentials")
        .with("MAAS_ENDPOINT", "http://maas.example.com:5240/MAAS")
        .with("MAAS_API_KEY", "abc:def:ghi\n");
    let fixtures = Fixtures::new(hc, vec![np])
        .with_credentials(credentials)
        .template_change("image", |np| set(np, "image", json!("ubuntu/jammy")))
        .template_change("minCpu", |np| set(np, "minCpu", json!(8)))
        .template_change("minMemory", |np| set(np, "minMemory", json!(16384)))
        .template_change("tags", |np| set(np, "tags", json!(["gpu"])))
        .template_change("zone", |np| {
            set(np, "zone", json!("zone2"));
            set(np, "failureDomain", json!("zone2"));
        })
        .invalid_hosted_cluster("spec.platform.maas.zone", |hc| {
            maas(&mut hc.spec.platform).insert("zone".into(), json!("Zone 1"));
        })
        .invalid_hosted_cluster("spec.platform.maas", |hc| {
            hc.spec.platform.sections.clear();
        })
        .invalid_node_pool("spec.platform.maas.minMemory", |np| {
            set(np, "minMemory", json!(512))
        })
        .invalid_node_pool("spec.platform.maas.image", |np| {
            maas(&mut np.spec.platform).remove("image");
        })
        .invalid_node_pool("spec.platform.maas.failureDomain", |np| {
            set(np, "zone", json!("zone2"))
        });
    conformance(&Maas, &fixtures);
}
