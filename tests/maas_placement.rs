//! `hosted-cluster maas placement` against the in-process simulator (default inventory): a pool
//! from a NodePool file and from flags, the table/json/yaml outputs, what does not fit and why
//! (exit 1), and a MAAS without VM hosts (HTTP 410) said plainly.

use maas_simulator::{SimHandle, SimOptions, testing};
use serde_json::Value;

async fn run(sim: &SimHandle, args: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let base = sim.base_url();
    let key = sim.api_key();
    let argv = [
        "hosted-cluster",
        "maas",
        "placement",
        "--maas-endpoint",
        &base,
        "--maas-api-key",
        &key,
    ]
    .into_iter()
    .chain(args.iter().copied());
    let code = hosted_cluster_cli::run(argv, &mut out, &mut err).await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

fn nodepool(zone: &str, replicas: u32) -> std::path::PathBuf {
    let text = std::fs::read_to_string(suite::examples_dir().join("nodepool-lxd.yaml"))
        .unwrap()
        .replace("zone: zone1", &format!("zone: {zone}"))
        .replace("replicas: 3", &format!("replicas: {replicas}"));
    let path = std::env::temp_dir().join(format!(
        "placement-{}-{zone}-{replicas}.yaml",
        std::process::id()
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[tokio::test]
async fn nodepool_file_places_every_vm_in_its_zone() {
    hosted_cluster_cli::install_crypto_provider();
    let sim = testing::start(SimOptions::default()).await;
    let np = nodepool("az-1", 3);
    let (code, out, err) = run(&sim, &["-f", np.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("3 VM(s) of 4 cores, 8192 MiB, 60 GB disk in default"),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.contains("az-1")).count(),
        3,
        "{out}"
    );
    let (code, out, _) = run(&sim, &["-f", np.to_str().unwrap(), "-o", "json"]).await;
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["fits"], true);
    assert_eq!(v["placed"].as_array().unwrap().len(), 3);
    let (code, out, _) = run(&sim, &["-f", np.to_str().unwrap(), "-o", "yaml"]).await;
    assert_eq!(code, 0);
    assert!(out.contains("fits: true"), "{out}");
}

#[tokio::test]
async fn flags_spread_over_zones_and_report_what_does_not_fit() {
    hosted_cluster_cli::install_crypto_provider();
    let sim = testing::start(SimOptions::default()).await;
    let (code, out, err) = run(
        &sim,
        &[
            "--replicas",
            "2",
            "--cores",
            "2",
            "--memory",
            "2048",
            "--disk-size",
            "10",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(
        &run(
            &sim,
            &[
                "--replicas",
                "2",
                "--cores",
                "2",
                "--memory",
                "2048",
                "--disk-size",
                "10",
                "-o",
                "json",
            ],
        )
        .await
        .1,
    )
    .unwrap();
    let zones: Vec<&str> = v["placed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["zone"].as_str().unwrap())
        .collect();
    assert_ne!(zones[0], zones[1], "two VMs spread over two zones: {out}");

    let (code, out, err) = run(
        &sim,
        &["--replicas", "3", "--cores", "40", "--memory", "70000"],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("do not fit"), "{err}");
    assert!(
        out.contains("does not fit") && out.contains("not enough memory"),
        "{out}"
    );

    let (code, _, err) = run(&sim, &["--cores", "0"]).await;
    assert_eq!(code, 2);
    assert!(err.contains("--cores"), "{err}");
}

#[tokio::test]
async fn a_maas_without_vm_hosts_is_said_plainly() {
    hosted_cluster_cli::install_crypto_provider();
    let sim = testing::start(SimOptions {
        vm_hosts_removed: true,
        ..SimOptions::default()
    })
    .await;
    let (code, out, err) = run(&sim, &["--replicas", "1"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains("VM hosts unsupported by this MAAS (HTTP 410)"),
        "{err}"
    );
}
