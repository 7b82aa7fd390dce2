//! `maas vm-hosts compose` without `--host`: a host MAAS refuses for capacity is skipped for the
//! next fitting one, other errors stop at once, and composing N VMs costs N + 1 requests when
//! nothing is refused (counted in the simulator's request log).

use maas_simulator::{SimHandle, SimOptions, testing};
// Naming the suite lib links the platforms it names, as every root test binary does.
use serde_json::Value;
use suite as _;

async fn run(sim: &SimHandle, args: &[&str]) -> (i32, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let base = sim.base_url();
    let key = sim.api_key();
    let argv = [
        "hosted-cluster",
        "maas",
        "vm-hosts",
        "compose",
        "--maas-endpoint",
        &base,
    ]
    .into_iter()
    .chain(["--maas-api-key", key.as_str()])
    .chain(args.iter().copied());
    let code = hosted_cluster_cli::run(argv, &mut out, &mut err).await;
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Requests the simulator answered since the last clear (dropped ones included).
fn requests(sim: &SimHandle) -> Vec<String> {
    sim.requests()
        .iter()
        .map(|r| {
            format!(
                "{} {}{}",
                r.method,
                r.path,
                r.op.as_deref()
                    .map(|o| format!("?op={o}"))
                    .unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test]
async fn n_vms_cost_n_plus_one_requests() {
    hosted_cluster_cli::install_crypto_provider();
    let sim = testing::start(SimOptions::default()).await;
    for n in [1u32, 3] {
        sim.clear_requests();
        let count = n.to_string();
        let (code, out, err) = run(
            &sim,
            &[
                "--cores", "1", "--memory", "2048", "--count", &count, "--zone", "az-1", "--pool",
                "default", "-o", "json",
            ],
        )
        .await;
        assert_eq!(code, 0, "{err}");
        let reqs = requests(&sim);
        // One listing, then one compose per VM: N + 1 (the bound is N + 2).
        assert_eq!(reqs.len() as u32, n + 1, "{reqs:#?}");
        assert!(
            reqs[0].starts_with("GET") && reqs[0].contains("vm-hosts"),
            "{reqs:?}"
        );
        let v: Value = serde_json::from_str(&out).unwrap();
        let composed = if n == 1 {
            vec![v]
        } else {
            v["composed"].as_array().unwrap().clone()
        };
        assert_eq!(composed.len() as u32, n);
        println!("compose --count {n}: {} requests", reqs.len());
    }
}

#[tokio::test]
async fn a_capacity_refusal_falls_back_to_the_next_fitting_host() {
    hosted_cluster_cli::install_crypto_provider();
    let sim = testing::start(SimOptions::default()).await;
    // lxd-01 (most memory) is picked first; MAAS refuses it once, so lxd-02 gets the VM.
    sim.faults()
        .refuse_compose_next("POST vm-hosts/1/?op=compose", 1)
        .unwrap();
    sim.clear_requests();
    let (code, out, err) = run(&sim, &["--cores", "1", "--memory", "2048"]).await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("vm-host 1 (lxd-01) refused: Unable to compose"),
        "{out}"
    );
    assert!(out.contains("on vm-host 2 (lxd-02)"), "{out}");
    assert_eq!(requests(&sim).len(), 3, "list, refused compose, compose");

    // Every host refuses: the error names each refusal; nothing was composed.
    sim.faults()
        .refuse_compose_next("POST vm-hosts/*/?op=compose", 2)
        .unwrap();
    let (code, _, err) = run(&sim, &["--cores", "1", "--memory", "2048"]).await;
    assert_eq!(code, 1);
    assert!(
        err.contains("refused by MAAS") && err.contains("lxd-01") && err.contains("lxd-02"),
        "{err}"
    );
}

#[tokio::test]
async fn errors_that_are_not_about_capacity_stop_at_once() {
    hosted_cluster_cli::install_crypto_provider();
    let sim = testing::start(SimOptions::default()).await;
    sim.faults()
        .fail_next("POST vm-hosts/*/?op=compose", 1, 1)
        .unwrap();
    sim.clear_requests();
    let (code, _, err) = run(&sim, &["--cores", "1", "--memory", "2048"]).await;
    assert_eq!(code, 1);
    assert!(!err.contains("refused"), "{err}");
    assert_eq!(
        requests(&sim).len(),
        2,
        "list and the one failed compose: no other host tried"
    );
}
