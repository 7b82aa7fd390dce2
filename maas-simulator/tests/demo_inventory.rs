//! The demo inventory (`--inventory demo`) serves what the repository's examples ask for:
//! the example NodePool's machines allocate, and the cluster's DNS name can be created in the
//! README's `--maas-dns-domain`.

mod common;

use std::collections::BTreeSet;

use common::{Api, fresh_nonce, hmac_header, unix_now};
use maas_simulator::{Inventory, SimOptions};
use serde_json::Value;

/// examples/nodepool.yaml: zone (and failureDomain) zone1, pool default, tags production and
/// compute, minCpu 4, minMemory 8192; allocated as the repository's maas-client sends it.
const NODEPOOL: &[(&str, &str)] = &[
    ("zone", "zone1"),
    ("pool", "default"),
    ("tags", "production,compute"),
    ("cpu_count", "4"),
    ("mem", "8192"),
];

fn check_fits(machine: &Value) {
    assert_eq!(machine["zone"]["name"], "zone1");
    assert_eq!(machine["pool"]["name"], "default");
    let tags: Vec<&str> = machine["tag_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"production") && tags.contains(&"compute"),
        "{tags:?}"
    );
    assert!(machine["cpu_count"].as_u64().unwrap() >= 4);
    assert!(machine["memory"].as_u64().unwrap() >= 8192);
    assert_eq!(machine["status_name"], "Allocated");
}

#[tokio::test]
async fn example_nodepool_allocates_on_the_demo_inventory() {
    let api = Api::start_with(Inventory::demo_inventory(), SimOptions::instant()).await;
    let image = api.get("boot-resources/").await.ok();
    let names: Vec<&str> = image
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"ubuntu/focal") && names.contains(&"ubuntu/jammy"),
        "{names:?}"
    );

    // The NodePool's three replicas, then the two spare machines that fit.
    let mut allocated = BTreeSet::new();
    for _ in 0..5 {
        let mut form = vec![];
        form.extend_from_slice(NODEPOOL);
        let machine = api.post("machines/?op=allocate", &form).await.ok();
        check_fits(&machine);
        assert!(allocated.insert(machine["hostname"].as_str().unwrap().to_string()));
    }
    let expected: BTreeSet<String> = (1..=5).map(|i| format!("worker-0{i}")).collect();
    assert_eq!(allocated, expected, "near misses are never picked");
    let none_left = api.post("machines/?op=allocate", NODEPOOL).await;
    assert_eq!(none_left.status, 409, "{}", none_left.body);
}

#[tokio::test]
async fn capmaas_allocation_and_dns_name_on_the_demo_inventory() {
    let api = Api::start_with(Inventory::demo_inventory(), SimOptions::instant()).await;
    // CAPMAAS (maas-client-go): op and constraints in the signed urlencoded body, one tag.
    let url = api.url("machines/");
    let params = [
        ("op", "allocate"),
        ("zone", "zone1"),
        ("cpu_count", "4"),
        ("mem", "8192"),
        ("tags", "production"),
        ("pool", "default"),
    ];
    let header = hmac_header(
        &api.admin,
        "POST",
        &url,
        &params,
        &fresh_nonce(),
        &unix_now().to_string(),
    );
    let response = api
        .http
        .post(&url)
        .header("Authorization", header)
        .form(&params)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let machine: Value = response.json().await.unwrap();
    check_fits(&machine);

    // The cluster's API name in the README's --maas-dns-domain. CAPMAAS names it
    // <cluster>-<6 characters of a uuid>.<dnsDomain>.
    let created = api
        .post(
            "dnsresources/",
            &[
                ("fqdn", "api.my-maas-cluster.custom.maas.local"),
                ("address_ttl", "10"),
                ("ip_addresses", ""),
            ],
        )
        .await;
    // A dotted name under custom.maas.local: MAAS splits at the first dot, so the domain
    // is my-maas-cluster.custom.maas.local, which does not exist.
    assert_eq!(
        (created.status, created.body.as_str()),
        (404, "No Domain matches the given query.")
    );
    let created = api
        .post(
            "dnsresources/",
            &[
                ("fqdn", "my-maas-cluster-1a2b3c.custom.maas.local"),
                ("address_ttl", "10"),
                ("ip_addresses", "10.20.0.11"),
            ],
        )
        .await
        .ok();
    assert_eq!(created["fqdn"], "my-maas-cluster-1a2b3c.custom.maas.local");
    assert_eq!(created["ip_addresses"][0]["ip"], "10.20.0.11");
}
