//! VM hosts: registration, compose with real resource accounting, decompose, and the
//! "VM hosts removed" mode.

mod common;

use common::{Api, Body};
use maas_simulator::{Resources, SimOptions};
use reqwest::Method;
use serde_json::Value;

const GB: u64 = 1_000_000_000;

fn lxd01(api: &Api) -> maas_simulator::VmHostSnapshot {
    api.sim.vm_host(api.vm_host_id("lxd-01")).unwrap()
}

#[tokio::test]
async fn compose_accounts_for_resources_and_delete_gives_them_back() {
    let api = Api::start(SimOptions::instant()).await;
    let before = lxd01(&api);
    assert_eq!(
        before.used,
        Resources {
            cores: 4,
            memory: 8192,
            local_storage: 100 * GB
        }
    );

    let composed = api
        .post(
            "vm-hosts/1/?op=compose",
            &[
                ("cores", "4"),
                ("memory", "8192"),
                ("storage", "root:40(fast),data:100"),
                ("hostname", "cp-1"),
                ("pool", "1"),
            ],
        )
        .await
        .ok();
    let id = composed["system_id"].as_str().unwrap().to_string();
    assert_eq!(
        composed["resource_uri"],
        format!("/MAAS/api/2.0/machines/{id}/")
    );
    let machine = api.get(&format!("machines/{id}/")).await.ok();
    assert_eq!(machine["status_name"], "Ready");
    assert_eq!(machine["pod"]["id"], 1);
    assert_eq!(machine["pool"]["name"], "k8s", "explicit pool id");
    assert_eq!(
        machine["zone"]["name"], "default",
        "MAAS composes into the default zone"
    );
    assert_eq!(machine["power_type"], "lxd");
    assert!(
        machine["tag_names"]
            .as_array()
            .unwrap()
            .contains(&Value::from("pod-console-logging"))
    );
    assert_eq!(machine["storage"], 140_000.0);

    let host = api.get("vm-hosts/1/").await.ok();
    assert_eq!(host["used"]["cores"], 8);
    assert_eq!(host["used"]["memory"], 16384);
    assert_eq!(host["used"]["local_storage"], 240 * GB);
    assert_eq!(host["available"]["cores"], 24);
    let pools = host["storage_pools"].as_array().unwrap();
    let fast = pools.iter().find(|p| p["name"] == "fast").unwrap();
    assert_eq!(fast["used"], 40 * GB, "the tag picked the fast pool");
    let default = pools.iter().find(|p| p["name"] == "default").unwrap();
    assert_eq!(
        default["used"],
        200 * GB,
        "untagged disks go to the default pool"
    );

    // Without a pool the composed machine lands in the host's pool.
    let second = api.post("pods/1/?op=compose", &[]).await.ok();
    let second = api.get(second["resource_uri"].as_str().unwrap()).await.ok();
    assert_eq!(second["pool"]["name"], "default");
    assert_eq!(
        (second["cpu_count"].clone(), second["memory"].clone()),
        (1.into(), 2048.into())
    );

    assert_eq!(api.delete(&format!("machines/{id}/")).await.status, 204);
    assert_eq!(
        api.delete(&format!(
            "machines/{}/",
            second["system_id"].as_str().unwrap()
        ))
        .await
        .status,
        204
    );
    assert_eq!(lxd01(&api), before);
}

#[tokio::test]
async fn compose_failures_change_nothing() {
    let api = Api::start(SimOptions::instant()).await;
    let before = lxd01(&api);
    let machines = api.sim.machines().len();

    let too_big = api
        .post(
            "vm-hosts/1/?op=compose",
            &[("cores", "33"), ("memory", "512")],
        )
        .await;
    assert_eq!(too_big.status, 400);
    assert_eq!(too_big.content_type, "application/json; charset=utf-8");
    assert_eq!(
        too_big.json(),
        serde_json::json!({
            "cores": ["Ensure this value is less than or equal to 32."],
            "memory": ["Ensure this value is greater than or equal to 1024."],
        })
    );
    let bad = api
        .post(
            "vm-hosts/1/?op=compose",
            &[
                ("storage", "abc"),
                ("zone", "default"),
                ("hostname", "kvm-01"),
            ],
        )
        .await
        .json();
    assert_eq!(bad["storage"][0], "Malformed storage constraint, \"abc\".");
    assert_eq!(
        bad["zone"][0],
        "Select a valid choice. That choice is not one of the available choices."
    );
    assert_eq!(
        bad["hostname"][0],
        "Node with hostname \"kvm-01\" already exists"
    );

    let disk = api
        .post("vm-hosts/1/?op=compose", &[("storage", "root:1000(fast)")])
        .await;
    assert_eq!(disk.status, 503);
    assert_eq!(disk.header("retry-after"), None);
    assert_eq!(
        disk.body,
        "Unable to compose machine because: Failed talking to pod: Not enough storage space on storage pools: fast"
    );
    // Two disks that each fit but not together.
    let together = api
        .post(
            "vm-hosts/1/?op=compose",
            &[("storage", "root:1000,data:1000")],
        )
        .await;
    assert_eq!(together.status, 503);
    assert!(
        together
            .body
            .ends_with("Not enough space in default storage pool: default")
    );

    assert_eq!(api.sim.machines().len(), machines);
    assert_eq!(lxd01(&api), before);
}

#[tokio::test]
async fn over_commit_ratios_bound_composition() {
    let api = Api::start(SimOptions::instant()).await;
    // lxd-02: 16 cores × 2.0, 65536 MiB × 1.0, nothing used.
    let mut composed = Vec::new();
    for _ in 0..2 {
        let vm = api
            .post(
                "vm-hosts/2/?op=compose",
                &[("cores", "16"), ("memory", "16384")],
            )
            .await
            .ok();
        composed.push(vm["system_id"].as_str().unwrap().to_string());
    }
    let host = api.get("vm-hosts/2/").await.ok();
    assert_eq!(
        host["used"]["cores"], 32,
        "twice the physical cores: ratio 2.0"
    );
    assert_eq!(
        host["available"]["cores"], -16,
        "MAAS reports available without the ratio"
    );
    let before = api.sim.vm_host(2).unwrap();
    let refused = api
        .post(
            "vm-hosts/2/?op=compose",
            &[("cores", "1"), ("memory", "40000")],
        )
        .await;
    assert_eq!(refused.status, 503);
    assert_eq!(refused.content_type, "text/plain; charset=utf-8");
    assert_eq!(
        refused.body,
        "Unable to compose KVM instance in 'lxd-02'. CPU overcommit ratio is 2.0 and there are -16 \
         available resources; 1 requested.Memory overcommit ratio is 1.0 and there are 32768 \
         available resources; 40000 requested."
    );
    assert_eq!(api.sim.vm_host(2).unwrap(), before);

    // Raising the ratio makes room.
    let updated = api
        .send(
            Method::PUT,
            "vm-hosts/2/",
            Some(&api.admin.clone()),
            Body::Form(&[
                ("cpu_over_commit_ratio", "3"),
                ("memory_over_commit_ratio", "1.5"),
            ]),
        )
        .await
        .ok();
    assert_eq!(updated["cpu_over_commit_ratio"], 3.0);
    let ok = api
        .post(
            "vm-hosts/2/?op=compose",
            &[("cores", "8"), ("memory", "40000")],
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let bad_ratio = api
        .send(
            Method::PUT,
            "vm-hosts/2/",
            Some(&api.admin.clone()),
            Body::Form(&[("cpu_over_commit_ratio", "11")]),
        )
        .await;
    assert_eq!(
        bad_ratio.json()["cpu_over_commit_ratio"][0],
        "Ensure this value is less than or equal to 10."
    );
}

#[tokio::test]
async fn register_parameters_tags_and_delete() {
    let api = Api::start(SimOptions::instant()).await;
    let created = api
        .post(
            "vm-hosts/",
            &[
                ("type", "lxd"),
                ("power_address", "10.10.1.9:8443"),
                ("project", "capi"),
                ("password", "trust-me"),
                ("name", "lxd-03"),
                ("zone", "az-1"),
                ("pool", "k8s"),
                ("tags", "edge,ssd-backed"),
            ],
        )
        .await
        .ok();
    assert_eq!(created["type"], "lxd");
    assert_eq!(created["zone"]["name"], "az-1");
    assert_eq!(created["pool"]["name"], "k8s");
    assert_eq!(created["used"]["cores"], 0);
    let tags: Vec<&str> = created["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tags, ["edge", "ssd-backed", "pod-console-logging"]);
    let id = created["id"].as_u64().unwrap();
    let parameters = api.get(&format!("vm-hosts/{id}/?op=parameters")).await.ok();
    assert_eq!(
        parameters,
        serde_json::json!({"power_address": "10.10.1.9:8443", "project": "capi"})
    );
    let non_admin = api
        .send(
            Method::GET,
            &format!("vm-hosts/{id}/?op=parameters"),
            Some(&api.user.clone()),
            Body::None,
        )
        .await;
    assert_eq!(non_admin.status, 403);

    let untrusted = api
        .post(
            "vm-hosts/",
            &[("type", "lxd"), ("power_address", "10.10.1.10")],
        )
        .await;
    assert_eq!(
        (untrusted.status, untrusted.body.as_str()),
        (
            503,
            "Failed talking to VM host: Failed to authenticate to the VM host."
        )
    );
    let invalid = api.post("vm-hosts/", &[("type", "vmware")]).await.json();
    assert_eq!(
        invalid["type"][0],
        "Select a valid choice. vmware is not one of the available choices."
    );
    assert_eq!(invalid["power_address"][0], "This field is required.");

    let tagged = api
        .post(&format!("pods/{id}/?op=add_tag"), &[("tag", "gold")])
        .await
        .ok();
    assert!(
        tagged["tags"]
            .as_array()
            .unwrap()
            .contains(&Value::from("gold"))
    );
    let comma = api
        .post(&format!("pods/{id}/?op=add_tag"), &[("tag", "a,b")])
        .await;
    assert_eq!(
        (comma.status, comma.body.as_str()),
        (400, "Tag may not contain a \",\".")
    );

    api.post(
        &format!("vm-hosts/{id}/?op=compose"),
        &[("hostname", "on-03")],
    )
    .await
    .ok();
    assert!(api.sim.machine_by_hostname("on-03").is_some());
    assert_eq!(
        api.delete(&format!("vm-hosts/{id}/?decompose=true"))
            .await
            .status,
        204
    );
    assert!(
        api.sim.machine_by_hostname("on-03").is_none(),
        "its machines went with it"
    );
    assert_eq!(api.get(&format!("vm-hosts/{id}/")).await.status, 404);
}

#[tokio::test]
async fn vm_hosts_removed_mode_answers_410() {
    let api = Api::start(SimOptions {
        vm_hosts_removed: true,
        ..SimOptions::instant()
    })
    .await;
    for path in ["vm-hosts/", "pods/", "vm-hosts/1/", "pods/1/?op=parameters"] {
        let resp = api.get(path).await;
        assert_eq!(resp.status, 410, "{path}");
        assert_eq!(
            resp.body,
            "VM host (KVM) support has been removed from MAAS."
        );
    }
    assert_eq!(api.post("vm-hosts/1/?op=compose", &[]).await.status, 410);
    // Still behind authentication, and machines still work.
    assert_eq!(
        api.send(Method::GET, "vm-hosts/", None, Body::None)
            .await
            .status,
        401
    );
    assert_eq!(api.get("machines/").await.status, 200);
    // allocate no longer composes on VM hosts.
    let none = api
        .post(
            "machines/?op=allocate",
            &[("tags", "control-plane"), ("zone", "az-2")],
        )
        .await;
    assert_eq!(none.status, 409);
}
