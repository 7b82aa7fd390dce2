//! Placement of a pool's VMs over 10,000 VM hosts (`place_pool`), printed as plain lines:
//! p50/p99/max wall time per call for pools of 3, 10 and 100 VMs. Goal: ≤ 1 ms for 10,000
//! hosts. The hosts spread over 8 zones with uneven free capacity and over-commit ratios, so
//! every filter and key of the ranking is exercised. `--hosts N` and `--runs N` change the size.

use std::time::{Duration, Instant};

use maas_client::{PoolRequest, VmHost, place_pool};
use serde_json::json;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn hosts(n: usize) -> Vec<VmHost> {
    (0..n)
        .map(|i| {
            let i = i as i64;
            let cores = 16 + (i * 7) % 112;
            let memory = 32_768 + (i * 4_099) % 229_376;
            let disk = (500 + (i * 37) % 3_000) * 1_000_000_000;
            serde_json::from_value(json!({
                "id": i + 1,
                "name": format!("lxd-{i:05}"),
                "type": "lxd",
                "capabilities": ["composable", "over_commit", "storage_pools"],
                "zone": {"id": i % 8, "name": format!("az-{}", i % 8)},
                "pool": {"id": 0, "name": "default"},
                "total": {"cores": cores, "memory": memory, "local_storage": disk},
                "used": {"cores": (i * 3) % cores, "memory": (i * 1_021) % memory, "local_storage": disk / 4},
                "cpu_over_commit_ratio": 1.0 + (i % 4) as f64,
                "memory_over_commit_ratio": 1.0 + (i % 3) as f64 / 2.0,
                "storage_pools": [{"id": "d", "name": "default", "type": "dir", "path": "/d",
                    "total": disk, "used": disk / 4, "default": true}],
            }))
            .expect("a VM host")
        })
        .collect()
}

fn main() {
    let n = arg("--hosts", 10_000);
    let runs = arg("--runs", 300);
    let hosts = hosts(n);
    println!("placement over {n} VM hosts (8 zones), {runs} runs each");
    for replicas in [3u32, 10, 100] {
        let request = PoolRequest {
            replicas,
            cores: 4,
            memory_mib: 8_192,
            disk_gb: 60,
            ..PoolRequest::default()
        };
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                let start = Instant::now();
                let p = std::hint::black_box(place_pool(std::hint::black_box(&hosts), &request));
                let t = start.elapsed();
                assert!(p.fits());
                t
            })
            .collect();
        times.sort();
        let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
        println!(
            "  {replicas:>3} VMs: p50 {:>8.3} ms  p99 {:>8.3} ms  max {:>8.3} ms",
            pct(0.5).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
        );
    }
}
