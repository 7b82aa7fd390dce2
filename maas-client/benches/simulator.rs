//! Loopback figures for the client against the in-process simulator, printed as plain lines.
//!
//! - Requests per second and p50/p99 latency for K concurrent tasks looping authenticated
//!   GETs: `version` and `machines` through our client, and a raw keep-alive reqwest GET of
//!   `version/` (same OAuth header, no client logic) for the server-side ceiling.
//! - HTTP round trips and wall time per "place and compose a VM" flow (query VM hosts →
//!   choose_vm_host → compose → poll the machine until Ready), counted from the simulator's
//!   request log.
//!
//! Every loop is bounded by a request count and a time cap; requests only go to 127.0.0.1.
//! Time per measurement: `BENCH_SECONDS` (float) if set; else 1.0 s under `cargo bench`
//! (which passes `--bench`) and 0.1 s with `--quick` or when run without `--bench`
//! (`cargo test --benches`). The full run stays under about 20 s.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use maas_client::{
    ApiKey, ClientOptions, ComposeRequest, MaasClient, MaasEndpoint, MachineFilter,
    PlacementStrategy, RetryPolicy, VmHostQuery, choose_vm_host,
};
use maas_simulator::{Inventory, SimHandle, SimOptions, Simulator};

#[derive(Clone, Copy)]
struct Limits {
    /// Time cap per measurement.
    time: Duration,
    /// Request cap per measurement (over all tasks).
    requests: u64,
    /// Compose flows per compose measurement.
    composes: u32,
}

fn limits() -> Limits {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick") || !args.iter().any(|a| a == "--bench");
    let seconds = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(if quick { 0.1 } else { 1.0 })
        .min(60.0);
    Limits {
        time: Duration::from_secs_f64(seconds),
        requests: if quick { 2_000 } else { 100_000 },
        composes: if quick { 5 } else { 50 },
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    ClientVersion,
    ClientMachines,
    RawVersion,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::ClientVersion => "client version()",
            Kind::ClientMachines => "client machines()",
            Kind::RawVersion => "raw reqwest GET version/",
        }
    }
}

fn client(sim: &SimHandle, retry: RetryPolicy) -> MaasClient {
    MaasClient::new(
        MaasEndpoint::parse(&sim.base_url()).unwrap(),
        ApiKey::parse(&sim.api_key()).unwrap(),
        ClientOptions {
            timeout: Duration::from_secs(10),
            retry,
            ..ClientOptions::default()
        },
    )
    .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn throughput(sim: &SimHandle, kind: Kind, tasks: u32, limits: Limits) {
    // No retries: a failure is counted, not hidden.
    let client = client(sim, RetryPolicy::none());
    let raw = reqwest::Client::builder()
        .pool_max_idle_per_host(tasks as usize)
        .build()
        .unwrap();
    let key = ApiKey::parse(&sim.api_key()).unwrap();
    let raw_url = format!("{}version/", sim.api_url());
    let issued = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    sim.clear_requests();
    let started = Instant::now();
    let deadline = started + limits.time;
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let (client, raw, key, raw_url) =
            (client.clone(), raw.clone(), key.clone(), raw_url.clone());
        let (issued, errors) = (issued.clone(), errors.clone());
        handles.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline
                && issued.fetch_add(1, Ordering::Relaxed) < limits.requests
            {
                let t = Instant::now();
                let ok = match kind {
                    Kind::ClientVersion => client.version().await.is_ok(),
                    Kind::ClientMachines => {
                        client.machines(&MachineFilter::default()).await.is_ok()
                    }
                    Kind::RawVersion => match raw
                        .get(&raw_url)
                        .header("Authorization", key.authorization_header())
                        .send()
                        .await
                    {
                        Ok(resp) => {
                            let ok = resp.status().is_success();
                            resp.bytes().await.is_ok() && ok
                        }
                        Err(_) => false,
                    },
                };
                latencies.push(t.elapsed());
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let elapsed = started.elapsed();
    all.sort();
    let served = sim.requests().len();
    sim.clear_requests();
    println!(
        "throughput {:<26} tasks={tasks:>2} requests={:>6} errors={} time={:.2}s req/s={:>8.0} p50={:.3}ms p99={:.3}ms (simulator saw {served})",
        kind.label(),
        all.len(),
        errors.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        all.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&all, 50.0)),
        ms(percentile(&all, 99.0)),
    );
}

/// One "place and compose a VM" flow; returns the composed system id and how many polls it
/// took to see Ready.
async fn place_and_compose(
    client: &MaasClient,
    request: &ComposeRequest,
    poll_every: Duration,
) -> (String, u32) {
    let hosts = client
        .query_vm_hosts(&VmHostQuery::default())
        .await
        .unwrap();
    let host = choose_vm_host(&hosts, request, PlacementStrategy::MostFree).unwrap();
    let composed = client.compose(host.id, request).await.unwrap();
    let limit = Instant::now() + Duration::from_secs(10);
    let mut polls = 0;
    loop {
        polls += 1;
        let machine = client.machine(&composed.system_id).await.unwrap();
        if machine.status_name == "Ready" {
            return (composed.system_id, polls);
        }
        assert!(
            Instant::now() < limit,
            "{} still {}",
            composed.system_id,
            machine.status_name
        );
        tokio::time::sleep(poll_every).await;
    }
}

async fn compose_round_trips(commission: Duration, poll_every: Duration, limits: Limits) {
    let sim = Simulator::start_on(
        "127.0.0.1:0".parse().unwrap(),
        Inventory::default_inventory(),
        SimOptions {
            commission_time: commission,
            ..SimOptions::instant()
        },
    )
    .await
    .unwrap();
    let client = client(&sim, RetryPolicy::default());
    let request = ComposeRequest::new(2, 4096);
    let budget = Instant::now() + limits.time.max(Duration::from_millis(500)) * 2;
    let (mut flows, mut requests, mut polls) = (0u32, 0usize, 0u32);
    let mut total = Duration::ZERO;
    while flows < limits.composes && Instant::now() < budget {
        sim.clear_requests();
        let t = Instant::now();
        let (system_id, n) = place_and_compose(&client, &request, poll_every).await;
        total += t.elapsed();
        requests += sim.requests().len();
        polls += n;
        flows += 1;
        // Give the resources back (not counted) so every flow sees the same hosts.
        client.delete_machine(&system_id).await.unwrap();
    }
    let flows_f = f64::from(flows.max(1));
    println!(
        "compose    commission={}ms poll_every={}ms flows={flows} round_trips/compose={:.2} (vm-hosts list 1 + compose 1 + polls {:.2}) time/compose={:.3}ms",
        commission.as_millis(),
        poll_every.as_millis(),
        requests as f64 / flows_f,
        f64::from(polls) / flows_f,
        ms(total) / flows_f,
    );
    sim.shutdown().await;
}

fn main() {
    let limits = limits();
    // reqwest is built without a TLS provider in this workspace; the raw client needs one
    // installed to build (the requests themselves are plain HTTP to 127.0.0.1).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!(
            "maas-client simulator bench: {:.2}s and at most {} requests per measurement, {} worker threads",
            limits.time.as_secs_f64(),
            limits.requests,
            std::thread::available_parallelism().map_or(1, |n| n.get()),
        );
        for kind in [Kind::RawVersion, Kind::ClientVersion, Kind::ClientMachines] {
            for tasks in [1, 8, 32] {
                // A fresh simulator per measurement: its nonce table grows with every
                // signed request, so sharing one would slow the later measurements.
                let sim = Simulator::start_on(
                    "127.0.0.1:0".parse().unwrap(),
                    Inventory::default_inventory(),
                    SimOptions::instant(),
                )
                .await
                .unwrap();
                throughput(&sim, kind, tasks, limits).await;
                sim.shutdown().await;
            }
        }
        compose_round_trips(Duration::ZERO, Duration::from_millis(20), limits).await;
        compose_round_trips(
            Duration::from_millis(100),
            Duration::from_millis(20),
            limits,
        )
        .await;
    });
}
