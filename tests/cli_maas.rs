//! `hosted-cluster maas ...` end to end (in-process) against an in-process MAAS simulator with
//! its default inventory: check, vm-hosts list/compose/decompose/delete/register, the error
//! lines for an unreachable MAAS, a bad key, a non-admin key and a MAAS without VM hosts, and
//! bad input rejected with exit 2 before any request. No output may ever contain the API key.

use maas_simulator::{Inventory, SimHandle, SimOptions, Simulator};
use serde_json::Value;
use std::time::{Duration, Instant};
// Naming the suite lib links the platforms it names, as every root test binary does.
use suite::Run;

async fn sim_with(opts: SimOptions) -> SimHandle {
    Simulator::start_on(
        "127.0.0.1:0".parse().unwrap(),
        Inventory::default_inventory(),
        opts,
    )
    .await
    .expect("simulator starts")
}

async fn sim() -> SimHandle {
    sim_with(SimOptions::instant()).await
}

/// Runs `hosted-cluster ARGS...` in-process (on the test's runtime, where the simulator runs).
async fn cli(args: &[&str]) -> Run {
    hosted_cluster_cli::install_crypto_provider();
    let mut out = Vec::new();
    let mut err = Vec::new();
    let argv = std::iter::once("hosted-cluster").chain(args.iter().copied());
    let code = hosted_cluster_cli::run(argv, &mut out, &mut err).await;
    Run {
        code,
        stdout: String::from_utf8(out).unwrap(),
        stderr: String::from_utf8(err).unwrap(),
    }
}

/// Runs a `maas` command with `key` and fails the test if any part of the key is printed.
async fn maas_as(sim: &SimHandle, key: &str, args: &[&str]) -> Run {
    let url = sim.base_url();
    let mut argv: Vec<&str> = vec!["maas"];
    argv.extend(args);
    argv.extend(["--maas-endpoint", &url, "--maas-api-key", key]);
    let run = cli(&argv).await;
    for part in key.split(':') {
        assert!(
            !run.stdout.contains(part) && !run.stderr.contains(part),
            "API key part leaked by {args:?}:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    run
}

async fn maas(sim: &SimHandle, args: &[&str]) -> Run {
    maas_as(sim, &sim.api_key(), args).await
}

fn json(run: &Run) -> Value {
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_string())
        .collect()
}

/// The `vm-hosts list -o json` entry of host `name`.
async fn host(sim: &SimHandle, name: &str) -> Value {
    let list = json(&maas(sim, &["vm-hosts", "list", "-o", "json"]).await);
    list["vmHosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no host {name}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn check_reports_the_default_inventory() {
    let sim = sim().await;
    let run = maas(&sim, &["check"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    for needle in [
        "admin (administrator)",
        "default, az-1, az-2",
        "default, k8s",
        "ubuntu/jammy, ubuntu/noble",
        "lxd-01",
        "lxd-02",
        "VM hosts  2",
    ] {
        assert!(run.stdout.contains(needle), "{needle} in\n{}", run.stdout);
    }
    assert!(!run.stdout.contains("grub"), "boot loaders are not images");
    assert_eq!(run.stderr, "", "no warnings for an admin");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_json_and_yaml_are_structured_reports() {
    let sim = sim().await;
    let report = json(&maas(&sim, &["check", "-o", "json"]).await);
    assert!(
        report["version"]["version"]
            .as_str()
            .unwrap()
            .starts_with('3')
    );
    assert_eq!(report["user"]["username"], "admin");
    assert_eq!(report["user"]["admin"], true);
    assert_eq!(names(&report["zones"]), ["default", "az-1", "az-2"]);
    assert_eq!(names(&report["resourcePools"]), ["default", "k8s"]);
    assert_eq!(
        report["syncedImages"],
        serde_json::json!(["ubuntu/jammy", "ubuntu/noble"])
    );
    assert_eq!(names(&report["vmHosts"]), ["lxd-01", "lxd-02"]);
    let lxd1 = &report["vmHosts"][0];
    // 32 cores × 4 and 128 GiB × 1.5 over-commit; vm-registry uses 4 cores and 8 GiB.
    assert_eq!(lxd1["cores"]["total"], 128);
    assert_eq!(lxd1["cores"]["physical"], 32);
    assert_eq!(lxd1["cores"]["used"], 4);
    assert_eq!(lxd1["cores"]["available"], 124);
    assert_eq!(lxd1["memoryMiB"]["total"], 196608);
    assert_eq!(lxd1["memoryMiB"]["available"], 196608 - 8192);
    assert_eq!(lxd1["zone"], "az-1");
    assert_eq!(lxd1["vms"], 1);
    assert_eq!(report["warnings"], serde_json::json!([]));

    let run = maas(&sim, &["check", "-o", "yaml"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs = suite::docs(&run.stdout);
    assert_eq!(docs[0]["user"]["username"], "admin");
    assert_eq!(docs[0]["vmHosts"][1]["name"], "lxd-02");
}

#[tokio::test(flavor = "multi_thread")]
async fn non_admin_key_warns_or_fails_with_require_admin() {
    let sim = sim().await;
    let alice = sim.api_key_for("alice").unwrap();
    let run = maas_as(&sim, &alice, &["check"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("warning: user alice is not a MAAS administrator"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("alice (not an administrator)"));

    let run = maas_as(&sim, &alice, &["check", "--require-admin"]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("not a MAAS administrator") && run.stderr.contains("--require-admin"),
        "{}",
        run.stderr
    );

    // Composing needs an admin; MAAS's 403 comes through with the fix.
    let run = maas_as(
        &sim,
        &alice,
        &[
            "vm-hosts", "compose", "--host", "1", "--cores", "1", "--memory", "2048",
        ],
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("forbidden") && run.stderr.contains("administrator"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_api_key_is_named_and_never_printed() {
    let sim = sim().await;
    let good = sim.api_key();
    let (ck, tk, _) = {
        let p: Vec<&str> = good.split(':').collect();
        (p[0], p[1], p[2])
    };
    let bad = format!("{ck}:{tk}:WrongSecretWrongSecret123");
    let run = maas_as(&sim, &bad, &["check"]).await;
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("API key"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[tokio::test(flavor = "multi_thread")]
async fn closed_port_is_unreachable_within_10_seconds() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/MAAS");
    let started = Instant::now();
    let run = cli(&[
        "maas",
        "check",
        "--maas-endpoint",
        &url,
        "--maas-api-key",
        "a:b:c",
    ])
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("unreachable")
            && run.stderr.contains(&format!("127.0.0.1:{port}"))
            && run.stderr.contains("nothing answered"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn maas_without_vm_hosts_says_so() {
    let sim = sim_with(SimOptions {
        vm_hosts_removed: true,
        ..SimOptions::instant()
    })
    .await;
    for args in [&["check"][..], &["vm-hosts", "list"]] {
        let run = maas(&sim, args).await;
        assert_eq!(run.code, 1, "{args:?}");
        assert!(
            run.stderr
                .contains("VM hosts unsupported by this MAAS (HTTP 410)"),
            "{}",
            run.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_hosts_and_filters() {
    let sim = sim().await;
    let run = maas(&sim, &["vm-hosts", "list"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("VMS"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("lxd-01") && lines[1].contains("4/128 (x4)"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("lxd-02") && lines[2].contains("az-2"),
        "{}",
        lines[2]
    );

    for (filter, value, expect) in [
        ("--zone", "az-2", vec!["lxd-02"]),
        ("--pool", "default", vec!["lxd-01"]),
        ("--tags", "control-plane", vec!["lxd-02"]),
        ("--type", "lxd", vec!["lxd-01", "lxd-02"]),
        ("--type", "virsh", vec![]),
    ] {
        let list = json(&maas(&sim, &["vm-hosts", "list", filter, value, "-o", "json"]).await);
        assert_eq!(names(&list["vmHosts"]), expect, "{filter} {value}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn compose_uses_capacity_and_decompose_gives_it_back() {
    let sim = sim().await;
    let before = host(&sim, "lxd-01").await;
    let composed = json(
        &maas(
            &sim,
            &[
                "vm-hosts",
                "compose",
                "--host",
                "1",
                "--cores",
                "2",
                "--memory",
                "4096",
                "--storage",
                "root:20(default)",
                "--storage",
                "data:50(fast)",
                "--hostname",
                "cp-test",
                "-o",
                "json",
            ],
        )
        .await,
    );
    assert_eq!(composed["vmHost"]["name"], "lxd-01");
    let system_id = composed["systemId"].as_str().unwrap().to_string();
    assert_eq!(
        sim.machine(&system_id).unwrap().hostname,
        "cp-test",
        "composed as asked"
    );

    let after = host(&sim, "lxd-01").await;
    let used = |h: &Value, r: &str| h[r]["used"].as_u64().unwrap();
    assert_eq!(used(&after, "cores"), used(&before, "cores") + 2);
    assert_eq!(used(&after, "memoryMiB"), used(&before, "memoryMiB") + 4096);
    assert_eq!(
        used(&after, "storageBytes"),
        used(&before, "storageBytes") + 70_000_000_000
    );
    assert_eq!(after["vms"], before["vms"].as_u64().unwrap() + 1);

    let run = maas(&sim, &["vm-hosts", "decompose", &system_id]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("decomposed machine {system_id}"))
    );
    let back = host(&sim, "lxd-01").await;
    for r in ["cores", "memoryMiB", "storageBytes"] {
        assert_eq!(used(&back, r), used(&before, r), "{r}");
    }
    assert_eq!(back["vms"], before["vms"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn compose_without_host_places_by_free_capacity() {
    let sim = sim().await;
    let run = maas(
        &sim,
        &[
            "vm-hosts", "compose", "--cores", "2", "--memory", "2048", "--pool", "k8s",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    // --pool k8s leaves only lxd-02 to choose from.
    assert!(
        run.stdout.contains("on vm-host 2 (lxd-02)"),
        "{}",
        run.stdout
    );
    let system_id = run.stdout.split_whitespace().nth(2).unwrap();
    assert_eq!(sim.machine(system_id).unwrap().pool, "k8s");

    let run = maas(
        &sim,
        &["vm-hosts", "compose", "--cores", "500", "--memory", "2048"],
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no VM host fits") && run.stderr.contains("needs 500 cores"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn compose_beyond_capacity_reports_maas_refusal() {
    let sim = sim().await;
    // A disk larger than the default pool (900 GB).
    let run = maas(
        &sim,
        &[
            "vm-hosts",
            "compose",
            "--host",
            "2",
            "--cores",
            "1",
            "--memory",
            "2048",
            "--storage",
            "root:5000",
        ],
    )
    .await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("MAAS refused") && run.stderr.contains("Not enough space"),
        "{}",
        run.stderr
    );
    // lxd-02: 16 cores × 2 over-commit, so two 16-core VMs fill it and MAAS refuses a third.
    let big = [
        "vm-hosts", "compose", "--host", "2", "--cores", "16", "--memory", "2048",
    ];
    for _ in 0..2 {
        assert_eq!(maas(&sim, &big).await.code, 0);
    }
    let run = maas(&sim, &big).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("MAAS refused: Unable to compose KVM instance in 'lxd-02'")
            && run.stderr.contains("CPU overcommit ratio is 2.0"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(
        host(&sim, "lxd-02").await["vms"],
        2,
        "the refused VMs were not composed"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn decompose_refuses_bare_metal_and_unknown_machines() {
    let sim = sim().await;
    let run = maas(&sim, &["vm-hosts", "decompose", "--machine", "n4ep3w"]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is not a composed VM"),
        "{}",
        run.stderr
    );
    assert!(sim.machine("n4ep3w").is_some(), "node-01 still exists");

    let run = maas(&sim, &["vm-hosts", "decompose", "nosuch"]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no such machine nosuch"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_host_with_and_without_decompose() {
    let sim = sim().await;
    let composed = json(
        &maas(
            &sim,
            &[
                "vm-hosts", "compose", "--host", "2", "--cores", "1", "--memory", "2048", "-o",
                "json",
            ],
        )
        .await,
    );
    let vm = composed["systemId"].as_str().unwrap().to_string();
    let run = maas(&sim, &["vm-hosts", "delete", "2", "--decompose"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("deleted vm-host 2 (lxd-02); its VMs were decomposed")
    );
    assert!(sim.machine(&vm).is_none(), "VM decomposed with its host");
    let list = json(&maas(&sim, &["vm-hosts", "list", "-o", "json"]).await);
    assert_eq!(names(&list["vmHosts"]), ["lxd-01"]);

    let run = maas(&sim, &["vm-hosts", "delete", "1", "-o", "json"]).await;
    let deleted = json(&run);
    assert_eq!(deleted["decomposed"], false);
    // MAAS forgets the VM's machine either way; only the LXD server keeps the VM.
    assert!(sim.machine("vmr4g9").is_none());
    assert!(
        sim.machine("kvm7a1").is_some(),
        "the host's own machine stays"
    );

    let run = maas(&sim, &["vm-hosts", "delete", "7"]).await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no such vm-host 7"), "{}", run.stderr);
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("cli-maas-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn register_with_certificate_adds_a_host() {
    let sim = sim().await;
    let cert = temp_file(
        "cert.pem",
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    let key = temp_file(
        "key.pem",
        "-----BEGIN PRIVATE KEY-----\nSECRETKEYBYTES\n-----END PRIVATE KEY-----\n",
    );
    let run = maas(
        &sim,
        &[
            "vm-hosts",
            "register",
            "--address",
            "10.10.1.9:8443",
            "--certificate",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--name",
            "lxd-09",
            "--zone",
            "az-2",
            "--pool",
            "k8s",
            "--tags",
            "control-plane,new",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("registered vm-host 3 (lxd-09)"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("SECRETKEYBYTES"));
    let h = host(&sim, "lxd-09").await;
    assert_eq!(
        (h["zone"].as_str(), h["pool"].as_str()),
        (Some("az-2"), Some("k8s"))
    );
    let tags: Vec<&str> = h["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"control-plane") && tags.contains(&"new"),
        "{tags:?}"
    );
}

/// The trust password comes from a file, registers the host, and is never printed.
#[tokio::test(flavor = "multi_thread")]
async fn register_with_trust_password_works_and_never_prints_it() {
    let sim = sim().await;
    let pw = temp_file("trust", "Tru5tM3Pl3ase\n");
    let run = maas(
        &sim,
        &[
            "vm-hosts",
            "register",
            "--address",
            "10.10.1.8",
            "--trust-password-file",
            pw.to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        !run.stdout.contains("Tru5tM3Pl3ase") && !run.stderr.contains("Tru5tM3Pl3ase"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(
        sim.requests()
            .iter()
            .any(|r| r.method == "POST" && r.path.ends_with("/vm-hosts/")),
        "{:?}",
        sim.requests()
    );
    // MAAS takes the LXD trust password as the driver's `password` field.
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("registered vm-host"), "{}", run.stdout);
}

/// Every bad input exits 2 naming its flag, and nothing reaches MAAS.
#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2_naming_the_flag_before_any_request() {
    let sim = sim().await;
    let url = sim.base_url();
    let key = sim.api_key();
    let empty = temp_file("empty", "\n");
    let pw = temp_file("pw", "trust-me\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["check", "--maas-api-key", "not-a-key"],
            "--maas-api-key",
        ),
        (
            vec!["check", "--maas-endpoint", "maas.example:5240/MAAS"],
            "--maas-endpoint",
        ),
        (
            vec!["check", "--maas-endpoint", "http://maas.example:5240"],
            "--maas-endpoint",
        ),
        (
            vec!["vm-hosts", "compose", "--cores", "0", "--memory", "2048"],
            "--cores",
        ),
        (
            vec!["vm-hosts", "compose", "--cores", "-1", "--memory", "2048"],
            "--cores",
        ),
        (
            vec!["vm-hosts", "compose", "--cores", "1", "--memory", "512"],
            "--memory",
        ),
        (
            vec![
                "vm-hosts",
                "compose",
                "--cores",
                "1",
                "--memory",
                "2048",
                "--storage",
                "root20",
            ],
            "--storage",
        ),
        (
            vec![
                "vm-hosts",
                "compose",
                "--cores",
                "1",
                "--memory",
                "2048",
                "--storage",
                "root:0",
            ],
            "--storage",
        ),
        (
            vec![
                "vm-hosts",
                "compose",
                "--cores",
                "1",
                "--memory",
                "2048",
                "--storage",
                "root:8(pool",
            ],
            "--storage",
        ),
        (
            vec![
                "vm-hosts",
                "compose",
                "--cores",
                "1",
                "--memory",
                "2048",
                "--hostname",
                "Bad Host",
            ],
            "--hostname",
        ),
        (vec!["vm-hosts", "compose", "--memory", "2048"], "--cores"),
        (vec!["vm-hosts", "delete", "lxd-01"], "<ID>"),
        (
            vec!["vm-hosts", "register", "--address", "h:8443"],
            "--trust-password-file",
        ),
        (
            vec![
                "vm-hosts",
                "register",
                "--address",
                "h",
                "--trust-password-file",
                "/nonexistent/pw",
            ],
            "--trust-password-file",
        ),
        (
            vec![
                "vm-hosts",
                "register",
                "--address",
                "h",
                "--trust-password-file",
                empty.to_str().unwrap(),
            ],
            "--trust-password-file",
        ),
        (
            vec![
                "vm-hosts",
                "register",
                "--address",
                " ",
                "--trust-password-file",
                pw.to_str().unwrap(),
            ],
            "--address",
        ),
        (
            vec![
                "vm-hosts",
                "register",
                "--address",
                "h",
                "--trust-password-file",
                pw.to_str().unwrap(),
                "--key",
                "k.pem",
            ],
            "--key",
        ),
        (
            vec![
                "vm-hosts",
                "register",
                "--address",
                "h",
                "--certificate",
                "c.pem",
            ],
            "--key",
        ),
        (vec!["vm-hosts", "list", "-o", "xml"], "--output"),
    ];
    for (args, flag) in cases {
        // Good credentials unless the case brings its own.
        let mut argv = vec!["maas"];
        argv.extend(&args);
        for (f, v) in [
            ("--maas-endpoint", url.as_str()),
            ("--maas-api-key", key.as_str()),
        ] {
            if !args.contains(&f) {
                argv.extend([f, v]);
            }
        }
        let run = cli(&argv).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains(flag),
            "{args:?} should name {flag}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains(&key) && !run.stdout.contains(&key));
    }
    assert!(
        sim.requests().is_empty(),
        "bad input sent {:?}",
        sim.requests()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_name_flag_and_env() {
    if std::env::var_os("MAAS_ENDPOINT").is_some() || std::env::var_os("MAAS_API_KEY").is_some() {
        return; // The environment supplies them; nothing to check.
    }
    let run = cli(&["maas", "check"]).await;
    assert_eq!(run.code, 2);
    for needle in [
        "--maas-endpoint",
        "MAAS_ENDPOINT",
        "--maas-api-key",
        "MAAS_API_KEY",
    ] {
        assert!(run.stderr.contains(needle), "{needle}: {}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_reports_a_busy_port_and_bad_flags() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let run = cli(&["maas", "simulate", "--port", &port]).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains(&format!("cannot serve on 127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
    let run = cli(&["maas", "simulate", "--deploy-time", "soon"]).await;
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--deploy-time"), "{}", run.stderr);
    let run = cli(&["maas", "simulate", "--inventory", "/nonexistent.yaml"]).await;
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("/nonexistent.yaml"), "{}", run.stderr);
}
