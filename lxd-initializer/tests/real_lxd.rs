//! `lxd init` and `lxd register` against the real LXD daemon of this machine and the MAAS
//! simulator, twice each: the first run creates, the second changes nothing. The daemon's state
//! is checked with `lxc` (LXD's own client) where it is installed, else by raw reads.
//!
//! Without a usable LXD the test skips with the reason, except under `CI=true`, where it fails
//! with it (CI installs and starts Debian's LXD 5.0, see `.ci/run`). Every object gets a name
//! unique to this run and is deleted at the end; `core.https_address` is put back.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use futures::FutureExt;
use lxd_initializer::daemon;
use lxd_initializer::init::network::NetworkSpec;
use lxd_initializer::init::storage::StoragePoolSpec;
use lxd_initializer::init::trust;
use lxd_initializer::init::{self, InitSpec};
use lxd_initializer::register::{self, RegisterSpec, RegisterTrust};
use lxd_initializer::{Change, LxdClient, LxdError, Server, changed};
use maas_client::{ApiKey, ClientOptions, MaasClient, MaasEndpoint, MaasError, RetryPolicy};
use maas_simulator::{SimOptions, testing};
use serde_json::{Value, json};

/// A reachable daemon, started here when the binary is installed but not running.
async fn lxd_or_skip() -> Option<LxdClient> {
    let client = LxdClient::new(LxdClient::default_socket()).unwrap();
    let reason = match Server::read(&client).await {
        Ok(_) => return Some(client),
        Err(first) => match start_lxd() {
            Ok(()) => match Server::read(&client).await {
                Ok(_) => return Some(client),
                Err(e) => format!("LXD started but does not answer: {e}"),
            },
            Err(why) => format!("{first}; starting it failed: {why}"),
        },
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true and LXD cannot start: {reason}");
    }
    eprintln!("skipping the real-LXD test: {reason} (apt-get install -y lxd iptables)");
    None
}

/// `lxd --group root` in the background (it outlives the test: it is the machine's LXD), then
/// `lxd waitready`, as toolchain-facts describes.
fn start_lxd() -> Result<(), String> {
    let log = std::env::temp_dir().join("hosted-cluster-lxd.log");
    Command::new("lxd")
        .args(["--group", "root", "--logfile"])
        .arg(&log)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run lxd: {e}"))?;
    let status = Command::new("lxd")
        .args(["waitready", "--timeout=60"])
        .status()
        .map_err(|e| format!("cannot run lxd waitready: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("lxd waitready failed; see {}", log.display()))
    }
}

/// `lxc query PATH` (LXD's own client), or our raw GET when lxc is missing.
async fn query(client: &LxdClient, path: &str) -> Value {
    if let Ok(out) = Command::new("lxc").args(["query", path]).output()
        && out.status.success()
    {
        return serde_json::from_slice(&out.stdout).expect("lxc query prints JSON");
    }
    client.get("query", path).await.unwrap()
}

fn maas_client(sim: &maas_simulator::SimHandle) -> MaasClient {
    MaasClient::new(
        MaasEndpoint::parse(&sim.base_url()).unwrap(),
        ApiKey::parse(&sim.api_key()).unwrap(),
        ClientOptions {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(2),
            retry: RetryPolicy::none(),
        },
    )
    .unwrap()
}

struct Names {
    pool: String,
    bridge: String,
    macvlan: String,
    profile: String,
    trust: String,
}

impl Names {
    fn new() -> Self {
        let id = std::process::id() % 100_000;
        Self {
            pool: format!("hct-pool-{id}"),
            bridge: format!("hctbr{id}"),
            macvlan: format!("hctmv{id}"),
            profile: format!("hct-maas-{id}"),
            trust: format!("hct-maas-{id}"),
        }
    }
}

async fn cleanup(client: &LxdClient, n: &Names, https: &str, fingerprint: Option<&str>) {
    let _ = client
        .delete("cleanup", &format!("/1.0/profiles/{}", n.profile))
        .await;
    for net in [&n.bridge, &n.macvlan] {
        let _ = client
            .delete("cleanup", &format!("/1.0/networks/{net}"))
            .await;
    }
    let _ = client
        .delete("cleanup", &format!("/1.0/storage-pools/{}", n.pool))
        .await;
    if let Some(f) = fingerprint {
        let _ = client
            .delete("cleanup", &format!("/1.0/certificates/{f}"))
            .await;
    }
    let ops: Value = client
        .get("cleanup", "/1.0/operations?recursion=1")
        .await
        .unwrap();
    for op in ops["running"].as_array().into_iter().flatten() {
        if op["metadata"]["request"]["name"] == json!(n.trust) {
            let id = op["id"].as_str().unwrap();
            let _ = client
                .delete("cleanup", &format!("/1.0/operations/{id}"))
                .await;
        }
    }
    let _ = client
        .send(
            "cleanup",
            reqwest::Method::PATCH,
            "/1.0",
            &json!({"config": {"core.https_address": https}}),
        )
        .await;
}

/// A throwaway self-signed certificate from `openssl`, if it is installed.
fn certificate(dir: &std::path::Path) -> Option<(PathBuf, PathBuf)> {
    let (cert, key) = (dir.join("client.crt"), dir.join("client.key"));
    let ok = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args([
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=hosted-cluster-test",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some((cert, key))
}

#[tokio::test]
async fn init_and_register_against_the_real_daemon_twice() {
    let Some(client) = lxd_or_skip().await else {
        return;
    };
    let n = Names::new();
    let before = Server::read(&client).await.unwrap();
    let old_https = before.config_str("core.https_address");
    let dir = std::env::temp_dir().join(format!("hct-lxd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = certificate(&dir);
    if cert.is_none() {
        eprintln!("openssl is missing: the certificate trust step is not exercised");
    }
    let fingerprint = cert
        .as_ref()
        .map(|(c, _)| trust::Certificate::read(c).unwrap().fingerprint);
    let subnet = 20 + std::process::id() % 200;
    let spec = InitSpec {
        storage: StoragePoolSpec {
            name: n.pool.clone(),
            driver: "dir".into(),
            size_gb: None,
        },
        network: NetworkSpec::Bridge {
            name: n.bridge.clone(),
            ipv4: format!("10.213.{subnet}.1/24"),
        },
        profile: n.profile.clone(),
        https_address: "127.0.0.1:18443".into(),
        trust_certificate: cert.as_ref().map(|(c, _)| (n.trust.clone(), c.clone())),
        trust_password: None,
    };

    let result = std::panic::AssertUnwindSafe(async {
        // init, twice: everything created, then nothing changed.
        let first = init::run(&client, &spec).await.unwrap();
        // The HTTPS address is global to the daemon: it may already be what we ask.
        assert!(
            first
                .iter()
                .filter(|s| s.step != "https-address")
                .all(|s| s.change == Change::Created),
            "{first:#?}"
        );
        let second = init::run(&client, &spec).await.unwrap();
        assert!(
            !changed(&second),
            "second init changed something: {second:#?}"
        );
        assert_eq!(first.len(), second.len());

        // The daemon's real state.
        let pool = query(&client, &format!("/1.0/storage-pools/{}", n.pool)).await;
        assert_eq!(pool["driver"], "dir");
        let net = query(&client, &format!("/1.0/networks/{}", n.bridge)).await;
        assert_eq!(net["type"], "bridge");
        assert_eq!(net["managed"], true);
        assert_eq!(
            net["config"]["ipv4.address"],
            format!("10.213.{subnet}.1/24")
        );
        let profile = query(&client, &format!("/1.0/profiles/{}", n.profile)).await;
        assert_eq!(
            profile["devices"]["root"],
            json!({"type": "disk", "path": "/", "pool": n.pool})
        );
        assert_eq!(
            profile["devices"]["eth0"],
            json!({"type": "nic", "name": "eth0", "network": n.bridge})
        );
        let server = query(&client, "/1.0").await;
        assert_eq!(server["config"]["core.https_address"], "127.0.0.1:18443");
        if let Some(f) = &fingerprint {
            let trusted = query(&client, "/1.0/certificates?recursion=1").await;
            assert!(
                trusted
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["fingerprint"] == json!(f)),
                "certificate {f} not in the trust store"
            );
        }

        // A drifted profile is put back (and only that).
        client
            .send(
                "drift",
                reqwest::Method::PATCH,
                &format!("/1.0/profiles/{}", n.profile),
                &json!({"devices": {"root": {"type": "disk", "path": "/", "pool": "elsewhere"}}}),
            )
            .await
            .unwrap();
        let third = init::run(&client, &spec).await.unwrap();
        let drifted: Vec<_> = third
            .iter()
            .filter(|s| s.change != Change::Unchanged)
            .collect();
        assert_eq!(drifted.len(), 1, "{third:#?}");
        assert_eq!(drifted[0].step, "profile");
        assert_eq!(drifted[0].change, Change::Updated);

        // A macvlan network on the default-route interface, created once.
        if let Ok(route) = lxd_initializer::route::default_route() {
            let macvlan = InitSpec {
                network: NetworkSpec::Macvlan {
                    name: n.macvlan.clone(),
                    parent: route.interface.clone(),
                },
                trust_certificate: None,
                ..spec.clone()
            };
            let a = init::run(&client, &macvlan).await.unwrap();
            let b = init::run(&client, &macvlan).await.unwrap();
            assert_eq!(a[1].change, Change::Created, "{a:#?}");
            assert!(!changed(&b), "{b:#?}");
            let net = query(&client, &format!("/1.0/networks/{}", n.macvlan)).await;
            assert_eq!(net["type"], "macvlan");
            assert_eq!(net["config"]["parent"], json!(route.interface));
            let profile = query(&client, &format!("/1.0/profiles/{}", n.profile)).await;
            assert_eq!(profile["devices"]["eth0"]["network"], json!(n.macvlan));
        }

        // A token as `lxc` renders it (compared decoded: the JSON key order may differ).
        let token = trust::issue_token(&client, &n.trust).await.unwrap();
        assert_eq!(trust::pending_tokens(&client, &n.trust).await.unwrap(), 1);
        if let Ok(out) = Command::new("lxc")
            .args(["config", "trust", "list-tokens", "--format", "json"])
            .output()
            && out.status.success()
        {
            use base64::Engine;
            let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
            let theirs = listed
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["ClientName"] == json!(n.trust))
                .expect("lxc lists our token");
            let decode = |t: &str| -> Value {
                let raw = base64::engine::general_purpose::STANDARD.decode(t).unwrap();
                serde_json::from_slice(&raw).unwrap()
            };
            assert_eq!(
                decode(token.expose()),
                decode(theirs["Token"].as_str().unwrap())
            );
        }

        // register, twice, against the simulator: one new VM host, then nothing; the pending
        // token of the first run is replaced, never duplicated.
        let sim = testing::start(SimOptions::default()).await;
        let maas = maas_client(&sim);
        let hosts_before = sim.vm_hosts().len();
        let reg = RegisterSpec {
            address: None,
            name: Some(format!("node-{}", std::process::id())),
            project: None,
            zone: Some("az-2".into()),
            pool: Some("k8s".into()),
            tags: vec!["lxd-initializer".into()],
            trust: RegisterTrust::Token,
            trust_name: n.trust.clone(),
        };
        let reg = if lxd_initializer::route::default_route().is_ok() {
            reg
        } else {
            RegisterSpec {
                address: Some("127.0.0.1:18443".into()),
                ..reg
            }
        };
        let a = register::run(&client, &maas, &reg).await.unwrap();
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].change, Change::Created, "{a:#?}");
        assert_eq!(trust::pending_tokens(&client, &n.trust).await.unwrap(), 1);
        let b = register::run(&client, &maas, &reg).await.unwrap();
        assert!(!changed(&b), "second register changed something: {b:#?}");
        assert_eq!(sim.vm_hosts().len(), hosts_before + 1);
        let host = maas
            .vm_hosts()
            .await
            .unwrap()
            .into_iter()
            .find(|h| h.name == reg.name.clone().unwrap())
            .unwrap();
        assert_eq!(host.zone_name(), Some("az-2"));
        assert_eq!(host.pool_name(), Some("k8s"));
        let params = maas.vm_host_parameters(host.id).await.unwrap();
        let expected = register::address(&reg, &Server::read(&client).await.unwrap()).unwrap();
        assert_eq!(params.power_address(), Some(expected.as_str()));
        assert!(expected.ends_with(":18443"), "{expected}");

        // Certificate trust: MAAS gets the certificate and key, LXD trusts it (already did).
        if let Some((c, k)) = &cert {
            let by_cert = RegisterSpec {
                name: Some(format!("node-cert-{}", std::process::id())),
                project: Some("maas-vms".into()),
                trust: RegisterTrust::Certificate {
                    certificate: c.clone(),
                    key: k.clone(),
                },
                ..reg.clone()
            };
            let a = register::run(&client, &maas, &by_cert).await.unwrap();
            assert_eq!(
                a[0].change,
                Change::Unchanged,
                "certificate already trusted: {a:#?}"
            );
            assert_eq!(a[1].change, Change::Created, "{a:#?}");
            let b = register::run(&client, &maas, &by_cert).await.unwrap();
            assert!(!changed(&b), "{b:#?}");
        }

        // The daemon's pass: ready once both succeed; /readyz says so. Against a MAAS without
        // VM hosts it is not ready, says why, and marks the failure final (not retried).
        let daemon_spec = daemon::DaemonSpec {
            init: spec.clone(),
            register: reg.clone(),
            interval: Duration::from_secs(3600),
        };
        let state = daemon::Shared::default();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/readyz", listener.local_addr().unwrap());
        let server = tokio::spawn(daemon::serve(listener, state.clone()));
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(
                rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                    rustls::crypto::ring::default_provider(),
                ))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
            )
            .build()
            .unwrap();
        assert_eq!(http.get(&url).send().await.unwrap().status(), 503);
        daemon::pass(&client, &maas, &daemon_spec, &state).await;
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let gone_sim = testing::start(SimOptions {
            vm_hosts_removed: true,
            ..SimOptions::default()
        })
        .await;
        let gone_maas = maas_client(&gone_sim);
        daemon::pass(&client, &gone_maas, &daemon_spec, &state).await;
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 503);
        assert!(r.text().await.unwrap().contains("VM hosts unsupported"));
        assert!(state.lock().unwrap().final_failure);
        server.abort();

        // A MAAS without VM hosts says so, and nothing is registered or issued.
        let gone = testing::start(SimOptions {
            vm_hosts_removed: true,
            ..SimOptions::default()
        })
        .await;
        let err = register::run(&client, &maas_client(&gone), &reg)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                LxdError::Maas(MaasError::VmHostsUnsupported { status: 410, .. })
            ),
            "{err}"
        );
        assert!(err.to_string().contains("VM hosts unsupported"), "{err}");
    })
    .catch_unwind()
    .await;
    cleanup(&client, &n, &old_https, fingerprint.as_deref()).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
