//! The scenario `maas-simulator/tests/python/libmaas_scenario.py` runs with python-libmaas,
//! step by step with the same assertions, run with our client against an in-process simulator
//! (started with the options `maas-simulator/tests/python_libmaas.rs` uses).
//!
//! Differences, all forced by the client's API rather than chosen:
//! - `connect` builds the client; ours needs no `describe/` round trip.
//! - `login` trades the username and password for a key with a raw POST to
//!   `/MAAS/accounts/authenticate/` (the client has no password login), then uses that key.
//! - `pods.create/delete` registers an LXD host (the client only registers LXD, with
//!   certificate auth here) where the script creates a virsh pod.

use std::future::Future;
use std::sync::Once;
use std::time::{Duration, Instant};

use maas_client::types::{Machine, VmHost};
use maas_client::{
    AllocateConstraints, ApiKey, ClientOptions, ComposeRequest, DeployOptions, LxdAuth, MaasClient,
    MaasEndpoint, MaasError, MachineFilter, RegisterLxdHost, ReleaseOptions, RetryPolicy,
    SecretString, StorageSpec,
};
use maas_simulator::{MachineStatus, SimHandle, testing};

/// Seconds between polls while waiting for deploy/release, as in the script.
const WAIT: Duration = Duration::from_millis(200);
/// Bound on any wait for a status; deploy takes 0.6 s in the simulator.
const WAIT_LIMIT: Duration = Duration::from_secs(15);

// MAAS's NodeStatus codes (python-libmaas `maas.client.enum.NodeStatus`).
const READY: i64 = 4;
const DEPLOYED: i64 = 6;
const DEPLOYING: i64 = 9;
const ALLOCATED: i64 = 10;
const RELEASING: i64 = 12;

async fn start_simulator() -> SimHandle {
    // The options python_libmaas.rs gives the Python scenario: the deploy/release waits really poll.
    testing::start(testing::polling_options()).await
}

fn client_for(sim: &SimHandle, key: &str) -> MaasClient {
    let options = ClientOptions {
        timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
        },
        ..ClientOptions::default()
    };
    MaasClient::new(
        MaasEndpoint::parse(&sim.base_url()).unwrap(),
        ApiKey::parse(key).unwrap(),
        options,
    )
    .unwrap()
}

/// Runs one named step and prints a line like the Python script does.
async fn step<F: Future<Output = String>>(name: &str, f: F) {
    let detail = f.await;
    println!("ok   {name}: {detail}");
}

/// Polls `system_id` until its status code is `want`, allowing only `passing` on the way;
/// bounded by `WAIT_LIMIT`. Returns the machine and the statuses seen.
async fn wait_for_status(
    client: &MaasClient,
    system_id: &str,
    passing: i64,
    want: i64,
) -> (Machine, Vec<String>) {
    let started = Instant::now();
    let mut seen: Vec<String> = Vec::new();
    loop {
        let machine = client.machine(system_id).await.unwrap();
        if seen.last() != Some(&machine.status_name) {
            seen.push(machine.status_name.clone());
        }
        match machine.status {
            Some(s) if s == want => return (machine, seen),
            Some(s) if s == passing => {}
            other => panic!(
                "{system_id}: unexpected status {other:?} ({}) waiting for {want}; seen {seen:?}",
                machine.status_name
            ),
        }
        assert!(
            started.elapsed() < WAIT_LIMIT,
            "{system_id} still {} after {WAIT_LIMIT:?}; seen {seen:?}",
            machine.status_name
        );
        tokio::time::sleep(WAIT).await;
    }
}

/// `POST /MAAS/accounts/authenticate/`, what python-libmaas `login()` does: a new key.
async fn login(sim: &SimHandle, username: &str, password: &str) -> String {
    static CRYPTO: Once = Once::new();
    // reqwest is built without a TLS provider in this workspace; give rustls one.
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    let http = reqwest::Client::builder().build().unwrap();
    let answer: serde_json::Value = http
        .post(format!("http://{}/MAAS/accounts/authenticate/", sim.addr()))
        .form(&[
            ("username", username),
            ("password", password),
            ("consumer", "scenario"),
        ])
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    let part = |k: &str| answer[k].as_str().unwrap().to_string();
    format!(
        "{}:{}:{}",
        part("consumer_key"),
        part("token_key"),
        part("token_secret")
    )
}

fn lxd_01(hosts: &[VmHost]) -> &VmHost {
    hosts.iter().find(|h| h.name == "lxd-01").expect("lxd-01")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_scenario_as_python_libmaas() {
    let sim = start_simulator().await;

    // connect
    let client = client_for(&sim, &sim.api_key());
    println!("ok   connect: built the client for {}", client.endpoint());

    step("login", async {
        let key = login(&sim, "admin", "admin").await;
        assert_ne!(key, sim.api_key(), "login issues a new key");
        let me = client_for(&sim, &key).whoami().await.unwrap();
        assert_eq!(me.username, "admin", "logged in as {}", me.username);
        format!("logged in as {} with a password", me.username)
    })
    .await;

    step("version", async {
        let version = client.version().await.unwrap();
        assert_eq!(version.version, "3.7.3", "version {}", version.version);
        // python-libmaas derives version_info from the version text.
        let info: Vec<u32> = version
            .version
            .split('.')
            .map(|p| p.parse().unwrap())
            .collect();
        assert_eq!(info, [3, 7, 3], "version_info {info:?}");
        assert!(
            version.capabilities.iter().any(|c| c == "authenticate-api"),
            "capabilities {:?}",
            version.capabilities
        );
        format!(
            "{}, {} capabilities",
            version.version,
            version.capabilities.len()
        )
    })
    .await;

    step("users.whoami", async {
        let me = client.whoami().await.unwrap();
        assert!(
            me.username == "admin" && me.is_superuser,
            "whoami {} {}",
            me.username,
            me.is_superuser
        );
        format!("{} (admin={})", me.username, me.is_superuser)
    })
    .await;

    let mut default_zone_id = None;
    step("zones", async {
        let mut names: Vec<String> = client
            .zones()
            .await
            .unwrap()
            .into_iter()
            .map(|z| z.name)
            .collect();
        names.sort();
        assert_eq!(names, ["az-1", "az-2", "default"], "zones {names:?}");
        let zone = client.zone("az-1").await.unwrap();
        assert_eq!(zone.description, "Rack A (row 1)", "az-1 description");
        default_zone_id = Some(client.zone("default").await.unwrap().id);
        names.join(", ")
    })
    .await;
    let default_zone_id = default_zone_id.unwrap();

    step("resource_pools", async {
        let pools: Vec<(u64, String)> = client
            .resource_pools()
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        assert!(
            pools.contains(&(0, "default".to_string())) && pools.iter().any(|(_, n)| n == "k8s"),
            "pools {pools:?}"
        );
        assert_eq!(client.resource_pool(0).await.unwrap().name, "default");
        format!("{pools:?}")
    })
    .await;

    step("machines.list/get", async {
        let machines = client.machines(&MachineFilter::default()).await.unwrap();
        assert!(machines.len() >= 8, "{} machines", machines.len());
        let status_of = |hostname: &str| {
            machines
                .iter()
                .find(|m| m.hostname == hostname)
                .and_then(|m| m.status)
        };
        assert_eq!(status_of("node-01"), Some(READY), "node-01 is Ready");
        assert_eq!(status_of("kvm-01"), Some(DEPLOYED), "kvm-01 is Deployed");
        let picked = client
            .machines(&MachineFilter {
                hostnames: vec!["node-01".into(), "node-02".into()],
                ..MachineFilter::default()
            })
            .await
            .unwrap();
        let mut names: Vec<&str> = picked.iter().map(|m| m.hostname.as_str()).collect();
        names.sort();
        assert_eq!(names, ["node-01", "node-02"], "hostname filter");
        let node = client.machine(&picked[0].system_id).await.unwrap();
        assert!(
            node.zone_name() == Some("az-1") && node.cpu_count >= 1,
            "machine read: {:?} {}",
            node.zone_name(),
            node.cpu_count
        );
        format!("{} machines, hostname filter and get work", machines.len())
    })
    .await;

    let mut allocated: Option<Machine> = None;
    step("machines.allocate", async {
        let machine = client
            .allocate(&AllocateConstraints {
                cpu_count: Some(8),
                mem: Some(16384),
                tags: vec!["control-plane".into()],
                zone: Some("az-1".into()),
                comment: Some("libmaas scenario".into()),
                ..AllocateConstraints::default()
            })
            .await
            .unwrap();
        assert_eq!(
            machine.status,
            Some(ALLOCATED),
            "status {}",
            machine.status_name
        );
        assert_eq!(machine.status_name, "Allocated");
        assert_eq!(machine.owner.as_deref(), Some("admin"), "owner");
        assert!(
            machine.cpu_count >= 8 && machine.memory >= 16384,
            "constraints honoured"
        );
        assert!(machine.has_tag("control-plane"), "tag constraint");
        let detail = format!("{} ({}) Allocated", machine.hostname, machine.system_id);
        allocated = Some(machine);
        detail
    })
    .await;
    let allocated = allocated.unwrap();

    step("machines.allocate (no match)", async {
        let err = client
            .allocate(&AllocateConstraints {
                cpu_count: Some(512),
                ..AllocateConstraints::default()
            })
            .await
            .expect_err("allocate(cpus=512) succeeded");
        assert!(matches!(err, MaasError::NoMachineMatches { .. }), "{err:?}");
        assert_eq!(err.status(), Some(409));
        "cpu_count=512 -> NoMachineMatches (HTTP 409)".to_string()
    })
    .await;

    step("machine.deploy (wait)", async {
        let id = &allocated.system_id;
        let deploying = client
            .deploy(
                id,
                &DeployOptions {
                    user_data: Some(b"#cloud-config\npackages: [jq]\n".to_vec()),
                    distro_series: Some("jammy".into()),
                    ..DeployOptions::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            deploying.status,
            Some(DEPLOYING),
            "{}",
            deploying.status_name
        );
        let (machine, seen) = wait_for_status(&client, id, DEPLOYING, DEPLOYED).await;
        assert_eq!(seen, ["Deploying", "Deployed"], "polled through Deploying");
        assert!(
            machine.osystem == "ubuntu" && machine.distro_series == "jammy",
            "series {}/{}",
            machine.osystem,
            machine.distro_series
        );
        assert_eq!(
            machine.ip_addresses.len(),
            1,
            "ip_addresses {:?}",
            machine.ip_addresses
        );
        // The user data reached MAAS as sent.
        assert_eq!(
            sim.machine(id).unwrap().user_data.as_deref(),
            Some(&b"#cloud-config\npackages: [jq]\n"[..])
        );
        format!(
            "{} Deployed ubuntu/{} at {}",
            machine.hostname, machine.distro_series, machine.ip_addresses[0]
        )
    })
    .await;

    step("machine.release (wait)", async {
        let id = &allocated.system_id;
        let releasing = client
            .release(
                id,
                &ReleaseOptions {
                    comment: Some("libmaas scenario done".into()),
                    ..ReleaseOptions::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            releasing.status,
            Some(RELEASING),
            "{}",
            releasing.status_name
        );
        let (machine, seen) = wait_for_status(&client, id, RELEASING, READY).await;
        assert_eq!(seen, ["Releasing", "Ready"], "polled through Releasing");
        assert_eq!(machine.owner, None, "owner {:?}", machine.owner);
        format!("{} Ready again", machine.hostname)
    })
    .await;

    let mut pod: Option<VmHost> = None;
    step("pods.list/get", async {
        let hosts = client.vm_hosts().await.unwrap();
        let mut names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["lxd-01", "lxd-02"], "pod names");
        let host = client.vm_host(lxd_01(&hosts).id).await.unwrap();
        assert_eq!(host.type_, "lxd", "type {}", host.type_);
        assert!(
            host.total.cores == 32 && host.cpu_over_commit_ratio == 4.0,
            "totals {:?} {}",
            host.total,
            host.cpu_over_commit_ratio
        );
        assert_eq!(host.used.cores, 4, "used {:?}", host.used);
        assert!(host.has_capability("composable"), "capabilities");
        assert_eq!(host.zone_name(), Some("az-1"), "zone");
        let detail = format!(
            "{} pods; lxd-01 used {}/{} cores",
            hosts.len(),
            host.used.cores,
            host.total.cores
        );
        pod = Some(host);
        detail
    })
    .await;
    let pod = pod.unwrap();

    step("pod.parameters", async {
        let parameters = client.vm_host_parameters(pod.id).await.unwrap();
        assert_eq!(
            parameters.power_address(),
            Some("10.10.1.2:8443"),
            "{parameters:?}"
        );
        assert_eq!(
            parameters.get_str("project"),
            Some("maas"),
            "{parameters:?}"
        );
        format!(
            "power_address {}, project {}",
            parameters.power_address().unwrap(),
            parameters.get_str("project").unwrap()
        )
    })
    .await;

    let mut composed: Option<Machine> = None;
    step("pod.compose", async {
        let request = ComposeRequest {
            storage: vec![StorageSpec::new("root", 20).in_pool("default")],
            hostname: Some("scenario-vm".into()),
            zone: Some(default_zone_id),
            ..ComposeRequest::new(2, 4096)
        };
        let answer = client.compose(pod.id, &request).await.unwrap();
        assert!(
            !answer.system_id.is_empty() && answer.resource_uri.contains(&answer.system_id),
            "{answer:?}"
        );
        let machine = client.machine(&answer.system_id).await.unwrap();
        assert_eq!(machine.hostname, "scenario-vm", "hostname");
        assert_eq!(
            machine.status,
            Some(READY),
            "status {}",
            machine.status_name
        );
        assert!(
            machine.cpu_count == 2 && machine.memory == 4096,
            "size {} {}",
            machine.cpu_count,
            machine.memory
        );
        assert_eq!(machine.vm_host_id(), Some(pod.id));
        let host = client.vm_host(pod.id).await.unwrap();
        assert!(
            host.used.cores == 6 && host.used.memory == 8192 + 4096,
            "used {:?}",
            host.used
        );
        let detail = format!(
            "{} ({}) Ready; pod used {} cores",
            machine.hostname, machine.system_id, host.used.cores
        );
        composed = Some(machine);
        detail
    })
    .await;
    let composed = composed.unwrap();

    step("pod.compose (too big)", async {
        let machines_before = sim.machines().len();
        let err = client
            .compose(pod.id, &ComposeRequest::new(64, 2048))
            .await
            .expect_err("compose(cores=64) succeeded");
        let MaasError::BadRequest { field_errors, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(err.status(), Some(400));
        let cores = field_errors.get("cores").unwrap_or_default();
        assert!(
            cores.iter().any(|m| m.contains("less than or equal to 32")),
            "{err}"
        );
        let after = client.vm_host(pod.id).await.unwrap();
        assert_eq!(after.used.cores, 6, "nothing leaked: {:?}", after.used);
        assert_eq!(sim.machines().len(), machines_before, "no machine added");
        format!("cores=64 -> HTTP 400 {err}")
    })
    .await;

    step("machine.delete (composed)", async {
        client.delete_machine(&composed.system_id).await.unwrap();
        let host = client.vm_host(pod.id).await.unwrap();
        assert!(
            host.used.cores == 4 && host.used.memory == 8192,
            "used {:?}",
            host.used
        );
        let machines = client.machines(&MachineFilter::default()).await.unwrap();
        assert!(
            machines.iter().all(|m| m.hostname != "scenario-vm"),
            "machine gone"
        );
        format!(
            "scenario-vm decomposed; pod used back to {} cores",
            host.used.cores
        )
    })
    .await;

    step("pods.create/delete", async {
        let request = RegisterLxdHost {
            name: Some("scenario-lxd".into()),
            zone: Some("az-2".into()),
            ..RegisterLxdHost::new(
                "10.10.1.9:8443",
                LxdAuth::Certificate {
                    certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
                        .into(),
                    key: SecretString::new(
                        "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
                    ),
                },
            )
        };
        let host = client.register_lxd_vm_host(&request).await.unwrap();
        assert!(
            host.type_ == "lxd" && host.zone_name() == Some("az-2"),
            "{} {:?}",
            host.type_,
            host.zone_name()
        );
        client.delete_vm_host(host.id, false).await.unwrap();
        let names: Vec<String> = client
            .vm_hosts()
            .await
            .unwrap()
            .into_iter()
            .map(|h| h.name)
            .collect();
        assert!(!names.iter().any(|n| n == "scenario-lxd"), "pods {names:?}");
        format!("created and deleted VM host {}", host.id)
    })
    .await;

    println!("rust maas-client scenario passed");

    // The same end-of-run checks python_libmaas.rs makes on the simulator's side.
    let ops: Vec<(String, Option<String>)> = sim
        .requests()
        .into_iter()
        .map(|r| (r.method, r.op))
        .collect();
    for (method, op) in [
        ("POST", "allocate"),
        ("POST", "deploy"),
        ("POST", "release"),
        ("POST", "compose"),
        ("GET", "parameters"),
        ("GET", "whoami"),
    ] {
        assert!(
            ops.contains(&(method.to_string(), Some(op.to_string()))),
            "no {method} op={op} in {ops:?}"
        );
    }
    // Everything went through vm-hosts/, never the deprecated pods/ alias.
    assert!(
        sim.requests().iter().all(|r| !r.path.contains("/pods/")),
        "pods/ used"
    );
    let node = sim.machine(&allocated.system_id).unwrap();
    assert_eq!(node.status, MachineStatus::Ready);
    assert_eq!(node.owner, None);
    assert!(sim.machine_by_hostname("scenario-vm").is_none());
    let hosts = sim.vm_hosts();
    let lxd = hosts.iter().find(|h| h.name == "lxd-01").unwrap();
    assert_eq!(lxd.used.cores, 4);
    assert_eq!(hosts.len(), 2, "the scenario's extra VM host was deleted");
    sim.shutdown().await;
}
