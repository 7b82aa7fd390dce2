//! `describe/` against the route table and MAAS 3.7.3's own description, and the JSON shapes
//! of served objects against recorded MAAS responses.

mod common;

use std::collections::BTreeSet;

use common::{Api, Body, fixture, keys};
use maas_simulator::SimOptions;
use reqwest::Method;
use serde_json::Value;

fn handlers(describe: &Value) -> Vec<&Value> {
    describe["resources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| [&r["auth"], &r["anon"]])
        .filter(|h| !h.is_null())
        .collect()
}

#[tokio::test]
async fn every_served_handler_and_action_exists_in_maas_3_7_3() {
    let api = Api::start(SimOptions::instant()).await;
    let ours = api.send(Method::GET, "describe/", None, Body::None).await;
    assert_eq!(ours.status, 200);
    assert_eq!(ours.content_type, "application/json");
    let ours = ours.json();
    let maas = fixture("describe_maas_3.7.3.json");
    let maas_handlers = handlers(&maas);
    for handler in handlers(&ours) {
        let name = handler["name"].as_str().unwrap();
        let theirs = maas_handlers
            .iter()
            .find(|h| h["name"] == handler["name"] && h["path"] == handler["path"])
            .unwrap_or_else(|| panic!("MAAS 3.7.3 has no {name} at {}", handler["path"]));
        assert_eq!(handler["params"], theirs["params"], "{name} params");
        for action in handler["actions"].as_array().unwrap() {
            let found = theirs["actions"].as_array().unwrap().iter().any(|a| {
                a["name"] == action["name"]
                    && a["method"] == action["method"]
                    && a["op"] == action["op"]
                    && a["restful"] == action["restful"]
            });
            assert!(
                found,
                "{name}.{} is not a MAAS 3.7.3 action",
                action["name"]
            );
        }
    }
}

#[tokio::test]
async fn describe_covers_what_python_libmaas_uses_and_builds_uris_from_host() {
    let api = Api::start(SimOptions::instant()).await;
    let resp = api
        .http
        .get(api.url("describe/"))
        .header("Host", "maas.example.com:5240")
        .send()
        .await
        .unwrap();
    let describe: Value = resp.json().await.unwrap();
    let ours: BTreeSet<&str> = describe["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let subset = fixture("describe_maas_3.7.3_python_libmaas_subset.json");
    for resource in subset["resources"].as_array().unwrap() {
        let name = resource["name"].as_str().unwrap();
        // The account and MAAS-config handlers are not needed by connect/login.
        if matches!(name, "AccountHandler" | "MaasHandler") {
            continue;
        }
        assert!(ours.contains(name), "{name} is missing from describe/");
    }
    let machines = handlers(&describe)
        .into_iter()
        .find(|h| h["name"] == "MachinesHandler")
        .unwrap();
    assert_eq!(
        machines["uri"],
        "http://maas.example.com:5240/MAAS/api/2.0/machines/"
    );
    assert_eq!(machines["path"], "/MAAS/api/2.0/machines/");
    let version = describe["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "VersionHandler")
        .unwrap();
    assert!(version["auth"].is_null() && !version["anon"].is_null());
    // The hash describes the API, not the host it was fetched from.
    let again = api.get("describe/").await.json();
    assert_eq!(describe["hash"], again["hash"]);
    assert_eq!(describe["hash"].as_str().unwrap().len(), 40);
}

/// Every action in describe/ dispatches, in both op forms: nothing answers "Unknown API
/// endpoint" or "Unrecognised signature". Object ids are unknown ones, so nothing changes
/// beyond 404s and validation errors.
#[tokio::test]
async fn every_described_action_dispatches() {
    let api = Api::start(SimOptions::instant()).await;
    let describe = api.get("describe/").await.json();
    for handler in handlers(&describe) {
        let mut path = handler["path"].as_str().unwrap().to_string();
        for param in handler["params"].as_array().unwrap() {
            path = path.replace(&format!("{{{}}}", param.as_str().unwrap()), "999999");
        }
        for action in handler["actions"].as_array().unwrap() {
            let method = Method::from_bytes(action["method"].as_str().unwrap().as_bytes()).unwrap();
            let op = action["op"].as_str();
            if op == Some("allocate") {
                continue; // would allocate a real machine; covered in lifecycle tests
            }
            let mut paths = vec![path.clone()];
            if let Some(op) = op {
                paths = vec![format!("{path}?op={op}"), format!("{path}op-{op}")];
            }
            for p in paths {
                let resp = api
                    .send(method.clone(), &p, Some(&api.admin.clone()), Body::None)
                    .await;
                assert!(
                    !resp.body.starts_with("Unknown API endpoint")
                        && !resp.body.starts_with("Unrecognised signature"),
                    "{method} {p}: {} {}",
                    resp.status,
                    resp.body
                );
            }
        }
    }
}

#[tokio::test]
async fn object_shapes_match_maas() {
    let api = Api::start(SimOptions::instant()).await;
    let check = |name: &str, ours: &Value, theirs: &Value| {
        assert_eq!(keys(ours), keys(theirs), "{name} fields differ from MAAS");
    };
    check(
        "version",
        &api.get("version/").await.ok(),
        &fixture("version.json"),
    );
    check(
        "whoami",
        &api.get("users/?op=whoami").await.ok(),
        &fixture("users_whoami.json"),
    );
    check(
        "zone",
        &api.get("zones/default/").await.ok(),
        &fixture("zone.json"),
    );
    check(
        "resource pool",
        &api.get("resourcepool/0/").await.ok(),
        &fixture("resourcepool.json"),
    );
    check(
        "tag",
        &api.get("tags/virtual/").await.ok(),
        &fixture("tags_list.json")[0],
    );
    let vm_host = &api.get("vm-hosts/").await.ok()[0];
    check("VM host", vm_host, &fixture("vmhosts_list_lxd.json")[0]);
    assert_eq!(vm_host["resource_uri"], "/MAAS/api/2.0/vm-hosts/1/");
    assert_eq!(
        api.get("pods/1/").await.ok()["resource_uri"],
        "/MAAS/api/2.0/pods/1/"
    );
    let images = api.get("boot-resources/").await.ok();
    let synced = images
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "ubuntu/noble")
        .unwrap();
    check(
        "boot resource",
        synced,
        &fixture("boot_resources_list.json")[0],
    );
    let uploaded = images
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "Uploaded")
        .unwrap();
    check(
        "uploaded image",
        uploaded,
        &fixture("boot_resources_list.json")[1],
    );
    let detail = api
        .get(&format!("boot-resources/{}/", uploaded["id"]))
        .await
        .ok();
    check(
        "boot resource detail",
        &detail,
        &fixture("boot_resource.json"),
    );

    // Machines: every field a MAAS 3.x machine has (the recorded LXD VM), plus `parent` and
    // the 3.7 additions; `constraints_by_type` only on allocate, as in MAAS.
    let vm = api
        .get(&format!("machines/{}/", api.system_id("vm-registry")))
        .await
        .ok();
    let ours: BTreeSet<String> = keys(&vm).into_iter().collect();
    let recorded = &fixture("machines_list_lxd_vm.json")[0];
    for key in keys(recorded) {
        assert!(ours.contains(&key), "machine JSON lacks {key}");
    }
    assert!(!ours.contains("constraints_by_type"));
    assert_eq!(vm["pod"]["resource_uri"], "/MAAS/api/2.0/pods/1/");
    assert_eq!(vm["parent"]["system_id"], "kvm7a1");
    for key in ["interface_set", "blockdevice_set"] {
        assert_eq!(keys(&vm[key][0]), keys(&recorded[key][0]), "{key} entries");
    }
    let allocated = api
        .post("machines/?op=allocate", &[("tags", "gpu")])
        .await
        .ok();
    for key in keys(&fixture("machine_allocate.json")) {
        if key != "iscsiblockdevice_set" {
            assert!(
                allocated.get(&key).is_some(),
                "allocate response lacks {key}"
            );
        }
    }
    let composed = api
        .post("vm-hosts/1/?op=compose", &[("cores", "1")])
        .await
        .ok();
    check("compose result", &composed, &fixture("vmhost_compose.json"));
}
