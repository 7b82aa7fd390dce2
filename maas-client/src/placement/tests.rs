use serde_json::json;

use super::*;
use crate::params::StorageSpec;

#[derive(Clone)]
struct H {
    id: u64,
    cores: (i64, i64),
    memory: (i64, i64),
    ratios: (f64, f64),
    pools: Vec<(&'static str, i64, i64, bool)>,
}

impl H {
    fn new(id: u64, cores: (i64, i64), memory: (i64, i64)) -> Self {
        Self {
            id,
            cores,
            memory,
            ratios: (1.0, 1.0),
            pools: vec![("default", 100_000_000_000, 0, true)],
        }
    }

    fn build(self) -> VmHost {
        let pools: Vec<_> = self
            .pools
            .iter()
            .map(|(name, total, used, default)| {
                json!({"id": name, "name": name, "type": "dir", "path": "/x",
                       "total": total, "used": used, "available": total - used, "default": default})
            })
            .collect();
        let storage_total: i64 = self.pools.iter().map(|p| p.1).sum();
        let storage_used: i64 = self.pools.iter().map(|p| p.2).sum();
        serde_json::from_value(json!({
            "id": self.id,
            "name": format!("host-{}", self.id),
            "type": "lxd",
            "architectures": ["amd64/generic"],
            "capabilities": ["composable", "dynamic_local_storage", "over_commit", "storage_pools"],
            "tags": [],
            "total": {"cores": self.cores.0, "memory": self.memory.0, "local_storage": storage_total},
            "used": {"cores": self.cores.1, "memory": self.memory.1, "local_storage": storage_used},
            "available": {"cores": self.cores.0 - self.cores.1, "memory": self.memory.0 - self.memory.1,
                          "local_storage": storage_total - storage_used},
            "cpu_over_commit_ratio": self.ratios.0,
            "memory_over_commit_ratio": self.ratios.1,
            "storage_pools": pools,
        }))
        .unwrap()
    }
}

fn req(cores: u32, memory: u64) -> ComposeRequest {
    ComposeRequest::new(cores, memory)
}

#[test]
fn most_free_prefers_the_most_memory_left_and_breaks_ties_by_id() {
    let hosts = vec![
        H::new(3, (16, 0), (32768, 16384)).build(),
        H::new(1, (16, 0), (32768, 8192)).build(),
        H::new(2, (16, 0), (32768, 8192)).build(),
    ];
    let chosen = choose_vm_host(&hosts, &req(2, 4096), PlacementStrategy::MostFree).unwrap();
    assert_eq!(
        chosen.id, 1,
        "hosts 1 and 2 tie on memory and cores; lowest id wins"
    );
    assert_eq!(PlacementStrategy::default(), PlacementStrategy::MostFree);
}

#[test]
fn most_free_uses_cores_when_memory_ties() {
    let hosts = vec![
        H::new(1, (16, 10), (32768, 0)).build(),
        H::new(2, (16, 2), (32768, 0)).build(),
    ];
    let chosen = choose_vm_host(&hosts, &req(2, 4096), PlacementStrategy::MostFree).unwrap();
    assert_eq!(chosen.id, 2);
}

#[test]
fn first_fit_takes_the_lowest_fitting_id_whatever_the_order() {
    let hosts = vec![
        H::new(9, (64, 0), (262144, 0)).build(),
        H::new(4, (4, 4), (8192, 0)).build(), // no cores left
        H::new(5, (8, 0), (8192, 0)).build(),
    ];
    let chosen = choose_vm_host(&hosts, &req(2, 4096), PlacementStrategy::FirstFit).unwrap();
    assert_eq!(chosen.id, 5);
    let mut reversed = hosts.clone();
    reversed.reverse();
    let again = choose_vm_host(&reversed, &req(2, 4096), PlacementStrategy::FirstFit).unwrap();
    assert_eq!(again.id, 5);
    let most = choose_vm_host(&reversed, &req(2, 4096), PlacementStrategy::MostFree).unwrap();
    assert_eq!(most.id, 9);
}

#[test]
fn over_commit_lets_a_full_host_take_more() {
    let mut full = H::new(1, (4, 4), (8192, 8192));
    assert!(
        choose_vm_host(
            &[full.clone().build()],
            &req(2, 2048),
            PlacementStrategy::MostFree
        )
        .is_err()
    );
    full.ratios = (2.0, 1.5);
    let hosts = [full.build()];
    let chosen = choose_vm_host(&hosts, &req(2, 2048), PlacementStrategy::MostFree).unwrap();
    assert_eq!(chosen.id, 1);
    let r = chosen.resources();
    assert_eq!((r.cores.overcommitted_total, r.cores.available), (8, 4));
    assert_eq!(
        (r.memory.overcommitted_total, r.memory.available),
        (12288, 4096)
    );
    // 4097 MiB does not fit into 4096 free.
    assert!(choose_vm_host(&hosts, &req(1, 4097), PlacementStrategy::MostFree).is_err());
}

#[test]
fn storage_is_checked_per_named_pool_and_default_pool() {
    let mut h = H::new(1, (16, 0), (32768, 0));
    h.pools = vec![
        ("default", 50_000_000_000, 45_000_000_000, true), // 5 GB free
        ("fast", 200_000_000_000, 0, false),
    ];
    let hosts = [h.build()];
    // Default request: 8 GB root in the default pool, which has 5 GB.
    let err = choose_vm_host(&hosts, &req(1, 1024), PlacementStrategy::MostFree).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("needs 8.0 GB in storage pool (default), 5.0 GB free"),
        "{text}"
    );
    // Same disk in the roomy pool fits.
    let mut ok = req(1, 1024);
    ok.storage = vec![StorageSpec::new("root", 8).in_pool("fast")];
    assert!(choose_vm_host(&hosts, &ok, PlacementStrategy::MostFree).is_ok());
    // Disks in one pool add up: 2 × 100 GB fill the 200 GB pool exactly; one more does not fit.
    ok.storage = vec![
        StorageSpec::new("a", 100).in_pool("fast"),
        StorageSpec::new("b", 100).in_pool("fast"),
    ];
    assert!(choose_vm_host(&hosts, &ok, PlacementStrategy::MostFree).is_ok());
    ok.storage.push(StorageSpec::new("c", 1).in_pool("fast"));
    assert!(choose_vm_host(&hosts, &ok, PlacementStrategy::MostFree).is_err());
    // Unknown pool.
    ok.storage = vec![StorageSpec::new("root", 1).in_pool("nvme")];
    let text = choose_vm_host(&hosts, &ok, PlacementStrategy::MostFree)
        .unwrap_err()
        .to_string();
    assert!(text.contains("has no storage pool \"nvme\""), "{text}");
}

#[test]
fn refusal_lists_every_host_with_its_reasons() {
    let mut not_composable = H::new(2, (64, 0), (65536, 0)).build();
    not_composable.capabilities = vec!["over_commit".into()];
    let mut arm = H::new(3, (64, 0), (65536, 0)).build();
    arm.architectures = vec!["arm64/generic".into()];
    let hosts = vec![arm, H::new(1, (4, 2), (4096, 1024)).build(), not_composable];
    let mut request = req(8, 8192);
    request.architecture = Some("amd64".into());
    let err = choose_vm_host(&hosts, &request, PlacementStrategy::MostFree).unwrap_err();
    let PlacementError::NoFit { rejections, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        rejections.iter().map(|r| r.host_id).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    let text = err.to_string();
    assert!(
        text.starts_with("no VM host fits 8 cores, 8192 MiB, storage root:8"),
        "{text}"
    );
    assert!(
        text.contains("vm-host 1 (host-1): needs 8 cores, 2 free of 4"),
        "{text}"
    );
    assert!(
        text.contains("needs 8192 MiB memory, 3072 MiB free"),
        "{text}"
    );
    assert!(
        text.contains("vm-host 2 (host-2): cannot compose VMs"),
        "{text}"
    );
    assert!(
        text.contains("vm-host 3 (host-3): architecture amd64 not offered (has arm64/generic)"),
        "{text}"
    );
}

#[test]
fn architecture_matches_with_or_without_subarch() {
    let hosts = [H::new(1, (8, 0), (8192, 0)).build()];
    for arch in ["amd64", "amd64/generic"] {
        let mut r = req(1, 1024);
        r.architecture = Some(arch.into());
        assert!(
            choose_vm_host(&hosts, &r, PlacementStrategy::MostFree).is_ok(),
            "{arch}"
        );
    }
    let mut r = req(1, 1024);
    r.architecture = Some("amd".into());
    assert!(choose_vm_host(&hosts, &r, PlacementStrategy::MostFree).is_err());
}

#[test]
fn no_hosts_is_its_own_error() {
    let err = choose_vm_host(&[], &req(1, 1024), PlacementStrategy::FirstFit).unwrap_err();
    assert_eq!(err, PlacementError::NoHosts);
}
