//! Machines over HTTP: listing filters, allocate constraints, the deploy/release state machine,
//! permissions, and the request encodings MAAS accepts.

mod common;

use std::time::{Duration, Instant};

use base64::Engine;
use common::{Api, Body};
use maas_simulator::{MachineStatus, SimOptions};
use reqwest::Method;
use serde_json::Value;

fn hostnames(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| m["hostname"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn list_filters_and_visibility() {
    let api = Api::start(SimOptions::instant()).await;
    let all = api.get("machines/").await.ok();
    assert_eq!(all.as_array().unwrap().len(), 10);
    assert_eq!(
        hostnames(
            &api.get("machines/?hostname=node-01&hostname=node-03")
                .await
                .ok()
        ),
        ["node-01", "node-03"]
    );
    assert_eq!(
        hostnames(&api.get("machines/?zone=az-2&status=ready").await.ok()),
        ["node-03", "node-04"]
    );
    assert_eq!(
        hostnames(&api.get("machines/?tags=gpu").await.ok()),
        ["node-03"]
    );
    assert_eq!(
        hostnames(&api.get("machines/?pod=lxd-01").await.ok()),
        ["vm-registry"]
    );
    assert_eq!(
        hostnames(&api.get("machines/?agent_name=alice-lab").await.ok()),
        ["node-06"]
    );
    let bad = api.get("machines/?zone=nowhere&status=sleeping").await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.content_type, "application/json; charset=utf-8");
    assert_eq!(bad.json()["zone"][0], "No such zone(s): nowhere.");
    assert!(
        bad.json()["status"][0]
            .as_str()
            .unwrap()
            .contains("sleeping")
    );

    // alice sees unowned machines and her own, not admin's.
    let mine = api
        .send(
            Method::GET,
            "machines/",
            Some(&api.user.clone()),
            Body::None,
        )
        .await
        .ok();
    let names = hostnames(&mine);
    assert!(names.contains(&"node-06".to_string()) && names.contains(&"node-01".to_string()));
    assert!(!names.contains(&"kvm-01".to_string()));
    let kvm = api.system_id("kvm-01");
    let denied = api
        .send(
            Method::GET,
            &format!("machines/{kvm}/"),
            Some(&api.user.clone()),
            Body::None,
        )
        .await;
    assert_eq!((denied.status, denied.body.as_str()), (403, ""));
}

#[tokio::test]
async fn deploy_and_release_follow_the_state_machine() {
    let api = Api::start(SimOptions::instant()).await;
    let allocated = api
        .post(
            "machines/?op=allocate",
            &[
                ("cpu_count", "16"),
                ("zone", "az-1"),
                ("agent_name", "capi"),
            ],
        )
        .await
        .ok();
    assert_eq!(allocated["hostname"], "node-02");
    assert_eq!(allocated["status"], 10);
    assert_eq!(allocated["status_name"], "Allocated");
    assert_eq!(allocated["owner"], "admin");
    assert_eq!(allocated["constraints_by_type"], serde_json::json!({}));
    let id = allocated["system_id"].as_str().unwrap().to_string();
    assert_eq!(api.sim.machine(&id).unwrap().agent_name, "capi");

    let user_data = base64::engine::general_purpose::STANDARD.encode("#cloud-config\n");
    let deploying = api
        .post(
            &format!("machines/{id}/?op=deploy"),
            &[("distro_series", "ubuntu/noble"), ("user_data", &user_data)],
        )
        .await
        .ok();
    // The deploy answer always shows Deploying, as MAAS's does; with deploy_time 0 the next
    // request sees Deployed.
    assert_eq!(deploying["status_name"], "Deploying");
    assert_eq!(deploying["osystem"], "ubuntu");
    assert_eq!(deploying["distro_series"], "noble");
    assert_eq!(deploying["hwe_kernel"], "ga-24.04");
    assert_eq!(api.status_of(&id).await, "Deployed");
    let snapshot = api.sim.machine(&id).unwrap();
    assert_eq!(snapshot.user_data.as_deref(), Some(&b"#cloud-config\n"[..]));
    assert!(snapshot.power_on);

    let releasing = api
        .post(&format!("machines/{id}/?op=release"), &[])
        .await
        .ok();
    assert_eq!(releasing["status_name"], "Releasing");
    let ready = api.get(&format!("machines/{id}/")).await.ok();
    assert_eq!(ready["status_name"], "Ready");
    assert_eq!(ready["owner"], Value::Null);
    assert_eq!(ready["osystem"], "");
    // Releasing a Ready machine again is a no-op success.
    assert_eq!(
        api.post(&format!("machines/{id}/?op=release"), &[])
            .await
            .status,
        200
    );

    let new = api.system_id("node-05");
    let refused = api.post(&format!("machines/{new}/?op=release"), &[]).await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.content_type, "text/plain; charset=utf-8");
    assert_eq!(
        refused.body,
        "Machine cannot be released in its current state ('New')."
    );
    let refused = api.post(&format!("machines/{new}/?op=deploy"), &[]).await;
    assert_eq!(
        (refused.status, refused.body.as_str()),
        (409, "Can't deploy a machine that is in the 'New' state")
    );
    let bad_series = api
        .post(
            &format!("machines/{id}/?op=deploy"),
            &[("distro_series", "bionic")],
        )
        .await;
    assert_eq!(bad_series.status, 400);
    assert!(
        bad_series.json()["distro_series"][0]
            .as_str()
            .unwrap()
            .contains("'bionic' is not a valid distro_series")
    );
}

#[tokio::test]
async fn deploy_of_a_ready_machine_allocates_it_and_custom_images_deploy() {
    let api = Api::start(SimOptions::instant()).await;
    let id = api.system_id("node-04");
    let deploying = api
        .post(
            &format!("machines/{id}/op-deploy"),
            &[("distro_series", "custom/rhcos-4.19")],
        )
        .await
        .ok();
    assert_eq!(deploying["owner"], "admin");
    assert_eq!(deploying["osystem"], "custom");
    assert_eq!(deploying["distro_series"], "rhcos-4.19");
    assert_eq!(deploying["hwe_kernel"], Value::Null);
}

#[tokio::test]
async fn deploy_takes_deploy_time() {
    let opts = SimOptions {
        deploy_time: Duration::from_millis(200),
        ..SimOptions::instant()
    };
    let api = Api::start(opts).await;
    let id = api.system_id("node-01");
    api.post(&format!("machines/{id}/?op=deploy"), &[])
        .await
        .ok();
    let started = Instant::now();
    loop {
        let status = api.status_of(&id).await;
        if status == "Deployed" {
            break;
        }
        assert_eq!(status, "Deploying");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never deployed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(api.sim.machine(&id).unwrap().distro_series, "noble");

    // A long deploy is still running right after it started.
    let slow = Api::start(SimOptions {
        deploy_time: Duration::from_secs(3600),
        ..SimOptions::instant()
    })
    .await;
    let id = slow.system_id("node-01");
    slow.post(&format!("machines/{id}/?op=deploy"), &[])
        .await
        .ok();
    assert_eq!(
        slow.sim.machine(&id).unwrap().status,
        MachineStatus::Deploying
    );
}

#[tokio::test]
async fn allocate_constraints_and_conflicts() {
    let api = Api::start(SimOptions {
        allocate_composes: false,
        ..SimOptions::instant()
    })
    .await;
    let none = api
        .post(
            "machines/?op=allocate",
            &[("cpu_count", "64"), ("mem", "2048")],
        )
        .await;
    assert_eq!(none.status, 409);
    assert_eq!(none.content_type, "text/plain; charset=utf-8");
    assert_eq!(
        none.body,
        "No available machine matches constraints: [('cpu_count', ['64']), ('mem', ['2048'])] \
         (resolved to \"cpu_count=64.0 mem=2048.0\")"
    );
    let none = api
        .post("machines/?op=allocate", &[("system_id", "nosuch")])
        .await;
    assert_eq!(none.body, "No machine with system ID nosuch available.");

    let picked = api
        .post(
            "machines/?op=allocate",
            &[
                ("tags", "nvme,control-plane"),
                ("pool", "k8s"),
                ("storage", "root:500(ssd),data:900"),
            ],
        )
        .await
        .ok();
    assert_eq!(picked["hostname"], "node-02");
    let storage = &picked["constraints_by_type"]["storage"];
    assert!(
        storage["root"].is_array() && storage["data"].is_array(),
        "{storage}"
    );

    let not_tags = api
        .post(
            "machines/?op=allocate",
            &[("not_tags", "gpu"), ("zone", "az-2")],
        )
        .await
        .ok();
    assert_eq!(not_tags["hostname"], "node-04");

    let by_name = api
        .post(
            "machines/?op=allocate",
            &[("name", "node-03.maas"), ("dry_run", "true")],
        )
        .await
        .ok();
    assert_eq!(by_name["hostname"], "node-03");
    assert_eq!(by_name["status_name"], "Ready", "dry_run allocates nothing");

    // Everything Ready is taken now except node-01 and node-03; nothing has 1000 cores.
    let invalid = api
        .post(
            "machines/?op=allocate",
            &[("zone", "nowhere"), ("tags", "nosuchtag")],
        )
        .await;
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.json()["zone"][0], "No such zone(s): nowhere.");
    assert_eq!(invalid.json()["tags"][0], "No such tag(s): 'nosuchtag'.");
    let malformed = api
        .post("machines/?op=allocate", &[("storage", "abc")])
        .await;
    assert_eq!(
        malformed.json()["storage"][0],
        "Malformed storage constraint, \"abc\"."
    );
}

#[tokio::test]
async fn allocate_composes_on_a_vm_host_and_release_decomposes() {
    let api = Api::start(SimOptions::instant()).await;
    let before = api.sim.vm_host(2).unwrap().used;
    // No bare-metal machine in az-2 has 12 cores and the control-plane tag; lxd-02 has it.
    let composed = api
        .post(
            "machines/?op=allocate",
            &[
                ("tags", "control-plane"),
                ("zone", "az-2"),
                ("cpu_count", "12"),
                ("mem", "8192"),
            ],
        )
        .await
        .ok();
    assert_eq!(composed["pod"]["name"], "lxd-02");
    assert_eq!(composed["status_name"], "Allocated");
    assert_eq!(composed["cpu_count"], 12);
    let id = composed["system_id"].as_str().unwrap().to_string();
    assert!(api.sim.machine(&id).unwrap().dynamic);
    assert_eq!(api.sim.vm_host(2).unwrap().used.cores, before.cores + 12);

    api.post(&format!("machines/{id}/?op=release"), &[])
        .await
        .ok();
    assert_eq!(api.get(&format!("machines/{id}/")).await.status, 404);
    assert_eq!(api.sim.vm_host(2).unwrap().used, before);
}

#[tokio::test]
async fn op_forms_and_body_encodings_agree() {
    let api = Api::start(SimOptions::instant()).await;
    let admin = api.admin.clone();
    for path in ["users/?op=whoami", "users/op-whoami", "users/op-whoami/"] {
        assert_eq!(api.get(path).await.ok()["username"], "admin", "{path}");
    }
    // op may also travel in a POST body.
    let in_body = api
        .send(
            Method::POST,
            "machines/",
            Some(&admin),
            Body::Form(&[("op", "allocate"), ("hostname", "x"), ("name", "node-01")]),
        )
        .await
        .ok();
    assert_eq!(in_body["hostname"], "node-01");

    let multipart = api
        .send(
            Method::POST,
            "machines/op-allocate",
            Some(&admin),
            Body::Multipart(&[("name", "node-03"), ("agent_name", "mp")]),
        )
        .await
        .ok();
    assert_eq!(multipart["hostname"], "node-03");
    assert_eq!(
        api.sim.machine_by_hostname("node-03").unwrap().agent_name,
        "mp"
    );

    // What python-libmaas sends: base64 parts under a quoted boundary.
    let boundary = "===============0123456789==";
    let part = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: form-data; \
             name=\"{name}\"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"utf-8\"\r\n\r\n{}\r\n\r\n",
            base64::engine::general_purpose::STANDARD.encode(value)
        )
    };
    let body = format!(
        "{}{}--{boundary}--",
        part("name", "node-04"),
        part("agent_name", "b64")
    );
    let libmaas = api
        .send(
            Method::POST,
            "machines/?op=allocate",
            Some(&admin),
            Body::Raw(
                &format!("multipart/form-data; boundary=\"{boundary}\""),
                body.into_bytes(),
            ),
        )
        .await
        .ok();
    assert_eq!(libmaas["hostname"], "node-04");
    assert_eq!(
        api.sim.machine_by_hostname("node-04").unwrap().agent_name,
        "b64"
    );

    let broken = api
        .send(
            Method::POST,
            "machines/?op=allocate",
            Some(&admin),
            Body::Raw("multipart/form-data; boundary=x", b"--x\r\nno end".to_vec()),
        )
        .await;
    assert_eq!(broken.status, 400);
}

#[tokio::test]
async fn routing_errors_and_permissions() {
    let api = Api::start(SimOptions::instant()).await;
    let missing = api.get("machines/nosuch/").await;
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (404, "No Machine matches the given query.")
    );
    assert_eq!(missing.content_type, "text/plain");
    assert_eq!(
        api.get("zones/nowhere/").await.body,
        "No Zone matches the given query."
    );
    assert_eq!(
        api.get("resourcepool/77/").await.body,
        "No ResourcePool matches the given query."
    );
    assert_eq!(
        api.get("vm-hosts/77/").await.body,
        "No Pod matches the given query."
    );
    let unknown = api.get("frobnicators/").await;
    assert_eq!(
        (unknown.status, unknown.body.as_str()),
        (404, "Unknown API endpoint: /MAAS/api/2.0/frobnicators/.")
    );
    assert_eq!(
        api.get("machines").await.status,
        404,
        "MAAS paths end in a slash"
    );
    let op = api.get("machines/?op=frobnicate").await;
    assert_eq!(
        (op.status, op.body.as_str()),
        (400, "Unrecognised signature: method=GET op=frobnicate")
    );
    let wrong_method = api.get("machines/?op=allocate").await;
    assert_eq!(
        wrong_method.body,
        "Unrecognised signature: method=GET op=allocate"
    );
    let put = api
        .send(
            Method::PUT,
            "machines/",
            Some(&api.admin.clone()),
            Body::None,
        )
        .await;
    assert_eq!(put.body, "Unrecognised signature: method=PUT op=None");

    let admin_only = api.post_as_user("vm-hosts/1/?op=compose", &[]).await;
    assert_eq!(admin_only.status, 403);
    assert_eq!(admin_only.body, "This method is reserved for admin users.");
    assert_eq!(admin_only.content_type, "text/plain; charset=utf-8");
    let id = api.system_id("node-01");
    let delete = api
        .send(
            Method::DELETE,
            &format!("machines/{id}/"),
            Some(&api.user.clone()),
            Body::None,
        )
        .await;
    assert_eq!((delete.status, delete.body.as_str()), (403, ""));
    let deleted = api.delete(&format!("machines/{id}/")).await;
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    assert!(api.sim.machine(&id).is_none());

    // A user may deploy an unowned Ready machine; it becomes theirs.
    let free = api.system_id("node-03");
    let deployed = api
        .post_as_user(&format!("machines/{free}/?op=deploy"), &[])
        .await
        .ok();
    assert_eq!(deployed["owner"], "alice");
    // Deleting a VM host's machine needs force.
    let kvm = api.system_id("kvm-02");
    let refused = api.delete(&format!("machines/{kvm}/")).await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        api.delete(&format!("machines/{kvm}/?force=1")).await.status,
        204
    );
    assert!(api.sim.vm_host(2).is_none());
}

#[tokio::test]
async fn catalog_crud() {
    let api = Api::start(SimOptions::instant()).await;
    let zone = api
        .post("zones/", &[("name", "az-3"), ("description", "Rack C")])
        .await
        .ok();
    assert_eq!(zone["resource_uri"], "/MAAS/api/2.0/zones/az-3/");
    let dup = api.post("zones/", &[("name", "az-3")]).await;
    assert_eq!(dup.json()["name"][0], "Zone with this Name already exists.");
    assert_eq!(api.delete("zones/default/").await.status, 400);
    assert_eq!(api.delete("zones/az-3/").await.status, 204);
    let pool = api.post("resourcepools/", &[("name", "gpu")]).await.ok();
    assert_eq!(
        pool["resource_uri"],
        format!("/MAAS/api/2.0/resourcepool/{}/", pool["id"])
    );
    let tag = api
        .post("tags/", &[("name", "fast"), ("comment", "quick")])
        .await
        .ok();
    assert_eq!(tag["comment"], "quick");
    let id = api.system_id("node-01");
    let updated = api
        .post("tags/fast/?op=update_nodes", &[("add", &id)])
        .await
        .ok();
    assert_eq!(updated, serde_json::json!({"added": 1, "removed": 0}));
    assert_eq!(
        hostnames(&api.get("tags/fast/?op=machines").await.ok()),
        ["node-01"]
    );
    let non_admin = api.post_as_user("tags/", &[("name", "x")]).await;
    assert_eq!(non_admin.status, 403);
    assert_eq!(api.get("users/").await.ok().as_array().unwrap().len(), 2);
    assert_eq!(api.get("users/alice/").await.ok()["is_superuser"], false);
}
